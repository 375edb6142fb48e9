#!/bin/bash
# DNS (issue 17, "Must show"): our responder (netns-run-dns) against podman's aardvark-dns
# 1.4 in the same run, on the same network, names and queries:
#   qps:      dnsperf at full speed (-q 100 outstanding, CLIENTS clients, SECS seconds) from a
#             container on the network to the gateway: ours on :53, aardvark on :5533,
#             aardvark's configuration being a copy of our names file (the same format);
#             local names (name, alias, short id: A; PTR; AAAA) and, separately, a forwarded
#             name answered by dnsmasq in a namespace playing the outside world
#   latency:  p50 / p99 / max of each answer (dnsperf -v) at a fixed RATE queries per second
#   RSS:      VmRSS and VmHWM of each responder after all of it (/proc/PID/status)
#   join:     the time for 100 containers (run -d … sleep) to join a DNS-enabled network
#             until all 100 names resolve from a container there, and the same 100 runs on
#             the default bridge network (no DNS) for comparison
# Rounds alternate ours and aardvark (the order rotating); medians are printed.  Inside
# private network, mount and pid namespaces; nothing leaves them.
# Usage: bench/dns.sh BUILD_DIR [SECS] [ROUNDS] [N_JOIN]   (CLIENTS=4 RATE=5000 in the environment)
set -u
build=${1:-build}
SECS=${2:-5}
ROUNDS=${3:-3}
NJOIN=${4:-100}
CLIENTS=${CLIENTS:-4}
RATE=${RATE:-5000}
top=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${NR_SANDBOXED:-}" ]; then
	export NR_SANDBOXED=1
	exec unshare --net --mount --pid --fork --mount-proc --propagation private -- "$BASH" "$0" "$@"
fi
mount -t tmpfs -o mode=0755 nr-bench /run
mkdir -p /run/netns /var/lib/cni && mount -t tmpfs nr-bench /var/lib/cni
ip link set lo up
export NR_BUILD=$top/$build
source "$top/tests/lib/dns.sh"
NR=$NR_BUILD/bin/netns-run
AARDVARK=${AARDVARK:-/usr/lib/podman/aardvark-dns}
export NETNS_RUN_STATE_DIR=/run/netns-run NETNS_RUN_CONFIG_DIR=/run/netns-run-net.d
export NETNS_RUN_CNI_CACHE_DIR=/var/lib/cni/results
mkdir -p "$NETNS_RUN_CONFIG_DIR"
for t in dnsperf /usr/sbin/dnsmasq "$AARDVARK" "$NR" "$NR_BUILD/bin/netns-run-dns"; do
	command -v "$t" >/dev/null || { echo "bench/dns.sh: $t is missing: no DNS figures"; exit 0; }
done
"$NR" network create --help >/dev/null 2>&1 || { echo "bench/dns.sh: this build has no network create"; exit 0; }

