#!/bin/bash
# The bridge plugin: two containers on one bridge reaching each other and the gateway over
# IPv4 and IPv6, the result's shape (also against the reference plugin), errors that leave
# nothing behind, DEL in every state, CHECK.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"

DATA=$(mktemp -d -p /var/lib/cni br.XXXXXX)
BR=nrtest0
DUAL='[[{"subnet":"198.51.100.0/24"}],[{"subnet":"2001:db8:1::/64"}]]'

# conf NAME [EXTRA-JSON] [RANGES]: a bridge config on $BR with our host-local in $DATA.
conf() {
	jq -nc --arg n "$1" --arg b "$BR" --arg d "$DATA" --argjson x "${2:-{\}}" --argjson r "${3:-$DUAL}" \
		'{cniVersion:"1.0.0", name:$n, type:"bridge", bridge:$b, isGateway:true,
		  ipam:{type:"host-local", dataDir:$d, ranges:$r}} + $x'
}
# br CMD NS-NAME CONF [IFNAME]: run ours with CNI_CONTAINERID=NS-NAME.
br() { CNI_CONTAINERID=$2 cni bridge "$1" "/run/netns/$2" "${4:-eth0}" "$3"; }
links() { ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort | tr '\n' ' '; }
ns_links() { ip -n "$1" -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort | tr '\n' ' '; }
leases() { nr_leases "$DATA/$1"; }
code() { jq -r '.code // "none"' <<<"$1"; }

# --- two containers -----------------------------------------------------------------
C=$(conf net1)
ip netns add a && ip netns add b
outa=$(br ADD a "$C"); rc=$?
t_eq "ADD a exits 0" "$rc" 0
outb=$(br ADD b "$C"); rc=$?
t_eq "ADD b exits 0" "$rc" 0
t_eq "a gets .2 and ::2" "$(jq -r '[.ips[].address] | join(" ")' <<<"$outa")" "198.51.100.2/24 2001:db8:1::2/64"
t_eq "b gets .3 and ::3" "$(jq -r '[.ips[].address] | join(" ")' <<<"$outb")" "198.51.100.3/24 2001:db8:1::3/64"
t_eq "three interfaces" "$(jq '.interfaces | length' <<<"$outa")" 3
t_eq "bridge first, container third with its sandbox" \
	"$(jq -r '[.interfaces[0].name, .interfaces[2].name, .interfaces[2].sandbox] | join(" ")' <<<"$outa")" \
	"$BR eth0 /run/netns/a"
t_check "the second interface is the host veth" ip link show "$(jq -r '.interfaces[1].name' <<<"$outa")" master "$BR"
t_eq "ips point at interface 2" "$(jq -c '[.ips[].interface]' <<<"$outa")" "[2,2]"
t_eq "gateways are .1 and ::1" "$(jq -r '[.ips[].gateway] | join(" ")' <<<"$outa")" "198.51.100.1 2001:db8:1::1"
t_eq "MACs are reported" "$(jq '[.interfaces[].mac | test("^([0-9a-f]{2}:){5}[0-9a-f]{2}$")] | all' <<<"$outa")" true
t_eq "container MAC matches the link" "$(jq -r '.interfaces[2].mac' <<<"$outa")" \
	"$(ip -n a -j link show eth0 | jq -r '.[0].address')"
t_check "the bridge has the gateway addresses" sh -c \
	"ip addr show $BR | grep -q 198.51.100.1/24 && ip addr show $BR | grep -q 2001:db8:1::1/64"
