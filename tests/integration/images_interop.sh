#!/bin/bash
# Images with a real client (issue 16, "Interop and tests"): podman 4.3 (Debian), offline,
# in this script's own network, mount and pid namespaces, with a private storage under the
# test's temp dir (tests/lib/images.sh).  Round trips:
#   podman save (docker-archive, oci-archive) -> our load -> our run: the expected output;
#   our import of the rootfs tar podman imported: the same layer (diff id);
#   our save (docker, oci) -> podman load -> podman run: the same output as ours;
#   our commit (a file added, one deleted, a directory replaced) -> our save -> podman load
#     -> podman run sees the added file, not the deleted one, only the new directory's content;
#     and, as Docker, neither diff nor the layer holds the runtime's /etc/hostname, hosts,
#     resolv.conf; a running container commits too and keeps running;
#   save --since BASE -> load where BASE is present works, where it is absent is refused
#     with a message naming what is missing, and nothing is left in the store;
#   a podman-built image whose later layer deletes a file (.wh.NAME) and replaces a
#     directory (.wh..wh..opq) runs with the file gone and only the new content; its
#     unpacked layer holds a char 0/0 device and an opaque directory (overlay's form).
# `docker load` is not checked: the docker CLI (/usr/local/bin/docker) needs a daemon,
# and none runs here (no dockerd, no socket); podman stands for the Docker clients.
source "$(dirname "$0")/../lib/sandbox_pid.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/runtime.sh"
source "$(dirname "$0")/../lib/images.sh"

T=$(mktemp -d /tmp/nr-images-interop.XXXXXX)
cleanup() {
	nr_cleanup
	img_podman_reset
	sandbox_kill_all
	grep -o " $T/[^ ]*" /proc/self/mountinfo | sort -r | while read -r m; do umount -l "$m"; done
	rm -rf "$T"
}
trap cleanup EXIT

if ! command -v podman >/dev/null || ! command -v runc >/dev/null || ! command -v conmon >/dev/null; then
	t_skip "images interop with podman" "podman, runc or conmon missing (make deps-test: TEST_DEBS)"
	t_done
	exit
fi
# The overlay driver (podman's own on a real host) is the one whose build writes opaque
# directories as ".wh..wh..opq"; vfs where overlay cannot mount here.
img_podman_setup "$T/pm" overlay && pm info >/dev/null 2>&1 || {
	rm -rf "$T/pm"
	img_podman_setup "$T/pm" vfs
}
if ! img_build_base "$T"; then
	t_skip "images interop with podman" "cannot build the offline busybox image (busybox-static, podman import)"
	t_done
	exit
fi
t_ok "podman imports the offline busybox rootfs and saves it (docker-archive, oci-archive)"
img_build_whiteout "$T" && t_ok "the multi-layer whiteout image is made by $IMG_WHITEOUT_BY" ||
	t_fail "the multi-layer whiteout image"

# The command both sides run, and what it prints on the busybox image.
CMD='echo "$PATH"; cat /etc/passwd | head -n 1; ls /bin/busybox; id -u'
WANT=$(printf '%s\n' /usr/sbin:/usr/bin:/sbin:/bin root:x:0:0:root:/root:/bin/sh /bin/busybox 0)
nrun() { "$NR" run --rm --net=none "$@"; }
prun() { pm run --rm --pull never --network none "$@"; }
loaded() { sed -n 's/^Loaded image: //p' <<<"$1" | head -n 1; }

# 1. podman save -> our load -> our run.
out=$("$NR" load -i "$T/bb-docker.tar" 2>&1)
t_eq "load -i of podman's docker-archive" "$(loaded "$out")" localhost/bb:1
t_eq "... run --rm localhost/bb:1 sh -c CMD" "$(nrun localhost/bb:1 sh -c "$CMD" 2>&1)" "$WANT"
t_eq "... by its short id too" "$(nrun "$(pm images -q localhost/bb:1 | head -c 12)" sh -c "$CMD" 2>&1)" "$WANT"
"$NR" rmi localhost/bb:1 >/dev/null 2>&1
t_eq "rmi: the image is gone" "$("$NR" images -q 2>&1)" ""
out=$("$NR" load <"$T/bb-oci.tar" 2>&1)
ref=$(loaded "$out")
t_check "load (stdin) of podman's oci-archive (gzip layers) names it: $ref" test -n "$ref"
t_eq "... and it runs alike" "$(nrun "${ref:-none}" sh -c "$CMD" 2>&1)" "$WANT"
[ "$ref" = localhost/bb:1 ] || "$NR" tag "${ref:-none}" localhost/bb:1 >/dev/null 2>&1

