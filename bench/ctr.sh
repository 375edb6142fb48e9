#!/bin/bash
# `ctr run --rm --cni IMAGE ID true` with our plugins against the reference plugins
# (/usr/lib/cni), and `ctr run --rm IMAGE ID true` (no CNI) as the base, in one run:
# containerd started here, inside private network, mount and pid namespaces (private
# root, state and socket under a tmpfs; tests/lib/containerd.sh), an offline busybox
# image (tests/lib/busybox_image.sh), one conflist (bridge + host-local + portmap, as
# podman's first two and Kubernetes' usual chain) bound over /etc/cni/net.d, and the
# contender's plugin directory over /opt/cni/bin.
# ROUNDS rounds, the three sets interleaved (the order rotating each round), N runs each;
# one untimed run per set first (the bridge and the masquerade base state exist).  Between
# sets, untimed: the reference's masquerade chains, which its DEL leaves behind when ctr
# calls it with an empty CNI_NETNS, are flushed so that they do not slow its later runs.
# Networking's share of a run = median(with --cni) - median(without): the goal is ours
# >= 4x smaller than the reference's.
# Usage: bench/ctr.sh BUILD_DIR [N] [ROUNDS]
set -u
build=${1:-build}
N=${2:-20}
ROUNDS=${3:-3}
top=$(cd "$(dirname "$0")/.." && pwd)
OURS=$(cd "$top/$build/cni" && pwd)
REF=/usr/lib/cni
source "$top/tests/lib/sandbox_pid.sh"
source "$top/tests/lib/containerd.sh"
source "$top/tests/lib/busybox_image.sh"

ctrd_have || { echo "bench: containerd, ctr or runc missing (make deps)" >&2; exit 1; }
for p in bridge host-local portmap loopback; do
	for d in "$OURS" "$REF"; do [ -x "$d/$p" ] || { echo "bench: $d/$p missing" >&2; exit 1; }; done
done
trap ctrd_stop EXIT
ctrd_start || exit 1
IMG=docker.io/library/nr-busybox:bench
work=$CTRD_DIR/bench
mkdir -p "$work/net.d"
busybox_image "$work/busybox.tar" "$IMG" || { echo "bench: no static /bin/busybox" >&2; exit 1; }
c images import "$work/busybox.tar" >/dev/null || exit 1
# 198.18.0.0/15: the benchmarking range (RFC 2544).
cat >"$work/net.d/10-bench.conflist" <<'JSON'
{"cniVersion": "1.0.0", "name": "bench", "plugins": [
  {"type": "bridge", "bridge": "nrbench0", "isGateway": true, "ipMasq": true, "hairpinMode": true,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "198.18.0.0/16"}]], "routes": [{"dst": "0.0.0.0/0"}]}},
  {"type": "portmap", "capabilities": {"portMappings": true}}]}
JSON

# one SET ID: one timed `ctr run`, its wall time in µs appended to $work/SET.
n=0
one() {
	local t0 t1 args=()
	[ "$1" = nocni ] || args=(--cni)
	t0=${EPOCHREALTIME/./}
	c run --rm "${args[@]}" "$IMG" "b$n" true >/dev/null 2>&1 || { echo "bench: $1 run failed" >&2; exit 1; }
	t1=${EPOCHREALTIME/./}
	echo $((t1 - t0)) >>"$work/$1"
	n=$((n + 1))
}
use() {
	case $1 in
	ours) ctrd_cni "$OURS" "$work/net.d" ;;
	reference) ctrd_cni "$REF" "$work/net.d" ;;
	esac
	iptables -t nat -F 2>/dev/null && iptables -t nat -X 2>/dev/null
}
SETS=(nocni ours reference)
for s in "${SETS[@]}"; do use "$s" && one "$s"; done
rm -f "$work"/{nocni,ours,reference} # the warm-up runs are not counted

echo "ctr run --rm [--cni] IMAGE true: $N runs per set per round, $ROUNDS rounds; $(nproc) CPUs, $(uname -r), $(ctr --version)"
for ((r = 0; r < ROUNDS; r++)); do
	echo "round $((r + 1)): load average $(cut -d' ' -f1-3 /proc/loadavg)"
	for ((k = 0; k < 3; k++)); do
		s=${SETS[$(((k + r) % 3))]}
		use "$s"
		for ((i = 0; i < N; i++)); do one "$s"; done
	done
done
[ -z "$(ip -o link show type veth)" ] || { echo "bench: veths left behind" >&2; exit 1; }

median() { sort -n "$1" | awk '{ w[NR] = $1 } END { printf "%.1f", w[int((NR + 1) / 2)] / 1000 }'; }
m_no=$(median "$work/nocni") m_ours=$(median "$work/ours") m_ref=$(median "$work/reference")
printf '\n%-34s %9s %9s\n' "wall time in ms (median)" run "network"
printf '%-34s %9s %9s\n' "ctr run --rm (no CNI)" "$m_no" -
awk -v o="$m_ours" -v r="$m_ref" -v b="$m_no" 'BEGIN {
	printf "%-34s %9.1f %9.1f\n", "ctr run --rm --cni, ours", o, o - b
	printf "%-34s %9.1f %9.1f\n", "ctr run --rm --cni, reference", r, r - b
	if (o - b > 0) printf "networking share: ours %.1f ms, reference %.1f ms: %.1fx smaller (goal >= 4x)\n", o - b, r - b, (r - b) / (o - b)
	else printf "networking share: ours %.1f ms (within the noise of the base), reference %.1f ms\n", o - b, r - b
}'