t_eq "ip_forward is on" "$(cat /proc/sys/net/ipv4/ip_forward)" 1
t_eq "accept_dad is 0 in the container" "$(ip netns exec a cat /proc/sys/net/ipv6/conf/eth0/accept_dad)" 0
t_eq "arp_notify is 1 in the container" "$(ip netns exec a cat /proc/sys/net/ipv4/conf/eth0/arp_notify)" 1
t_check "a pings b (IPv4)" ip netns exec a ping -c1 -W1 198.51.100.3
t_check "b pings a (IPv4)" ip netns exec b ping -c1 -W1 198.51.100.2
t_check "a pings the gateway (IPv4)" ip netns exec a ping -c1 -W1 198.51.100.1
t_check "a pings b (IPv6)" ip netns exec a ping -6 -c1 -W1 2001:db8:1::3
t_check "a pings the gateway (IPv6)" ip netns exec a ping -6 -c1 -W1 2001:db8:1::1

# The host end of a veth is a bridge port only: no IPv6 of its own (docs/plugin-bridge.md).
VA=$(jq -r '.interfaces[1].name' <<<"$outa")
t_eq "the bridge port has IPv6 disabled" "$(cat /proc/sys/net/ipv6/conf/$VA/disable_ipv6)" 1
t_eq "... and no IPv6 address" "$(ip -6 -o addr show dev "$VA" | wc -l)" 0
t_eq "the container keeps IPv6 on a dual-stack network" \
	"$(ip netns exec a cat /proc/sys/net/ipv6/conf/eth0/disable_ipv6)" 0
t_check "... with a link-local address" sh -c "ip -n a -6 addr show dev eth0 scope link | grep -q fe80::"

# IPv4-only with the host as gateway: no IPv6 on the container's interface (as Docker);
# with an outside router (isGateway false) the kernel's link-local stays (as the reference).
V4='[[{"subnet":"198.51.100.0/24"}]]'
ip netns add v4 && ip netns add v4l2 && ip -n v4 link set lo up
C4=$(conf net1 '{}' "$V4")
out=$(br ADD v4 "$C4"); rc=$?
t_eq "ADD on an IPv4-only network exits 0" "$rc" 0
t_eq "the container interface has IPv6 disabled" "$(ip netns exec v4 cat /proc/sys/net/ipv6/conf/eth0/disable_ipv6)" 1
t_eq "... and no IPv6 address" "$(ip -n v4 -6 -o addr show dev eth0 | wc -l)" 0
t_check "... while lo keeps ::1" sh -c "ip -n v4 -6 addr show dev lo | grep -q ::1"
t_check "... and IPv4 works" ip netns exec v4 ping -c1 -W1 198.51.100.1
C4L2=$(jq -c '.isGateway=false | .name="net4l2" | .bridge="nrtest4"' <<<"$C4")
out=$(br ADD v4l2 "$C4L2"); rc=$?
t_eq "ADD on an IPv4-only network without gateway exits 0" "$rc" 0
t_check "... the container keeps its link-local address" \
	sh -c "ip -n v4l2 -6 addr show dev eth0 scope link | grep -q fe80::"
br DEL v4 "$C4" >/dev/null
br DEL v4l2 "$C4L2" >/dev/null
ip netns del v4 && ip netns del v4l2
ip link del nrtest4 2>/dev/null

# --- CHECK ----------------------------------------------------------------------------
CA=$(jq -c --argjson p "$outa" '.prevResult=$p' <<<"$C")
out=$(br CHECK a "$CA"); rc=$?
t_eq "CHECK after ADD succeeds" "$rc" 0 && [ -n "$out" ] && echo "# $out"
ip -n a addr del 198.51.100.2/24 dev eth0
out=$(br CHECK a "$CA"); rc=$?
t_eq "CHECK fails once the address is removed" "$rc" 1
t_check "... naming the address" grep -q 198.51.100.2 <<<"$out"

# --- isDefaultGateway ----------------------------------------------------------------
ip netns add d
out=$(br ADD d "$(conf net1 '{"isDefaultGateway":true}')"); rc=$?
t_eq "ADD with isDefaultGateway exits 0" "$rc" 0
t_eq "default routes in the result" "$(jq -c '[.routes[] | [.dst, .gw]]' <<<"$out")" \
	'[["0.0.0.0/0","198.51.100.1"],["::/0","2001:db8:1::1"]]'
