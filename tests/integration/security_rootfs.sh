#!/bin/bash
# The default root (the host's / as the lower layer) and the host's secrets: shadow files,
# SSH private host keys, /root, /home and the state of netns-run and CNI are masked, with
# --userns too; -v brings a path back on purpose (docs/security.md, "Host secrets").
# And a state dir on overlayfs (netns-run inside another container): the writable layer
# goes to a tmpfs, which rm and gc remove (docs/runtime.md).
#
# The host's real /etc/shadow and /root are read as they are.  What the machine may not
# have (SSH host keys, a user under /home, an old state dir) is made in a fake host root:
# an overlay of / with the fakes in its upper layer (on this sandbox's tmpfs), which a
# private mount namespace pivots into, so the container's lower layer, "/", shows them.
# (An overlay cannot be idmapped, so --userns runs on the real root only.)
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/runtime.sh"

B=$((400000 + ($$ % 1000) * 65536)) # a --userns range of its own per run
run() { "$NR" run --rm --net=none "$@"; }
VOL=/run/nr-vol # the sandbox's tmpfs
mkdir -p $VOL && echo from-volume >$VOL/f

# --- the real root ---------------------------------------------------------------------
for mode in default userns; do
	args=()
	[ $mode = userns ] && args=(--userns $B)
	if [ -s /etc/shadow ]; then
		t_eq "$mode: /etc/shadow reads empty" "$(run "${args[@]}" sh -c 'cat /etc/shadow 2>/dev/null | wc -c')" 0
		t_eq "$mode: /etc/gshadow reads empty" \
			"$(run "${args[@]}" sh -c 'cat /etc/gshadow 2>/dev/null | wc -c')" 0
	else
		t_skip "$mode: /etc/shadow reads empty" "the machine has no /etc/shadow"
	fi
	if [ -n "$(ls -A /root)" ]; then
		t_eq "$mode: /root is empty" "$(run "${args[@]}" ls -A /root)" ""
	else
		t_skip "$mode: /root is empty" "the machine's /root is empty"
	fi
	key=$(ls /etc/ssh/ssh_host_*_key 2>/dev/null | head -n 1)
	if [ -n "$key" ]; then
		t_eq "$mode: $key reads empty" "$(run "${args[@]}" sh -c "cat $key 2>/dev/null | wc -c")" 0
	else
		t_skip "$mode: the machine's SSH host key reads empty" "none here (the fake root below has one)"
	fi
	t_check "$mode: a masked directory is read-only" \
		sh -c "! '$NR' run --rm --net=none ${args[*]} touch /etc/ssl/private/x 2>/dev/null"
	t_eq "$mode: /root is an empty writable home" \
		"$(run "${args[@]}" sh -c 'echo x >/root/.nr-probe && cat /root/.nr-probe')" x
	t_check "$mode: ... whose writes stay in the container" test ! -e /root/.nr-probe
done
t_eq "-v DIR:/root brings /root back" "$(run -v $VOL:/root cat /root/f)" from-volume
t_eq "--userns -v DIR:/root too" "$(run --userns $B -v $VOL:/root cat /root/f)" from-volume
if [ -n "$(ls -A /root)" ]; then
	t_eq "-v DIR:/root/data: the volume, and nothing else of /root" \
		"$(run -v $VOL:/root/data sh -c 'ls -A /root; cat /root/data/f')" "data
from-volume"
	t_check "... and /root stays writable" sh -c "'$NR' run --rm --net=none -v $VOL:/root/data touch /root/x"
fi
t_eq "-v FILE:/etc/shadow brings a file back" "$(run -v $VOL/f:/etc/shadow cat /etc/shadow)" from-volume
t_check "a host root's file that is not secret stays readable" sh -c "'$NR' run --rm --net=none grep -q '^root:' /etc/passwd"

# --- a fake host root with what this machine may lack -------------------------------------
F=/run/nr-fakeroot R=/run/nr-fakeroot/root
mkdir -p $F/u $F/w $R
mount -t overlay -o lowerdir=/,upperdir=$F/u,workdir=$F/w nr-fakeroot $R
mkdir -p $R/etc/ssh $R/home/alice $R/var/lib/netns-run/containers/other $R/var/lib/cni/networks/nr0 \
	$R/opt/nr-cache $R/opt/nr-state
echo FAKE-PRIVATE-KEY >$R/etc/ssh/ssh_host_ed25519_key
echo ssh-ed25519 AAAAfake >$R/etc/ssh/ssh_host_ed25519_key.pub
echo alice-secret >$R/home/alice/secret
echo leak >$R/var/lib/netns-run/containers/other/state.json
echo lease >$R/var/lib/cni/networks/nr0/10.88.0.2
echo cached >$R/opt/nr-cache/result
for m in /proc /sys /dev /run; do mount --rbind $m $R$m; done
mount --make-rprivate $R
# fake CMD...: CMD with the fake root as its /
fake() {
	unshare --mount --propagation private -- "$BASH" -c 'cd "$0" && pivot_root . . && umount -l / && exec "$@"' \
		"$R" "$@"
}
t_eq "fake root: the SSH private host key reads empty" \
	"$(fake "$NR" run --rm --net=none sh -c 'cat /etc/ssh/ssh_host_ed25519_key 2>/dev/null | wc -c')" 0
