#!/bin/bash
# Go-cased arguments (issue 15): containerd's CRI sends capabilities through go-cni's
# untagged structs ("HostPort", "RangeStart"...), which the reference plugins accept as
# Go's JSON decoder matches keys case-insensitively; ours must too (docs/go-clients.md).
# And a DEL whose runtimeConfig or prevResult is garbage still removes everything: the
# veth, the lease, the port mapping, so that the chain's DEL goes on to the end.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"

DATA=$(mktemp -d -p /var/lib/cni gk.XXXXXX)
WORK=$(mktemp -d)
BR=nrgk0 T=netns-run-portmap HOST4=192.0.2.1 OUT4=192.0.2.2
PIDS=""
cleanup() { for p in $PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$WORK"; }
trap cleanup EXIT

# The bridge's own fields Go-cased too ("IsGateway", "HairpinMode"): the reference decodes
# them through a Go struct.  No ranges in ipam: they come from the ipRanges capability.
BRCONF=$(jq -nc --arg b "$BR" --arg d "$DATA" '{cniVersion:"1.0.0", name:"gknet", type:"bridge", Bridge:$b,
	IsGateway:true, isdefaultgateway:true, HairpinMode:true, capabilities:{ipRanges:true},
	ipam:{type:"host-local", DataDir:$d}}')
RANGES='[[{"Subnet":"198.51.100.0/24","RangeStart":"198.51.100.50","RangeEnd":"198.51.100.60","Gateway":"198.51.100.1"}]]'
# brconf RUNTIMECONFIG: the bridge config with a runtimeConfig.
brconf() { jq -c --argjson r "$1" '. + {runtimeConfig:$r}' <<<"$BRCONF"; }
# pmconf PREV RUNTIMECONFIG
pmconf() {
	jq -nc --argjson p "$1" --argjson r "$2" '{cniVersion:"1.0.0", name:"gknet", type:"portmap",
		capabilities:{portMappings:true}, runtimeConfig:$r, prevResult:$p}'
}
br() { CNI_CONTAINERID=$2 cni bridge "$1" "/run/netns/$2" eth0 "$3"; }
pm() { CNI_CONTAINERID=$2 cni portmap "$1" "/run/netns/$2" eth0 "$3"; }
elems() { nft list table inet $T 2>/dev/null | grep -o 'comment "[^"]*"' | wc -l | tr -d ' '; }
links() { ip -o link show type veth | grep -vc 'h-out' ; }

# A TCP server in NETNS on port 80 that answers NAME; waits until bound (bounded).
serve() {
	rm -f "$WORK/ready.$2"
	ip netns exec "$1" python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", 80)); s.listen(8)
open(sys.argv[2], "w").write("x")
while True:
    c, _ = s.accept(); c.sendall((sys.argv[1] + "\n").encode()); c.close()' "$2" "$WORK/ready.$2" >/dev/null 2>&1 &
	PIDS="$PIDS $!"
	for _ in $(seq 250); do [ -e "$WORK/ready.$2" ] && return 0; sleep 0.02; done
	return 1
}
# ask NETNS HOST PORT: the answer, "error: ..." when none (three tries, 2 s each).
ask() {
	local out
	for _ in 1 2 3; do
		out=$(ip netns exec "$1" timeout 5 python3 -c '
import socket, sys
try:
    s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2); print(s.recv(100).decode().strip())
except Exception as e:
    print("error:", e)' "$2" "$3")
		case $out in error:* | "") continue ;; esac
		break
	done
	echo "$out"
}

ip netns add out
ip link add h-out type veth peer name eth0 netns out
ip addr add $HOST4/24 dev h-out && ip link set h-out up
ip -n out addr add $OUT4/24 dev eth0 && ip -n out link set eth0 up
ip netns add a

