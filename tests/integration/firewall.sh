#!/bin/bash
# The firewall plugin chained after our bridge, in a sandbox whose forward policy drops
# (an nftables table of the "host's" with a dropping forward chain, and iptables-nft's
# FORWARD policy DROP): a container reaches an outside namespace only once the firewall
# plugin let it through, replies come back, a new connection from outside does not get
# in (as with the reference); DEL, GC and CHECK; ingressPolicy same-bridge isolates two
# bridges; the rule count stays constant; the reference plugin, in the same sandbox,
# does the same against iptables' FORWARD (and not against a dropping nftables table);
# bad input changes nothing; crash points (ADD and DEL SIGKILLed at each netlink message,
# file operation and lock, then one DEL leaves nothing); churn and parallel ADDs.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"

DATA=$(mktemp -d -p /var/lib/cni fw.XXXXXX)
T=netns-run-firewall
REF=/usr/lib/cni/firewall
OUT4=192.0.2.2 HOST4=192.0.2.1

netconf() { # NAME BRIDGE SUBNET: a bridge network without masquerade
	jq -nc --arg n "$1" --arg b "$2" --arg s "$3" --arg d "$DATA" '{cniVersion:"1.0.0", name:$n, type:"bridge",
		bridge:$b, isGateway:true, isDefaultGateway:true, ipam:{type:"host-local", dataDir:$d, ranges:[[{subnet:$s}]]}}'
}
NETA=$(netconf fwa nrfw0 198.51.100.0/24)
NETB=$(netconf fwb nrfw1 203.0.113.0/24)
fwconf() { # PREV [EXTRA]
	jq -nc --argjson p "$1" --argjson x "${2:-{\}}" '{cniVersion:"1.0.0", name:"fwa", type:"firewall", prevResult:$p} + $x'
}
fw() { CNI_CONTAINERID=$2 cni firewall "$1" "/run/netns/$2" eth0 "$3"; }
ref() { CNI_CONTAINERID=$2 CNI_COMMAND=$1 CNI_NETNS=/run/netns/$2 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni $REF <<<"$3"; }
br() { CNI_CONTAINERID=$2 cni bridge "$1" "/run/netns/$2" eth0 "$3"; }
code() { jq -r '.code // "none"' <<<"$1"; }
rules() { nft -j list table inet $T 2>/dev/null | jq '[.nftables[] | select(.rule)] | length'; }
elems() { nft list table inet $T 2>/dev/null | grep -o 'comment "[^"]*"' | wc -l | tr -d ' '; }
# reach NETNS DST: one ping answered within two seconds (three tries for a first ARP)
reach() { ip netns exec "$1" ping -c1 -W2 -q "$2" >/dev/null 2>&1 || ip netns exec "$1" ping -c1 -W2 -q "$2" >/dev/null 2>&1; }
no_reach() { ! ip netns exec "$1" ping -c1 -W1 -q "$2" >/dev/null 2>&1; }
ipof() { jq -r '.ips[0].address | split("/")[0]' <<<"$1"; }

# --- the "host": an outside namespace, and a forward policy that drops ------------------------
ip netns add out
ip link add h-out type veth peer name eth0 netns out
ip addr add $HOST4/24 dev h-out; ip link set h-out up
ip -n out addr add $OUT4/24 dev eth0; ip -n out link set eth0 up
ip -n out route add default via $HOST4
nft -f - <<'NFT'
table inet hostfw {
	chain forward {
		type filter hook forward priority 0; policy drop;
	}
}
NFT
HAVE_IPT=0
if command -v iptables >/dev/null && iptables -P FORWARD DROP 2>/dev/null; then HAVE_IPT=1; fi

ip netns add a; ip netns add b; ip netns add c
outa=$(br ADD a "$NETA"); outb=$(br ADD b "$NETA"); outc=$(br ADD c "$NETB")
A=$(ipof "$outa") B=$(ipof "$outb") C=$(ipof "$outc")
t_check "bridge ADD a, b (network fwa) and c (fwb)" test -n "$A" -a -n "$B" -a -n "$C"
t_check "without the firewall plugin a cannot reach outside" no_reach a $OUT4

