#!/bin/bash
# Overlay networks across hosts (issue 20), the flannel model, on three "hosts" and a 3-member
# etcd 3.4 cluster (tests/lib/multihost.sh), with a 4th, 5th and 6th host joining later.  The
# network is 10.20.0.0/22 in /24s: four subnets, so that who holds which is forced and a
# shared subnet cannot hide.  Checks: create/join (keys, subnet files, one VXLAN device and
# one route + neighbour + FDB entry per remote); containers on every host ping each other
# (all pairs); a late host reachable within 2 s of its join; the etcd leader killed (traffic
# uninterrupted, a container starts); quorum lost (traffic goes on, a container on a joined
# host starts); the agent SIGKILLed and restarted (no loss, nothing duplicated); a 5th host
# refused while the four subnets are held (nothing half-made), then given the subnet of a
# host killed without leave once its lease expired (its entries gone everywhere); a host cut
# off from etcd past the TTL never shares a subnet with the host that takes its subnet;
# leave and rm leave nothing; bad inputs (unreachable store, wrong CIDR, overlap with a local
# network, a VNI in use, garbage in the store) fail clearly with nothing made.
source "$(dirname "$0")/../lib/sandbox_pid.sh"
source "$(dirname "$0")/../lib/t.sh"

if [ ! -x /usr/bin/etcd ] || [ ! -x "$NR_BUILD/tests/tools/etcd_tool" ] || [ ! -x "$NR_BUILD/bin/netns-run" ]; then
	t_skip "overlay across hosts" "needs etcd-server (/usr/bin/etcd), build/tests/tools/etcd_tool and build/bin/netns-run"
	t_done
	exit
fi
source "$(dirname "$0")/../lib/multihost.sh"
trap mh_cleanup EXIT
# finish: the sandbox torn down and checked, then the summary.
finish() {
	trap - EXIT
	mh_cleanup
	t_eq "the sandbox leaves nothing (processes, mounts, links, cgroups, files)" "$(mh_leftovers)" ""
	local procs
	procs=$(sandbox_procs)
	t_eq "... no process left in the test's pid namespace" "$(for p in $procs; do tr '\0' ' ' <"/proc/$p/cmdline"; echo; done)" ""
	t_done
	exit
}

TTL=3
NET=mhnet
CIDR=10.20.0.0/22
VNI=42
K=/netns-run/overlay
ms() { date +%s%3N; }
say() { printf '%s\n' "$@" | sed 's/^/#   /'; }

# ---- the sandbox -------------------------------------------------------------------------------
echo "# [${SECONDS}s] the sandbox"
for h in h1 h2 h3; do mh_host_up "$h" || t_fail "host $h comes up"; done
ok=1
for a in h1 h2 h3; do
	for b in h1 h2 h3; do
		[ "$a" = "$b" ] && continue
		on "$a" ping -c 1 -W 1 "$(mh_ip "$b")" >/dev/null || { ok=0; t_fail "underlay: $a pings $b"; }
	done
done
[ $ok = 1 ] && t_ok "underlay: the three hosts ping each other on 192.0.2.0/24"
t_eq "each host has its own hostname" "$(for h in h1 h2 h3; do on "$h" hostname; done | tr '\n' ' ')" "mh-h1 mh-h2 mh-h3 "
t_eq "each host has its own /run (lock files)" "$(on h1 sh -c 'touch /run/netns-run/x; ls /run/netns-run'):$(on h2 ls /run/netns-run)" "x:"
if ! mh_etcd_start h1 h2 h3; then
	t_fail "a 3-member etcd cluster starts, one member per host" "$(tail -n 3 "$MH_W"/h*/etcd.log)"
	finish
fi
t_ok "a 3-member etcd cluster starts, one member per host on its underlay address"
t_check "... it has a leader" test -n "$(mh_leader)"
"$MH_ETCD_TOOL" etcd://192.0.2.11:2379 put /mh/x 1 >/dev/null
t_eq "... a key written through one member is read through another" \
	"$("$MH_ETCD_TOOL" etcd://192.0.2.13:2379 get /mh/x | head -n 1 | cut -d' ' -f1)" "/mh/x=1"
etcd del /mh/x >/dev/null
reaches_etcd() { on "$1" curl -s --max-time 0.5 "http://$(mh_ip "$2"):2379/health" | grep -q true; }
mh_cut_etcd h3
not() { ! "$@"; }
t_check "sandbox: h3 cut off from etcd does not reach h1's member" not reaches_etcd h3 h1
t_check "... but pings h1" on h3 ping -c 1 -W 1 192.0.2.11
mh_heal h3
t_check "... healed, it reaches it" await 3 reaches_etcd h3 h1
mh_cut h3
t_check "sandbox: h3 cut off from everything does not ping h1" not on h3 ping -c 1 -W 1 192.0.2.11
mh_heal h3
t_check "... healed, it does" await 5 on h3 ping -c 1 -W 1 192.0.2.11