# --- ADD: ipRanges and portMappings as containerd sends them --------------------------------
outa=$(br ADD a "$(brconf "{\"ipRanges\":$RANGES}")"); rc=$?
t_eq "bridge ADD with Go-cased ipRanges (Subnet, RangeStart, RangeEnd, Gateway) exits 0" "$rc" 0 || echo "# $outa"
A4=$(jq -r '.ips[0].address // empty' <<<"$outa" 2>/dev/null)
t_eq "... the address is inside RangeStart-RangeEnd" "$(cut -d/ -f1 <<<"$A4" | cut -d. -f4 | awk '$1>=50 && $1<=60 {print "in"}')" in
t_eq "... with the range's Gateway" "$(jq -r '.ips[0].gateway // empty' <<<"$outa" 2>/dev/null)" 198.51.100.1
t_eq "... from a Go-cased ipam DataDir" "$(nr_leases "$DATA/gknet")" 1
t_eq "Go-cased IsGateway: the bridge has the gateway address" \
	"$(ip -o -4 addr show dev $BR 2>/dev/null | grep -c '198.51.100.1/24')" 1
serve a ctr-a && t_ok "server in a is up" || t_fail "server in a is up"

MAPS='[{"HostPort":8080,"ContainerPort":80,"Protocol":"tcp","HostIP":""}]'
PA=$(pmconf "$outa" "{\"portMappings\":$MAPS}")
out=$(pm ADD a "$PA"); rc=$?
t_eq "portmap ADD with containerd's HostPort/ContainerPort/Protocol/HostIP exits 0" "$rc" 0; [ "$rc" = 0 ] || printf "# %s\n" "$out"
t_eq "... a reaches the container through host port 8080" "$(ask out $HOST4 8080)" ctr-a
t_check "... and CHECK with the same arguments passes" pm CHECK a "$PA"
# Mixed and folded spellings of the same mapping as Go reads them (lower case, long s).
PX=$(pmconf "$outa" '{"PortMappings":[{"hostport":9090,"CONTAINERPORT":80,"protocol":"TCP","hoſtIP":""}]}')
out=$(pm ADD a "$PX"); rc=$?
t_eq "portmap ADD with hostport/CONTAINERPORT/hoſtIP (U+017F) and PortMappings exits 0" "$rc" 0; [ "$rc" = 0 ] || printf "# %s\n" "$out"
t_eq "... 9090 answers too" "$(ask out $HOST4 9090)" ctr-a

# --- DEL with garbage arguments still removes everything -----------------------------------
n=$(elems)
t_check "the mappings are in our table" test "$n" -gt 0
out=$(pm DEL a "$(pmconf "$outa" '{"portMappings":[{"HostPort":"garbage"}]}')"); rc=$?
t_eq "portmap DEL with a malformed portMappings entry exits 0" "$rc" 0; [ "$rc" = 0 ] || printf "# %s\n" "$out"
t_eq "... and removed a's elements (by owner)" "$(elems)" 0
t_eq "... 8080 no longer answers" "$(ask out $HOST4 8080 | cut -c1-6)" "error:"
pm ADD a "$PA" >/dev/null
GARB=$(jq -nc --argjson p "$outa" '{cniVersion:"1.0.0", name:"gknet", type:"portmap", runtimeConfig:"garbage", prevResult:{ips:"garbage"}}')
out=$(pm DEL a "$GARB"); rc=$?
t_eq "portmap DEL with runtimeConfig and prevResult of the wrong types exits 0" "$rc" 0; [ "$rc" = 0 ] || printf "# %s\n" "$out"
t_eq "... and removed the elements" "$(elems)" 0
out=$(br DEL a "$(brconf '{"ipRanges":"garbage","mac":"not-a-mac","portMappings":[{"x":1}]}')"); rc=$?
t_eq "bridge DEL with garbage ipRanges and mac exits 0" "$rc" 0; [ "$rc" = 0 ] || printf "# %s\n" "$out"
t_eq "... the lease is gone" "$(nr_leases "$DATA/gknet")" 0
t_eq "... the container's eth0 is gone" "$(ip -n a -o link show eth0 2>/dev/null | wc -l)" 0
t_eq "... no veth is left on the host" "$(links)" 0
out=$(br DEL a "$(jq -c '. + {runtimeConfig:"garbage", args:7, prevResult:[1]}' <<<"$BRCONF")"); rc=$?
t_eq "bridge DEL again, runtimeConfig/args/prevResult of the wrong types: exits 0" "$rc" 0; [ "$rc" = 0 ] || printf "# %s\n" "$out"

# --- but a real failure to remove is still one ----------------------------------------------
BAD=$(jq -c '.ipam.DataDir = "/proc/version/x"' <<<"$BRCONF")
out=$(CNI_CONTAINERID=a cni host-local DEL /run/netns/a eth0 "$BAD"); rc=$?
t_eq "host-local DEL whose store cannot be opened still fails" "$rc" 1
# And ADD stays strict: garbage there is an error with nothing made.
out=$(br ADD a "$(brconf '{"ipRanges":[[{"Subnet":7}]]}')"); rc=$?
t_eq "bridge ADD with a wrongly typed Subnet fails" "$rc/$(jq -r .code <<<"$out")" 1/6
t_eq "... leaving no lease" "$(nr_leases "$DATA/gknet")" 0

ip netns del a; ip netns del out
t_done
