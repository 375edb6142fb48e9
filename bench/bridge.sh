#!/bin/bash
# bridge + host-local, ours against the reference (Debian's containernetworking-plugins in
# /usr/lib/cni) and the floor (bench/floor: the same kernel work and nothing else), with
# the same network config, inside a private network + mount namespace.
# For ipMasq false and true, ROUNDS rounds (interleaved, the order rotating each round, to
# spread the noise of a shared machine over every set) of: N ADDs, then N DELs, each container in its own netns made
# before timing; the bridge, its gateway address and the masquerade base state already exist
# (one untimed ADD + DEL first; our bridge's for the floor).  Also host-local alone, for its
# own time and RSS.
# Timing and peak RSS come from bench/cni-time (posix_spawn .. wait4 around each plugin run;
# RSS is the peak over the plugin and the children it waited for: IPAM, iptables).
# Usage: bench/bridge.sh BUILD_DIR [N] [ROUNDS]   (BENCH_KEEP=DIR keeps the per-run figures)
# BENCH_IMPLS: the contenders, "ours reference floor" by default; "base" is the build in
# the directory BENCH_BASE (bench/compare.sh: the code before a change).
set -eu
build=${1:-build}
N=${2:-100}
ROUNDS=${3:-3}
top=$(cd "$(dirname "$0")/.." && pwd)
OURS=$(cd "$top/$build/cni" && pwd)
TIMER=$top/$build/bench/cni-time
FLOOR=$top/$build/bench/floor
REF=/usr/lib/cni
IMPLS=${BENCH_IMPLS:-ours reference floor}
BASE=${BENCH_BASE:+$(cd "$BENCH_BASE/cni" && pwd)}
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

# dir_of IMPL: the directory of its plugins (the floor's warm-up uses ours).
dir_of() {
	case $1 in
	ours | floor) echo "$OURS" ;;
	reference) echo "$REF" ;;
	base) echo "${BASE:?bench: base needs BENCH_BASE=BUILD_DIR}" ;;
	*) echo "bench: unknown contender $1" >&2; exit 1 ;;
	esac
}
for impl in $IMPLS; do
	for bin in "$TIMER" "$(dir_of "$impl")/bridge" "$(dir_of "$impl")/host-local"; do
		[ -x "$bin" ] || { echo "bench: $bin missing" >&2; exit 1; }
	done
	[ "$impl" != floor ] || [ -x "$FLOOR" ] || { echo "bench: $FLOOR missing" >&2; exit 1; }
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

# At the end: BENCH_KEEP=DIR keeps the per-run figures ("wall_us cpu_us maxrss_kB" per
# line); the namespaces and the bridge go.
rm_all() {
	if [ -n "${BENCH_KEEP:-}" ]; then mkdir -p "$BENCH_KEEP" && cp "$work"/* "$BENCH_KEEP"/; fi
	for ((i = 0; i < N; i++)); do ip netns del "bench-$i"; done
	ip netns del warmup
	reset_state
}
reset_state() {
	ip link del "$BR" 2>/dev/null || true
	nft flush ruleset
	rm -rf /var/lib/cni/networks
}
ports() { ip -o link show master "$BR" 2>/dev/null | wc -l; }
nft_rules() { nft -j list ruleset | jq '[.nftables[] | select(.rule)] | length'; }

# run_set IMPL DIR MASQ ROUND: one timed ADD phase and DEL phase; per-run lines in $work.
# The floor runs in place of the bridge, with the network as arguments (bench/floor.c).
run_set() {
	local impl=$1 dir=$2 masq=$3 round=$4 c=$work/conf-$3.json f bin args=()
	bin=$dir/bridge
	[ "$impl" = floor ] && bin=$FLOOR args=("$BR" 198.18.0.1/16 "$masq")
	reset_state
	CNI_CONTAINERID=warmup CNI_NETNS=/run/netns/warmup CNI_IFNAME=eth0 CNI_PATH=$dir \
		CNI_COMMAND=ADD "$dir/bridge" <"$c" >/dev/null
	CNI_CONTAINERID=warmup CNI_NETNS=/run/netns/warmup CNI_IFNAME=eth0 CNI_PATH=$dir \
		CNI_COMMAND=DEL "$dir/bridge" <"$c" >/dev/null
	for op in ADD DEL; do
		f=$work/$impl.$masq.$op.$round
		CNI_IFNAME=eth0 CNI_PATH=$dir "$TIMER" $op "$N" /run/netns/bench- "$bin" "$c" "${args[@]}" >"$f"
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

has() { [[ " $IMPLS " == *" $1 "* ]]; }
echo "bridge + host-local: $N ADDs then $N DELs per round, $ROUNDS rounds ($IMPLS); $(nproc) CPUs, $(uname -r)"
for ((r = 1; r <= ROUNDS; r++)); do
	echo "round $r: load average $(cut -d' ' -f1-3 /proc/loadavg)"
	# The order rotates each round, so that no contender always follows the same one.
	read -ra order <<<"$IMPLS"
	order=("${order[@]:$(((r - 1) % ${#order[@]}))}" "${order[@]:0:$(((r - 1) % ${#order[@]}))}")
	for masq in false true; do
		for impl in "${order[@]}"; do run_set "$impl" "$(dir_of "$impl")" $masq $r; done
	done
	for impl in "${order[@]}"; do [ "$impl" = floor ] || run_ipam "$impl" "$(dir_of "$impl")" $r; done
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
short() { case $1 in reference) echo ref ;; *) echo "$1" ;; esac; }
printf '\n%-24s %-22s %7s %7s %7s %7s %9s\n' "wall time in ms" "median of each round" best p10 p90 cpu "peak kB"
for row in false.ADD false.DEL true.ADD true.DEL ipam.ADD ipam.DEL; do
	for impl in $IMPLS; do
		[[ $impl = floor && $row = ipam.* ]] && continue
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
		printf '%-24s %-22s %7s %7s %7s %7s %9s\n' "$label $(short "$impl")" "${meds[*]}" "$b" \
			"$p10" "$p90" "$cpu" "$rss"
	done
done

# ratio OTHER ROW: ours against another contender, wall (best-of-rounds medians) and CPU.
ratio() {
	local other=$1 row=$2
	[ -n "${best[$other.$row]:-}" ] || return 0
	awk -v o="${best[ours.$row]}" -v r="${best[$other.$row]}" -v oc="${cpus[ours.$row]}" \
		-v rc="${cpus[$other.$row]}" -v row="$row" -v other="$other" 'BEGIN {
		split(row, p, "."); what = p[1] == "ipam" ? "host-local alone" : "ipMasq=" p[1]
		if (other == "reference")
			printf "%-4s %-17s ours/reference %.3f, ours %5.1fx faster (wall, best-of-rounds medians); CPU %5.1fx\n",
				p[2], what, o / r, r / o, rc / oc
		else
			printf "%-4s %-17s ours/%-9s %.3f (wall, best-of-rounds medians); CPU %.3f\n",
				p[2], what, other, o / r, oc / rc }'
}
echo
for other in reference floor base; do
	has "$other" && has ours || continue
	for row in false.ADD false.DEL true.ADD true.DEL ipam.ADD ipam.DEL; do ratio "$other" "$row"; done
done
has reference && has ours || { rm_all; exit 0; }
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

rm_all