t_check "default route in the container" sh -c "ip -n d route show default | grep -q 'via 198.51.100.1 dev eth0'"
DC=$(jq -c --argjson p "$out" '.prevResult=$p' <<<"$(conf net1 '{"isDefaultGateway":true}')")
t_check "CHECK with the routes in place succeeds" br CHECK d "$DC"
ip -n d route del default via 198.51.100.1
out2=$(br CHECK d "$DC"); rc=$?
t_eq "CHECK fails once the default route is gone" "$rc" 1
t_check "... naming the route" grep -q "route to 0.0.0.0/0 via 198.51.100.1" <<<"$out2"
br DEL d "$(conf net1 '{"isDefaultGateway":true}')" >/dev/null

# --- config dns wins over IPAM's -------------------------------------------------------
ip netns add e
out=$(br ADD e "$(conf net1 '{"dns":{"nameservers":["198.51.100.53"]}}')")
t_eq "config dns is in the result" "$(jq -c .dns <<<"$out")" '{"nameservers":["198.51.100.53"]}'
br DEL e "$(conf net1)" >/dev/null

# --- options: MAC, hairpin, port isolation, ipMasq, L2 only, old cniVersion ------------------
ip netns add h
HC=$(conf net1 '{"hairpinMode":true,"portIsolation":true,"ipMasq":true,"runtimeConfig":{"mac":"02:00:00:00:00:42"}}')
out=$(br ADD h "$HC"); rc=$?
t_eq "ADD with hairpin, isolation, ipMasq, MAC exits 0" "$rc" 0 || echo "# $out"
t_eq "runtimeConfig.mac is the container's MAC" "$(ip -n h -j link show eth0 | jq -r '.[0].address')" 02:00:00:00:00:42
hveth=$(jq -r '.interfaces[1].name' <<<"$out")
t_eq "hairpin is on" "$(bridge -j -d link show dev "$hveth" | jq -r '.[0].hairpin')" true
t_eq "port isolation is on" "$(bridge -j -d link show dev "$hveth" | jq -r '.[0].isolated')" true
t_check "the address is masqueraded" sh -c "nft list table inet netns-run | grep -q 198.51.100"
HCP=$(jq -c --argjson p "$out" '.prevResult=$p' <<<"$HC")
t_check "CHECK with ipMasq succeeds" br CHECK h "$HCP"
nft flush set inet netns-run ctr4
out2=$(br CHECK h "$HCP"); rc=$?
t_eq "CHECK fails once the masquerade entry is gone" "$rc" 1
t_check "... saying so" grep -q "not masqueraded" <<<"$out2"
br DEL h "$HC" >/dev/null
t_eq "DEL removes the masquerade entries" "$(nft list table inet netns-run 2>/dev/null | grep -c 198.51.100)" 0
ip netns add l
L2=$(jq -nc --arg b "$BR" '{cniVersion:"1.0.0", name:"l2", type:"bridge", bridge:$b}')
out=$(CNI_ARGS="MAC=02:00:00:00:00:43" br ADD l "$L2"); rc=$?
t_eq "L2-only ADD (no ipam) exits 0" "$rc" 0 || echo "# $out"
t_eq "L2-only: no ips, three interfaces" "$(jq -c '[(.ips // [] | length), (.interfaces | length)]' <<<"$out")" "[0,3]"
t_eq "CNI_ARGS MAC= is the container's MAC" "$(ip -n l -j link show eth0 | jq -r '.[0].address + " " + .[0].operstate')" \
	"02:00:00:00:00:43 UP"
