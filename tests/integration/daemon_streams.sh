#!/bin/bash
# The daemon's streams (issue 18): attach (docker run's output and exit code, stdin,
# stdout and stderr apart), logs (--tail, -t, -f, the frames' stream bytes, a container of
# `netns-run run -d`), exec (output, exit code, stdin, -it through a pty with its size and
# a resize, inspect's ExitCode), and a client leaving mid-attach (the container runs on,
# the daemon's descriptors come back).  With the real docker CLI, and python3 on the raw
# socket where the frames themselves are checked.  In a sandbox with its own pid
# namespace; the daemon listens under the temp dir.
source "$(dirname "$0")/../lib/sandbox_pid.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/runtime.sh"
source "$(dirname "$0")/../lib/busybox_image.sh"

DAEMON="$NR_BUILD/bin/netns-run-daemon"
DOCKER=${DOCKER:-/usr/local/bin/docker}
TMP=$(mktemp -d -p /run ds.XXXXXX)
SOCK=$TMP/d.sock
export DOCKER_HOST=unix://$SOCK DOCKER_CONFIG=$TMP/dockercfg
mkdir -p "$DOCKER_CONFIG"
unset DOCKER_CONTEXT DOCKER_API_VERSION DOCKER_TLS_VERIFY DOCKER_CERT_PATH
DPID=""

finish() {
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null
	nr_cleanup
	sandbox_kill_all
	rm -rf "$TMP"
}
trap finish EXIT

if [ ! -x "$DAEMON" ]; then t_skip "the daemon's streams" "netns-run-daemon not built"; t_done; exit; fi
if [ ! -x "$DOCKER" ]; then t_skip "the daemon's streams" "no docker CLI at $DOCKER"; t_done; exit; fi
if ! busybox_image "$TMP/bb.tar" bb:1; then t_skip "the daemon's streams" "no static /bin/busybox"; t_done; exit; fi
"$NR" load -i "$TMP/bb.tar" >/dev/null 2>&1 || { t_fail "netns-run load -i bb.tar"; t_done; exit; }

"$DAEMON" -H "unix://$SOCK" >"$TMP/daemon.log" 2>&1 &
DPID=$!
for _ in $(seq 200); do
	curl -sf --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1 && break
	kill -0 "$DPID" 2>/dev/null || break
	sleep 0.05
done
if ! curl -sf --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1; then
	t_fail "the daemon answers /_ping" "$(tail -20 "$TMP/daemon.log")"
	t_done
	exit
fi

dk() { "$DOCKER" "$@"; }
# api METHOD PATH [BODY]: curl on the socket; the body, then the status on a last line.
api() {
	curl -s --unix-socket "$SOCK" -X "$1" -H 'Content-Type: application/json' ${3:+-d "$3"} \
		-w '\n%{http_code}' "http://d/v1.50$2"
}
nfds() { find "/proc/$DPID/fd" -mindepth 1 -maxdepth 1 | wc -l; }
R=(--network none)

# --- docker run: attach before start, the exit code through wait ---
out=$(dk run --rm "${R[@]}" bb:1 echo hi 2>&1)
t_eq "run --rm IMAGE echo hi: the output and 0" "$? $out" "0 hi"
dk run --rm "${R[@]}" bb:1 sh -c 'echo out; echo err >&2; exit 3' >"$TMP/o" 2>"$TMP/e"
t_eq "run sh -c 'echo out; echo err >&2; exit 3': exit 3" "$?" 3
t_eq "... stdout holds stdout only" "$(cat "$TMP/o")" out
t_eq "... stderr holds stderr only" "$(cat "$TMP/e")" err
t_eq "echo data | run -i IMAGE cat: the input reaches the command, its EOF ends it" \
	"$(echo data | timeout 20 "$DOCKER" run -i --rm "${R[@]}" bb:1 cat 2>&1)" data
t_eq "run -t: the output raw (through the container's pty)" \
	"$(timeout 20 script -qec "$DOCKER run --rm -t --network none bb:1 sh -c 'tty >/dev/null && echo on-a-tty'" /dev/null | tr -d '\r')" \
	on-a-tty

