#!/bin/bash
# netns-run run IMAGE: the argument rule (which word is an image), the image's layers as the
# overlay's lowers (shared, never written, up to many), its config applied by Docker's rules
# (Entrypoint, Cmd, Env, WorkingDir, User, ExposedPorts with -P), --userns on image layers,
# ps and the record.  Images are built offline (busybox-static, python3) as OCI archives and
# loaded into a private store (the sandbox's /run/netns-run).
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/runtime.sh"

if [ ! -x /bin/busybox ] || ldd /bin/busybox >/dev/null 2>&1; then
	t_skip "images_run" "needs busybox-static (/bin/busybox)"
	t_done
	exit
fi
if ! "$NR" load --help >/dev/null 2>&1; then
	t_skip "images_run" "this build has no load verb"
	t_done
	exit
fi

W=$(mktemp -d /run/images-run.XXXX)
run() { "$NR" run --rm --net=none "$@"; }

# mkimage OUT NAME CONFIG_JSON N_EXTRA_LAYERS [www]: an OCI archive of busybox (with a user
# app 1000:1000) plus N extra layers (each adds /layers/lNN and rewrites /layers/top), and
# with "www" a layer holding /www/index.html.
mkimage() {
	python3 - "$@" <<'PY'
import hashlib, io, json, subprocess, sys, tarfile

out, name, config, n_extra = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), int(sys.argv[4])
www = len(sys.argv) > 5 and sys.argv[5] == "www"
applets = subprocess.run(["/bin/busybox", "--list-full"], check=True, capture_output=True, text=True).stdout.split()

def entry(tf, path, kind, mode=0o755, data=b"", target=""):
    ti = tarfile.TarInfo(path)
    ti.type, ti.mode, ti.mtime = kind, mode, 0
    if kind == tarfile.SYMTYPE:
        ti.linkname = target
    ti.size = len(data) if kind == tarfile.REGTYPE else 0
    tf.addfile(ti, io.BytesIO(data) if kind == tarfile.REGTYPE else None)

def layer(fill):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=tarfile.PAX_FORMAT) as tf:
        fill(tf)
    return b.getvalue()

def base(tf):
    for d in ("bin", "sbin", "usr", "usr/bin", "usr/sbin", "etc", "proc", "sys", "dev", "root", "home", "home/app"):
        entry(tf, d, tarfile.DIRTYPE)
    entry(tf, "tmp", tarfile.DIRTYPE, 0o1777)
    with open("/bin/busybox", "rb") as f:
        entry(tf, "bin/busybox", tarfile.REGTYPE, 0o755, f.read())
    for a in sorted(set(applets)):
        if a != "bin/busybox":
            entry(tf, a, tarfile.SYMTYPE, target="/bin/busybox")
    entry(tf, "etc/passwd", tarfile.REGTYPE, 0o644,
          b"root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n")
    entry(tf, "etc/group", tarfile.REGTYPE, 0o644, b"root:x:0:\napp:x:1000:\n")

layers = [layer(base)]
for i in range(n_extra):
    def extra(tf, i=i):
        if i == 0:
            entry(tf, "layers", tarfile.DIRTYPE)
        entry(tf, "layers/l%02d" % i, tarfile.REGTYPE, 0o644, b"%d\n" % i)
        entry(tf, "layers/top", tarfile.REGTYPE, 0o644, b"%d\n" % i)
    layers.append(layer(extra))
if www:
    def site(tf):
        entry(tf, "www", tarfile.DIRTYPE)
        entry(tf, "www/index.html", tarfile.REGTYPE, 0o644, b"hello-from-image\n")
    layers.append(layer(site))

blobs = {}
def blob(data, media):
    d = hashlib.sha256(data).hexdigest()
    blobs[d] = data
    return {"mediaType": media, "digest": "sha256:" + d, "size": len(data)}

dump = lambda o: json.dumps(o, sort_keys=True, separators=(",", ":")).encode()
ldescs = [blob(l, "application/vnd.oci.image.layer.v1.tar") for l in layers]
cfg = {"architecture": "amd64", "os": "linux", "created": "2026-01-01T00:00:00Z", "config": config,
       "rootfs": {"type": "layers", "diff_ids": [d["digest"] for d in ldescs]}}
manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": blob(dump(cfg), "application/vnd.oci.image.config.v1+json"), "layers": ldescs}
mdesc = blob(dump(manifest), "application/vnd.oci.image.manifest.v1+json")
mdesc["annotations"] = {"io.containerd.image.name": name,
                        "org.opencontainers.image.ref.name": name.rsplit(":", 1)[1]}
