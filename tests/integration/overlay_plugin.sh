#!/bin/bash
# The overlay's host side and CNI plugin (plugins/overlay), without etcd or the agent:
# two "hosts" as network namespaces joined by a veth underlay on 192.0.2.0/24, each with
# its subnet file, VXLAN device and the other's route, neighbour and FDB entry written
# by tests/tools/overlay_apply (as the agent would); a container on each host through
# `netns-run run --network` with a hand-written conflist; containers reaching each other
# across hosts unmasqueraded, the outside masqueraded; apply idempotent and exact; the
# plugin's errors (no subnet file: 11), DEL in every state, network rm and vtep removal
# leaving nothing.  Each host has its own state, config and cache directories; the
# conflists are named per host (ovA, ovB) so the hosts' host-local stores are apart too.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/runtime.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TOOL="$NR_BUILD/tests/tools/overlay_apply"
ECHO="$ROOT/tests/tools/udp_echo.py"
DEV=nv-0123456789ab
BR=nr-0123456789ab
[ -x "$TOOL" ] || { echo "build $TOOL first (make build/tests/tools/overlay_apply)" >&2; exit 1; }

# on H CMD...: CMD on host H (A or B): its network namespace, its netns-run directories.
on() {
	local h=$1
	shift
	NETNS_RUN_STATE_DIR=/run/h$h/state NETNS_RUN_CONFIG_DIR=/run/h$h/conf NETNS_RUN_CNI_CACHE_DIR=/run/h$h/cache \
		nsenter --net=/run/netns/h$h "$@"
}
dir() { echo "/run/h$1/overlay/ov$1"; }
# The device's forwarding entries on host H, one line each (what apply must keep exact).
entries() {
	{
		ip -n h$1 route show dev $DEV | sed 's/^/route /'
		ip -n h$1 neigh show dev $DEV nud permanent | sed 's/^/neigh /'
		bridge -n h$1 fdb show dev $DEV | sed 's/^/fdb /'
	} 2>/dev/null | sort
}
count() { entries "$1" | grep -c "^$2 "; }
addr() { on "$1" "$NR" inspect "$2" | jq -r '.network_result.ips[0].address' | cut -d/ -f1; }
code() { jq -r '.code // "none"' <<<"$1"; }
# ovl CMD NETNS CONF on host A, CNI_CONTAINERID=NETNS.
ovl() { CNI_CONTAINERID=$2 on A env CNI_COMMAND="$1" CNI_NETNS="/run/netns/$2" CNI_IFNAME=eth0 CNI_PATH="$CNI_BIN" \
	"$CNI_BIN/overlay" <<<"$3"; }

