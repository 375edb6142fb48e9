#!/bin/bash
# Overlay networks (issue 20) on one host: netns-run-overlay's create, join, leave and rm and
# its host agent, against a 3-member etcd 3.4 cluster started by the test in the sandbox's
# network namespace (data under the test's directory, killed by pid).  A fake remote host is
# a key the test writes into etcd (tests/tools/etcd_tool): its route, neighbour and FDB entry
# appear on the VXLAN device and go with it.  A lease revoked behind the agent's back, an
# agent killed (`netns-run run` starts it again), and bad inputs (an unreachable store, a
# wrong CIDR, a VNI in use, a subnet_len too small or too large, garbage in the store) that
# must leave nothing: no keys, no conflist, no device, no process.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/runtime.sh"
source "$(dirname "$0")/../lib/etcd.sh"

OV="$NR_BUILD/bin/netns-run-overlay"
T="$NR_BUILD/tests/tools/etcd_tool"
if [ ! -x "$ETCD_BIN" ] || [ ! -x "$T" ] || [ ! -x "$OV" ] || ! command -v curl >/dev/null; then
	t_skip "overlay agent" "needs etcd-server (/usr/bin/etcd), build/tests/tools/etcd_tool, netns-run-overlay and curl"
	t_done
	exit
fi
W=$(mktemp -d /tmp/nr-overlay.XXXXXX)
# The agents of this build (other worktrees' agents are not ours to count or kill).
agent_pids() { pgrep -f "^$OV agent " 2>/dev/null; }
cleanup() {
	local p
	for p in $(agent_pids); do kill -9 "$p" 2>/dev/null; done
	nr_cleanup
	etcd_stop
	rm -rf "$W"
}
trap cleanup EXIT

# The underlay: a veth with this "host's" address (no dummy module here); etcd listens
# there, so the agent's default VTEP (the source of the route to the first member) is it.
ip link add ul0 type veth peer name ul0p && ip addr add 192.0.2.11/24 dev ul0 && ip link set ul0 up &&
	ip link set ul0p up
if ! etcd_start "$W" 192.0.2.11 24780; then
	t_fail "a 3-member etcd cluster starts" "$(tail -n 5 "$W"/m*.log)"
	t_done
	exit
fi
t_ok "a 3-member etcd 3.4 cluster starts"
E=$ETCD_ENDPOINTS
e() { "$T" "$E" "$@"; }
S=$NETNS_RUN_STATE_DIR/overlay
keys() { e get-prefix /netns-run/overlay/ | grep -v '^revision' | cut -d= -f1; }
key_count() { keys | grep -c .; }
# The value, lease of one key ("" when absent).
val() { e get "$1" | grep -v '^revision' | head -n 1 | sed 's/^[^=]*=//; s/ lease=.*//'; }
lease_of() { e get "$1" | grep -v '^revision' | head -n 1 | sed -n 's/.* lease=\([0-9]*\).*/\1/p'; }
subnet_key() { keys | grep "^/netns-run/overlay/subnets/$1/" | head -n 1; }
vxlans() { ip -o link show type vxlan 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1; }
# leaves_nothing WHAT NAME KEYS_BEFORE: no conflist, no keys beyond those before, no device,
# no agent, no state directory.
leaves_nothing() {
	local what=$1 name=$2 before=$3 left=""
	[ -e "$NETNS_RUN_CONFIG_DIR/$name.conflist" ] && left="$left conflist"
	[ "$(key_count)" = "$before" ] || left="$left keys($(keys | tr '\n' ' '))"
	[ -z "$(vxlans)" ] || [ "$(vxlans)" = "$(cat "$W/vx.before")" ] || left="$left device($(vxlans | tr '\n' ' '))"
	[ "$(agent_pids | wc -l)" = "$(cat "$W/agents.before")" ] || left="$left agent"
	[ -e "$S/$name" ] && left="$left state"
	if [ -z "$left" ]; then t_ok "$what leaves nothing"; else t_fail "$what leaves nothing" "left:$left"; fi
}

