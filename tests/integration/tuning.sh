#!/bin/bash
# The tuning plugin chained after our bridge + host-local: sysctls visible in the
# container's namespace only, MAC/MTU/promisc/allmulti/txQLen applied and put back on DEL,
# the same result as the reference plugin for the same input, backups either plugin can
# restore, CHECK, the allowlist, a battery of bad inputs that change nothing, rollback of a
# half-applied ADD, churn and concurrent ADD/DEL.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/libcni_client.sh"

REF=/usr/lib/cni/tuning
DATA=$(mktemp -d -p /var/lib/cni tu.XXXXXX)
TMP=$(mktemp -d)
BR=nrtu0
BACKUPS=/run/cni/tuning
trap 'umount /etc/cni 2>/dev/null; rm -rf "$TMP"' EXIT

BRCONF=$(jq -nc --arg b "$BR" --arg d "$DATA" '{cniVersion:"1.0.0", name:"tunet", type:"bridge", bridge:$b,
	isGateway:true, ipam:{type:"host-local", dataDir:$d, ranges:[[{"subnet":"198.51.100.0/24"}]]}}')
br() { CNI_CONTAINERID=$2 cni bridge "$1" "/run/netns/$2" eth0 "$BRCONF"; }
# tconf PREV EXTRA [VERSION]: a tuning config chained after PREV.
tconf() {
	jq -nc --argjson p "$1" --argjson x "$2" --arg v "${3:-1.0.0}" \
		'{cniVersion:$v, name:"tunet", type:"tuning", prevResult:$p} + $x'
}
# tu|ref CMD NS CONF [CNI_ARGS]: ours or the reference, CNI_CONTAINERID=NS.
tu() { CNI_CONTAINERID=$2 CNI_ARGS=${4:-} cni tuning "$1" "/run/netns/$2" eth0 "$3"; }
ref() {
	CNI_COMMAND=$1 CNI_CONTAINERID=$2 CNI_NETNS=/run/netns/$2 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni \
		CNI_ARGS=${4:-} "$REF" <<<"$3"
}
code() { jq -r '.code // "none"' <<<"$1"; }
# link NS: "mac mtu qlen promisc allmulti" of eth0.
link() {
	ip -n "$1" -j -d link show eth0 | jq -r '.[0] | [.address, .mtu, .txqlen, (.flags | index("PROMISC") != null),
		(.flags | index("ALLMULTI") != null)] | map(tostring) | join(" ")'
}
nsctl() { ip netns exec "$1" cat "/proc/sys/$2"; }
# state NS: everything tuning may touch, to show that a refused call changed nothing.
state() {
	link "$1"
	nsctl "$1" net/core/somaxconn
	nsctl "$1" net/ipv4/conf/eth0/arp_ignore
	cat /proc/sys/net/core/somaxconn
	find "$BACKUPS" -type f -printf '%f %s\n' 2>/dev/null | sort
}

ip netns add a
PREV=$(br ADD a)
t_eq "bridge ADD for a" "$(jq -r '.interfaces[2].name' <<<"$PREV")" eth0
ORIG=$(link a)
HOST_SOMAXCONN=$(cat /proc/sys/net/core/somaxconn)
ORIG_MAC=${ORIG%% *}

# --- ADD: everything at once -----------------------------------------------------------
FULL='{"sysctl":{"net.core.somaxconn":"1024","net.ipv4.conf.IFNAME.arp_ignore":"1"},
	"mac":"02:00:5e:10:00:01","mtu":1400,"promisc":true,"allmulti":true,"txQLen":500}'
