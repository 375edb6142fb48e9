#!/bin/bash
# The netlink building blocks (core/bridge, veth, link, addr, route, sysctl) against the
# kernel, in a private namespace: runs the test_netlink_core driver there, then looks at
# what it left behind with `ip -j` the way an operator would.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"

DRIVER="$NR_BUILD/tests/test_netlink_core"
if [ ! -x "$DRIVER" ]; then
	t_skip "netlink core driver" "$DRIVER not built (make $DRIVER)"
	t_done
	exit
fi

ip netns add nr-nlcore
NS=/run/netns/nr-nlcore

out=$(NR_NETLINK_SANDBOX=1 NR_TEST_NETNS=$NS "$DRIVER" 2>&1); rc=$?
if [ "$rc" = 0 ] && ! grep -q SKIPPED <<<"$out"; then
	t_ok "test_netlink_core passes against the kernel"
else
	t_fail "test_netlink_core passes against the kernel" "$out"
fi
t_check "the driver's kernel refusal carries the extended-ack text" \
	grep -q 'kernel: mtu less than device minimum' <<<"$out"

peer=$(ip -n nr-nlcore -j -d link show eth0 2>/dev/null)
t_eq "peer created in the netns under the requested name" "$(jq -r '.[0].ifname' <<<"$peer")" eth0
t_eq "peer is a veth" "$(jq -r '.[0].linkinfo.info_kind' <<<"$peer")" veth
t_eq "peer has the requested MAC" "$(jq -r '.[0].address' <<<"$peer")" 02:42:0a:16:00:05
t_eq "peer has the requested MTU" "$(jq -r '.[0].mtu' <<<"$peer")" 1400
t_eq "the peer name is not taken on the host side" \
	"$(ip -j link show | jq '[.[] | select(.ifname == "eth0")] | length')" 0

host=$(ip -j -d link show nrtveth0)
t_eq "host end's master is the bridge" "$(jq -r '.[0].master' <<<"$host")" nrtbr0
t_eq "host end's hairpin flag is on" "$(jq -r '.[0].linkinfo.info_slave_data.hairpin' <<<"$host")" true
t_eq "host end's MTU was changed to 1300" "$(jq -r '.[0].mtu' <<<"$host")" 1300
t_eq "host end's MAC was set" "$(jq -r '.[0].address' <<<"$host")" 02:11:22:33:44:5a

br=$(ip -j -d link show nrtbr0)
t_eq "bridge is a bridge" "$(jq -r '.[0].linkinfo.info_kind' <<<"$br")" bridge
t_eq "bridge is up" "$(jq -r '.[0].flags | index("UP") != null' <<<"$br")" true
t_eq "bridge has its MAC" "$(jq -r '.[0].address' <<<"$br")" 02:00:00:00:aa:01
if ip link show nrtbr1 >/dev/null 2>&1; then
	t_eq "VLAN-filtering bridge has vlan_filtering 1" \
		"$(ip -j -d link show nrtbr1 | jq -r '.[0].linkinfo.info_data.vlan_filtering')" 1
else
	t_skip "VLAN-filtering bridge" "kernel without CONFIG_BRIDGE_VLAN_FILTERING"
fi

t_eq "bridge carries 10.22.0.1/24 with broadcast 10.22.0.255" \
	"$(ip -j addr show dev nrtbr0 | jq -r '.[0].addr_info[] | select(.family=="inet") | "\(.local)/\(.prefixlen) \(.broadcast)"')" \
	"10.22.0.1/24 10.22.0.255"
t_eq "bridge carries fd00:22::1/64" \
	"$(ip -j addr show dev nrtbr0 | jq -r '[.[0].addr_info[] | select(.family=="inet6" and .scope=="global") | "\(.local)/\(.prefixlen)"] | join(",")')" \
	"fd00:22::1/64"

t_eq "route 10.33.0.0/16 via 10.22.0.254 on the bridge" \
	\
	"$(ip -j -d route show 10.33.0.0/16 | jq -r '.[0] | "\(.gateway) \(.dev) \(.protocol)"')" "10.22.0.254 nrtbr0 boot"
t_eq "route 10.44.0.0/16 was deleted" "$(ip -j route show 10.44.0.0/16 | jq length)" 0
t_eq "no default route left" "$(ip -j route show default | jq length)" 0
t_eq "route fd00:33::/64 via fd00:22::fe" \
	"$(ip -j -6 route show fd00:33::/64 | jq -r '.[0] | "\(.gateway) \(.dev)"')" "fd00:22::fe nrtbr0"
t_eq "arp_notify on the bridge is 1" "$(cat /proc/sys/net/ipv4/conf/nrtbr0/arp_notify)" 1
t_eq "accept_dad on the host end is 0" "$(cat /proc/sys/net/ipv6/conf/nrtveth0/accept_dad)" 0
t_eq "deleted veth is gone with its peer" "$(ip -j link show | jq '[.[] | select(.ifname | startswith("nrtv-"))] | length')" 0

out=$(NR_NETLINK_SANDBOX= "$DRIVER" 2>&1)
t_check "without NR_NETLINK_SANDBOX=1 the driver skips everything" grep -q '10 SKIPPED' <<<"$out"

t_done
