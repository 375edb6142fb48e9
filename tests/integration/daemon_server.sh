#!/bin/bash
# The daemon's transport (issue 18, runtime/daemon): `netns-run daemon` on a unix socket
# of the test's own (0660, group netns-run created in a private copy of /etc/group), the
# system endpoints and the version prefix driven with curl, 404s, the body limit, a slow
# client cut while others are served, the socket's lock against a second daemon, SIGTERM,
# a restart after SIGKILL, systemd socket activation, TLS (with and without client
# certificates) and --insecure-tcp on 127.0.0.1, TCP without TLS refused elsewhere, and
# no fd or thread left behind by 200 requests.  All inside the sandbox's own network and
# mount namespaces; every daemon is killed by pid.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"

NR="$NR_BUILD/bin/netns-run"
D="$NR_BUILD/bin/netns-run-daemon"
if [ ! -x "$D" ] || ! command -v curl >/dev/null || ! command -v openssl >/dev/null; then
	t_skip "daemon server" "needs build/bin/netns-run-daemon, curl and openssl"
	t_done
	exit
fi
W=$(mktemp -d /run/daemon-server.XXXX)
export NETNS_RUN_STATE_DIR=$W/state NETNS_RUN_CONFIG_DIR=$W/net.d
mkdir -p "$NETNS_RUN_CONFIG_DIR"
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	umount /etc/gshadow /etc/group 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

# A private /etc/group (and gshadow): the daemon may add its group without touching the host's.
grep -v '^netns-run:' /etc/group >"$W/group"
mount --bind "$W/group" /etc/group
if [ -f /etc/gshadow ]; then
	grep -v '^netns-run:' /etc/gshadow >"$W/gshadow"
	mount --bind "$W/gshadow" /etc/gshadow
fi

S=$W/d.sock
c() { curl -s --max-time 10 --unix-socket "$S" "$@"; }
# wait_for COND...: up to 5 s for it to hold.
wait_for() { local _; for _ in $(seq 100); do "$@" && return 0; sleep 0.05; done; return 1; }
# start_daemon LOG ARGS...: started in the background, its pid in $DPID.
start_daemon() {
	local log=$1
	shift
	"$@" >"$log" 2>&1 &
	DPID=$!
	PIDS+=("$DPID")
}
fds() { ls /proc/"$1"/fd 2>/dev/null | wc -l; }
threads() { ls /proc/"$1"/task 2>/dev/null | wc -l; }

# ---- start through `netns-run daemon`, the socket, the group -------------------------
start_daemon "$W/d.log" "$NR" daemon -H "unix://$S" --debug --log-file "$W/file.log" --timeout 3
MAIN=$DPID
if wait_for test -S "$S"; then t_ok "netns-run daemon starts and listens on $S"; else
	t_fail "netns-run daemon starts" "$(cat "$W/d.log")"
	t_done
	exit
fi
t_eq "the daemon is the exec'd netns-run-daemon (same pid)" "$(readlink /proc/$MAIN/exe)" "$(readlink -f "$D")"
t_eq "the socket is mode 0660" "$(stat -c %a "$S")" 660
t_eq "the socket belongs to root:netns-run" "$(stat -c %U:%G "$S")" root:netns-run
t_check "the group netns-run was added to /etc/group (a system gid)" \
	awk -F: '$1 == "netns-run" && $3 >= 100 && $3 < 1000 { ok = 1 } END { exit !ok }' /etc/group