out=$(tu ADD a "$(tconf "$PREV" "$FULL")"); rc=$?
t_eq "ADD exits 0" "$rc" 0
t_eq "somaxconn set in the container" "$(nsctl a net/core/somaxconn)" 1024
t_eq "IFNAME stands for the interface" "$(nsctl a net/ipv4/conf/eth0/arp_ignore)" 1
t_eq "the host's somaxconn is untouched" "$(cat /proc/sys/net/core/somaxconn)" "$HOST_SOMAXCONN"
t_eq "mac mtu txqlen promisc allmulti applied" "$(link a)" "02:00:5e:10:00:01 1400 500 true true"
t_eq "the result is prevResult with the new MAC" "$(jq -S . <<<"$out")" \
	"$(jq -S '.interfaces[2].mac = "02:00:5e:10:00:01"' <<<"$PREV")"
t_check "a backup was saved" test -f "$BACKUPS/a_eth0.json"
t_eq "the backup holds the originals (the reference's format)" \
	"$(jq -c '[.mac, .mtu, .txQLen, .promisc, .allmulti] | map(tostring) | join(" ")' "$BACKUPS/a_eth0.json")" \
	"\"$ORIG\""
t_check "the link is still reachable" ip netns exec a ping -c1 -W1 198.51.100.1

# --- CHECK -------------------------------------------------------------------------------
CHK=$(tconf "$out" "$FULL")
out2=$(tu CHECK a "$CHK"); rc=$?
t_eq "CHECK passes after ADD" "$rc:$out2" "0:"
ip -n a link set eth0 mtu 1450
out2=$(tu CHECK a "$CHK"); rc=$?
t_eq "CHECK fails when the MTU moved" "$rc $(code "$out2")" "1 100"
ip -n a link set eth0 mtu 1400
ip netns exec a sh -c 'echo 512 > /proc/sys/net/core/somaxconn'
out2=$(tu CHECK a "$CHK"); rc=$?
t_eq "CHECK fails when a sysctl moved" "$rc $(code "$out2")" "1 100"
ip netns exec a sh -c 'echo 1024 > /proc/sys/net/core/somaxconn'
out2=$(tu CHECK a "$(tconf "$out" '{"mac":"02:00:5e:10:00:02"}')"); rc=$?
t_eq "CHECK fails on another MAC" "$rc $(code "$out2")" "1 100"
out2=$(tu CHECK a "$(tconf "$out" '{"txQLen":501}')"); rc=$?
t_eq "CHECK fails on another txQLen" "$rc $(code "$out2")" "1 100"
out2=$(tu CHECK a "$(jq -c 'del(.prevResult)' <<<"$CHK")"); rc=$?
t_eq "CHECK without prevResult is refused" "$rc $(code "$out2")" "1 7"

# --- DEL ---------------------------------------------------------------------------------
out=$(tu DEL a "$(tconf "$PREV" '{}')"); rc=$?
t_eq "DEL exits 0 (with a config that names nothing)" "$rc:$out" "0:"
t_eq "DEL put the link back" "$(link a)" "$ORIG"
t_check "DEL removed the backup" test ! -e "$BACKUPS/a_eth0.json"
out=$(tu DEL a "$(tconf "$PREV" "$FULL")"); rc=$?
t_eq "a second DEL succeeds" "$rc:$out" "0:"
t_eq "... and changes nothing" "$(link a)" "$ORIG"

# --- the same result as the reference, and backups either plugin restores -----------------
REFFULL='{"sysctl":{"net.core.somaxconn":"1024","net.ipv4.conf.IFNAME.arp_ignore":"1"},
	"mac":"02:00:5e:10:00:01","mtu":1400,"promisc":true,"allmulti":true}'
for v in 0.3.0 0.3.1 0.4.0 1.0.0; do
	p=$(jq -c --arg v "$v" '.cniVersion = $v' <<<"$PREV")
	o=$(tu ADD a "$(tconf "$p" "$REFFULL" "$v")"); rc1=$?
	tu DEL a "$(tconf "$p" '{}' "$v")" >/dev/null
	r=$(ref ADD a "$(tconf "$p" "$REFFULL" "$v")"); rc2=$?
	ref DEL a "$(tconf "$p" '{}' "$v")" >/dev/null
	t_eq "cniVersion $v: the reference's result" "$rc1 $(jq -cS . <<<"$o")" "$rc2 $(jq -cS . <<<"$r")"
