#!/bin/bash
# Port publishing at scale: attach N containers (default 1000) with 2 published ports each
# to one bridge network, bridge + host-local + portmap chained, first ours then the
# reference (/usr/lib/cni, whichever iptables backend it finds), inside a private network
# + mount namespace.  Prints, per block of 100 attachments, the median portmap ADD and the
# median whole-chain ADD, then the same for DEL (in reverse order), the number of rules
# in our tables (and in iptables for the reference) after 1 and after N, and the ratios.
# Usage: bench/portmap.sh BUILD_DIR [N]   (BENCH_IMPLS="ours reference" by default; "base"
# is the build in the directory BENCH_BASE; BENCH_KEEP=DIR keeps the per-run figures)
set -eu
build=${1:-build}
N=${2:-1000}
STEP=100
top=$(cd "$(dirname "$0")/.." && pwd)
OURS=$(cd "$top/$build/cni" && pwd)
REF=/usr/lib/cni
IMPLS=${BENCH_IMPLS:-ours reference}
BASE=${BENCH_BASE:+$(cd "$BENCH_BASE/cni" && pwd)}
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
	for t in netns-run netns-run-portmap netns-run-isolation netns-run-localnet; do
		n=$((n + $(nft -j list table inet $t 2>/dev/null | jq '[.nftables[] | select(.rule)] | length' || echo 0)))
	done
	echo $n
}
ref_rules() { { iptables-save 2>/dev/null; ip6tables-save 2>/dev/null; } | grep -c '^-A' || true; }

# run IMPL: attach and detach N containers; writes $OUT/IMPL.{add,addall,del,delall} (us per line)
run() {
	local impl=$1 bin br conf pm res i t0 t1 t2 tb id
	case $impl in
	ours) bin=$OURS ;;
	base) bin=${BASE:?bench: base needs BENCH_BASE=BUILD_DIR} ;;
	*) bin=$REF ;;
	esac
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
		[ $i = 1 ] && echo "$([ $impl = reference ] && ref_rules || our_rules)" >"$OUT/$impl.rules1"
	done
	echo "$([ $impl = reference ] && ref_rules || our_rules)" >"$OUT/$impl.rulesN"
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

for impl in $IMPLS; do
	if [ "$impl" = reference ] && { [ ! -x "$REF/portmap" ] || ! command -v iptables >/dev/null; }; then
		echo "reference skipped (no $REF/portmap or no iptables)"
		continue
	fi
	run "$impl"
done
touch "$OUT/ours.add" "$OUT/ours.addall" "$OUT/ours.del" "$OUT/ours.delall"
[ -n "${BENCH_KEEP:-}" ] && mkdir -p "$BENCH_KEEP" && cp "$OUT"/*.add "$OUT"/*.addall "$OUT"/*.del "$OUT"/*.delall "$BENCH_KEEP"/

# row LABEL OP K: block K's medians of OP (add or del), "pm" and "all", for each contender
# (ours and the reference always, as before; base when it ran).
cols=(ours reference)
[[ " $IMPLS " == *" base "* ]] && cols+=(base)
row() {
	local label=$1 op=$2 k=$3 impl line
	line=$(printf '%-22s' "$label")
	for impl in "${cols[@]}"; do
		line+=$(printf ' %10s %10s' "$(block "$OUT/$impl.$op" "$k" 2>/dev/null)" \
			"$(block "$OUT/$impl.${op}all" "$k" 2>/dev/null)")
	done
	echo "$line"
}
header=$(printf '%-22s %10s %10s %10s %10s' "attachments" "ours pm" "ours all" "ref pm" "ref all")
[[ " ${cols[*]} " == *" base "* ]] && header+=$(printf ' %10s %10s' "base pm" "base all")
echo "$header"
for ((k = 1; k * STEP <= N; k++)); do
	row "ADD $(((k - 1) * STEP + 1))-$((k * STEP)) (us)" add $k
done
for ((k = 1; k * STEP <= N; k++)); do
	# DEL ran from N down to 1: block k holds attachments N-(k-1)*STEP .. N-k*STEP+1.
	row "DEL $((N - (k - 1) * STEP))-$((N - k * STEP + 1)) (us)" del $k
done
[ -e "$OUT/ours.rules1" ] &&
	echo "rules in our tables: $(cat "$OUT/ours.rules1") with 1 attachment, $(cat "$OUT/ours.rulesN") with $N"
[ -e "$OUT/reference.rules1" ] &&
	echo "iptables rules (reference): $(cat "$OUT/reference.rules1") with 1 attachment, $(cat "$OUT/reference.rulesN") with $N"
# Fewer than STEP attachments make no block.
first= last=
((N < STEP)) || first=$(block "$OUT/ours.add" 1) last=$(block "$OUT/ours.add" $((N / STEP)))
[ -n "$first" ] &&
	awk -v f="$first" -v l="$last" 'BEGIN {printf "ours: portmap ADD median, last block / first block = %.2f\n", l / f}'
if [ -s "$OUT/reference.add" ] && [ -n "$last" ]; then
	r=$(block "$OUT/reference.add" $((N / STEP))) ra=$(block "$OUT/reference.addall" $((N / STEP)))
	oa=$(block "$OUT/ours.addall" $((N / STEP)))
	awk -v r="$r" -v o="$last" -v ra="$ra" -v oa="$oa" 'BEGIN {
		printf "at the last block: reference portmap ADD / ours = %.1f; whole chain %.1f\n", r / o, ra / oa}'
fi
rm -rf "$OUT"
