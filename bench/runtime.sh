#!/bin/bash
# Container start+stop cost: `netns-run --rm --net=none true` and `--net=bridge true`
# against the kernel floor (`unshare --fork --pid --mount --uts --ipc --net true`) and
# Debian's crun running a minimal bundle, all in one run, medians and ratios.
# Inside a private network + mount namespace; netns-run's state and the CNI cache on tmpfs.
# Usage: bench/runtime.sh BUILD_DIR [N]
set -eu
build=${1:-build}
N=${2:-30}
top=$(cd "$(dirname "$0")/.." && pwd)
NR=$(cd "$top/$build/bin" && pwd)/netns-run
if [ -z "${NR_SANDBOXED:-}" ]; then
	export NR_SANDBOXED=1
	exec unshare --net --mount --propagation private --fork -- "$BASH" "$0" "$@"
fi
mount -t tmpfs nr-bench /run
mkdir -p /var/lib/cni && mount -t tmpfs nr-bench /var/lib/cni
ip link set lo up
export NETNS_RUN_STATE_DIR=/run/netns-run NETNS_RUN_CONFIG_DIR=/run/netns-run/net.d

# med LABEL CMD...: N runs; prints "median min max" in microseconds.
med() {
	local t0 t1 i
	for ((i = 0; i < N; i++)); do
		t0=${EPOCHREALTIME/./}
		"$@" >/dev/null
		t1=${EPOCHREALTIME/./}
		echo $((t1 - t0))
	done | sort -n | awk '{a[NR]=$1} END {printf "%d %d %d", a[int((NR+1)/2)], a[1], a[NR]}'
}

declare -A m
row() { # LABEL CMD...
	local label=$1 r
	shift
	"$@" >/dev/null 2>&1 || { printf '%-34s %s\n' "$label" "(failed: $*)"; return; }
	r=$(med "$@")
	m[$label]=${r%% *}
	printf '%-34s %10s %10s %10s\n' "$label" $r
}

printf '%-34s %10s %10s %10s\n' "$N runs each" "median us" "min us" "max us"
row "unshare (kernel floor)" unshare --fork --pid --mount --uts --ipc --net true
row "netns-run --net=none" "$NR" run --rm --net=none true
row "netns-run --net=bridge" "$NR" run --rm --net=bridge true
if command -v crun >/dev/null; then
	# crun 1.8 refuses a hybrid cgroup layout: hide the unified tree in this mount
	# namespace and run it without cgroups (netns-run, above, runs with them).
	[ -d /sys/fs/cgroup/unified ] && mount -t tmpfs nr-bench /sys/fs/cgroup/unified
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
	row "crun run (no cgroups)" crun_run
else
	echo "crun is not installed (apt-get install crun): no crun figure"
fi
floor=${m["unshare (kernel floor)"]:-0}
none=${m["netns-run --net=none"]:-0}
crun=${m["crun run (no cgroups)"]:-0}
echo
[ "$floor" -gt 0 ] && [ "$none" -gt 0 ] &&
	awk -v a="$none" -v b="$floor" 'BEGIN { printf "netns-run --net=none / unshare floor: %.2fx\n", a / b }'
[ "$crun" -gt 0 ] && [ "$none" -gt 0 ] &&
	awk -v a="$none" -v b="$crun" 'BEGIN { printf "netns-run --net=none / crun:          %.2fx\n", a / b }'
true
