#!/bin/bash
# Run every libFuzzer target built in FUZZ_BUILD for SECONDS each (make fuzz, make
# fuzz-check).  Seeds come from tests/fuzz/corpus/<target>/ (read only: crash regressions
# live there too); what a run discovers goes to FUZZ_BUILD/corpus/<target>/ and a crashing
# input to FUZZ_BUILD/crashes/.  Prints executions per target; fails on any crash, leak or
# sanitizer report.
# Usage: tests/reliability/fuzz.sh FUZZ_BUILD SECONDS
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build-fuzz}
secs=${2:-60}
failed=0 passed=0 summary=""
mkdir -p "$build/crashes"
for bin in "$build"/fuzz_*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin")
	seeds="$top/tests/fuzz/corpus/$name"
	work="$build/corpus/$name"
	log="$build/$name.log"
	mkdir -p "$work" "$seeds"
	# The target's scratch files (fuzz.h's fuzz_tmpdir) go to a TMPDIR of its own, removed
	# after it: libFuzzer ends a timed run by exit(), so no cleanup of the target's runs.
	scratch=$(mktemp -d /tmp/nr-fuzzrun.XXXXXX)
	# libFuzzer first runs every seed (the regression inputs), then mutates for -max_total_time.
	TMPDIR=$scratch "$bin" -max_total_time="$secs" -timeout=10 -max_len=16384 -print_final_stats=1 -close_fd_mask=1 \
		-artifact_prefix="$build/crashes/$name-" "$work" "$seeds" >"$log" 2>&1
	rc=$?
	rm -rf "$scratch"
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	if [ $rc = 0 ]; then
		passed=$((passed + 1))
		summary="$summary$(printf '\n  %-24s %10s execs in %ss  ok' "$name" "${execs:-?}" "$secs")"
	else
		failed=$((failed + 1))
		summary="$summary$(printf '\n  %-24s %10s execs  FAILED (rc=%s, log %s)' "$name" "${execs:-?}" "$rc" "$log")"
		grep -E 'ERROR|runtime error|SUMMARY|Test unit written|==[0-9]+==' "$log" | head -n 20
	fi
done
echo "# fuzz:$summary"
echo "fuzz: $passed targets passed, $failed failed"
[ $failed = 0 ]
