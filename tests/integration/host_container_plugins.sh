#!/bin/bash
# The host plugin (--net=host: report the namespace's network, change nothing) and the
# container plugin (--net=container:NAME: the owner's cached result, after checking the
# namespace is the owner's), driven directly and through a chain (tests/tools/chainctl).
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"

CTL="$NR_BUILD/tests/tools/chainctl"
WORK=$(mktemp -d -p /var/lib/cni hc.XXXXXX)
export CNI_PATH=$CNI_BIN
code() { jq -r '.code // "none"' <<<"$1"; }
# snapshot NETNS-NAME|"": links, addresses and routes, to show nothing changed.
# Link-local IPv6 addresses come and go on their own (DAD finishing after a link went up),
# so they are left out: they are the kernel's doing, not a plugin's.
snapshot() {
	local n=${1:+-n $1}
	{ ip $n -o link show; ip $n -o addr show; ip $n route show; ip $n -6 route show; } | sed 's/ \+/ /g' |
		grep -v 'fe80:'
}

# --- host ------------------------------------------------------------------------------
# The sandbox's own namespace plays the host: a veth with global v4/v6 addresses and
# default routes through it.
ip netns add peer
ip link add uplink0 type veth peer name p0 netns peer
ip link set uplink0 up
ip addr add 198.51.100.10/24 dev uplink0
ip addr add 2001:db8:5::10/64 dev uplink0 nodad
ip route add default via 198.51.100.1 dev uplink0
ip -6 route add default via 2001:db8:5::1 dev uplink0 metric 300
HOST_NS=/proc/self/ns/net
HC='{"cniVersion":"1.1.0","name":"hostnet","type":"host"}'
MAC=$(ip -j link show uplink0 | jq -r '.[0].address')

before=$(snapshot)
out=$(cni host ADD $HOST_NS eth0 "$HC"); rc=$?
t_eq "host ADD exits 0" "$rc" 0
t_eq "host ADD changes nothing" "$(snapshot)" "$before"
t_eq "interfaces: the uplink only (lo has no global address)" "$(jq -c '[.interfaces[].name]' <<<"$out")" '["uplink0"]'
t_eq "the uplink's MAC and the netns as sandbox" "$(jq -r '.interfaces[0] | "\(.mac) \(.sandbox)"' <<<"$out")" "$MAC $HOST_NS"
t_eq "global addresses only, with their gateways" \
	"$(jq -c '[.ips[] | [.address, .gateway, .interface]]' <<<"$out")" \
	'[["198.51.100.10/24","198.51.100.1",0],["2001:db8:5::10/64","2001:db8:5::1",0]]'
t_eq "default routes, with IPv6's metric as priority" "$(jq -c '[.routes[] | [.dst, .gw, .priority]]' <<<"$out")" \
	'[["0.0.0.0/0","198.51.100.1",null],["::/0","2001:db8:5::1",300]]'
out=$(cni host ADD $HOST_NS eth0 "${HC/1.1.0/0.4.0}")
t_eq "0.4.0: ips carry a version, routes no priority" \
	"$(jq -c '[([.ips[].version]), ([.routes[] | has("priority")] | any), .cniVersion]' <<<"$out")" '[["4","6"],false,"0.4.0"]'
out=$(cni host ADD /proc/$$/ns/net eth0 "$HC")
t_eq "the namespace of another process works too" "$(jq -r '.interfaces[0].sandbox' <<<"$out")" /proc/$$/ns/net

# Another namespace: its own view, not the caller's.
ip -n peer link set p0 up
ip -n peer addr add 203.0.113.7/24 dev p0
ip -n peer route add default via 203.0.113.1
out=$(cni host ADD /run/netns/peer eth0 "$HC")
t_eq "ADD reads CNI_NETNS, not its own namespace" \
	"$(jq -c '[.interfaces[0].name, .ips[0].address, .routes[0].gw]' <<<"$out")" '["p0","203.0.113.7/24","203.0.113.1"]'
ip netns add bare
out=$(cni host ADD /run/netns/bare eth0 "$HC"); rc=$?
t_eq "a namespace with nothing global: an empty result" \
	"$rc/$(jq -c '[.interfaces, .ips, .routes] | map(length)' <<<"$out")" '0/[0,0,0]'
out=$(cni host ADD $HOST_NS eth0 "$(jq -c '.dns={nameservers:["198.51.100.53"],search:["example.org"]}' <<<"$HC")")
t_eq "config dns is reported" "$(jq -c .dns <<<"$out")" '{"nameservers":["198.51.100.53"],"search":["example.org"]}'

