#!/bin/bash
# Container start+stop cost: `netns-run --rm --net=none true` (with and without the
# seccomp filter) and `--net=bridge true`
# against the kernel floor (`unshare --fork --pid --mount --uts --ipc --net true`) and
# Debian's crun running a minimal bundle, all in one run, medians and ratios.
# Inside a private network + mount namespace; netns-run's state and the CNI cache on tmpfs.
# Usage: bench/runtime.sh BUILD_DIR [N]   (BENCH_BASE=BUILD_DIR adds the netns-run of another
# build, "base": bench/compare.sh; BENCH_RT_ONLY=1 leaves out the unshare floor and crun)
set -eu
build=${1:-build}
N=${2:-30}
top=$(cd "$(dirname "$0")/.." && pwd)
NR=$(cd "$top/$build/bin" && pwd)/netns-run
NR_BASE=${BENCH_BASE:+$(cd "$BENCH_BASE/bin" && pwd)/netns-run}
if [ -z "${NR_SANDBOXED:-}" ]; then
	export NR_SANDBOXED=1
	exec unshare --net --mount --propagation private --fork -- "$BASH" "$0" "$@"
fi
mount -t tmpfs nr-bench /run
mkdir -p /var/lib/cni && mount -t tmpfs nr-bench /var/lib/cni
ip link set lo up
export NETNS_RUN_STATE_DIR=/run/netns-run NETNS_RUN_CONFIG_DIR=/run/netns-run/net.d

# The commands are timed round-robin (one run of each in turn, N rounds, the order rotating
# each round), so a change of load on a shared machine hits them all alike and the ratios
# hold within the run.
labels=() cmds=()
add() { # LABEL CMD...: checked once, then timed in the rounds
	local label=$1
	shift
	if ! "$@" >/dev/null 2>&1; then
		printf '%-34s %s\n' "$label" "(failed: $*)"
		return
	fi
	labels+=("$label")
	cmds+=("$*")
}
[ -n "${BENCH_RT_ONLY:-}" ] || add "unshare (kernel floor)" unshare --fork --pid --mount --uts --ipc --net true
add "netns-run --net=none" "$NR" run --rm --net=none true
# The seccomp filter's share (docs/security.md, "Cost"): the same run without it.
add "netns-run --net=none unconfined" "$NR" run --rm --net=none --security-opt seccomp=unconfined true
add "netns-run --net=bridge" "$NR" run --rm --net=bridge true
if [ -n "$NR_BASE" ]; then
	add "base netns-run --net=none" "$NR_BASE" run --rm --net=none true
	add "base netns-run --net=bridge" "$NR_BASE" run --rm --net=bridge true
fi
if [ -n "${BENCH_RT_ONLY:-}" ]; then
	:
elif command -v crun >/dev/null; then
	bundle=/run/crun-bundle
	mkdir -p "$bundle/rootfs"
	(cd "$bundle" && crun spec)
	binds='[{"destination":"/usr","type":"bind","source":"/usr","options":["rbind","ro"]}]'
	for d in bin lib lib64 sbin; do
		[ -L "/$d" ] && ln -s "$(readlink "/$d")" "$bundle/rootfs/$d"
	done
	jq --argjson b "$binds" '.process.args=["/bin/true"] | .process.terminal=false | .root.readonly=true
		| .mounts += $b | del(.linux.resources)
		| .linux.namespaces=[{"type":"pid"},{"type":"ipc"},{"type":"uts"},{"type":"mount"},{"type":"network"}]' \
		"$bundle/config.json" >"$bundle/c" && mv "$bundle/c" "$bundle/config.json"
	crun_run() { crun --root /run/crun --cgroup-manager=disabled run --bundle "$bundle" "b$RANDOM$RANDOM"; }
	# crun 1.8 refuses a hybrid cgroup layout: the unified tree is hidden (in this mount
	# namespace) while it runs, and it runs without cgroups; netns-run runs with them.
	hide() { [ -d /sys/fs/cgroup/unified ] && mount -t tmpfs nr-bench /sys/fs/cgroup/unified; }
	unhide() { [ -d /sys/fs/cgroup/unified ] && umount /sys/fs/cgroup/unified; }
	hide
	add "crun run (no cgroups)" crun_run
	unhide
else
	echo "crun is not installed (apt-get install crun): no crun figure"
fi
work=$(mktemp -d -p /run bench.XXXXXX)
# Each run leaves asynchronous kernel work behind (the network namespace's cleanup_net,
# RCU callbacks) that lands on whatever runs next; the order rotates every round so each
# command follows each other one equally often instead of always the same one.
n_cmds=${#cmds[@]}
for ((i = 0; i < N; i++)); do
	for ((j = 0; j < n_cmds; j++)); do
		k=$(((i + j) % n_cmds))
		[ "${cmds[$k]}" = crun_run ] && hide
		t0=${EPOCHREALTIME/./}
		${cmds[$k]} >/dev/null
		t1=${EPOCHREALTIME/./}
		[ "${cmds[$k]}" = crun_run ] && unhide
		echo "$k $((t1 - t0))"
	done
done >"$work/times"
declare -A m
printf '%-34s %10s %10s %10s\n' "$N runs each, interleaved" "median us" "min us" "max us"
for k in "${!cmds[@]}"; do
	r=$(awk -v k="$k" '$1 == k {print $2}' "$work/times" | sort -n |
		awk '{a[NR]=$1} END {printf "%d %d %d", a[int((NR+1)/2)], a[1], a[NR]}')
	m[${labels[$k]}]=${r%% *}
	printf '%-34s %10s %10s %10s\n' "${labels[$k]}" $r
done
"$NR" gc -q >/dev/null 2>&1 || true
floor=${m["unshare (kernel floor)"]:-0}
none=${m["netns-run --net=none"]:-0}
crun=${m["crun run (no cgroups)"]:-0}
unconf=${m["netns-run --net=none unconfined"]:-0}
echo
[ "$floor" -gt 0 ] && [ "$none" -gt 0 ] &&
	awk -v a="$none" -v b="$floor" 'BEGIN { printf "netns-run --net=none / unshare floor: %.2fx\n", a / b }'
[ "$crun" -gt 0 ] && [ "$none" -gt 0 ] &&
	awk -v a="$none" -v b="$crun" 'BEGIN { printf "netns-run --net=none / crun:          %.2fx\n", a / b }'
[ "$unconf" -gt 0 ] && [ "$none" -gt 0 ] &&
	awk -v a="$none" -v b="$unconf" 'BEGIN { printf "seccomp filter (default - unconfined): %+d us (goal: under 300)\n", a - b }'
true