done
o=$(tu ADD a "$(tconf "$(jq -c '.cniVersion="1.1.0"' <<<"$PREV")" "$REFFULL" 1.1.0)"); rc=$?
t_eq "cniVersion 1.1.0 (newer than the reference speaks)" "$rc $(jq -r .cniVersion <<<"$o")" "0 1.1.0"
tu DEL a "$(tconf "$PREV" '{}')" >/dev/null
t_eq "the link is back after each" "$(link a)" "$ORIG"

ref ADD a "$(tconf "$PREV" "$REFFULL")" >/dev/null
tu DEL a "$(tconf "$PREV" '{}')" >/dev/null
t_eq "our DEL restores after the reference's ADD" "$(link a)" "$ORIG"
t_check "... and removes its backup" test ! -e "$BACKUPS/a_eth0.json"
tu ADD a "$(tconf "$PREV" "$REFFULL")" >/dev/null
ref DEL a "$(tconf "$PREV" '{}')" >/dev/null
t_eq "the reference's DEL restores after our ADD" "$(link a)" "$ORIG"

# --- the MAC from CNI_ARGS and from the capability -----------------------------------------
o=$(tu ADD a "$(tconf "$PREV" '{}')" "IgnoreUnknown=1;MAC=02:00:5e:10:00:0a")
m=$(link a | cut -d' ' -f1)
tu DEL a "$(tconf "$PREV" '{}')" >/dev/null
r=$(ref ADD a "$(tconf "$PREV" '{}')" "IgnoreUnknown=1;MAC=02:00:5e:10:00:0a")
ref DEL a "$(tconf "$PREV" '{}')" >/dev/null
t_eq "CNI_ARGS MAC= sets the MAC (as the reference)" "$m $(jq -c . <<<"$o")" "02:00:5e:10:00:0a $(jq -c . <<<"$r")"
CAP='{"capabilities":{"mac":true},"runtimeConfig":{"mac":"02:00:5e:10:00:0b"},"mac":"02:00:5e:10:00:0c"}'
o=$(tu ADD a "$(tconf "$PREV" "$CAP")" "MAC=02:00:5e:10:00:0d")
t_eq "runtimeConfig.mac wins over mac and CNI_ARGS" \
	"$(link a | cut -d' ' -f1) $(jq -r '.interfaces[2].mac' <<<"$o")" "02:00:5e:10:00:0b 02:00:5e:10:00:0b"
tu DEL a "$(tconf "$PREV" '{}')" >/dev/null
o=$(tu ADD a "$(tconf "$PREV" '{"args":{"cni":{"mac":"02:00:5e:10:00:0e","mtu":1300}}}')")
t_eq "args.cni.mac and mtu" "$(link a | cut -d' ' -f1,2)" "02:00:5e:10:00:0e 1300"
tu DEL a "$(tconf "$PREV" '{}')" >/dev/null
o=$(tu ADD a "$(tconf "$PREV" '{"sysctl":{"net/ipv4/conf/eth0/arp_ignore":"2"}}')")
t_eq "the slash form of a key" "$(nsctl a net/ipv4/conf/eth0/arp_ignore)" 2
t_eq "the link is back" "$(link a)" "$ORIG"