W=/run/nr-bench-dns
NET=benchnet GW=10.89.8.1 APORT=5533
mkdir -p "$W/ard"
cleanup() {
	[ -s "$W/ard/aardvark.pid" ] && kill "$(cat "$W/ard/aardvark.pid")" 2>/dev/null
	local d
	for d in "$NETNS_RUN_STATE_DIR"/containers/*; do
		[ -e "$d" ] && "$NR" rm -f "$(basename "$d")" >/dev/null 2>&1
	done
	"$NR" network rm "$NET" >/dev/null 2>&1
	"$NR" gc -q >/dev/null 2>&1
	dns_outside_down
}
trap cleanup EXIT
dns_outside_up "$W/out" || exit 1
"$NR" network create --ipv6 --subnet 10.89.8.0/22 --subnet fd89:8::/64 "$NET" >/dev/null || exit 1
"$NR" run -d --name nrb-web --network "$NET" --network-alias wally -- sleep 3600 >/dev/null || exit 1
"$NR" run -d --name nrb-db --network "$NET" -- sleep 3600 >/dev/null || exit 1
# The querier sees W (query files, scripts) as /q: a container's /tmp is its own.
"$NR" run -d --name nrb-cli --network "$NET" -v "$W:/q" -- sleep 3600 >/dev/null || exit 1
web=$("$NR" exec nrb-web ip -o -4 addr show dev eth0 | awk '{print $4}' | cut -d/ -f1)
short=$(jq -r .id "$NETNS_RUN_STATE_DIR/containers/nrb-db/state.json" | cut -c1-12)
cp "$NETNS_RUN_STATE_DIR/dns/$NET/names" "$W/ard/$NET"
(cd "$W" && "$AARDVARK" --config "$W/ard" -p "$APORT" run) 2>"$W/aardvark.err" || { cat "$W/aardvark.err"; exit 1; }
for _ in $(seq 50); do ss -Hlnu "src $GW:$APORT" | grep -q . && break; sleep 0.1; done
ours_pid=$(cat "$NETNS_RUN_STATE_DIR/dns/$NET/pid")
their_pid=$(cat "$W/ard/aardvark.pid")

printf 'nrb-web A\nwally A\n%s A\nnrb-db A\n%s PTR\nnrb-web AAAA\n' "$short" \
	"$(python3 -c 'import ipaddress,sys; print(ipaddress.ip_address(sys.argv[1]).reverse_pointer)' "$web")" >"$W/local.txt"
printf 'www.example.test A\n' >"$W/fwd.txt"
Q=/q
echo "dnsperf from a container on $NET to $GW: ours :53 (pid $ours_pid), aardvark-dns $("$AARDVARK" --version 2>/dev/null | awk '{print $2}') :$APORT (pid $their_pid)"
echo "queries: $(tr '\n' ';' <"$W/local.txt" | sed 's/;$//; s/;/; /g')   |   forwarded: www.example.test A (dnsmasq)"
echo "$SECS s per run, $CLIENTS clients, $ROUNDS rounds; latency at $RATE q/s; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"

# qps PORT FILE: dnsperf's queries per second, and the share answered.
qps() {
	"$NR" exec nrb-cli dnsperf -s "$GW" -p "$1" -d "$Q/$2" -l "$SECS" -c "$CLIENTS" -q 100 2>&1 |
		awk '/Queries per second/ {q = $4} /Queries completed/ {c = $4; gsub(/[()]/, "", c)} END {printf "%d %s\n", q, c}'
}
# lat PORT FILE: p50 p99 max latency in ms of each answer at RATE queries per second.
# dnsperf writes its -v lines into a file on the volume (tmpfs), not through exec's relay,
# which would make it wait on its stdout between answers.
lat() {
	"$NR" exec nrb-cli sh -c 'exec dnsperf "$@" -v >/q/lat.out 2>&1' sh \
		-s "$GW" -p "$1" -d "$Q/$2" -l "$SECS" -c "$CLIENTS" -Q "$RATE"
	awk '/^> / {print $NF * 1000}' "$W/lat.out" | sort -n |
		awk '{a[NR] = $1} END {if (NR) printf "%.3f %.3f %.3f\n", a[int(NR * 0.5) + 1], a[int(NR * 0.99) + 1], a[NR]; else print "- - -"}'
}
: >"$W/res"
for ((r = 0; r < ROUNDS; r++)); do
	order="53 $APORT"
	((r % 2)) && order="$APORT 53"
	for port in $order; do
		who=$([ "$port" = 53 ] && echo ours || echo aardvark)
		for f in local fwd; do
			echo "$who $f qps $(qps "$port" $f.txt)" >>"$W/res"
			echo "$who $f lat $(lat "$port" $f.txt)" >>"$W/res"
		done
	done
done
med() { awk -v w="$1" -v f="$2" -v k="$3" -v c="$4" '$1 == w && $2 == f && $3 == k {print $c}' "$W/res" | sort -g |
	awk '{a[NR] = $1} END {print NR ? a[int((NR + 1) / 2)] : "-"}'; }
rss() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
echo
printf '  %-24s %12s %12s %10s\n' "" ours aardvark ratio
for f in local fwd; do
	o=$(med ours $f qps 4) a=$(med aardvark $f qps 4)
	printf '  %-24s %12s %12s %9sx\n' "$f: queries/s" "$o" "$a" "$(awk -v o="$o" -v a="$a" 'BEGIN {if (a > 0) printf "%.2f", o / a; else print "-"}')"
	printf '  %-24s %12s %12s\n' "$f: answered" "$(med ours $f qps 5)" "$(med aardvark $f qps 5)"
	for c in 4:p50 5:p99 6:max; do
		printf '  %-24s %12s %12s\n' "$f: ${c#*:} ms @$RATE/s" "$(med ours $f lat "${c%:*}")" "$(med aardvark $f lat "${c%:*}")"
	done
done
printf '  %-24s %12s %12s\n' "VmRSS kB" "$(rss "$ours_pid" VmRSS)" "$(rss "$their_pid" VmRSS)"
printf '  %-24s %12s %12s\n' "VmHWM kB" "$(rss "$ours_pid" VmHWM)" "$(rss "$their_pid" VmHWM)"
kill "$their_pid"

# join: NJOIN containers on the DNS network, until every name resolves from nrb-cli.
cat >"$W/resolvable.py" <<'PY'
import socket, struct, sys
gw, names = sys.argv[1], sys.argv[2:]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1)
ok = 0
for i, n in enumerate(names):
    q = struct.pack("!HHHHHH", i, 0x0100, 1, 0, 0, 0) + b"".join(bytes([len(l)]) + l.encode() for l in n.split(".")) + b"\0\0\1\0\1"
    s.sendto(q, (gw, 53))
    try:
        r = s.recv(512)
        ok += struct.unpack("!H", r[6:8])[0] > 0 and r[3] & 15 == 0
    except OSError:
        pass
print(ok)
PY
join() {
	local net=$1 i t0 t1 t2 names=()
	t0=${EPOCHREALTIME/./}
	for ((i = 0; i < NJOIN; i++)); do
		"$NR" run -d --name "nrb-j$i" --network "$net" -- sleep 3600 >/dev/null || { echo "- - run $i failed"; return; }
		names+=("nrb-j$i")
	done
	t1=${EPOCHREALTIME/./}
	if [ "$net" = "$NET" ]; then
		for i in $(seq 100); do
			[ "$("$NR" exec nrb-cli python3 "$Q/resolvable.py" "$GW" "${names[@]}")" = "$NJOIN" ] && break
			sleep 0.05
		done
	fi
	t2=${EPOCHREALTIME/./}
	"$NR" rm -f "${names[@]}" >/dev/null
	echo "$(((t1 - t0) / 1000)) $(((t2 - t0) / 1000))"
}
read -r jr jd <<<"$(join "$NET")"
read -r br _ <<<"$(join bridge)"
echo
printf '  %-52s %8s ms (%s ms per container)\n' "$NJOIN x run -d on $NET (DNS), all started" "$jr" "$(awk -v t="$jr" -v n="$NJOIN" 'BEGIN {printf "%.1f", t / n}')"
printf '  %-52s %8s ms\n' "... until all $NJOIN names resolve" "$jd"
printf '  %-52s %8s ms (%s ms per container)\n' "$NJOIN x run -d on the default bridge (no DNS)" "$br" "$(awk -v t="$br" -v n="$NJOIN" 'BEGIN {printf "%.1f", t / n}')"
