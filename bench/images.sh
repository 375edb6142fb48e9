#!/bin/bash
# Images (issue 16, "Must show"), one run, the same image for every tool: a docker-archive
# of busybox and four layers of about MB in all (random and text files: tests/lib/images.sh).
#   load:   netns-run load -i  vs  podman load -i (overlay driver)  vs  the floor: GNU tar -x
#           of the same layer tars into a directory each (no hashing, no archive to read)
#   run:    netns-run run --rm IMAGE true  vs  run --rm -- true (host root)  vs
#           podman run --rm IMAGE true (runc)
#   commit: of a stopped container that wrote 50 MB (random): netns-run commit vs podman commit
# Each measurement starts from the same state (load: an empty store; commit: a fresh
# container), the tools take turns within a round and the order rotates each round.
# Everything (our state dir, podman's storage, the floor's directories) is on the same file
# system (a temp dir under /tmp, or BENCH_IMAGES_DIR), page cache warm.  Inside private network, mount and pid
# namespaces; podman with its own configuration, no service.
# Usage: bench/images.sh BUILD_DIR [MB] [ROUNDS]   (BENCH_BASE=BUILD_DIR adds `run -- true`
# of another build, "base": the runtime from before images, to compare with "today's")
set -u
build=${1:-build}
MB=${2:-100}
ROUNDS=${3:-5}
top=$(cd "$(dirname "$0")/.." && pwd)
NR=$(cd "$top/$build/bin" && pwd)/netns-run
NR_BASE=${BENCH_BASE:+$(cd "$BENCH_BASE/bin" && pwd)/netns-run}
if [ -z "${NR_SANDBOXED:-}" ]; then
	export NR_SANDBOXED=1
	exec unshare --net --mount --pid --fork --mount-proc --propagation private -- "$BASH" "$0" "$@"
fi
mount -t tmpfs nr-bench /run
mkdir -p /var/lib/cni && mount -t tmpfs nr-bench /var/lib/cni
ip link set lo up
source "$top/tests/lib/images.sh"

# BENCH_IMAGES_DIR=/run: everything on the sandbox's tmpfs instead, where no write reaches
# a disk (what is left is CPU and memory: the syncs cost nothing).
W=$(mktemp -d -p "${BENCH_IMAGES_DIR:-/tmp}" nr-bench-images.XXXXXX)
export NETNS_RUN_STATE_DIR=$W/state NETNS_RUN_CONFIG_DIR=$W/net.d
mkdir -p "$NETNS_RUN_CONFIG_DIR"
cleanup() {
	"$NR" rm -f nrb-commit >/dev/null 2>&1
	img_podman_reset
	grep -o " $W/[^ ]*" /proc/self/mountinfo | sort -r | while read -r m; do umount -l "$m"; done
	rm -rf "$W"
}
trap cleanup EXIT
have_pm=1
img_podman_setup "$W/pm" overlay || have_pm=""
[ -n "$have_pm" ] && { podman info >/dev/null 2>&1 || have_pm=""; }
[ -n "$have_pm" ] || echo "podman is not usable here: no podman figures"

REF=localhost/nr-bench-big:1
img_build_big "$W" "$MB" "$REF" || { echo "cannot build the bench image (busybox-static?)" >&2; exit 1; }
echo "image: $REF, $(du -m "$W/big.tar" | cut -f1) MB docker-archive, $(ls "$W"/big/layer*.tar | wc -l) layers + busybox; in $W ($(stat -f -c %T "$W"))"

# time_us CMD...: "WALL_US CPU_US" of CMD (its output dropped): wall clock, and the user +
# system time of the processes it ran (bash's times: this subshell's children, reaped);
# "-1 -1" when it failed.  CPU time moves less than wall time on a shared machine.
time_us() {
	local t0 t1 c
	t0=${EPOCHREALTIME/./}
	"$@" >/dev/null 2>"$W/err" || { echo "-1 -1"; return; }
	t1=${EPOCHREALTIME/./}
	times >"$W/cpu" # not in a $(…): that subshell would have no children of its own
	c=$(tail -n 1 "$W/cpu" | awk '{ n = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); n += p[1] * 60 + p[2] } printf "%d", n * 1e6 }')
	echo "$((t1 - t0)) $c"
}
# report FILE LABEL...: median, min and max wall time (ms) and median CPU time of each
# label's lines "LABEL WALL_US CPU_US".
report() {
	local f=$1 l r c
	shift
	printf '  %-40s %10s %10s %10s %10s\n' "" "median ms" "min ms" "max ms" "CPU ms"
	for l in "$@"; do
		r=$(awk -v l="$l" '$1 == l && $2 >= 0 {print $2}' "$f" | sort -n |
			awk '{a[NR]=$1} END {if (NR) printf "%.1f %.1f %.1f", a[int((NR+1)/2)]/1000, a[1]/1000, a[NR]/1000; else print "failed - -"}')
		c=$(awk -v l="$l" '$1 == l && $3 >= 0 {print $3}' "$f" | sort -n | awk '{a[NR]=$1} END {if (NR) printf "%.1f", a[int((NR+1)/2)]/1000; else print "-"}')
		printf '  %-40s %10s %10s %10s %10s\n' "$l" $r "$c"
	done
}
median() { awk -v l="$2" '$1 == l && $2 >= 0 {print $2}' "$1" | sort -n | awk '{a[NR]=$1} END {print NR ? a[int((NR+1)/2)] : 0}'; }
ratio() { awk -v a="$2" -v b="$3" -v t="$1" 'BEGIN { if (a > 0 && b > 0) printf "  %s: %.2fx\n", t, a / b }'; }

