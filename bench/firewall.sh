#!/bin/bash
# firewall, ours against the reference (Debian's containernetworking-plugins in
# /usr/lib/cni), chained as podman chains it (after bridge + host-local: the prevResult of a
# bridge ADD), inside a private network + mount namespace whose iptables FORWARD policy is
# DROP (the host the plugin is for).  ROUNDS rounds, the order of the two alternating, of:
# N ADDs (container i: its own address 198.18.x.y, interface eth<i>), then N DELs.  The
# first ADD of a round creates the table (ours) or the chains (the reference's); the rest
# are the common case.
# Timing and peak RSS come from bench/cni-time (posix_spawn .. wait4 around each plugin run;
# RSS is the peak over the plugin and the children it waited for: the reference's
# iptables processes).
# Usage: bench/firewall.sh BUILD_DIR [N] [ROUNDS]   (BENCH_KEEP=DIR keeps the per-run figures)
set -eu
build=${1:-build}
N=${2:-100}
ROUNDS=${3:-3}
top=$(cd "$(dirname "$0")/.." && pwd)
OURS=$(cd "$top/$build/cni" && pwd)
TIMER=$top/$build/bench/cni-time
REF=/usr/lib/cni
if [ -z "${NR_SANDBOXED:-}" ]; then
	export NR_SANDBOXED=1
	exec unshare --net --mount --propagation private --fork -- "$BASH" "$0" "$@"
fi
mount -t tmpfs -o mode=0755 nr-bench /run
mkdir -p /run/netns
ip link set lo up
work=$(mktemp -d -p /run bench.XXXXXX)
for bin in "$TIMER" "$OURS/firewall" "$REF/firewall"; do
	[ -x "$bin" ] || { echo "bench: $bin missing" >&2; exit 1; }
done
command -v iptables >/dev/null || { echo "bench: the reference needs iptables" >&2; exit 1; }
ip netns add bench-0

# The config both get, byte for byte: podman's firewall entry with a bridge's prevResult.
for ((i = 0; i < N; i++)); do
	jq -nc --arg a "198.18.$((i / 250)).$((i % 250 + 2))/16" --arg s /run/netns/bench-0 \
		'{cniVersion:"1.0.0", name:"bench", type:"firewall", backend:"",
		  prevResult:{cniVersion:"1.0.0", interfaces:[{name:"nrbench0"},{name:"veth0"},{name:"eth0", sandbox:$s}],
		  ips:[{address:$a, gateway:"198.18.0.1", interface:2}], routes:[{dst:"0.0.0.0/0", gw:"198.18.0.1"}]}}' \
		>"$work/conf.$i"
done

reset_state() {
	nft flush ruleset
	iptables -P FORWARD DROP
}
nft_rules() { nft -j list ruleset | jq '[.nftables[] | select(.rule)] | length'; }

# run_set IMPL DIR ROUND: N ADDs, then N DELs; per-run lines in $work.
run_set() {
	local impl=$1 dir=$2 round=$3 op i
	reset_state
	for op in ADD DEL; do
		: >"$work/$impl.$op.$round"
		for ((i = 0; i < N; i++)); do
			CNI_IFNAME=eth$i CNI_PATH=$dir "$TIMER" $op 1 /run/netns/bench- "$dir/firewall" "$work/conf.$i" \
				>>"$work/$impl.$op.$round"
		done
		[ $op = ADD ] && echo "$(nft_rules)" >"$work/$impl.rules"
	done
	# A DEL phase that left state behind does not get a time.
	case $impl in
	ours) [ "$(nft list ruleset | grep -c netns-run-firewall)" = 0 ] ;;
	reference) [ "$(iptables -S CNI-FORWARD | grep -c ACCEPT)" = 0 ] ;;
	esac || { echo "bench: $impl DEL left entries behind" >&2; exit 1; }
}

echo "firewall: $N ADDs then $N DELs per round, $ROUNDS rounds; $(nproc) CPUs, $(uname -r)"
for ((r = 1; r <= ROUNDS; r++)); do
	echo "round $r: load average $(cut -d' ' -f1-3 /proc/loadavg)"
	if ((r % 2)); then order="ours reference"; else order="reference ours"; fi
	for impl in $order; do run_set $impl "$([ $impl = ours ] && echo "$OURS" || echo "$REF")" $r; done
done

median() { sort -n | awk '{ w[NR] = $1 } END { printf "%.2f", w[int((NR + 1) / 2)] / 1000 }'; }
declare -A best
printf '\n%-18s %-22s %7s %7s %9s\n' "wall time in ms" "median of each round" best cpu "peak kB"
for op in ADD DEL; do
	for impl in ours reference; do
		meds=()
		for ((r = 1; r <= ROUNDS; r++)); do meds+=("$(median <"$work/$impl.$op.$r")"); done
		b=$(printf '%s\n' "${meds[@]}" | sort -n | head -n 1)
		best[$impl.$op]=$b
		cpu=$(cat "$work/$impl.$op".* | awk '{ print $2 }' | median)
		rss=$(cat "$work/$impl.$op".* | awk '$3 > m { m = $3 } END { print m }')
		printf '%-18s %-22s %7s %7s %9s\n' "$op ${impl/reference/ref}" "${meds[*]}" "$b" "$cpu" "$rss"
	done
done
echo
for op in ADD DEL; do
	awk -v o="${best[ours.$op]}" -v r="${best[reference.$op]}" -v op=$op \
		'BEGIN { printf "%s ours/reference %.3f, ours %.1fx faster (wall, best-of-rounds medians)\n", op, o / r, r / o }'
done
for impl in ours reference; do
	first=$(for ((r = 1; r <= ROUNDS; r++)); do head -n $((N / 10 + 1)) "$work/$impl.ADD.$r"; done | median)
	last=$(for ((r = 1; r <= ROUNDS; r++)); do tail -n $((N / 10 + 1)) "$work/$impl.ADD.$r"; done | median)
	echo "ADD ${impl/reference/ref}: median of the first tenth $first ms, of the last tenth $last ms"
done
echo "nft rules after $N ADDs: ours $(cat "$work/ours.rules") (7 in our table, 1 in FORWARD), reference $(cat "$work/reference.rules")"
awk -v o="${best[ours.ADD]}" -v r="${best[reference.ADD]}" 'BEGIN {
	printf "target: median ADD at least 10x faster than the reference: %s (%.1fx)\n", ((r / o >= 10) ? "met" : "NOT met"), r / o }'
if [ -n "${BENCH_KEEP:-}" ]; then mkdir -p "$BENCH_KEEP" && cp "$work"/* "$BENCH_KEEP"/; fi
nft flush ruleset
ip netns del bench-0