prev=$(cni host ADD $HOST_NS eth0 "$HC")
check=$(jq -c --argjson p "$prev" '.prevResult=$p' <<<"$HC")
t_check "host CHECK succeeds" cni host CHECK $HOST_NS eth0 "$check"
out=$(cni host CHECK /run/netns/missing eth0 "$check"); rc=$?
t_eq "host CHECK of a namespace that is gone: code 3" "$rc/$(code "$out")" 1/3
before=$(snapshot)
t_check "host DEL succeeds" cni host DEL $HOST_NS eth0 "$HC"
t_check "host DEL without a netns succeeds" cni host DEL "" eth0 "$HC"
t_eq "host DEL changes nothing" "$(snapshot)" "$before"
t_check "host STATUS succeeds" cni host STATUS "" "" "$HC"
t_check "host GC succeeds" cni host GC "" "" "$(jq -c '."cni.dev/valid-attachments"=[]' <<<"$HC")"
out=$(cni host ADD $HOST_NS eth0 "$(jq -c '.ipam={type:"host-local"}' <<<"$HC")"); rc=$?
t_eq "host with an ipam section: code 2 naming it" "$rc/$(code "$out")/$(jq -r '.msg | test("ipam")' <<<"$out")" 1/2/true
out=$(cni host ADD /run/netns/missing eth0 "$HC"); rc=$?
t_eq "host ADD with a missing netns: code 3" "$rc/$(code "$out")" 1/3
out=$(CNI_COMMAND=VERSION "$CNI_BIN/host" </dev/null)
t_eq "host VERSION" "$(jq -r '.supportedVersions[-1]' <<<"$out")" 1.1.0
if CNI_COMMAND=ADD CNI_CONTAINERID=vg CNI_NETNS=$HOST_NS CNI_IFNAME=eth0 CNI_PATH=$CNI_BIN \
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
	"$CNI_BIN/host" <<<"$HC" >/dev/null 2>"$WORK/vg.log"; then
	t_ok "host ADD is clean under valgrind memcheck"
else
	t_fail "host ADD is clean under valgrind memcheck" "$(head -20 "$WORK/vg.log")"
fi

# A runtime's --net=host: the host plugin as a one-plugin network through the chain.
mkdir -p "$WORK/net.d"
echo "$HC" >"$WORK/net.d/10-host.conf"
out=$("$CTL" -d "$WORK/net.d" -i h1 -n $HOST_NS ADD hostnet); rc=$?
t_eq "chain ADD of a host network" "$rc/$(jq -r '.interfaces[0].name' <<<"$out")" 0/uplink0
t_check "chain DEL of a host network" "$CTL" -d "$WORK/net.d" -i h1 -n $HOST_NS DEL hostnet
t_check "the uplink is still there" ip link show uplink0

# --- container -------------------------------------------------------------------------
DATA=$WORK/ipam
jq -nc --arg d "$DATA" '{cniVersion:"1.1.0", name:"net1", plugins:[{type:"bridge", bridge:"nrhc0",
	isGateway:true, ipam:{type:"host-local", dataDir:$d, ranges:[[{subnet:"198.51.100.0/25"}]]}}]}' \
	>"$WORK/net.d/20-net1.conflist"
ip netns add own1 && ip netns add other
owner=$("$CTL" -d "$WORK/net.d" -i own1 -n /run/netns/own1 ADD net1); rc=$?
t_eq "the owner is attached through the chain" "$rc" 0
CC='{"cniVersion":"1.1.0","name":"joined","type":"container","containerID":"own1","network":"net1"}'
ctr() { CNI_CONTAINERID=${3:-j1} cni container "$1" "$2" eth0 "${4:-$CC}"; }

out=$(ctr ADD /run/netns/own1); rc=$?
t_eq "container ADD exits 0" "$rc" 0
t_eq "... and returns the owner's result" "$(jq -cS . <<<"$out")" "$(jq -cS . <<<"$owner")"
t_eq "the result is in the config's version" "$(ctr ADD /run/netns/own1 j1 "${CC/1.1.0/0.4.0}" | jq -r '.cniVersion, .ips[0].version' | tr '\n' ' ')" "0.4.0 4 "
# A process inside own1 (it says so through the fifo once it is there).
mkfifo "$WORK/ready"
ip netns exec own1 sh -c 'echo in >"$0"; exec sleep 60' "$WORK/ready" &
pid=$!
read -r _ <"$WORK/ready"
out=$(ctr ADD /proc/$pid/ns/net); rc=$?
t_eq "another path to the same namespace is the same namespace" "$rc/$(jq -r '.ips[0].address' <<<"$out")" \
	"0/$(jq -r '.ips[0].address' <<<"$owner")"
