# The DNS tests' and bench's "outside world" (issue 17): source after sandbox_pid.sh (a pid
# namespace: dnsmasq, the responders and aardvark-dns cannot outlive the script).
#
#   dns_outside_up DIR   a network namespace "nrdns-out" on 198.51.100.0/24 (TEST-NET-2),
#                        reached from the sandbox's own namespace through a veth
#                        (198.51.100.1 here, 198.51.100.53 there), running dnsmasq on
#                        198.51.100.53:53 (UDP and TCP): www.example.test and every other
#                        *.example.test → 198.51.100.7, *.nx.test → NXDOMAIN, TXT
#                        big.example.test → 600 bytes (truncated over UDP), any other name
#                        NXDOMAIN (it has no upstream of its own).  Every query it gets is logged
#                        in DIR/dnsmasq.log.  The sandbox's /etc/resolv.conf (a bind
#                        mount, this mount namespace only) names it and nothing else, and
#                        NETNS_RUN_RESOLV_CONF points at the same file: no query can leave.
#   dns_outside_down     dnsmasq stopped (by pid), the namespace and veth gone, the mount undone
#   dnsq ARGS...         tests/lib/dnsq.py (a DNS client: UDP/TCP, rcode, TC, id, answers)
DNS_OUT_NS=nrdns-out
DNS_UPSTREAM=198.51.100.53
DNSQ="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/dnsq.py"
# The client's code itself, for `python3 -c` inside a container: a container sees the
# host's root but a /tmp of its own, and a checkout (CI's) may live under /tmp.
DNSQ_CODE=$(cat "$DNSQ")
DNS_OUT_DIR=

dnsq() { python3 "$DNSQ" "$@"; }

dns_outside_up() {
	DNS_OUT_DIR=$1
	local big i
	mkdir -p "$DNS_OUT_DIR"
	ip netns add "$DNS_OUT_NS" || return 1
	ip link add nrdns-o0 type veth peer name nrdns-o1 &&
		ip link set nrdns-o1 netns "$DNS_OUT_NS" &&
		ip addr add 198.51.100.1/24 dev nrdns-o0 && ip link set nrdns-o0 up &&
		ip -n "$DNS_OUT_NS" addr add "$DNS_UPSTREAM/24" dev nrdns-o1 &&
		ip -n "$DNS_OUT_NS" link set nrdns-o1 up && ip -n "$DNS_OUT_NS" link set lo up || return 1
	big=""
	for i in a b c; do big+=",$(printf "$i%.0s" $(seq 200))"; done
	ip netns exec "$DNS_OUT_NS" /usr/sbin/dnsmasq --pid-file="$DNS_OUT_DIR/dnsmasq.pid" -u root \
		--no-resolv --no-hosts --listen-address="$DNS_UPSTREAM" --bind-interfaces \
		--address=/example.test/198.51.100.7 --address=/nx.test/ --address=/#/ --txt-record="big.example.test$big" \
		--log-queries --log-facility="$DNS_OUT_DIR/dnsmasq.log" || return 1
	echo "nameserver $DNS_UPSTREAM" >"$DNS_OUT_DIR/resolv.conf"
	mount --bind "$DNS_OUT_DIR/resolv.conf" /etc/resolv.conf || return 1
	export NETNS_RUN_RESOLV_CONF=$DNS_OUT_DIR/resolv.conf
	for i in $(seq 50); do
		dnsq --timeout 0.2 "$DNS_UPSTREAM" www.example.test 2>/dev/null | grep -q 198.51.100.7 && return 0
	done
	echo "dns_outside_up: dnsmasq does not answer" >&2
	return 1
}

dns_outside_down() {
	[ -n "$DNS_OUT_DIR" ] || return 0
	[ -s "$DNS_OUT_DIR/dnsmasq.pid" ] && kill "$(cat "$DNS_OUT_DIR/dnsmasq.pid")" 2>/dev/null
	ip netns del "$DNS_OUT_NS" 2>/dev/null
	ip link del nrdns-o0 2>/dev/null
	mountpoint -q /etc/resolv.conf && umount /etc/resolv.conf
	DNS_OUT_DIR=
}
