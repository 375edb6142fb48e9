#!/bin/bash
# bridge + host-local, ours against the reference (Debian's containernetworking-plugins in
# /usr/lib/cni), with the same network config, inside a private network + mount namespace.
# For ipMasq false and true, ROUNDS rounds (interleaved, to spread the noise of a shared
# machine over both sets) of: N ADDs, then N DELs, each container in its own netns made
# before timing; the bridge, its gateway address and the masquerade base state already exist
# (one untimed ADD + DEL first).  Also host-local alone, for its own time and RSS.
# Timing and peak RSS come from bench/cni-time (posix_spawn .. wait4 around each plugin run;
# RSS is the peak over the plugin and the children it waited for: IPAM, iptables).
# Usage: bench/bridge.sh BUILD_DIR [N] [ROUNDS]   (BENCH_KEEP=DIR keeps the per-run figures)
set -eu
build=${1:-build}
N=${2:-100}
ROUNDS=${3:-3}
top=$(cd "$(dirname "$0")/.." && pwd)
OURS=$(cd "$top/$build/cni" && pwd)
TIMER=$top/$build/bench/cni-time
REF=/usr/lib/cni
BR=nrbench0
if [ -z "${NR_SANDBOXED:-}" ]; then
	export NR_SANDBOXED=1
	exec unshare --net --mount --propagation private --fork -- "$BASH" "$0" "$@"
fi
mount -t tmpfs -o mode=0755 nr-bench /run
mkdir -p /run/netns /var/lib/cni
mount -t tmpfs nr-bench /var/lib/cni
ip link set lo up
work=$(mktemp -d -p /run bench.XXXXXX)

for bin in "$TIMER" "$OURS/bridge" "$OURS/host-local" "$REF/bridge" "$REF/host-local"; do
	[ -x "$bin" ] || { echo "bench: $bin missing" >&2; exit 1; }
done

# The network config both sets get, byte for byte (what libcni hands the first plugin of a
# podman-style conflist).  198.18.0.0/15 is the benchmarking range (RFC 2544).
conf() {
	jq -nc --arg b "$BR" --argjson m "$1" \
		'{cniVersion:"1.0.0", name:"bench", type:"bridge", bridge:$b, isGateway:true, ipMasq:$m,
		  hairpinMode:true,
		  ipam:{type:"host-local", routes:[{dst:"0.0.0.0/0"}],
		        ranges:[[{subnet:"198.18.0.0/16", gateway:"198.18.0.1"}]]}}'
}
conf false >"$work/conf-false.json"
conf true >"$work/conf-true.json"

for ((i = 0; i < N; i++)); do ip netns add "bench-$i"; done
ip netns add warmup

reset_state() {
	ip link del "$BR" 2>/dev/null || true
	nft flush ruleset
	rm -rf /var/lib/cni/networks
}
ports() { ip -o link show master "$BR" 2>/dev/null | wc -l; }
nft_rules() { nft -j list ruleset | jq '[.nftables[] | select(.rule)] | length'; }

# run_set IMPL DIR MASQ ROUND: one timed ADD phase and DEL phase; per-run lines in $work.
run_set() {
	local impl=$1 dir=$2 masq=$3 round=$4 c=$work/conf-$3.json f
	reset_state
	CNI_CONTAINERID=warmup CNI_NETNS=/run/netns/warmup CNI_IFNAME=eth0 CNI_PATH=$dir \
		CNI_COMMAND=ADD "$dir/bridge" <"$c" >/dev/null
	CNI_CONTAINERID=warmup CNI_NETNS=/run/netns/warmup CNI_IFNAME=eth0 CNI_PATH=$dir \
		CNI_COMMAND=DEL "$dir/bridge" <"$c" >/dev/null
	for op in ADD DEL; do
		f=$work/$impl.$masq.$op.$round
		CNI_IFNAME=eth0 CNI_PATH=$dir "$TIMER" $op "$N" /run/netns/bench- "$dir/bridge" "$c" >"$f"
		# A phase that did not do its job does not get a time.
		if [ $op = ADD ]; then
			[ "$(ports)" = "$N" ] || { echo "bench: $impl ADD left $(ports) ports, want $N" >&2; exit 1; }
			echo "$(nft_rules)" >"$work/$impl.$masq.rules"
		else
			[ "$(ports)" = 0 ] || { echo "bench: $impl DEL left $(ports) ports" >&2; exit 1; }
		fi
	done
}

# run_ipam IMPL DIR ROUND: host-local alone, N ADDs then N DELs.
run_ipam() {
	local impl=$1 dir=$2 round=$3
	rm -rf /var/lib/cni/networks
	for op in ADD DEL; do
		CNI_IFNAME=eth0 CNI_PATH=$dir "$TIMER" $op "$N" /run/netns/bench- "$dir/host-local" \
			"$work/conf-false.json" >"$work/$impl.ipam.$op.$round"
	done
}

