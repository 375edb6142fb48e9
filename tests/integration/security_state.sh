#!/bin/bash
# Issue 14, items 8 and 11: state that survives a full disk, capped logs of detached
# containers, and unknown verbs refused.  The state directory is a 4 MB tmpfs of the
# sandbox's own, filled on purpose; containers run with --net=none.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/runtime.sh"

S=$NETNS_RUN_STATE_DIR
mkdir -p "$S"
mount -t tmpfs -o size=4m nr-state "$S" || { t_fail "mounting a 4 MB tmpfs on $S"; t_done; exit; }
free_kb() { df -k --output=avail "$S" | tail -n 1 | tr -d ' '; }
# wait_for CMD...: up to 10 s for CMD to succeed.
wait_for() { for _ in $(seq 100); do "$@" && return 0; sleep 0.1; done; return 1; }
rec() { state "$1" "$2"; }

# --- unknown verbs (item 11) -----------------------------------------------------------
out=$("$NR" lod -i x 2>&1); rc=$?
t_eq "an unknown verb is refused: 125" $rc 125
t_check "... saying what to type instead" grep -qF "unknown command 'lod'; to run a program: netns-run run lod" <<<"$out"
out=$("$NR" swarm init 2>&1); rc=$?
t_eq "netns-run swarm (not a verb): 125" $rc 125
t_eq "... and no container was made" "$(ls "$S/containers" 2>/dev/null | wc -l)" 0
t_check "... nor the default bridge" sh -c '! ip link show nr0 >/dev/null 2>&1'
vout=$("$NR" version 2>&1); rc=$?
t_eq "netns-run version: 0" $rc 0
has() { grep -qE "$1" <<<"$vout"; }
t_check "... with a Client and a Server section" has '^Client:'
t_check "... ... and the Server's Engine" has '^ Engine:'
for f in Version 'C compiler' 'Git commit' Built 'OS/Arch'; do
	t_eq "... $f in both sections" "$(grep -cE "^ +$f: +[^ ]" <<<"$vout")" 2
done
t_eq "version --format '{{.Client.Version}}' prints the bare version" \
	"$("$NR" version --format '{{.Client.Version}}')" "$(awk '/^ +Version:/ {print $2; exit}' <<<"$vout")"
t_eq "run -- CMD stays the shorthand (first argument an option or --)" "$("$NR" --rm --net=none -- echo hi 2>&1)" hi
t_eq "run with the verb" "$("$NR" run --rm --net=none echo hi 2>&1)" hi

# --- a noisy detached container's log stays under its cap (item 8) ---------------------
"$NR" run -d --net=none --name "$P-noisy" --log-opt max-size=64k --log-opt max-file=2 \
	sh -c 'i=0; while :; do i=$((i+1)); echo "line $i of a noisy container"; done' >/dev/null
t_eq "run -d --log-opt max-size=64k --log-opt max-file=2" $? 0
logsize() { stat -c %s "$S/containers/$P-noisy/$1" 2>/dev/null || echo 0; }
wait_for test -e "$S/containers/$P-noisy/log.1"
t_check "the log rotated to log.1" test -e "$S/containers/$P-noisy/log.1"
big=0
for _ in $(seq 20); do
	for f in log log.1 log.2; do [ "$(logsize $f)" -gt 65536 ] && big=1; done
	sleep 0.05
done
t_eq "log and log.1 stay under 64k, no log.2" "$big$(test -e "$S/containers/$P-noisy/log.2" && echo +log.2)" 0
t_check "... and the log holds whole lines" sh -c "tail -n 1 '$S/containers/$P-noisy/log.1' | grep -qE '^line [0-9]+ of a noisy container$'"
"$NR" rm -f "$P-noisy" >/dev/null
out=$("$NR" run -d --net=none --log-opt max-size=1x true 2>&1); rc=$?
t_eq "--log-opt max-size=1x: 125" $rc 125
t_check "... saying why" grep -q "max-size" <<<"$out"
out=$("$NR" run -d --net=none --log-opt mode=fast true 2>&1); rc=$?
t_eq "--log-opt with an unknown key: 125" $rc 125
t_check "... naming it" grep -q "mode" <<<"$out"

