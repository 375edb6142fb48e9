#!/bin/bash
# containerd end to end: Debian's containerd, started by this test inside its own network,
# mount and pid namespaces (private root, state, socket; never the system service), a
# busybox image made offline from busybox-static and imported, then `ctr run --rm --cni`
# with bridge + host-local + portmap from OUR plugin directory: the container gets its
# address and route, two containers ping each other, DEL runs when a container exits
# (no veth, lease or cache entry left), six run in parallel with distinct addresses, and
# nothing is left at the end.  The same checks run with the reference plugins
# (/usr/lib/cni) for comparison when they and iptables are installed.
source "$(dirname "$0")/../lib/sandbox_pid.sh"
source "$(dirname "$0")/../lib/containerd.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/busybox_image.sh"

if ! ctrd_have; then
	t_skip "containerd end to end" "containerd, ctr or runc not installed (make deps: TEST_DEBS)"
	t_done
	exit
fi
trap ctrd_stop EXIT
IMG=docker.io/library/nr-busybox:e2e
W=$CTRD_DIR/work
SUBNET=10.99.0
mkdir -p "$W"

if ctrd_start; then t_ok "containerd starts in the sandbox on a private socket"; else
	t_fail "containerd starts in the sandbox on a private socket"
	t_done
	exit
fi
if ! busybox_image "$W/busybox.tar" "$IMG"; then
	t_skip "containerd end to end" "no static /bin/busybox (busybox-static)"
	t_done
	exit
fi
t_check "the offline busybox image imports" c images import "$W/busybox.tar"

# The network ctr finds first in /etc/cni/net.d (and the only one there).
mkdir -p "$W/net.d"
cat >"$W/net.d/10-nr-e2e.conflist" <<JSON
{"cniVersion": "1.0.0", "name": "nr-e2e", "plugins": [
  {"type": "bridge", "bridge": "nrctr0", "isGateway": true, "ipMasq": true, "hairpinMode": true,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "$SUBNET.0/24"}]], "routes": [{"dst": "0.0.0.0/0"}]}},
  {"type": "portmap", "capabilities": {"portMappings": true}}]}
JSON

# What the network leaves behind: veths, leases, libcni cache entries, tasks, containers.
leftovers() {
	ip -o link show type veth 2>/dev/null | awk '{print "veth: " $2}'
	find /var/lib/cni/networks -type f ! -name lock ! -name 'last_reserved_ip*' ! -path '*/.nr-index/*' \
		2>/dev/null | sed 's/^/lease: /'
	find /var/lib/cni/results -type f 2>/dev/null | sed 's/^/cache: /'
	# our masquerade entries (elements of an nftables set)
	nft -j list set inet netns-run ctr4 2>/dev/null | jq -r '.nftables[1].set.elem[]? | "nft: \(.)"'
	c tasks ls -q 2>/dev/null | sed 's/^/task: /'
	c containers ls -q 2>/dev/null | sed 's/^/container: /'
}
# addr_of FILE: the eth0 IPv4 address a container printed (`ip -4 -o addr show eth0`).
addr_of() { sed -n 's/.* inet \([0-9.]*\)\/.*/\1/p' "$1" | head -n 1; }
# await_addr FILE: wait (bounded, 10 s) until a container has printed its address.
await_addr() {
	local i
	for ((i = 0; i < 200; i++)); do
		[ -n "$(addr_of "$1")" ] && return 0
		sleep 0.05
	done
	return 1
}
# Between the two sets: the bridge, the masquerade state and the lease store go.
reset_net() {
	ip link del nrctr0 2>/dev/null
	nft flush ruleset 2>/dev/null
	iptables -t nat -F 2>/dev/null && iptables -t nat -X 2>/dev/null
	iptables -F 2>/dev/null && iptables -X 2>/dev/null
	rm -rf /var/lib/cni/networks /var/lib/cni/results
}