echo "bridge + host-local: $N ADDs then $N DELs per round, $ROUNDS rounds; $(nproc) CPUs, $(uname -r)"
for ((r = 1; r <= ROUNDS; r++)); do
	echo "round $r: load average $(cut -d' ' -f1-3 /proc/loadavg)"
	for masq in false true; do
		run_set ours "$OURS" $masq $r
		run_set reference "$REF" $masq $r
	done
	run_ipam ours "$OURS" $r
	run_ipam reference "$REF" $r
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

# stats FILE...: "p10 p90 cpu_median peak_rss" over the pooled runs (ms, ms, ms, kB).
stats() {
	local spread cpu
	spread=$(cat "$@" | sort -n | awk '{ w[NR] = $1 }
		END { printf "%.2f %.2f", w[int(NR * 0.1) + 1] / 1000, w[int(NR * 0.9)] / 1000 }')
	cpu=$(cat "$@" | sort -n -k2 | awk '{ c[NR] = $2 } END { printf "%.2f", c[int((NR + 1) / 2)] / 1000 }')
	echo "$spread $cpu $(cat "$@" | awk '$3 > m { m = $3 } END { print m }')"
}
median() { sort -n "$1" | awk '{ w[NR] = $1 } END { printf "%.2f", w[int((NR + 1) / 2)] / 1000 }'; }

# Each row: the per-round medians, the best of them, and spread, CPU and RSS pooled over rounds.
declare -A best cpus
printf '\n%-24s %-22s %7s %7s %7s %7s %9s\n' "wall time in ms" "median of each round" best p10 p90 cpu "peak kB"
for row in false.ADD false.DEL true.ADD true.DEL ipam.ADD ipam.DEL; do
	for impl in ours reference; do
		meds=() files=()
		for ((r = 1; r <= ROUNDS; r++)); do
			files+=("$work/$impl.$row.$r")
			meds+=("$(median "$work/$impl.$row.$r")")
		done
		b=$(printf '%s\n' "${meds[@]}" | sort -n | head -n 1)
		best[$impl.$row]=$b
		read -r p10 p90 cpu rss <<<"$(stats "${files[@]}")"
		cpus[$impl.$row]=$cpu
		case $row in
		ipam.*) label="host-local ${row#ipam.}" ;;
		*) label="ipMasq=${row%.*} ${row#*.}" ;;
		esac
		printf '%-24s %-22s %7s %7s %7s %7s %9s\n' "$label ${impl/reference/ref}" "${meds[*]}" "$b" \
			"$p10" "$p90" "$cpu" "$rss"
	done
done

echo
for row in false.ADD false.DEL true.ADD true.DEL ipam.ADD ipam.DEL; do
	awk -v o="${best[ours.$row]}" -v r="${best[reference.$row]}" -v oc="${cpus[ours.$row]}" \
		-v rc="${cpus[reference.$row]}" -v row="$row" 'BEGIN {
		split(row, p, "."); what = p[1] == "ipam" ? "host-local alone" : "ipMasq=" p[1]
		printf "%-4s %-17s ours/reference %.3f, ours %5.1fx faster (wall, best-of-rounds medians); CPU %5.1fx\n",
			p[2], what, o / r, r / o, rc / oc }'
done
# The reference's iptables rules grow with every container (3 per ADD) and each iptables run
# reads the whole table, so its ADD slows down as containers accumulate; ours does not.
for impl in ours reference; do
	first=$(for ((r = 1; r <= ROUNDS; r++)); do head -n $((N / 10 + 1)) "$work/$impl.true.ADD.$r"; done |
		sort -n | awk '{ w[NR] = $1 } END { printf "%.2f", w[int((NR + 1) / 2)] / 1000 }')
	last=$(for ((r = 1; r <= ROUNDS; r++)); do tail -n $((N / 10 + 1)) "$work/$impl.true.ADD.$r"; done |
		sort -n | awk '{ w[NR] = $1 } END { printf "%.2f", w[int((NR + 1) / 2)] / 1000 }')
	echo "ipMasq=true ADD ${impl/reference/ref}: median of the first tenth $first ms, of the last tenth $last ms"
done
echo
echo "nft rules after $N ADDs with ipMasq: ours $(cat "$work/ours.true.rules"), reference $(cat "$work/reference.true.rules")"
echo "reference masquerade backend: the iptables binary ($(readlink -f "$(command -v iptables)"), $(iptables -V))"
awk -v o="${best[ours.true.ADD]}" -v r="${best[reference.true.ADD]}" 'BEGIN {
	printf "target: median ADD (bridge present, ipMasq on, IPv4) at least 20x faster: %s (%.1fx)\n",
		(r / o >= 20) ? "MET" : "NOT MET", r / o }'

# BENCH_KEEP=DIR: keep the per-run figures ("wall_us cpu_us maxrss_kB" per line).
if [ -n "${BENCH_KEEP:-}" ]; then mkdir -p "$BENCH_KEEP" && cp "$work"/* "$BENCH_KEEP"/; fi
for ((i = 0; i < N; i++)); do ip netns del "bench-$i"; done
ip netns del warmup
reset_state
