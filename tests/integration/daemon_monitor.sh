#!/bin/bash
# The daemon's container monitor (engine/monitor.h) and JSON log (engine/log_json.h),
# driven without the daemon by tests/tools/monitor_drive: create, attach, start, the
# streams apart, stdin with stdin_once, a tty and its resize, a start again, the end of
# a never-started container, a stuck attacher, garbage on monitor.sock.  All in a private
# namespace sandbox, on the host's root with --net=none.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/runtime.sh"
D="$NR_BUILD/tests/tools/monitor_drive"
export NETNS_RUN_CNI_PATH="$NR_BUILD/cni"
export MONITOR_DRIVE_ERRLOG=/run/monitor.err
W=/run/dmon
mkdir -p $W

status_is() { [ "$(state .status "$1")" = "$2" ]; }
gone() { [ ! -e "$NETNS_RUN_STATE_DIR/containers/$1" ]; }
monitor_pid() { state .monitor "$1"; }
# alive PID: running, not a zombie (the monitors' parent exits, and whoever inherits them
# may be slow to reap).
alive() {
	local s
	s=$(ps -o stat= -p "$1") && [ "${s#Z}" = "$s" ]
}
# sock NAME LINE...: each LINE sent raw on its own connection; prints each answer.
sock() {
	local name=$1
	shift
	python3 - "$NETNS_RUN_STATE_DIR/containers/$name/monitor.sock" "$@" <<'PY'
import socket, sys
for line in sys.argv[2:]:
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(10)
    s.connect(sys.argv[1])
    s.sendall(line.encode().decode('unicode_escape').encode('latin-1'))
    try:
        print(s.recv(4096).decode(errors='replace').rstrip('\n') or 'EOF')
    except socket.timeout:
        print('TIMEOUT')
    s.close()
PY
}

# 1. Create: the ready line, a created record whose monitor lives, its socket 0600.
out=$("$D" monitor "$P-a" -- sh -c 'echo out1; echo err1 >&2; echo out2; exit 3' 2>&1)
t_check "create: the ready line says ok ID NAME" grep -qE "^ok [0-9a-f]{64} $P-a\$" <<<"$out"
t_eq "create: the record says created" "$(state .status "$P-a")" created
t_check "create: its monitor lives" alive "$(monitor_pid "$P-a")"
t_eq "create: monitor.sock is 0600" "$(stat -c %a "$NETNS_RUN_STATE_DIR/containers/$P-a/monitor.sock")" 600
"$D" monitor "$P-a" true >$W/dup 2>&1
t_check "a second monitor for the same name: err, the name is in use" grep -q "^err .*already in use" $W/dup

# 2. Attach before the start: every byte of the command's output, stdout and stderr as
# Docker's frames of streams 1 and 2; the exit code lands in the record; the log has it.
rm -f $W/cue
"$D" attach -d -r $W/cue "$P-a" 0 1 1 >$W/a.out 2>$W/a.err &
att=$!
await 10 test -e $W/cue
"$D" start "$P-a" >$W/start 2>&1
t_eq "start: ok" "$?:$(cat $W/start)" "0:"
if await 15 sh -c "! kill -0 $att"; then
	wait $att
	t_eq "attach: the stream ends when the command has (frames well formed)" "$?" 0
else
	kill $att
	t_fail "attach: the stream ends when the command has" "still open after 15 s"
fi
t_eq "attach: stdout frames" "$(cat $W/a.out)" "$(printf 'out1\nout2')"
t_eq "attach: stderr frames" "$(cat $W/a.err)" "err1"
await 10 status_is "$P-a" exited
t_eq "the record: exited, exit code 3" "$(state '"\(.status) \(.exit_code)"' "$P-a")" "exited 3"
t_check "the monitor is gone" await 10 eval "! alive $(monitor_pid "$P-a")"
t_check "monitor.sock is gone" test ! -e "$NETNS_RUN_STATE_DIR/containers/$P-a/monitor.sock"
"$D" logs "$P-a" >$W/logs
t_eq "the JSON log: each entry with its stream" "$(cut -d' ' -f1,3- $W/logs | sort)" \
	"$(printf 'stderr err1\nstdout out1\nstdout out2')"
t_check "the log's lines are Docker's json-file lines" jq -e -s \
	'length == 3 and all(.[]; (.log|type) == "string" and (.stream == "stdout" or .stream == "stderr") and (.time|test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\.[0-9]{9}Z$")))' \
	"$NETNS_RUN_STATE_DIR/containers/$P-a/ctr.log"
t_eq "logs --tail 1" "$("$D" logs -n 1 "$P-a" | wc -l)" 1
"$D" start "$P-a" >$W/start 2>&1
t_check "start of an exited container (no monitor): refused, conflict" grep -q "not created" $W/start
"$D" attach "$P-a" 0 1 1 >$W/att 2>&1
t_check "attach to it: not running" grep -q "is not running" $W/att