# --- refused: nothing changes -------------------------------------------------------------
ip netns exec a sh -c 'echo 1000 > /proc/sys/net/core/somaxconn; echo 0 > /proc/sys/net/ipv4/conf/eth0/arp_ignore'
BEFORE=$(state a)
# bad CMD CODE REGEX EXTRA [CNI_ARGS]
bad() {
	local out rc
	out=$(tu "$1" a "$(tconf "$PREV" "$4")" "${5:-}" 2>"$TMP/err"); rc=$?
	if [ "$rc" != 1 ] || [ "$(code "$out")" != "$2" ] || ! jq -e --arg re "$3" '.msg | test($re)' <<<"$out" >/dev/null; then
		t_fail "$1 $4 -> $2" "exit $rc: $out"
	elif [ "$(state a)" != "$BEFORE" ]; then
		t_fail "$1 $4 -> $2" "state changed: $(diff <(echo "$BEFORE") <(state a) | tr '\n' ' ')"
	elif [ -s "$TMP/err" ]; then
		t_fail "$1 $4 -> $2" "stderr: $(head -c 200 "$TMP/err")"
	else
		t_ok "$1 $4 -> $2"
	fi
}
bad ADD 7 'only net' '{"sysctl":{"kernel.hostname":"x"}}'
bad ADD 7 'only net' '{"sysctl":{"vm/overcommit_memory":"1"}}'
bad ADD 7 'component' '{"sysctl":{"net/../kernel/hostname":"x"}}'
bad ADD 7 'component' '{"sysctl":{"net/core/../../kernel/hostname":"x"}}'
bad ADD 7 'component' '{"sysctl":{"net..core.somaxconn":"5"}}'
bad ADD 7 'component' '{"sysctl":{"net/./core/somaxconn":"5"}}'
bad ADD 7 'component' '{"sysctl":{"/net/core/somaxconn":"5"}}'
bad ADD 7 'names no sysctl' '{"sysctl":{"net":"5"}}'
bad ADD 7 'invalid net sysctl' '{"sysctl":{"":"5"}}'
bad ADD 7 'only net' '{"sysctl":{"net.core.somaxconn":"5","kernel.pid_max":"5"}}'
bad ADD 6 'must be a string' '{"sysctl":{"net.core.somaxconn":5}}'
bad ADD 6 'sysctl' '{"sysctl":["net.core.somaxconn"]}'
bad ADD 6 'must be a string' '{"args":{"cni":{"sysctl":{"net.core.somaxconn":true}}}}'
bad ADD 6 'mtu' '{"mtu":"1400"}'
bad ADD 7 'mtu' '{"mtu":-1}'
bad ADD 7 'mtu' '{"mtu":70000}'
bad ADD 6 'mtu' '{"mtu":1.5}'
bad ADD 7 'txQLen' '{"txQLen":-1}'
bad ADD 6 'promisc' '{"promisc":"yes"}'
bad ADD 6 'allmulti' '{"allmulti":1}'
bad ADD 6 'mac' '{"mac":5}'
bad ADD 7 'MAC' '{"mac":"zz"}'
bad ADD 7 'MAC' '{"mac":"02:00:5e:10:00"}'
bad ADD 7 'MAC' '{"runtimeConfig":{"mac":"02:00:5e:10:00:0g"}}'
bad ADD 7 'MAC' '{"args":{"cni":{"mac":"nope"}}}'
bad ADD 7 'MAC' '{}' 'MAC=01:02'
bad ADD 4 'FOO' '{}' 'FOO=1'
bad ADD 2 'noSuchField' '{"noSuchField":1}'
bad ADD 6 'dataDir' '{"dataDir":5}'
bad CHECK 7 'only net' '{"sysctl":{"kernel.hostname":"x"}}'
# Failures only the kernel finds: what was written before is put back.
bad ADD 100 'nope' '{"sysctl":{"net.core.somaxconn":"2048","net.core.nope":"1"}}'
bad ADD 100 'somaxconn' '{"sysctl":{"net.ipv4.conf.eth0.arp_ignore":"1","net.core.somaxconn":"abc"}}'
bad ADD 100 'MTU' '{"sysctl":{"net.core.somaxconn":"2048"},"mac":"02:00:5e:10:00:0f","promisc":true,"mtu":20}'
bad ADD 100 'MAC' '{"mac":"01:00:5e:10:00:01","mtu":1300}'
out=$(tu ADD a "$(jq -c 'del(.prevResult)' <<<"$(tconf "$PREV" '{"mtu":1300}')")"); rc=$?
t_eq "ADD without prevResult is refused" "$rc $(code "$out") $(state a | head -1)" "1 7 $ORIG"
out=$(CNI_CONTAINERID=a cni tuning ADD /run/netns/a eth9 "$(tconf "$PREV" '{"mtu":1300,"sysctl":{"net.core.somaxconn":"2048"}}')"); rc=$?
t_eq "ADD on a missing interface: code 100, nothing changed" "$rc $(code "$out") $(state a | tr '\n' ' ')" \
	"1 100 $(tr '\n' ' ' <<<"$BEFORE")"

