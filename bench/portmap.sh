#!/bin/bash
# Port publishing at scale: attach N containers (default 1000) with 2 published ports each
# to one bridge network, bridge + host-local + portmap chained, first ours then the
# reference (/usr/lib/cni, whichever iptables backend it finds), inside a private network
# + mount namespace.  Prints, per block of 100 attachments, the median portmap ADD and the
# median whole-chain ADD, then the same for DEL (in reverse order), the number of rules
# in our tables (and in iptables for the reference) after 1 and after N, and the ratios.
# Usage: bench/portmap.sh BUILD_DIR [N]   (BENCH_IMPLS="ours reference" by default)
set -eu
build=${1:-build}
N=${2:-1000}
STEP=100
top=$(cd "$(dirname "$0")/.." && pwd)
OURS=$(cd "$top/$build/cni" && pwd)
REF=/usr/lib/cni
if [ -z "${NR_SANDBOXED:-}" ]; then
	export NR_SANDBOXED=1
	exec unshare --net --mount --propagation private --fork -- "$BASH" "$0" "$@"
fi
mount -t tmpfs nr-bench /run
mkdir -p /run/netns /var/lib/cni
mount -t tmpfs nr-bench /var/lib/cni
ip link set lo up
OUT=$(mktemp -d)

now() { echo "${EPOCHREALTIME/./}"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
our_rules() {
	local n=0 t
	for t in netns-run netns-run-portmap netns-run-isolation; do
		n=$((n + $(nft -j list table inet $t 2>/dev/null | jq '[.nftables[] | select(.rule)] | length' || echo 0)))
	done
	echo $n
}
ref_rules() { { iptables-save 2>/dev/null; ip6tables-save 2>/dev/null; } | grep -c '^-A' || true; }

# run IMPL: attach and detach N containers; writes $OUT/IMPL.{add,addall,del,delall} (us per line)
run() {
	local impl=$1 bin br conf pm res i t0 t1 t2 tb id
	bin=$([ "$impl" = ours ] && echo "$OURS" || echo "$REF")
	br=nrb-$impl
	conf=$(jq -nc --arg b "$br" '{cniVersion:"1.0.0", name:"bench", type:"bridge", bridge:$b, isGateway:true,
		isDefaultGateway:true, ipMasq:true, ipam:{type:"host-local", dataDir:"/var/lib/cni/bench",
		ranges:[[{subnet:"10.90.0.0/20"}]]}}')
	: >"$OUT/$impl.add"; : >"$OUT/$impl.addall"; : >"$OUT/$impl.del"; : >"$OUT/$impl.delall"
	for ((i = 1; i <= N; i++)); do
		id=c$i
		ip netns add $id
		t0=$(now)
		res=$(CNI_COMMAND=ADD CNI_CONTAINERID=$id CNI_NETNS=/run/netns/$id CNI_IFNAME=eth0 CNI_PATH=$bin \
			"$bin/bridge" <<<"$conf")
		tb=$(now)
		pm=$(jq -nc --argjson p "$res" --argjson a $((10000 + 2 * i)) '{cniVersion:"1.0.0", name:"bench",
			type:"portmap", capabilities:{portMappings:true}, runtimeConfig:{portMappings:[
			{hostPort:$a, containerPort:80, protocol:"tcp"}, {hostPort:($a + 1), containerPort:53, protocol:"udp"}]},
			prevResult:$p}')
		echo "$pm" >"$OUT/pm.$id"
		t1=$(now)
		CNI_COMMAND=ADD CNI_CONTAINERID=$id CNI_NETNS=/run/netns/$id CNI_IFNAME=eth0 CNI_PATH=$bin \
			"$bin/portmap" <<<"$pm" >/dev/null
		t2=$(now)
		echo $((t2 - t1)) >>"$OUT/$impl.add"
		echo $((t2 - t1 + tb - t0)) >>"$OUT/$impl.addall"
		[ $i = 1 ] && echo "$([ $impl = ours ] && our_rules || ref_rules)" >"$OUT/$impl.rules1"
	done
	echo "$([ $impl = ours ] && our_rules || ref_rules)" >"$OUT/$impl.rulesN"
	for ((i = N; i >= 1; i--)); do
		id=c$i
		t0=$(now)
		CNI_COMMAND=DEL CNI_CONTAINERID=$id CNI_NETNS=/run/netns/$id CNI_IFNAME=eth0 CNI_PATH=$bin \
			"$bin/portmap" <"$OUT/pm.$id" >/dev/null
		t1=$(now)
		CNI_COMMAND=DEL CNI_CONTAINERID=$id CNI_NETNS=/run/netns/$id CNI_IFNAME=eth0 CNI_PATH=$bin \
			"$bin/bridge" <<<"$conf" >/dev/null
		t2=$(now)
		echo $((t1 - t0)) >>"$OUT/$impl.del"
		echo $((t2 - t0)) >>"$OUT/$impl.delall"
		ip netns del $id
	done
	ip link del "$br" 2>/dev/null || true
	rm -rf /var/lib/cni/bench
}

# block FILE K: median of lines (K-1)*STEP+1 .. K*STEP
block() { sed -n "$((($2 - 1) * STEP + 1)),$(($2 * STEP))p" "$1" | median; }

for impl in ${BENCH_IMPLS:-ours reference}; do
	if [ "$impl" = reference ] && { [ ! -x "$REF/portmap" ] || ! command -v iptables >/dev/null; }; then
		echo "reference skipped (no $REF/portmap or no iptables)"
		continue
	fi
	run "$impl"
done
touch "$OUT/ours.add" "$OUT/ours.addall" "$OUT/ours.del" "$OUT/ours.delall"

printf '%-22s %10s %10s %10s %10s\n' "attachments" "ours pm" "ours all" "ref pm" "ref all"
for ((k = 1; k * STEP <= N; k++)); do
	printf '%-22s %10s %10s %10s %10s\n' "ADD $(((k - 1) * STEP + 1))-$((k * STEP)) (us)" \
		"$(block "$OUT/ours.add" $k)" "$(block "$OUT/ours.addall" $k)" \
		"$(block "$OUT/reference.add" $k 2>/dev/null)" "$(block "$OUT/reference.addall" $k 2>/dev/null)"
done
for ((k = 1; k * STEP <= N; k++)); do
	# DEL ran from N down to 1: block k holds attachments N-(k-1)*STEP .. N-k*STEP+1.
	printf '%-22s %10s %10s %10s %10s\n' "DEL $((N - (k - 1) * STEP))-$((N - k * STEP + 1)) (us)" \
		"$(block "$OUT/ours.del" $k)" "$(block "$OUT/ours.delall" $k)" \
		"$(block "$OUT/reference.del" $k 2>/dev/null)" "$(block "$OUT/reference.delall" $k 2>/dev/null)"
done
[ -e "$OUT/ours.rules1" ] &&
	echo "rules in our tables: $(cat "$OUT/ours.rules1") with 1 attachment, $(cat "$OUT/ours.rulesN") with $N"
[ -e "$OUT/reference.rules1" ] &&
	echo "iptables rules (reference): $(cat "$OUT/reference.rules1") with 1 attachment, $(cat "$OUT/reference.rulesN") with $N"
first=$(block "$OUT/ours.add" 1) last=$(block "$OUT/ours.add" $((N / STEP)))
[ -n "$first" ] &&
	awk -v f="$first" -v l="$last" 'BEGIN {printf "ours: portmap ADD median, last block / first block = %.2f\n", l / f}'
if [ -s "$OUT/reference.add" ] && [ -n "$last" ]; then
	r=$(block "$OUT/reference.add" $((N / STEP))) ra=$(block "$OUT/reference.addall" $((N / STEP)))
	oa=$(block "$OUT/ours.addall" $((N / STEP)))
	awk -v r="$r" -v o="$last" -v ra="$ra" -v oa="$oa" 'BEGIN {
		printf "at the last block: reference portmap ADD / ours = %.1f; whole chain %.1f\n", r / o, ra / oa}'
fi
rm -rf "$OUT"
