#!/bin/bash
# The image verbs as a user sees them (issue 16): load, save, import, images, image
# ls/inspect/rm/prune, rmi, tag, history, diff, pull/push/login; their options, their
# output in Docker's layout and their errors (exit 125, a clear message).  In the sandbox
# with a private state directory; the image is tests/lib/busybox_image.sh's.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/runtime.sh"
source "$(dirname "$0")/../lib/busybox_image.sh"

if [ ! -x "$NR" ]; then t_skip "image verbs" "netns-run not built"; t_done; exit; fi
if ! busybox_image /run/bb.tar bb:1; then t_skip "image verbs" "no static /bin/busybox"; t_done; exit; fi

# rc CMD...: the exit status alone (output dropped).
rc() { "$@" >/dev/null 2>&1; echo $?; }
# on_tty CMD: CMD with a terminal as stdin and stdout (script(1)); its output.
on_tty() { script -qec "$*" /dev/null 2>&1; }

# --- no store yet: the reading verbs show nothing and make none ---
t_eq "images without a store: the header alone" "$("$NR" images)" "REPOSITORY   TAG       IMAGE ID   CREATED   SIZE"
t_eq "history without a store: 125" "$(rc "$NR" history bb:1)" 125
"$NR" gc -q
t_check "... neither they nor gc made one" test ! -e "$NETNS_RUN_STATE_DIR/images"

# --- load ---
t_eq "load -i FILE prints Docker's familiar name" "$("$NR" load -i /run/bb.tar)" "Loaded image: bb:1"
t_eq "load from stdin, -q: the same line" "$("$NR" load -q </run/bb.tar)" "Loaded image: bb:1"
out=$(on_tty "$NR" load); t_check "load refuses a terminal as stdin" grep -q "requested load from stdin, but stdin is empty" <<<"$out"
t_eq "load -i of a missing file: 125" "$(rc "$NR" load -i /run/nope.tar)" 125
head -c 3000 /run/bb.tar >/run/cut.tar
t_eq "load of a truncated archive: 125" "$(rc "$NR" load -i /run/cut.tar)" 125
t_eq "load takes no arguments: 125" "$(rc "$NR" load /run/bb.tar)" 125

