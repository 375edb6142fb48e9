#!/bin/bash
# Isolation between our networks (bridge fields isolate, icc, internal; core/nft_isolate):
# every blocked and every allowed path asserted both ways, published ports reachable across
# isolated networks, the rule count constant, and the table gone after the last bridge
# is forgotten.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"

DATA=$(mktemp -d -p /var/lib/cni iso.XXXXXX)
WORK=$(mktemp -d)
T=netns-run-isolation

# net NAME BRIDGE SUBNET [EXTRA]: a bridge network config.
net() {
	jq -nc --arg n "$1" --arg b "$2" --arg s "$3" --arg d "$DATA" --argjson x "${4:-{\}}" \
		'{cniVersion:"1.0.0", name:$n, type:"bridge", bridge:$b, isGateway:true, isDefaultGateway:true,
		  ipam:{type:"host-local", dataDir:$d, ranges:[[{subnet:$s}]]}} + $x'
}
N1=$(net n1 nriso1 198.51.100.0/27)                              # isolated (default)
N2=$(net n2 nriso2 198.51.100.32/27)                             # isolated (default)
N3=$(net n3 nriso3 198.51.100.64/27 '{"isolate":false}')
N4=$(net n4 nriso4 198.51.100.96/27 '{"isolate":false}')
N5=$(net n5 nriso5 198.51.100.128/27 '{"icc":false}')
N6=$(net n6 nriso6 198.51.100.160/27 '{"internal":true}')
# attach CONTAINER CONF: ADD, remember the address in IP_<container>.
attach() {
	local out
	ip netns add "$1"
	out=$(CNI_CONTAINERID=$1 cni bridge ADD "/run/netns/$1" eth0 "$2")
	printf -v "IP_$1" '%s' "$(jq -r '.ips[0].address' <<<"$out" | cut -d/ -f1)"
	printf -v "RES_$1" '%s' "$out"
}
attach a1 "$N1"; attach a2 "$N1"; attach b1 "$N2"; attach c1 "$N3"; attach f1 "$N4"
attach e1 "$N5"; attach e2 "$N5"; attach d1 "$N6"
t_check "eight containers on six networks have addresses" test -n "$IP_a1$IP_a2$IP_b1$IP_c1$IP_f1$IP_e1$IP_e2$IP_d1"
nft list table inet $T | sed 's/^/# /'
t_eq "icc:false isolates e1's bridge port" \
	"$(ip -d -j link show "$(jq -r '.interfaces[1].name' <<<"$RES_e1")" | jq -r '.[0].linkinfo.info_slave_data.isolated')" true
t_eq "six rules in the inet table" "$(nft -j list table inet $T | jq '[.nftables[] | select(.rule)] | length')" 6

# The outside: 192.0.2.2 behind the host's 192.0.2.1, routing our subnets through the host.
ip netns add out
ip link add h-out type veth peer name eth0 netns out
ip addr add 192.0.2.1/24 dev h-out; ip link set h-out up
ip -n out addr add 192.0.2.2/24 dev eth0; ip -n out link set eth0 up
ip -n out route add 198.51.100.0/24 via 192.0.2.1

reach() { ip netns exec "$1" ping -c1 -W1 -q "$2" >/dev/null 2>&1; }
allowed() { # FROM TO-NS TO-IP, both ways
	if reach "$1" "$3"; then t_ok "$1 reaches $2"; else t_fail "$1 reaches $2"; fi
	local back=IP_$1
	if reach "$2" "${!back:-192.0.2.2}"; then t_ok "$2 reaches $1"; else t_fail "$2 reaches $1"; fi
}
blocked() {
	if reach "$1" "$3"; then t_fail "$1 cannot reach $2"; else t_ok "$1 cannot reach $2"; fi
	local back=IP_$1
	if reach "$2" "${!back:-192.0.2.2}"; then t_fail "$2 cannot reach $1"; else t_ok "$2 cannot reach $1"; fi
}

allowed a1 a2 "$IP_a2"      # same network, icc on
blocked a1 b1 "$IP_b1"      # two isolated networks
blocked a1 c1 "$IP_c1"      # isolated and non-isolated
blocked c1 e1 "$IP_e1"      # non-isolated and isolated (icc:false net is isolated too)
allowed c1 f1 "$IP_f1"      # two non-isolated networks
blocked e1 e2 "$IP_e2"      # icc: false
allowed out a1 "$IP_a1"     # an isolated network still routes out and in
allowed out c1 "$IP_c1"
blocked out d1 "$IP_d1"     # internal: nothing in or out
t_check "e1 still reaches its gateway (icc:false separates containers, not the host)" reach e1 198.51.100.129
t_check "d1 reaches its gateway (internal blocks forwarding, not the host)" reach d1 198.51.100.161
blocked d1 c1 "$IP_c1"