# --- ADD --------------------------------------------------------------------------------------
FA=$(fwconf "$outa")
out=$(fw ADD a "$FA"); rc=$?
t_eq "firewall ADD a exits 0" "$rc" 0 || echo "# $out"
t_eq "ADD passes prevResult through" "$(jq -cS . <<<"$out")" "$(jq -cS '. + {dns:(.dns // {})}' <<<"$outa")"
nft list table inet $T | sed 's/^/# /'
t_eq "seven rules in our chain" "$(rules)" 7
t_check "our rule heads the host's dropping chain" sh -c "nft list chain inet hostfw forward | grep -q 'comment \"netns-run-firewall\"'"
[ $HAVE_IPT = 1 ] && t_check "... and iptables' FORWARD, readable by iptables" sh -c "iptables -S FORWARD | grep -q -- '--mark 0x200000/0x200000.*netns-run-firewall.*ACCEPT'"
t_check "a reaches outside" reach a $OUT4
t_check "a new connection from outside does not reach a (as the reference)" no_reach out "$A"
t_check "b (not let through) still cannot reach outside" no_reach b $OUT4
out=$(fw ADD a "$FA"); rc=$?
t_eq "ADD a again (re-apply) succeeds" "$rc" 0
fw ADD b "$(fwconf "$outb")" >/dev/null
t_check "b reaches outside after its ADD" reach b $OUT4
t_eq "rule count unchanged with a second container" "$(rules)" 7
t_eq "two elements" "$(elems)" 2

# --- CHECK ------------------------------------------------------------------------------------
t_check "CHECK a" fw CHECK a "$FA"
nft delete element inet $T ctr4 "{ $A }"
out=$(fw CHECK a "$FA"); rc=$?
t_eq "CHECK a fails once its element is gone" "$rc" 1
t_check "... naming the address" grep -q "$A of a/eth0 is not in set ctr4" <<<"$out"
t_check "... and a cannot reach outside" no_reach a $OUT4
fw ADD a "$FA" >/dev/null
nft delete rule inet hostfw forward handle "$(nft -a list chain inet hostfw forward | sed -n 's/.*netns-run-firewall.*handle \([0-9]*\)/\1/p')"
out=$(fw CHECK a "$FA"); rc=$?
t_eq "CHECK fails when our rule in the host's chain is gone" "$rc" 1
t_check "... naming the chain" grep -q "chain forward of table hostfw" <<<"$out"
nft flush ruleset
nft -f - <<'NFT'
table inet hostfw {
	chain forward {
		type filter hook forward priority 0; policy drop;
	}
}
NFT
[ $HAVE_IPT = 1 ] && iptables -P FORWARD DROP
t_check "after nft flush ruleset a cannot reach outside" no_reach a $OUT4
out=$(fw ADD a "$FA"); rc=$?
t_eq "ADD a re-applies the table and the rules" "$rc" 0
fw ADD b "$(fwconf "$outb")" >/dev/null
t_check "... a reaches outside again" reach a $OUT4
t_check "CHECK a passes again" fw CHECK a "$FA"
nft flush chain inet $T forward
out=$(fw CHECK a "$FA"); rc=$?
t_eq "CHECK fails when our chain was flushed by hand" "$rc" 1
out=$(fw ADD a "$FA"); rc=$?
t_eq "ADD a re-applies the rules (the elements were kept)" "$rc/$(rules)" "0/7"

# --- DEL --------------------------------------------------------------------------------------
out=$(fw DEL b "$(jq -nc '{cniVersion:"1.0.0", name:"fwa", type:"firewall"}')"); rc=$?
t_eq "DEL b without prevResult exits 0" "$rc" 0
t_eq "... removing b's element only" "$(elems)" 1
t_check "... b cannot reach outside" no_reach b $OUT4
t_check "... a still can" reach a $OUT4
t_check "DEL b again succeeds" fw DEL b "$(fwconf "$outb")"
t_check "DEL a (with prevResult)" fw DEL a "$FA"
t_eq "after the last DEL our table is gone" "$(nft list tables | grep -c "$T")" 0
t_eq "... and our rule in the host's chain" "$(nft list ruleset | grep -c netns-run-firewall)" 0
t_check "DEL a again (no table) succeeds" fw DEL a "$FA"
t_check "DEL with no netns and no prevResult succeeds" env CNI_CONTAINERID=zz CNI_COMMAND=DEL CNI_IFNAME=eth0 \
	CNI_PATH=$CNI_BIN "$CNI_BIN/firewall" <<<'{"cniVersion":"1.0.0","name":"fwa","type":"firewall"}'