# --- a detached container's logs ---
dk run -d --name "$P-x" "${R[@]}" bb:1 sh -c 'i=0; while true; do i=$((i+1)); echo tick $i; echo tock $i >&2; sleep 1; done' >/dev/null 2>&1
await 10 sh -c "'$DOCKER' logs $P-x 2>/dev/null | grep -q 'tick 2'"
t_check "logs: the stdout lines" grep -q "^tick 1$" <<<"$(dk logs "$P-x" 2>/dev/null)"
t_check "logs: the stderr lines on stderr" grep -q "^tock 1$" <<<"$(dk logs "$P-x" 2>&1 >/dev/null)"
t_check "logs: no stderr line on stdout" sh -c "! '$DOCKER' logs $P-x 2>/dev/null | grep -q tock"
# The tail is of both streams together, as Docker's.
out=$(dk logs --tail 2 "$P-x" 2>&1)
t_eq "logs --tail 2: two lines, a tick and a tock" "$(wc -l <<<"$out") $(grep -c '^tick' <<<"$out") $(grep -c '^tock' <<<"$out")" "2 1 1"
t_check "logs -t: each line after its RFC 3339 time with nanoseconds" \
	grep -qE '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z tick 1$' <<<"$(dk logs -t "$P-x" 2>/dev/null)"
now=$(date +%s)
t_check "logs --since now: only what came after" sh -c "sleep 1.5; ! '$DOCKER' logs --since $now $P-x 2>/dev/null | grep -q '^tick 1$'"
n0=$(dk logs "$P-x" 2>/dev/null | wc -l)
timeout 3 "$DOCKER" logs -f "$P-x" >"$TMP/f" 2>/dev/null
t_eq "logs -f: still following when cut (timeout)" "$?" 124
t_check "... it gave lines that came after it started" test "$(wc -l <"$TMP/f")" -gt "$n0"

# --- the frames themselves (stream byte 1 stdout, 2 stderr) on the raw socket ---
frames() {
	python3 - "$SOCK" "$1" <<'PY'
import socket, struct, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(("GET %s HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n" % sys.argv[2]).encode())
data = b""
while True:
    b = s.recv(65536)
    if not b: break
    data += b
head, _, body = data.partition(b"\r\n\r\n")
if b"chunked" in head.lower():
    out = b""
    while body:
        line, _, rest = body.partition(b"\r\n")
        n = int(line.split(b";")[0], 16)
        if n == 0: break
        out += rest[:n]; body = rest[n + 2:]
    body = out
ct = [l for l in head.split(b"\r\n") if l.lower().startswith(b"content-type")]
print(ct[0].decode() if ct else "no content-type")
while len(body) >= 8:
    st, n = body[0], struct.unpack(">I", body[4:8])[0]
    print(st, repr(body[8:8 + n].decode()))
    body = body[8 + n:]
PY
}
out=$(frames "/v1.50/containers/$P-x/logs?stdout=1&stderr=1&tail=4")
t_check "logs frames: the multiplexed content type" grep -qi "application/vnd.docker.multiplexed-stream" <<<"$out"
t_check "... stdout entries in frames of stream 1" grep -qE "^1 'tick [0-9]+\\\\n'$" <<<"$out"
t_check "... stderr entries in frames of stream 2" grep -qE "^2 'tock [0-9]+\\\\n'$" <<<"$out"
t_eq "... tail=4: four frames" "$(grep -cE "^[12] " <<<"$out")" 4
t_eq "logs without stdout or stderr: 400" "$(api GET "/containers/$P-x/logs" | tail -1)" 400
t_eq "logs of no such container: 404" "$(api GET "/containers/nosuch-$P/logs?stdout=1" | tail -1)" 404

# --- attach, and a client that leaves mid-attach ---
# --sig-proxy=false: a signal would otherwise be passed on to the container; KILL: the
# docker 28 CLI's attach only gives up after the third TERM.
"$DOCKER" attach --no-stdin --sig-proxy=false "$P-x" >"$TMP/a" 2>&1 &
apid=$!
sleep 3
kill -0 $apid 2>/dev/null
t_eq "attach: still attached after 3 s" "$?" 0
kill -9 $apid
wait $apid 2>/dev/null
t_check "... it streamed the container's output" grep -q "^tick " "$TMP/a"
fd0=$(nfds)
"$DOCKER" attach --no-stdin --sig-proxy=false "$P-x" >/dev/null 2>&1 &
apid=$!
await 10 test "$(nfds)" -gt "$fd0"
t_check "a second attach holds descriptors of the daemon's" test "$(nfds)" -gt "$fd0"
kill -9 $apid
wait $apid 2>/dev/null
await 10 test "$(nfds)" -le "$fd0"
t_eq "a client killed mid-attach: the daemon's descriptors come back" "$(nfds)" "$fd0"
t_eq "... and the container runs on" "$(dk inspect --format '{{.State.Running}}' "$P-x" 2>&1)" true