t_eq "fake root: ... its public key stays" \
	"$(fake "$NR" run --rm --net=none cat /etc/ssh/ssh_host_ed25519_key.pub)" "ssh-ed25519 AAAAfake"
t_eq "fake root: /home is empty" "$(fake "$NR" run --rm --net=none ls -A /home)" ""
t_eq "fake root: the default state dir /var/lib/netns-run is empty" \
	"$(fake "$NR" run --rm --net=none ls -A /var/lib/netns-run)" ""
t_eq "fake root: /var/lib/cni is empty" "$(fake "$NR" run --rm --net=none ls -A /var/lib/cni)" ""
t_eq "fake root: a moved CNI cache dir is empty" \
	"$(NETNS_RUN_CNI_CACHE_DIR=/opt/nr-cache fake "$NR" run --rm --net=none ls -A /opt/nr-cache)" ""
# A state dir moved into the root file system (here on the fake root's overlayfs too).
out=$(NETNS_RUN_STATE_DIR=/opt/nr-state fake "$NR" run --rm --net=none --name $P-s \
	sh -c 'ls -A /opt/nr-state; echo end' 2>&1)
t_eq "fake root: a moved state dir is empty" "$out" end
t_eq "fake root: -v brings /home back" "$(fake "$NR" run --rm --net=none -v /home:/home cat /home/alice/secret)" \
	alice-secret
umount -R $R

# --- a state dir on overlayfs --------------------------------------------------------------
O=/run/nr-ovl
mkdir -p $O/l $O/u $O/w $O/m
mount -t overlay -o lowerdir=$O/l,upperdir=$O/u,workdir=$O/w nr-ovl $O/m
S=$O/m/state
ovl() { NETNS_RUN_STATE_DIR=$S "$NR" "$@"; }
out=$(ovl run --rm --net=none sh -c 'echo written >/etc/nr-ovl-test && cat /etc/nr-ovl-test' 2>&1)
t_eq "state dir on overlayfs: a container writes a file" "$out" written
out=$(ovl run --rm --net=none --userns $B sh -c 'echo written >/etc/nr-ovl-test && cat /etc/nr-ovl-test' 2>&1)
t_eq "state dir on overlayfs: the same with --userns" "$out" written
t_eq "... the file did not reach the host" "$(ls /etc/nr-ovl-test 2>/dev/null)" ""
ovl run --net=none --name $P-o sh -c 'echo kept >/kept' >/dev/null 2>&1
t_eq "a stopped container keeps its layer (on the tmpfs)" "$(cat $S/containers/$P-o/upper/kept 2>&1)" kept
t_check "the writable layer is a tmpfs" grep -q " $S/containers/$P-o/rw .* netns-run-rw " /proc/self/mountinfo
t_check "rm removes it" ovl rm $P-o
t_eq "... no record, no mount left" "$(ls $S/containers; grep -c netns-run-rw /proc/self/mountinfo)" 0
out=$(NETNS_RUN_UPPER_TMPFS_SIZE=1m ovl run --rm --net=none sh -c 'head -c 2000000 /dev/zero >/big' 2>&1)
t_check "NETNS_RUN_UPPER_TMPFS_SIZE caps the layer" grep -q "No space left" <<<"$out"
out=$(NETNS_RUN_UPPER_TMPFS_SIZE=lots ovl run --rm --net=none true 2>&1)
t_eq "a bad NETNS_RUN_UPPER_TMPFS_SIZE: 125" "$?" 125
t_check "... with a message naming it" grep -q "NETNS_RUN_UPPER_TMPFS_SIZE=lots: not a size" <<<"$out"
# A runtime killed under a detached container: gc takes the tmpfs down with the rest.
ovl run -d --rm --net=none --name $P-g sleep 60 >/dev/null
mon=$(NETNS_RUN_STATE_DIR=$S state .monitor $P-g)
if [ -n "$mon" ]; then
	kill -9 "$mon"
	for i in $(seq 100); do kill -0 "$mon" 2>/dev/null || break; sleep 0.05; done
	ovl gc >/dev/null 2>&1
	t_eq "gc after a killed runtime: no record, no mount left" \
		"$(ls $S/containers; grep -c netns-run-rw /proc/self/mountinfo)" 0
else
	t_fail "gc after a killed runtime: no record, no mount left" "the detached container did not start"
fi
# Killed between the tmpfs and the record (at its first symlink): gc removes both.
(NETNS_RUN_STATE_DIR=$S timeout 30 strace -f -qq -o /dev/null -e inject=symlink,symlinkat:signal=KILL:when=1 \
	"$NR" run --rm --net=none --name $P-k true >/dev/null 2>&1; true) 2>/dev/null
ovl gc >/dev/null 2>&1
t_eq "gc after a start killed before its record: no directory, no mount left" \
	"$(ls $S/containers; grep -c netns-run-rw /proc/self/mountinfo)" 0
umount $O/m
NETNS_RUN_STATE_DIR=/run/netns-run

t_eq "nothing left" "$(nr_leftovers)" ""
t_done