# --- GC ---------------------------------------------------------------------------------------
F11() { jq -c '.cniVersion="1.1.0" | .prevResult.cniVersion="1.1.0"' <<<"$1"; }
fw ADD a "$(F11 "$FA")" >/dev/null; fw ADD b "$(F11 "$(fwconf "$outb")")" >/dev/null
G=$(jq -nc '{cniVersion:"1.1.0", name:"fwa", type:"firewall", "cni.dev/valid-attachments":[{containerID:"a", ifname:"eth0"}]}')
t_check "GC keeping a" fw GC a "$G"
t_eq "... removed b's element" "$(nft list table inet $T | grep -c 'comment "b/eth0"')" 0
t_check "... kept a's" reach a $OUT4
t_check "... b is cut off" no_reach b $OUT4
G=$(jq -nc '{cniVersion:"1.1.0", name:"fwa", type:"firewall", "cni.dev/valid-attachments":[]}')
t_check "GC with no valid attachment" fw GC a "$G"
t_eq "... leaves no table and no rule of ours" "$(nft list ruleset | grep -c netns-run-firewall)" 0

# --- a port published by portmap (bridge, portmap, firewall: podman's chain) ---------------------
ip netns exec a python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", 80)); s.listen(8)
open(sys.argv[1], "w").write("x")
while True:
    c, _ = s.accept(); c.sendall(b"hello\n"); c.close()' "$DATA/ready" &
