#!/bin/bash
# The docker CLI over TLS (issue 18): the daemon on tcp://127.0.0.1 (the sandbox's own
# loopback, its own network namespace) with --tlscert/--tlskey/--tlscacert, certificates
# made with openssl in the test's temp dir; the CLI with --tlsverify and its client
# certificate: version, run --rm (a hijacked stream over TLS), run -d, exec, logs; a
# client without a certificate, or one the CA did not sign, is refused.  Private state
# and config dirs; the daemon is killed by pid.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/runtime.sh"
source "$(dirname "$0")/../lib/busybox_image.sh"

DAEMON="$NR_BUILD/bin/netns-run-daemon"
DOCKER=/usr/local/bin/docker
if [ ! -x "$DAEMON" ]; then t_skip "daemon over TLS" "netns-run-daemon not built"; t_done; exit; fi
if [ ! -x "$DOCKER" ]; then t_skip "daemon over TLS" "no docker CLI at $DOCKER"; t_done; exit; fi
if ! command -v openssl >/dev/null; then t_skip "daemon over TLS" "no openssl"; t_done; exit; fi

W=$(mktemp -d /run/daemon-tls.XXXX)
export DOCKER_CONFIG=$W/docker-config
unset DOCKER_HOST DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH DOCKER_API_VERSION
mkdir -p "$DOCKER_CONFIG"
ip link set lo up 2>/dev/null
DPID=""
stop_daemon() {
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	nr_cleanup
	rm -rf "$W"
}
trap stop_daemon EXIT

# A CA, a server certificate for 127.0.0.1, a client certificate; and a second CA with a
# client of its own (a certificate the daemon must not take).
(
	cd "$W" || exit 1
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca-key.pem -out ca.pem -days 1 -subj /CN=test-ca
	openssl req -newkey rsa:2048 -nodes -keyout key.pem -out srv.csr -subj /CN=127.0.0.1
	printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >srv.ext
	openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out server.pem -days 1 -extfile srv.ext
	mv key.pem server-key.pem
	openssl req -newkey rsa:2048 -nodes -keyout key.pem -out cli.csr -subj /CN=client
	printf 'extendedKeyUsage=clientAuth\n' >cli.ext
	openssl x509 -req -in cli.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out cert.pem -days 1 -extfile cli.ext
	openssl req -x509 -newkey rsa:2048 -nodes -keyout other-ca-key.pem -out other-ca.pem -days 1 -subj /CN=other-ca
	openssl req -newkey rsa:2048 -nodes -keyout other-key.pem -out other.csr -subj /CN=intruder
	openssl x509 -req -in other.csr -CA other-ca.pem -CAkey other-ca-key.pem -CAcreateserial -out other.pem -days 1 \
		-extfile cli.ext
) >"$W/openssl.log" 2>&1 || { t_fail "openssl makes the certificates" "$(tail -5 "$W/openssl.log")"; t_done; exit; }

PORT=23790
"$DAEMON" -H "tcp://127.0.0.1:$PORT" --tlscert "$W/server.pem" --tlskey "$W/server-key.pem" \
	--tlscacert "$W/ca.pem" >"$W/daemon.log" 2>&1 &
DPID=$!
TLS=(--tlsverify --tlscacert "$W/ca.pem" --tlscert "$W/cert.pem" --tlskey "$W/key.pem")
D() { "$DOCKER" -H "tcp://127.0.0.1:$PORT" "${TLS[@]}" "$@"; }
for _ in $(seq 100); do
	curl -sf --max-time 2 --cacert "$W/ca.pem" --cert "$W/cert.pem" --key "$W/key.pem" \
		"https://127.0.0.1:$PORT/_ping" >/dev/null 2>&1 && break
	kill -0 "$DPID" 2>/dev/null || break
	sleep 0.1
done
if ! D version >/dev/null 2>&1; then
	t_fail "the daemon answers the CLI over TLS" "$(cat "$W/daemon.log"; D version 2>&1 | tail -3)"
	t_done
	exit
fi
t_check "the daemon says it listens with TLS" grep -q "API listening on tcp://127.0.0.1:$PORT (TLS)" "$W/daemon.log"

t_check "docker --tlsverify version: the server's part" grep -q "^Server:" <<<"$(D version 2>&1)"
t_eq "... its API version" "$(D version -f '{{.Server.APIVersion}}' 2>&1)" "1.50"
t_eq "docker load over TLS" "$(busybox_image "$W/bb.tar" bb:1 && D load -i "$W/bb.tar" 2>&1)" "Loaded image: bb:1"
t_eq "docker run --rm echo (a hijacked stream over TLS)" "$(D run --rm bb:1 echo hello-over-tls 2>&1)" "hello-over-tls"
D run --rm bb:1 sh -c 'exit 3' >/dev/null 2>&1
t_eq "... the exit code comes back" "$?" 3
t_eq "echo in | docker run -i --rm cat: input over TLS, then its end" \
	"$(echo piped-in | timeout 30 "$DOCKER" -H "tcp://127.0.0.1:$PORT" "${TLS[@]}" run -i --rm bb:1 cat 2>&1)" "piped-in"
D run -d --name "${P}t" bb:1 sh -c 'echo started; sleep 300' >/dev/null 2>&1
t_eq "docker run -d, then exec over TLS" "$(D exec "${P}t" echo from-exec 2>&1)" "from-exec"
D exec "${P}t" sh -c 'exit 5' >/dev/null 2>&1
t_eq "... exec's exit code" "$?" 5
for _ in $(seq 50); do D logs "${P}t" 2>&1 | grep -q started && break; sleep 0.1; done
t_eq "docker logs over TLS" "$(D logs "${P}t" 2>&1)" "started"
t_eq "docker ps over TLS" "$(D ps --format '{{.Names}}' 2>&1)" "${P}t"
D rm -f "${P}t" >/dev/null 2>&1
t_eq "... rm -f: gone" "$(D ps -a -q 2>&1 | wc -l)" 0

# Refused: no client certificate, one of another CA, plain HTTP, and a client that does
# not trust the server.
out=$("$DOCKER" -H "tcp://127.0.0.1:$PORT" --tlsverify --tlscacert "$W/ca.pem" version 2>&1); r=$?
t_check "a client without a certificate is refused" test $r != 0
t_check "... no server part in its answer" bash -c '! grep -q "^Server:" <<<"$1"' _ "$out"
out=$("$DOCKER" -H "tcp://127.0.0.1:$PORT" --tlsverify --tlscacert "$W/ca.pem" --tlscert "$W/other.pem" \
	--tlskey "$W/other-key.pem" version 2>&1); r=$?
t_check "a client certificate of another CA is refused" test $r != 0
t_check "... no server part" bash -c '! grep -q "^Server:" <<<"$1"' _ "$out"
t_check "plain HTTP gets no answer" sh -c "! curl -s --max-time 3 http://127.0.0.1:$PORT/_ping | grep -q OK"
out=$("$DOCKER" -H "tcp://127.0.0.1:$PORT" --tlsverify --tlscacert "$W/other-ca.pem" --tlscert "$W/cert.pem" \
	--tlskey "$W/key.pem" version 2>&1); r=$?
t_check "a client that does not trust the server's CA stops" test $r != 0
t_check "... on the certificate" grep -qi "certificate" <<<"$out"
t_check "the daemon is still up" kill -0 "$DPID"
t_eq "... and serves the good client" "$(D run --rm bb:1 echo still 2>&1)" "still"
t_done
