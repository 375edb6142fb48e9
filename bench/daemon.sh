#!/bin/bash
# The daemon (issue 18, "Must show"): the docker 28 CLI through our daemon
# (netns-run-daemon) and through podman's Docker-compatible service (`podman system
# service`, Debian's podman 4.3, runc), side by side in the same run, the same busybox
# image loaded into both with `docker load`:
#   run:     `docker run --rm IMAGE true`, median of N (goal: ours >= 10x faster), on each
#            one's default network and with --network none
#   ps:      `docker ps -a` with NPS containers created (`docker create IMAGE true`)
#   conc:    NCONC `docker run --rm IMAGE true` at once: the wall time of the batch, and
#            how many failed
#   floor:   `docker version` (the CLI's own start-up and one round trip), for scale
# Rounds alternate ours and podman.  Inside private network, mount and pid namespaces;
# podman with its own configuration and storage under the temp dir; both services killed
# by pid.  Usage: bench/daemon.sh BUILD_DIR [N] [NPS] [NCONC]   (DOCKER=path of the CLI;
# BUILD_DIR relative to the tree or absolute, e.g. an older build to compare with; NO_PODMAN=1:
# our side alone)
set -u
build=${1:-build}
N=${2:-20}
NPS=${3:-100}
NCONC=${4:-20}
top=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${NR_SANDBOXED:-}" ]; then
	export NR_SANDBOXED=1
	exec unshare --net --mount --pid --fork --mount-proc --propagation private -- "$BASH" "$0" "$@"