br DEL l "$L2" >/dev/null
out=$(br ADD l "$(jq -c '.cniVersion="0.4.0"' <<<"$C")")
t_eq "a 0.4.0 config gets a 0.4.0 result with ips[].version" "$(jq -c '[.cniVersion, .ips[0].version]' <<<"$out")" '["0.4.0","4"]'
br DEL l "$(jq -c '.cniVersion="0.4.0"' <<<"$C")" >/dev/null
ip netns del h; ip netns del l

# --- same key structure as the reference --------------------------------------------
shape() { jq -S '[paths | map(if type == "number" then "N" else . end) | map(tostring) | join(".")] | unique' <<<"$1"; }
if [ -x /usr/lib/cni/bridge ]; then
	ip netns add r
	RDATA=$(mktemp -d -p /var/lib/cni ref.XXXXXX)
	RC=$(jq -c --arg d "$RDATA" '.bridge="nrref0" | .ipam.dataDir=$d' <<<"$C")
	refb() { CNI_COMMAND=$1 CNI_CONTAINERID=r CNI_NETNS=/run/netns/r CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni \
		/usr/lib/cni/bridge <<<"$RC"; }
	ref=$(refb ADD)
	ip netns add s
	our=$(CNI_CONTAINERID=s cni bridge ADD /run/netns/s eth0 "$(jq -c '.bridge="nrours0"' <<<"$RC")")
	t_eq "same result keys as the reference bridge" "$(shape "$our")" "$(shape "$ref")"
	same='[[.ips[] | del(.address)], .routes, .dns, [.interfaces[] | .sandbox != null], .interfaces[2].name]'
	t_eq "same values apart from names and MACs" \
		"$(jq -c "$same" <<<"$our")" "$(jq -c "$same" <<<"$ref")"
	refb DEL >/dev/null
	CNI_CONTAINERID=s cni bridge DEL /run/netns/s eth0 "$(jq -c '.bridge="nrours0"' <<<"$RC")" >/dev/null
else
	t_skip "same result keys as the reference bridge" "/usr/lib/cni/bridge not installed"
	t_skip "same values apart from names and MACs" "/usr/lib/cni/bridge not installed"
fi