# ---- the data path without the agent: plugins/overlay's host side driven by hand ---------------
echo "# [${SECONDS}s] the data path without the agent: plugins/overlay's host side driven by hand"
# (tests/tools/overlay_apply does what the agent does with the kernel and the subnet file),
# containers attached by the overlay CNI plugin through a conflist written here.  It tells a
# broken data path from a broken agent.
OA="$NR_BUILD/tests/tools/overlay_apply"
if [ -x "$OA" ] && [ -x "$NR_BUILD/cni/overlay" ]; then
	declare -A HMAC
	ok=1
	for i in 1 2; do
		d=$MH_W/h$i/state/overlay/hand
		on "h$i" "$OA" write "$d" 10.30.0.0/16 "10.30.$i.0/24" "192.0.2.1$i" nv-hand0000000 nr-hand0000000 99 1450 &&
			HMAC[h$i]=$(on "h$i" "$OA" ensure "$d") || ok=0
		printf '{"cniVersion": "1.1.0", "name": "hand", "plugins": [{"type": "overlay", "subnetFile": "%s"}]}\n' \
			"$d/subnet.json" >"$MH_W/h$i/config/hand.conflist"
	done
	on h1 "$OA" apply "$MH_W/h1/state/overlay/hand" "10.30.2.0/24,192.0.2.12,${HMAC[h2]}" || ok=0
	on h2 "$OA" apply "$MH_W/h2/state/overlay/hand" "10.30.1.0/24,192.0.2.11,${HMAC[h1]}" || ok=0
	t_check "by hand: VXLAN devices and the remote's entries on h1 and h2" test $ok = 1
	t_eq "... a route, a neighbour and an FDB entry on h1" "$(mh_fwd h1 nv-hand0000000 | cut -d' ' -f1 | tr '\n' ' ')" "route neigh fdb "
	ok=1
	for i in 1 2; do
		out=$(on "h$i" "$MH_NR" run -d --net hand --name "$MH_P-h$i-hand" -- sleep 1000 2>&1) || { ok=0; say "$out"; }
	done
	t_check "by hand: a container on h1 and on h2 attached by the overlay plugin" test $ok = 1
	hp1=$(jq -r .pid "$MH_W/h1/state/containers/$MH_P-h1-hand/state.json" 2>/dev/null)
	hp2=$(jq -r .pid "$MH_W/h2/state/containers/$MH_P-h2-hand/state.json" 2>/dev/null)
	ip2=$(nsenter -t "$hp2" -n ip -4 -o addr show eth0 2>/dev/null | awk '{sub(/\/.*/, "", $4); print $4}')
	t_check "... h2's in its subnet ($ip2)" grep -q '^10\.30\.2\.' <<<"$ip2"
	t_check "... h1's pings h2's across the underlay (VXLAN)" nsenter -t "$hp1" -n ping -c 1 -W 2 "$ip2"
	for i in 1 2; do
		on "h$i" "$MH_NR" rm -f "$MH_P-h$i-hand" >/dev/null 2>&1
		on "h$i" "$OA" remove nv-hand0000000
		on "h$i" ip link del nr-hand0000000 2>/dev/null
		on "h$i" "$OA" unfile "$MH_W/h$i/state/overlay/hand"
		rm -f "$MH_W/h$i/config/hand.conflist"
	done
	t_eq "... removed: no VXLAN device, no FDB entry left" "$(mh_vxlan h1; mh_vxlan h2; on h1 bridge fdb show | grep ' dst ')" ""
fi

if [ ! -x "$MH_OVERLAY" ]; then
	t_fail "the overlay pieces are built" "no $MH_OVERLAY (runtime/overlay) in this build"
	finish
fi

