#!/bin/bash
# Issue 14, item 1 (the CVE-2020-8558 class): a container must not reach the host's
# 127.0.0.1-only services.  Publishing a port on every address (which includes the host's
# 127.0.0.1) needs route_localnet=1 on the bridge; with it, a container with NET_RAW could
# hand-build a frame to 127.0.0.1 addressed to the gateway's MAC and the host would
# deliver it.  Here the attack is made for real (tests/tools/raw_frame.py, an AF_PACKET
# socket in the container) against a UDP service bound to 127.0.0.1 in the sandbox's
# "host" namespace, with a control frame to the gateway address that must arrive.
# Also: localhost publishing still works, route_localnet is 0 again once the last
# mapping that needed it is gone, a mapping that does not need it leaves it 0, DEL and GC
# leave nothing, and `netns-run network reload` puts the guard back after
# `nft flush ruleset`.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RAW="$ROOT/tests/tools/raw_frame.py"
DATA=$(mktemp -d -p /var/lib/cni ln.XXXXXX)
WORK=$(mktemp -d)
BR=nrln0 GW=198.51.100.1 SVC=7777
LT=netns-run-localnet

BRCONF=$(jq -nc --arg b "$BR" --arg d "$DATA" '{cniVersion:"1.0.0", name:"lnnet", type:"bridge", bridge:$b,
	isGateway:true, ipam:{type:"host-local", dataDir:$d, ranges:[[{"subnet":"198.51.100.0/24"}]]}}')
pmconf() {
	jq -nc --argjson p "$1" --argjson m "$2" '{cniVersion:"1.0.0", name:"lnnet", type:"portmap",
		capabilities:{portMappings:true}, runtimeConfig:{portMappings:$m}, prevResult:$p}'
}
pm() { CNI_CONTAINERID=$2 cni portmap "$1" "/run/netns/$2" eth0 "$3"; }
br() { CNI_CONTAINERID=$2 cni bridge "$1" "/run/netns/$2" eth0 "$3"; }
rl() { cat "/proc/sys/net/ipv4/conf/$1/route_localnet" 2>/dev/null || echo gone; }
has_table() { nft list table inet $LT >/dev/null 2>&1; }
dropped() { nft list chain inet $LT input 2>/dev/null | grep -o 'packets [0-9]*' | awk '{s += $2} END {print s + 0}'; }
mac_of() { ip -j link show "$1" | jq -r '.[0].address'; }

PIDS=""
trap 'kill $PIDS 2>/dev/null' EXIT
# listen: the host's UDP service on 127.0.0.1:$SVC and a control listener on the gateway
# address ($GW:$SVC), one process logging both to $WORK/got.log in the kernel's order of
# delivery (tests/tools/raw_frame.py); waits until both are bound.
listen() {
	: >"$WORK/got.log"
	python3 "$RAW" listen "$WORK/got.log" 127.0.0.1 $SVC "$GW" $SVC >"$WORK/listen.out" 2>&1 &
	PIDS="$PIDS $!"
	for _ in $(seq 250); do grep -q ready "$WORK/listen.out" && return 0; sleep 0.02; done
	return 1
}
# control_arrives TAG: wait (bounded) for the control frame TAG in the log.
control_arrives() {
	for _ in $(seq 150); do grep -q "^$1 from" "$WORK/got.log" && return 0; sleep 0.02; done
	return 1
}
# attack NETNS|exec:CTR SRC_IP TAG: the raw frame to 127.0.0.1:$SVC, then the control frame
# to the gateway address ($GW:$SVC), both to the gateway's MAC.  Prints what the
# loopback-only service got from it.
attack() {
	local where=$1 src=$2 tag=$3 mac
	mac=$(mac_of "$BR")
	if [ "${where#exec:}" != "$where" ]; then
		"$NR" exec "${where#exec:}" python3 /w/raw_frame.py send eth0 "$mac" "$src" 127.0.0.1 $SVC "pwn-$tag" $GW $SVC "$tag"
	else
		ip netns exec "$where" python3 "$RAW" send eth0 "$mac" "$src" 127.0.0.1 $SVC "pwn-$tag" $GW $SVC "$tag"
	fi
	control_arrives "$tag" || echo "control frame $tag never arrived"
	grep "pwn-$tag" "$WORK/got.log"
}

