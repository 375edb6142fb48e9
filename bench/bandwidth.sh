#!/bin/bash
# The bandwidth plugin, ours against the reference (/usr/lib/cni/bandwidth), same run, inside
# a private network + mount namespace.  N containers, each a netns with a veth whose host end
# the config's prevResult names; for each, in turn (the order alternating), ours then the
# reference or the other way round: ADD (a tbf on the host veth, an ifb with its own tbf and
# the redirect to it: both directions shaped) then DEL, each timed alone by bench/cni-time
# (posix_spawn .. wait4; peak RSS of the run).  The reference's DEL leaves the host veth's
# qdiscs (only the ifb goes), so they are removed, untimed, before the next ADD.
# Usage: bench/bandwidth.sh BUILD_DIR [N]   (BENCH_KEEP=DIR keeps the per-run figures)
set -eu
build=${1:-build}
N=${2:-50}
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
for bin in "$TIMER" "$OURS/bandwidth" "$REF/bandwidth"; do
	[ -x "$bin" ] || { echo "bench: $bin missing" >&2; exit 1; }
done

# Container k: netns bwk-0 (cni-time appends the run number, 0) with eth0, host end bwhk.
for ((k = 0; k < N; k++)); do
	ip netns add "bw$k-0"
	ip link add "bwh$k" type veth peer name eth0 netns "bw$k-0"
	ip link set "bwh$k" up
	ip -n "bw$k-0" link set eth0 up
	jq -nc --arg h "bwh$k" --arg ns "/run/netns/bw$k-0" '{cniVersion:"1.0.0", name:"bench", type:"bandwidth",
		capabilities:{bandwidth:true},
		runtimeConfig:{bandwidth:{ingressRate:10000000, ingressBurst:100000, egressRate:10000000, egressBurst:100000}},
		prevResult:{cniVersion:"1.0.0", interfaces:[{name:$h}, {name:"eth0", sandbox:$ns}],
		            ips:[{address:"198.18.0.2/16", interface:1}]}}' >"$work/conf.$k"
done

# one IMPL DIR K: ADD then DEL of container k, each a line "wall_us cpu_us maxrss_kB".
one() {
	local impl=$1 dir=$2 k=$3
	for op in ADD DEL; do
		CNI_IFNAME=eth0 CNI_PATH=$dir "$TIMER" $op 1 "/run/netns/bw$k-" "$dir/bandwidth" "$work/conf.$k" \
			>>"$work/$impl.$op"
		if [ $op = ADD ] && [ "$(tc qdisc show dev "bwh$k" | grep -c 'tbf\|ingress')" != 2 ]; then
			echo "bench: $impl ADD made no qdiscs on bwh$k" >&2
			exit 1
		fi
	done
	[ -z "$(ip -o link show type ifb)" ] || { echo "bench: $impl DEL left an ifb" >&2; exit 1; }
	tc qdisc del dev "bwh$k" root 2>/dev/null || true
	tc qdisc del dev "bwh$k" ingress 2>/dev/null || true
}

echo "bandwidth: $N containers, ADD (both directions shaped) then DEL each, ours and the reference alternating; $(nproc) CPUs, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
for ((k = 0; k < N; k++)); do
	if ((k % 2)); then one reference "$REF" $k; one ours "$OURS" $k; else one ours "$OURS" $k; one reference "$REF" $k; fi
done

median() { sort -n -k"$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END { printf "%.2f", v[int((NR + 1) / 2)] / 1000 }'; }
peak() { awk '$3 > m { m = $3 } END { print m }' "$1"; }
printf '\n%-18s %10s %10s %10s\n' "" "wall ms" "cpu ms" "peak kB"
for op in ADD DEL; do
	for impl in ours reference; do
		printf '%-18s %10s %10s %10s\n' "$op $impl" "$(median "$work/$impl.$op" 1)" "$(median "$work/$impl.$op" 2)" \
			"$(peak "$work/$impl.$op")"
	done
done
echo
for op in ADD DEL; do
	awk -v o="$(median "$work/ours.$op" 1)" -v r="$(median "$work/reference.$op" 1)" -v op=$op \
		'BEGIN { printf "%s: ours %.1fx faster than the reference (median wall time)\n", op, r / o }'
done
awk -v o="$(peak "$work/ours.ADD")" -v r="$(peak "$work/reference.ADD")" \
	'BEGIN { printf "peak RSS: ours %d kB, reference %d kB (%.1fx lower)\n", o, r, r / o }'
awk -v o="$(median "$work/ours.ADD" 1)" -v r="$(median "$work/reference.ADD" 1)" 'BEGIN {
	printf "target: median ADD at least 10x faster than the reference: %s (%.1fx)\n", (r / o >= 10 ? "met" : "NOT met"), r / o }'
if [ -n "${BENCH_KEEP:-}" ]; then mkdir -p "$BENCH_KEEP" && cp "$work"/* "$BENCH_KEEP"/; fi
for ((k = 0; k < N; k++)); do ip netns del "bw$k-0"; done