# --- the allowlist ------------------------------------------------------------------------
mkdir -p "$TMP/etc-cni/tuning"
printf '%s\n' '^net\.core\.somaxconn$' '' '^net\.ipv4\.conf\.IFNAME\.arp_(ignore|filter)$' >"$TMP/etc-cni/tuning/allowlist.conf"
mount --bind "$TMP/etc-cni" /etc/cni
out=$(tu ADD a "$(tconf "$PREV" '{"sysctl":{"net.core.somaxconn":"1024","net.ipv4.conf.IFNAME.arp_ignore":"1"}}')"); rc=$?
t_eq "allowlisted sysctls are set" "$rc $(nsctl a net/core/somaxconn) $(nsctl a net/ipv4/conf/eth0/arp_ignore)" "0 1024 1"
ip netns exec a sh -c 'echo 1000 > /proc/sys/net/core/somaxconn; echo 0 > /proc/sys/net/ipv4/conf/eth0/arp_ignore'
bad ADD 7 'not allowed' '{"sysctl":{"net.core.somaxconn":"1024","net.ipv4.tcp_syncookies":"0"}}'
bad ADD 7 'not allowed' '{"sysctl":{"net.ipv4.conf.eth0.arp_ignore":"1"}}'
printf '%s\n' '^net\.(' >"$TMP/etc-cni/tuning/allowlist.conf"
bad ADD 7 'invalid expression' '{"sysctl":{"net.core.somaxconn":"1024"}}'
out=$(tu ADD a "$(tconf "$PREV" '{"mtu":1300}')"); rc=$?
t_eq "the allowlist does not concern link attributes" "$rc $(link a | cut -d' ' -f2)" "0 1300"
tu DEL a "$(tconf "$PREV" '{}')" >/dev/null
umount /etc/cni

# --- DEL in every state ---------------------------------------------------------------------
tu ADD a "$(tconf "$PREV" '{"mtu":1300}')" >/dev/null
tu ADD a "$(tconf "$PREV" '{"mtu":1200,"txQLen":10}')" >/dev/null
tu DEL a "$(tconf "$PREV" '{}')" >/dev/null
t_eq "two ADDs then DEL: the first ADD's originals come back" "$(link a)" "$ORIG"
DD='{"dataDir":"/run/tu-x/deep/dir","mtu":1300}'
tu ADD a "$(tconf "$PREV" "$DD")" >/dev/null
t_check "dataDir: the backup goes there (missing parents made)" test -f /run/tu-x/deep/dir/a_eth0.json
tu DEL a "$(tconf "$PREV" "$DD")" >/dev/null
t_eq "... and DEL restores from there" "$(link a) $(ls /run/tu-x/deep/dir | wc -l)" "$ORIG 0"
out=$(tu DEL a '{"cniVersion":"1.0.0","name":"tunet","type":"tuning","mtu":"junk","noSuchField":1}'); rc=$?
t_eq "DEL does not read what it does not need" "$rc:$out" "0:"
ip netns add g
PG=$(br ADD g)
tu ADD g "$(tconf "$PG" '{"mtu":1300}')" >/dev/null
br DEL g >/dev/null
ip netns del g
out=$(CNI_CONTAINERID=g cni tuning DEL /run/netns/g eth0 "$(tconf "$PG" '{}')"); rc=$?
t_eq "DEL after the namespace is gone succeeds" "$rc:$out" "0:"
t_check "... and drops the backup" test ! -e "$BACKUPS/g_eth0.json"

