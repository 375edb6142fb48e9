#!/bin/bash
# Network labs (issue 19): deploy and destroy of an N-node ring (linux nodes on the host's
# root, two links each: node i's eth2 to node i+1's eth1, the last back to the first)
# against the floor — a shell script doing only what the same graph needs of the kernel,
# `ip netns add` per node and `ip link add … netns …` per link, then `ip netns del` per
# node.  ROUNDS rounds, floor and ours interleaved; the median of each, their ratio and the
# goals (deploy within 2x of the floor, destroy within 1.5x); then the memory of one
# deployed lab per node: the proportional set size (Pss, smaps_rollup) of each node's
# monitor, init and command.  Inside a private network + mount namespace (nothing of the
# machine's is touched); the state and config dirs are the sandbox's tmpfs.
# Usage: bench/lab.sh BUILD_DIR [N] [ROUNDS]
set -u
build=${1:-build}
N=${2:-100}
ROUNDS=${3:-3}
top=$(cd "$(dirname "$0")/.." && pwd)
source "$top/tests/lib/sandbox.sh"
export NETNS_RUN_STATE_DIR=/run/netns-run NETNS_RUN_CONFIG_DIR=/run/netns-run-net.d
export NETNS_RUN_CNI_CACHE_DIR=/var/lib/cni/results
mkdir -p "$NETNS_RUN_CONFIG_DIR"
LAB="$top/$build/bin/netns-run-lab"
[ -x "$LAB" ] || { echo "bench: $LAB missing (make all)" >&2; exit 1; }
W=$(mktemp -d /run/lab-bench.XXXX)
TOPO="$W/ring.yml"
trap '"$LAB" destroy --name bench >/dev/null 2>&1; for i in $(seq 1 $N); do ip netns del lb$i 2>/dev/null; done; rm -rf "$W"' EXIT

{
	echo "name: bench"
	echo "topology:"
	echo "  nodes:"
	for i in $(seq 1 "$N"); do echo "    n$i: {}"; done
	echo "  links:"
	for i in $(seq 1 "$N"); do echo "    - endpoints: [\"n$i:eth2\", \"n$((i % N + 1)):eth1\"]"; done
} >"$TOPO"

now() { date +%s%N; }
floor_deploy() {
	for i in $(seq 1 "$N"); do ip netns add lb$i; done
	for i in $(seq 1 "$N"); do ip link add eth2 netns lb$i type veth peer name eth1 netns lb$((i % N + 1)); done
}
floor_destroy() { for i in $(seq 1 "$N"); do ip netns del lb$i; done; }
ours_deploy() { "$LAB" deploy -t "$TOPO" >/dev/null; }
ours_destroy() { "$LAB" destroy --name bench >/dev/null; }
# timed NAME CMD: CMD's wall time in ms appended to $W/NAME (a failure stops the bench).
timed() {
	local t0 t1 name=$1
	shift
	t0=$(now)
	"$@" || { echo "bench: $name failed" >&2; exit 1; }
	t1=$(now)
	echo $(((t1 - t0) / 1000000)) >>"$W/$name"
}
median() { sort -n "$W/$1" | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2)}'; }

# What a deployed ring has, checked once: N running nodes, 2N veth ends in them.
ours_deploy || { echo "bench: the first deploy failed" >&2; exit 1; }
running=$(ls "$NETNS_RUN_STATE_DIR/containers" | wc -l)
[ "$running" = "$N" ] || { echo "bench: $running containers, not $N" >&2; exit 1; }
pss=0
for c in "$NETNS_RUN_STATE_DIR"/containers/*; do
	init=$(jq -r .pid "$c/state.json")
	mon=$(jq -r .monitor "$c/state.json")
	for p in $mon $init $(cat /proc/$init/task/$init/children 2>/dev/null); do
		kb=$(awk '/^Pss:/ {print $2}' /proc/$p/smaps_rollup 2>/dev/null)
		pss=$((pss + ${kb:-0}))
	done
done
ours_destroy || exit 1

for _ in $(seq 1 "$ROUNDS"); do
	timed floor-deploy floor_deploy
	timed floor-destroy floor_destroy
	timed ours-deploy ours_deploy
	timed ours-destroy ours_destroy
done

fd=$(median floor-deploy) fx=$(median floor-destroy) od=$(median ours-deploy) ox=$(median ours-destroy)
echo "lab bench: a ring of $N linux nodes (host root), $N links; $ROUNDS rounds; load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-34s %10s %10s %8s %s\n' "" "floor ms" "ours ms" "ratio" "rounds (ours)"
printf '%-34s %10s %10s %8s %s\n' "deploy (nodes + links)" "$fd" "$od" "$(awk -v a="$od" -v b="$fd" 'BEGIN {printf "%.2f", a / b}')" "$(tr '\n' ' ' <"$W/ours-deploy")"
printf '%-34s %10s %10s %8s %s\n' "destroy" "$fx" "$ox" "$(awk -v a="$ox" -v b="$fx" 'BEGIN {printf "%.2f", a / b}')" "$(tr '\n' ' ' <"$W/ours-destroy")"
echo "memory per node (Pss of monitor + init + command): $((pss / N)) kB"
awk -v a="$od" -v b="$fd" 'BEGIN {print "target: deploy within 2x of the floor: " (a <= 2 * b ? "MET" : "NOT MET")}'
awk -v a="$ox" -v b="$fx" 'BEGIN {print "target: destroy within 1.5x of the floor: " (a <= 1.5 * b ? "MET" : "NOT MET")}'