# 3. stdin: what the attacher writes reaches cat; its half-close ends cat's input
# (stdin_once), so cat ends and the stream closes.
"$D" monitor -i -o "$P-cat" -- cat >/dev/null
printf 'hello\nworld\n' | "$D" attach -d -r $W/cue-cat "$P-cat" 1 1 1 >$W/cat.out 2>$W/cat.err &
att=$!
await 10 test -e $W/cue-cat
"$D" start "$P-cat" >/dev/null 2>&1
await 15 sh -c "! kill -0 $att"
t_eq "stdin: echoed by cat through the attacher" "$(cat $W/cat.out)" "$(printf 'hello\nworld')"
kill $att 2>/dev/null
await 10 status_is "$P-cat" exited
t_eq "stdin_once: the attacher's EOF ended cat (exit 0)" "$(state '"\(.status) \(.exit_code)"' "$P-cat")" "exited 0"

# 4. A tty: raw output, a resize before the start is the pty's first size, one after it
# reaches the command; resize without a tty is refused.
"$D" monitor -t -i -o "$P-tty" -- sh -c 'stty size; read x; stty size; echo done' >/dev/null
t_eq "resize before the start" "$("$D" resize "$P-tty" 33 111 2>&1; echo $?)" 0
rm -f $W/tin
mkfifo $W/tin
"$D" attach -r $W/cue-tty "$P-tty" 1 1 1 <$W/tin >$W/tty.out 2>&1 &
att=$!
exec 7>$W/tin
await 10 test -e $W/cue-tty
"$D" start "$P-tty" >/dev/null 2>&1
t_check "tty: stty size shows the size given before the start" await 10 grep -q "33 111" $W/tty.out
"$D" resize "$P-tty" 44 120
echo go >&7
exec 7>&-
await 15 sh -c "! kill -0 $att"
kill $att 2>/dev/null
t_check "tty: ... and the resize after it" grep -q "44 120" $W/tty.out
t_check "tty: raw output (the pty's CRLF, no frame headers)" grep -q $'^done\r$' $W/tty.out
t_eq "tty: the log has the output as stdout" "$("$D" logs "$P-tty" | cut -d' ' -f1 | sort -u)" stdout
"$D" monitor "$P-nt" -- true >/dev/null
t_check "resize without a tty: err no tty" sh -c "'$D' resize '$P-nt' 10 10 2>&1 | grep -q 'no tty'"

# 5. Garbage on the socket: answered err and closed; the monitor carries on.
ans=$(sock "$P-nt" 'hello world\n' 'attach 2 1 1\n' 'resize x y\n' "$(printf 'x%.0s' {1..300})" \
	'resize 1 2 3\n' '\x00\xff\n')
t_eq "garbage lines: each answered err" "$(grep -c '^err' <<<"$ans")" 6
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"sta"); s.close()' \
	"$NETNS_RUN_STATE_DIR/containers/$P-nt/monitor.sock"
t_check "... a half line and a close too; the monitor lives" alive "$(monitor_pid "$P-nt")"
t_eq "... and still starts its container" "$("$D" start "$P-nt" 2>&1; echo $?)" 0
await 10 status_is "$P-nt" exited

# 6. A never-started container: stop has nothing to stop; SIGTERM to its monitor removes
# it; so does rm.
"$D" monitor "$P-stop" -- true >/dev/null
t0=$(date +%s)
t_check "stop of a created container: done at once" "$NR" stop "$P-stop"
t_check "... within 5 s, and it stays created, its monitor waiting" eval \
	"test \$((\$(date +%s) - $t0)) -lt 5 && status_is $P-stop created && alive \$(monitor_pid $P-stop)"
"$NR" rm "$P-stop" >/dev/null
"$D" monitor "$P-term" -- true >/dev/null
kill -TERM "$(monitor_pid "$P-term")"
t_check "SIGTERM to a never-started monitor removes its container" await 10 gone "$P-term"
"$D" monitor "$P-rm" -- true >/dev/null
pid=$(monitor_pid "$P-rm")
t0=$(date +%s)
"$NR" rm "$P-rm" >/dev/null
t_check "rm of a created container ends its monitor and removes it" \
	eval "! alive $pid && test ! -e '$NETNS_RUN_STATE_DIR/containers/$P-rm'"
t_check "... at once (not the 15 s wait)" test $(($(date +%s) - t0)) -lt 5