id=$("$NR" images -q --no-trunc bb:1)
short=${id#sha256:}; short=${short:0:12}
t_check "images -q --no-trunc: the full id" grep -qE '^sha256:[0-9a-f]{64}$' <<<"$id"

# --- images ---
out=$("$NR" images)
t_eq "images: Docker's header, tabwriter-spaced" "$(head -1 <<<"$out")" "REPOSITORY   TAG       IMAGE ID       CREATED         SIZE"
t_check "images: the row (bb, 1, 12-digit id, age, decimal size)" \
	grep -qE "^bb +1 +$short +[0-9]+ [a-z]+ ago +[0-9.]+(kB|MB)$" <<<"$out"
t_eq "images -q: the short id" "$("$NR" images -q)" "$short"
t_eq "image ls is images" "$("$NR" image ls)" "$out"
json=$("$NR" images --format json)
t_eq "--format json: Docker's keys" "$(jq -c 'keys' <<<"$json")" \
	'["Containers","CreatedAt","CreatedSince","Digest","ID","Repository","SharedSize","Size","Tag","UniqueSize","VirtualSize"]'
t_eq "--format json: values" "$(jq -r '[.Repository,.Tag,.ID,.Digest] | join(" ")' <<<"$json")" "bb 1 $short <none>"
t_check "--format json escapes < as Go does" grep -q '"Digest":"\\u003cnone\\u003e"' <<<"$json"
t_eq "--format TEMPLATE" "$("$NR" images --format '{{.Repository}}:{{.Tag}} {{.ID}}')" "bb:1 $short"
t_eq "--format 'table TEMPLATE'" "$("$NR" images --format 'table {{.Repository}}\t{{.Tag}}' | head -1)" "REPOSITORY   TAG"
t_check "--digests adds DIGEST" grep -q "^REPOSITORY   TAG       DIGEST    IMAGE ID" <<<"$("$NR" images --digests)"
t_eq "--format with an unknown field: 125" "$(rc "$NR" images --format '{{.Nope}}')" 125
t_eq "images: more than one argument is refused" "$(rc "$NR" images a b)" 125

# --- tag ---
"$NR" tag bb:1 bb:2 && "$NR" tag "$short" reg.example:5000/team/app:v2
t_eq "tag: both names list" "$("$NR" images --format '{{.Repository}}:{{.Tag}}' | sort | tr '\n' ' ')" \
	"bb:1 bb:2 reg.example:5000/team/app:v2 "
t_eq "images REPOSITORY filters (every tag)" "$("$NR" images --format '{{.Tag}}' bb | sort | tr '\n' ' ')" "1 2 "
t_eq "images REPOSITORY:TAG filters" "$("$NR" images --format '{{.Tag}}' bb:2)" "2"
t_eq "tag of an unknown image: 125" "$(rc "$NR" tag nope:1 bb:3)" 125
out=$("$NR" tag nope:1 bb:3 2>&1); t_check "... No such image" grep -q "No such image: nope:1" <<<"$out"
t_eq "tag to a bad reference: 125" "$(rc "$NR" tag bb:1 'Bad Name')" 125
t_eq "tag wants two arguments: 125" "$(rc "$NR" tag bb:1)" 125

# --- image inspect ---
ins=$("$NR" image inspect bb:1)
t_eq "image inspect: an array of one" "$(jq length <<<"$ins")" 1
t_eq "... Id" "$(jq -r '.[0].Id' <<<"$ins")" "$id"
t_eq "... RepoTags, familiar" "$(jq -r '.[0].RepoTags | sort | join(",")' <<<"$ins")" "bb:1,bb:2,reg.example:5000/team/app:v2"
t_eq "... Docker's keys" "$(jq -c '.[0] | keys' <<<"$ins")" \
	'["Architecture","Author","Comment","Config","Created","DockerVersion","Id","Metadata","Os","Parent","RepoDigests","RepoTags","RootFS","Size"]'
t_eq "... Config.Cmd" "$(jq -c '.[0].Config.Cmd' <<<"$ins")" '["sh"]'
t_eq "... RootFS.Layers" "$(jq -r '.[0].RootFS.Type + " " + (.[0].RootFS.Layers | length | tostring)' <<<"$ins")" "layers 1"
out=$("$NR" image inspect nope 2>&1); rc=$?
t_eq "image inspect of an unknown image: 125" $rc 125
t_check "... No such image, and an empty array" grep -q "No such image: nope" <<<"$out"

# --- history ---
out=$("$NR" history bb:1)
t_eq "history: Docker's header" "$(head -1 <<<"$out")" "IMAGE          CREATED         CREATED BY   SIZE      COMMENT"
t_check "history: the top row carries the id" grep -q "^$short " <<<"$out"
t_eq "history -q" "$("$NR" history -q bb:1)" "$short"
t_eq "history --format json: Docker's keys" "$("$NR" history --format json bb:1 | jq -c keys | head -1)" \
	'["Comment","CreatedAt","CreatedBy","CreatedSince","ID","Size"]'
t_eq "history of an unknown image: 125" "$(rc "$NR" history nope)" 125

# --- save ---
"$NR" save -o /run/out.tar bb:1; rc=$?
if [ $rc = 0 ]; then
	t_ok "save -o FILE"
	t_check "... a docker-archive (manifest.json)" sh -c "tar -tf /run/out.tar | grep -qx manifest.json"
	"$NR" save bb:1 >/run/out2.tar; t_eq "save to stdout" $? 0
	"$NR" save --format oci -o /run/oci.tar bb:1
	t_check "save --format oci: an OCI layout (index.json, oci-layout)" sh -c "tar -tf /run/oci.tar | grep -qx oci-layout"
else
	t_fail "save -o FILE" "rc $rc"
fi
out=$(on_tty "$NR" save bb:1)
t_check "save refuses a terminal as stdout" grep -q "cowardly refusing to save to a terminal. Use the -o flag or redirect" <<<"$out"
t_eq "save of an unknown image: 125" "$(rc "$NR" save -o /run/bad.tar nope:1)" 125
t_eq "... and leaves no file, no temporary" "$(ls /run | grep -c '^bad.tar')" 0
t_eq "save --format xyz: 125" "$(rc "$NR" save --format xyz -o /run/x.tar bb:1)" 125
t_eq "save without an image: 125" "$(rc "$NR" save -o /run/x.tar)" 125

# --- import ---
mkdir -p /run/rootfs/etc /run/rootfs/bin && echo imported >/run/rootfs/etc/hello
cp /bin/busybox /run/rootfs/bin/ && ln -s busybox /run/rootfs/bin/sh && ln -s busybox /run/rootfs/bin/cat
tar -C /run/rootfs -cf /run/rootfs.tar .
out=$("$NR" import -c 'CMD ["/bin/sh"]' -m "from a tar" /run/rootfs.tar imp:1 2>&1); rc=$?
t_eq "import FILE REF: exit 0" $rc 0
t_check "... prints the id" grep -qE '^sha256:[0-9a-f]{64}$' <<<"$out"
t_eq "... named" "$("$NR" images --format '{{.Repository}}:{{.Tag}}' imp)" "imp:1"
t_eq "... -c applied" "$("$NR" image inspect imp:1 | jq -c '.[0].Config.Cmd')" '["/bin/sh"]'
out=$("$NR" import - <"/run/rootfs.tar" 2>&1)
t_check "import - reads stdin" grep -qE '^sha256:[0-9a-f]{64}$' <<<"$out"
t_eq "... an image without a name: <none>" "$("$NR" images --format '{{.Repository}}:{{.Tag}}' | grep -c '<none>:<none>')" 1
t_eq "an imported image runs" "$("$NR" run --rm --net=none imp:1 /bin/cat /etc/hello)" imported
"$NR" run --net=none --name "$P-imp" imp:1 /bin/sh -c 'echo > /x'
t_eq "diff hides the runtime's mount targets (/dev, /proc, /sys, /etc/hosts ... the image lacks)" \
	"$("$NR" diff "$P-imp" | tr '\n' ,)" "A /x,"
"$NR" rm "$P-imp" >/dev/null
"$NR" rmi imp:1 "$out" >/dev/null
t_eq "import of a missing file: 125" "$(rc "$NR" import /run/nope.tar)" 125
t_eq "import from a URL: 125" "$(rc "$NR" import http://example.com/x.tar)" 125

# --- pull, push, login ---
for v in pull push login; do
	out=$("$NR" $v bb:1 2>&1); rc=$?
	t_eq "$v: 125" $rc 125
	t_check "... says registries are not reached" grep -q "does not reach registries" <<<"$out"
done

# --- rmi ---
t_eq "rmi of an unknown image: 125" "$(rc "$NR" rmi nope:1)" 125
out=$("$NR" rmi nope:1 2>&1); t_check "... No such image" grep -q "No such image: nope:1" <<<"$out"
out=$("$NR" rmi "$short" 2>&1); rc=$?
t_eq "rmi ID of an image with several names: 125" $rc 125
t_check "... referenced in multiple repositories (must be forced)" \
	grep -q "conflict: unable to delete $short (must be forced) - image is referenced in multiple repositories" <<<"$out"
t_eq "rmi NAME untags" "$("$NR" rmi bb:2)" "Untagged: bb:2"
t_eq "rmi FULLNAME untags (familiar in the message)" "$("$NR" rmi reg.example:5000/team/app:v2)" \
	"Untagged: reg.example:5000/team/app:v2"
t_eq "... the image stays with its other name" "$("$NR" images -q bb:1)" "$short"

# An image a container uses (any state).
"$NR" run --net=none --name "$P-user" bb:1 sh -c 'echo new > /new; echo more >> /etc/passwd; rm /etc/group'
cshort=$(state '.id[0:12]' "$P-user")
out=$("$NR" rmi bb:1 2>&1); rc=$?
t_eq "rmi NAME of an image a stopped container uses: 125" $rc 125
t_eq "... Docker's conflict message" "$out" \
	"netns-run: conflict: unable to remove repository reference \"bb:1\" (must force) - container $cshort is using its referenced image $short"
out=$("$NR" rmi "$short" 2>&1)
t_check "rmi ID of it: used by stopped container (must be forced)" \
	grep -q "conflict: unable to delete $short (must be forced) - image is being used by stopped container $cshort" <<<"$out"

# --- diff ---
t_eq "diff: A/C/D as docker diff" "$("$NR" diff "$P-user" | tr '\n' ',')" "C /etc,D /etc/group,C /etc/passwd,A /new,"
t_eq "diff of an unknown container: 125" "$(rc "$NR" diff nope)" 125
"$NR" run --net=none --name "$P-host" -- sh -c 'echo x > /tmp/nr-diff-test; touch /etc/nr-diff-test'
t_check "diff of a host-root container (against /)" grep -qx "A /etc/nr-diff-test" <<<"$("$NR" diff "$P-host")"
"$NR" rm "$P-host" >/dev/null

# rmi -f: the name goes, the image stays (<none>) while the container is there.
t_eq "rmi -f NAME of the image in use: untagged" "$("$NR" rmi -f bb:1)" "Untagged: bb:1"
t_eq "... kept as <none> <none>" "$("$NR" images --format '{{.Repository}} {{.Tag}} {{.ID}}')" "<none> <none> $short"
t_eq "images -f dangling=true lists it" "$("$NR" images -q -f dangling=true)" "$short"
t_eq "images -f dangling=false does not" "$("$NR" images -q --filter dangling=false)" ""
t_eq "images -f with an unknown filter: 125" "$(rc "$NR" images -f label=x)" 125
t_eq "image prune -f keeps it while the container is there" "$("$NR" image prune -f)" "Total reclaimed space: 0B"
"$NR" rm "$P-user" >/dev/null
t_eq "image prune: no confirmation, nothing removed" \
	"$(echo n | "$NR" image prune | head -c 200)" \
	"WARNING! This will remove all dangling images.
Are you sure you want to continue? [y/N] Total reclaimed space: 0B"
t_eq "... it is still there" "$("$NR" images -q)" "$short"
out=$(echo y | "$NR" image prune)
t_check "image prune, confirmed: Deleted Images:" grep -q "Deleted Images:$" <<<"$out"
t_check "... deleted: the id" grep -qx "deleted: $id" <<<"$out"
t_check "... Total reclaimed space" grep -qE "^Total reclaimed space: [0-9.]+(kB|MB)$" <<<"$out"
t_eq "... gone" "$("$NR" images -q | grep -c "$short")" 0

# prune -a: every image no container uses; a used one stays.
"$NR" load -i /run/bb.tar >/dev/null
"$NR" run --net=none --name "$P-keep" bb:1 touch /x
"$NR" commit "$P-keep" bb:committed >/dev/null
kept=$(state '.image' "$P-keep")
"$NR" tag bb:committed bb:moved
t_eq "(tag names the commit)" "$("$NR" images -q --no-trunc bb:moved)" "$("$NR" images -q --no-trunc bb:committed)"
"$NR" tag bb:1 bb:moved
t_eq "tag moves a name from one image to another" "$("$NR" images -q --no-trunc bb:moved)" "$kept"
t_eq "... the other keeps its own name" "$("$NR" images --format '{{.Tag}}' --filter reference=bb:committed)" committed
out=$("$NR" image prune -a -f)
t_check "image prune -a: untagged: the unused one" grep -qx "untagged: bb:committed" <<<"$out"
t_eq "... only the image a container uses is left" "$("$NR" images -q --no-trunc | sort -u)" "$kept"
"$NR" rm "$P-keep" >/dev/null

# rmi of an id removes every name, and the layers go with the last image.
"$NR" load -i /run/bb.tar >/dev/null
"$NR" tag bb:1 bb:again
out=$("$NR" rmi -f "$short")
t_eq "rmi -f ID: every name untagged, then deleted" "$(sort <<<"$out" | tr '\n' ',')" "Deleted: $id,Untagged: bb:1,Untagged: bb:again,Untagged: bb:moved,"
"$NR" image prune -a -f >/dev/null
t_eq "the store holds no layer when no image is left" "$(ls "$NETNS_RUN_STATE_DIR/images/layers" | wc -l)" 0
t_eq "image rm is rmi" "$(rc "$NR" image rm nope)" 125
t_eq "image with an unknown subcommand: 125" "$(rc "$NR" image frob)" 125

# A running container's image: never removable by id, -f or not.
"$NR" load -i /run/bb.tar >/dev/null
"$NR" run -d --net=none --name "$P-run" bb:1 sleep 100 >/dev/null
out=$("$NR" rmi -f "$short" 2>&1); rc=$?
t_eq "rmi -f ID of a running container's image: 125" $rc 125
t_check "... cannot be forced" grep -q "conflict: unable to delete $short (cannot be forced) - image is being used by running container" <<<"$out"
"$NR" rm -f "$P-run" >/dev/null

# --- rmi racing run: a container that got created always finds its image kept ---
bad=0
for i in $(seq 8); do
	"$NR" load -i /run/bb.tar >/dev/null
	"$NR" run --net=none --name "$P-race$i" bb:1 true >/dev/null 2>&1 &
	sleep 0.0$i
	"$NR" rmi bb:1 >/dev/null 2>&1
	wait $!
	img=$(state .image "$P-race$i")
	if [ -n "$img" ] && ! "$NR" image inspect "$img" >/dev/null 2>&1; then bad=$((bad + 1)); fi
	"$NR" rm -f "$P-race$i" >/dev/null 2>&1
	"$NR" rmi -f "$short" >/dev/null 2>&1
done
t_eq "rmi racing run: no container is left without its image" $bad 0
"$NR" load -i /run/bb.tar >/dev/null

# --- an ambiguous id prefix: two images whose ids share their first 4 hex digits ---
python3 - /run/amb1.tar /run/amb2.tar <<'PY'
import hashlib, io, json, sys, tarfile
def add(tf, name, data):
    ti = tarfile.TarInfo(name); ti.size = len(data); tf.addfile(ti, io.BytesIO(data))
dump = lambda o: json.dumps(o, sort_keys=True, separators=(",", ":")).encode()
lb = io.BytesIO()
with tarfile.open(fileobj=lb, mode="w") as tf:
    add(tf, "f", b"x\n")
layer = lb.getvalue(); ld = "sha256:" + hashlib.sha256(layer).hexdigest()
def config(i):
    return dump({"architecture": "amd64", "os": "linux", "config": {"Env": ["N=%d" % i]},
                 "rootfs": {"type": "layers", "diff_ids": [ld]}})
seen = {}
i = 0
while True:  # a birthday search over 16 bits: a few hundred tries
    h = hashlib.sha256(config(i)).hexdigest()
    if h[:4] in seen: break
    seen[h[:4]] = i; i += 1
for out, n, tag in ((sys.argv[1], seen[h[:4]], "1"), (sys.argv[2], i, "2")):
    c = config(n)
    blobs = {hashlib.sha256(c).hexdigest(): c, ld[7:]: layer}
    m = dump({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
              "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:" + hashlib.sha256(c).hexdigest(), "size": len(c)},
              "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": ld, "size": len(layer)}]})
    blobs[hashlib.sha256(m).hexdigest()] = m
    idx = dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
               "digest": "sha256:" + hashlib.sha256(m).hexdigest(), "size": len(m),
               "annotations": {"io.containerd.image.name": "amb:" + tag, "org.opencontainers.image.ref.name": tag}}]})
    with tarfile.open(out, "w") as tf:
        add(tf, "oci-layout", dump({"imageLayoutVersion": "1.0.0"})); add(tf, "index.json", idx)
        for d, data in blobs.items(): add(tf, "blobs/sha256/" + d, data)
