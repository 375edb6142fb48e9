#!/bin/bash
# The bridge plugin at the edges: masqueraded traffic seen from an "outside" host, 50
# parallel ADDs and DELs, masquerade state found by attachment (DEL with the namespace and
# prevResult gone, GC), nothing left behind.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ECHO="$ROOT/tests/tools/udp_echo.py"
DATA=$(mktemp -d -p /var/lib/cni brm.XXXXXX)
BR=nrmasq0

DUAL='[[{"subnet":"10.77.0.0/16"}],[{"subnet":"fd77::/64"}]]'
# conf NAME [EXTRA-JSON] [RANGES]
conf() {
	jq -nc --arg n "$1" --arg b "${BRIDGE:-$BR}" --arg d "$DATA" --argjson x "${2:-{\}}" \
		--argjson r "${3:-$DUAL}" \
		'{cniVersion:"1.0.0", name:$n, type:"bridge", bridge:$b, isGateway:true, isDefaultGateway:true,
		  ipMasq:true, ipam:{type:"host-local", dataDir:$d, ranges:$r}} + $x'
}
br() { CNI_CONTAINERID=$2 cni bridge "$1" "${NETNS:-/run/netns/$2}" eth0 "$3"; }
leases() { nr_leases "$DATA/$1"; }
elems() {
	local j
	j=$(nft -j list set inet netns-run "$1" 2>/dev/null) || { echo 0; return; }
	jq '[.nftables[] | select(.set) | .set.elem // [] | .[]] | length' <<<"$j"
}
veths() { ip -o link show master "$1" 2>/dev/null | wc -l; }

# --- the outside world: a host 203.0.113.2 / 2001:db8:ff::2 behind this namespace --------
ip netns add outside
ip link add up0 type veth peer name eth0 netns outside
ip addr add 203.0.113.1/24 dev up0
ip addr add 2001:db8:ff::1/64 dev up0 nodad
ip link set up0 up
ip -n outside addr add 203.0.113.2/24 dev eth0
ip -n outside addr add 2001:db8:ff::2/64 dev eth0 nodad
ip -n outside link set eth0 up
ip -n outside link set lo up
sysctl -qw net.ipv6.conf.all.forwarding=1

C=$(conf masqnet)
ip netns add c1
out=$(br ADD c1 "$C"); rc=$?
t_eq "ADD with ipMasq exits 0" "$rc" 0
t_eq "c1 got 10.77.0.2 and fd77::2" "$(jq -r '[.ips[].address] | join(" ")' <<<"$out")" "10.77.0.2/16 fd77::2/64"

# The echo server answers with the source address it saw; "ready" once it is bound.
exec 3< <(ip netns exec outside python3 "$ECHO" serve 0.0.0.0 9999)
SRV4=$!
exec 4< <(ip netns exec outside python3 "$ECHO" serve :: 9998)
SRV6=$!
read -r -t 10 r3 <&3
read -r -t 10 r4 <&4
t_eq "the outside echo servers are up" "$r3 $r4" "ready ready"
seen=$(ip netns exec c1 python3 "$ECHO" ask 203.0.113.2 9999)
t_eq "outside sees IPv4 traffic from the host's 203.0.113.1 (masqueraded)" "$seen" "203.0.113.1"
seen=$(ip netns exec c1 python3 "$ECHO" ask 2001:db8:ff::2 9998)
t_eq "outside sees IPv6 traffic from the host's 2001:db8:ff::1 (masqueraded)" "$seen" "2001:db8:ff::1"
t_check "the element carries its attachment as a comment" sh -c \
	"nft list set inet netns-run ctr4 | grep -q 'comment \"masqnet c1 eth0\"'"
kill "$SRV4" "$SRV6" 2>/dev/null
exec 3<&- 4<&-

# --- DEL after the namespace is gone and without prevResult: found by its attachment -----
ip netns del c1
out=$(NETNS=/run/netns/c1 br DEL c1 "$C"); rc=$?
t_eq "DEL with the netns gone and no prevResult exits 0" "$rc" 0
t_eq "... and removes the IPv4 masquerade entry" "$(elems ctr4)" 0
t_eq "... and the IPv6 one" "$(elems ctr6)" 0
t_eq "... and the lease" "$(leases masqnet)" 0