# --- the host's loopback-only service, and a control listener on the gateway address -----
ip link add up0 type veth peer name up1 && ip addr add 192.0.2.1/24 dev up0 && ip link set up0 up && ip link set up1 up
ip netns add a && ip netns add b && ip netns add c
outa=$(br ADD a "$BRCONF") && outb=$(br ADD b "$BRCONF") && outc=$(br ADD c "$BRCONF")
A4=$(jq -r '.ips[0].address' <<<"$outa" | cut -d/ -f1)
B4=$(jq -r '.ips[0].address' <<<"$outb" | cut -d/ -f1)
C4=$(jq -r '.ips[0].address' <<<"$outc" | cut -d/ -f1)
t_check "bridge ADD a, b and c" test -n "$A4" -a -n "$B4" -a -n "$C4"
listen && t_ok "a UDP service on 127.0.0.1:$SVC, a control listener on $GW:$SVC" ||
	t_fail "a UDP service on 127.0.0.1:$SVC, a control listener on $GW:$SVC" "$(cat "$WORK/listen.out")"
t_eq "route_localnet is 0 on the bridge before any mapping" "$(rl $BR)" 0

# A server in a to publish: answers "tcp-a" / "udp-a" on port 80.
cat >"$WORK/srv.py" <<'PY'
import socket, sys, threading
ready = sys.argv[1]
def tcp():
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("", 80)); s.listen(8)
    while True:
        c, _ = s.accept(); c.sendall(b"tcp-a\n"); c.close()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("", 80))
threading.Thread(target=tcp, daemon=True).start()
open(ready, "w").write("x")
while True:
    d, p = u.recvfrom(100); u.sendto(b"udp-a\n", p)
PY
ip netns exec a python3 "$WORK/srv.py" "$WORK/srv.ready" >"$WORK/srv.log" 2>&1 &
PIDS="$PIDS $!"
for _ in $(seq 250); do [ -e "$WORK/srv.ready" ] && break; sleep 0.02; done
ask() { # PROTO HOST PORT
	timeout 5 python3 -c '
import socket, sys
proto, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
try:
    if proto == "tcp":
        print(socket.create_connection((host, port), timeout=2).recv(100).decode().strip())
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2); s.sendto(b"hi", (host, port))
        print(s.recvfrom(100)[0].decode().strip())
except Exception as e:
    print("error:", e)' "$@"
}

# --- a mapping that does not need route_localnet leaves it alone --------------------------
PC=$(pmconf "$outc" '[{"hostPort":9090,"containerPort":80,"hostIP":"192.0.2.1"}]')
out=$(pm ADD c "$PC"); t_eq "portmap ADD c on 192.0.2.1 only" $? 0 || echo "# $out"
t_eq "... route_localnet stays 0 (no loopback mapping)" "$(rl $BR)" 0

# --- a publishes on every address (127.0.0.1 included) -----------------------------------
MAPA='[{"hostPort":8080,"containerPort":80,"protocol":"tcp"},{"hostPort":8080,"containerPort":80,"protocol":"udp"}]'
PA=$(pmconf "$outa" "$MAPA")
out=$(pm ADD a "$PA"); t_eq "portmap ADD a on every address" $? 0 || echo "# $out"
t_eq "route_localnet is 1 on the bridge while a needs it" "$(rl $BR)" 1
VA=$(jq -r '.interfaces[] | select(.sandbox == null and .name != "'$BR'") | .name' <<<"$outa")
t_eq "... and not on a's host veth $VA (a bridge port routes nothing itself)" "$(rl "$VA")" 0
nft list table inet $LT 2>&1 | sed 's/^/# /'
for p in tcp udp; do
	t_eq "$p: the host reaches a over 127.0.0.1:8080" "$(ask $p 127.0.0.1 8080)" "$p-a"
