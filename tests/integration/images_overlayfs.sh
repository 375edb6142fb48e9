#!/bin/bash
# Images with the state dir on overlayfs (netns-run inside a container, issue 16 "Works on
# ext4/xfs; on overlayfs state dirs ..."): overlayfs cannot hold a layer's whiteouts (it
# refuses mknod 0/0 and its own xattrs on its files), so a layer that has them is refused
# with a message saying what to do, nothing kept; layers without them load and run.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/runtime.sh"
source "$(dirname "$0")/../lib/images.sh"

T=$(mktemp -d /tmp/nr-images-ovl.XXXXXX)
cleanup() {
	nr_cleanup
	umount /run/ovl/m 2>/dev/null
	umount /run/ovl 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
if ! img_busybox_rootfs_tar "$T/rootfs.tar"; then
	t_skip "images on overlayfs" "no static /bin/busybox (busybox-static)"
	t_done
	exit
fi
mkdir -p /run/ovl && mount -t tmpfs tmpfs /run/ovl && mkdir -p /run/ovl/{l,u,w,m} &&
	mount -t overlay overlay -o lowerdir=/run/ovl/l,upperdir=/run/ovl/u,workdir=/run/ovl/w /run/ovl/m
t_eq "an overlayfs for the state dir" "$(stat -f -c %T /run/ovl/m)" overlayfs
export NETNS_RUN_STATE_DIR=/run/ovl/m/state

img_layer_tar "$T/l2.tar" d:etc f:etc/gone=gone
img_layer_tar "$T/l3.tar" d:etc w:etc/gone
cfg='{"Cmd":["sh"],"Env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]}'
img_docker_archive "$T/plain.tar" localhost/plain:1 "$cfg" "$T/rootfs.tar" "$T/l2.tar"
img_docker_archive "$T/wh.tar" localhost/wh:1 "$cfg" "$T/rootfs.tar" "$T/l2.tar" "$T/l3.tar"

out=$("$NR" load -i "$T/plain.tar" 2>&1)
t_eq "layers without whiteouts load there" "$out" "Loaded image: localhost/plain:1"
t_eq "... and run" "$("$NR" run --rm --net=none localhost/plain:1 cat /etc/gone)" gone
out=$("$NR" load -i "$T/wh.tar" 2>&1)
t_eq "a layer with a whiteout: refused (125)" $? 125
t_check "... saying the store is on overlayfs and what to do" grep -q "on overlayfs.*NETNS_RUN_STATE_DIR" <<<"$out"
t_eq "... and nothing of it kept" "$("$NR" images -q | wc -l)" 1
"$NR" gc >/dev/null 2>&1
t_eq "... nor in tmp/ after gc" "$(find "$NETNS_RUN_STATE_DIR/images/tmp" -mindepth 1 -not -name '.new-*' 2>/dev/null | wc -l)" 0
"$NR" rmi localhost/plain:1 >/dev/null
t_eq "nothing left" "$(ls "$NETNS_RUN_STATE_DIR/images/layers" | wc -l)$(nr_leftovers)" 0
t_done