# --- GC: stale attachments lose lease and masquerade, valid ones and other networks keep them
ip netns add g1; ip netns add g2; ip netns add o1
br ADD g1 "$C" >/dev/null && br ADD g2 "$C" >/dev/null
O=$(BRIDGE=nrmasq1 conf othernet '{}' '[[{"subnet":"10.78.0.0/16"}]]')
br ADD o1 "$O" >/dev/null
t_eq "three attachments masqueraded" "$(elems ctr4)" 3
GC=$(jq -c '.cniVersion="1.1.0" | ."cni.dev/valid-attachments"=[{containerID:"g1",ifname:"eth0"}]' <<<"$C")
out=$(CNI_COMMAND=GC CNI_PATH=$CNI_BIN "$CNI_BIN/bridge" <<<"$GC"); rc=$?
t_eq "GC exits 0" "$rc" 0
t_eq "GC keeps g1's and the other network's entries" \
	"$(nft list set inet netns-run ctr4 | grep -o 'comment "[^"]*"' | sort | tr '\n' ' ')" \
	'comment "masqnet g1 eth0" comment "othernet o1 eth0" '
t_eq "GC dropped g2's lease and kept g1's" "$(grep -l '^g2' "$DATA"/masqnet/* 2>/dev/null | wc -l) $(leases masqnet)" "0 2"
# libcni 1.1/1.2 spell the key cni.dev/attachments.
GC=$(jq -c '.cniVersion="1.1.0" | ."cni.dev/attachments"=[]' <<<"$C")
out=$(CNI_COMMAND=GC CNI_PATH=$CNI_BIN "$CNI_BIN/bridge" <<<"$GC"); rc=$?
t_eq "GC with the misspelt key and nothing valid exits 0" "$rc" 0
t_eq "... leaving only the other network's entry" "$(elems ctr4)" 1
br DEL o1 "$O" >/dev/null
for n in g1 g2 o1; do br DEL $n "$C" >/dev/null; ip netns del $n; done
ip link del nrmasq1

# --- 50 parallel ADDs, then 50 parallel DELs -------------------------------------------
BR=nrpar0
P=$(conf par '{}' '[[{"subnet":"10.79.0.0/24"}]]')
OUT=$(mktemp -d)
for i in $(seq 1 50); do ip netns add p$i; done
for i in $(seq 1 50); do (br ADD p$i "$P" >"$OUT/$i.json" 2>"$OUT/$i.err"; echo $? >"$OUT/$i.rc") & done
wait
t_eq "50 parallel ADDs all exit 0" "$(cat "$OUT"/*.rc | sort -u | tr -d '\n')" 0 ||
	for f in $(grep -l 1 "$OUT"/*.rc); do echo "# $(tr -d '\n' <"${f%.rc}.json")"; done
t_eq "50 distinct addresses" "$(jq -r '.ips[0].address' "$OUT"/*.json | sort -u | wc -l)" 50
t_eq "50 veths on the bridge" "$(veths $BR)" 50
t_eq "50 leases" "$(leases par)" 50
t_eq "50 masquerade entries" "$(elems ctr4)" 50
for i in $(seq 1 50); do
	(jq -c --slurpfile p "$OUT/$i.json" '.prevResult=$p[0]' <<<"$P" | {
		read -r c
		br DEL p$i "$c" >/dev/null 2>&1
		echo $? >"$OUT/$i.rc"
	}) &
done
wait
t_eq "50 parallel DELs all exit 0" "$(cat "$OUT"/*.rc | sort -u | tr -d '\n')" 0
t_eq "no veth left on the bridge" "$(veths $BR)" 0
t_eq "no lease left" "$(leases par)" 0
t_eq "no masquerade entry left" "$(elems ctr4) $(elems own4) $(elems ctr6) $(elems own6)" "0 0 0 0"
t_eq "rules stay four" "$(nft -j list table inet netns-run | jq '[.nftables[] | select(.rule)] | length')" 4
for i in $(seq 1 50); do ip netns del p$i; done
rm -rf "$OUT"
ip link del nrpar0
ip link del nrmasq0
t_done
