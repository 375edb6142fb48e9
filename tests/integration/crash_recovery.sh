#!/bin/bash
# Crash recovery: the bridge plugin (and the host-local it runs) SIGKILLed at every
# netlink message, file operation and namespace switch of ADD and of DEL, one point per
# run, with strace's fault injection (-e inject=SYSCALL:signal=KILL:when=N counts the
# calls, so each point is hit exactly and the next N is the next point).  After each kill,
# one plain DEL must succeed and leave nothing of the attachment: no lease, no veth, no
# masquerade element, no interface in the container.  (With -f the count runs over the
# bridge and the host-local it runs, so the points cover both.)
# Then GC: leases of attachments lost to a reboot go at the next GC, and leases kept on a
# tmpfs (dataDir under /run) are simply gone after one (docs/reliability.md).
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"

MAX_N=${CRASH_MAX_N:-40}        # calls per syscall at most
MIN_POINTS=${CRASH_MIN_POINTS:-40} # fewer points hit means the injection stopped working
SYSCALLS=${CRASH_SYSCALLS:-"sendmsg sendto write openat linkat unlinkat setns wait4"}
DATA=$(mktemp -d -p /var/lib/cni crash.XXXXXX)
CONF=$(jq -nc --arg d "$DATA" '{cniVersion:"1.1.0", name:"crash", type:"bridge", bridge:"crash0",
	isGateway:true, ipMasq:true, ipam:{type:"host-local", dataDir:$d,
	ranges:[[{subnet:"198.51.100.0/24"}],[{subnet:"2001:db8:d::/64"}]]}}')
ip netns add cr

br() { CNI_CONTAINERID=$1 cni bridge "$2" /run/netns/cr eth0 "$CONF"; }
# killed ID CMD SYSCALL N: the command under strace, killed at the N-th SYSCALL.
killed() {
	CNI_COMMAND=$2 CNI_CONTAINERID=$1 CNI_NETNS=/run/netns/cr CNI_IFNAME=eth0 CNI_PATH=$CNI_BIN \
		strace -f -qq -o /dev/null -e inject="$3:signal=KILL:when=$4" \
		"$CNI_BIN/bridge" <<<"$CONF" >/dev/null 2>&1
}
# What is left of an attachment, empty when nothing.
leftovers() {
	# Only this attachment exists here, so any lease (even an empty file) is left over.
	find "$DATA" -name .nr-index -prune -o -type f ! -name lock ! -name 'last_reserved_ip*' -printf 'lease %f\n'
	find "$DATA" -path "*/.nr-index/$1@*" -printf 'index entry %f\n'
	ip -o link show type veth | awk -F': ' '{print "veth " $2}'
	ip -n cr -o link show eth0 2>/dev/null | awk -F': ' '{print "container " $2}'
	# Per-container elements only: the isolation table lists bridges, which stay.
	nft -j list ruleset 2>/dev/null |
		jq -r '.nftables[] | select(.set and .set.table != "netns-run-isolation") | .set.elem // [] | .[] | "nft element \(.)"'
}

points=0 fails=0 child_kills=0 i=0
for phase in ADD DEL; do
	for sc in $SYSCALLS; do
		for ((n = 1; n <= MAX_N; n++)); do
			id=crash$((i++))
			if [ $phase = DEL ] && ! br $id ADD >/dev/null; then
				t_fail "ADD before killing DEL at $sc #$n"; fails=$((fails + 1)); break
			fi
			(killed $id $phase $sc $n) 2>/dev/null; rc=$? # no "Killed" notice from bash
			left=""
			case $rc in
			137) points=$((points + 1)) ;;
			0) ;; # fewer than n such calls: this syscall is done
			1)
				# The IPAM child was killed: the plugin failed cleanly (its leases wait
				# for the DEL a runtime sends after a failed ADD).
				child_kills=$((child_kills + 1)) points=$((points + 1))
				;;
			*) left="exit $rc" ;;
			esac
			out=$(br $id DEL); drc=$?
			[ $drc = 0 ] || left="$left DEL after the kill failed: $out"
			left="$left$(leftovers $id)"
			if [ -n "$left" ]; then
				fails=$((fails + 1))
				t_fail "$phase killed at $sc #$n (rc $rc): the next DEL converges" "$(echo $left | head -c 400)"
				# Start the next point from a clean slate.
				ip netns del cr; ip netns add cr; nft flush ruleset; find "$DATA" -type f -delete
			fi
			[ $rc = 0 ] && break
		done
	done