# --- GC: backups of attachments whose DEL never came ------------------------------------------
at() { CNI_CONTAINERID=$1 cni tuning "$2" /run/netns/a eth0 "$3"; }
at a ADD "$(tconf "$PREV" '{"mtu":1300}')" >/dev/null
at z ADD "$(tconf "$PREV" '{"txQLen":77}')" >/dev/null
at y ADD "$(tconf "$PREV" '{"allmulti":true}' | jq -c '.name = "other"')" >/dev/null
CNI_CONTAINERID=r CNI_COMMAND=ADD CNI_NETNS=/run/netns/a CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni "$REF" \
	<<<"$(tconf "$PREV" '{"promisc":true}')" >/dev/null
GC=$(jq -nc '{cniVersion:"1.1.0", name:"tunet", type:"tuning",
	"cni.dev/valid-attachments":[{containerID:"a", ifname:"eth0"}]}')
out=$(at a GC "$GC"); rc=$?
t_eq "GC exits 0" "$rc:$out" "0:"
t_eq "GC removed the stale backup of its network only (not another network's, nor the reference's)" \
	"$(ls "$BACKUPS" | sort | tr '\n' ' ')" "a_eth0.json r_eth0.json y_eth0.json "
CNI_CONTAINERID=r CNI_COMMAND=DEL CNI_NETNS=/run/netns/a CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni "$REF" \
	<<<"$(tconf "$PREV" '{}')" >/dev/null
at y DEL "$(tconf "$PREV" '{}' | jq -c '.name = "other"')" >/dev/null
at a DEL "$(tconf "$PREV" '{}')" >/dev/null
ip -n a link set eth0 txqueuelen 1000
t_eq "the rest restored by their DELs" "$(link a) $(ls "$BACKUPS" | wc -l)" "$ORIG 0"