done

# --- the attack ---------------------------------------------------------------------------
got=$(attack b "$B4" b1)
t_eq "a raw frame from container b to 127.0.0.1:$SVC does not reach the host's loopback service" "$got" ""
got=$(attack a "$A4" a1)
t_eq "... nor from a, the container publishing the port" "$got" ""
t_check "... dropped by our guard (its counter moved)" test "$(dropped)" -ge 2
t_eq "the host still reaches a over 127.0.0.1 after the attacks" "$(ask tcp 127.0.0.1 8080)" tcp-a

# --- route_localnet follows the mappings that need it -------------------------------------
PB=$(pmconf "$outb" '[{"hostPort":9000,"containerPort":80,"protocol":"udp","hostIP":"127.0.0.1"}]')
out=$(pm ADD b "$PB"); t_eq "portmap ADD b on 127.0.0.1:9000/udp" $? 0 || echo "# $out"
t_check "CHECK a" pm CHECK a "$PA"
nft delete element inet $LT users "{ \"$BR\" . $A4 }"
nft add element inet $LT users "{ \"$BR\" . $A4 comment \"gone/eth0\" }" # a stale owner's, same address
out=$(pm CHECK a "$PA"); rc=$?
t_eq "CHECK a fails once its route_localnet entry is gone" $rc 1
t_check "... saying so" grep -q "a/eth0 is not recorded as needing route_localnet on $BR" <<<"$out"
pm ADD a "$PA" >/dev/null
t_check "ADD a again makes it a's: CHECK a" pm CHECK a "$PA"
CNI_COMMAND=GC CNI_PATH=$CNI_BIN "$CNI_BIN/portmap" <<<'{"cniVersion":"1.1.0","name":"lnnet","type":"portmap",
	"cni.dev/valid-attachments":[{"containerID":"a","ifname":"eth0"},{"containerID":"b","ifname":"eth0"},{"containerID":"c","ifname":"eth0"}]}'
t_eq "... so a GC of the stale owner leaves route_localnet on" "$(rl $BR)" 1
t_check "DEL a" pm DEL a "$PA"
t_eq "... route_localnet stays 1: b still needs it" "$(rl $BR)" 1
t_eq "an attack from a now (its mapping gone) is still dropped" "$(attack a "$A4" a2)" ""
t_check "DEL b without prevResult (a runtime that lost its cache)" pm DEL b '{"cniVersion":"1.0.0","name":"lnnet","type":"portmap"}'
t_eq "... route_localnet is 0 again after the last mapping that needed it" "$(rl $BR)" 0
t_check "... and the guard table is gone with it" sh -c "! nft list table inet $LT"
t_eq "with route_localnet 0 the raw frame is still not delivered" "$(attack b "$B4" b2)" ""
t_check "DEL c" pm DEL c "$PC"
t_eq "no portmap or localnet table of ours is left" "$(nft list tables | grep -cE 'netns-run-(portmap|localnet)')" 0

# GC: an attachment whose DEL never came is collected, and route_localnet reset with it.
pm ADD a "$PA" >/dev/null
t_eq "ADD a again: route_localnet 1" "$(rl $BR)" 1
gc='{"cniVersion":"1.1.0","name":"lnnet","type":"portmap","cni.dev/valid-attachments":[]}'
CNI_COMMAND=GC CNI_PATH=$CNI_BIN "$CNI_BIN/portmap" <<<"$gc"
t_eq "GC with no valid attachment: route_localnet 0" "$(rl $BR)" 0
t_check "... and no portmap or localnet table of ours" sh -c "! nft list tables | grep -qE 'netns-run-(portmap|localnet)'"
# A bridge left with route_localnet=1 and no entry (by a version without the guard, or
# after `nft flush ruleset` without a reload) is reset by the DEL of the last attachment
# that needed it.
pm ADD a "$PA" >/dev/null
nft delete table inet $LT
t_eq "route_localnet 1 on the bridge without a guard or entry" "$(rl $BR)" 1
t_check "DEL a" pm DEL a "$PA"
t_eq "... resets it all the same" "$(rl $BR)" 0
for n in a b c; do br DEL $n "$BRCONF" >/dev/null; done

