# A 3-member etcd 3.4 cluster for a test, inside its sandbox: source after sandbox.sh and t.sh.
#   etcd_start DIR ADDR PORT_BASE   members mi (i = 1..3) listen on ADDR, client port
#                                   PORT_BASE+i, peer port PORT_BASE+10+i, data under DIR/mi;
#                                   fast elections (50 ms heartbeats, 500 ms timeout).
#                                   Sets ETCD_ENDPOINTS (etcd://ADDR:P1,ADDR:P2,ADDR:P3) and
#                                   ETCD_PIDS[mi]; returns 1 when they are not all healthy in 10 s.
#   etcd_kill I...                  kills members (by pid), and waits for them.
#   etcd_member_start I             starts member I again (same data, same cluster).
#   etcd_stop                       kills every member.
#   etcd_healthy ADDR PORT          the member answers /health with true.
ETCD_BIN=/usr/bin/etcd
declare -A ETCD_PIDS
ETCD_ENDPOINTS=
ETCD_DIR= ETCD_ADDR= ETCD_BASE=

etcd_healthy() { [ "$(curl -s --max-time 1 "http://$1:$2/health" | jq -r .health 2>/dev/null)" = true ]; }

etcd_member_start() {
	local i=$1 cluster="" j
	for j in 1 2 3; do cluster="$cluster${cluster:+,}m$j=http://$ETCD_ADDR:$((ETCD_BASE + 10 + j))"; done
	"$ETCD_BIN" --name "m$i" --data-dir "$ETCD_DIR/m$i" --listen-client-urls "http://$ETCD_ADDR:$((ETCD_BASE + i))" \
		--advertise-client-urls "http://$ETCD_ADDR:$((ETCD_BASE + i))" \
		--listen-peer-urls "http://$ETCD_ADDR:$((ETCD_BASE + 10 + i))" \
		--initial-advertise-peer-urls "http://$ETCD_ADDR:$((ETCD_BASE + 10 + i))" --initial-cluster "$cluster" \
		--initial-cluster-state new --initial-cluster-token nr-test --heartbeat-interval 50 \
		--election-timeout 500 --logger zap --log-outputs "$ETCD_DIR/m$i.log" >/dev/null 2>&1 &
	ETCD_PIDS[m$i]=$!
}

_etcd_all_healthy() {
	local i
	for i in 1 2 3; do etcd_healthy "$ETCD_ADDR" $((ETCD_BASE + i)) || return 1; done
}

etcd_start() {
	local i
	ETCD_DIR=$1 ETCD_ADDR=$2 ETCD_BASE=$3
	for i in 1 2 3; do etcd_member_start "$i"; done
	ETCD_ENDPOINTS="etcd://$ETCD_ADDR:$((ETCD_BASE + 1)),$ETCD_ADDR:$((ETCD_BASE + 2)),$ETCD_ADDR:$((ETCD_BASE + 3))"
	await 10 _etcd_all_healthy
}

etcd_kill() {
	local i
	for i in "$@"; do kill -9 "${ETCD_PIDS[m$i]}" 2>/dev/null; done
	for i in "$@"; do wait "${ETCD_PIDS[m$i]}" 2>/dev/null; unset "ETCD_PIDS[m$i]"; done
}

etcd_stop() {
	local p
	for p in "${ETCD_PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	for p in "${ETCD_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	ETCD_PIDS=()
}

# etcd_tls_member DIR ADDR PORT: a one-member cluster "tls" with https on ADDR:PORT (peer PORT+10),
# --client-cert-auth, certificates made under DIR/pki (ca.pem; server.pem, a client
# certificate too, as etcd's gateway dials the member's gRPC with it; client.pem and
# client.key, an EC key).  Its pid in ETCD_PIDS[tls]; returns 1 when it is not up in 10 s.
etcd_tls_member() {
	local dir=$1 addr=$2 port=$3 c=$1/pki
	mkdir -p "$c"
	(
		cd "$c" || exit 1
		openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 1 -subj /CN=nr-test-ca
		openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=etcd-tls
		printf 'subjectAltName=IP:%s\nextendedKeyUsage=serverAuth,clientAuth\n' "$addr" >server.ext
		openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 1 \
			-extfile server.ext
		openssl ecparam -name prime256v1 -genkey -noout -out client.key
		openssl req -new -key client.key -out client.csr -subj /CN=nr-agent
		printf 'extendedKeyUsage=clientAuth\n' >client.ext
		openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 1 \
			-extfile client.ext
	) >"$dir/pki.log" 2>&1 || return 1
	"$ETCD_BIN" --name tls --data-dir "$dir/tls" --listen-client-urls "https://$addr:$port" \
		--advertise-client-urls "https://$addr:$port" --listen-peer-urls "http://$addr:$((port + 10))" \
		--initial-advertise-peer-urls "http://$addr:$((port + 10))" --initial-cluster "tls=http://$addr:$((port + 10))" \
		--cert-file "$c/server.pem" --key-file "$c/server.key" --trusted-ca-file "$c/ca.pem" --client-cert-auth \
		--logger zap --log-outputs "$dir/tls.log" >/dev/null 2>&1 &
	ETCD_PIDS[tls]=$!
	_etcd_tls_up() {
		curl -s --max-time 1 --cacert "$c/ca.pem" --cert "$c/client.pem" --key "$c/client.key" \
			"https://$addr:$port/health" | grep -q true
	}
	await 10 _etcd_tls_up
}