PY
"$NR" load -i /run/amb1.tar >/dev/null && "$NR" load -i /run/amb2.tar >/dev/null
a1=$("$NR" images -q --no-trunc amb:1); a2=$("$NR" images -q --no-trunc amb:2)
t_eq "(two ids with one 4-digit prefix)" "${a1:7:4}" "${a2:7:4}"
out=$("$NR" rmi "${a1:7:4}" 2>&1); rc=$?
t_eq "rmi of an ambiguous prefix: 125" $rc 125
t_check "... says it is ambiguous" grep -q "multiple IDs found with provided prefix: ${a1:7:4}" <<<"$out"
t_eq "image inspect of it: 125" "$(rc "$NR" image inspect "${a1:7:4}")" 125
t_eq "... both images are still there" "$("$NR" images -q amb | wc -l)" 2
p1=${a1:7:4}; for ((k = 5; k <= 64; k++)); do [ "${a1:7:k}" != "${a2:7:k}" ] && p1=${a1:7:k} && break; done
t_eq "a longer, unique prefix removes one" "$("$NR" rmi "$p1" | tr '\n' ,)" "Untagged: amb:1,Deleted: $a1,"
"$NR" rmi amb:2 >/dev/null

# --- gc ---
mkdir -p "$NETNS_RUN_STATE_DIR/images/tmp/blob-dead.1"
"$NR" gc -q; t_eq "gc: exit 0" $? 0
t_eq "gc: the image store's tmp/ is empty" "$(ls -A "$NETNS_RUN_STATE_DIR/images/tmp" | wc -l)" 0
t_eq "... the images are intact" "$("$NR" run --rm --net=none bb:1 echo ok)" ok

t_eq "nothing is left of the containers" "$(nr_leftovers)" ""
t_done