# --- a full state directory (item 8) ---------------------------------------------------
# A: a container that ignores SIGTERM, so stop ends it with SIGKILL (137).
"$NR" run -d --net=none --name "$P-a" sh -c 'trap "" TERM; while :; do sleep 1; done' >/dev/null
t_eq "A runs" "$(rec .status "$P-a")" running
# N floods its log (the default cap, 10m, is more than the disk): it must not stall when
# the disk refuses its output.
"$NR" run -d --net=none --name "$P-n" sh -c 'i=0; while :; do i=$((i+1)); echo "line $i"; echo $i >/dev/shm/i; done' >/dev/null
# F fills the state directory through its writable layer, then waits.
"$NR" run -d --net=none --name "$P-f" sh -c 'cat /dev/zero > /fill; echo filled; sleep 600' >/dev/null
wait_for test "$(free_kb)" -lt 8
t_check "the state directory is full ($(free_kb) KB free)" test "$(free_kb)" -lt 8
# The counter file is rewritten in place all the time: read until a whole number shows.
tick() {
	local v
	for _ in $(seq 20); do
		v=$("$NR" exec "$P-n" cat /dev/shm/i 2>/dev/null)
		[[ $v =~ ^[0-9]+$ ]] && { echo "$v"; return; }
	done
	echo 0
}
t1=$(tick); sleep 0.3; t2=$(tick)
t_check "a container whose log output the full disk refuses goes on ($t1 -> $t2)" test "$t2" -gt "$t1"
t_check "... its log stopped short of its cap" test "$(stat -c %s "$S/containers/$P-n/log")" -lt $((4 << 20))
out=$("$NR" stop -t 1 "$P-a" 2>&1); rc=$?
echo "# stop: rc=$rc $out"
if [ $rc = 0 ]; then
	t_eq "stop A on a full disk: the record says exited 137" \
		"$(rec '.status + " " + (.exit_code|tostring)' "$P-a")" "exited 137"
else
	t_check "stop A failed: with a clear message (rc=$rc)" grep -q "$P-a" <<<"$out"
fi
t_eq "ps -a shows A exited (137), not dead or (?)" "$("$NR" ps -a | awk -v n="$P-a" '$1 == n' | grep -o 'exited (137)')" "exited (137)"
out=$("$NR" stop -t 1 "$P-f" 2>&1); rc=$?
t_eq "stop F (which filled the disk) on a full disk: 0" $rc 0
t_eq "... its record says exited 143 (its sleep took the SIGTERM)" \
	"$(rec '.status + " " + (.exit_code|tostring)' "$P-f")" "exited 143"
# A new container cannot start on a full disk: it says so, and leaves nothing.
out=$("$NR" run -d --net=none --name "$P-new" true 2>&1); rc=$?
echo "# $out"
t_eq "run on a full state directory: 125" $rc 125
t_check "... saying the state directory has no space" grep -qi "no space" <<<"$out"
t_check "... and leaving no record" test ! -e "$S/containers/$P-new"
"$NR" rm -f "$P-n" >/dev/null
"$NR" rm "$P-f" >/dev/null
t_check "removing F frees the disk" test "$(free_kb)" -gt 1000
t_eq "A's record is still whole after all that" "$(rec '.exit_code' "$P-a")" 137
"$NR" rm "$P-a" >/dev/null
if command -v valgrind >/dev/null; then
	t_check "valgrind: netns-run version (--format)" valgrind -q --leak-check=full --errors-for-leak-kinds=definite \
		--error-exitcode=99 "$NR" version --format '{{json .}} {{.Server.KernelVersion}}'
else
	t_skip "valgrind: netns-run version" "valgrind is not installed"
fi
t_eq "nothing is left" "$(nr_leftovers | grep -v "^mount: .* $S rw,")" ""
t_done
