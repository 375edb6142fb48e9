#!/bin/bash
# The etcd client (core/etcd, issue 20) against a real 3-member etcd 3.4 cluster, driven
# through tests/tools/etcd_tool: put/get/delete, one kept connection, create-if-absent,
# compare-and-delete, leases (revoke, expiry, keep-alive), a watch (events in order, resumed
# from a revision, compacted, stopped from another thread, following a failover), the leader
# killed (requests and the watch go on through another member), quorum lost, every member
# gone or black-holed (a clear error within the bound), answers that are not etcd's (a
# proxy's page, garbage, silence), and TLS with client certificates.  The
# members listen on 127.0.0.1 of the sandbox's own network namespace; their data is under
# the test's directory; each is killed by pid.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"

ETCD=/usr/bin/etcd
T="$NR_BUILD/tests/tools/etcd_tool"
if [ ! -x "$ETCD" ] || [ ! -x "$T" ] || ! command -v openssl >/dev/null || ! command -v curl >/dev/null; then
	t_skip "etcd client" "needs etcd-server (/usr/bin/etcd), build/tests/tools/etcd_tool, openssl and curl"
	t_done
	exit
fi
W=$(mktemp -d /tmp/nr-etcd.XXXXXX)
declare -A PID
cleanup() {
	local p
	for p in "${PID[@]}" ${BG:-}; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

# wait_for COND...: up to 10 s for it to hold.
wait_for() { local _; for _ in $(seq 200); do "$@" && return 0; sleep 0.05; done; return 1; }
ms() { date +%s%3N; }

# Member i: client port 2379i, peer port 2380i, data in $W/mi.  Fast elections (50 ms
# heartbeats, 500 ms election timeout) keep the failover steps short.
CLUSTER=m1=http://127.0.0.1:23801,m2=http://127.0.0.1:23802,m3=http://127.0.0.1:23803
start_member() {
	local i=$1
	"$ETCD" --name "m$i" --data-dir "$W/m$i" --listen-client-urls "http://127.0.0.1:2379$i" \
		--advertise-client-urls "http://127.0.0.1:2379$i" --listen-peer-urls "http://127.0.0.1:2380$i" \
		--initial-advertise-peer-urls "http://127.0.0.1:2380$i" --initial-cluster "$CLUSTER" \
		--initial-cluster-state new --initial-cluster-token nr-test --heartbeat-interval 50 \
		--election-timeout 500 --logger zap --log-outputs "$W/m$i.log" >/dev/null 2>&1 &
	PID[m$i]=$!
}
healthy() { [ "$(curl -s --max-time 1 "http://127.0.0.1:2379$1/health" | jq -r .health 2>/dev/null)" = true ]; }
all_healthy() { healthy 1 && healthy 2 && healthy 3; }
# The member (1-3) that leads, by /v3/maintenance/status.
leader() {
	local i st
	for i in 1 2 3; do
		st=$(curl -s --max-time 1 -X POST "http://127.0.0.1:2379$i/v3/maintenance/status" -d '{}') || continue
		[ -n "$st" ] && [ "$(jq -r .header.member_id <<<"$st")" = "$(jq -r .leader <<<"$st")" ] && echo "$i" && return
	done
}

for i in 1 2 3; do start_member "$i"; done
if ! wait_for all_healthy; then
	t_fail "a 3-member etcd cluster starts" "$(tail -n 5 "$W"/m*.log)"
	t_done
	exit
fi
t_ok "a 3-member etcd 3.4 cluster starts ($("$ETCD" --version | head -n 1))"
E=etcd://127.0.0.1:23791,127.0.0.1:23792,127.0.0.1:23793
e() { "$T" "$E" "$@"; }

# ---- keys ------------------------------------------------------------------------------
out=$(e put /t/a one)
t_check "put answers the revision of the write" grep -qE '^revision [0-9]+$' <<<"$out"
e put /t/b two >/dev/null
e put /t0 outside >/dev/null
t_eq "get reads the value back" "$(e get /t/a | head -n 1 | cut -d' ' -f1)" "/t/a=one"
t_eq "get of a prefix: its keys in order, not /t0" "$(e get-prefix /t/ | grep -v '^revision' | cut -d' ' -f1 | tr '\n' ' ')" \
	"/t/a=one /t/b=two "
t_eq "get of a missing key: nothing, and the revision" "$(e get /t/none)" "$(e get /t/none | grep '^revision')"
t_eq "delete of a key: 1 deleted" "$(e del /t/a)" "deleted 1"
t_eq "... it is gone" "$(e get /t/a | grep -vc '^revision')" 0
t_eq "delete of a prefix: what is under it" "$(e del-prefix /t/)" "deleted 1"
t_eq "... /t0 is not under /t/" "$(e get /t0 | head -n 1 | cut -d' ' -f1)" "/t0=outside"
t_eq "50 requests on one client: one connection (kept alive)" "$(e repeat 50 /t0)" "connections 1"

# ---- what is not etcd: a proxy's error page, garbage, silence, a huge number ---------------
# Fake members (python3's http.server) on 2388x, each answering every POST one way.
cat >"$W/fake.py" <<'PY'
import http.server, socketserver, sys, threading, time
ANSWERS = {
    23881: (500, b"<html>proxy error</html>"),
    23882: (200, b"this is not json"),
    23883: None,  # reads the request, never answers
    23884: (200, b'{"header":{"revision":"99999999999999999999"}}'),
}
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        a = ANSWERS[self.server.server_address[1]]
        if a is None:
            time.sleep(30)
            return
        self.send_response(a[0])
        self.send_header("Content-Length", str(len(a[1])))
        self.end_headers()
        self.wfile.write(a[1])
    def log_message(self, *args):
        pass
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
for port in ANSWERS:
    threading.Thread(target=S(("127.0.0.1", port), H).serve_forever, daemon=True).start()
print("ready", flush=True)
time.sleep(3600)
PY
python3 "$W/fake.py" >"$W/fake.log" 2>&1 &
PID[fake]=$!
wait_for grep -q ready "$W/fake.log"
out=$("$T" etcd://127.0.0.1:23881 get /t0 2>&1)
t_check "a member answering a proxy's error page: HTTP 500 and the page, on one line" \
	grep -qx "etcd_tool: get /t0: etcd 127.0.0.1:23881: HTTP 500: <html>proxy error</html>" <<<"$out"
out=$("$T" -v etcd://127.0.0.1:23881,127.0.0.1:23791 get /t0 2>&1)
t_check "... with a real member after it: that one answers" grep -q "^member 127.0.0.1:23791 " <<<"$out"
out=$("$T" etcd://127.0.0.1:23882 get /t0 2>&1)
t_check "a 200 that is not JSON: a decode error" grep -q "get /t0: etcd response: not JSON" <<<"$out"
out=$("$T" etcd://127.0.0.1:23884 get /t0 2>&1)
t_check "a revision past int64: refused, named" grep -q "'revision' is out of range: 99999999999999999999" <<<"$out"
t0=$(ms)
out=$("$T" -v --timeout-ms 500 etcd://127.0.0.1:23883,127.0.0.1:23791 get /t0 2>&1)
el=$(($(ms) - t0))
t_check "a member that never answers is given up after the request timeout; the next answers" \
	grep -q "^member 127.0.0.1:23791 " <<<"$out"
t_check "... within 500 ms and start-up ($el ms, bound 1500)" test "$el" -lt 1500
kill -9 "${PID[fake]}"
unset "PID[fake]"

# ---- transactions ----------------------------------------------------------------------
t_eq "create-if-absent: created" "$(e create /c/subnet host-a)" "created"
out=$(e create /c/subnet host-b)
t_eq "... the second one fails (exit 3)" "$?" 3
t_eq "... and says who holds it" "$out" "exists host-a lease=0"
t_eq "... the value is the first one's" "$(e get /c/subnet | head -n 1 | cut -d' ' -f1)" "/c/subnet=host-a"
e del-if-value /c/subnet host-b >/dev/null
t_eq "compare-and-delete by value: another value keeps the key (exit 3)" "$?" 3
t_eq "... the right value deletes it" "$(e del-if-value /c/subnet host-a)" "deleted"
t_eq "... it is gone" "$(e get /c/subnet | grep -vc '^revision')" 0

# ---- leases ----------------------------------------------------------------------------
read -r L TTL <<<"$(e lease-grant 30)"
t_eq "lease grant: an ID and the TTL" "$TTL" 30
e put /l/x held "$L" >/dev/null
t_eq "put with the lease: the key carries it" "$(e get /l/x | head -n 1 | cut -d' ' -f2)" "lease=$L"
t_eq "create-if-absent with a lease" "$(e create /l/y mine "$L")" "created"
out=$(e create /l/y theirs)
t_eq "... a second create sees the holder's lease" "$out" "exists mine lease=$L"
e del-if-lease /l/y 12345 >/dev/null
t_eq "compare-and-delete by lease: another lease keeps the key" "$?" 3
t_check "lease time to live: at most its TTL" sh -c "'$T' '$E' lease-ttl $L | awk '\$2 > 0 && \$2 <= 30 { ok = 1 } END { exit !ok }'"
t_eq "lease revoke" "$(e lease-revoke "$L")" revoked
t_eq "... its keys are gone" "$(e get-prefix /l/ | grep -vc '^revision')" 0
t_eq "... a second revoke finds it gone (not an error)" "$(e lease-revoke "$L")" gone
out=$(e lease-ttl "$L")
t_eq "... time to live: gone (exit 3)" "$?/$out" "3/gone"
out=$(e lease-keepalive "$L")
t_eq "... keep-alive: gone (exit 3)" "$?/$out" "3/gone"
out=$(e put /l/z v "$L" 2>&1)
t_check "... a put with it is refused with etcd's words" grep -q "requested lease not found" <<<"$out"

read -r L2 _ <<<"$(e lease-grant 2)"
e put /l/short v "$L2" >/dev/null
t0=$(ms)
gone() { [ "$(e get /l/short | grep -vc '^revision')" = 0 ]; }
if wait_for gone; then
	t_ok "a lease of 2 s not kept alive expires, and its key goes ($(($(ms) - t0)) ms)"
else
	t_fail "a lease of 2 s expires" "$(e get /l/short)"
fi
read -r L3 _ <<<"$(e lease-grant 2)"
e put /l/kept v "$L3" >/dev/null
out=$(e lease-keepalive "$L3" 8 500)
t_eq "keep-alive every 0.5 s for 4 s: each renews the TTL" "$(sort -u <<<"$out")" "ttl 2"
t_eq "... the key outlived its TTL twice over" "$(e get /l/kept | head -n 1 | cut -d' ' -f1)" "/l/kept=v"
e lease-revoke "$L3" >/dev/null

# ---- watch -----------------------------------------------------------------------------
"$T" "$E" watch /w/ 0 3 >"$W/watch1" 2>&1 &
BG=$!
wait_for grep -q '^created' "$W/watch1"
r1=$(e put /w/a 1 | cut -d' ' -f2)
r2=$(e put /w/b 2 | cut -d' ' -f2)
e del /w/a >/dev/null
r3=$(e get /nothing | cut -d' ' -f2)
wait "$BG"
t_eq "a watch ends after its 3 events (exit 0)" "$?" 0
t_eq "... it saw the puts and the delete, in order, with their revisions" "$(grep -v '^created' "$W/watch1")" \
	"$(printf 'PUT /w/a 1 %s\nPUT /w/b 2 %s\nDELETE /w/a %s' "$r1" "$r2" "$r3")"
e put /x/other 1 >/dev/null
t_eq "resumed from the second event's revision: the second and the third" \
	"$("$T" "$E" watch /w/ "$r2" 2 | grep -v '^created')" "$(printf 'PUT /w/b 2 %s\nDELETE /w/a %s' "$r2" "$r3")"

"$T" "$E" watch /w/ >"$W/watch2" 2>&1 &
BG=$!
wait_for grep -q '^created' "$W/watch2"
t0=$(ms)
kill -TERM "$BG"
wait "$BG"
rc=$?
t_eq "a watch stopped from another thread (SIGTERM's sigwait thread) returns 0" "$rc" 0
t_check "... promptly (< 1 s)" test $(($(ms) - t0)) -lt 1000

curl -s -X POST http://127.0.0.1:23791/v3/kv/compaction -d "{\"revision\":\"$r3\",\"physical\":true}" >/dev/null
out=$("$T" "$E" watch /w/ "$r1" 2>&1)
rc=$?
t_eq "a watch from a compacted revision fails (exit 1)" "$rc" 1
t_check "... saying so, and to what revision" grep -q "^compacted $r3\$" <<<"$out"
t_check "... in words" grep -q "revision $r1 is compacted" <<<"$out"

# ---- the leader killed -----------------------------------------------------------------
Ld=$(leader)
if [ -z "$Ld" ]; then
	t_fail "a leader is found" "$(curl -s -X POST http://127.0.0.1:23791/v3/maintenance/status -d '{}')"
else
	# The leader first in the list, so that requests and the watch start there.
	EL="etcd://127.0.0.1:2379$Ld"
	for i in 1 2 3; do [ "$i" != "$Ld" ] && EL="$EL,127.0.0.1:2379$i"; done
	"$T" -v "$EL" watch /f/ 0 2 >"$W/watch3" 2>"$W/watch3.err" &
	BG=$!
	wait_for grep -q '^created' "$W/watch3"
	e put /f/before 1 >/dev/null
	wait_for grep -q '^PUT /f/before' "$W/watch3"
	kill -9 "${PID[m$Ld]}"
	wait "${PID[m$Ld]}" 2>/dev/null
	unset "PID[m$Ld]"
	t0=$(ms)
	# A proposal a follower forwarded to the dead leader is lost, and etcd answers it only at
	# its own timeout: the client gives the member up at its (2 s) and asks the next one.
	out=$("$T" -v --timeout-ms 2000 "$EL" put /f/after 2 2>&1)
	t_check "leader (member $Ld) killed: a put through a list that starts with it succeeds" grep -q '^revision' <<<"$out"
	mem=$(sed -n 's/^member \([^ ]*\) .*/\1/p' <<<"$out")
	t_check "... answered by another member ($mem)" test -n "$mem" -a "$mem" != "127.0.0.1:2379$Ld"
	t_check "... within 2 request timeouts ($(($(ms) - t0)) ms, bound 4500)" test $(($(ms) - t0)) -lt 4500
	t_eq "... a get too" "$("$T" "$EL" get /f/after | head -n 1 | cut -d' ' -f1)" "/f/after=2"
	wait_for sh -c "! kill -0 $BG 2>/dev/null"
	t_eq "the watch that was on the leader follows to another member: it sees the put after" \
		"$(grep -v '^created' "$W/watch3" | cut -d' ' -f1,2)" "$(printf 'PUT /f/before\nPUT /f/after')"
	# At least once more: a member the watch reaches mid-election may cancel it again when it
	# learns it has no leader, and the watch then resumes once more. Resumed, not restarted,
	# is the check above: each event seen once.
	n=$(grep -c '^created' "$W/watch3")
	t_check "... CREATED again on another member (resumed $((n - 1)) time(s))" test "$n" -ge 2
	kill -9 "$BG" 2>/dev/null
	BG=
	read -r Lf _ <<<"$(e lease-grant 10)"
	t_check "leases work on the two left" sh -c "'$T' '$E' lease-keepalive $Lf | grep -q '^ttl 10$'"

	# ---- quorum lost: one member left, alive but without a leader ---------------------------
	left=()
	for i in 1 2 3; do [ -n "${PID[m$i]:-}" ] && left+=("$i"); done
	kill -9 "${PID[m${left[0]}]}"
	wait "${PID[m${left[0]}]}" 2>/dev/null
	unset "PID[m${left[0]}]"
	A=etcd://127.0.0.1:2379${left[1]}
	t0=$(ms)
	out=$("$T" --timeout-ms 1000 "$A" get /t0 2>&1)
	rc=$?
	el=$(($(ms) - t0))
	t_eq "quorum lost: a read from the member left fails (linearizable)" "$rc" 1
	t_check "... within its timeout ($el ms, bound 2000)" test "$el" -lt 2000
	t_check "... naming the member" grep -q "etcd 127.0.0.1:2379${left[1]}: " <<<"$out"
	t0=$(ms)
	out=$(timeout 5 "$T" "$A" watch /f/ 2>&1)
	rc=$?
	el=$(($(ms) - t0))
	t_eq "... a watch is refused, not left open and silent (exit 1)" "$rc" 1
	t_check "... because the member has no leader ($el ms)" grep -q "etcd 127.0.0.1:2379${left[1]}: etcdserver: no leader" <<<"$out"
fi

# ---- every member gone -----------------------------------------------------------------
for m in "${!PID[@]}"; do kill -9 "${PID[$m]}"; done
wait "${PID[@]}" 2>/dev/null
PID=()
t0=$(ms)
out=$(e get /t0 2>&1)
rc=$?
t_eq "every member killed: the request fails (exit 1)" "$rc" 1
t_check "... at once (< 1 s; refused connections)" test $(($(ms) - t0)) -lt 1000
t_check "... with a clear message" grep -qx "etcd_tool: get /t0: etcd 127.0.0.1:2379[123]: connection refused; tried 3 members" <<<"$out"
# Black-holed members (behind a veth whose peer answers nothing, not even ARP): each
# is given up after the connect timeout, so the whole request is bounded by 3 x 300 ms.
ip link add nr-void type veth peer name nr-void-p && ip addr add 198.51.100.1/24 dev nr-void &&
	ip link set nr-void up && ip link set nr-void-p up
t0=$(ms)
out=$("$T" --connect-ms 300 --timeout-ms 1000 etcd://198.51.100.2:2379,198.51.100.3:2379,198.51.100.4:2379 get /x 2>&1)
rc=$?
el=$(($(ms) - t0))
t_eq "black-holed members: the request fails" "$rc" 1
t_check "... within 3 connect timeouts and start-up ($el ms, bound 2000)" test "$el" -lt 2000
t_check "... saying no connection came" grep -q "etcd 198.51.100.[234]:2379: no connection within 300 ms; tried 3 members" <<<"$out"
out=$("$T" --timeout-ms 300 etcd://198.51.100.2:2379 watch /x 2>&1)
t_check "... a watch too" grep -q "198.51.100.2:2379: no connection within 300 ms" <<<"$out"

# ---- TLS with client certificates -------------------------------------------------------
C=$W/pki
mkdir -p "$C"
(
	cd "$C" || exit 1
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 1 -subj /CN=nr-test-ca
	openssl req -x509 -newkey rsa:2048 -nodes -keyout other-ca.key -out other-ca.pem -days 1 -subj /CN=nr-other-ca
	# The member's certificate is a client one too: etcd's gateway dials the member's gRPC
	# with it when --client-cert-auth is on.
	openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=etcd-m1
	printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n' >server.ext
	openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 1 -extfile server.ext
	openssl ecparam -name prime256v1 -genkey -noout -out client.key
	openssl req -new -key client.key -out client.csr -subj /CN=nr-agent
	printf 'extendedKeyUsage=clientAuth\n' >client.ext
	openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 1 -extfile client.ext
	openssl req -newkey rsa:2048 -nodes -keyout rogue.key -out rogue.csr -subj /CN=rogue
	openssl x509 -req -in rogue.csr -CA other-ca.pem -CAkey other-ca.key -CAcreateserial -out rogue.pem -days 1
) >"$W/pki.log" 2>&1 || t_fail "test certificates" "$(tail -n 5 "$W/pki.log")"
"$ETCD" --name tls --data-dir "$W/tls" --listen-client-urls https://127.0.0.1:23894 \
	--advertise-client-urls https://127.0.0.1:23894 --listen-peer-urls http://127.0.0.1:23904 \
	--initial-advertise-peer-urls http://127.0.0.1:23904 --initial-cluster tls=http://127.0.0.1:23904 \
	--cert-file "$C/server.pem" --key-file "$C/server.key" --trusted-ca-file "$C/ca.pem" --client-cert-auth \
	--logger zap --log-outputs "$W/tls.log" >/dev/null 2>&1 &
PID[tls]=$!
tls_up() { curl -s --max-time 1 --cacert "$C/ca.pem" --cert "$C/client.pem" --key "$C/client.key" https://127.0.0.1:23894/health | grep -q true; }
if wait_for tls_up; then
	ES=etcds://127.0.0.1:23894
	TLS=(--cacert "$C/ca.pem" --cert "$C/client.pem" --key "$C/client.key")
	t_check "TLS with a client certificate (EC key): put" "$T" "${TLS[@]}" "$ES" put /s/k secret
	t_eq "... get" "$("$T" "${TLS[@]}" "$ES" get /s/k | head -n 1 | cut -d' ' -f1)" "/s/k=secret"
	t_eq "... the TLS flag over etcd:// works the same" \
		"$("$T" --tls "${TLS[@]}" etcd://127.0.0.1:23894 get /s/k | head -n 1 | cut -d' ' -f1)" "/s/k=secret"
	"$T" "${TLS[@]}" "$ES" watch /s/ 0 1 >"$W/watch4" 2>&1 &
	BG=$!
	wait_for grep -q '^created' "$W/watch4"
	"$T" "${TLS[@]}" "$ES" put /s/w 1 >/dev/null
	wait "$BG"
	t_eq "... a watch over TLS" "$(grep -v '^created' "$W/watch4" | cut -d' ' -f1,2)" "PUT /s/w"
	out=$("$T" --cacert "$C/ca.pem" "$ES" get /s/k 2>&1)
	t_eq "without a client certificate: refused (exit 1)" "$?" 1
	t_check "... a TLS error naming the member" grep -q "etcd 127.0.0.1:23894: TLS: " <<<"$out"
	out=$("$T" --cacert "$C/ca.pem" --cert "$C/rogue.pem" --key "$C/rogue.key" "$ES" get /s/k 2>&1)
	t_check "with a certificate of another CA: refused" grep -q "etcd 127.0.0.1:23894: TLS: " <<<"$out"
	out=$("$T" --cacert "$C/other-ca.pem" --cert "$C/client.pem" --key "$C/client.key" "$ES" get /s/k 2>&1)
	t_check "a member whose certificate does not chain to --cacert: refused" grep -q "etcd 127.0.0.1:23894: TLS: " <<<"$out"
	out=$("$T" etcd://127.0.0.1:23894 get /s/k 2>&1)
	t_check "plain http to the https member: it hangs up" grep -q "etcd 127.0.0.1:23894: connection lost" <<<"$out"
	out=$("$T" --cacert "$C/ca.pem" etcd://127.0.0.1:23894 get /s/k 2>&1)
	t_check "certificates with an http store: refused before any request" grep -q "which is not https" <<<"$out"
	out=$("$T" --tls --cert "$C/client.pem" "$ES" get /s/k 2>&1)
	t_check "a certificate without its key: refused" grep -q "go together" <<<"$out"
else
	t_fail "an etcd member with TLS and --client-cert-auth starts" "$(tail -n 5 "$W/tls.log")"
fi

# ---- what links libcurl ------------------------------------------------------------------
if [ -x "$NR_BUILD/cni/bridge" ] && [ -x "$NR_BUILD/bin/netns-run" ]; then
	t_eq "the plugins and netns-run do not link libcurl" \
		"$(for b in "$NR_BUILD"/cni/* "$NR_BUILD/bin/netns-run"; do ldd "$b" 2>/dev/null; done | grep -c libcurl)" 0
fi
t_done