# --- errors leave nothing behind -------------------------------------------------------
ip netns add x
host0=$(links) ns0=$(ns_links x) lease0=$(leases net1)
nothing_left() {
	t_eq "$1: no new host links" "$(links)" "$host0"
	t_eq "$1: no new links in the netns" "$(ns_links x)" "$ns0"
	t_eq "$1: no new leases" "$(leases net1)" "$lease0"
}
out=$(br ADD x '{"cniVersion":"1.0.0", "name":')
t_eq "malformed JSON is code 6" "$(code "$out")" 6
out=$(br ADD x "$(conf net1 '{"bogusField":1}')")
t_eq "an unknown field is code 2" "$(code "$out")" 2
t_check "... naming it" grep -q bogusField <<<"$out"
out=$(br ADD x "$(conf net1 '{"vlan":5}')")
t_eq "vlan (not implemented) is code 2" "$(code "$out")" 2
out=$(br ADD x "$(conf net1 '{"hairpinMode":true,"promiscMode":true}')")
t_eq "hairpinMode with promiscMode is an error" "$(code "$out")" 7
out=$(br ADD x "$(conf small '{"ipMasq":true}' '[[{"subnet":"198.51.100.0/31"}]]')")
t_eq "a subnet too small to allocate from is code 7" "$(code "$out")" 7
t_check "... naming the subnet" grep -q "198.51.100.0/31" <<<"$out"
t_eq "... and leaves no masquerade entry" "$(nft list table inet netns-run 2>/dev/null | grep -c 198.51.100)" 0
nothing_left "bad configs"
out=$(br ADD x "$(jq -c '.bridge="nrfresh0" | .ipam.type="no-such-ipam"' <<<"$C")")
t_check "a first ADD whose IPAM plugin is missing fails" test "$(code "$out")" != none
t_check "... naming the plugin" grep -q no-such-ipam <<<"$out"
nothing_left "failed first ADD (the bridge it made is gone too)"
out=$(CNI_CONTAINERID=x cni bridge ADD /run/netns/nonexistent eth0 "$C")
t_eq "a CNI_NETNS that does not exist is code 3" "$(code "$out")" 3
# This kernel may lack the dummy driver; any link that is not ours will do.
dummy() { ip "$@" type dummy 2>/dev/null || ip "$@" type veth peer name "${*: -1}p"; }
dummy -n x link add eth0; ns0=$(ns_links x)
out=$(br ADD x "$C")
t_eq "an ifname already in the netns fails" "$(code "$out")" 100
t_check "... saying so" grep -q "already exists" <<<"$out"
nothing_left "ifname taken"
ip -n x link del eth0; ns0=$(ns_links x)
dummy link add nrdummy0; host0=$(links)
out=$(br ADD x "$(jq -c '.bridge="nrdummy0"' <<<"$C")")
t_eq "a bridge name taken by a dummy link fails" "$(code "$out")" 100
t_check "... naming it" grep -q nrdummy0 <<<"$out"
nothing_left "bridge name taken"
TINY='[[{"subnet":"198.51.100.0/24","rangeStart":"198.51.100.200","rangeEnd":"198.51.100.200"}]]'
out=$(br ADD x "$(conf tiny '{}' "$TINY")")
t_eq "ADD in a one-address range succeeds" "$(code "$out")" none
ip netns add y
host1=$(links)
out=$(br ADD y "$(conf tiny '{"ipMasq":true}' "$TINY")")
t_eq "one more ADD in the exhausted range fails with code 50" "$(code "$out")" 50
t_check "... saying the range is full" grep -qi "no.*address\|exhaust\|full" <<<"$out"
t_eq "exhausted range: no new host links" "$(links)" "$host1"
t_eq "exhausted range: nothing in the netns" "$(ns_links y)" "lo "
t_eq "exhausted range: still one lease" "$(leases tiny)" 1
t_eq "exhausted range: no masquerade entry" "$(nft list table inet netns-run 2>/dev/null | grep -c 198.51.100.20)" 0
br DEL x "$(conf tiny '{}' "$TINY")" >/dev/null

# --- DEL -----------------------------------------------------------------------------
out=$(br DEL b "$C"); rc=$?
t_eq "DEL exits 0" "$rc" 0
t_eq "DEL removes the container interface" "$(ns_links b)" "lo "
t_eq "DEL removes the host veth" "$(ip -o link show master $BR | wc -l)" 1
t_check "DEL removes the lease" test ! -e "$DATA/net1/198.51.100.3"
out=$(br DEL b "$C"); rc=$?
t_eq "DEL twice succeeds" "$rc/$out" 0/
out=$(CNI_CONTAINERID=a cni bridge DEL "" eth0 "$C"); rc=$?
t_eq "DEL with empty CNI_NETNS succeeds" "$rc/$out" 0/
t_check "... and removes the lease" test ! -e "$DATA/net1/198.51.100.2"
br DEL a "$C" >/dev/null
ip netns add g
br ADD g "$C" >/dev/null
lease=$(grep -l '^g' "$DATA"/net1/[0-9]* | head -1)
ip netns del g
out=$(br DEL g "$C"); rc=$?
t_eq "DEL after the netns is gone succeeds" "$rc/$out" 0/
t_check "... and removes the lease" test ! -e "$lease"
# The kernel tears a deleted namespace down asynchronously; its veth's host end goes with it.
# Poll (bounded, up to ~5 s) rather than wait a fixed time.
for _ in $(seq 250); do [ "$(ip -o link show master $BR | wc -l)" = 0 ] && break; sleep 0.02; done
t_eq "no veth left on the bridge" "$(ip -o link show master $BR | wc -l)" 0