# Concurrent ADDs and DELs (the lock file serialises them): all entries land, and
# route_localnet ends at 0 with nothing left.
declare -A OUTS
for i in 1 2 3 4 5 6; do ip netns add p$i; OUTS[$i]=$(br ADD p$i "$BRCONF"); done
jobs=""
for i in 1 2 3 4 5 6; do pm ADD p$i "$(pmconf "${OUTS[$i]}" "[{\"hostPort\":810$i,\"containerPort\":80}]")" >"$WORK/par.$i" & jobs="$jobs $!"; done
wait $jobs
t_eq "6 concurrent ADDs: 6 route_localnet entries" "$(nft -j list set inet $LT users | jq '.nftables[1].set.elem | length')" 6
t_eq "... route_localnet 1" "$(rl $BR)" 1
jobs=""
for i in 1 2 3 4 5 6; do pm DEL p$i "$(pmconf "${OUTS[$i]}" "[{\"hostPort\":810$i,\"containerPort\":80}]")" >>"$WORK/par.$i" & jobs="$jobs $!"; done
wait $jobs
t_eq "6 concurrent DELs: every one succeeded" "$(cat "$WORK"/par.* | grep -c '"code"')" 0
t_eq "... route_localnet 0" "$(rl $BR)" 0
t_check "... and no portmap or localnet table of ours" sh -c "! nft list tables | grep -qE 'netns-run-(portmap|localnet)'"
for i in 1 2 3 4 5 6; do br DEL p$i "$BRCONF" >/dev/null; done

# --- the runtime: -p, network reload, rm -------------------------------------------------
source "$ROOT/tests/lib/runtime.sh"
trap 'kill $PIDS 2>/dev/null; nr_cleanup' EXIT
cp "$RAW" "$WORK/raw_frame.py"
BR=nr0
"$NR" run -d --name "$P-web" -p 8080:80 -v "$WORK:/w" sleep 300 >/dev/null
t_eq "netns-run run -d -p 8080:80" $? 0
W4=$(state '.addresses[0]' "$P-web" | cut -d/ -f1)
GW=$(ip -j addr show $BR | jq -r '.[0].addr_info[] | select(.family == "inet") | .local')
kill $PIDS 2>/dev/null
for _ in $(seq 250); do ss -Hlun "sport = :$SVC" | grep -q . || break; sleep 0.02; done
listen || t_fail "the listeners again, with $GW on $BR" "$(cat "$WORK/listen.out")"
t_eq "route_localnet is 1 on $BR while the container runs" "$(rl $BR)" 1
t_eq "an attack from inside (netns-run exec, default capabilities) is dropped" "$(attack "exec:$P-web" "$W4" r1)" ""
nft flush ruleset
t_check "nft flush ruleset removes the guard" sh -c "! nft list table inet $LT"
# Until the reload, route_localnet=1 is unguarded: the attack gets through (which also
# shows that the attack this test makes is a real one).
t_eq "... and until the reload the attack gets through" "$(attack "exec:$P-web" "$W4" r0)" "pwn-r0 from $W4"
"$NR" network reload; t_eq "network reload" $? 0
t_check "... puts the guard back" test "$(nft list chain inet $LT input | grep -c drop)" = 2
t_eq "... and the attack is dropped again" "$(attack "exec:$P-web" "$W4" r2)" ""
"$NR" rm -f "$P-web" >/dev/null
t_eq "after rm, route_localnet is 0 on $BR" "$(rl $BR)" 0
t_check "... and the guard table is gone" sh -c "! nft list table inet $LT"
t_done