# import of the same rootfs tar: the same layer as podman import made (its diff id), and it runs.
t_check "import rootfs.tar localhost/bbi:1" "$NR" import "$T/rootfs.tar" localhost/bbi:1
t_eq "... the same layer (diff id) as podman import's" \
	"$("$NR" image inspect localhost/bbi:1 2>/dev/null | jq -r '.[0].RootFS.Layers[0]')" \
	"$(pm image inspect localhost/bb:1 2>/dev/null | jq -r '.[0].RootFS.Layers[0]')"
t_eq "... and runs" "$(nrun localhost/bbi:1 sh -c "$CMD" 2>&1 | sed -n 2,3p)" "$(sed -n 2,3p <<<"$WANT")"
"$NR" rmi localhost/bbi:1 >/dev/null 2>&1

# 2. our save -> podman load -> podman run: the same output.
pm rmi -a -f >/dev/null 2>&1
for fmt in docker oci; do
	f=$T/ours-$fmt.tar
	t_check "save --format $fmt -o FILE localhost/bb:1" "$NR" save --format "$fmt" -o "$f" localhost/bb:1
	out=$(pm load -i "$f" 2>&1)
	t_eq "... podman load takes it" "$?" 0
	pref=$(loaded "$out")
	pref=${pref##*,}
	t_eq "... podman run $pref prints what ours does" "$(prun "${pref:-none}" sh -c "$CMD" 2>&1)" "$WANT"
	pm rmi -a -f >/dev/null 2>&1
done

# 3. our commit -> our save -> podman load: the committed file there, the deleted one and
#    the replaced directory's old content gone (our layer_pack writes both whiteout kinds).
"$NR" run --name "${P}c1" --net=none localhost/bb:1 sh -c \
	'echo committed >/etc/new; rm /etc/group; rm -rf /usr/sbin; mkdir /usr/sbin; echo n >/usr/sbin/x' >/dev/null 2>&1
diffs=$("$NR" diff "${P}c1" 2>&1)
t_check "diff: A /etc/new" grep -qx 'A /etc/new' <<<"$diffs"
t_check "diff: D /etc/group" grep -qx 'D /etc/group' <<<"$diffs"
t_check "diff: C /etc" grep -qx 'C /etc' <<<"$diffs"
# The runtime's own /etc/hostname, hosts and resolv.conf are not the container's changes:
# Docker bind-mounts them, and neither lists them in diff nor puts them in a commit.
t_eq "diff leaves out the runtime's /etc/hostname, /etc/hosts, /etc/resolv.conf (as Docker)" \
	"$(grep -E '^A /etc/(hostname|hosts|resolv.conf)$' <<<"$diffs" | tr '\n' ' ')" ""
t_check "commit -m of a stopped container" "$NR" commit -m "interop test" "${P}c1" localhost/bbc:1
CHK='cat /etc/new; test -e /etc/group || echo no-group; ls /usr/sbin; cat /etc/passwd | head -n 1'
WANTC=$(printf '%s\n' committed no-group x root:x:0:0:root:/root:/bin/sh)
t_eq "... our run of the commit" "$(nrun localhost/bbc:1 sh -c "$CHK" 2>&1)" "$WANTC"
t_check "... history lists the commit's message" grep -q "interop test" <<<"$("$NR" history localhost/bbc:1 2>&1)"
t_check "save -o FILE localhost/bbc:1" "$NR" save -o "$T/bbc.tar" localhost/bbc:1
top=$("$NR" image inspect localhost/bbc:1 2>/dev/null | jq -r '.[0].RootFS.Layers[-1] // empty' | sed 's/^sha256://')
t_eq "... the committed layer holds none of the runtime's /etc files" "$(tar -xOf "$T/bbc.tar" "blobs/sha256/$top" 2>/dev/null |
	tar -t 2>/dev/null | grep -E '^etc/(hostname|hosts|resolv.conf)$' | tr '\n' ' ')" ""
t_check "... podman load takes it" pm load -q -i "$T/bbc.tar"
t_eq "... podman run sees the committed file, not the deleted one, the new /usr/sbin only" \
	"$(prun localhost/bbc:1 sh -c "$CHK" 2>&1)" "$WANTC"
pm rmi -a -f >/dev/null 2>&1

# A running container: committed while it runs (frozen while its layer is read), still
# running after.
"$NR" run -d --name "${P}c2" --net=none localhost/bb:1 sh -c 'echo live >/live; exec sleep 1000' >/dev/null 2>&1
for ((i = 0; i < 50; i++)); do [ -e "$NETNS_RUN_STATE_DIR/containers/${P}c2/upper/live" ] && break; sleep 0.1; done
t_check "commit -c 'CMD [\"cat\",\"/live\"]' of a running container" \
	"$NR" commit -c 'CMD ["cat","/live"]' "${P}c2" localhost/bblive:1
t_eq "... it still runs" "$(state .status "${P}c2" 2>&1)" running
t_eq "... the new image's Cmd prints the file" "$(nrun localhost/bblive:1 2>&1)" live
"$NR" rm -f "${P}c1" "${P}c2" >/dev/null 2>&1

