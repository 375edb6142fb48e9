#!/bin/bash
# Run every test: cmocka unit tests (TAP output) and integration scripts, then print one
# closing line "N passed, N failed, N skipped".  Exit non-zero if anything failed.
# Usage: tests/run-all.sh BUILD_DIR [unit|integration [SCRIPT.sh]]
set -u
build=${1:-build}
what=${2:-all}
only=${3:-} # one integration script by name
top=$(cd "$(dirname "$0")/.." && pwd)
export NR_BUILD=$(cd "$top/$build" && pwd)
passed=0 failed=0 skipped=0 broken=""

count_tap() { # stdin: TAP; adds to the totals
	local out
	out=$(cat)
	printf '%s\n' "$out"
	# cmocka's TAP marks a skipped test "not ok N # SKIP"; count it as skipped.
	skipped=$((skipped + $(grep -cE '^(not )?ok [0-9]+ # SKIP' <<<"$out")))
	passed=$((passed + $(grep -E '^ok ' <<<"$out" | grep -cv '# SKIP')))
	failed=$((failed + $(grep -E '^not ok ' <<<"$out" | grep -cv '# SKIP')))
}

if [ "$what" = all ] || [ "$what" = unit ]; then
	for t in "$NR_BUILD"/tests/test_*; do
		[ -x "$t" ] && [ -f "$t" ] || continue # skip .d and .log files
		echo "# unit: $(basename "$t")"
		CMOCKA_MESSAGE_OUTPUT=TAP "$t" >"$NR_BUILD/tests/$(basename "$t").log" 2>&1
		rc=$?
		count_tap <"$NR_BUILD/tests/$(basename "$t").log"
		[ $rc = 0 ] || broken="$broken $(basename "$t")"
	done
fi

if [ "$what" = all ] || [ "$what" = integration ]; then
	for t in "$top"/tests/integration/*.sh; do
		[ -n "$only" ] && [ "$(basename "$t")" != "$only" ] && continue
		case " ${NR_TESTS_SKIP:-} " in *" $(basename "$t") "*) echo "# skipped: $(basename "$t")"; continue ;; esac
		if [ ! -x "$t" ]; then
			# A forgotten chmod must not make a test silently vanish from the count.
			failed=$((failed + 1))
			broken="$broken $(basename "$t")(not executable)"
			continue
		fi
		echo "# integration: $(basename "$t")"
		log="$NR_BUILD/tests/$(basename "$t" .sh).log"
		mkdir -p "$(dirname "$log")"
		t0=$SECONDS
		timeout 900 "$t" >"$log" 2>&1
		rc=$?
		cat "$log"
		echo "# $(basename "$t") took $((SECONDS - t0))s"
		line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
		if [ -z "$line" ]; then
			failed=$((failed + 1))
			broken="$broken $(basename "$t")(no summary, rc=$rc)"
			continue
		fi
		read -r p _ f _ s _ <<<"$(tr -d ',' <<<"$line")"
		passed=$((passed + p))
		failed=$((failed + f))
		skipped=$((skipped + ${s:-0}))
		[ $rc = 0 ] || broken="$broken $(basename "$t")"
	done
fi

[ -n "$broken" ] && echo "# failing:$broken"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ] && [ -z "$broken" ]
