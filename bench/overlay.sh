#!/bin/bash
# Multi-host overlay networks (issue 20), in the sandbox of tests/lib/multihost.sh: three
# hosts on an underlay bridge, a 3-member etcd (one member per host), an overlay network
# (10.20.0.0/16 in /24s) created on h1 and joined by h2.
#   throughput   iperf3 (TCP, 3 s) from a container on h1 to one on h2 over the overlay,
#                against h1 -> h2 on the underlay in the same run; ROUNDS rounds interleaved,
#                the median of each and their ratio (goal: >= 75%)
#   ADD          N `netns-run run --rm --net NET -- true` on h1, the overlay against a local
#                bridge network; ROUNDS rounds interleaved, median per container and the
#                ratio (goal: <= 1.2x: etcd is not on a container's path)
#   join         `network join` on a fresh host h4 until h1 reaches its VTEP address over the
#                overlay (ROUNDS joins, leave between them; median; goal <= 2 s)
#   etcd         gRPC calls (KV, lease grant/revoke/ttl, watch: not the keep-alive stream)
#                counted by every member's /metrics before and after 10 container starts
#                (goal: 0 per start)
# Usage: bench/overlay.sh BUILD_DIR [N] [ROUNDS]
set -u
build=${1:-build}
N=${2:-20}
ROUNDS=${3:-3}
top=$(cd "$(dirname "$0")/.." && pwd)
export NR_BUILD="$top/$build"
source "$top/tests/lib/sandbox_pid.sh"
source "$top/tests/lib/t.sh"
for b in /usr/bin/etcd /usr/bin/iperf3 "$NR_BUILD/bin/netns-run" "$NR_BUILD/bin/netns-run-overlay"; do
	[ -x "$b" ] || { echo "bench: $b missing (make all; scripts/deps.sh etcd-server iperf3)" >&2; exit 1; }