fi
mount -t tmpfs -o mode=0755 nr-bench /run
mkdir -p /run/netns /var/lib/cni && mount -t tmpfs nr-bench /var/lib/cni
ip link set lo up
case $build in
/*) export NR_BUILD=$build ;;
*) export NR_BUILD=$top/$build ;;
esac
source "$top/tests/lib/images.sh"
DAEMON=$NR_BUILD/bin/netns-run-daemon
DOCKER=${DOCKER:-/usr/local/bin/docker}
for t in "$DAEMON" "$DOCKER" podman curl; do
	command -v "$t" >/dev/null || { echo "bench/daemon.sh: $t is missing: no daemon figures"; exit 0; }
done

W=$(mktemp -d -p /tmp nr-bench-daemon.XXXXXX)
export NETNS_RUN_STATE_DIR=$W/state NETNS_RUN_CONFIG_DIR=$W/net.d NETNS_RUN_CNI_CACHE_DIR=/var/lib/cni/results
export DOCKER_CONFIG=$W/dockercfg
unset DOCKER_HOST DOCKER_CONTEXT DOCKER_API_VERSION
mkdir -p "$NETNS_RUN_CONFIG_DIR" "$DOCKER_CONFIG"
OURS=$W/d.sock
THEIRS=$W/podman.sock
OPID="" PPID_=""
cleanup() {
	local pid
	# shellcheck disable=SC2046 # one id per word
	DOCKER_HOST=unix://$OURS "$DOCKER" rm -f $(DOCKER_HOST=unix://$OURS "$DOCKER" ps -aq 2>/dev/null) >/dev/null 2>&1
	[ -n "$OPID" ] && kill "$OPID" 2>/dev/null
	[ -n "$PPID_" ] && kill "$PPID_" 2>/dev/null
	img_podman_reset
	# Whatever else the two started (monitors, conmon) dies with the pid namespace; end it
	# now, by pid, so that nothing holds $W's mounts.
	for pid in /proc/[0-9]*; do
		pid=${pid#/proc/}
		[ "$pid" != $$ ] && [ "$pid" != "$BASHPID" ] && kill -9 "$pid" 2>/dev/null
	done
	grep -o " $W/[^ ]*" /proc/self/mountinfo | sort -r | while read -r m; do umount -l "$m"; done
	rm -rf "$W"
}
trap cleanup EXIT

# ping SOCK: the service answers /_ping (bounded wait, 20 s).
ping() {
	for _ in $(seq 200); do
		curl -sf --unix-socket "$1" http://d/_ping >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}
"$DAEMON" -H "unix://$OURS" >"$W/daemon.log" 2>&1 &
OPID=$!
ping "$OURS" || { echo "bench/daemon.sh: our daemon does not answer: $(tail -5 "$W/daemon.log")"; exit 1; }
have_pm=1
[ -n "${NO_PODMAN:-}" ] && have_pm=""
[ -n "$have_pm" ] && img_podman_setup "$W/pm" overlay || have_pm=""
if [ -n "$have_pm" ]; then
	podman system service --time=0 "unix://$THEIRS" >"$W/podman.log" 2>&1 &
	PPID_=$!
	ping "$THEIRS" || { echo "podman's service does not answer: no podman figures ($(tail -3 "$W/podman.log"))"; have_pm=""; }
fi

# The image: busybox-static as a docker archive, loaded through each socket.
img_busybox_rootfs_tar "$W/rootfs.tar" || { echo "bench/daemon.sh: no static busybox" >&2; exit 1; }
img_docker_archive "$W/bb.tar" nrbench/bb:1 '{"Cmd":["sh"],"Env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]}' "$W/rootfs.tar"
dk() { local s=$1; shift; DOCKER_HOST=unix://$s "$DOCKER" "$@"; }
dk "$OURS" load -i "$W/bb.tar" >/dev/null || { echo "bench/daemon.sh: docker load through our daemon failed" >&2; exit 1; }
REF_OURS=nrbench/bb:1
REF_PM=nrbench/bb:1
if [ -n "$have_pm" ]; then
	dk "$THEIRS" load -i "$W/bb.tar" >/dev/null || { echo "docker load through podman failed: no podman figures"; have_pm=""; }
	# podman keeps a short name as localhost/NAME or docker.io/NAME: take the name it lists.
	[ -n "$have_pm" ] && ! dk "$THEIRS" image inspect "$REF_PM" >/dev/null 2>&1 &&
		REF_PM=$(dk "$THEIRS" images --format '{{.Repository}}:{{.Tag}}' | grep 'nrbench/bb:1$' | head -n 1)
fi
sides=(ours)
[ -n "$have_pm" ] && sides+=(podman)
sock() { [ "$1" = ours ] && echo "$OURS" || echo "$THEIRS"; }
ref() { [ "$1" = ours ] && echo "$REF_OURS" || echo "$REF_PM"; }

# time_us CMD...: the wall time of CMD in microseconds (output dropped); -1 when it failed.
time_us() {
	local t0 t1
	t0=${EPOCHREALTIME/./}
	"$@" >/dev/null 2>>"$W/err" || { echo -1; return; }
	t1=${EPOCHREALTIME/./}
	echo $((t1 - t0))
}
# conc SIDE: NCONC runs at once (a subshell: its wait is for those alone); fails if any did.
conc() {
	(
		local i s r
		s=$(sock "$1") r=$(ref "$1")
		for i in $(seq "$NCONC"); do
			(DOCKER_HOST=unix://$s "$DOCKER" run --rm "$r" true >/dev/null 2>>"$W/err" || echo x >>"$W/conc-fail-$1") &
		done
		wait
	)
}
median() { awk -v l="$2" '$1 == l && $2 >= 0 {print $2}' "$1" | sort -n | awk '{a[NR]=$1} END {if (NR) printf "%.1f", a[int((NR+1)/2)]/1000; else print "failed"}'; }
minmax() { awk -v l="$2" '$1 == l && $2 >= 0 {print $2}' "$1" | sort -n | awk '{a[NR]=$1} END {if (NR) printf "%.1f %.1f", a[1]/1000, a[NR]/1000; else print "- -"}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && a > 0 && b > 0) printf "%.1fx", a / b; else print "-" }'; }

echo "docker $("$DOCKER" version --format '{{.Client.Version}}' 2>/dev/null) CLI; ours: $(dk "$OURS" version --format '{{.Server.Version}} (API {{.Server.APIVersion}})' 2>/dev/null)"
[ -n "$have_pm" ] && echo "podman: $(dk "$THEIRS" version --format '{{.Server.Version}} (API {{.Server.APIVersion}})' 2>/dev/null), runc, overlay"
echo "$N rounds, $NPS containers for ps, $NCONC concurrent runs; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"

# --- floor, run (default network, none) --- rounds alternate the sides' order.
for i in $(seq "$N"); do
	order=("${sides[@]}")
	[ $((i % 2)) = 0 ] && [ ${#sides[@]} = 2 ] && order=(podman ours)
	for s in "${order[@]}"; do
		echo "$s-version $(time_us dk "$(sock "$s")" version)"
		echo "$s-run $(time_us dk "$(sock "$s")" run --rm "$(ref "$s")" true)"
		echo "$s-run-none $(time_us dk "$(sock "$s")" run --rm --network none "$(ref "$s")" true)"
	done
done >"$W/times"

# --- conc ---
ROUNDS_C=$(((N + 3) / 4))
for i in $(seq "$ROUNDS_C"); do
	for s in "${sides[@]}"; do echo "$s-conc $(time_us conc "$s")"; done
done >>"$W/times"

# --- ps with NPS containers ---
for s in "${sides[@]}"; do
	for i in $(seq "$NPS"); do dk "$(sock "$s")" create --network none "$(ref "$s")" true >/dev/null 2>>"$W/err"; done
	echo "# $s: $(dk "$(sock "$s")" ps -aq 2>/dev/null | wc -l) containers listed by ps -a" >>"$W/times"
done
for i in $(seq "$N"); do
	for s in "${sides[@]}"; do echo "$s-ps $(time_us dk "$(sock "$s")" ps -a)"; done
done >>"$W/times"
for s in "${sides[@]}"; do
	# shellcheck disable=SC2046 # one id per word
	dk "$(sock "$s")" rm -f $(dk "$(sock "$s")" ps -aq 2>/dev/null) >/dev/null 2>&1
done

echo
printf '  %-44s %10s %10s %10s %10s %8s\n' "" "ours ms" "podman ms" "ours min" "ours max" "ratio"
row() {
	local what=$1 key=$2 o p
	o=$(median "$W/times" "ours-$key")
	p=$( [ -n "$have_pm" ] && median "$W/times" "podman-$key" || echo -)
	# shellcheck disable=SC2046,SC2183 # minmax gives two words: min and max
	printf '  %-44s %10s %10s %10s %10s %8s\n' "$what" "$o" "$p" $(minmax "$W/times" "ours-$key") "$(ratio "$p" "$o")"
}
row "docker version (floor)" version
row "docker run --rm IMAGE true (default network)" run
row "docker run --rm --network none IMAGE true" run-none
row "docker ps -a, $NPS containers" ps
row "$NCONC x docker run --rm IMAGE true at once" conc
grep '^#' "$W/times" | sed 's/^# /  /'
for s in "${sides[@]}"; do
	[ -s "$W/conc-fail-$s" ] && echo "  $s: $(wc -l <"$W/conc-fail-$s") of the concurrent runs failed"
done
[ -s "$W/err" ] && { echo "  errors seen (first 5):"; sort "$W/err" | uniq -c | sort -rn | head -5 | sed 's/^/    /'; }
echo "  goal: docker run --rm through ours >= 10x faster than through podman's service: $(ratio "$(median "$W/times" podman-run)" "$(median "$W/times" ours-run)")"
