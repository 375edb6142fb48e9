#!/bin/bash
# containerd's CNI path (issue 15): Debian's go-cni, loaded as containerd's CRI loads it
# (loopback, then the first conflist of a directory), calls Setup/Check/Remove against our
# plugin directory with the port mapping, IP range, DNS and (when the directory has the
# plugin) bandwidth capabilities, marshalled from go-cni's untagged structs ("HostPort",
# "RangeStart", "Servers", "IngressRate").  The container answers through the mapped
# port; Remove leaves nothing: links, leases, libcni's cache entry, port-mapping state.
# NR_GOCNI_PLUGINS=/usr/lib/cni runs the same against the reference plugins;
# NR_GOCNI_RANGES=0 leaves the ipRanges capability out (the range is then in the config):
# the reference host-local refuses go-cni's flat ipRanges array (docs/go-clients.md).
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/gocni.sh"

PLUGINS=${NR_GOCNI_PLUGINS:-$CNI_BIN}
if ! why=$(gocni_build); then
	t_skip "go-cni Setup/Remove against $PLUGINS" "$why"
	t_done
	exit 0
fi

WORK=$(mktemp -d -p /var/lib/cni gocni.XXXXXX)
BR=nrgc0 HOST4=192.0.2.1 OUT4=192.0.2.2 T=netns-run-portmap
PIDS=""
cleanup() { for p in $PIDS; do kill "$p" 2>/dev/null; done; }
trap cleanup EXIT
mkdir -p "$WORK/net.d" "$WORK/data"
BW=false RANGES=${NR_GOCNI_RANGES:-1}
[ -x "$PLUGINS/bandwidth" ] && BW=true
# bridge + host-local (ranges only from the ipRanges capability) + portmap [+ bandwidth];
# the bridge also declares dns, so the DNS capability reaches a plugin.
jq -n --arg b "$BR" --arg d "$WORK/data" --argjson bw $BW --argjson rg "$RANGES" '{cniVersion:"1.0.0",
	name:"k8s-pod-network", plugins:([{type:"bridge", bridge:$b, isGateway:true, isDefaultGateway:true,
		hairpinMode:true, capabilities:{ipRanges:true, dns:true}, ipam:({type:"host-local", dataDir:$d}
		+ (if $rg == 1 then {} else {ranges:[[{subnet:"198.51.100.0/24", rangeStart:"198.51.100.50",
			rangeEnd:"198.51.100.60"}]]} end))},
		{type:"portmap", capabilities:{portMappings:true}}]
		+ (if $bw then [{type:"bandwidth", capabilities:{bandwidth:true}}] else [] end))}' \
	>"$WORK/net.d/10-containerd-net.conflist"