# --- crash points: ADD SIGKILLed at each syscall of a kind, then one DEL puts everything back --
# strace's fault injection counts the calls (-e inject=SYSCALL:signal=KILL:when=N), so each
# point is hit exactly; the next N is the next point, until a run completes.
points=0 bad_points=""
for sc in openat write sendmsg sendto recvmsg rename setns; do
	for n in $(seq 1 40); do
		# In a subshell, so that bash's "Killed" report goes to /dev/null with the rest.
		(CNI_COMMAND=ADD CNI_CONTAINERID=a CNI_NETNS=/run/netns/a CNI_IFNAME=eth0 CNI_PATH=$CNI_BIN \
			strace -qq -o /dev/null -e inject="$sc:signal=KILL:when=$n" "$CNI_BIN/tuning" \
			<<<"$(tconf "$PREV" "$FULL")" >/dev/null 2>&1) 2>/dev/null
		rc=$?
		tu DEL a "$(tconf "$PREV" '{}')" >/dev/null || bad_points+=" $sc#$n(DEL failed)"
		[ "$(link a)" = "$ORIG" ] && [ -z "$(ls -A "$BACKUPS" 2>/dev/null)" ] ||
			{ bad_points+=" $sc#$n($(link a); $(ls -A "$BACKUPS" | tr '\n' ' '))"; ip -n a link set eth0 address "$ORIG_MAC" mtu 1500 txqueuelen 1000 promisc off allmulticast off; rm -f "$BACKUPS"/*; }
		[ $rc = 137 ] || break
		points=$((points + 1))
	done
done
t_eq "SIGKILL at $points points of ADD: each time one DEL restores the link and leaves no file" "${bad_points:-none}" none
t_check "at least 30 points were hit" test "$points" -ge 30

# --- through libcni, as podman drives a conflist: ADD, CHECK, DEL of bridge + tuning ----------
if why=$(libcni_client_build); then
	ip netns add l
	jq -n --arg d "$DATA" '{cniVersion:"1.0.0", name:"tulib", plugins:[
		{type:"bridge", bridge:"nrtu1", isGateway:true,
		 ipam:{type:"host-local", dataDir:$d, ranges:[[{subnet:"203.0.113.0/24"}]]}},
		{type:"tuning", sysctl:{"net.ipv4.conf.IFNAME.arp_ignore":"2"}, mtu:1400, mac:"02:00:5e:10:00:21"}]}' \
		>"$TMP/tulib.conflist"
	lib() { NR_CNI_CACHE=$TMP/cache CNI_PATH=$CNI_BIN "$LIBCNI_CLIENT" "$1" "$TMP/tulib.conflist" /run/netns/l l eth0; }
	out=$(lib add 2>&1); rc=$?
	t_eq "libcni ADD of bridge + tuning" "$rc $(jq -r '.interfaces[] | select(.sandbox) | .mac' <<<"$out" 2>/dev/null)" \
		"0 02:00:5e:10:00:21"
	t_eq "... applied" "$(link l | cut -d' ' -f1,2) $(nsctl l net/ipv4/conf/eth0/arp_ignore)" "02:00:5e:10:00:21 1400 2"
	out=$(lib check 2>&1); rc=$?
	t_eq "libcni CHECK" "$rc:$out" "0:"
	out=$(lib del 2>&1); rc=$?
	t_eq "libcni DEL" "$rc:$out $(ip -n l link show eth0 2>&1 | grep -c eth0@) $(find "$BACKUPS" -type f | wc -l)" "0: 0 0"
	ip link del nrtu1 2>/dev/null
	ip netns del l
else
	t_skip "libcni ADD/CHECK/DEL of bridge + tuning" "$why"
fi

# --- churn and concurrency ------------------------------------------------------------------
ok=1
for i in $(seq 20); do
	tu ADD a "$(tconf "$PREV" "$FULL")" >/dev/null || { ok=0; break; }
	[ "$(link a)" = "02:00:5e:10:00:01 1400 500 true true" ] || { ok=0; break; }
	tu DEL a "$(tconf "$PREV" '{}')" >/dev/null || { ok=0; break; }
	[ "$(link a)" = "$ORIG" ] || { ok=0; break; }
done
t_eq "20 ADD/DEL cycles, each applied and undone" "$ok" 1
N=6
for i in $(seq $N); do ip netns add "p$i"; done
for i in $(seq $N); do br ADD "p$i" >"$TMP/prev$i" & done
wait
for i in $(seq $N); do
	(for k in 1 2 3; do
		tu ADD "p$i" "$(tconf "$(cat "$TMP/prev$i")" "$FULL")" >/dev/null || exit 1
		tu DEL "p$i" "$(tconf "$(cat "$TMP/prev$i")" '{}')" >/dev/null || exit 1
	done
	tu ADD "p$i" "$(tconf "$(cat "$TMP/prev$i")" "$FULL")" >"$TMP/out$i") &
done
wait
good=0
for i in $(seq $N); do
	[ "$(link "p$i")" = "02:00:5e:10:00:01 1400 500 true true" ] && [ "$(nsctl "p$i" net/core/somaxconn)" = 1024 ] &&
		[ "$(jq -r '.interfaces[2].mac' "$TMP/out$i")" = 02:00:5e:10:00:01 ] && good=$((good + 1))
done
t_eq "$N containers tuned concurrently" "$good" $N
for i in $(seq $N); do tu DEL "p$i" "$(tconf "$(cat "$TMP/prev$i")" '{}')" >/dev/null & done
wait
t_eq "... and all restored, no backup left" "$(find "$BACKUPS" -type f | wc -l)" 0
for i in $(seq $N); do br DEL "p$i" >/dev/null; ip netns del "p$i"; done

br DEL a >/dev/null
ip netns del a
t_eq "nothing left in the backup directory" "$(find "$BACKUPS" -type f 2>/dev/null | wc -l)" 0
t_eq "the host's somaxconn never changed" "$(cat /proc/sys/net/core/somaxconn)" "$HOST_SOMAXCONN"
t_done