# ---- helpers over the product ------------------------------------------------------------------
echo "# [${SECONDS}s] helpers over the product"
nr() { local h=$1; shift; on "$h" "$MH_NR" "$@"; }
sdir() { echo "$MH_W/$1/state/overlay/$2"; }
# subnet HOST [NET]: the subnet in HOST's subnet file, or nothing.
subnet() { jq -r .subnet "$(sdir "$1" "${2:-$NET}")/subnet.json" 2>/dev/null; }
agent_pid() { cat "$(sdir "$1" "${2:-$NET}")/pid" 2>/dev/null; }
agent_alive() { local p; p=$(agent_pid "$@") && [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }
# key_of SUBNET: its key in etcd (10.20.3.0/24 -> …/subnets/NET/10.20.3.0-24).
key_of() { echo "$K/subnets/$NET/${1/\//-}"; }
# holders: "SUBNET VTEP" per subnet key of $NET, sorted.
holders() {
	etcd get-prefix "$K/subnets/$NET/" | grep -v '^revision' | sed 's/ lease=[0-9-]* mod=[0-9]*$//' |
		while IFS= read -r kv; do
			echo "$(basename "${kv%%=*}" | tr - /) $(jq -r .vtep <<<"${kv#*=}" 2>/dev/null)"
		done | sort
}
dev() { jq -r .device "$(sdir "$1" "${2:-$NET}")/subnet.json" 2>/dev/null; }
# counts HOST: "routes neighs fdbs" of the host's VXLAN device.
counts() {
	local d f
	d=$(dev "$1") || return
	f=$(mh_fwd "$1" "$d")
	echo "$(grep -c '^route' <<<"$f") $(grep -c '^neigh' <<<"$f") $(grep -c '^fdb' <<<"$f")"
}
# ctr HOST NAME: a container on $NET; its address in CIP[HOST-NAME].
declare -A CIP
# (not in $(...): CIP is set here; the run's output goes to $MH_W/ctr.out)
ctr() {
	local h=$1 n=$2
	nr "$h" run -d --net "$NET" --name "$MH_P-$h-$n" -- sleep 1000 >"$MH_W/ctr.out" 2>&1 || return 1
	CIP[$h-$n]=$(cexec "$h" "$n" ip -4 -o addr show eth0 | awk '{sub(/\/.*/, "", $4); print $4}')
	[ -n "${CIP[$h-$n]}" ]
}
cpid() { jq -r .pid "$MH_W/$1/state/containers/$MH_P-$1-$2/state.json" 2>/dev/null; }
# cexec HOST NAME CMD...: CMD in the container's network namespace.
cexec() {
	local p
	p=$(cpid "$1" "$2")
	[ -n "$p" ] || return 1
	shift 2
	nsenter -t "$p" -n -- "$@"
}
# cping FROM-HOST FROM-NAME TO-KEY: one ping, 1 s bound.
cping() { cexec "$1" "$2" ping -c 1 -W 1 "${CIP[$3]}" >/dev/null 2>&1; }
# ping_start FROM-HOST FROM-NAME TO-KEY: a continuous ping every 50 ms into $MH_W/ping.N.
ping_start() {
	PING_OUT=$MH_W/ping.$RANDOM
	nsenter -t "$(cpid "$1" "$2")" -n -- ping -i 0.05 "${CIP[$3]}" >"$PING_OUT" 2>&1 &
	PING_PID=$!
	await 3 grep -q 'bytes from' "$PING_OUT"
}
# ping_more N: N more replies than now (the ping goes on well past the event under test).
replies() { grep -c 'bytes from' "$PING_OUT"; }
ping_more() {
	local want=$(($(replies) + $1))
	more() { [ "$(replies)" -ge "$want" ]; }
	await 5 more
}
# ping_stop: stops it; "LOST SENT DUP" of the whole run.
ping_stop() {
	kill -INT "$PING_PID" 2>/dev/null
	wait "$PING_PID" 2>/dev/null
	local sent recv dup
	sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$PING_OUT")
	recv=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$PING_OUT")
	dup=$(sed -n 's/.*+\([0-9]*\) duplicates.*/\1/p' "$PING_OUT")
	echo "$((${sent:-0} - ${recv:-0})) ${sent:-0} ${dup:-0}"
}
# all_pairs HOST-NAME...: every container pings every other; prints the failing pairs.
all_pairs() {
	local a b
	for a in "$@"; do
		for b in "$@"; do
			[ "$a" = "$b" ] && continue
			cping "${a%%-*}" "${a#*-}" "$b" || echo "$a -> $b (${CIP[$b]})"
		done
	done
}
# leftovers HOST NAME: what an overlay network left on HOST: links, routes to the overlay,
# its files and conflist, agent processes.
leftovers() {
	local h=$1 n=$2
	on "$h" ip -o link show | awk -F': ' '$2 ~ /^(nv-|nr-)/ {print "link: " $2}'
	on "$h" ip -4 route show | grep -F "${3:-10.20.}" | sed 's/^/route: /'
	on "$h" ip -4 neigh show nud permanent | grep -F "${3:-10.20.}" | sed 's/^/neigh: /'
	[ -e "$(sdir "$h" "$n")" ] && ls "$(sdir "$h" "$n")" | sed 's/^/file: /'
	[ -e "$MH_W/$h/config/$n.conflist" ] && echo "conflist: $n"
	# netns-run-overlay processes for this network in this host's network namespace
	local net p
	net=$(readlink "/proc/${MH_HOLDER[$h]}/ns/net")
	for p in $(pgrep -f "netns-run-overlay .*[ /]$n\$"); do
		[ "$(readlink "/proc/$p/ns/net" 2>/dev/null)" = "$net" ] && echo "process: $p $(tr '\0' ' ' <"/proc/$p/cmdline")"
	done
}
keys_of() { etcd_keys "$K/" | grep -E "/$1(/|\$)"; }

# ---- create and join ---------------------------------------------------------------------------
echo "# [${SECONDS}s] create and join"
out=$(nr h1 network create --driver overlay --store "$MH_STORE" --subnet "$CIDR" --opt subnet_len=24 \
	--opt vni=$VNI --opt lease_ttl=${TTL}s "$NET" 2>&1)
t_eq "network create --driver overlay on h1 succeeds" "$?" 0 || say "$out"
def=$(etcd get "$K/networks/$NET" | head -n 1 | sed 's/^[^=]*=//; s/ lease=.*//')
t_eq "... the definition is in etcd" "$(jq -r '"\(.network) \(.subnet_len) \(.vni) \(.lease_ttl)"' <<<"$def" 2>/dev/null)" "$CIDR 24 $VNI $TTL"
t_eq "... the VNI is taken for it" "$(etcd get "$K/vnis/$VNI" | head -n 1 | sed 's/ lease=.*//')" "$K/vnis/$VNI=$NET"
t_check "... create joins: h1 holds a subnet of $CIDR" grep -q '^10\.20\.[0-3]\.0/24$' <<<"$(subnet h1)"
for h in h2 h3; do
	out=$(nr "$h" network join --store "$MH_STORE" "$NET" 2>&1)
	t_eq "network join on $h succeeds" "$?" 0 || say "$out"
done
t_eq "three subnet keys, three VTEPs" "$(holders | awk '{print $2}' | sort | tr '\n' ' ')" "192.0.2.11 192.0.2.12 192.0.2.13 "
t_eq "... each host's subnet file says the subnet its key holds" \
	"$(for h in h1 h2 h3; do echo "$(subnet "$h") $(mh_ip "$h")"; done | sort)" "$(holders)"
t_eq "... three different subnets" "$(for h in h1 h2 h3; do subnet "$h"; done | sort -u | wc -l)" 3
for h in h1 h2 h3; do
	t_eq "$h: one VXLAN device, VNI $VNI" "$(mh_vxlan "$h" | wc -l) $(on "$h" ip -d -o link show "$(dev "$h")" | grep -o "vxlan id [0-9]*")" "1 vxlan id $VNI"
	t_eq "$h: a route, a permanent neighbour and an FDB entry per remote host" "$(counts "$h")" "2 2 2"
done
t_eq "inspect on h2 shows the three hosts' VTEPs" "$(nr h2 network inspect "$NET" 2>&1 | grep -o '192\.0\.2\.1[123]' | sort -u | tr '\n' ' ')" \
	"192.0.2.11 192.0.2.12 192.0.2.13 "

links=$(on h2 ip -o link show | awk -F': ' '{print $2}')
out=$(nr h2 network create --driver overlay --store "$MH_STORE" --subnet 10.21.0.0/16 --opt vni=$VNI ov-vni 2>&1)
t_check "bad: a VNI in use is refused" test $? != 0
t_check "... saying so" grep -qE "VNI $VNI .*(in use|$NET)" <<<"$out" || say "$out"
t_eq "... nothing made: no key, no conflist, no files, no link" \
	"$(keys_of ov-vni; leftovers h2 ov-vni 10.21. | grep -v '^link: '; on h2 ip -o link show | awk -F': ' '{print $2}' | grep -vxF "$links")" ""

# ---- containers ping each other across hosts ---------------------------------------------------
echo "# [${SECONDS}s] containers ping each other across hosts"
for h in h1 h2 h3; do
	ctr "$h" c1
	t_check "a container on $h starts on $NET" test $? = 0 || say "$(cat "$MH_W/ctr.out")"
done
t_eq "... its address is in its host's subnet" \
	"$(for h in h1 h2 h3; do [ "${CIP[$h-c1]%.*}" = "$(subnet "$h" | sed 's/\.0\/24$//')" ] && echo y; done | tr -d '\n')" yyy
t_eq "... its MTU leaves room for VXLAN (1500 - 50)" "$(cexec h1 c1 ip -o link show eth0 | grep -o 'mtu [0-9]*')" "mtu 1450"
t_eq "all pairs (6) of containers on three hosts ping each other" "$(all_pairs h1-c1 h2-c1 h3-c1)" ""

# ---- a host joining later: reachable within 2 s ------------------------------------------------
echo "# [${SECONDS}s] a host joining later: reachable within 2 s"
mh_host_up h4
t0=$(ms)
out=$(nr h4 network join --store "$MH_STORE" "$NET" 2>&1)
rc=$?
s4=$(subnet h4)
vtep4=${s4%/*}
if [ $rc = 0 ] && await 3 on h1 ping -c 1 -W 0.2 "$vtep4"; then
	el=$(($(ms) - t0))
	t_check "a 4th host joining later: h1 reaches its VTEP address $vtep4 within 2 s of the join ($el ms)" test "$el" -le 2000
else
	t_fail "a 4th host joining later is reachable" "rc=$rc $out; subnet '$s4'"
fi
ctr h4 c1 || t_fail "a container on h4 starts" "$(cat "$MH_W/ctr.out")"
t_eq "all pairs (12) of containers on four hosts ping each other" "$(all_pairs h1-c1 h2-c1 h3-c1 h4-c1)" ""

# ---- subnets run out: a 5th host is refused, cleanly -------------------------------------------
echo "# [${SECONDS}s] subnets run out: a 5th host is refused, cleanly"
mh_host_up h5
t0=$(ms)
out=$(nr h5 network join --store "$MH_STORE" "$NET" 2>&1)
rc=$?
t_check "a 5th host joining a /22 of /24s held by four: refused" test $rc != 0
t_check "... saying no subnet is free ($(($(ms) - t0)) ms)" grep -qi "subnet" <<<"$out" || say "$out"
t_eq "... nothing half-made on h5 (links, routes, files, conflist, agent) or in etcd" \
	"$(leftovers h5 "$NET"; holders | grep 192.0.2.15)" ""

# ---- the etcd leader killed --------------------------------------------------------------------
echo "# [${SECONDS}s] the etcd leader killed"
L=$(mh_leader)
ping_start h1 c1 h2-c1
mh_member_kill "$L"
has_leader() { test -n "$(mh_leader)"; }
await 10 has_leader
t_check "the etcd leader ($L) killed: another member leads ($(mh_leader))" has_leader
t0=$(ms)
ctr "$L" c2
rc=$?
t_check "... a new container starts on $L, whose member is dead ($(($(ms) - t0)) ms)" test $rc = 0 || say "$(cat "$MH_W/ctr.out")"
t_check "... and pings h3's" cping "$L" c2 h3-c1
ping_more 20
read -r lost sent _ <<<"$(ping_stop)"
t_eq "... a ping every 50 ms from h1 to h2 lost nothing ($sent sent)" "$lost" 0
mh_member_start "$L"
await 15 mh_cluster_healthy || t_fail "the killed member rejoins" "$(tail -n 3 "$MH_W/$L/etcd.log")"

# ---- quorum lost -------------------------------------------------------------------------------
echo "# [${SECONDS}s] quorum lost"
ping_start h2 c1 h3-c1
before=$(holders)
mh_member_kill h1
mh_member_kill h2
t0=$(ms)
ctr h3 c3
rc=$?
t_check "quorum lost (two members killed): a new container on joined h3 starts ($(($(ms) - t0)) ms)" test $rc = 0 || say "$(cat "$MH_W/ctr.out")"
t_check "... and pings h1's" cping h3 c3 h1-c1
# Past the lease TTL without a renewal, an agent gives its subnet file up (docs/multihost.md):
# the event that says the TTL has passed.  The data path does not depend on etcd.
t_check "... past the TTL without etcd, h1's agent gives its subnet file up (new containers wait)" \
	await $((TTL + 3)) test ! -e "$(sdir h1 "$NET")/subnet.json"
t_eq "... existing containers keep talking past the lease TTL" "$(all_pairs h1-c1 h2-c1 h3-c1 h4-c1)" ""
read -r lost sent _ <<<"$(ping_stop)"
t_eq "... a ping every 50 ms from h2 to h3 lost nothing ($sent sent)" "$lost" 0
mh_member_start h1
mh_member_start h2
await 15 mh_cluster_healthy || t_fail "the killed members rejoin" "$(tail -n 3 "$MH_W"/h[12]/etcd.log)"
all_files() { local h; for h in "$@"; do test -s "$(sdir "$h" "$NET")/subnet.json" || return 1; done; }
t_check "quorum back: every agent holds its subnet again" await 10 all_files h1 h2 h3 h4
t_eq "... the same four subnets and holders in etcd" "$(holders)" "$before"

# ---- the agent SIGKILLed and restarted ---------------------------------------------------------
echo "# [${SECONDS}s] the agent SIGKILLed and restarted"
# h2's subnet as etcd has it: its file may be away for a moment while the cluster settles
# (a renewal slower than the lease's margin removes it until the next one).
s2=$(holders | awk '$2 == "192.0.2.12" {print $1}')
test -s "$(sdir h2 "$NET")/subnet.json" || say "# h2 has no subnet.json now: $(tail -n 5 "$(sdir h2 "$NET")/log")"
p=$(agent_pid h2)
ping_start h1 c1 h2-c1
t0=$(ms)
kill -9 "$p"
out=$(nr h2 network inspect "$NET" 2>&1)
new_agent() { local q; q=$(agent_pid h2) && [ -n "$q" ] && [ "$q" != "$p" ] && kill -0 "$q"; }
await 5 new_agent
t_check "agent on h2 SIGKILLed: a netns-run command on the network restarts it ($(($(ms) - t0)) ms)" agent_alive h2
if ! agent_alive h2; then
	on h2 "$MH_OVERLAY" agent "$NET" >/dev/null 2>&1
fi
await 5 test -s "$(sdir h2 "$NET")/subnet.json"
ping_more 20
read -r lost sent dup <<<"$(ping_stop)"
t_eq "... a ping every 50 ms from h1 to h2 across the restart lost nothing, no duplicates ($sent sent)" "$lost $dup" "0 0" ||
	say "$(tail -n 12 "$(sdir h2 "$NET")/log")"
t_eq "... the same subnet" "$(subnet h2)" "$s2"
t_eq "... one key per host in etcd" "$(holders | awk '{print $2}' | sort | tr '\n' ' ')" "192.0.2.11 192.0.2.12 192.0.2.13 192.0.2.14 "
t_eq "... one agent on h2" "$(leftovers h2 "$NET" | grep -c '^process:')" 1
t_eq "... one VXLAN device and 3 routes, neighbours, FDB entries on each host" \
	"$(for h in h1 h2 h3 h4; do echo "$(mh_vxlan "$h" | wc -l) $(counts "$h")"; done | sort -u)" "1 3 3 3"

# ---- a lease lost behind the agent's back: the same subnet claimed again ---------------------------
echo "# [${SECONDS}s] a lease lost behind the agent's back"
s2=$(subnet h2)
lease_of() { etcd get "$(key_of "$1")" | head -n 1 | sed -n 's/.* lease=\([0-9-]*\) .*/\1/p'; }
l2=$(lease_of "$s2")
ping_start h1 c1 h2-c1
etcd lease-revoke "$l2" >/dev/null
t0=$(ms)
back() { [ -n "$(lease_of "$s2")" ] && [ "$(lease_of "$s2")" != "$l2" ] && [ "$(subnet h2)" = "$s2" ]; }
if await $((TTL + 3)) back; then
	t_ok "h2's lease revoked in etcd: its agent claims the same subnet again, with a new lease ($(($(ms) - t0)) ms)"
else
	t_fail "h2's lease revoked in etcd: its agent claims the same subnet again" "$(holders; subnet h2)"
fi
# While the key is gone the others rightly drop their entries for h2 (the subnet is free):
# packets may be lost for that long, not longer, and none duplicated.
t_check "... traffic from h1 to h2 goes on (20 more replies)" ping_more 20
read -r lost sent dup <<<"$(ping_stop)"
t_check "... a ping every 50 ms lost at most 1 s of it ($lost of $sent), no duplicates ($dup)" test "$lost" -le 20 -a "$dup" = 0
t_eq "... the holders as before" "$(holders | awk '{print $2}' | sort | tr '\n' ' ')" "192.0.2.11 192.0.2.12 192.0.2.13 192.0.2.14 "
t_eq "... nothing duplicated in the kernel" "$(for h in h1 h2 h3 h4; do echo "$(mh_vxlan "$h" | wc -l) $(counts "$h")"; done | sort -u)" "1 3 3 3"

# ---- garbage in the store, next to the network's keys ------------------------------------------
echo "# [${SECONDS}s] garbage in the store, next to the network's keys"
etcd put "$K/subnets/$NET/garbage" 'not json {' >/dev/null
etcd put "$K/subnets/$NET/10.20.9.0-24" '{"vtep": 17}' >/dev/null
# Nothing to await: the check is that nothing happens (the agents re-apply at each event).
sleep 1
all_alive() { local h; for h in "$@"; do agent_alive "$h" || return 1; done; }
t_check "garbage subnet keys: every agent lives on" all_alive h1 h2 h3 h4
t_eq "... and programs nothing for them" "$(for h in h1 h2 h3 h4; do counts "$h"; done | sort -u)" "3 3 3"
t_eq "... traffic goes on" "$(all_pairs h1-c1 h2-c1 h3-c1 h4-c1)" ""
etcd del "$K/subnets/$NET/garbage" >/dev/null
etcd del "$K/subnets/$NET/10.20.9.0-24" >/dev/null

# ---- a host killed without leave; its subnet freed after the TTL, taken by the next ------------
echo "# [${SECONDS}s] a host killed without leave; its subnet freed after the TTL, taken by the next"
s4=$(subnet h4)
mh_host_kill h4
t0=$(ms)
# key_gone SUBNET [STORE]: etcd answered, without the key (a failed read is not "gone").
key_gone() {
	local out
	out=$("$MH_ETCD_TOOL" --timeout-ms 1000 "${2:-$MH_STORE}" get "$(key_of "$1")" 2>/dev/null) &&
		grep -q '^revision' <<<"$out" && ! grep -q '=' <<<"$out"
}
if await $((TTL + 3)) key_gone "$s4"; then
	t_ok "h4 killed (every process SIGKILLed, no leave): its subnet key goes after the TTL ($(($(ms) - t0)) ms)"
else
	t_fail "h4 killed: its subnet key goes after the TTL" "$(holders)"
fi
gone4() { local h; for h in h1 h2 h3; do mh_fwd "$h" "$(dev "$h")" | grep -qE "192\.0\.2\.14|${s4%.0/24}\." && return 1; done; return 0; }
t_check "... every route, neighbour and FDB entry pointing to it vanishes on h1-h3" await 3 gone4 ||
	say "$(for h in h1 h2 h3; do mh_fwd "$h" "$(dev "$h")"; done)"
t_eq "... 2 of each left on each" "$(for h in h1 h2 h3; do counts "$h"; done | sort -u)" "2 2 2"
out=$(nr h5 network join --store "$MH_STORE" "$NET" 2>&1)
t_eq "the 5th host joins now" "$?" 0 || say "$out"
t_eq "... on the subnet h4 held (the only free one)" "$(subnet h5)" "$s4"
ctr h5 c1 || t_fail "a container on h5 starts" "$(cat "$MH_W/ctr.out")"
t_eq "... its container and the others ping each other" "$(all_pairs h1-c1 h2-c1 h3-c1 h5-c1)" ""

# ---- a host cut off from etcd past the TTL never shares a subnet -------------------------------
echo "# [${SECONDS}s] a host cut off from etcd past the TTL never shares a subnet"
s3=$(subnet h3)
mh_cut_etcd h3
# Both events timed from the cut, polled together: when the key expires (etcd's side) and
# when h3 gives the subnet up (its subnet file removed).  The agent must give up within the
# TTL of its last renewal (before the cut) whatever its requests to the unreachable members
# are doing, and no later than etcd frees the subnet: in between, a newcomer could claim it
# while h3's containers still use it.
t0=$(ms) tk="" tf=""
while [ $(($(ms) - t0)) -lt $(((2 * TTL + 3) * 1000)) ]; do
	[ -z "$tf" ] && [ ! -e "$(sdir h3 "$NET")/subnet.json" ] && tf=$(($(ms) - t0))
	[ -z "$tk" ] && key_gone "$s3" etcd://192.0.2.11:2379,192.0.2.12:2379 && tk=$(($(ms) - t0))
	[ -n "$tk" ] && [ -n "$tf" ] && break
	sleep 0.05
done
t_check "h3 cut off from etcd: its key expires (after ${tk:-never} ms)" test -n "$tk"
t_check "... h3 gives the subnet up, its file removed (after ${tf:-never} ms)" test -n "$tf" ||
	say "cut at $(date -u -d @$((t0 / 1000)) +%T).${t0: -3}; $(ls -l --time-style=+%T.%N "$(sdir h3 "$NET")/subnet.json" 2>&1)"
t_check "... within the TTL of its last renewal (bound $((TTL * 1000 + 500)) ms)" test "${tf:-99999}" -le $((TTL * 1000 + 500)) ||
	say "$(tail -n 15 "$(sdir h3 "$NET")/log")"
t_check "... and no later than etcd freed it (+ 200 ms of polling)" test "${tf:-99999}" -le $((${tk:-0} + 200))
await $((2 * TTL + 3)) test ! -e "$(sdir h3 "$NET")/subnet.json"
out=$(nr h3 run -d --net "$NET" --name "$MH_P-h3-refused" -- sleep 1000 2>&1)
t_check "... a container on h3 is refused" test $? != 0
t_check "... naming the agent" grep -qi "agent\|subnet" <<<"$out" || say "$out"
mh_host_up h6
out=$(nr h6 network join --store "$MH_STORE" "$NET" 2>&1)
t_eq "a 6th host joins meanwhile" "$?" 0 || say "$out"
t_eq "... on the subnet h3 lost" "$(subnet h6)" "$s3"
t_eq "... which h3, still cut off, no longer uses (no shared subnet)" "$(subnet h3)" ""
mh_heal h3
# h3's agent renews or claims; all it can find is the subnet h6 holds: it must stay without.
# Its view of the hosts (hosts.json) listing h6 says it has read etcd again (not asserted:
# an agent without a subnet may keep no view; the bound then is the time to act).
await $((TTL + 3)) grep -q 192.0.2.16 "$(sdir h3 "$NET")/hosts.json"
# A shared subnet may show for a while only (until a renewal is refused, a claim fails):
# watched for 2 TTLs after the heal, every 100 ms.
shared() { for h in h1 h2 h3 h5 h6; do subnet "$h"; done | grep . | sort | uniq -d; }
t0=$(ms) seen=""
while [ $(($(ms) - t0)) -lt $((2 * TTL * 1000)) ]; do
	sh=$(shared)
	[ -n "$sh" ] && seen="$sh at $(($(ms) - t0)) ms after the heal" && break
	sleep 0.1
done
t_eq "healed: for 2 TTLs, no two hosts' subnet files share a subnet" "$seen" "" ||
	say "h3: $(subnet h3); h6: $(subnet h6)" "$(tail -n 6 "$(sdir h3 "$NET")/log")"
t_eq "... every subnet key's VTEP is the host whose file holds it" "$(holders)" \
	"$(for h in h1 h2 h3 h5 h6; do s=$(subnet "$h"); [ -n "$s" ] && echo "$s $(mh_ip "$h")"; done | sort)"
t_eq "... h3 holds none (all four are taken)" "$(subnet h3)" ""
ctr h6 c1 || t_fail "a container on h6 starts" "$(cat "$MH_W/ctr.out")"
t_eq "... traffic between the holders" "$(all_pairs h1-c1 h2-c1 h5-c1 h6-c1)" ""

# ---- leave and rm leave nothing ----------------------------------------------------------------
echo "# [${SECONDS}s] leave and rm leave nothing"
nr h6 rm -f "$MH_P-h6-c1" >/dev/null 2>&1
mac6=$(on h6 ip -o link show "$(dev h6)" | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
out=$(nr h6 network leave "$NET" 2>&1)
t_eq "network leave on h6" "$?" 0 || say "$out"
t_eq "... its key goes at once (the lease revoked)" "$(holders | grep -c 192.0.2.16)" 0
t_eq "... nothing on h6: links, routes, neighbours, files, conflist, agent" "$(leftovers h6 "$NET")" ""
# (by VTEP and MAC: h3, waiting for a free subnet, may take h6's at once)
gone6() { local h; for h in h1 h2 h5; do mh_fwd "$h" "$(dev "$h")" | grep -qiE "192\.0\.2\.16|$mac6" && return 1; done; return 0; }
t_check "... its entries go from the others" await 3 gone6 || say "$(for h in h1 h2 h5; do mh_fwd "$h" "$(dev "$h")" | sed "s/^/$h /"; done)"
for h in h1 h2 h3 h5; do
	for c in $(ls "$MH_W/$h/state/containers" 2>/dev/null); do nr "$h" rm -f "$c" >/dev/null 2>&1; done
done
for h in h2 h3 h5; do
	out=$(nr "$h" network leave "$NET" 2>&1) || t_fail "network leave on $h" "$out"
done
out=$(nr h1 network rm "$NET" 2>&1)
t_eq "network rm on h1" "$?" 0 || say "$out"
t_eq "... no key of it in etcd (definition, VNI, subnets)" "$(keys_of "$NET"; etcd_keys "$K/vnis/")" ""
t_eq "... nothing on any host" "$(for h in h1 h2 h3 h5 h6; do leftovers "$h" "$NET" | sed "s/^/$h /"; done)" ""
t_eq "... no FDB entry anywhere" "$(for h in h1 h2 h3 h5 h6; do on "$h" bridge fdb show | grep ' dst '; done)" ""

# ---- bad inputs --------------------------------------------------------------------------------
echo "# [${SECONDS}s] bad inputs"
# bad WHAT NAME OUT-REGEX CREATE-ARGS...: create on h2 fails, says OUT-REGEX, makes nothing.
bad() {
	local what=$1 n=$2 re=$3 out rc t0
	shift 3
	t0=$(ms)
	out=$(nr h2 network create --driver overlay "$@" "$n" 2>&1)
	rc=$?
	t_check "bad: $what: refused ($(($(ms) - t0)) ms)" test $rc != 0
	t_check "... clearly" grep -qiE "$re" <<<"$out" || say "$out"
	t_eq "... nothing made (keys, links, files, conflist, agent)" "$(keys_of "$n"; leftovers h2 "$n" 10.4)" ""
}
bad "an unreachable store" bad1 "192\.0\.2\.99" --store etcd://192.0.2.99:2379 --subnet 10.40.0.0/16
bad "a CIDR that is not one" bad2 "10\.41\.0\.0/33" --store "$MH_STORE" --subnet 10.41.0.0/33
bad "subnet_len shorter than the CIDR's" bad3 "subnet_len" --store "$MH_STORE" --subnet 10.42.0.0/16 --opt subnet_len=8
nr h2 network create --subnet 10.43.5.0/24 "$MH_P-local" >/dev/null 2>&1
bad "a CIDR overlapping a local network" bad4 "$MH_P-local|10\.43\.5\.0/24|overlap" --store "$MH_STORE" --subnet 10.43.0.0/16
nr h2 network rm "$MH_P-local" >/dev/null 2>&1
on h2 ip link add vx77 type vxlan id 77 dstport 4789 local 192.0.2.12
bad "a VNI a VXLAN device of this host has" bad6 "vx77|77" --store "$MH_STORE" --subnet 10.44.0.0/16 --opt vni=77
on h2 ip link del vx77
etcd put "$K/networks/bad5" 'garbage, not a definition' >/dev/null
out=$(nr h3 network join --store "$MH_STORE" bad5 2>&1)
t_check "bad: garbage as a network's definition in the store: join refused" test $? != 0
t_check "... naming the key or the network" grep -q "bad5" <<<"$out" || say "$out"
t_eq "... nothing made" "$(leftovers h3 bad5 10.4; etcd_keys "$K/subnets/bad5/")" ""
etcd del "$K/networks/bad5" >/dev/null
out=$(nr h3 network join --store "$MH_STORE" nosuch 2>&1)
t_check "bad: join of a network etcd does not have: refused" test $? != 0
t_check "... naming it" grep -q nosuch <<<"$out" || say "$out"
finish