index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [mdesc]}
with tarfile.open(out, "w") as tf:
    entry(tf, "oci-layout", tarfile.REGTYPE, 0o644, dump({"imageLayoutVersion": "1.0.0"}))
    entry(tf, "index.json", tarfile.REGTYPE, 0o644, dump(index))
    entry(tf, "blobs", tarfile.DIRTYPE)
    entry(tf, "blobs/sha256", tarfile.DIRTYPE)
    for d, data in blobs.items():
        entry(tf, "blobs/sha256/" + d, tarfile.REGTYPE, 0o644, data)
PY
}

# --- Before any image: every use from before images, and no store made just to look.
run -- true; t_eq "run -- true: the host's root" $? 0
run true; t_eq "run true (no such image): the host's root" $? 0
out=$(run no-such-command-here 2>&1); rc=$?
t_eq "run no-such-command-here: 127, as before" $rc 127
t_check "a plain run does not create the image store" test ! -e "$NETNS_RUN_STATE_DIR/images"
out=$(run nosuch:1 true 2>&1); rc=$?
t_eq "run nosuch:1: 125" $rc 125
t_check "... Unable to find image 'nosuch:1' locally" grep -q "Unable to find image 'nosuch:1' locally" <<<"$out"
t_check "... and says netns-run does not pull" grep -q "does not pull from registries: use netns-run load" <<<"$out"
t_check "... still no store made" test ! -e "$NETNS_RUN_STATE_DIR/images"

# --- Images.
env_cfg='{"Env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin:/img","FOO=image","BAR=image"],"Cmd":["echo","default-cmd"],"WorkingDir":"/srv/app"}'
mkimage "$W/nrt.tar" "nrt:1" "$env_cfg" 0 &&
	mkimage "$W/ep.tar" "nrt-ep:1" '{"Entrypoint":["echo","ep"],"Cmd":["c1"],"User":"1000:1000"}' 0 &&
	mkimage "$W/web.tar" "nrt-web:1" '{"ExposedPorts":{"80/tcp":{}},"Cmd":["httpd","-f","-p","80","-h","/www"]}' 0 www &&
	mkimage "$W/many.tar" "nrt-many:1" '{"Cmd":["cat","/layers/top"]}' 126 &&
	mkimage "$W/toomany.tar" "nrt-toomany:1" '{"Cmd":["true"]}' 128 &&
	mkimage "$W/bare.tar" "nrtbare:latest" '{"Cmd":["sh"]}' 0 &&
	mkimage "$W/race.tar" "nrt-race:1" '{"Cmd":["sleep","30"]}' 1
t_eq "test images built (python3, busybox-static)" $? 0
for i in nrt ep web many toomany bare; do
	out=$("$NR" load -i "$W/$i.tar" 2>&1) || t_fail "load $i.tar" "$out"
done
t_check "load: nrt:1 is in the store" sh -c "'$NR' images | grep -q '^nrt '"

t_eq "IMAGE runs its Cmd" "$(run nrt:1)" default-cmd
t_eq "COMMAND replaces Cmd" "$(run nrt:1 echo mine)" mine
t_eq "run's shorthand (netns-run OPTION... IMAGE) too" "$("$NR" --rm --net=none nrt:1 echo short)" short
t_eq "the root is the image's (busybox), not the host's" "$(run nrt:1 sh -c 'test -e /etc/debian_version && echo host || echo image')" image
t_eq "Env from the image (its PATH wins)" "$(run nrt:1 sh -c 'echo $FOO $BAR $PATH')" "image image /usr/sbin:/usr/bin:/sbin:/bin:/img"
t_eq "-e overrides the image's Env by key" "$(run -e BAR=mine -e NEW=1 nrt:1 sh -c 'echo $FOO $BAR $NEW')" "image mine 1"
t_eq "HOSTNAME and HOME as without an image" "$(run --hostname hh nrt:1 sh -c 'echo $HOSTNAME $HOME')" "hh /root"
t_eq "WorkingDir (created when missing)" "$(run nrt:1 pwd)" /srv/app
t_eq "-w overrides WorkingDir" "$(run -w /tmp nrt:1 pwd)" /tmp
t_eq "a bare word naming no image is the host's command (nrt = nrt:latest, not loaded)" "$(run nrt 2>/dev/null; echo $?)" 127
t_eq "a bare word naming a loaded image runs it" "$(run nrtbare echo ok)" ok

