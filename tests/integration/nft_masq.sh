#!/bin/bash
# The nftables masquerade table (core/nft_masq.c) in a private namespace: the cmocka
# kernel tests, the ruleset seen from nft, and real traffic through the masquerade.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"

T="$NR_BUILD/tests/test_nft_masq"
# The cmocka tests against this namespace's kernel.
t_check "cmocka kernel tests (test_nft_masq) pass in the sandbox" env NR_NFT_SANDBOX=1 "$T"

rules() { nft -j list table inet netns-run | jq '[.nftables[] | select(.rule)] | length'; }
elems() { nft -j list table inet netns-run | jq -r '[.nftables[] | select(.set.name == "'"$1"'") | .set.elem // [] | .[]] | length'; }

# Shell-side scenario through a small driver (tests/tools/nftmasq.c).
DRV="$NR_BUILD/tests/tools/nftmasq"

t_check "add 198.51.100.2/24" "$DRV" add 198.51.100.2/24
one=$(rules)
t_check "add 10.1.0.2/16" "$DRV" add 10.1.0.2/16
t_check "add fd00:1::2/64" "$DRV" add fd00:1::2/64
t_eq "rule count after 3 adds equals the count after 1" "$(rules)" "$one"
t_eq "four rules" "$one" 4
listing=$(nft list table inet netns-run)
t_check "nft list shows 198.51.100.2 in ctr4" grep -q "198.51.100.2 comment" <<<"$listing"
t_check "nft list shows the subnet 198.51.100.0/24 . 198.51.100.0/24" grep -q '198.51.100.0/24 . 198.51.100.0/24' <<<"$listing"
t_check "nft list shows fd00:1::2" grep -q 'fd00:1::2' <<<"$listing"
t_check "contains 10.1.0.2/16" "$DRV" has 10.1.0.2/16
t_check "del 10.1.0.2/16" "$DRV" del 10.1.0.2/16
t_check "del fd00:1::2/64" "$DRV" del fd00:1::2/64
t_check "del 10.1.0.2/16 again succeeds" "$DRV" del 10.1.0.2/16
t_eq "ctr4 holds only 198.51.100.2" "$(elems ctr4)" 1
t_eq "own4 holds only its subnet (10.1.0.0/16 went with its last address)" "$(elems own4)" 1

# One subnet element however many containers; it goes with the last of them.
for i in 3 4 5; do "$DRV" add 198.51.100.$i/24; done
t_eq "4 addresses of one subnet: 4 in ctr4, 1 in own4" "$(elems ctr4) $(elems own4)" "4 1"
"$DRV" del 198.51.100.3/24; "$DRV" del 198.51.100.4/24
t_eq "2 of them deleted: the subnet stays" "$(elems ctr4) $(elems own4)" "2 1"
"$DRV" del 198.51.100.5/24

# A subnet partly overlapping another masqueraded one is refused and adds nothing.
"$DRV" add 10.1.0.2/16
out=$("$DRV" add 10.1.5.2/24 2>&1)
t_check "10.1.5.2/24 inside the masqueraded 10.1.0.0/16 is refused" grep -q 'overlaps the subnet of another masqueraded network' <<<"$out"
t_eq "... leaving ctr4 and own4 as they were" "$(elems ctr4) $(elems own4)" "2 2"
"$DRV" del 10.1.0.2/16

# The last address of a subnet deleted while another is added: the lock keeps the
# subnet element (the add finds it, the delete must not remove it under the add).
lost=0
for i in $(seq 1 25); do
	"$DRV" add 192.0.2.10/24
	"$DRV" del 192.0.2.10/24 & "$DRV" add 192.0.2.11/24 & wait
	[ "$(elems own4)" = 2 ] || lost=$((lost + 1))
	"$DRV" del 192.0.2.11/24
done
t_eq "25 races of a last delete against an add: the subnet element always stays" "$lost" 0

# Real traffic: ctr (198.51.100.2) -> host (this namespace) -> outside (203.0.113.2).
ip netns add ctr; ip netns add outside
ip link add h-ctr type veth peer name eth0 netns ctr
ip link add h-out type veth peer name eth0 netns outside
ip addr add 198.51.100.1/24 dev h-ctr; ip link set h-ctr up
ip addr add 203.0.113.1/24 dev h-out; ip link set h-out up
ip -n ctr addr add 198.51.100.2/24 dev eth0; ip -n ctr link set eth0 up; ip -n ctr link set lo up
ip -n ctr route add default via 198.51.100.1
ip -n outside addr add 203.0.113.2/24 dev eth0; ip -n outside link set eth0 up
sysctl -qw net.ipv4.ip_forward=1
ip netns exec outside nft -f - <<'N'
table inet seen {
	chain in {
		type filter hook input priority 0;
		ip saddr 203.0.113.1 icmp type echo-request counter
		ip saddr 198.51.100.2 icmp type echo-request counter
	}
}
N
t_check "ping from ctr to outside through the masquerade" ip netns exec ctr ping -c1 -W2 203.0.113.2
pk=$(ip netns exec outside nft -j list table inet seen | jq '[.nftables[] | select(.rule) | .rule.expr[] | select(.counter) | .counter.packets]')
t_eq "outside saw the host's 203.0.113.1, not 198.51.100.2" "$(jq -c . <<<"$pk")" "[1,0]"

t_check "del 198.51.100.2/24" "$DRV" del 198.51.100.2/24
t_eq "after deleting all, the sets are empty" "$(elems ctr4)$(elems own4)$(elems ctr6)$(elems own6)" 0000
t_check "deleting again succeeds" "$DRV" del 198.51.100.2/24
nft delete table inet netns-run
t_check "deleting with no table succeeds" "$DRV" del 198.51.100.2/24
t_done
