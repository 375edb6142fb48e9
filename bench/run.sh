#!/bin/bash
# Benchmarks, side by side with the reference plugins (Debian's containernetworking-plugins
# in /usr/lib/cni), inside a private network + mount namespace.  Prints medians, spread
# (min..max) and peak RSS per plugin.  Usage: bench/run.sh BUILD_DIR [N]
set -eu
build=${1:-build}
N=${2:-200}
top=$(cd "$(dirname "$0")/.." && pwd)
CNI_BIN=$(cd "$top/$build/cni" && pwd)
REF=/usr/lib/cni
if [ -z "${NR_SANDBOXED:-}" ]; then
	export NR_SANDBOXED=1
	exec unshare --net --mount --propagation private --fork -- "$BASH" "$0" "$@"
fi
mount -t tmpfs nr-bench /run
mkdir -p /run/netns
ip netns add nr-bench
export CNI_CONTAINERID=bench CNI_NETNS=/run/netns/nr-bench CNI_IFNAME=lo

# time_op LABEL BIN CMD CONF: N runs; prints "median min max" in microseconds.
time_op() {
	local bin=$1 cmd=$2 conf=$3 t0 t1 i
	for ((i = 0; i < N; i++)); do
		# EPOCHREALTIME (bash 5) costs no fork, so only the plugin's own run is timed.
		t0=${EPOCHREALTIME/./}
		CNI_COMMAND=$cmd "$bin" <<<"$conf" >/dev/null
		t1=${EPOCHREALTIME/./}
		echo $((t1 - t0))
	done | sort -n | awk '{a[NR]=$1} END {printf "%d %d %d", a[int((NR+1)/2)], a[1], a[NR]}'
}

peak_rss() { # BIN CMD CONF -> kB
	local out
	out=$(CNI_COMMAND=$2 /usr/bin/time -f '%M' "$1" <<<"$3" 2>&1 >/dev/null | tail -n 1)
	echo "$out"
}

conf='{"cniVersion":"1.0.0","name":"bench","type":"loopback"}'
printf '%-28s %10s %10s %10s %10s\n' "loopback, $N runs" "median us" "min us" "max us" "peak kB"
declare -A med
for impl in ours:$CNI_BIN/none reference:$REF/loopback; do
	name=${impl%%:*} bin=${impl#*:}
	[ -x "$bin" ] || { echo "$name: $bin missing, skipped"; continue; }
	for cmd in ADD DEL; do
		read -r m lo hi <<<"$(time_op "$bin" $cmd "$conf")"
		med[$name-$cmd]=$m
		printf '%-28s %10s %10s %10s %10s\n' "$name $cmd" "$m" "$lo" "$hi" "$(peak_rss "$bin" $cmd "$conf")"
	done
done
for cmd in ADD DEL; do
	[ -n "${med[reference-$cmd]:-}" ] && [ -n "${med[ours-$cmd]:-}" ] &&
		awk -v r="${med[reference-$cmd]}" -v o="${med[ours-$cmd]}" -v c=$cmd \
			'BEGIN {printf "loopback %s: ours is %.1fx faster than the reference (median)\n", c, r / o}'
done
ip netns del nr-bench
