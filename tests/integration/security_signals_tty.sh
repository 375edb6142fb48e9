#!/bin/bash
# netns-run: signals, exec and terminals (issue 14, items 5-7).  A run started by a
# script in the background (SIGINT and SIGQUIT ignored) still ends on SIGINT; exec passes
# signals on and its command dies with the client; -i and -t as Docker's, driven through
# a real pty (tests/tools/pty_drive.py).  All in a private namespace sandbox, --net=none.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/runtime.sh"
DRIVE="$(dirname "$0")/../tools/pty_drive.py"
export NR

running() { [ "$(state .status "$1")" = running ]; }

# 5. A script's background job starts with SIGINT and SIGQUIT ignored (bash, without job
# control); netns-run must still hear them, and its command must not inherit them.
bash -c '"$NR" run --rm --net=none --name '"$P-bg"' sleep 100 & echo $! >/run/bg.pid; wait $!; echo $? >/run/bg.rc' &
script=$!
if await 10 running "$P-bg"; then
	kill -INT "$(cat /run/bg.pid)"
	await 10 test -s /run/bg.rc
	t_eq "backgrounded by a script, SIGINT ends the run: 130" "$(cat /run/bg.rc 2>/dev/null)" 130
else
	t_fail "backgrounded by a script, SIGINT ends the run: 130" "the container never ran"
fi
kill -TERM "$(cat /run/bg.pid)" 2>/dev/null
wait $script
t_eq "... and the command starts with no signal ignored" \
	"$(bash -c '"$NR" run --rm --net=none awk "/SigIgn/ {print \$2}" /proc/self/status & wait')" 0000000000000000
t_eq "... whatever the caller ignores (trap '' TERM HUP USR1, as nohup)" \
	"$(bash -c 'trap "" TERM HUP USR1 ALRM; "$NR" run --rm --net=none awk "/SigIgn/ {print \$2}" /proc/self/status')" 0000000000000000
t_eq "... even glibc's reserved 32 and 33, which a Go parent leaves ignored" \
	"$("$NR_BUILD/tests/tools/ignore_all" "$NR" run --rm --net=none awk "/SigIgn/ {print \$2}" /proc/self/status)" 0000000000000000

# 6. exec: signals passed on, and the command dies with its client.
"$NR" run -d --net=none --name "$P-x" sleep 1000 >/dev/null
"$NR" exec "$P-x" sh -c 'trap "exit 7" TERM; touch /tmp/trapped; while :; do sleep 0.1; done' &
client=$!
await 10 "$NR" exec "$P-x" test -e /tmp/trapped
kill -TERM $client
wait $client
t_eq "exec passes SIGTERM on: the command's trap runs (exit 7)" $? 7
t_eq "exec's command starts with no signal ignored" \
	"$(bash -c '"$NR" exec '"$P-x"' awk "/SigIgn/ {print \$2}" /proc/self/status & wait')" 0000000000000000
marker="0.$$"
"$NR" exec "$P-x" sleep 1000 "$marker" &
client=$!
if await 10 pgrep -f "^sleep 1000 $marker\$"; then
	kill -KILL $client
	wait $client 2>/dev/null
	t_check "exec client killed (SIGKILL): its command is gone from the container" \
		await 10 sh -c "! pgrep -f '^sleep 1000 $marker\$'"
else
	t_fail "exec client killed (SIGKILL): its command is gone from the container" "it never ran"
	kill -KILL $client
fi
pkill -KILL -f "^sleep 1000 $marker\$" 2>/dev/null

# Stdin: /dev/null without -i (Docker's), the caller's with -i.
t_eq "without -i the command's stdin is /dev/null" "$(echo hello | "$NR" run --rm --net=none cat)" ""
t_eq "-i: the caller's stdin reaches the command" "$(echo hello | "$NR" run --rm --net=none -i cat)" hello
t_eq "exec -i likewise" "$(echo hello | "$NR" exec -i "$P-x" cat)" hello
t_eq "exec without -i: /dev/null" "$(echo hello | "$NR" exec "$P-x" cat)" ""

# 7. Terminals.
out=$("$NR" run --rm --net=none -it true 2>&1 </dev/null); rc=$?
t_eq "-it without a terminal on stdin: 125" $rc 125
t_check "... saying so, as Docker" grep -q "the input device is not a TTY" <<<"$out"
out=$("$NR" run --rm --net=none -t sh -c 'tty; test -t 0 && echo stdin-tty' </dev/null 2>&1)
t_check "-t without a terminal still makes a pty (the container's own /dev/pts)" grep -q "^/dev/pts/0" <<<"$out"
t_check "... which is stdin too" grep -q "stdin-tty" <<<"$out"

steps='
send tty; echo $((6*7))\r
expect /dev/pts/[0-9]+
expect 42
raw yes
send stty size\r
expect 33 101
winsize 40 120
send stty size\r
expect 40 120
send sh -c "echo started-$((2+3)); exec sleep 100"\r
expect started-5
interrupt echo alive-$?\r => alive-130
send echo still-$((1+1))\r
expect still-2
send exit 3\r
exit 3
'
t_check "run -it: a shell on the container's pty: tty, window size and SIGWINCH, ^C to the foreground job, raw mode restored" \
	timeout 60 python3 "$DRIVE" 33 101 "$NR" run --rm --net=none -it sh <<<"$steps"
t_check "exec -it: the same in a running container" \
	timeout 60 python3 "$DRIVE" 33 101 "$NR" exec -it "$P-x" sh <<<"$steps"
t_eq "the pty's slave belongs to the container's devpts: none left behind" \
	"$("$NR" exec "$P-x" sh -c 'ls /dev/pts | grep -v ptmx | wc -l')" 0

# The attack: a command that shares the caller's terminal as its controlling terminal
# can push input into the caller's shell (TIOCSTI, allowed here while
# dev.tty.legacy_tiocsti=1).  Without -t, exec's command and run's have none.
inject='import fcntl, termios
try:
    fcntl.ioctl(1, termios.TIOCSTI, b"#")
    print("tiocsti-injected")
except OSError as e:
    print("tiocsti-refused")'
t_check "exec without -t: the command cannot push input into the caller's terminal (TIOCSTI)" \
	timeout 60 python3 "$DRIVE" 24 80 "$NR" exec "$P-x" python3 -c "$inject" <<<$'expect tiocsti-refused\nexit 0'
t_check "run without -t: neither" \
	timeout 60 python3 "$DRIVE" 24 80 "$NR" run --rm --net=none python3 -c "$inject" <<<$'expect tiocsti-refused\nexit 0'

"$NR" rm -f "$P-x" >/dev/null
t_eq "nothing left behind" "$(nr_leftovers)" ""
t_done