# run_set NAME PLUGIN_DIR: every check with the plugins of PLUGIN_DIR.
run_set() {
	local who=$1 dir=$2 out rc a b i
	reset_net
	ctrd_cni "$dir" "$W/net.d" || { t_fail "$who: bind the plugin and conflist directories"; return; }

	out=$(c run --rm --cni "$IMG" "$who-one" sh -c 'ip -4 -o addr show eth0; ip route' 2>&1)
	rc=$?
	t_eq "$who: ctr run --rm --cni exits 0" "$rc" 0
	t_check "$who: ... the container has an address of the network on eth0" \
		grep -Eq "inet $SUBNET\.[0-9]+/24" <<<"$out"
	t_check "$who: ... and a default route via the gateway" grep -q "default via $SUBNET.1 dev eth0" <<<"$out"
	t_eq "$who: ... DEL on exit: no veth, lease, cache entry, task or container left" "$(leftovers)" ""

	# Two containers: a stays up (ctr attached in the background) until we kill its task.
	c run --rm --cni "$IMG" "$who-a" sh -c 'ip -4 -o addr show eth0; exec sleep 60' >"$W/$who-a.out" 2>&1 &
	local apid=$!
	if await_addr "$W/$who-a.out"; then
		a=$(addr_of "$W/$who-a.out")
		out=$(c run --rm --cni "$IMG" "$who-b" ping -c 1 -W 3 "$a" 2>&1)
		rc=$?
		t_eq "$who: a second container pings the first ($a)" "$rc" 0
		[ "$rc" = 0 ] || echo "#   $out"
		t_check "$who: the host pings the first" ping -c 1 -W 3 "$a"
	else
		t_fail "$who: a second container pings the first" "the first printed no address: $(cat "$W/$who-a.out")"
		t_skip "$who: the host pings the first" "no address"
	fi
	c tasks kill -s KILL "$who-a" >/dev/null 2>&1
	wait "$apid"
	t_eq "$who: ... the first ends when killed, and DEL leaves nothing" "$(leftovers)" ""

	# Six at once.
	for i in 1 2 3 4 5 6; do
		c run --rm --cni "$IMG" "$who-p$i" ip -4 -o addr show eth0 >"$W/$who-p$i.out" 2>&1 &
	done
	rc=0
	for i in 1 2 3 4 5 6; do wait -n || rc=$?; done
	t_eq "$who: six ctr run --rm --cni in parallel all exit 0" "$rc" 0
	b=$(for i in 1 2 3 4 5 6; do addr_of "$W/$who-p$i.out"; done | grep -c "^$SUBNET\.")
	t_eq "$who: ... each got an address" "$b" 6
	b=$(for i in 1 2 3 4 5 6; do addr_of "$W/$who-p$i.out"; done | sort -u | grep -c .)
	t_eq "$who: ... all distinct" "$b" 6
	t_eq "$who: ... and nothing is left after them" "$(leftovers)" ""
	# ctr's DEL comes after the container is gone, with CNI_NETNS empty; the reference
	# bridge then releases the address only and keeps its masquerade chain (a leak of
	# theirs, counted here, not failed).
	b=$(iptables -t nat -S 2>/dev/null | grep -cE '^-N CNI-')
	[ "$b" = 0 ] || echo "# $who: $b iptables masquerade chains (CNI-*) left after DEL with an empty CNI_NETNS"
}

run_set ours "$CNI_BIN"
# While a container of ours runs, its masquerade element exists (so "none left" above means
# DEL removed it).
c run --rm --cni "$IMG" masq sh -c 'ip -4 -o addr show eth0; exec sleep 60' >"$W/masq.out" 2>&1 &
mpid=$!
await_addr "$W/masq.out"
t_check "ours: a running container has its masquerade element" grep -q "$(addr_of "$W/masq.out")" \
	<<<"$(nft list set inet netns-run ctr4 2>&1)"
c tasks kill -s KILL masq >/dev/null 2>&1
wait "$mpid"
t_eq "ours: ... gone after the container" "$(leftovers)" ""
if [ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/portmap ] && command -v iptables >/dev/null; then
	run_set reference /usr/lib/cni
else
	t_skip "reference: the same checks" "no /usr/lib/cni plugins or no iptables (containernetworking-plugins)"
fi

ctrd_stop
trap - EXIT
t_eq "containerd, its shims and the containers are gone" "$(sandbox_procs)" ""
t_eq "nothing of ours is mounted any more" "$(grep -c "$CTRD_DIR" /proc/self/mountinfo)" 0
t_done