t_eq "Entrypoint + Cmd" "$(run nrt-ep:1)" "ep c1"
t_eq "Entrypoint + COMMAND" "$(run nrt-ep:1 x y)" "ep x y"
t_eq "--entrypoint drops the image's Cmd" "$(run --entrypoint echo nrt-ep:1)" ""
t_eq "--entrypoint with COMMAND" "$(run --entrypoint echo nrt-ep:1 hi)" hi
t_eq "--entrypoint \"\" clears Entrypoint" "$(run --entrypoint '' nrt-ep:1 echo z)" z
out=$(run --entrypoint '' nrt-ep:1 2>&1); rc=$?
t_eq "nothing to run: 125" $rc 125
t_check "... no command specified" grep -q "no command specified" <<<"$out"
t_eq "User from the image" "$(run --entrypoint id nrt-ep:1 -u)" 1000
t_eq "-u overrides User" "$(run -u 0 --entrypoint id nrt-ep:1 -u)" 0

out=$(run --rootfs / nrt:1 true 2>&1); rc=$?
t_eq "--rootfs with an image: 125" $rc 125
t_check "... says why" grep -q -- "--rootfs cannot be used with an image" <<<"$out"
t_eq "run -- nrt:1: no image, the word is the command (127)" "$(run -- nrt:1 2>/dev/null; echo $?)" 127
t_eq "an image with 127 layers runs (fsconfig lowerdir+), top layer wins" "$(run nrt-many:1)" 125
t_eq "... every layer is there" "$(run nrt-many:1 sh -c 'ls /layers | wc -l')" 127
out=$(run nrt-toomany:1 2>&1); rc=$?
t_eq "an image with 129 layers: 125" $rc 125
t_check "... says how many netns-run runs" grep -q "has 129 layers; netns-run runs at most 128" <<<"$out"

# --- Layers are shared and never written.
layers="$NETNS_RUN_STATE_DIR/images/layers"
before=$(find "$layers" -printf '%p %s %m %u %T@\n' | sort | sha256sum)
run nrt:1 sh -c 'echo x > /bin/new; echo y >> /etc/passwd; rm /bin/ls; mkdir -p /srv/app/d' >/dev/null
t_eq "a container's writes leave the layer dirs untouched" "$(find "$layers" -printf '%p %s %m %u %T@\n' | sort | sha256sum)" "$before"
"$NR" run -d --net=none --name "$P-a" nrt:1 sleep 60 >/dev/null
"$NR" run -d --net=none --name "$P-b" nrt:1 sleep 60 >/dev/null
pa=$(state .pid "$P-a") pb=$(state .pid "$P-b")
lower_a=$(grep -o 'lowerdir[^,]*' /proc/$pa/mountinfo | head -1)
lower_b=$(grep -o 'lowerdir[^,]*' /proc/$pb/mountinfo | head -1)
t_check "two containers of one image mount the same layer dirs" sh -c "[ -n '$lower_a' ] && [ '$lower_a' = '$lower_b' ] && echo '$lower_a' | grep -q '$layers/'"
host_ino=$(stat -c %i "$(echo "$lower_a" | sed 's/^lowerdir=//; s/:.*//')/bin/busybox")
t_eq "... the same file (inode) in both" "$(stat -c %i /proc/$pa/root/bin/busybox) $(stat -c %i /proc/$pb/root/bin/busybox)" "$host_ino $host_ino"
img_id=$(state .image "$P-a")
t_eq "the record has the image's id" "$img_id" "$(state .image "$P-b")"
t_check "... a sha256 id" grep -qE '^sha256:[0-9a-f]{64}$' <<<"$img_id"
t_eq "a short id runs the image" "$(run "${img_id:7:12}" echo by-id)" by-id
t_eq "... and the reference as given" "$(state .image_ref "$P-a")" "nrt:1"
t_check "ps shows the image" sh -c "'$NR' ps | awk '\$1 == \"$P-a\"' | grep -q ' nrt:1 '"
"$NR" run -d --net=none --name "$P-h" -- sleep 60 >/dev/null
t_check "ps shows - for the host's root" sh -c "'$NR' ps | awk '\$1 == \"$P-h\" && \$3 == \"-\"' | grep -q ."
t_eq "inspect shows image_ref" "$("$NR" inspect "$P-a" | jq -r .image_ref)" "nrt:1"
out=$("$NR" rmi "$img_id" 2>&1); rc=$?
t_eq "rmi of an image a container uses is refused (the record pins it): 125" $rc 125
t_check "... being used by the container" grep -q "being used" <<<"$out"
"$NR" rm -f "$P-a" "$P-b" "$P-h" >/dev/null