done
echo "# $points crash points tried ($child_kills in the IPAM child)"
t_eq "every kill point converged with one DEL" "$fails" 0
t_check "at least $MIN_POINTS crash points were hit" test "$points" -ge "$MIN_POINTS"

# --- GC after a reboot ----------------------------------------------------------------
# A reboot loses every netns and link but not /var/lib/cni: leases of attachments that no
# longer exist stay until GC says which attachments are still valid.
for c in r1 r2 r3; do ip netns add $c; CNI_CONTAINERID=$c cni bridge ADD /run/netns/$c eth0 "$CONF" >/dev/null; done
t_eq "three attachments leased" "$(grep -rl --exclude=lock --exclude='last_reserved_ip*' '^r[123]' "$DATA" | wc -l)" 6
for c in r1 r2 r3; do ip netns del $c; done # the "reboot"
ip netns add r2
GCCONF=$(jq -c '."cni.dev/valid-attachments"=[{"containerID":"r2","ifname":"eth0"}]' <<<"$CONF")
out=$(CNI_CONTAINERID=gc cni bridge GC "" eth0 "$GCCONF"); rc=$?
t_eq "GC succeeds" "$rc" 0
t_eq "GC kept only the valid attachment's leases" \
	"$(grep -rh --exclude=lock --exclude='last_reserved_ip*' '^r' "$DATA" | tr -d '\r' | sort -u | tr '\n' ' ')" "r2 "
t_eq "GC removed the lost attachments' masquerade elements (r2's and its subnet's stay)" \
	"$(nft -j list ruleset | jq -c '[.nftables[] | select(.set and .set.table == "netns-run") | .set.elem // [] | .[] | .elem.comment] | unique')" \
	'["crash r2 eth0","crash subnet"]'
GCCONF=$(jq -c '."cni.dev/valid-attachments"=[]' <<<"$CONF")
CNI_CONTAINERID=gc cni bridge GC "" eth0 "$GCCONF" >/dev/null
t_eq "GC with no valid attachment empties the store" \
	"$(find "$DATA" -name .nr-index -prune -o -type f ! -name lock ! -name 'last_reserved_ip*' -print | wc -l)" 0
t_eq "... and the masquerade sets, the subnet's element included" \
	"$(nft -j list ruleset | jq '[.nftables[] | select(.set and .set.table == "netns-run") | .set.elem // [] | .[]] | length')" 0
ip netns del r2

# --- dataDir on /run ------------------------------------------------------------------------
mkdir -p /run/nr-leases
RCONF=$(jq -c '.ipam.dataDir="/run/nr-leases" | .ipam.ranges=[[{"subnet":"203.0.113.0/24"}]] | .bridge="crash1"' <<<"$CONF")
ip netns add t1
ip1=$(CNI_CONTAINERID=t1 cni bridge ADD /run/netns/t1 eth0 "$RCONF" | jq -r '.ips[0].address')
ip netns del t1
# A reboot clears a tmpfs: simulate it with a fresh one over the directory.
mount -t tmpfs nr-reboot /run/nr-leases
ip netns add t2
ip2=$(CNI_CONTAINERID=t2 cni bridge ADD /run/netns/t2 eth0 "$RCONF" | jq -r '.ips[0].address')
t_eq "after the reboot the lease on /run is gone and the address is free again" "$ip2" "$ip1"
CNI_CONTAINERID=t2 cni bridge DEL /run/netns/t2 eth0 "$RCONF" >/dev/null
umount /run/nr-leases
ip netns del t2
ip netns del cr
t_done