done
source "$top/tests/lib/multihost.sh"
trap mh_cleanup EXIT
die() { echo "bench: $*" >&2; exit 1; }
now() { date +%s%N; }
median() { sort -n "$MH_W/$1" | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
nr() { local h=$1; shift; on "$h" "$MH_NR" "$@"; }

for h in h1 h2 h3; do mh_host_up "$h" || die "host $h"; done
mh_etcd_start h1 h2 h3 || die "etcd: $(tail -n 3 "$MH_W"/h*/etcd.log)"
NET=ov
nr h1 network create --driver overlay --store "$MH_STORE" --subnet 10.20.0.0/16 --opt subnet_len=24 \
	--opt vni=42 "$NET" >/dev/null || die "network create"
nr h2 network join --store "$MH_STORE" "$NET" >/dev/null || die "network join"
nr h1 network create --subnet 10.99.0.0/24 loc >/dev/null || die "local network create"
for h in h1 h2; do
	nr "$h" run -d --net "$NET" --name "$MH_P-$h-ip" -- sleep 3600 >/dev/null || die "container on $h"
done
cpid() { jq -r .pid "$MH_W/$1/state/containers/$MH_P-$1-ip/state.json"; }
c2ip=$(nsenter -t "$(cpid h2)" -n ip -4 -o addr show eth0 | awk '{sub(/\/.*/, "", $4); print $4}')
[ -n "$c2ip" ] || die "no address in h2's container"

# ---- throughput -----------------------------------------------------------------------------
# iperf NAME SERVER-PID CLIENT-PID ADDR: Gbit/s received by an iperf3 server in SERVER-PID's
# network namespace from a client in CLIENT-PID's, appended to the file NAME.
listening() { nsenter -t "$1" -n ss -Hltn 'sport = :5201' | grep -q .; }
iperf() {
	local name=$1 srv=$2 cli=$3 addr=$4 sp bps
	nsenter -t "$srv" -n -- iperf3 -s -p 5201 >/dev/null 2>&1 &
	sp=$!
	await 5 listening "$srv" || die "iperf3 server ($name) not listening"
	bps=$(nsenter -t "$cli" -n -- iperf3 -c "$addr" -p 5201 -t 3 -J 2>/dev/null | jq -r '.end.sum_received.bits_per_second // empty')
	kill "$sp"
	wait "$sp" 2>/dev/null
	[ -n "$bps" ] || die "iperf3 $name"
	awk -v b="$bps" 'BEGIN {printf "%.2f\n", b / 1e9}' >>"$MH_W/$name"
}
for _ in $(seq 1 "$ROUNDS"); do
	iperf underlay "${MH_HOLDER[h2]}" "${MH_HOLDER[h1]}" 192.0.2.12
	iperf overlay "$(cpid h2)" "$(cpid h1)" "$c2ip"
done
tu=$(median underlay) to=$(median overlay)

# ---- ADD: overlay vs local bridge ---------------------------------------------------------------
starts() { # NET: N containers started and removed, total ms into the file named NET
	local t0 i
	t0=$(now)
	for i in $(seq 1 "$N"); do nr h1 run --rm --net "$1" -- true >/dev/null || die "run on $1"; done
	echo $((($(now) - t0) / 1000000)) >>"$MH_W/add-$1"
}
for _ in $(seq 1 "$ROUNDS"); do
	starts loc
	starts "$NET"
done
al=$(median add-loc) ao=$(median "add-$NET")

# ---- etcd requests per container start ----------------------------------------------------------
# by_method: "METHOD COUNT" per gRPC method, summed over the members.
by_method() {
	local h
	for h in "${MH_MEMBERS[@]}"; do curl -s --max-time 2 "http://$(mh_ip "$h"):2379/metrics"; done |
		awk '/^grpc_server_started_total\{/ { m = $0; sub(/.*grpc_method="/, "", m); sub(/".*/, "", m); n[m] += $NF }
			END { for (m in n) print m, n[m] }' | sort
}
by_method >"$MH_W/m0"
r0=$(mh_etcd_requests)
k0=$(mh_etcd_requests '^LeaseKeepAlive$')
t0=$(now)
for _ in $(seq 1 10); do nr h1 run --rm --net "$NET" -- true >/dev/null || die "run"; done
r1=$(mh_etcd_requests)
k1=$(mh_etcd_requests '^LeaseKeepAlive$')
el=$((($(now) - t0) / 1000000))
by_method >"$MH_W/m1"
# Which calls those were (the agents' own: periodic reads, watches), for the record.
calls=$(join "$MH_W/m0" "$MH_W/m1" | awk '$3 > $2 { printf "%s%s %d", sep, $1, $3 - $2; sep = ", " }')

# ---- join to reachable ----------------------------------------------------------------------------
mh_host_up h4 || die "host h4"
j0=$(mh_etcd_requests)
for _ in $(seq 1 "$ROUNDS"); do
	t0=$(now)
	nr h4 network join --store "$MH_STORE" "$NET" >/dev/null || die "join on h4"
	v=$(jq -r .subnet "$MH_W/h4/state/overlay/$NET/subnet.json" | sed 's/\/.*//')
	await 10 on h1 ping -c 1 -W 0.2 "$v" || die "h4 ($v) not reachable from h1"
	echo $((($(now) - t0) / 1000000)) >>"$MH_W/join"
	nr h4 network leave "$NET" >/dev/null || die "leave on h4"
done
tj=$(median join)
j1=$(mh_etcd_requests)

pc() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.0f%%", 100 * a / b}'; }
echo "overlay bench: 3 hosts (netns) on a bridge, etcd 3.4 x3, VXLAN; $ROUNDS rounds; load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-52s %12s %12s %8s  %s\n' "" "baseline" "overlay" "ratio" "rounds (overlay)"
printf '%-52s %12s %12s %8s  %s\n' "TCP throughput h1 -> h2, Gbit/s (iperf3 -t 3)" "$tu" "$to" "$(pc "$to" "$tu")" "$(tr '\n' ' ' <"$MH_W/overlay")"
printf '%-52s %12s %12s %8s  %s\n' "run --rm -- true, ms per container (x$N)" \
	"$(awk -v a="$al" -v n="$N" 'BEGIN {printf "%.1f", a / n}')" "$(awk -v a="$ao" -v n="$N" 'BEGIN {printf "%.1f", a / n}')" \
	"$(awk -v a="$ao" -v b="$al" 'BEGIN {printf "%.2f", a / b}')" "$(tr '\n' ' ' <"$MH_W/add-$NET")"
printf '%-52s %12s %12s %8s  %s\n' "network join -> h1 reaches h4, ms" "" "$tj" "" "$(tr '\n' ' ' <"$MH_W/join")"
printf '%-52s %12s %12s %8s  %s\n' "etcd calls per container start (10 starts, $el ms)" "" \
	"$(awk -v a=$((r1 - r0)) 'BEGIN {printf "%.1f", a / 10}')" "" "(all calls meanwhile: ${calls:-none})"
# The same counter over what does talk to etcd, so that the 0 above means something.
printf '%-52s %12s %12s %8s  %s\n' "etcd calls per network join + leave (for contrast)" "" \
	"$(awk -v a=$((j1 - j0)) -v n="$ROUNDS" 'BEGIN {printf "%.1f", a / n}')" "" ""
awk -v a="$to" -v b="$tu" 'BEGIN {print "target: overlay throughput >= 75% of the underlay: " (a >= 0.75 * b ? "MET" : "NOT MET")}'
awk -v a="$ao" -v b="$al" 'BEGIN {print "target: ADD on the overlay <= 1.2x a local bridge: " (a <= 1.2 * b ? "MET" : "NOT MET")}'
awk -v a="$tj" 'BEGIN {print "target: join to reachable <= 2 s: " (a <= 2000 ? "MET" : "NOT MET")}'
echo "target: 0 etcd calls per container start: $([ $((r1 - r0)) = 0 ] && echo MET || echo "NOT MET ($((r1 - r0)) in 10)")"