# --- exec ---
t_eq "exec: the output" "$(dk exec "$P-x" echo hi 2>&1)" hi
dk exec "$P-x" sh -c 'exit 7' >/dev/null 2>&1
t_eq "exec sh -c 'exit 7': 7" "$?" 7
dk exec "$P-x" sh -c 'echo o; echo e >&2' >"$TMP/o" 2>"$TMP/e"
t_eq "exec: stdout and stderr apart" "$(cat "$TMP/o") $(cat "$TMP/e")" "o e"
t_eq "echo in | exec -i cat: the input, then its EOF" "$(echo in | timeout 20 "$DOCKER" exec -i "$P-x" cat 2>&1)" in
dk exec "$P-x" no-such-command >/dev/null 2>&1
t_eq "exec of a missing command: 127" "$?" 127
dk exec -w /tmp -e FOO=bar "$P-x" sh -c 'echo $PWD $FOO' >"$TMP/o" 2>&1
t_eq "exec -w -e" "$(cat "$TMP/o")" "/tmp bar"
fd0=$(nfds)
for _ in 1 2 3 4 5; do dk exec "$P-x" sh -c "echo \$\$ >/dev/null" >/dev/null 2>&1; done
echo x | dk exec -i "$P-x" cat >/dev/null 2>&1
await 10 test "$(nfds)" -le "$fd0"
t_eq "after six execs the daemon holds no more descriptors" "$(nfds)" "$fd0"