# 7. Again: the same id, directory and writable layer; the record reset.
cmd='if [ -e /mark-'"$P"' ]; then echo second; else echo first; touch /mark-'"$P"'; fi'
"$D" monitor "$P-ag" -- sh -c "$cmd" >$W/ag1
"$D" start "$P-ag" >/dev/null
await 10 status_is "$P-ag" exited
created=$(state .created "$P-ag")
"$D" monitor -a "$P-ag" -- sh -c "$cmd" >$W/ag2 2>&1
t_eq "again: the same id" "$(cut -d' ' -f2 $W/ag2)" "$(cut -d' ' -f2 $W/ag1)"
t_eq "again: created again, no exit code" "$(state '"\(.status) \(.exit_code // "none")"' "$P-ag")" "created none"
t_eq "again: the first creation's time kept" "$(state .created "$P-ag")" "$created"
"$D" monitor -a "$P-ag" -- true >$W/ag3 2>&1
t_check "again while a monitor waits: refused" grep -q "^err .*already running" $W/ag3
"$D" start "$P-ag" >/dev/null
await 10 status_is "$P-ag" exited
t_eq "again: the file the first run wrote is still there" "$("$D" logs "$P-ag" | cut -d' ' -f3-)" \
	"$(printf 'first\nsecond')"
t_check "the host's / was not written" test ! -e "/mark-$P"
"$D" monitor -a "$P-none" -- true >$W/ag4 2>&1
t_check "again of no such container: err" grep -q "^err .*no such container" $W/ag4

# 8. An attacher that never reads does not stall the command: it is dropped.
"$D" monitor -l 1000000:2 "$P-big" -- sh -c 'head -c 4000000 /dev/zero | tr "\0" x; echo; echo end' >/dev/null
# It reads nothing until the command has ended, then what it was given: less than all,
# and the end of the stream (it was dropped).
python3 -c '
import json, socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"attach 0 1 1\n")
assert s.recv(3) == b"ok\n"
open(sys.argv[3], "w").close()
for _ in range(300):
    try:
        if json.load(open(sys.argv[2]))["status"] == "exited": break
    except Exception: pass
    time.sleep(0.1)
s.settimeout(10); n = 0
while True:
    b = s.recv(65536)
    if not b: break
    n += len(b)
print(n)' "$NETNS_RUN_STATE_DIR/containers/$P-big/monitor.sock" "$NETNS_RUN_STATE_DIR/containers/$P-big/state.json" \
	$W/cue-big >$W/stuck 2>&1 &
stuck=$!
await 10 test -e $W/cue-big
"$D" logs -f "$P-big" >$W/follow &
follow=$!
"$D" start "$P-big" >/dev/null
t_check "a stuck attacher: the command still ends (4 MB, within 20 s)" await 20 status_is "$P-big" exited
wait $stuck
n=$(cat $W/stuck)
if [[ $n =~ ^[0-9]+$ ]] && ((n > 0 && n < 4000000)); then
	t_ok "... and the attacher was dropped: it got less than the output, then the end"
else
	t_fail "... and the attacher was dropped: it got less than the output, then the end" "got: $n"
fi
t_check "logs -f ends when the monitor is gone" await 10 sh -c "! kill -0 $follow"
kill $follow 2>/dev/null
t_eq "logs -f saw the last line" "$(tail -n 1 $W/follow | cut -d' ' -f3-)" end
t_check "the log was rotated (ctr.log.1) and capped" sh -c \
	"test -e '$NETNS_RUN_STATE_DIR/containers/$P-big/ctr.log.1' && test \$(stat -c %s '$NETNS_RUN_STATE_DIR/containers/$P-big/ctr.log') -le 1000000"

# 9. After the start, the monitor passes signals on to the container's init.
"$D" monitor "$P-sig" -- sleep 100 >/dev/null
"$D" start "$P-sig" >/dev/null
kill -TERM "$(monitor_pid "$P-sig")"
t_check "SIGTERM to a started monitor ends the command" await 10 status_is "$P-sig" exited
t_eq "... with 143" "$(state .exit_code "$P-sig")" 143

# 10. A start that fails: err with the reason, the container removed; a start again that
# fails leaves it exited (status 125), its layer kept.
# A file bound on a directory: the kernel refuses it in the child's setup.
touch $W/file
"$D" monitor -v $W/file:/usr "$P-bad" -- true >/dev/null
"$D" start "$P-bad" >$W/bad 2>&1
t_check "a failed start: err with the reason" sh -c "grep -q '^monitor_drive: .*/usr' $W/bad || { cat $W/bad; false; }"
t_check "... and the container is removed" await 10 gone "$P-bad"
"$D" monitor -a -v $W/file:/usr "$P-ag" -- true >/dev/null
"$D" start "$P-ag" >$W/bad 2>&1
t_check "a failed start again: err" grep -q "^monitor_drive: .*/usr" $W/bad
await 10 eval "! alive $(monitor_pid "$P-ag")"
t_eq "... the container stays, exited 125" "$(state '"\(.status) \(.exit_code)"' "$P-ag")" "exited 125"
"$D" monitor -a "$P-ag" -- sh -c "$cmd" >/dev/null
"$D" start "$P-ag" >/dev/null
await 10 status_is "$P-ag" exited
t_eq "... and its layer too" "$("$D" logs -n 1 "$P-ag" | cut -d' ' -f3-)" second

# 11. AutoRemove (o->rm): gone after its end.
"$D" monitor --rm "$P-auto" -- true >/dev/null
"$D" start "$P-auto" >/dev/null
t_check "--rm: removed when the command ends" await 10 gone "$P-auto"

for n in a cat tty nt ag big sig bad; do "$NR" rm -f "$P-$n" >/dev/null 2>&1; done
t_eq "nothing left behind" "$(nr_leftovers)" ""
if [ -s /run/monitor.err ]; then
	echo "# the monitors' stderr:"
	sed 's/^/#   /' /run/monitor.err
fi
t_done