cleanup() {
	local h c
	for h in A B; do
		for c in /run/h$h/state/containers/*; do
			[ -e "$c" ] && on $h "$NR" rm -f "$(basename "$c")" >/dev/null 2>&1
		done
	done
	[ -n "${ECHO_PID:-}" ] && kill "$ECHO_PID" 2>/dev/null
	"$NR" gc -q >/dev/null 2>&1
}
trap cleanup EXIT

# --- two hosts and their subnet files --------------------------------------------------
ip netns add hA && ip netns add hB
ip link add uA netns hA type veth peer name uB netns hB
ip -n hA addr add 192.0.2.11/24 dev uA && ip -n hA link set uA up && ip -n hA link set lo up
ip -n hB addr add 192.0.2.12/24 dev uB && ip -n hB link set uB up && ip -n hB link set lo up
for h in A B; do
	n=$([ $h = A ] && echo 1 || echo 2)
	mkdir -p /run/h$h/conf
	on $h "$TOOL" write "$(dir $h)" 10.20.0.0/16 10.20.$n.0/24 192.0.2.1$n $DEV $BR 42 1450
	t_eq "host $h: subnet file written" $? 0
	cat >/run/h$h/conf/ov$h.conflist <<JSON
{"cniVersion": "1.1.0", "name": "ov$h", "plugins": [{"type": "overlay", "subnetFile": "$(dir $h)/subnet.json"}]}
JSON
done
t_eq "the subnet file as overlay.h describes it" "$(jq -c . "$(dir A)/subnet.json")" \
	'{"network":"10.20.0.0/16","subnet":"10.20.1.0/24","mtu":1450,"vni":42,"vtep":"192.0.2.11","device":"'$DEV'","bridge":"'$BR'","port":4789}'
out=$(on A "$TOOL" write "$(dir A)" 10.20.0.0/16 10.30.1.0/24 192.0.2.11 $DEV $BR 42 1450 2>&1)
t_eq "a subnet outside the network is not written" "$?" 3
t_eq "... and the file is unchanged" "$(jq -r .subnet "$(dir A)/subnet.json")" 10.20.1.0/24

# --- the VXLAN devices -------------------------------------------------------------------
MA=$(on A "$TOOL" ensure "$(dir A)")
t_eq "host A: vtep ensure" $? 0
MB=$(on B "$TOOL" ensure "$(dir B)")
t_eq "host B: vtep ensure" $? 0
d=$(ip -n hA -d -o link show $DEV)
t_check "vxlan id 42, local 192.0.2.11, dstport 4789, nolearning" \
	grep -q 'vxlan id 42 local 192.0.2.11 .*dstport 4789 nolearning' <<<"$d"
t_check "up, mtu 1450" grep -q 'UP.* mtu 1450 ' <<<"$d"
t_eq "its MAC is the one printed" "$(ip -n hA -j link show $DEV | jq -r '.[0].address')" "$MA"
t_eq "it carries SUBNET.0/32 only" "$(ip -n hA -4 -j addr show dev $DEV | jq -r '[.[0].addr_info[] | "\(.local)/\(.prefixlen)"] | join(" ")')" \
	10.20.1.0/32
t_eq "ensure again: the same device" "$(on A "$TOOL" ensure "$(dir A)") $(ip -n hA -o link show type vxlan | wc -l)" "$MA 1"
# A new lease (another subnet, another VNI): the device follows, the old address goes.
on A "$TOOL" write "$(dir A)" 10.20.0.0/16 10.20.5.0/24 192.0.2.11 $DEV $BR 43 1400
on A "$TOOL" ensure "$(dir A)" >/dev/null
t_eq "a changed lease: VNI 43, mtu 1400, 10.20.5.0/32 only" \
	"$(ip -n hA -d -j link show $DEV | jq -r '.[0] | "\(.linkinfo.info_data.id) \(.mtu)"') $(ip -n hA -4 -j addr show dev $DEV | jq -r '[.[0].addr_info[] | .local] | join(" ")')" \
	"43 1400 10.20.5.0"
on A "$TOOL" write "$(dir A)" 10.20.0.0/16 10.20.1.0/24 192.0.2.11 $DEV $BR 42 1450
MA=$(on A "$TOOL" ensure "$(dir A)")
t_eq "... and back" "$(ip -n hA -d -j link show $DEV | jq -r '.[0] | "\(.linkinfo.info_data.id) \(.mtu)"')" "42 1450"

# A second network with the same VNI and port on one host: refused, naming the VNI.
on B "$TOOL" write /run/hB/overlay/other 10.30.0.0/16 10.30.1.0/24 192.0.2.12 nv-other nr-other 42 1450
out=$(on B "$TOOL" ensure /run/hB/overlay/other 2>&1)
t_eq "a VNI in use: refused" $? 3
t_check "... saying so ($out)" grep -q "another VXLAN device has VNI 42 on UDP port 4789" <<<"$out"
t_eq "... and nothing made" "$(ip -n hB -o link show type vxlan | wc -l)" 1

# --- the remotes ---------------------------------------------------------------------------
on A "$TOOL" apply "$(dir A)" "10.20.2.0/24,192.0.2.12,$MB"
t_eq "host A: apply B" $? 0
on B "$TOOL" apply "$(dir B)" "10.20.1.0/24,192.0.2.11,$MA"
t_eq "host B: apply A" $? 0
t_eq "host A: the flannel layout for B" "$(entries A | tr '\n' '|')" \
	"fdb $MB dst 192.0.2.12 self permanent|neigh 10.20.2.0 lladdr $MB PERMANENT |route 10.20.2.0/24 via 10.20.2.0 onlink |"
t_check "host A reaches B's VXLAN address" on A ping -c 1 -W 2 10.20.2.0
before=$(ip -n hA -d route show dev $DEV; ip -n hA -d neigh show dev $DEV; bridge -n hA -d fdb show dev $DEV)
on A "$TOOL" apply "$(dir A)" "10.20.2.0/24,192.0.2.12,$MB"
t_eq "apply twice: the same kernel state" \
	"$(ip -n hA -d route show dev $DEV; ip -n hA -d neigh show dev $DEV; bridge -n hA -d fdb show dev $DEV)" "$before"

# Garbage in the set is skipped: our own subnet, our VTEP, outside the network, overlapping B.
on A "$TOOL" apply "$(dir A)" "10.20.2.0/24,192.0.2.12,$MB" "10.20.1.0/24,192.0.2.77,02:00:00:00:00:01" \
	"10.20.7.0/24,192.0.2.11,02:00:00:00:00:02" "10.99.0.0/24,192.0.2.78,02:00:00:00:00:03" \
	"10.20.2.128/25,192.0.2.79,02:00:00:00:00:04" "10.20.8.0/24,192.0.2.80,01:00:5e:00:00:01"
t_eq "remotes with our subnet, our VTEP, outside the CIDR, overlapping, multicast MAC: skipped" \
	"$(count A route) $(count A neigh) $(count A fdb)" "1 1 1"

# A third host comes and goes; a changed MAC is replaced in place.
on A "$TOOL" apply "$(dir A)" "10.20.2.0/24,192.0.2.12,$MB" "10.20.3.0/24,192.0.2.13,02:00:00:00:00:03"
t_eq "a third remote: two of each" "$(count A route) $(count A neigh) $(count A fdb)" "2 2 2"
t_check "... its route" grep -q "route 10.20.3.0/24 via 10.20.3.0 onlink" <<<"$(entries A)"
on A "$TOOL" apply "$(dir A)" "10.20.2.0/24,192.0.2.12,$MB" "10.20.3.0/24,192.0.2.13,02:00:00:00:00:33"
t_eq "its MAC changed: neighbour and FDB entry follow, the old FDB entry goes" \
	"$(entries A | grep -c '02:00:00:00:00:33') $(entries A | grep -c '02:00:00:00:00:03 ')" "2 0"
# Entries of ours nobody wants (a crashed agent's), and a neighbour on another device.
ip -n hA route add 10.20.9.0/24 via 10.20.9.0 dev $DEV onlink
bridge -n hA fdb add 02:00:00:00:00:09 dev $DEV dst 192.0.2.19 self permanent
ip -n hA neigh add 192.0.2.99 lladdr 02:00:00:00:00:99 dev uA nud permanent
on A "$TOOL" apply "$(dir A)" "10.20.2.0/24,192.0.2.12,$MB"
t_eq "the third host left: its route, neighbour and FDB entry are gone, and the strays" \
	"$(entries A | tr '\n' '|')" \
	"fdb $MB dst 192.0.2.12 self permanent|neigh 10.20.2.0 lladdr $MB PERMANENT |route 10.20.2.0/24 via 10.20.2.0 onlink |"
t_check "a neighbour on another device is left alone" test -n "$(ip -n hA neigh show 192.0.2.99 dev uA nud permanent)"
ip -n hA neigh del 192.0.2.99 dev uA

# --- containers across hosts -----------------------------------------------------------
on A "$NR" run -d --network ovA --name "$P-a" -v "$ROOT/tests/tools:/tools:ro" sleep 600 >/dev/null
t_eq "host A: run --network ovA" $? 0
on B "$NR" run -d --network ovB --name "$P-b" -v "$ROOT/tests/tools:/tools:ro" \
	python3 /tools/udp_echo.py serve 0.0.0.0 7777 >/dev/null
t_eq "host B: run --network ovB" $? 0
a=$(addr A "$P-a")
b=$(addr B "$P-b")
t_check "A's container in A's lease ($a), B's in B's ($b)" \
	test "${a%.*}" = 10.20.1 -a "${b%.*}" = 10.20.2
t_eq "the container's MTU is the file's" "$(on A "$NR" exec "$P-a" cat /sys/class/net/eth0/mtu)" 1450
t_eq "the bridge is the file's, with the gateway" \
	"$(ip -n hA -4 -j addr show dev $BR | jq -r '.[0].addr_info[0].local')" 10.20.1.1
t_check "A's container pings B's" on A "$NR" exec "$P-a" ping -c 1 -W 2 "$b"
t_check "B's container pings A's" on B "$NR" exec "$P-b" ping -c 1 -W 2 "$a"
t_check "the masquerade entry excepts the whole overlay CIDR" \
	sh -c "nsenter --net=/run/netns/hA nft list set inet netns-run own4 | grep -q '10.20.0.0/16 . 10.20.0.0/16'"
t_check "... for A's container address" \
	sh -c "nsenter --net=/run/netns/hA nft list set inet netns-run ctr4 | grep -q '$a comment \"ovA '"
await 5 on B "$NR" exec "$P-b" sh -c 'ss -uln | grep -q 7777'
t_eq "B's container sees A's container's own address (not masqueraded)" \
	"$(on A "$NR" exec "$P-a" python3 /tools/udp_echo.py ask "$b" 7777 2>&1)" "$a"
nsenter --net=/run/netns/hB python3 "$ECHO" serve 192.0.2.12 7778 >/run/echo.out &
ECHO_PID=$!
await 5 grep -q ready /run/echo.out
t_eq "outside the overlay (B's underlay address) it is masqueraded to A's" \
	"$(on A "$NR" exec "$P-a" python3 /tools/udp_echo.py ask 192.0.2.12 7778 2>&1)" 192.0.2.11
kill $ECHO_PID && wait $ECHO_PID 2>/dev/null
ECHO_PID=

# --- the plugin alone: errors, DEL, CHECK, STATUS ----------------------------------------
C='{"cniVersion":"1.1.0","name":"ovA","type":"overlay","subnetFile":"'$(dir A)'/subnet.json"}'
out=$(ovl ADD x '{"cniVersion":"1.1.0","name":"ovA","type":"overlay"}')
t_eq "no subnetFile: code 7" "$(code "$out")" 7
out=$(ovl ADD x '{"cniVersion":"1.1.0","name":"ovA","type":"overlay","subnetFile":"rel/subnet.json"}')
t_eq "a relative subnetFile: code 7" "$(code "$out")" 7
out=$(ovl ADD x '{"cniVersion":"1.1.0","name":"ovA","type":"overlay","subnetFile":"/x","bridge":"br0"}')
t_eq "an unknown field: code 2" "$(code "$out")" 2
out=$(ovl ADD x '{"cniVersion":"1.1.0","name":"ovA","type":"overlay","subnetFile":7}')
t_eq "a subnetFile that is no string: code 6" "$(code "$out")" 6
echo '{"network":"10.20.0.0/16","subnet":"10.20.1.0/24","mtu":"big"}' >/run/garbage.json
out=$(ovl ADD x '{"cniVersion":"1.1.0","name":"ovA","type":"overlay","subnetFile":"/run/garbage.json"}')
t_eq "a garbled subnet file: code 6" "$(code "$out")" 6

ip netns add c1
leases0=$(nr_leases /var/lib/cni/networks/ovA)
links0=$(ip -n hA -o link show | wc -l)
mv "$(dir A)/subnet.json" /run/subnet.saved
out=$(ovl ADD c1 "$C")
t_eq "ADD without a subnet file: code 11" "$(code "$out")" 11
t_check "... naming the agent" grep -q "agent" <<<"$(jq -r .msg <<<"$out")"
t_eq "... and nothing is left: links, leases, attachment copies" \
	"$(ip -n hA -o link show | wc -l) $(nr_leases /var/lib/cni/networks/ovA) $(ls "$(dir A)/attachments" | wc -l)" \
	"$links0 $leases0 1"
out=$(ovl STATUS c1 "$C")
t_eq "STATUS without a subnet file: code 50" "$(code "$out")" 50
mv /run/subnet.saved "$(dir A)/subnet.json"
t_eq "STATUS with it: ready" "$(ovl STATUS c1 "$C"; echo $?)" 0

out=$(ovl ADD c1 "$C")
t_eq "ADD c1" "$(jq -r '.ips[0].address | split(".")[0:3] | join(".")' <<<"$out")" 10.20.1
c1=$(jq -r '.ips[0].address' <<<"$out" | cut -d/ -f1)
t_eq "... MTU 1450 in its namespace" "$(ip -n c1 -j link show eth0 | jq -r '.[0].mtu')" 1450
t_eq "CHECK c1" "$(ovl CHECK c1 "$(jq -c --argjson p "$out" '. + {prevResult: $p}' <<<"$C")"; echo $?)" 0
nsenter --net=/run/netns/hA nft delete element inet netns-run ctr4 "{ $c1 }"
out2=$(ovl CHECK c1 "$(jq -c --argjson p "$out" '. + {prevResult: $p}' <<<"$C")")
t_check "CHECK after its masquerade entry went: an error" test "$(code "$out2")" != none
t_eq "DEL c1" "$(ovl DEL c1 "$C"; echo $?)" 0
t_eq "DEL c1 again" "$(ovl DEL c1 "$C"; echo $?)" 0
t_eq "... its lease released, its copy gone" \
	"$(nr_leases /var/lib/cni/networks/ovA) $(ls "$(dir A)/attachments" | grep -c "^c1\.")" "$leases0 0"

# GC: an attachment not in the valid list loses its lease, masquerade entry and copy.
ip netns add c2
out=$(CNI_CONTAINERID=c2 ovl ADD c2 "$C")
c2=$(jq -r '.ips[0].address' <<<"$out" | cut -d/ -f1)
t_check "ADD c2 ($c2)" test -n "$c2" -a "$c2" != null
# The running container's id, as its masquerade entry's owner says.
id_a=$(nsenter --net=/run/netns/hA nft list set inet netns-run ctr4 | sed -nE "s/.*$a comment \"ovA ([^ ]+) eth0\".*/\1/p")
valid=$(jq -c --arg id "$id_a" '. + {"cni.dev/valid-attachments": [{"containerID": $id, "ifname": "eth0"}]}' <<<"$C")
t_eq "GC with c2 not valid" "$(ovl GC c2 "$valid"; echo $?)" 0
t_eq "... released c2's address, masquerade entry and copy" \
	"$(nr_leases /var/lib/cni/networks/ovA) $(nsenter --net=/run/netns/hA nft list set inet netns-run ctr4 | grep -c "$c2 ") $(ls "$(dir A)/attachments" | grep -c "^c2\.")" \
	"$leases0 0 0"
t_check "... and kept the running container's" \
	sh -c "nsenter --net=/run/netns/hA nft list set inet netns-run ctr4 | grep -q '$a '"
ovl DEL c2 "$C" >/dev/null
ip netns del c2

# A bridge ADD that fails (the file names a link that is no bridge) leaves nothing.
on A "$TOOL" write "$(dir A)" 10.20.0.0/16 10.20.1.0/24 192.0.2.11 $DEV uA 42 1450
out=$(ovl ADD c1 "$C")
t_check "ADD on a bridge name that is another link: an error" test "$(code "$out")" != none
t_eq "... and nothing is left: leases, attachment copies, masquerade entries, container links" \
	"$(nr_leases /var/lib/cni/networks/ovA) $(ls "$(dir A)/attachments" | grep -c "^c1\.") $(nsenter --net=/run/netns/hA nft list set inet netns-run ctr4 | grep -c comment) $(ip -n c1 -o link show | wc -l)" \
	"$leases0 0 1 1"
on A "$TOOL" write "$(dir A)" 10.20.0.0/16 10.20.1.0/24 192.0.2.11 $DEV $BR 42 1450

# DEL after the agent removed the subnet file (a lost lease, leave) still releases.
out=$(ovl ADD c1 "$C")
c1=$(jq -r '.ips[0].address' <<<"$out" | cut -d/ -f1)
on A "$TOOL" unfile "$(dir A)"
t_eq "DEL without the subnet file" "$(ovl DEL c1 "$C"; echo $?)" 0
t_eq "... released the address and its masquerade entry, removed the container's link" \
	"$(nr_leases /var/lib/cni/networks/ovA) $(nsenter --net=/run/netns/hA nft list set inet netns-run ctr4 | grep -c "$c1 ") $(ip -n c1 -o link show | wc -l)" \
	"$leases0 0 1"
t_eq "DEL without subnet file nor copy: nothing to do, success" "$(ovl DEL c1 "$C"; echo $?)" 0
on A "$TOOL" write "$(dir A)" 10.20.0.0/16 10.20.1.0/24 192.0.2.11 $DEV $BR 42 1450
ip netns del c1

# --- removal -------------------------------------------------------------------------------
on A "$NR" rm -f "$P-a" >/dev/null
on B "$NR" rm -f "$P-b" >/dev/null
# A veth goes with its namespace, which the kernel destroys after the last user left.
ctr_veths() { ip -n hA -o link show type veth | grep -vc ' uA@'; }
no_veth() { [ "$(ctr_veths)" = 0 ]; }
await 5 no_veth
t_eq "containers removed: no container veth, no lease, no masquerade entry on A" \
	"$(ctr_veths) $(nr_leases /var/lib/cni/networks/ovA) $(nsenter --net=/run/netns/hA nft list set inet netns-run ctr4 2>/dev/null | grep -c comment)" \
	"0 0 0"
on A "$NR" network rm ovA >/dev/null
t_eq "network rm ovA" $? 0
t_eq "... removed the VXLAN device and the bridge (and their entries)" \
	"$(ip -n hA -o link show | grep -c -e $DEV -e $BR) $(ip -n hA route | grep -c 10.20.)" "0 0"
on B "$TOOL" remove $DEV
t_eq "host B: vtep remove" $? 0
on B "$TOOL" remove $DEV
t_eq "host B: vtep remove again (gone: success)" $? 0
t_eq "host B: no VXLAN device, no overlay route, neighbour or FDB entry" \
	"$(ip -n hB -o link show type vxlan | wc -l) $(ip -n hB route | grep -c "dev $DEV") $(ip -n hB neigh | grep -c 10.20.) $(bridge -n hB fdb | grep -c 192.0.2.11)" \
	"0 0 0 0"
ip -n hB link add dummyvx type bridge
out=$(on B "$TOOL" remove dummyvx 2>&1)
t_eq "remove refuses a link that is not a VXLAN device" "$? $(ip -n hB -o link show dummyvx | wc -l)" "3 1"

t_done
