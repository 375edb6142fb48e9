#!/bin/bash
# Concurrent churn: CHURN_OPS bridge ADD/DEL operations (default 2000, the issue's size, in
# `make check` too: ~26 s; the sanitized suite runs 96) from CHURN_WORKERS (8) workers over
# two networks with small ranges, so addresses are reused all the time and the first ADDs
# race to create the bridges.  Asserted as it goes: no address is ever held by two
# attachments at once (each worker claims the addresses of its result with an atomic mkdir
# and drops the claim before its DEL; the lease file names the worker's container; the
# container has the address).  At the end: no lease, no veth, no masquerade element, no
# claim.  Bounded by CHURN_TIMEOUT seconds.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"

OPS=${CHURN_OPS:-2000}
WORKERS=${CHURN_WORKERS:-8}
TIMEOUT=${CHURN_TIMEOUT:-600}
DATA=$(mktemp -d -p /var/lib/cni churn.XXXXXX)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir "$WORK/held"
NET_A=$(jq -nc --arg d "$DATA" '{cniVersion:"1.1.0", name:"churna", type:"bridge", bridge:"churn0",
	isGateway:true, ipMasq:true, ipam:{type:"host-local", dataDir:$d,
	ranges:[[{subnet:"198.51.100.0/28"}],[{subnet:"2001:db8:c::/124"}]]}}')
NET_B=$(jq -nc --arg d "$DATA" '{cniVersion:"1.1.0", name:"churnb", type:"bridge", bridge:"churn1",
	ipMasq:true, ipam:{type:"host-local", dataDir:$d, ranges:[[{subnet:"203.0.113.0/28"}]]}}')

# worker W ITERATIONS DEADLINE: ADD to A (eth0) and B (eth1), check, DEL both; 4 ops a round.
worker() {
	local w=$1 n=$2 deadline=$3 k id out ip ips ifn conf net
	local ns=churn$w
	ip netns add "$ns"
	for ((k = 0; k < n; k++)); do
		if [ "$(date +%s)" -ge "$deadline" ]; then echo "worker $w: out of time at round $k" >>"$WORK/fail"; break; fi
		id=w$w-$k
		for net in a b; do
			conf=$NET_A ifn=eth0
			[ $net = b ] && conf=$NET_B ifn=eth1
			if ! out=$(CNI_CONTAINERID=$id cni bridge ADD "/run/netns/$ns" $ifn "$conf"); then
				echo "worker $w: ADD $id $net failed: $out" >>"$WORK/fail"
				continue
			fi
			echo ADD >>"$WORK/ops.$w"
			ips=$(jq -r '.ips[].address | split("/")[0]' <<<"$out")
			for ip in $ips; do
				mkdir "$WORK/held/$ip" 2>/dev/null ||
					echo "worker $w: $ip given to $id while $(cat "$WORK/held/$ip/owner" 2>/dev/null) holds it" >>"$WORK/fail"
				echo "$id" >"$WORK/held/$ip/owner"
				[[ $(<"$DATA/churn$net/$ip") == "$id"* ]] ||
					echo "worker $w: lease of $ip does not name $id" >>"$WORK/fail"
			done
			ip -n "$ns" -br addr show $ifn | grep -q "${ips%%$'\n'*}/" ||
				echo "worker $w: $ifn of $id lacks $ips" >>"$WORK/fail"
			echo "$ips" >"$WORK/ips.$w.$net"
		done
		for net in a b; do
			conf=$NET_A ifn=eth0
			[ $net = b ] && conf=$NET_B ifn=eth1
			# Drop the claim first: once DEL returns, another worker may rightly get it.
			for ip in $(cat "$WORK/ips.$w.$net" 2>/dev/null); do rm -rf "$WORK/held/$ip"; done
			rm -f "$WORK/ips.$w.$net"
			if ! out=$(CNI_CONTAINERID=$id cni bridge DEL "/run/netns/$ns" $ifn "$conf"); then
				echo "worker $w: DEL $id $net failed: $out" >>"$WORK/fail"
				continue
			fi
			echo DEL >>"$WORK/ops.$w"
		done
	done
	ip netns del "$ns"
}

rounds=$(((OPS + 4 * WORKERS - 1) / (4 * WORKERS)))
start=$(date +%s.%N)
deadline=$(($(date +%s) + TIMEOUT))
for ((w = 0; w < WORKERS; w++)); do worker $w $rounds $deadline & done
wait
secs=$(echo "$(date +%s.%N) - $start" | bc)
done_ops=$(cat "$WORK"/ops.* 2>/dev/null | wc -l)
echo "# churn: $done_ops ADD/DEL operations by $WORKERS workers over 2 networks in ${secs}s"

t_eq "every operation ran ($((rounds * 4 * WORKERS)))" "$done_ops" $((rounds * 4 * WORKERS))
t_eq "no failure, no address held twice" "$(head -n 20 "$WORK/fail" 2>/dev/null)" ""
t_eq "no claim is left" "$(ls "$WORK/held")" ""
t_eq "no lease is left" "$(find "$DATA" -name .nr-index -prune -o -type f ! -name lock ! -name 'last_reserved_ip*' -print | wc -l)" 0
t_eq "no index entry is left" "$(find "$DATA" -path '*/.nr-index/*@*' ! -name '.tmp.*' | wc -l)" 0
t_eq "no veth is left" "$(ip -o link show type veth | wc -l)" 0
# Per-container state only: the isolation table holds its bridges for as long as they exist.
t_eq "no masquerade element is left" \
	"$(nft -j list ruleset | jq '[.nftables[] | select(.set and .set.table != "netns-run-isolation") | .set.elem // [] | length] | add // 0')" 0
t_eq "both bridges exist once" "$(ip -o link show type bridge | awk -F': ' '{print $2}' | sort | tr '\n' ' ')" "churn0 churn1 "
t_done
