#!/bin/bash
# Crash recovery of the runtime: `netns-run run --rm` SIGKILLed at the N-th call of each of
# several syscalls (strace -f -e inject=SYSCALL:signal=KILL:when=N; the count runs over the
# runtime, the container's init and the plugins it runs, so a point may kill any of them),
# then `netns-run gc` and `netns-run rm -f` must leave nothing: no record, no mount, no
# cgroup, no veth, no cached result, no lease, no masquerade element.
# RT_CRASH_SYSCALLS, RT_CRASH_MAX_N and RT_CRASH_STRIDE (every k-th N) size it.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/runtime.sh"

SYSCALLS=${RT_CRASH_SYSCALLS:-"sendmsg sendto write mount mkdir unlinkat setns clone3 wait4"}
MAX_N=${RT_CRASH_MAX_N:-60}
STRIDE=${RT_CRASH_STRIDE:-2}
MIN_POINTS=${RT_CRASH_MIN_POINTS:-40}
if [ ! -x "$NR" ]; then t_skip "runtime crash points" "netns-run not built"; t_done; exit; fi

parents() { find /sys/fs/cgroup -maxdepth 5 -type d -name netns-run 2>/dev/null | sort; }
parents0=$(parents)
# One container first, so the default network exists and every point is on a warm host.
"$NR" run --rm --name "${P}warm" true >/dev/null 2>&1 </dev/null
points=0 fails=0 i=0
for sc in $SYSCALLS; do
	for ((n = 1; n <= MAX_N; n += STRIDE)); do
		name=${P}c$((i++))
		(timeout 30 strace -f -qq -o /dev/null -e inject="$sc:signal=KILL:when=$n" \
			"$NR" run --rm --name "$name" true >/dev/null 2>&1 </dev/null) 2>/dev/null
		rc=$? # (a subshell: no "Killed" notice from bash)
		[ $rc = 0 ] && break # fewer than n such calls: done with this syscall
		points=$((points + 1))
		"$NR" gc >/dev/null 2>&1
		"$NR" rm -f "$name" >/dev/null 2>&1
		left=$(nr_leftovers)
		if [ -n "$left" ]; then
			fails=$((fails + 1))
			t_fail "run killed at $sc #$n (rc $rc): gc + rm leave nothing" "$(echo $left | head -c 400)"
			nr_cleanup
		fi
	done
done
echo "# $points runtime crash points tried"
t_eq "every kill point converged after gc" "$fails" 0
t_check "at least $MIN_POINTS crash points were hit" test "$points" -ge "$MIN_POINTS"
t_eq "the host is clean at the end" "$(nr_leftovers)" ""
# The parents stay between containers; gc removes them.  (Other runs on the machine may
# own a parent: only new ones count.)
"$NR" gc -q
t_eq "no netns-run cgroup parent is left that was not there before" \
	"$(comm -13 <(echo "$parents0") <(parents))" ""
t_done