# ---- create ---------------------------------------------------------------------------------
out=$("$NR" network create --driver overlay --store "$E" --subnet 10.77.0.0/16 -o lease_ttl=6s \
	-o vni=4242 --label team=net ov1 2>&1)
rc=$?
t_eq "network create --driver overlay: exit 0" "$rc" 0
t_check "... prints the network id (64 hex)" grep -qxE '[0-9a-f]{64}' <<<"$out"
ID=$(tail -n 1 <<<"$out")
C=$NETNS_RUN_CONFIG_DIR/ov1.conflist
t_eq "... the conflist: the overlay plugin with the subnet file, then portmap" \
	"$(jq -c '[.plugins[].type, .plugins[0].subnetFile]' "$C" 2>/dev/null)" \
	"[\"overlay\",\"portmap\",\"$S/ov1/subnet.json\"]"
t_eq "... our metadata: driver overlay, the store, the id" \
	"$(jq -r '.["netns-run"] | "\(.driver) \(.store) \(.id)"' "$C" 2>/dev/null)" "overlay $E $ID"
t_eq "... the definition in etcd" \
	"$(val /netns-run/overlay/networks/ov1 | jq -c '[.id == "'"$ID"'", .network, .subnet_len, .vni, .port, .lease_ttl]')" \
	'[true,"10.77.0.0/16",24,4242,4789,6]'
t_eq "... the VNI's key names the network" "$(val /netns-run/overlay/vnis/4242)" ov1
SK=$(subnet_key ov1)
t_check "... one subnet key, a /24 of the CIDR" grep -qxE '/netns-run/overlay/subnets/ov1/10\.77\.[0-9]+\.0-24' <<<"$SK"
L1=$(lease_of "$SK")
t_check "... held with a lease" test -n "$L1" -a "$L1" != 0
t_eq "... its value: this host, its VTEP (the route to the store), a MAC" \
	"$(val "$SK" | jq -r '"\(.host) \(.vtep) \(.mac | test("^([0-9a-f]{2}:){5}[0-9a-f]{2}$"))"')" "$(hostname) 192.0.2.11 true"
SUB=$(sed 's|.*/||; s|-|/|' <<<"$SK")
t_eq "... subnet.json: that subnet, the VXLAN device and the bridge of the id" \
	"$(jq -r '"\(.subnet) \(.vni) \(.vtep) \(.device) \(.bridge)"' "$S/ov1/subnet.json" 2>/dev/null)" \
	"$SUB 4242 192.0.2.11 nv-${ID:0:12} nr-${ID:0:12}"
DEV=nv-${ID:0:12}
t_eq "... the VXLAN device: VNI 4242, port 4789, local 192.0.2.11" \
	"$(ip -d -j link show "$DEV" 2>/dev/null | jq -r '.[0].linkinfo.info_data | "\(.id) \(.port) \(.local)"')" \
	"4242 4789 192.0.2.11"
t_check "... the agent runs (it holds its pid file's lock)" kill -0 "$(cat "$S/ov1/pid" 2>/dev/null)"
t_eq "... hosts.json: this host, self" "$(jq -r '.[] | "\(.subnet) \(.vtep) \(.self)"' "$S/ov1/hosts.json" 2>/dev/null)" \
	"$SUB 192.0.2.11 true"
ins=$("$NR" network inspect ov1 2>/dev/null)
t_eq "network inspect: driver overlay, the CIDR, Peers [{Name, IP}], the lease age" \
	"$(jq -r '.[0] | "\(.Driver) \(.IPAM.Config[0].Subnet) \(.Peers[0].IP) \(.Hosts[0].Subnet) \(.Hosts[0].LeaseAge >= 0)"' <<<"$ins")" \
	"overlay 10.77.0.0/16 192.0.2.11 $SUB true"
t_eq "network ls: the overlay network" "$("$NR" network ls | awk '$2 == "ov1" {print $3}')" overlay

# ---- a remote host comes and goes -------------------------------------------------------------
R=10.77.200.0
[ "$SUB" = "$R/24" ] && R=10.77.201.0
e put "/netns-run/overlay/subnets/ov1/$R-24" \
	'{"host":"far","vtep":"192.0.2.99","mac":"02:00:00:00:00:99","since":"2026-12-04T18:00:00Z"}' >/dev/null