# --- run against rmi, at the same time: a container record never names an image (or a
# layer) that is gone.  Either the run wins (its record pins the image, rmi is refused) or
# rmi wins (the run fails at its pin, 125, nothing left) -- never a container on removed layers.
bad=0 runs_won=0 rmis_won=0
for i in 1 2 3 4 5 6 7 8; do
	"$NR" load -i "$W/race.tar" >/dev/null
	"$NR" run -d --net=none --name "$P-r$i" nrt-race:1 >/dev/null 2>&1 &
	rp=$!
	"$NR" rmi nrt-race:1 >/dev/null 2>&1 &
	mp=$!
	wait $rp; rrc=$?
	wait $mp; mrc=$?
	if [ -e "$NETNS_RUN_STATE_DIR/containers/$P-r$i/state.json" ]; then
		id=$(state .image "$P-r$i")
		[ -e "$NETNS_RUN_STATE_DIR/images/images/${id#sha256:}.json" ] || bad=$((bad + 1))
		pid=$(state .pid "$P-r$i")
		[ "$mrc" != 0 ] || bad=$((bad + 1))
		grep -o 'lowerdir[^,]*' /proc/$pid/mountinfo 2>/dev/null | head -1 | sed 's/^lowerdir=//' | tr ':' '\n' |
			while read -r d; do [ -d "$d" ] || echo gone; done | grep -q gone && bad=$((bad + 1))
		runs_won=$((runs_won + 1))
		"$NR" rm -f "$P-r$i" >/dev/null
	else
		[ "$rrc" != 0 ] || bad=$((bad + 1))
		rmis_won=$((rmis_won + 1))
	fi
	"$NR" rmi nrt-race:1 >/dev/null 2>&1
done
t_eq "run and rmi at once: never a container on a removed image ($runs_won runs won, $rmis_won rmis won)" $bad 0

# --- --userns on image layers (idmapped clones of each layer).
B=$((400000 + ($$ % 1000) * 65536))
t_eq "--userns: root inside an image" "$(run --userns $B nrt:1 id -u)" 0
t_eq "... the image's files keep their owners (idmapped layers)" "$(run --userns $B nrt:1 stat -c %u:%g /bin/busybox)" "0:0"
t_eq "... writes work" "$(run --userns $B nrt:1 sh -c 'echo w > /etc/w && cat /etc/w')" w
t_eq "... with 127 layers (127 idmapped clones, fsconfig)" "$(run --userns $B nrt-many:1)" 125
# A store made before any container (load first, into a fresh state dir): the state dir
# must stay traversable for the user namespace's root, which attaches the layers under it.
fresh=/run/nr-fresh-state
NETNS_RUN_STATE_DIR=$fresh "$NR" load -i "$W/nrt.tar" >/dev/null
t_eq "--userns on an image loaded into a fresh state dir" \
	"$(NETNS_RUN_STATE_DIR=$fresh "$NR" run --rm --net=none --userns $B nrt:1 id -u 2>&1)" 0
rm -rf "$fresh"

# --- -P: the exposed port on a free host port, reachable from the host.
if [ -x "$CNI_BIN/portmap" ]; then
	ip link add up0 type veth peer name up1 && ip addr add 192.0.2.1/24 dev up0 && ip link set up0 up && ip link set up1 up
	"$NR" run -d -P --name "$P-web" nrt-web:1 >/dev/null
	port=$(state '.capability_args.portMappings[] | select(.containerPort == 80) | .hostPort' "$P-web")
	t_check "-P maps the exposed 80/tcp to a host port" sh -c "[ '${port:-0}' -gt 0 ]"
	got=$(python3 - "$port" <<'PY'
import socket, sys, time
for _ in range(50):
    try:
        s = socket.create_connection(("192.0.2.1", int(sys.argv[1])), timeout=2)
        s.sendall(b"GET /index.html HTTP/1.0\r\n\r\n")
        data = b""
        while True:
            d = s.recv(4096)
            if not d:
                break
            data += d
        print(data.decode().split("\r\n\r\n", 1)[-1].strip())
        break
    except OSError:
        time.sleep(0.1)
PY
)
	t_eq "... and busybox httpd answers on it from the host" "$got" hello-from-image
	"$NR" rm -f "$P-web" >/dev/null
	ip link del up0
else
	t_skip "-P reaches the container" "no portmap plugin in $CNI_BIN"
fi
t_eq "-P without exposed ports: nothing published" "$(run -P nrt:1 true; echo $?)" 0

rm -rf "$W"
t_eq "nothing left" "$(nr_leftovers)" ""
t_done