gocni() { "$GOCNI" -plugins "$PLUGINS" -confdir "$WORK/net.d" "$@" 2>&1; }
CAPS=(-port 8080:80/tcp -port 8081:80/tcp -dns "192.0.2.53;svc.cluster.local,cluster.local;ndots:5")
[ "$RANGES" = 1 ] && CAPS+=(-range 198.51.100.0/24,198.51.100.50,198.51.100.60,198.51.100.1)
$BW && CAPS+=(-bw 1000000,2000000,3000000,4000000)
# What a mapping leaves: our table's elements, or the reference's iptables chains.
mapstate() {
	{ nft list table inet $T 2>/dev/null | grep -o 'comment "[^"]*"'
	  iptables-save -t nat 2>/dev/null | grep -E '^-A CNI-(HOSTPORT-DNAT|DN-)'; } | wc -l | tr -d ' '
}
veths() { ip -o link show type veth | grep -vc h-out; }
leases() { nr_leases "$WORK/data/k8s-pod-network"; }
cached() { find /var/lib/cni/results -type f 2>/dev/null | wc -l | tr -d ' '; }
# A TCP server in NETNS on port 80 answering NAME; waits until bound (bounded).
serve() {
	rm -f "$WORK/ready"
	ip netns exec "$1" python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", 80)); s.listen(8)
open(sys.argv[2], "w").write("x")
while True:
    c, _ = s.accept(); c.sendall((sys.argv[1] + "\n").encode()); c.close()' "$2" "$WORK/ready" >/dev/null 2>&1 &
	PIDS="$PIDS $!"
	for _ in $(seq 250); do [ -e "$WORK/ready" ] && return 0; sleep 0.02; done
	return 1
}
ask() { # NETNS HOST PORT: the answer, "error: ..." when none (three tries)
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
ip netns add pod
echo "# plugins: $PLUGINS (bandwidth: $BW, ipRanges: $RANGES)"

out=$(gocni "${CAPS[@]}" setup pod1 /run/netns/pod); rc=$?
t_eq "go-cni Setup with port mappings$([ "$RANGES" = 1 ] && echo ', IP ranges'), DNS$($BW && echo ', bandwidth') succeeds" "$rc" 0; [ "$rc" = 0 ] || printf '# %s\n' "$out"
ADDR=$(awk '$1 == "eth0" {print $2; exit}' <<<"$out")
t_eq "... eth0's address is in RangeStart-RangeEnd" "$(awk -F. '$4 >= 50 && $4 <= 60 {print "in"}' <<<"$ADDR")" in
t_eq "... lo is up in the pod" "$(ip -n pod -o link show lo | grep -c '[<,]UP[,>]')" 1
serve pod pod1 && t_ok "server in the pod is up" || t_fail "server in the pod is up"
t_eq "the pod answers through host port 8080" "$(ask out $HOST4 8080)" pod1
t_eq "... and 8081" "$(ask out $HOST4 8081)" pod1
t_check "the mappings are in the host's port-mapping state" test "$(mapstate)" -gt 0
if $BW; then
	HV=$(ip -o link show master $BR type veth | awk -F': ' '{print $2}' | cut -d@ -f1 | head -1)
	t_check "bandwidth: a qdisc shapes the host veth" sh -c "tc qdisc show dev '$HV' | grep -q tbf"
fi
# No Check: go-cni's loopback network is cniVersion 0.3.1, which has no CHECK, so libcni
# refuses go-cni's Check before any plugin runs (containerd never calls it).

out=$(gocni "${CAPS[@]}" remove pod1 /run/netns/pod); rc=$?
t_eq "go-cni Remove succeeds" "$rc" 0; [ "$rc" = 0 ] || printf '# %s\n' "$out"
t_eq "... no veth left on the host" "$(veths)" 0
t_eq "... the pod has no eth0" "$(ip -n pod -o link show eth0 2>/dev/null | wc -l | tr -d ' ')" 0
t_eq "... no lease left" "$(leases)" 0
t_eq "... no port-mapping state left" "$(mapstate)" 0
t_eq "... no cache entry left" "$(cached)" 0
t_eq "... 8080 no longer answers" "$(ask out $HOST4 8080 | cut -c1-6)" "error:"
$BW && t_eq "... no ifb device left" "$(ip -o link show type ifb | wc -l | tr -d ' ')" 0
out=$(gocni "${CAPS[@]}" remove pod1 /run/netns/pod); rc=$?
t_eq "go-cni Remove again succeeds" "$rc" 0; [ "$rc" = 0 ] || printf '# %s\n' "$out"

# The pod's netns gone first (a node reboot, a killed sandbox): Remove still clears the host.
ip netns add pod2
out=$(gocni "${CAPS[@]}" setup pod2 /run/netns/pod2); rc=$?
t_eq "Setup of a second pod" "$rc" 0; [ "$rc" = 0 ] || printf '# %s\n' "$out"
ip netns del pod2
out=$(gocni "${CAPS[@]}" remove pod2 /run/netns/pod2); rc=$?
t_eq "Remove after its netns is gone succeeds" "$rc" 0; [ "$rc" = 0 ] || printf '# %s\n' "$out"
t_eq "... no lease, port-mapping state or cache entry left" "$(leases)/$(mapstate)/$(cached)" 0/0/0

ip netns del pod; ip netns del out
t_done