# 4. save --since BASE: only the layers BASE lacks.
t_check "save --since localhost/bb:1 -o FILE localhost/bbc:1" \
	"$NR" save --since localhost/bb:1 -o "$T/since.tar" localhost/bbc:1
full=$(stat -c %s "$T/bbc.tar" 2>/dev/null || echo 0) part=$(stat -c %s "$T/since.tar" 2>/dev/null || echo 0)
t_check "... it is the commit's layer only ($part bytes; the full image $full)" test "$part" -gt 0 -a $((part * 10)) -lt "$full"
base_layer=$("$NR" image inspect localhost/bb:1 2>/dev/null | jq -r '.[0].RootFS.Layers[0] // empty' | sed 's/^sha256://')
t_check "... the base's layer (${base_layer:0:12}) is not in it" \
	test -n "$base_layer" -a -z "$(tar -tf "$T/since.tar" 2>/dev/null | grep -F "$base_layer")"
B=$T/s-with-base
NETNS_RUN_STATE_DIR=$B "$NR" load -i "$T/bb-docker.tar" >/dev/null 2>&1
out=$(NETNS_RUN_STATE_DIR=$B "$NR" load -i "$T/since.tar" 2>&1)
t_eq "load where the base is present" "$(loaded "$out")" localhost/bbc:1
t_eq "... runs as the full image does" "$(NETNS_RUN_STATE_DIR=$B nrun localhost/bbc:1 sh -c "$CHK" 2>&1)" "$WANTC"
S=$T/s-without-base
out=$(NETNS_RUN_STATE_DIR=$S "$NR" load -i "$T/since.tar" 2>&1)
rc=$?
t_check "load where the base is absent is refused (exit $rc)" test "$rc" -ne 0
t_check "... naming the base and what is missing: $(head -n 1 <<<"$out")" \
	bash -c 'grep -q localhost/bb:1 <<<"$1" && grep -Eqi "missing|not in|not (present|found)|absent|lacks" <<<"$1"' _ "$out"
t_eq "... no image in that store" "$(NETNS_RUN_STATE_DIR=$S "$NR" images -q 2>&1)" ""
left=$({
	find "$S/images/blobs" "$S/images/images" -type f
	find "$S/images/layers" "$S/images/tmp" -mindepth 1 -maxdepth 1
} 2>/dev/null)
t_eq "... no blob, layer, record or partial file left" "$left" ""

# 5. The whiteout image: the deleted file gone, the replaced directory holding only new content.
out=$("$NR" load -i "$T/bbw-docker.tar" 2>&1)
t_eq "load -i of the multi-layer whiteout image" "$(loaded "$out")" localhost/bbw:1
WCHK='test -e /etc/gone || echo no-gone; cat /etc/keep; ls -A /data; test -e /data/sub || echo no-sub'
WANTW=$(printf '%s\n' no-gone keep b no-sub)
t_eq "... runs with /etc/gone gone and /data holding only b" "$(nrun localhost/bbw:1 sh -c "$WCHK" 2>&1)" "$WANTW"
L=$NETNS_RUN_STATE_DIR/images/layers
t_check "... its unpacked layer has /etc/gone as a char 0/0 (overlay whiteout)" \
	test -n "$(find "$L" -path '*/diff/etc/gone' -type c -exec stat -c '%t:%T' {} + 2>/dev/null | grep -x 0:0)"
opq=$(python3 -c 'import glob, os, sys
for d in glob.glob(sys.argv[1] + "/*/diff/data"):
    for x in ("trusted.overlay.opaque", "user.overlay.opaque"):
        try:
            if os.getxattr(d, x) == b"y": print(x)
        except OSError: pass' "$L" | sort -u | tr '\n' ' ')
t_check "... and /data marked opaque ($opq)" grep -q 'overlay.opaque' <<<"$opq"
t_check "save localhost/bbw:1 -> podman load" bash -c "'$NR' save -o '$T/bbw-ours.tar' localhost/bbw:1 && podman load -q -i '$T/bbw-ours.tar'"
t_eq "... podman run agrees" "$(prun localhost/bbw:1 sh -c "$WCHK" 2>&1)" "$WANTW"

t_skip "docker load of our save" "the docker CLI needs a daemon and none runs here; podman stands for Docker's clients"

# 6. Nothing left: no container, no mount under the store or the temp dir.
t_eq "no container left" "$(ls "$NETNS_RUN_STATE_DIR/containers" 2>/dev/null)" ""
img_podman_reset
t_eq "no mount left under the temp dir or the state dir" \
	"$(grep -e " $T/" -e " $NETNS_RUN_STATE_DIR/" /proc/self/mountinfo)" ""
t_done