# --- load ---
# Before each timed load: what the previous one wrote is flushed (sync -f of the file
# system), so no tool pays for another's write-back.
settle() { sync -f "$W" 2>/dev/null || sync; }
floor_reset() { rm -rf "$W/floor"; settle; }
floor_x() {
	local i=0 l
	for l in "$W/rootfs.tar" "$W"/big/layer*.tar; do
		i=$((i + 1))
		mkdir -p "$W/floor/$i" && tar -xf "$l" -C "$W/floor/$i" || return 1
	done
}
ours_load() { "$NR" load -i "$W/big.tar"; }
pm_load() { podman load -q -i "$W/big.tar"; }
# Reset before each timed load: an empty store.
ours_reset() { "$NR" rmi -f "$REF" >/dev/null 2>&1; "$NR" gc -q >/dev/null 2>&1; rm -rf "$NETNS_RUN_STATE_DIR/images"; settle; }
pm_reset() { podman rmi -a -f >/dev/null 2>&1; settle; }
loads=(ours floor)
[ -n "$have_pm" ] && loads+=(podman)
for ((i = 0; i < ROUNDS; i++)); do
	for ((j = 0; j < ${#loads[@]}; j++)); do
		case ${loads[$(((i + j) % ${#loads[@]}))]} in
		ours) ours_reset && echo "netns-run-load $(time_us ours_load)" ;;
		floor) floor_reset && echo "tar-x-floor $(time_us floor_x)" ;;
		podman) pm_reset && echo "podman-load $(time_us pm_load)" ;;
		esac
	done
done >"$W/load.times"
rm -rf "$W/floor"
echo
echo "load of the ${MB} MB image ($ROUNDS rounds)"
report "$W/load.times" netns-run-load podman-load tar-x-floor
ours=$(median "$W/load.times" netns-run-load)
ratio "podman load / netns-run load (goal >= 3)" "$(median "$W/load.times" podman-load)" "$ours"
ratio "netns-run load / tar -x floor" "$ours" "$(median "$W/load.times" tar-x-floor)"

# --- run --- (the image stays loaded in both stores)
ours_reset
"$NR" load -i "$W/big.tar" >/dev/null || echo "netns-run load failed: $(cat "$W/err")"
[ -n "$have_pm" ] && { pm_reset; pm_load >/dev/null; }
N_RUN=$((ROUNDS * 4))
runs=(image host)
[ -n "$NR_BASE" ] && runs+=(base)
[ -n "$have_pm" ] && runs+=(podman)
for ((i = 0; i < N_RUN; i++)); do
	for ((j = 0; j < ${#runs[@]}; j++)); do
		case ${runs[$(((i + j) % ${#runs[@]}))]} in
		image) echo "netns-run-run-IMAGE $(time_us "$NR" run --rm --net=none "$REF" true)" ;;
		host) echo "netns-run-run----true $(time_us "$NR" run --rm --net=none -- true)" ;;
		base) echo "base-run----true $(time_us "$NR_BASE" run --rm --net=none -- true)" ;;
		podman) echo "podman-run-IMAGE $(time_us podman run --rm --network none "$REF" true)" ;;
		esac
	done
done >"$W/run.times"
echo
echo "run --rm --net=none ... true ($N_RUN runs each)"
report "$W/run.times" netns-run-run-IMAGE netns-run-run----true ${NR_BASE:+base-run----true} podman-run-IMAGE
img=$(median "$W/run.times" netns-run-run-IMAGE)
ratio "run IMAGE / run -- (host root) (goal <= 1.2)" "$img" "$(median "$W/run.times" netns-run-run----true)"
[ -n "$NR_BASE" ] && ratio "run IMAGE / base's run -- (goal <= 1.2)" "$img" "$(median "$W/run.times" base-run----true)"
ratio "podman run IMAGE / netns-run run IMAGE" "$(median "$W/run.times" podman-run-IMAGE)" "$img"

# --- commit --- of a container that wrote 50 MB; a fresh container each time.
WRITE='head -c 52428800 /dev/urandom >/fifty'
ours_commit() { "$NR" commit nrb-commit localhost/nrb-commit:1; }
pm_commit() { podman commit -q nrb-commit localhost/nrb-commit:1; }
commits=(ours)
[ -n "$have_pm" ] && commits+=(podman)
for ((i = 0; i < ROUNDS; i++)); do
	for ((j = 0; j < ${#commits[@]}; j++)); do
		case ${commits[$(((i + j) % ${#commits[@]}))]} in
		ours)
			"$NR" run --name nrb-commit --net=none "$REF" sh -c "$WRITE" >/dev/null 2>&1
			echo "netns-run-commit $(time_us ours_commit)"
			"$NR" rm -f nrb-commit >/dev/null 2>&1
			"$NR" rmi localhost/nrb-commit:1 >/dev/null 2>&1
			;;
		podman)
			podman run --name nrb-commit --network none "$REF" sh -c "$WRITE" >/dev/null 2>&1
			echo "podman-commit $(time_us pm_commit)"
			podman rm -f nrb-commit >/dev/null 2>&1
			podman rmi localhost/nrb-commit:1 >/dev/null 2>&1
			;;
		esac
	done
done >"$W/commit.times"
echo
echo "commit of a container that wrote 50 MB ($ROUNDS rounds)"
report "$W/commit.times" netns-run-commit podman-commit
ratio "podman commit / netns-run commit" "$(median "$W/commit.times" podman-commit)" "$(median "$W/commit.times" netns-run-commit)"
grep -q -- ' -1 -1$' "$W"/*.times && echo "(some runs failed; last error: $(head -c 300 "$W/err"))"
true