route_to() { ip route show "$R/24" dev "$DEV" 2>/dev/null | grep -q "via $R .*onlink"; }
neigh_of() { ip neigh show "$R" dev "$DEV" 2>/dev/null | grep -q "lladdr 02:00:00:00:00:99 PERMANENT"; }
fdb_of() { bridge fdb show dev "$DEV" 2>/dev/null | grep -q "^02:00:00:00:00:99 dst 192.0.2.99 self permanent"; }
t_check "a remote host's key: its route appears (onlink via $R)" await 5 route_to
t_check "... its permanent neighbour" await 5 neigh_of
t_check "... its FDB entry to its VTEP" await 5 fdb_of
t_check "... hosts.json lists it" await 5 grep -q '"192.0.2.99"' "$S/ov1/hosts.json"
t_eq "... inspect's Peers: both hosts" "$("$NR" network inspect ov1 | jq -r '[.[0].Peers[].IP] | sort | join(" ")')" \
	"192.0.2.11 192.0.2.99"
e del "/netns-run/overlay/subnets/ov1/$R-24" >/dev/null
gone() { ! "$@"; }
t_check "the remote's key deleted: its route goes" await 5 gone route_to
t_check "... its neighbour" await 5 gone neigh_of
t_check "... its FDB entry" await 5 gone fdb_of

# ---- the lease revoked behind the agent's back ------------------------------------------------
e lease-revoke "$L1" >/dev/null
new_lease() { local k; k=$(subnet_key ov1); [ -n "$k" ] && [ "$(lease_of "$k")" != "$L1" ]; }
t_check "lease revoked: the agent claims a subnet again, with a new lease" await 10 new_lease
t_check "... after removing subnet.json (no container may start meanwhile)" grep -q "subnet.json removed" "$S/ov1/log"
t_check "... subnet.json is back" await 5 test -f "$S/ov1/subnet.json"
t_eq "... the same subnet (it was free)" "$(subnet_key ov1)" "$SK"