# --- published ports cross isolation -----------------------------------------------------
cat >"$WORK/srv.py" <<'PY'
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", 80)); s.listen(8)
open(sys.argv[2], "w").write("x")
while True:
    c, _ = s.accept(); c.sendall((sys.argv[1] + "\n").encode()); c.close()
PY
ask() { ip netns exec "$1" timeout 5 python3 -c '
import socket, sys
try: print(socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2).recv(100).decode().strip())
except Exception as e: print("error:", e)' "$2" "$3"; }
PIDS=""
for c in b1 e1; do
	ip netns exec $c python3 "$WORK/srv.py" "tcp-$c" "$WORK/ready.$c" >/dev/null 2>&1 &
	PIDS="$PIDS $!"
	for _ in $(seq 250); do [ -e "$WORK/ready.$c" ] && break; sleep 0.02; done
done
pm() { # CONTAINER HOSTPORT: publish HOSTPORT -> 80 of CONTAINER
	local res=RES_$1
	CNI_CONTAINERID=$1 cni portmap ADD "/run/netns/$1" eth0 "$(jq -nc --argjson p "${!res}" --argjson hp "$2" \
		'{cniVersion:"1.0.0", name:"pm", type:"portmap", runtimeConfig:{portMappings:[{hostPort:$hp,
		  containerPort:80, protocol:"tcp"}]}, prevResult:$p}')"
}
t_check "publish b1:80 on host port 8081" pm b1 8081
t_check "publish e1:80 on host port 8085" pm e1 8085
t_eq "a1 (another isolated network) reaches b1 through the host port" "$(ask a1 192.0.2.1 8081)" "tcp-b1"
t_eq "... but not b1 directly" "$(ask a1 "$IP_b1" 80 | cut -c1-6)" "error:"
# As with Docker's icc=false (its -i br -o br DROP), the routed way round is closed too.
t_eq "e2 (icc:false) does not reach e1 directly" "$(ask e2 "$IP_e1" 80 | cut -c1-6)" "error:"
t_eq "... nor through the host port" "$(ask e2 192.0.2.1 8085 | cut -c1-6)" "error:"
t_eq "a1 (another network) reaches e1 through the host port" "$(ask a1 192.0.2.1 8085)" "tcp-e1"
t_eq "the outside reaches b1 through the host port" "$(ask out 192.0.2.1 8081)" "tcp-b1"

# --- config ------------------------------------------------------------------------------
out=$(CNI_CONTAINERID=x cni bridge ADD /run/netns/a1 eth9 "$(net n7 nriso7 198.51.100.192/27 '{"internal":true,"ipMasq":true}')")
t_eq "internal with ipMasq is code 7" "$(jq -r .code <<<"$out")" 7
t_eq "isolate:false network is not in the isolated set" \
	"$(nft list set inet $T isolated | grep -c nriso3)" 0
# Re-ADD with another setting: the sets follow the latest config.
ip netns add g1
CNI_CONTAINERID=g1 cni bridge ADD /run/netns/g1 eth0 "$(net n3 nriso3 198.51.100.64/27)" >/dev/null
t_eq "a later ADD with isolate on moves nriso3 into the isolated set" \
	"$(nft list set inet $T isolated | grep -c nriso3)" 1
blocked c1 f1 "$IP_f1"
t_eq "rule count is still six" "$(nft -j list table inet $T | jq '[.nftables[] | select(.rule)] | length')" 6

# --- forget: the runtime's network rm ------------------------------------------------------
DRV=$WORK/forget
cat >"$DRV.c" <<'C'
#include <stdio.h>
#include "nft/nft_isolate.h"
int main(int argc, char **argv)
{
	struct nr_error e = { 0 };
	for (int i = 1; i < argc; i++)
		if (nft_isolate_forget(argv[i], &e) < 0) { fprintf(stderr, "%s\n", e.msg); return 1; }
	return 0;
}
C
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
if cc -D_GNU_SOURCE -I"$ROOT/core" -I"$ROOT/plugins" -o "$DRV" "$DRV.c" "$NR_BUILD/libnetns-run-core.a" \
	$(pkg-config --libs libmnl libnftnl) 2>"$WORK/cc.log"; then
	t_check "forget nriso1" "$DRV" nriso1
	t_eq "... a1 now reaches b1" "$(reach a1 "$IP_b1" && echo yes)" yes
	t_check "forget the rest (and an unknown bridge)" "$DRV" nriso2 nriso3 nriso4 nriso5 nriso6 nriso9
	t_eq "no isolation table left" "$(nft list tables | grep -c 'netns-run-i')" 0
else
	t_skip "forget" "cannot build the driver: $(head -c 200 "$WORK/cc.log")"
fi

kill $PIDS 2>/dev/null
wait 2>/dev/null
for c in a1 a2 b1 c1 f1 e1 e2 d1 g1; do ip netns del $c; done
ip netns del out
rm -r "$WORK"
t_done