# exec -it through a pty that python3 gives the CLI: its size, then a resize.
ptyrun() {
	python3 - "$DOCKER" "$@" <<'PY'
import fcntl, os, select, struct, subprocess, sys, termios, time
m, s = os.openpty()
fcntl.ioctl(s, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
def ctty():
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
p = subprocess.Popen(sys.argv[1:], stdin=s, stdout=s, stderr=s, start_new_session=True, preexec_fn=ctty)
os.close(s)
out, t0, resized = b"", time.time(), False
while time.time() - t0 < 20:
    if not resized and b"ready" in out:
        fcntl.ioctl(m, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        resized = True
    r, _, _ = select.select([m], [], [], 0.2)
    if r:
        try:
            b = os.read(m, 4096)
        except OSError:
            break
        if not b: break
        out += b
    elif p.poll() is not None and not r:
        break
sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
sys.stdout.write("rc=%s\n" % p.wait())
PY
}
out=$(ptyrun exec -it "$P-x" sh -c 'stty size; tty; echo ready; sleep 1.5; stty size; exit 5')
t_check "exec -it: the command's stdout is a pty of the container" grep -q "^/dev/pts/" <<<"$out"
t_check "... of the client's size (30 100)" grep -q "^30 100$" <<<"$out"
t_check "... which follows the client's resize (40 120)" grep -q "^40 120$" <<<"$out"
t_check "... and its exit code (5)" grep -q "^rc=5$" <<<"$out"

# Exec inspect: ExitCode of a detached exec.
id=$(api POST "/containers/$P-x/exec" '{"Cmd":["sh","-c","exit 4"]}' | head -1 | jq -r .Id)
t_check "exec create: 64 hex digits" grep -qE '^[0-9a-f]{64}$' <<<"$id"
t_eq "exec start Detach: 200" "$(api POST "/exec/$id/start" '{"Detach":true}' | tail -1)" 200
await 10 sh -c "curl -s --unix-socket $SOCK http://d/exec/$id/json | jq -e '.Running == false and .ExitCode == 4'"
out=$(api GET "/exec/$id/json" | head -1)
t_eq "exec inspect: ExitCode, Running, ProcessConfig, ContainerID" \
	"$(jq -c '[.ExitCode, .Running, .ProcessConfig.entrypoint, .ProcessConfig.arguments, (.ContainerID | length)]' <<<"$out")" \
	'[4,false,"sh",["-c","exit 4"],64]'
t_eq "exec start again: 409" "$(api POST "/exec/$id/start" '{"Detach":true}' | tail -1)" 409
t_eq "exec inspect of no such exec: 404" "$(api GET "/exec/nosuch/json" | tail -1)" 404
t_eq "exec create without Cmd: 400" "$(api POST "/containers/$P-x/exec" '{}' | tail -1)" 400

# Events of the exec and the attach.
out=$(dk events --since 1 --until "$(($(date +%s) + 1))" --filter "container=$P-x" --format '{{.Action}}' 2>&1)
t_check "events: exec_create of an exec" grep -qx 'exec_create: sh -c exit 4' <<<"$out"
t_check "... exec_start" grep -qx 'exec_start: sh -c exit 4' <<<"$out"
t_check "... exec_die" grep -qx exec_die <<<"$out"
t_check "... attach" grep -qx attach <<<"$out"

# --- a tty: logs and attach raw ---
dk run -d -t --name "$P-t" "${R[@]}" bb:1 sh -c 'echo tty-line; sleep 600' >/dev/null 2>&1
await 10 sh -c "'$DOCKER' logs $P-t 2>/dev/null | grep -q tty-line"
t_eq "logs of a tty container: its output, raw (the pty's CRLF)" "$(dk logs "$P-t" 2>/dev/null | od -An -c | tr -s ' ')" \
	"$(printf 'tty-line\r\n' | od -An -c | tr -s ' ')"
out=$(frames "/v1.50/containers/$P-t/logs?stdout=1")
t_check "... the raw-stream content type" grep -qi "application/vnd.docker.raw-stream" <<<"$out"
dk rm -f "$P-t" >/dev/null 2>&1

# --- start -a: an attach before the first start, and one that waits for the next ---
dk create --name "$P-s" "${R[@]}" bb:1 sh -c 'echo started-a; echo err-a >&2; exit 2' >/dev/null 2>&1
out=$(timeout 30 "$DOCKER" start -a "$P-s" 2>&1)
t_eq "start -a of a created container: output and exit code" "$? $(tr '\n' ' ' <<<"$out")" "2 started-a err-a "
out=$(timeout 30 "$DOCKER" start -a "$P-s" 2>&1)
t_eq "start -a of the exited container: the new run's output and exit code" "$? $(tr '\n' ' ' <<<"$out")" "2 started-a err-a "
# The same on the raw socket, an attach that waits for a start made by another client.
curl -s --unix-socket "$SOCK" -X POST -H 'Connection: Upgrade' -H 'Upgrade: tcp' --max-time 20 \
	"http://d/v1.50/containers/$P-s/attach?stream=1&stdout=1&stderr=1" -o "$TMP/att" &
cpid=$!
sleep 0.5
dk start "$P-s" >/dev/null 2>&1
wait $cpid
t_eq "an attach to the exited container waits for its next start: that run's output, then the end" \
	"$? $(python3 -c 'import sys; b=open(sys.argv[1],"rb").read(); print(b.count(b"started-a\n"), b.count(b"err-a\n"))' "$TMP/att")" "0 1 1"
curl -s --unix-socket "$SOCK" -X POST -H 'Connection: Upgrade' -H 'Upgrade: tcp' --max-time 10 \
	"http://d/v1.50/containers/$P-s/attach?logs=1&stdout=1&stderr=1" -o "$TMP/att"
t_eq "attach logs=1 (no stream) of an exited container: its log replayed in frames (all three runs)" \
	"$(python3 -c 'import sys; b=open(sys.argv[1],"rb").read(); print(b.count(b"\x01\0\0\0\0\0\0\x0astarted-a\n"), b.count(b"\x02\0\0\0\0\0\0\x06err-a\n"))' "$TMP/att")" "3 3"
dk rm -f "$P-s" >/dev/null 2>&1

# --- a container of `netns-run run -d`: its plain log as stdout ---
"$NR" run -d --name "$P-plain" --network none bb:1 sh -c 'echo plain-1; echo plain-2; sleep 600' >/dev/null 2>&1
await 10 sh -c "'$DOCKER' logs $P-plain 2>/dev/null | grep -q plain-2"
t_eq "logs of a netns-run run -d container: its plain log" "$(dk logs "$P-plain" 2>/dev/null | tr '\n' ' ')" "plain-1 plain-2 "
t_eq "... --tail 1" "$(dk logs --tail 1 "$P-plain" 2>/dev/null)" plain-2

# --- the exec and logs of a stopped container ---
dk rm -f "$P-plain" >/dev/null 2>&1
dk stop -t 1 "$P-x" >/dev/null 2>&1
out=$(api POST "/containers/$P-x/exec" '{"Cmd":["true"]}')
t_eq "exec create in a stopped container: 409" "$(tail -1 <<<"$out")" 409
t_check "logs of the stopped container: still there" grep -q "^tick 1$" <<<"$(dk logs "$P-x" 2>/dev/null)"
t_eq "logs -f of a stopped container ends at once" "$(timeout 5 "$DOCKER" logs -f "$P-x" >/dev/null 2>&1; echo $?)" 0
dk rm -f "$P-x" >/dev/null 2>&1

kill "$DPID"
wait "$DPID" 2>/dev/null
DPID=""
t_done