# --- concurrent first ADDs on a new bridge --------------------------------------------------
PC=$(jq -c '.bridge="nrpar0" | .name="par"' <<<"$C")
PAR=$(mktemp -d)
for i in 1 2 3 4 5; do ip netns add p$i; done
for i in 1 2 3 4 5; do br ADD p$i "$PC" >$PAR/$i.out & done
wait
t_eq "five concurrent ADDs creating one bridge all succeed" \
	"$(cat "$PAR"/{1..5}.out | jq -s '[.[] | select(.code == null)] | length')" 5
t_eq "... with five ports on it" "$(ip -o link show master nrpar0 | wc -l)" 5
for i in 1 2 3 4 5; do br DEL p$i "$PC" >/dev/null; ip netns del p$i; done; rm -r "$PAR"

# --- STATUS ----------------------------------------------------------------------------
out=$(jq -c '.cniVersion="1.1.0"' <<<"$C" | { read -r c; br STATUS x "$c"; }); rc=$?
t_eq "STATUS is delegated to IPAM and succeeds" "$rc" 0
ip netns add k
C11=$(jq -c '.cniVersion="1.1.0"' <<<"$C")
br ADD k "$C11" >/dev/null
klease=$(grep -l '^k' "$DATA"/net1/[0-9]* | head -1)
out=$(br GC k "$(jq -c '.["cni.dev/valid-attachments"]=[]' <<<"$C11")"); rc=$?
t_eq "GC is delegated to IPAM and succeeds" "$rc" 0
t_check "... and IPAM collected the stale lease" test ! -e "$klease"
br DEL k "$C11" >/dev/null; ip netns del k

# --- IPAM in process or executed ---------------------------------------------------------
# Ours on CNI_PATH: host-local runs inside the bridge process (no exec of it).
ip netns add m
execs=$(CNI_COMMAND=ADD CNI_CONTAINERID=m CNI_NETNS=/run/netns/m CNI_IFNAME=eth0 CNI_PATH=$CNI_BIN \
	strace -f -qq -e trace=execve -o /dev/stdout "$CNI_BIN/bridge" <<<"$C" | grep -c 'execve("[^"]*host-local"')
t_eq "our host-local runs in the bridge's process" "$execs" 0
t_eq "... and leased an address" "$(grep -l '^m' "$DATA"/net1/[0-9]* | wc -l)" 2
br DEL m "$C" >/dev/null
t_eq "... which DEL released" "$(grep -l '^m' "$DATA"/net1/[0-9]* 2>/dev/null | wc -l)" 0
# Another host-local first on CNI_PATH (here the reference): executed, as the spec says.
if [ -x /usr/lib/cni/host-local ]; then
	REFDIR=$(mktemp -d)
	ln -s /usr/lib/cni/host-local "$REFDIR/host-local"
	RC=$(jq -c '.cniVersion="1.0.0"' <<<"$C")
	execs=$(CNI_COMMAND=ADD CNI_CONTAINERID=m CNI_NETNS=/run/netns/m CNI_IFNAME=eth0 CNI_PATH=$REFDIR:$CNI_BIN \
		strace -f -qq -e trace=execve -o /dev/stdout "$CNI_BIN/bridge" <<<"$RC" | grep -c 'execve("[^"]*host-local"')
	t_eq "a host-local that is not ours is executed" "$execs" 1
	t_eq "... and its lease is there" "$(grep -l '^m' "$DATA"/net1/[0-9]* | wc -l)" 2
	CNI_PATH=$REFDIR:$CNI_BIN br DEL m "$RC" >/dev/null
	t_eq "... and gone after DEL through it" "$(grep -l '^m' "$DATA"/net1/[0-9]* 2>/dev/null | wc -l)" 0
	rm -r "$REFDIR"
else
	t_skip "a host-local that is not ours is executed" "/usr/lib/cni/host-local missing"
fi
ip netns del m

ip netns del a; ip netns del b; ip netns del d; ip netns del e; ip netns del x; ip netns del y
t_done