SRV=$!
for _ in $(seq 250); do [ -e "$DATA/ready" ] && break; sleep 0.02; done
ask() { ip netns exec out timeout 5 python3 -c '
import socket
try: print(socket.create_connection(("'$HOST4'", 8080), timeout=2).recv(10).decode().strip())
except Exception as e: print("error")'; }
PM=$(jq -nc --argjson p "$outa" '{cniVersion:"1.0.0", name:"fwa", type:"portmap", capabilities:{portMappings:true},
	runtimeConfig:{portMappings:[{hostPort:8080, containerPort:80, protocol:"tcp"}]}, prevResult:$p}')
CNI_CONTAINERID=a cni portmap ADD /run/netns/a eth0 "$PM" >/dev/null
t_check "a published port is dropped by the host's policy without the firewall plugin" test "$(ask)" != hello
fw ADD a "$FA" >/dev/null
t_eq "... and reaches the container with it (ct status dnat)" "$(ask)" hello
fw DEL a "$FA" >/dev/null
CNI_CONTAINERID=a cni portmap DEL /run/netns/a eth0 "$PM" >/dev/null
kill $SRV 2>/dev/null; wait $SRV 2>/dev/null

# --- ingressPolicy same-bridge ------------------------------------------------------------------
FC=$(jq -c '.name="fwb"' <<<"$(fwconf "$outc")")
fw ADD a "$FA" >/dev/null; fw ADD c "$FC" >/dev/null
t_check "open: a reaches c on the other bridge" reach a "$C"
SB='{"ingressPolicy":"same-bridge"}'
out=$(fw ADD a "$(fwconf "$outa" "$SB")"); rc=$?
t_eq "ADD a with same-bridge" "$rc" 0 || echo "# $out"
fw ADD c "$(jq -c '.name="fwb"' <<<"$(fwconf "$outc" "$SB")")" >/dev/null
t_check "same-bridge: a cannot reach c on the other isolated bridge" no_reach a "$C"
t_check "... nor c a" no_reach c "$A"
fw ADD b "$(fwconf "$outb" "$SB")" >/dev/null
t_check "... a still reaches b on its own bridge" reach a "$B"
t_check "... and outside" reach a $OUT4
t_eq "... with the same seven rules" "$(rules)" 7
t_check "CHECK with same-bridge" fw CHECK a "$(fwconf "$outa" "$SB")"
for x in a b c; do fw DEL $x '{"cniVersion":"1.0.0","name":"fwa","type":"firewall"}' >/dev/null; done
t_eq "DEL of every container leaves nothing" "$(nft list ruleset | grep -c netns-run-firewall)" 0

# --- configuration and bad input: an error, nothing changed -------------------------------------
fw ADD a "$FA" >/dev/null
before=$(nft list ruleset)
bad() { # WHAT CODE CONFIG [CMD]
	local out
	out=$(fw "${4:-ADD}" a "$3")
	t_eq "$1: code $2" "$(code "$out")" "$2"
	t_eq "... nothing changed" "$(nft list ruleset)" "$before"
}
bad "ADD without prevResult" 7 "$(jq -c 'del(.prevResult)' <<<"$FA")"
bad "CHECK without prevResult" 7 "$(jq -c 'del(.prevResult)' <<<"$FA")" CHECK
bad "an unknown ingressPolicy" 7 "$(fwconf "$outa" '{"ingressPolicy":"closed"}')"
bad "same-bridge without interfaces" 7 "$(fwconf "$(jq -c 'del(.interfaces) | .ips[0] |= del(.interface)' <<<"$outa")" "$SB")"
bad "backend not a string" 6 "$(fwconf "$outa" '{"backend":5}')"
bad "ingressPolicy not a string" 6 "$(fwconf "$outa" '{"ingressPolicy":true}')"
bad "not JSON" 6 "{"
bad "a bad prevResult address" 6 "$(fwconf '{"cniVersion":"1.0.0","ips":[{"address":"300.1.2.3/24"}]}')"
bad "cniVersion 0.2.0" 1 "$(jq -c '.cniVersion="0.2.0"' <<<"$FA")"
bad "GC before 1.1.0" 1 "$(jq -nc '{cniVersion:"1.0.0", name:"fwa", type:"firewall"}')" GC
out=$(fw ADD a "$(fwconf "$outa" '{"backend":"firewalld","iptablesAdminChainName":"X","firewalldZone":"trusted","ingressPolicy":"open","frob":1}')"); rc=$?
t_eq "the reference's fields (and unknown ones, as Go ignores them) are accepted" "$rc" 0
for v in 0.3.0 0.3.1 0.4.0 1.0.0 1.1.0; do
	out=$(fw ADD a "$(jq -c --arg v $v '.cniVersion=$v | .prevResult.cniVersion=$v' <<<"$FA")"); rc=$?
	t_eq "ADD in cniVersion $v" "$rc/$(jq -r .cniVersion <<<"$out")" "0/$v"
done
t_check "STATUS" fw STATUS a "$(F11 "$FA")"
fw DEL a "$FA" >/dev/null

# --- the reference plugin, same sandbox ------------------------------------------------------------
if [ $HAVE_IPT = 1 ] && [ -x $REF ]; then
	nft delete table inet hostfw
	t_check "with only iptables' FORWARD dropping, a cannot reach outside" no_reach a $OUT4
	ours=$(fw ADD a "$FA"); fw DEL a "$FA" >/dev/null
	rout=$(ref ADD a "$FA"); rc=$?
	t_eq "reference ADD a" "$rc" 0
	t_check "reference: a reaches outside" reach a $OUT4
	t_check "reference: a new connection from outside does not reach a" no_reach out "$A"
	t_eq "ours and the reference's ADD print the same result" "$ours" "$rout"
	fw ADD b "$(fwconf "$outb")" >/dev/null
	t_check "ours beside the reference: b reaches outside" reach b $OUT4
	ref DEL a "$FA" >/dev/null
	t_check "reference DEL: a is cut off" no_reach a $OUT4
	fw DEL b "$(fwconf "$outb")" >/dev/null
	nft -f - <<'NFT'
table inet hostfw {
	chain forward {
		type filter hook forward priority 0; policy drop;
	}
}
NFT
	ref ADD a "$FA" >/dev/null
	t_check "reference against a dropping nftables table: a cannot reach outside (ours can)" no_reach a $OUT4
	ref DEL a "$FA" >/dev/null
	iptables -F FORWARD; iptables -X CNI-FORWARD 2>/dev/null; iptables -X CNI-ADMIN 2>/dev/null
else
	t_skip "reference comparison" "iptables or $REF missing"
fi

# --- crash points, churn and parallel ADDs (no traffic: fake prevResults) -------------------------
fake() { # N: a prevResult for container N
	jq -nc --arg a "10.$(($1 / 250)).$(($1 % 250)).2/16" --arg b "2001:db8:f::$1/64" '{cniVersion:"1.0.0", name:"fwa",
		type:"firewall", prevResult:{cniVersion:"1.0.0", interfaces:[{name:"nrfw0"},{name:"eth0",sandbox:"/x"}],
		ips:[{address:$a, interface:1},{address:$b, interface:1}]}}'
}