# ---- the lease lost while another host took the subnet: a new subnet ---------------------------
PID=$(cat "$S/ov1/pid")
L2=$(lease_of "$SK")
kill -STOP "$PID"
e lease-revoke "$L2" >/dev/null
e put "$SK" '{"host":"thief","vtep":"192.0.2.97","mac":"02:00:00:00:00:97","since":"2026-12-04T18:00:00Z"}' >/dev/null
kill -CONT "$PID"
# One read of the file: it may go (the claim in progress) between two.
moved() { local n; n=$(jq -r .subnet "$S/ov1/subnet.json" 2>/dev/null) && [ -n "$n" ] && [ "$n" != "$SUB" ]; }
t_check "subnet taken by another host while the lease was lost: the agent moves to another subnet" await 15 moved
NSUB=$(jq -r .subnet "$S/ov1/subnet.json" 2>/dev/null)
if grep -q '"192.0.2.11"' <<<"$(val "/netns-run/overlay/subnets/ov1/${NSUB%/*}-24")"; then
	t_ok "... its key is ours (our VTEP)"
else
	t_fail "... its key is ours (our VTEP)" "subnet $NSUB; $(keys | tr '\n' ' '); $(tail -n 12 "$S/ov1/log")"
fi
t_check "... the log says why" grep -q "moving to $NSUB" "$S/ov1/log"
t_check "... the device carries the new subnet's .0" await 5 eval "ip -4 addr show $DEV | grep -q 'inet ${NSUB%.0/24}.0/32'"
thief() { ip route show "$SUB" dev "$DEV" 2>/dev/null | grep -q onlink; }
t_check "... and the old subnet is the other host's: routed to it" await 5 thief
e del "$SK" >/dev/null
t_check "... which goes when it leaves" await 5 gone thief
SUB=$NSUB
SK=$(subnet_key ov1)

# ---- the agent killed: `netns-run run` starts it again -----------------------------------------
kill -9 "$(cat "$S/ov1/pid")"
t_check "agent killed" await 5 gone kill -0 "$(cat "$S/ov1/pid")"
"$NR" run --rm --network ov1 -- true >"$W/run.out" 2>&1
t_check "netns-run run --network ov1 starts the agent again" kill -0 "$(cat "$S/ov1/pid" 2>/dev/null)"
t_eq "... on the same subnet and lease (taken up from the killed one)" "$(subnet_key ov1) $(lease_of "$SK")" \
	"$SK $(lease_of "$(subnet_key ov1)")"
t_eq "... one agent" "$(agent_pids | wc -l)" 1
kill -9 "$(cat "$S/ov1/pid")"
await 5 gone kill -0 "$(cat "$S/ov1/pid")"
"$NR" network inspect ov1 >/dev/null 2>&1
t_check "network inspect starts a dead agent too" kill -0 "$(cat "$S/ov1/pid" 2>/dev/null)"

# ---- SIGTERM: the agent ends, leaving its subnet and kernel state to the next one ------------------
PID=$(cat "$S/ov1/pid")
kill -TERM "$PID"
t_check "SIGTERM: the agent ends" await 3 gone kill -0 "$PID"
t_check "... its log says so" grep -q "agent of ov1 stopped" "$S/ov1/log"
link() { ip link show "$1" >/dev/null 2>&1; }
if [ -f "$S/ov1/subnet.json" ] && [ -n "$(subnet_key ov1)" ]; then
	t_ok "... subnet.json and the key stay"
else
	t_fail "... subnet.json and the key stay" "$(ls "$S/ov1"; keys; tail -n 12 "$S/ov1/log")"
fi
t_check "... the device stays" link "$DEV"
"$NR" network inspect ov1 >/dev/null 2>&1

# ---- quorum lost: what is there keeps working; the subnet is used until lease_ttl, then not -----
R2=10.77.202.0
[ "$SUB" = "$R2/24" ] && R2=10.77.203.0
e put "/netns-run/overlay/subnets/ov1/$R2-24" \
	'{"host":"far2","vtep":"192.0.2.98","mac":"02:00:00:00:00:98","since":"2026-12-04T18:00:00Z"}' >/dev/null
route2() { ip route show "$R2/24" dev "$DEV" 2>/dev/null | grep -q "via $R2 .*onlink"; }
t_check "a second remote host: its route" await 5 route2
etcd_kill 2 3
t_check "quorum lost (2 of 3 members killed): subnet.json stays at first (the lease is ours until lease_ttl)" \
	test -f "$S/ov1/subnet.json"
start=$(date +%s)
kill -9 "$(cat "$S/ov1/pid")"
await 5 gone kill -0 "$(cat "$S/ov1/pid")"
out=$("$NR" run --rm --network ov1 -- true 2>&1)
t_eq "... the agent killed too: a new container still starts (the agent resumes without the store)" "$?:$out" "0:"
t_check "... its log says so" grep -q "the store is unreachable: resuming on $SUB" "$S/ov1/log"
if await 20 gone test -f "$S/ov1/subnet.json"; then
	t_ok "... removed once lease_ttl (6 s) passed without a renewal"
else
	t_fail "... removed once lease_ttl (6 s) passed without a renewal" "$(tail -n 15 "$S/ov1/log")"
fi
t_check "... not before lease_ttl" test $(($(date +%s) - start)) -ge 3
t_check "... the log says why" grep -q "no renewal of the lease for lease_ttl" "$S/ov1/log"
t_check "... the remote's route stays (the last known set)" route2
t_check "... and the agent runs on" kill -0 "$(cat "$S/ov1/pid")"
etcd_member_start 2
etcd_member_start 3
t_check "quorum back: subnet.json is back" await 30 test -f "$S/ov1/subnet.json"
t_eq "... on the same subnet" "$(jq -r .subnet "$S/ov1/subnet.json")" "$SUB"
e del "/netns-run/overlay/subnets/ov1/$R2-24" >/dev/null
t_check "... the watch goes on: a remote's key deleted, its route goes" await 10 gone route2

# ---- the device's options: vxlan_port, mtu, underlay -------------------------------------------
vxlans >"$W/vx.before"
agent_pids | wc -l >"$W/agents.before"
K0=$(key_count)
out=$("$NR" network create --driver overlay --store "$E" --subnet 10.74.0.0/16 -o vxlan_port=4790 -o mtu=1400 \
	-o underlay=ul0 -o vni=4343 ovopt 2>&1)
t_eq "create with vxlan_port, mtu and underlay: exit 0" "$?" 0
ODEV=$(jq -r .device "$S/ovopt/subnet.json" 2>/dev/null)
odev() { ip -d link show "$ODEV" 2>/dev/null; }
t_check "... the device's VNI and port" grep -q "vxlan id 4343 local 192.0.2.11 dev ul0 .*dstport 4790" <<<"$(odev)"
t_eq "... subnet.json: the port and the containers' MTU" "$(jq -r '"\(.port) \(.mtu)"' "$S/ovopt/subnet.json" 2>/dev/null)" \
	"4790 1400"
t_eq "... the definition in etcd: the port and mtu" \
	"$(val /netns-run/overlay/networks/ovopt | jq -r '"\(.port) \(.mtu)"')" "4790 1400"
"$NR" network rm ovopt >/dev/null 2>&1
leaves_nothing "rm of the network with options" ovopt "$K0"

# ---- bad inputs leave nothing -----------------------------------------------------------------
vxlans >"$W/vx.before"
agent_pids | wc -l >"$W/agents.before"
K0=$(key_count)
start=$(date +%s)
out=$("$NR" network create --driver overlay --store etcd://192.0.2.11:1,192.0.2.11:2 ovbad 2>&1)
rc=$?
t_eq "an unreachable store: exit 125" "$rc" 125
t_check "... within a few seconds" test $(($(date +%s) - start)) -le 5
t_check "... naming the store: $out" grep -q "192.0.2.11:2: connection refused; tried 2 members" <<<"$out"
leaves_nothing "... it" ovbad "$K0"
bad() { # bad WHAT PATTERN ARGS...: create fails with 125 and a message matching PATTERN
	local what=$1 pat=$2 out rc
	shift 2
	out=$("$NR" network create --driver overlay --store "$E" "$@" ovbad 2>&1)
	rc=$?
	if [ $rc = 125 ] && grep -qE "$pat" <<<"$out"; then t_ok "$what: 125, \"$out\""; else t_fail "$what" "rc $rc: $out"; fi
	leaves_nothing "... it" ovbad "$K0"
}
bad "a CIDR with host bits" "host bits are set" --subnet 10.60.0.5/16
bad "a CIDR that is none" "invalid subnet" --subnet 10.60.0.0/33
bad "an IPv6 CIDR" "IPv4" --subnet fd00::/64
bad "a VNI in use (another network's key)" "VNI 4242 is in use by overlay network ov1" --subnet 10.60.0.0/16 -o vni=4242
bad "a VNI out of range" "vni 16777216" --subnet 10.60.0.0/16 -o vni=16777216
bad "subnet_len not longer than the CIDR's" "subnet_len 16: must be longer" --subnet 10.60.0.0/16 -o subnet_len=16
bad "subnet_len too long" "subnet_len 30" --subnet 10.60.0.0/16 -o subnet_len=30
bad "subnet_len leaving more than 2^16 subnets" "more than 65536 subnets" --subnet 10.0.0.0/8 -o subnet_len=28
bad "a CIDR overlapping another overlay network's" "overlaps 10.77.0.0/16 of overlay network ov1" --subnet 10.77.128.0/17
bad "a bad lease_ttl" "lease_ttl 1s" --subnet 10.60.0.0/16 -o lease_ttl=1s
bad "an unknown option" "unknown option" --subnet 10.60.0.0/16 -o colour=blue
ip link add nv-local type vxlan id 5151 dstport 4790 dev ul0 2>/dev/null
vxlans >"$W/vx.before"
bad "a VNI a local VXLAN device has" "VNI 5151 is in use by the VXLAN device nv-local" --subnet 10.60.0.0/16 -o vni=5151
ip link del nv-local
vxlans >"$W/vx.before"
ip link add ovbr type bridge && ip addr add 10.66.1.1/24 dev ovbr && ip link set ovbr up
bad "a CIDR overlapping a route of this host" "overlaps the route to 10.66.1.0/24" --subnet 10.66.0.0/16
ip link del ovbr
"$NR" network create --subnet 10.55.0.0/24 plain >/dev/null
bad "a CIDR overlapping a local bridge network" "overlaps 10.55.0.0/24 of network plain" --subnet 10.55.0.0/16
"$NR" network rm plain >/dev/null
e put /netns-run/overlay/networks/junk 'this is not json' >/dev/null
K0=$(key_count)
out=$("$NR" network join --store "$E" junk 2>&1)
rc=$?
t_eq "join of a garbage definition: 125" "$rc" 125
t_check "... saying so: $out" grep -q "not ours\|not valid JSON\|JSON" <<<"$out"
leaves_nothing "... it" junk "$K0"
e put /netns-run/overlay/networks/junk '{"id":"x","network":"10.99.0.0/16","vni":"7"}' >/dev/null
out=$("$NR" network join --store "$E" junk 2>&1)
t_check "join of a definition with wrong types: 125 and why ($out)" grep -q "not ours" <<<"$out"
leaves_nothing "... it" junk "$K0"
e del /netns-run/overlay/networks/junk >/dev/null
K0=$(key_count)
out=$("$NR" network join --store "$E" nosuch 2>&1)
t_check "join of an unknown network: 125, named ($out)" grep -q "no overlay network nosuch" <<<"$out"
out=$("$NR" network create --driver overlay --store "$E" ov1 2>&1)
t_check "create of a name taken: refused ($out)" grep -q "already exists" <<<"$out"

out=$("$NR" network prune -f 2>&1)
t_check "network prune leaves an overlay network alone" test -f "$NETNS_RUN_CONFIG_DIR/ov1.conflist"
t_check "... and its agent" kill -0 "$(cat "$S/ov1/pid")"

# ---- leave and rm ------------------------------------------------------------------------------
echo "" >"$W/vx.before"
echo 0 >"$W/agents.before"
"$NR" run -d --name "$P-c1" --network ov1 -- sleep 300 >/dev/null 2>&1
if [ "$(state .status "$P-c1")" = running ]; then
	t_check "a container on the overlay network: its bridge" link "nr-${ID:0:12}"
	t_check "... an address of this host's subnet" grep -q "$(cut -d. -f1-3 <<<"$SUB")\." <<<"$("$NR" inspect "$P-c1" 2>/dev/null)"
	out=$("$NR" network leave ov1 2>&1)
	t_check "leave with a container attached: refused ($out)" grep -q "active endpoints" <<<"$out"
	"$NR" rm -f "$P-c1" >/dev/null 2>&1
else
	t_skip "leave with a container attached" "no container starts on the overlay network here (the plugin?): $(cat "$W/run.out")"
	"$NR" rm -f "$P-c1" >/dev/null 2>&1
fi
"$NR" network leave ov1
t_eq "network leave: exit 0" "$?" 0
t_eq "... the subnet key goes (lease revoked), the definition stays" "$(keys | grep -c /subnets/) $(val /netns-run/overlay/networks/ov1 | jq -r .id)" "0 $ID"
leaves_nothing "... leave (apart from the definition)" ov1 "$(key_count)"
t_check "... the VXLAN device is gone" gone link "$DEV"
t_check "... the bridge is gone" gone link "nr-${ID:0:12}"
t_check "... and the remote routes with it" test -z "$(ip route show 10.77.0.0/16 root 10.77.0.0/16 2>/dev/null)"
"$NR" network leave ov1
t_eq "leave again: success" "$?" 0
out=$("$NR" network join --store "$E" ov1 2>&1)
t_eq "network join: the id" "$out" "$ID"
t_check "... a subnet again" test -n "$(subnet_key ov1)"
e put "/netns-run/overlay/subnets/ov1/$R-24" \
	'{"host":"far","vtep":"192.0.2.99","mac":"02:00:00:00:00:99","since":"2026-12-04T18:00:00Z"}' >/dev/null
out=$("$NR" network rm ov1 2>&1)
t_check "network rm while another host holds a subnet: names it ($out)" grep -q "far (10.77" <<<"$out"
t_eq "... the definition and VNI stay" "$(keys | grep -c 'networks/ov1\|vnis/4242')" 2
leaves_nothing "... rm here" ov1 "$(key_count)"
e del "/netns-run/overlay/subnets/ov1/$R-24" >/dev/null
out=$("$OV" rm --store "$E" ov1 2>&1)
t_eq "netns-run-overlay rm --store of a network left here, when no host holds a subnet: exit 0, the name" "$?:$out" "0:ov1"
t_eq "... no key left" "$(key_count)" 0
leaves_nothing "... rm" ov1 0

# ---- leave with the store gone: local state goes, the lease expires on its own ------------------
"$NR" network create --driver overlay --store "$E" --subnet 10.76.0.0/16 -o lease_ttl=3s ovd >/dev/null
etcd_kill 1 2 3
out=$("$NR" network leave ovd 2>&1)
t_eq "leave with every store member gone: exit 0" "$?" 0
t_check "... warning that the subnet returns at the lease's expiry ($out)" grep -q "when its lease expires" <<<"$out"
echo "" >"$W/vx.before"
echo 0 >"$W/agents.before"
t_check "... nothing left here" test ! -e "$NETNS_RUN_CONFIG_DIR/ovd.conflist" -a ! -e "$S/ovd" -a -z "$(vxlans)" -a -z "$(agent_pids)"
for i in 1 2 3; do etcd_member_start "$i"; done
await 10 _etcd_all_healthy
gone_key() { [ -z "$(subnet_key ovd)" ]; }
t_check "... its subnet key expires with the lease" await 10 gone_key
"$OV" rm --store "$E" ovd >/dev/null
t_eq "... rm --store removes the definition" "$(key_count)" 0

# ---- a store with TLS and client certificates --------------------------------------------------
if ! command -v openssl >/dev/null; then
	t_skip "a store with TLS" "needs openssl"
elif ! etcd_tls_member "$W" 192.0.2.11 24800; then
	t_fail "an etcd member with TLS and --client-cert-auth starts" "$(tail -n 3 "$W/pki.log" "$W/tls.log")"
else
	PKI=$W/pki
	TLS=(--cacert "$PKI/ca.pem" --cert "$PKI/client.pem" --key "$PKI/client.key")
	ES=etcds://192.0.2.11:24800
	out=$("$NR" network create --driver overlay --store "$ES" --store-cacert "$PKI/ca.pem" \
		--store-cert "$PKI/client.pem" --store-key "$PKI/client.key" --subnet 10.78.0.0/16 ovtls 2>&1)
	t_eq "create over TLS with a client certificate: exit 0" "$?" 0
	t_eq "... the conflist keeps the TLS files for the agent" \
		"$(jq -r '.["netns-run"] | "\(.storeCacert) \(.storeCert) \(.storeKey)"' "$NETNS_RUN_CONFIG_DIR/ovtls.conflist")" \
		"$PKI/ca.pem $PKI/client.pem $PKI/client.key"
	t_check "... the agent holds a subnet (its key over TLS)" \
		grep -q "^/netns-run/overlay/subnets/ovtls/10\.78\." <<<"$("$T" "${TLS[@]}" "$ES" get-prefix /netns-run/overlay/subnets/ovtls/)"
	out=$("$NR" network create --driver overlay --store "$ES" --store-cacert "$PKI/ca.pem" --subnet 10.79.0.0/16 ovtls2 2>&1)
	t_eq "... without a client certificate: 125" "$?" 125
	t_check "... a TLS error naming the member ($out)" grep -q "etcd 192.0.2.11:24800: TLS" <<<"$out"
	t_check "... nothing written" test ! -e "$NETNS_RUN_CONFIG_DIR/ovtls2.conflist"
	"$NR" network rm ovtls >/dev/null
	t_eq "rm over TLS: no key left" "$("$T" "${TLS[@]}" "$ES" get-prefix /netns-run/overlay/ | grep -vc '^revision')" 0
	t_check "... no agent left" test -z "$(agent_pids)"
fi
t_done