# ---- _ping, version -----------------------------------------------------------------
out=$(c -i http://d/_ping | tr -d '\r')
t_eq "GET /_ping answers OK" "$(tail -n 1 <<<"$out")" OK
for h in "Api-Version: 1.50" "Ostype: linux" "Docker-Experimental: false" "Cache-Control: no-cache"; do
	t_check "GET /_ping has $h" grep -qi "^$h" <<<"$out"
done
t_check "GET /_ping has Server: netns-run/..." grep -q "^Server: netns-run/" <<<"$out"
out=$(c -I http://d/_ping | tr -d '\r')
t_check "HEAD /_ping: 200 with Api-Version: 1.50" grep -q "^Api-Version: 1.50" <<<"$out"
t_check "HEAD /_ping: 200" grep -q "^HTTP/1.1 200" <<<"$out"
for p in /v1.41/version /v1.50/version /version; do
	out=$(c "http://d$p")
	t_eq "GET $p: ApiVersion 1.50, MinAPIVersion 1.41, Os linux" \
		"$(jq -r '[.ApiVersion, .MinAPIVersion, .Os, .Components[0].Name] | join(" ")' <<<"$out" 2>/dev/null)" \
		"1.50 1.41 linux Engine"
done
out=$(c -w '\n%{http_code}' http://d/v1.12/version)
t_eq "GET /v1.12/version: 400" "$(tail -n 1 <<<"$out")" 400
t_check "... Docker's message: client version 1.12 is too old" \
	grep -q "client version 1.12 is too old. Minimum supported API version is 1.41" <<<"$out"
out=$(c -w '\n%{http_code}' http://d/v1.51/version)
t_eq "GET /v1.51/version: 400 (too new)" "$(tail -n 1 <<<"$out")" 400

# ---- the real docker CLI (28.2, API 1.50), also pinned to API 1.41 ---------------------
if [ -x /usr/local/bin/docker ]; then
	dk() { DOCKER_CONFIG=$W/docker-config DOCKER_HOST=unix://$S timeout 20 /usr/local/bin/docker "$@"; }
	t_eq "docker version through the daemon: server API 1.50, minimum 1.41" \
		"$(dk version --format '{{.Server.APIVersion}} {{.Server.MinAPIVersion}}' 2>&1)" "1.50 1.41"
	t_eq "DOCKER_API_VERSION=1.41 docker version: the /v1.41 paths are served" \
		"$(DOCKER_API_VERSION=1.41 dk version --format '{{.Client.APIVersion}}' 2>&1)" 1.41
	t_eq "docker info: OS type, storage driver" "$(dk info --format '{{.OSType}} {{.Driver}}' 2>&1)" "linux overlay2"
	t_check "DOCKER_API_VERSION=1.40 is refused with Docker's message" \
		sh -c "DOCKER_API_VERSION=1.40 DOCKER_CONFIG='$W/docker-config' DOCKER_HOST='unix://$S' /usr/local/bin/docker version 2>&1 |
			grep -q 'client version 1.40 is too old'"
else
	t_skip "the real docker CLI" "no /usr/local/bin/docker"
fi

# ---- info, df -------------------------------------------------------------------------
out=$(c http://d/v1.41/info)
t_eq "GET /info: Docker's shape (counts, driver, OS type, root dir, network plugins)" \
	"$(jq -r '[.Containers, .ContainersRunning, .Images, .Driver, .OSType, .DockerRootDir, (.Plugins.Network | join(",")), .ServerVersion != ""] | map(tostring) | join(" ")' <<<"$out" 2>/dev/null)" \
	"0 0 0 overlay2 linux $NETNS_RUN_STATE_DIR bridge,host,null true"
id1=$(jq -r .ID <<<"$out")
t_eq "GET /info: the engine ID is kept" "$(c http://d/info | jq -r .ID)" "$id1"
t_eq "GET /system/df: Docker's shape" "$(c http://d/system/df | jq -c '[.LayersSize, .Images, .Containers, .Volumes]')" \
	'[0,[],[],[]]'

# ---- refusals -------------------------------------------------------------------------
out=$(c -w '\n%{http_code}' http://d/v1.41/nope/such)
t_eq "an unknown endpoint: 404" "$(tail -n 1 <<<"$out")" 404
t_eq "... with a JSON message naming it" "$(head -n 1 <<<"$out" | jq -r .message)" \
	"page not found: GET /nope/such is not implemented by netns-run"
t_eq "a known path with the wrong method: 404 as Docker" "$(c -o /dev/null -w '%{http_code}' -X DELETE http://d/version)" 404
t_eq "/containers/../images/json is not looked up: 404" \
	"$(c --path-as-is -o /dev/null -w '%{http_code}' http://d/containers/../images/json)" 404
t_eq "%2F in an id does not reach a handler: 404" \
	"$(c -o /dev/null -w '%{http_code}' http://d/containers/a%2Fb/json)" 404
head -c $((5 << 20)) /dev/zero >"$W/big"
out=$(c -w '\n%{http_code}' -X POST -H 'Content-Type: application/json' --data-binary @"$W/big" http://d/networks/create)
t_eq "a 5 MiB body to a JSON endpoint: 413" "$(tail -n 1 <<<"$out")" 413
t_check "... with a message" grep -q '"message":"request body too large' <<<"$out"
out=$(c -w '\n%{http_code}' -X POST -H 'Transfer-Encoding: chunked' --data-binary @"$W/big" http://d/networks/create)
t_eq "the same, chunked (no length): 413" "$(tail -n 1 <<<"$out")" 413
t_check "the daemon still answers" test "$(c http://d/_ping)" = OK

# ---- a stream's headers come at once (docker's wait relies on it) -----------------------
if [ "$(c -o /dev/null -w '%{http_code}' --max-time 1 http://d/events)" = 200 ]; then
	# No event happens: all curl can have within its 2 s is the status and the headers.
	out=$(c -i -N --max-time 2 http://d/v1.41/events | tr -d '\r')
	t_check "GET /events with nothing to report: the status and headers arrive at once" \
		grep -q "^HTTP/1.1 200" <<<"$out"
	t_check "... chunked, no length" grep -qi "^Transfer-Encoding: chunked" <<<"$out"
else
	t_skip "a stream's headers come at once" "GET /events is not served by this build (tests/unit/daemon/test_server covers it)"
fi

# ---- a slow client is cut (--timeout 3), others are served meanwhile -------------------
cat >"$W/slow.py" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); t0 = time.time()
try:
    for b in b"GET /_ping HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200:
        s.send(bytes([b])); time.sleep(0.1)
        if time.time() - t0 > 15: print("not cut"); sys.exit(1)
    s.settimeout(15)
    print("cut" if s.recv(100) == b"" else "answered")
except (BrokenPipeError, ConnectionResetError):
    print("cut")
print(int(time.time() - t0), file=sys.stderr)
PY
python3 "$W/slow.py" "$S" >"$W/slow.out" 2>"$W/slow.err" &
SLOW=$!
sleep 0.5
t_eq "while a slow client dribbles its headers, others are answered" "$(c http://d/_ping)" OK
wait $SLOW
t_eq "the slow client is cut (idle timeout)" "$(cat "$W/slow.out")" cut
t_check "... within the timeout, not after its 20 s of headers" test "$(cat "$W/slow.err")" -lt 10

# ---- the log ----------------------------------------------------------------------------
t_check "--debug: one log line per request (method path status duration)" \
	grep -qE 'level=debug GET /v1.41/info 200 [0-9.]+ms' "$W/file.log"
t_check "--log-file and stderr get the same lines" grep -q "API listening on unix://$S" "$W/d.log"

# ---- one daemon per socket ------------------------------------------------------------
out=$(timeout 5 "$D" -H "unix://$S" 2>&1)
rc=$?
t_eq "a second daemon on the same socket exits 1" "$rc" 1
t_check "... saying another daemon serves it" grep -q "another netns-run daemon serves this socket" <<<"$out"
t_eq "... and the first still answers" "$(c http://d/_ping)" OK

# ---- no fd or thread left behind ------------------------------------------------------
sleep 0.3
f0=$(fds "$MAIN")
th0=$(threads "$MAIN")
ls -l /proc/"$MAIN"/fd | awk 'NR > 1 {print $9, $11}' >"$W/fd0"
for _ in $(seq 200); do c -o /dev/null "http://d/v1.41/version"; done
nope=""
for _ in $(seq 20); do
	c -o /dev/null http://d/nope &
	nope="$nope $!"
done
wait $nope # the clients gone, their connections are closed (a slow machine: no guess)
# Re-measured at each try (a "$(fds)" argument would be measured once).
fds_le() { [ "$(fds "$MAIN")" -le "$1" ]; }
threads_le() { [ "$(threads "$MAIN")" -le "$1" ]; }
wait_for fds_le "$f0"
if [ "$(fds "$MAIN")" -le "$f0" ]; then t_ok "200 requests later the daemon holds no more fds ($f0)"; else
	t_fail "200 requests later the daemon holds no more fds ($f0)" \
		"$(ls -l /proc/"$MAIN"/fd | awk 'NR > 1 {print $9, $11}' | diff "$W/fd0" - | tr '\n' ' ')"
fi
wait_for threads_le "$th0"
t_eq "... and as many threads ($th0)" "$(threads "$MAIN")" "$th0"

# ---- SIGTERM ----------------------------------------------------------------------------
t0=$(date +%s%N)
kill -TERM "$MAIN"
wait "$MAIN"
rc=$?
t_eq "SIGTERM: exit 0" "$rc" 0
t_check "... promptly (< 3 s)" test $((($(date +%s%N) - t0) / 1000000)) -lt 3000
t_check "... the socket file is gone" test ! -e "$S"

# ---- restart after SIGKILL: the stale socket is replaced ------------------------------
start_daemon "$W/d2.log" "$D" -H "unix://$S"
wait_for test -S "$S"
kill -9 "$DPID"
wait "$DPID" 2>/dev/null
t_check "after SIGKILL the socket file stays behind" test -S "$S"
start_daemon "$W/d3.log" "$D" -H "unix://$S"
wait_for sh -c "curl -s --unix-socket '$S' http://d/_ping | grep -q OK"
t_eq "a new daemon takes the stale socket over" "$(c http://d/_ping)" OK
kill -TERM "$DPID"
wait "$DPID"

# ---- systemd socket activation ----------------------------------------------------------
A=$W/act.sock
if command -v systemd-socket-activate >/dev/null; then
	start_daemon "$W/act.log" systemd-socket-activate -l "$A" "$D" -H "unix://$W/ignored.sock"
else
	start_daemon "$W/act.log" python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(16)
os.dup2(s.fileno(), 3); os.set_inheritable(3, True)
os.environ["LISTEN_FDS"] = "1"; os.environ["LISTEN_PID"] = str(os.getpid())
os.execv(sys.argv[2], sys.argv[2:])' "$A" "$D" -H "unix://$W/ignored.sock"
fi
wait_for test -S "$A"
t_eq "socket activation: the passed socket is served" "$(curl -s --max-time 10 --unix-socket "$A" http://d/_ping)" OK
t_check "... and -H is ignored" test ! -e "$W/ignored.sock"
kill -TERM "$DPID"
wait "$DPID"

# ---- TCP ------------------------------------------------------------------------------
out=$(timeout 5 "$D" -H tcp://10.1.2.3:2375 2>&1)
rc=$?
t_eq "TCP on a non-loopback address without TLS: exit 1" "$rc" 1
t_check "... with a clear message" grep -q "refusing to serve the API on a non-loopback address without TLS" <<<"$out"
out=$(timeout 5 "$D" -H tcp://127.0.0.1:23750 2>&1)
t_check "TCP on loopback without TLS needs --insecure-tcp" grep -q -- "--insecure-tcp" <<<"$out"
start_daemon "$W/tcp.log" "$D" -H tcp://127.0.0.1:23750 --insecure-tcp
wait_for sh -c "curl -s http://127.0.0.1:23750/_ping | grep -q OK"
t_eq "--insecure-tcp on 127.0.0.1 serves plain HTTP" "$(curl -s --max-time 5 http://127.0.0.1:23750/_ping)" OK
t_check "... and warns" grep -q "level=warning.*WITHOUT TLS" "$W/tcp.log"
kill -TERM "$DPID"
wait "$DPID"

# TLS: a CA, a server certificate for 127.0.0.1, a client certificate.
(
	cd "$W" || exit 1
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 1 -subj /CN=test-ca
	openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj /CN=127.0.0.1
	printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >srv.ext
	openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 1 -extfile srv.ext
	openssl req -newkey rsa:2048 -nodes -keyout cli.key -out cli.csr -subj /CN=client
	printf 'extendedKeyUsage=clientAuth\n' >cli.ext
	openssl x509 -req -in cli.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out cli.pem -days 1 -extfile cli.ext
) >"$W/openssl.log" 2>&1
start_daemon "$W/tls.log" "$D" -H tcp://127.0.0.1:23760 --tlscert "$W/srv.pem" --tlskey "$W/srv.key"
wait_for sh -c "curl -s --cacert '$W/ca.pem' https://127.0.0.1:23760/_ping | grep -q OK"
t_eq "TLS on 127.0.0.1: _ping over https" "$(curl -s --max-time 5 --cacert "$W/ca.pem" https://127.0.0.1:23760/_ping)" OK
t_check "... plain HTTP gets no answer there" sh -c "! curl -s --max-time 3 http://127.0.0.1:23760/_ping | grep -q OK"
kill -TERM "$DPID"
wait "$DPID"
start_daemon "$W/tlsv.log" "$D" -H tcp://127.0.0.1:23770 --tlscert "$W/srv.pem" --tlskey "$W/srv.key" \
	--tlscacert "$W/ca.pem"
wait_for sh -c "curl -s --cacert '$W/ca.pem' --cert '$W/cli.pem' --key '$W/cli.key' https://127.0.0.1:23770/_ping | grep -q OK"
t_eq "--tlscacert: a client certificate of the CA is let in" \
	"$(curl -s --max-time 5 --cacert "$W/ca.pem" --cert "$W/cli.pem" --key "$W/cli.key" https://127.0.0.1:23770/_ping)" OK
t_check "... a client without one is not" \
	sh -c "! curl -s --max-time 5 --cacert '$W/ca.pem' https://127.0.0.1:23770/_ping | grep -q OK"
kill -TERM "$DPID"
wait "$DPID"

# ---- make install: the daemon and its units (never enabled) ----------------------------
dest=$W/dest
if [ -n "${NR_SANITIZED:-}" ]; then
	# make install relinks with the default flags, which a sanitized build's objects lack.
	t_skip "make install with DESTDIR and PREFIX" "a sanitized build"
elif make -s -C "$(dirname "$0")/../.." BUILD="$NR_BUILD" DESTDIR="$dest" PREFIX=/opt/nr install >"$W/install.log" 2>&1; then
	t_check "make install puts netns-run-daemon beside netns-run" test -x "$dest/opt/nr/bin/netns-run-daemon"
	t_check "... the service unit runs it from there" \
		grep -q '^ExecStart=/opt/nr/bin/netns-run-daemon' "$dest/opt/nr/lib/systemd/system/netns-run.service"
	t_check "... the socket unit listens on /run/netns-run.sock, 0660, group netns-run" sh -c \
		"grep -q '^ListenStream=/run/netns-run.sock' '$dest/opt/nr/lib/systemd/system/netns-run.socket' &&
		 grep -q '^SocketMode=0660' '$dest/opt/nr/lib/systemd/system/netns-run.socket' &&
		 grep -q '^SocketGroup=netns-run' '$dest/opt/nr/lib/systemd/system/netns-run.socket'"
	t_eq "... nothing is enabled (no .wants links)" "$(find "$dest" -name '*.wants' | wc -l)" 0
	make -s -C "$(dirname "$0")/../.." BUILD="$NR_BUILD" DESTDIR="$dest" PREFIX=/opt/nr uninstall >>"$W/install.log" 2>&1
	t_check "make uninstall removes the daemon and the units" sh -c \
		"test ! -e '$dest/opt/nr/bin/netns-run-daemon' && test ! -e '$dest/opt/nr/lib/systemd/system/netns-run.service' &&
		 test ! -e '$dest/opt/nr/lib/systemd/system/netns-run.socket'"
else
	t_fail "make install with DESTDIR and PREFIX" "$(tail -n 5 "$W/install.log")"
fi

t_done
