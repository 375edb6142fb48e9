#!/bin/bash
# tuning, ours against the reference (Debian's containernetworking-plugins in /usr/lib/cni),
# with the same config, inside a private network + mount namespace.  Each of N containers
# has its own netns with an eth0 (a veth pair, both ends inside) made before timing; the
# config is tuning as podman chains it after bridge (prevResult naming eth0), in two forms:
#   podman  what podman's default conflist sends (the "mac" capability, no MAC asked for):
#           the result passes through
#   full    two sysctls (net.core.somaxconn, net.ipv4.conf.IFNAME.arp_ignore), a MAC, an MTU
#           and promiscuous mode: saved, applied, and put back by DEL
# ROUNDS rounds (interleaved, the order rotating each round) of N ADDs then N DELs.
# Timing and peak RSS from bench/cni-time (posix_spawn .. wait4 around each plugin run).
# The floor: /bin/true run the same way, what any process start costs on this machine now
# (neither plugin can be faster than that; the 10x goal needs the reference's time to be
# at least ten of ours, so it is out of reach where one process start is near a tenth).
# Usage: bench/tuning.sh BUILD_DIR [N] [ROUNDS]
set -eu
build=${1:-build}
N=${2:-100}
ROUNDS=${3:-3}
top=$(cd "$(dirname "$0")/.." && pwd)
OURS=$(cd "$top/$build/cni" && pwd)
TIMER=$top/$build/bench/cni-time
REF=/usr/lib/cni
for bin in "$TIMER" "$OURS/tuning" "$REF/tuning"; do
	[ -x "$bin" ] || { echo "bench: $bin missing" >&2; exit 1; }
done
if [ -z "${NR_SANDBOXED:-}" ]; then
	export NR_SANDBOXED=1
	exec unshare --net --mount --propagation private --fork -- "$BASH" "$0" "$@"
fi
mount -t tmpfs -o mode=0755 nr-bench /run
mkdir -p /run/netns
ip link set lo up
work=$(mktemp -d -p /run bench.XXXXXX)

PREV='{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","mac":"02:00:00:00:00:01","sandbox":"/run/netns/x"}],
	"ips":[{"address":"198.18.0.2/16","gateway":"198.18.0.1","interface":0}],"routes":[{"dst":"0.0.0.0/0"}]}'
jq -nc --argjson p "$PREV" '{cniVersion:"1.0.0", name:"bench", type:"tuning", capabilities:{mac:true},
	prevResult:$p}' >"$work/conf-podman.json"
jq -nc --argjson p "$PREV" '{cniVersion:"1.0.0", name:"bench", type:"tuning", prevResult:$p,
	sysctl:{"net.core.somaxconn":"1024", "net.ipv4.conf.IFNAME.arp_ignore":"1"},
	mac:"02:00:5e:10:00:01", mtu:1400, promisc:true}' >"$work/conf-full.json"

for ((i = 0; i < N; i++)); do
	ip netns add "bench-$i"
	ip -n "bench-$i" link add eth0 type veth peer name peer0
done
trap 'for ((i = 0; i < N; i++)); do ip netns del "bench-$i"; done' EXIT

dir_of() { case $1 in ours) echo "$OURS" ;; reference) echo "$REF" ;; esac; }
mtu0() { ip -n bench-0 -j link show eth0 | jq '.[0].mtu'; }

# run_set IMPL CONF ROUND: one timed ADD phase and DEL phase, checked.
run_set() {
	local impl=$1 conf=$2 round=$3 dir f
	dir=$(dir_of "$impl")
	for op in ADD DEL; do
		f=$work/$impl.$conf.$op.$round
		CNI_IFNAME=eth0 CNI_PATH=$dir "$TIMER" $op "$N" /run/netns/bench- "$dir/tuning" "$work/conf-$conf.json" >"$f"
		if [ "$conf" = full ]; then
			want=1500
			[ $op = ADD ] && want=1400
			[ "$(mtu0)" = $want ] || { echo "bench: $impl $op left MTU $(mtu0), want $want" >&2; exit 1; }
		fi
	done
	[ -z "$(ls /run/cni/tuning 2>/dev/null)" ] || { echo "bench: $impl DEL left backups" >&2; exit 1; }
}

echo "tuning: $N ADDs then $N DELs per round, $ROUNDS rounds (ours, reference); $(nproc) CPUs, $(uname -r)"
for ((r = 1; r <= ROUNDS; r++)); do
	echo "round $r: load average $(cut -d' ' -f1-3 /proc/loadavg)"
	order=(ours reference)
	[ $((r % 2)) = 0 ] && order=(reference ours)
	for conf in podman full; do
		for impl in "${order[@]}"; do run_set "$impl" $conf $r; done
	done
	CNI_IFNAME=eth0 "$TIMER" ADD "$N" /run/netns/bench- /bin/true "$work/conf-podman.json" >"$work/floor.$r"
done

median() { cat "$@" | sort -n | awk '{ w[NR] = $1 } END { printf "%.2f", w[int((NR + 1) / 2)] / 1000 }'; }
cpu() { cat "$@" | sort -n -k2 | awk '{ c[NR] = $2 } END { printf "%.2f", c[int((NR + 1) / 2)] / 1000 }'; }
rss() { cat "$@" | awk '$3 > m { m = $3 } END { print m }'; }
declare -A med
printf '\n%-22s %-24s %8s %8s %9s\n' "wall time in ms" "median of each round" pooled cpu "peak kB"
for row in podman.ADD podman.DEL full.ADD full.DEL; do
	for impl in ours reference; do
		meds=() files=()
		for ((r = 1; r <= ROUNDS; r++)); do
			files+=("$work/$impl.$row.$r")
			meds+=("$(median "$work/$impl.$row.$r")")
		done
		med[$impl.$row]=$(median "${files[@]}")
		printf '%-22s %-24s %8s %8s %9s\n' "${row/./ } ${impl/reference/ref}" "${meds[*]}" "${med[$impl.$row]}" \
			"$(cpu "${files[@]}")" "$(rss "${files[@]}")"
	done
done
printf '%-22s %-24s %8s %8s %9s\n' "/bin/true (floor)" "" "$(median "$work"/floor.*)" "$(cpu "$work"/floor.*)" \
	"$(rss "$work"/floor.*)"
echo
for row in podman.ADD podman.DEL full.ADD full.DEL; do
	awk -v o="${med[ours.$row]}" -v r="${med[reference.$row]}" -v row="$row" 'BEGIN {
		printf "%-11s ours %.2f ms, reference %.2f ms: ours %.1fx faster\n", row, o, r, r / o }'
done
awk -v o="${med[ours.full.ADD]}" -v r="${med[reference.full.ADD]}" 'BEGIN {
	printf "target: median ADD (full config) at least 10x faster: %s (%.1fx)\n", (r / o >= 10) ? "MET" : "NOT MET", r / o }'
