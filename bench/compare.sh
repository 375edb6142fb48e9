#!/bin/bash
# Before/after in one run: this tree's build against a build of an earlier revision (BASE),
# both driven by this tree's bench scripts, interleaved so that a shared machine's load
# falls on both alike:
#   - bridge + host-local ADD/DEL (bench/bridge.sh, BENCH_IMPLS="base ours": the two sets
#     alternate within every round);
#   - `netns-run run --rm --net=none true` and `--net=bridge true` (bench/runtime.sh, the
#     four commands round-robin);
#   - bridge + portmap ADD/DEL, PM_N attachments with 2 ports each (bench/portmap.sh, one
#     sandbox per round, the order of the two builds alternating between rounds).
# Then one table: before, after, after/before.  BASE is extracted with `git archive` into
# /tmp/netns-run-base-<commit> (no worktree is registered) and built there with `make all`
# (nothing installed); a second run reuses that build.
# Usage: bench/compare.sh BUILD_DIR [BASE_REV] [N] [ROUNDS]
#   (BENCH_RT_N runs per runtime command, default 30; BENCH_PM_N attachments, default 100;
#    BENCH_PM_ROUNDS portmap rounds, default 2)
set -eu
build=${1:-build}
rev=${2:-0f0e528}
N=${3:-50}
ROUNDS=${4:-3}
RT_N=${BENCH_RT_N:-30}
PM_N=${BENCH_PM_N:-100}
PM_ROUNDS=${BENCH_PM_ROUNDS:-2}
top=$(cd "$(dirname "$0")/.." && pwd)
commit=$(git -C "$top" rev-parse --short=12 "$rev^{commit}")
src=/tmp/netns-run-base-$commit
base=$src/build

if [ ! -x "$base/cni/bridge" ] || [ ! -x "$base/bin/netns-run" ]; then
	echo "compare: building $rev ($commit) in $src"
	rm -rf "$src"
	mkdir -p "$src"
	git -C "$top" archive "$commit" | tar -x -C "$src"
	# A make of its own: not the caller's job server, build directory or flags.
	(unset MAKEFLAGS MFLAGS MAKELEVEL && make -C "$src" -j"$(nproc)" BUILD=build all >"$src.log" 2>&1) ||
		{ echo "compare: building $rev failed, see $src.log" >&2; exit 1; }
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "before: $rev ($commit, $base); after: $(git -C "$top" rev-parse --short=12 HEAD) ($top/$build)"
echo "start: $(uptime)"
echo
echo "== bridge + host-local"
BENCH_IMPLS="base ours" BENCH_BASE=$base "$top/bench/bridge.sh" "$build" "$N" "$ROUNDS" | tee "$out/bridge"
echo
echo "== netns-run run"
BENCH_RT_ONLY=1 BENCH_BASE=$base "$top/bench/runtime.sh" "$build" "$RT_N" | tee "$out/runtime"
echo
echo "== bridge + portmap, $PM_N attachments x 2 ports, $PM_ROUNDS rounds"
for ((r = 1; r <= PM_ROUNDS; r++)); do
	order="base ours"
	((r % 2)) || order="ours base"
	echo "round $r ($order): load average $(cut -d' ' -f1-3 /proc/loadavg)"
	BENCH_IMPLS=$order BENCH_BASE=$base BENCH_KEEP=$out/pm.$r "$top/bench/portmap.sh" "$build" "$PM_N" >"$out/pm.$r.txt"
done
echo "end: $(uptime)"

# bridge.sh's rows: "<ipMasq=X|host-local> <OP> <impl> <a median per round...> <best> ...";
# the best of the rounds' medians, as bridge.sh's own ratios use.
# COL 0 is the best wall time, 3 the median CPU time.
bridge_col() { # LABEL OP IMPL COL
	awk -v l="$1" -v op="$2" -v i="$3" -v c="$((4 + ROUNDS + $4))" '$1 == l && $2 == op && $3 == i { print $c }' \
		"$out/bridge"
}
# runtime.sh's rows: the label in 34 columns, then median, min, max (us).
runtime_median() { # LABEL
	awk -v l="$1" 'substr($0, 1, length(l)) == l && substr($0, length(l) + 1, 1) == " " &&
		substr($0, 35) ~ /[0-9]/ { split(substr($0, 35), f, " "); printf "%.2f", f[1] / 1000 }' "$out/runtime"
}
# portmap: the median over every round's runs (us -> ms).
pm_median() { # IMPL FILE_SUFFIX
	cat "$out"/pm.*/"$1.$2" | sort -n | awk '{ a[NR] = $1 } END { if (NR) printf "%.2f", a[int((NR + 1) / 2)] / 1000 }'
}
line() { # WHAT BEFORE AFTER [CPU_BEFORE CPU_AFTER]
	awk -v w="$1" -v b="$2" -v a="$3" -v cb="${4:-}" -v ca="${5:-}" 'BEGIN {
		if (b > 0 && a > 0) printf "%-36s %10.2f %10.2f %12.3f", w, b, a, a / b
		else printf "%-36s %10s %10s %12s", w, b, a, "-"
		if (cb > 0 && ca > 0) printf "   %8.2f %8.2f %8.3f", cb, ca, ca / cb
		printf "\n" }'
}
bridge_line() { # WHAT LABEL OP
	line "$1" "$(bridge_col "$2" "$3" base 0)" "$(bridge_col "$2" "$3" ours 0)" "$(bridge_col "$2" "$3" base 3)" \
		"$(bridge_col "$2" "$3" ours 3)"
}

echo
echo "before/after, wall ms (bridge: best of $ROUNDS rounds' medians, N = $N, and median CPU ms;"
echo "run: median of $RT_N; portmap: median over $PM_ROUNDS rounds x $PM_N attachments)"
printf '%-36s %10s %10s %12s   %8s %8s %8s\n' "" before after after/before "cpu bef" "cpu aft" ratio
for m in false true; do
	for op in ADD DEL; do bridge_line "bridge ipMasq=$m $op" ipMasq=$m $op; done
done
for op in ADD DEL; do bridge_line "host-local $op" host-local $op; done
for net in none bridge; do
	line "netns-run run --rm --net=$net true" "$(runtime_median "base netns-run --net=$net")" \
		"$(runtime_median "netns-run --net=$net")"
done
line "portmap ADD" "$(pm_median base add)" "$(pm_median ours add)"
line "bridge + portmap ADD" "$(pm_median base addall)" "$(pm_median ours addall)"
line "portmap DEL" "$(pm_median base del)" "$(pm_median ours del)"
line "portmap + bridge DEL" "$(pm_median base delall)" "$(pm_median ours delall)"