kill $pid; wait $pid 2>/dev/null
out=$(ctr ADD /run/netns/other); rc=$?
t_eq "a different namespace: code 4 naming CNI_NETNS" "$rc/$(code "$out")/$(jq -r '.msg | test("CNI_NETNS")' <<<"$out")" 1/4/true
out=$(ctr ADD /run/netns/own1 j1 "$(jq -c '.containerID="ghost"' <<<"$CC")"); rc=$?
t_eq "an owner that is not attached: code 3" "$rc/$(code "$out")/$(jq -r '.msg | test("ghost")' <<<"$out")" 1/3/true
out=$(ctr ADD /run/netns/own1 j1 "$(jq -c '.ifName="eth1"' <<<"$CC")"); rc=$?
t_eq "the owner is not attached on eth1: code 3" "$rc/$(code "$out")" 1/3
out=$(ctr ADD /run/netns/own1 j1 "$(jq -c '.cacheDir="/var/lib/cni/elsewhere"' <<<"$CC")"); rc=$?
t_eq "another cacheDir without the entry: code 3" "$rc/$(code "$out")" 1/3
out=$(ctr ADD /run/netns/own1 j1 "$(jq -c '.owner="x"' <<<"$CC")"); rc=$?
t_eq "an unknown field: code 2 naming it" "$rc/$(code "$out")/$(jq -r '.msg | test("owner")' <<<"$out")" 1/2/true
out=$(ctr ADD /run/netns/own1 j1 "$(jq -c 'del(.containerID)' <<<"$CC")"); rc=$?
t_eq "no containerID: code 7" "$rc/$(code "$out")" 1/7
out=$(ctr ADD /run/netns/own1 j1 "$(jq -c '.network="../x"' <<<"$CC")"); rc=$?
t_eq "an invalid network name: code 7" "$rc/$(code "$out")" 1/7
out=$(ctr ADD /run/netns/own1 j1 "$(jq -c '.containerID="../../etc"' <<<"$CC")"); rc=$?
t_eq "a containerID that escapes the cache: code 7" "$rc/$(code "$out")" 1/7

if CNI_COMMAND=ADD CNI_CONTAINERID=vg CNI_NETNS=/run/netns/own1 CNI_IFNAME=eth0 CNI_PATH=$CNI_BIN \
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
	"$CNI_BIN/container" <<<"$CC" >/dev/null 2>"$WORK/vg.log"; then
	t_ok "container ADD is clean under valgrind memcheck"
else
	t_fail "container ADD is clean under valgrind memcheck" "$(head -20 "$WORK/vg.log")"
fi
check=$(jq -c --argjson p "$owner" '.prevResult=$p' <<<"$CC")
t_check "container CHECK succeeds" ctr CHECK /run/netns/own1 j1 "$check"
out=$(ctr CHECK /run/netns/other j1 "$check"); rc=$?
t_eq "container CHECK from another namespace: code 4" "$rc/$(code "$out")" 1/4

# Through a chain, as a runtime runs --net=container:own1.
jq -nc '{cniVersion:"1.1.0", name:"join-own1", plugins:[{type:"container", containerID:"own1", network:"net1"}]}' \
	>"$WORK/net.d/30-join.conflist"
before=$(snapshot own1; snapshot)
out=$("$CTL" -d "$WORK/net.d" -i j1 -n /run/netns/own1 ADD join-own1); rc=$?
t_eq "chain ADD of the joiner" "$rc/$(jq -r '.ips[0].address' <<<"$out")" "0/$(jq -r '.ips[0].address' <<<"$owner")"
t_check "the joiner's result is cached under its own id" test -f /var/lib/cni/results/join-own1-j1-eth0
t_check "chain CHECK of the joiner" "$CTL" -d "$WORK/net.d" -i j1 -n /run/netns/own1 CHECK join-own1
t_check "chain DEL of the joiner" "$CTL" -d "$WORK/net.d" -i j1 -n /run/netns/own1 DEL join-own1
t_eq "the joiner's DEL left the owner's network alone" "$(snapshot own1; snapshot)" "$before"
t_check "... and the owner's cache entry" test -f /var/lib/cni/results/net1-own1-eth0
t_eq "... and its lease" "$(nr_leases "$DATA/net1")" 1
t_check "container DEL with a config naming nobody succeeds" ctr DEL "" j1 '{"cniVersion":"1.1.0","name":"x","type":"container"}'

"$CTL" -d "$WORK/net.d" -i own1 -n /run/netns/own1 DEL net1 >/dev/null
out=$(ctr CHECK /run/netns/own1 j1 "$check"); rc=$?
t_eq "container CHECK after the owner is DELeted: code 3" "$rc/$(code "$out")" 1/3
"$CTL" -d "$WORK/net.d" -i own1 -n /run/netns/own1 ADD net1 >/dev/null
ip netns del own1
out=$(ctr ADD /run/netns/other); rc=$?
t_eq "the owner's namespace is gone: code 3" "$rc/$(code "$out")" 1/3
"$CTL" -d "$WORK/net.d" -i own1 DEL net1 >/dev/null
out=$(CNI_COMMAND=VERSION "$CNI_BIN/container" </dev/null)
t_eq "container VERSION" "$(jq -r '.supportedVersions[-1]' <<<"$out")" 1.1.0

ip netns del other; ip netns del peer; ip netns del bare
t_done
