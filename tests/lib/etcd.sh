# A 3-member etcd 3.4 cluster for a test, inside its sandbox: source after sandbox.sh and t.sh.
#   etcd_start DIR ADDR PORT_BASE   members mi (i = 1..3) listen on ADDR, client port
#                                   PORT_BASE+i, peer port PORT_BASE+10+i, data under DIR;
#                                   fast elections (50 ms heartbeats, 500 ms timeout).
#                                   Sets ETCD_ENDPOINTS (etcd://ADDR:P1,ADDR:P2,ADDR:P3) and
#                                   ETCD_PIDS[mi]; returns 1 when they are not all healthy in 10 s.
#   etcd_stop                       kills every member (by pid) and waits.
#   etcd_healthy ADDR PORT          the member answers /health with true.
ETCD_BIN=/usr/bin/etcd
declare -A ETCD_PIDS
ETCD_ENDPOINTS=

etcd_healthy() { [ "$(curl -s --max-time 1 "http://$1:$2/health" | jq -r .health 2>/dev/null)" = true ]; }

etcd_start() {
	local dir=$1 addr=$2 base=$3 i cluster="" all
	for i in 1 2 3; do cluster="$cluster${cluster:+,}m$i=http://$addr:$((base + 10 + i))"; done
	for i in 1 2 3; do
		"$ETCD_BIN" --name "m$i" --data-dir "$dir/m$i" --listen-client-urls "http://$addr:$((base + i))" \
			--advertise-client-urls "http://$addr:$((base + i))" --listen-peer-urls "http://$addr:$((base + 10 + i))" \
			--initial-advertise-peer-urls "http://$addr:$((base + 10 + i))" --initial-cluster "$cluster" \
			--initial-cluster-state new --initial-cluster-token nr-test --heartbeat-interval 50 \
			--election-timeout 500 --logger zap --log-outputs "$dir/m$i.log" >/dev/null 2>&1 &
		ETCD_PIDS[m$i]=$!
	done
	ETCD_ENDPOINTS="etcd://$addr:$((base + 1)),$addr:$((base + 2)),$addr:$((base + 3))"
	_etcd_all_healthy() { etcd_healthy "$addr" $((base + 1)) && etcd_healthy "$addr" $((base + 2)) && etcd_healthy "$addr" $((base + 3)); }
	await 10 _etcd_all_healthy
}

etcd_stop() {
	local p
	for p in "${ETCD_PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	for p in "${ETCD_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	ETCD_PIDS=()
}