# Crash points: ADD or DEL SIGKILLed at each syscall of a kind, then one DEL converges.
# strace's fault injection counts the calls (-e inject=SYSCALL:signal=KILL:when=N), so each
# point is hit exactly; the next N is the next point, until a run completes.  After each kill
# one DEL must leave no element, rule or table of ours, and a following ADD must work.
points=0 bad_points=""
declare -A phase_points
for phase in ADD DEL; do
	for sc in sendto recvfrom recvmsg openat flock mkdir write; do
		for n in $(seq 1 40); do
			if [ $phase = DEL ] && ! CNI_CONTAINERID=k1 cni firewall ADD /nonexistent eth0 "$(fake 1)" >/dev/null; then
				bad_points+=" $phase:$sc#$n(ADD before the kill failed)"; break
			fi
			# strace dies of the tracee's SIGKILL: a subshell that waits for it (and then exits with
			# its status) sends bash's "Killed" report to /dev/null with the rest.
			(CNI_COMMAND=$phase CNI_CONTAINERID=k1 CNI_NETNS=/nonexistent CNI_IFNAME=eth0 CNI_PATH=$CNI_BIN \
				strace -f -qq -o /dev/null -e inject="$sc:signal=KILL:when=$n" "$CNI_BIN/firewall" \
				<<<"$(fake 1)" >/dev/null 2>&1; exit $?) 2>/dev/null
			rc=$?
			CNI_CONTAINERID=k1 cni firewall DEL /nonexistent eth0 "$(fake 1)" >/dev/null ||
				bad_points+=" $phase:$sc#$n(DEL failed)"
			left=$(nft list ruleset 2>/dev/null | grep -c netns-run-firewall)
			[ "$left" = 0 ] || { bad_points+=" $phase:$sc#$n($left lines left)"; nft delete table inet $T 2>/dev/null; }
			CNI_CONTAINERID=k1 cni firewall ADD /nonexistent eth0 "$(fake 1)" >/dev/null &&
				[ "$(rules)/$(elems)" = 7/2 ] || bad_points+=" $phase:$sc#$n(the next ADD: $(rules)/$(elems))"
			CNI_CONTAINERID=k1 cni firewall DEL /nonexistent eth0 "$(fake 1)" >/dev/null
			[ $rc = 137 ] || break
			points=$((points + 1)) phase_points[$phase]=$((${phase_points[$phase]:-0} + 1))
		done
	done
done
echo "# crash points: ${phase_points[ADD]:-0} in ADD, ${phase_points[DEL]:-0} in DEL"
t_eq "SIGKILL at $points points of ADD and DEL: each time one DEL leaves nothing, the next ADD works" \
	"${bad_points:-none}" none
t_check "at least 40 points were hit" test "$points" -ge 40
# Churn and parallel ADDs.
fails=0
for i in $(seq 1 100); do
	CNI_CONTAINERID=k$i cni firewall ADD /nonexistent eth0 "$(fake $i)" >/dev/null || fails=$((fails + 1))
	CNI_CONTAINERID=k$i cni firewall DEL /nonexistent eth0 "$(fake $i)" >/dev/null || fails=$((fails + 1))
done
t_eq "100 ADD/DEL cycles succeed" "$fails" 0
t_eq "... and leave nothing" "$(nft list ruleset | grep -c netns-run-firewall)" 0
for i in $(seq 1 20); do
	(CNI_CONTAINERID=p$i cni firewall ADD /nonexistent eth0 "$(fake $i)" >/dev/null || echo fail >>"$DATA/par") &
done
wait
t_eq "20 parallel ADDs succeed" "$(cat "$DATA/par" 2>/dev/null | wc -l)" 0
t_eq "... 40 elements" "$(elems)" 40
t_eq "... seven rules" "$(rules)" 7
for i in $(seq 1 20); do
	(CNI_CONTAINERID=p$i cni firewall DEL /nonexistent eth0 '{"cniVersion":"1.0.0","name":"fwa","type":"firewall"}' >/dev/null || echo fail >>"$DATA/par") &
done
wait
t_eq "20 parallel DELs succeed" "$(cat "$DATA/par" 2>/dev/null | wc -l)" 0
t_eq "... and leave nothing" "$(nft list ruleset | grep -c netns-run-firewall)" 0

for x in a b c; do br DEL $x "$([ $x = c ] && echo "$NETB" || echo "$NETA")" >/dev/null; done
ip netns del a; ip netns del b; ip netns del c; ip netns del out
t_done
