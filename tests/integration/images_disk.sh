#!/bin/bash
# Disk (issue 16, "Must show"): two images sharing a base and ten containers of them use
# the base's space once.  The base is busybox and a 24 MB layer of random bytes; images A
# and B add a small layer each, and each comes in its own archive (the base's layers in
# both, as `docker save` writes them).  Measured with du -x on the state dir (the
# containers' merged roots are other mounts, so not counted twice):
#   after both loads: the store's layers are the base's once plus the two small ones;
#   after ten running containers (five of each) that wrote 4 KB each: the state dir grew
#     by their uppers only; every upper is small; the layer directories are not copied.
# Images are written with python3 tarfile (tests/lib/images.sh): no podman needed.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/runtime.sh"
source "$(dirname "$0")/../lib/images.sh"

T=$(mktemp -d /tmp/nr-images-disk.XXXXXX)
cleanup() {
	nr_cleanup
	rm -rf "$T"
}
trap cleanup EXIT

if ! img_busybox_rootfs_tar "$T/rootfs.tar"; then
	t_skip "images disk use" "no static /bin/busybox (busybox-static)"
	t_done
	exit
fi
MB=24
python3 -c 'import os, sys; open(sys.argv[1], "wb").write(os.urandom(int(sys.argv[2]) << 20))' "$T/blob" "$MB"
mkdir -p "$T/l/opt"
cp "$T/blob" "$T/l/opt/base.bin"
tar -C "$T/l" -cf "$T/big.tar" opt
img_layer_tar "$T/a.tar" d:etc f:etc/which=A
img_layer_tar "$T/b.tar" d:etc f:etc/which=B
CFG='{"Cmd":["sh"],"Env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]}'
img_docker_archive "$T/A.tar" localhost/disk-a:1 "$CFG" "$T/rootfs.tar" "$T/big.tar" "$T/a.tar"
img_docker_archive "$T/B.tar" localhost/disk-b:1 "$CFG" "$T/rootfs.tar" "$T/big.tar" "$T/b.tar"

S=$NETNS_RUN_STATE_DIR
kb() { du -sxk "$@" 2>/dev/null | awk '{s += $1} END {print s + 0}'; }
base_kb=$(kb "$T/rootfs.tar" "$T/big.tar")

t_check "load -i A" "$NR" load -i "$T/A.tar"
t_check "load -i B (the same base)" "$NR" load -i "$T/B.tar"
t_eq "images lists both" "$("$NR" images 2>&1 | awk 'NR > 1 {print $1 ":" $2}' | sort | tr '\n' ' ')" \
	"localhost/disk-a:1 localhost/disk-b:1 "
t_eq "four unpacked layers: busybox, the 24 MB one, A's, B's" \
	"$(find "$S/images/layers" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | wc -l)" 4
layers_kb=$(kb "$S/images/layers")
# The base once (about base_kb), not twice; the small layers are a few KB.
t_check "the unpacked layers hold the base once ($layers_kb KB for a base of $base_kb KB)" \
	test "$layers_kb" -gt $((base_kb * 9 / 10)) -a "$layers_kb" -lt $((base_kb * 12 / 10))
# Blobs: each layer's tar is kept once too (save ships them as loaded).
blobs_kb=$(kb "$S/images/blobs")
t_check "... and the blobs hold it once ($blobs_kb KB)" test "$blobs_kb" -gt $((base_kb * 9 / 10)) -a "$blobs_kb" -lt $((base_kb * 12 / 10))
before_kb=$(kb "$S")

for i in 0 1 2 3 4 5 6 7 8 9; do
	img=localhost/disk-a:1
	[ $((i % 2)) = 1 ] && img=localhost/disk-b:1
	"$NR" run -d --name "${P}d$i" --net=none "$img" \
		sh -c "head -c 4096 /dev/urandom >/tmp/mine; cat /etc/which >/tmp/which; exec sleep 1000" >/dev/null 2>&1
done
for ((i = 0; i < 100; i++)); do
	[ "$(ls "$S"/containers/"${P}"d*/upper/tmp/which 2>/dev/null | wc -l)" = 10 ] && break
	sleep 0.1
done
t_eq "ten containers run (five of each image)" "$(ls "$S"/containers/"${P}"d*/upper/tmp/which 2>/dev/null | wc -l)" 10
t_eq "... each sees its image's layer" "$(cat "$S"/containers/"${P}"d*/upper/tmp/which 2>/dev/null | sort | uniq -c | awk '{print $1 $2}' | tr '\n' ' ')" "5A 5B "
after_kb=$(kb "$S")
uppers_kb=0 big="" n=0
for u in "$S"/containers/"${P}"d*/upper/; do
	k=$(kb "$u")
	uppers_kb=$((uppers_kb + k)) n=$((n + 1))
	[ "$k" -lt 256 ] || big="$big $u:${k}KB"
done
t_eq "ten uppers, every one small (< 256 KB)" "$n:$big" "10:"
t_check "the state dir grew by $((after_kb - before_kb)) KB for ten containers (< 10% of the base's $base_kb KB)" \
	test "$before_kb" -gt 0 -a $((after_kb - before_kb)) -lt $((base_kb / 10))
t_eq "the layers are not copied: their size is unchanged" "$(kb "$S/images/layers")" "$layers_kb"
echo "# disk: base $base_kb KB; store layers $layers_kb KB, blobs $blobs_kb KB; state dir $before_kb KB" \
	"-> $after_kb KB with ten containers (uppers $uppers_kb KB)"

# rmi of an image in use is refused; once the containers go, both go and the base with them.
out=$("$NR" rmi localhost/disk-a:1 2>&1)
rc=$?
t_check "rmi of an image a container uses is refused ($(head -n 1 <<<"$out"))" test "$rc" -ne 0
t_check "... naming the container" grep -Eqi 'container|in use' <<<"$out"
for i in 0 1 2 3 4 5 6 7 8 9; do "$NR" rm -f "${P}d$i" >/dev/null 2>&1; done
t_check "rmi of both once no container uses them" "$NR" rmi localhost/disk-a:1 localhost/disk-b:1
t_eq "... no layer left" "$(ls -A "$S/images/layers" 2>/dev/null)" ""
t_eq "... no blob left" "$(find "$S/images/blobs" -type f 2>/dev/null)" ""
t_eq "no container left" "$(nr_leftovers)" ""
t_done
