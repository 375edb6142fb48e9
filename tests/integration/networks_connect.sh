#!/bin/bash
# Containers on several user networks (issue 17), driven as a Docker user would: run with
# --network repeated, --ip, --mac-address, --network-alias; `network connect` and
# `disconnect` of a running container (traffic on the new network, none after); what is
# refused (none/host/container: containers, a network already joined, bad values: 125 and
# nothing left); rm releasing every attachment; ps and inspect showing every network; an
# --internal network (nothing leaves: the "outside" is a netns on 198.51.100.0/24 behind the
# host) and enable_icc=false.  All in the sandbox's own network and mount namespace.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/runtime.sh"

if ! "$NR" network connect --help >/dev/null 2>&1 || ! "$NR" network create --help >/dev/null 2>&1; then
	t_fail "network create and connect exist" "this build has no network create/connect verb"
	t_done
	exit
fi
if [ ! -x /bin/busybox ] || ldd /bin/busybox >/dev/null 2>&1; then
	t_skip "networks connect" "needs busybox-static (/bin/busybox)"
	t_done
	exit
fi

CFG=$NETNS_RUN_CONFIG_DIR
bridge_of() { jq -r '.plugins[] | select(.type == "bridge") | .bridge' "$CFG/$1.conflist" 2>/dev/null; }
ports() { ip -o link show master "$(bridge_of "$1")" 2>/dev/null | wc -l; }
leases() { nr_leases "/var/lib/cni/networks/$1"; }
x() { "$NR" exec "$@" 2>&1; }
# The default route as "GATEWAY DEV" (busybox's ip route shows every route whatever the selector).
defroute() { "$NR" exec "$1" busybox ip route 2>&1 | awk '$1 == "default" {print $3, $5}'; }
# v4 CONTAINER IF: the interface's IPv4 address, seen inside.
v4() { "$NR" exec "$1" busybox ip -4 -o addr show "$2" 2>/dev/null | awk '{for (i = 1; i <= NF; i++) if ($i == "inet") { sub("/.*", "", $(i+1)); print $(i+1) }}'; }
links() { "$NR" exec "$1" busybox ip -o link 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | tr '\n' ' '; }
pings() { "$NR" exec "$1" busybox ping -c1 -W2 "$2" >/dev/null 2>&1; }
# no_ping FROM IP: one echo, one second to answer (bounded), and none comes.
# (The ping must have started: a failed exec is no proof of anything.)
no_ping() {
	local out
	out=$("$NR" exec "$1" busybox ping -c1 -W1 -w2 "$2" 2>&1) && return 1
	grep -q "^PING $2 " <<<"$out"
}
# The networks inspect shows, in Docker's shape (NetworkSettings.Networks), sorted.
net_names() { "$NR" inspect "$1" 2>/dev/null | jq -r '.NetworkSettings.Networks | keys | join(" ")'; }
ns() { "$NR" inspect "$1" 2>/dev/null | jq -r ".NetworkSettings.Networks$2"; }
# ps_rows NAME: the container's line of `ps`, and any continuation lines under it.
ps_rows() { "$NR" ps 2>/dev/null | awk -v n="$1" '$1 == n { p = 1; print; next } /^[^ \t]/ { p = 0 } p'; }

# refused WHAT GREP-ERE CMD...: exit 125, a message matching, and nothing left behind.
refused() {
	local what=$1 re=$2 out rc before
	shift 2
	before=$(nr_leftovers; ip -o link show type veth | wc -l; find /var/lib/cni/networks -type f ! -name lock ! -name 'last_reserved_ip*' ! -path '*/.nr-index/*' 2>/dev/null | sort)
	out=$("$@" 2>&1 >/dev/null); rc=$?
	local after
	after=$(nr_leftovers; ip -o link show type veth | wc -l; find /var/lib/cni/networks -type f ! -name lock ! -name 'last_reserved_ip*' ! -path '*/.nr-index/*' 2>/dev/null | sort)
	# One clear line (or a few), from netns-run.
	if [ "$rc" = 125 ] && grep -qiE "$re" <<<"$out" && [ "$before" = "$after" ] && [ "$(wc -l <<<"$out")" -le 3 ] &&
		[ "${out#netns-run}" != "$out" ]; then
		t_ok "refused: $what"
	else
		t_fail "refused: $what" "rc $rc, message: $out$([ "$before" = "$after" ] || printf '\n#   left behind: %s' "$(diff <(echo "$before") <(echo "$after") | tr '\n' ' ')")"
	fi
}

# DNS responders (docs/dns.md) of this sandbox: those in our network namespace.
dns_procs() {
	local me p
	me=$(readlink /proc/self/ns/net)
	for p in $(pgrep -x netns-run-dns); do [ "$(readlink "/proc/$p/ns/net" 2>/dev/null)" = "$me" ] && echo "$p"; done
}

"$NR" network create --subnet 10.61.0.0/24 neta >/dev/null && "$NR" network create --subnet 10.62.0.0/24 netb >/dev/null
t_eq "two networks: neta 10.61.0.0/24, netb 10.62.0.0/24" $? 0

# --- run --network A --network B -----------------------------------------------------------
"$NR" run -d --name "$P-c1" --network neta --network netb sleep 300 >/dev/null; t_eq "run -d --network neta --network netb" $? 0
"$NR" run -d --name "$P-a" --network neta sleep 300 >/dev/null
"$NR" run -d --name "$P-b" --network netb sleep 300 >/dev/null
t_eq "c1 has lo, eth0 and eth1" "$(links "$P-c1")" "lo eth0 eth1 "
t_eq "a DNS responder runs for each network (the leftover check at the end can see them)" "$(dns_procs | wc -l)" 2
c1a=$(v4 "$P-c1" eth0); c1b=$(v4 "$P-c1" eth1); aa=$(v4 "$P-a" eth0); bb=$(v4 "$P-b" eth0)
t_check "eth0 is on neta ($c1a), eth1 on netb ($c1b)" sh -c "case '$c1a $c1b' in 10.61.0.*' '10.62.0.*) ;; *) exit 1;; esac"
t_check "c1 reaches a on neta ($aa)" pings "$P-c1" "$aa"
t_check "c1 reaches b on netb ($bb)" pings "$P-c1" "$bb"
t_check "a reaches c1's neta address" pings "$P-a" "$c1a"
t_check "b reaches c1's netb address" pings "$P-b" "$c1b"
t_check "a (neta only) does not reach b (netb only)" no_ping "$P-a" "$bb"
t_eq "one default route, via eth0 (neta's gateway 10.61.0.1)" "$(defroute "$P-c1")" "10.61.0.1 eth0"
t_check "eth1 routes its own subnet" sh -c "'$NR' exec $P-c1 busybox ip route | grep -q '^10.62.0.0/24 dev eth1'"
t_eq "inspect shows both networks" "$(net_names "$P-c1")" "neta netb"
t_eq "... with each network's address and interface" "$(ns "$P-c1" '.neta | "\(.IPAddress) \(.InterfaceName)"') $(ns "$P-c1" '.netb | "\(.IPAddress) \(.InterfaceName)"')" \
	"$c1a eth0 $c1b eth1"
row=$(ps_rows "$P-c1")
has_all() { local s=$1 w; shift; for w in "$@"; do grep -qF -- "$w" <<<"$s" || return 1; done; }
t_check "ps shows both networks on c1's line ($row)" has_all "$row" neta netb
t_check "... and both addresses" has_all "$row" "$c1a" "$c1b"
t_eq "network inspect neta lists c1 and a" "$("$NR" network inspect neta | jq -r '[.[0].Containers[].Name] | sort | join(" ")')" "$P-a $P-c1"
t_eq "network inspect netb lists b and c1" "$("$NR" network inspect netb | jq -r '[.[0].Containers[].Name] | sort | join(" ")')" "$P-b $P-c1"
t_eq "network inspect neta netb: an array of both" "$("$NR" network inspect neta netb | jq -r '[.[].Name] | join(" ")')" "neta netb"
# rm of several, one in use: the others go, the one in use stays, 125 (as Docker).
"$NR" network create --subnet 10.68.0.0/24 spare >/dev/null
out=$("$NR" network rm neta spare 2>&1); rc=$?
t_eq "rm of an in-use and an unused network: 125" "$rc" 125
t_check "... the unused one is gone ($out)" test ! -e "$CFG/spare.conflist"
t_check "... the one in use stays" test -s "$CFG/neta.conflist"

# rm -f of the two-network container releases both attachments.
la=$(leases neta); lb=$(leases netb); pa=$(ports neta); pb=$(ports netb); id_c1=$(state .id "$P-c1")
"$NR" rm -f "$P-c1" >/dev/null; t_eq "rm -f c1" $? 0
t_eq "... releases its neta lease and bridge port" "$(leases neta) $(ports neta)" "$((la - 1)) $((pa - 1))"
t_eq "... and its netb lease and bridge port" "$(leases netb) $(ports netb)" "$((lb - 1)) $((pb - 1))"
t_eq "... and both cached results" "$(find /var/lib/cni/results -name "*$id_c1*" | wc -l)" 0

# --- --ip, --mac-address, --network-alias ----------------------------------------------------
"$NR" run -d --name "$P-f" --network neta --ip 10.61.0.50 --mac-address 02:42:0a:3d:00:32 --network-alias web \
	sleep 300 >/dev/null; t_eq "run --ip 10.61.0.50 --mac-address 02:42:0a:3d:00:32 --network-alias web" $? 0
t_eq "--ip is the container's address" "$(v4 "$P-f" eth0)" 10.61.0.50
t_eq "--mac-address is eth0's address inside" "$(x "$P-f" cat /sys/class/net/eth0/address)" 02:42:0a:3d:00:32
t_check "a reaches it at 10.61.0.50" pings "$P-a" 10.61.0.50
t_eq "inspect shows the alias and the MAC" "$(ns "$P-f" '.neta | "\(.Aliases | join(",")) \(.MacAddress)"')" "web 02:42:0a:3d:00:32"
t_eq "network inspect shows its MacAddress and IPv4Address" \
	"$("$NR" network inspect neta | jq -r ".[0].Containers[] | select(.Name == \"$P-f\") | \"\(.MacAddress) \(.IPv4Address)\"")" \
	"02:42:0a:3d:00:32 10.61.0.50/24"

refused "--ip already in use" "10.61.0.50" "$NR" run --rm --network neta --ip 10.61.0.50 -- true
refused "--ip outside the network's subnet" "10.99.0.5" "$NR" run --rm --network neta --ip 10.99.0.5 -- true
refused "--ip that is no address" "bogus" "$NR" run --rm --network neta --ip bogus -- true
# Docker refuses --ip on its default bridge; we take it there too (podman's way: the
# built-in network's host-local honours it).
t_eq "--ip on the built-in bridge network is honoured" \
	"$("$NR" run --rm --ip 10.88.0.50 -- busybox ip -4 -o addr show eth0 2>&1 | awk '{print $4}')" 10.88.0.50/16
refused "--mac-address that is no MAC" "mac|zz" "$NR" run --rm --network neta --mac-address zz:42:0a:3d:00:32 -- true
refused "a multicast --mac-address" "mac|01:00:5e" "$NR" run --rm --network neta --mac-address 01:00:5e:00:00:01 -- true
refused "--network-alias on the default bridge (docker: user-defined only)" "alias" "$NR" run --rm --network-alias w -- true
refused "--network none with another network" "none|conflict" "$NR" run --rm --network none --network neta -- true
refused "--network host with another network" "host|conflict" "$NR" run --rm --network host --network neta -- true
refused "the same network twice" "neta" "$NR" run --rm --network neta --network neta -- true
refused "a second network that does not exist (the first is rolled back)" "nosuch" "$NR" run --rm --network neta --network nosuch -- true
refused "an unknown network" "nosuch" "$NR" run --rm --network nosuch -- true

# --- connect and disconnect a running container ---------------------------------------------
"$NR" run -d --name "$P-k" --network neta sleep 300 >/dev/null
ka=$(v4 "$P-k" eth0)
t_check "before connect: k does not reach b on netb" no_ping "$P-k" "$bb"
lb=$(leases netb); pb=$(ports netb)
out=$("$NR" network connect --ip 10.62.0.77 --alias kay netb "$P-k" 2>&1); rc=$?
t_eq "network connect --ip 10.62.0.77 --alias kay netb k: 0" "$rc" 0
t_eq "k now has eth1" "$(links "$P-k")" "lo eth0 eth1 "
t_eq "... with 10.62.0.77" "$(v4 "$P-k" eth1)" 10.62.0.77
t_check "k reaches b on netb" pings "$P-k" "$bb"
t_check "b reaches k at 10.62.0.77" pings "$P-b" 10.62.0.77
t_check "k still reaches a on neta" pings "$P-k" "$aa"
t_eq "the default route stays on eth0" "$(defroute "$P-k")" "10.61.0.1 eth0"
t_eq "a netb lease and a bridge port were added" "$(leases netb) $(ports netb)" "$((lb + 1)) $((pb + 1))"
t_eq "inspect shows both networks" "$(net_names "$P-k")" "neta netb"
t_eq "... the alias kay and 10.62.0.77 on netb (eth1)" "$(ns "$P-k" '.netb | "\(.Aliases | join(",")) \(.IPAddress) \(.InterfaceName)"')" "kay 10.62.0.77 eth1"
t_check "ps shows netb for k" grep -q netb <<<"$(ps_rows "$P-k")"

refused "connect to a network it is on" "already" "$NR" network connect netb "$P-k"
refused "connect to an unknown network" "nosuch" "$NR" network connect nosuch "$P-k"
refused "connect of an unknown container" "nosuch" "$NR" network connect netb nosuch
refused "connect with an --ip outside the subnet" "10.99.0.9" "$NR" network connect --ip 10.99.0.9 netb "$P-a"
refused "connect with an --ip in use" "10.62.0.77" "$NR" network connect --ip 10.62.0.77 netb "$P-a"
refused "connect to the none network" "none" "$NR" network connect none "$P-a"
refused "connect to the host network" "host" "$NR" network connect host "$P-a"
refused "connect without a container" "usage|container|argument" "$NR" network connect netb
refused "connect with an --ip that is no address" "bogus" "$NR" network connect --ip bogus netb "$P-a"
refused "connect with an empty --alias" "alias" "$NR" network connect --alias '' netb "$P-a"
refused "connect with an unknown option" "frob" "$NR" network connect --frob netb "$P-a"
refused "connect with three operands" "usage|argument|expects" "$NR" network connect netb "$P-a" extra
refused "disconnect without a container" "usage|container|argument|expects" "$NR" network disconnect netb
refused "disconnect with an unknown option" "frob" "$NR" network disconnect --frob netb "$P-a"
refused "run --network ''" "network" "$NR" run --rm --network '' -- true
refused "run --network name=neta,foo=bar (unknown key)" "foo" "$NR" run --rm --network name=neta,foo=bar -- true
refused "run --network ip=10.61.0.9 (no name)" "name" "$NR" run --rm --network ip=10.61.0.9 -- true
refused "run --network name=neta,ip=10.61.0.9 with --ip too" "conflict|--ip" "$NR" run --rm --network name=neta,ip=10.61.0.9 --ip 10.61.0.8 -- true
refused "ls with an unknown filter" "bogus" "$NR" network ls -f bogus=1
refused "ls --format that is not json" "format|yaml" "$NR" network ls --format yaml
refused "inspect of an unknown network" "nosuch" "$NR" network inspect nosuch
refused "rm without a name" "usage|name|argument|expects" "$NR" network rm
refused "prune with an operand" "usage|argument|expects|takes" "$NR" network prune extra
"$NR" run -d --name "$P-n" --network none sleep 300 >/dev/null
"$NR" run -d --name "$P-h" --network host sleep 300 >/dev/null
"$NR" run -d --name "$P-j" --network container:"$P-a" sleep 300 >/dev/null
refused "connect of a --network none container" "none" "$NR" network connect netb "$P-n"
refused "connect of a --network host container" "host" "$NR" network connect netb "$P-h"
refused "connect of a --network container:NAME container" "container" "$NR" network connect netb "$P-j"
"$NR" run --name "$P-e" --network neta -- true
refused "connect of an exited container (no namespace to extend; Docker would record it for the next start)" "not running" \
	"$NR" network connect netb "$P-e"
"$NR" rm -f "$P-n" "$P-h" "$P-j" "$P-e" >/dev/null

out=$("$NR" network disconnect netb "$P-k" 2>&1); rc=$?
t_eq "network disconnect netb k: 0" "$rc" 0
t_eq "eth1 is gone" "$(links "$P-k")" "lo eth0 "
t_check "k no longer reaches b" no_ping "$P-k" "$bb"
t_check "b no longer reaches 10.62.0.77" no_ping "$P-b" 10.62.0.77
t_check "k still reaches a" pings "$P-k" "$aa"
t_eq "the netb lease is released, the bridge port gone" "$(leases netb) $(ports netb)" "$lb $pb"
t_eq "inspect shows neta only" "$(net_names "$P-k")" "neta"
refused "disconnect from a network it is not on" "not connected|netb" "$NR" network disconnect netb "$P-k"
t_eq "disconnect -f from a network it is not on: 0" "$("$NR" network disconnect -f netb "$P-k" >/dev/null 2>&1; echo $?)" 0
refused "disconnect of an unknown container" "nosuch" "$NR" network disconnect netb nosuch
# Connect again: a fresh eth1 with a fresh lease; the old address may come back.
"$NR" network connect netb "$P-k" >/dev/null; t_eq "connect again: 0" $? 0
t_check "... k reaches b again" pings "$P-k" "$bb"
# Disconnect the first network: eth0 and the default route go, netb stays (as Docker).
"$NR" network disconnect neta "$P-k" >/dev/null; t_eq "disconnect of the first network (neta): 0" $? 0
t_eq "... eth0 is gone, eth1 stays" "$(links "$P-k")" "lo eth1 "
t_eq "... no default route is left, netb's subnet route stays" \
	"$(defroute "$P-k")$(x "$P-k" busybox ip route | grep -c '^10.62.0.0/24 dev eth1')" "1"
t_check "... b is still reached" pings "$P-k" "$bb"
t_check "... a is not" no_ping "$P-a" "$ka"
t_eq "inspect shows netb only" "$(net_names "$P-k")" "netb"
id_k=$(state .id "$P-k")
"$NR" rm -f "$P-k" >/dev/null
t_check "after disconnect and rm -f of k: its neta lease ($ka) is gone" test ! -e "/var/lib/cni/networks/neta/$ka"
t_eq "... no lease names k any more" "$(grep -rl "$id_k" /var/lib/cni/networks 2>/dev/null | grep -c -v last_reserved)" 0

# network rm refuses a network a connected container uses, whichever interface it is.
"$NR" run -d --name "$P-m" --network neta sleep 300 >/dev/null
"$NR" network create --subnet 10.64.0.0/24 netc >/dev/null
"$NR" network connect netc "$P-m" >/dev/null
out=$("$NR" network rm netc 2>&1); t_eq "network rm of a network a container joined by connect: 125" $? 125
"$NR" rm -f "$P-m" >/dev/null
out=$("$NR" network rm netc 2>&1); t_eq "... and 0 once the container is gone" "$? $out" "0 netc"

# --- races and ends ------------------------------------------------------------------------------
"$NR" network create --subnet 10.66.0.0/24 netd >/dev/null
# Two connects of one container at once: both happen (the store's lock orders them).
"$NR" run -d --name "$P-z" --network neta sleep 300 >/dev/null
"$NR" network connect netb "$P-z" >"$NETNS_RUN_STATE_DIR/c1.out" 2>&1 & p1=$!
"$NR" network connect netd "$P-z" >"$NETNS_RUN_STATE_DIR/c2.out" 2>&1 & p2=$!
wait $p1; r1=$?; wait $p2; r2=$?
t_eq "two connects of one container at once: both 0" "$r1 $r2" "0 0"
t_eq "... it has eth0, eth1 and eth2" "$(links "$P-z")" "lo eth0 eth1 eth2 "
t_eq "... inspect shows the three networks" "$(net_names "$P-z")" "neta netb netd"
t_check "... and it reaches b on netb" pings "$P-z" "$bb"
rm -f "$NETNS_RUN_STATE_DIR"/c?.out
# stop tears every attachment down, connected ones too.
lb=$(leases netb); ld=$(leases netd); pb=$(ports netb); pd=$(ports netd)
"$NR" stop -t 1 "$P-z" >/dev/null; t_eq "stop of the three-network container" $? 0
t_eq "... releases its netb and netd leases and bridge ports" "$(leases netb) $(leases netd) $(ports netb) $(ports netd)" \
	"$((lb - 1)) $((ld - 1)) $((pb - 1)) $((pd - 1))"
"$NR" rm "$P-z" >/dev/null
# A container on two networks whose netns-run is SIGKILLed: gc releases both attachments.
"$NR" run -d --name "$P-g" --network netb --network netd sleep 300 >/dev/null
"$NR" network connect neta "$P-g" >/dev/null
la=$(leases neta); lb=$(leases netb); ld=$(leases netd)
init=$(state .pid "$P-g")
kill -9 "$(state .monitor "$P-g")" "$init"
for _ in $(seq 50); do kill -0 "$init" 2>/dev/null || break; sleep 0.1; done
"$NR" gc -q; t_eq "gc after the container's netns-run was killed" $? 0
t_eq "... releases its leases on netb, netd and the connected neta" "$(leases netb) $(leases netd) $(leases neta)" \
	"$((lb - 1)) $((ld - 1)) $((la - 1))"
t_eq "... and no cached result of it is left" "$(find /var/lib/cni/results -name "*$(state .id "$P-g")*" | wc -l)" 0
"$NR" rm -f "$P-g" >/dev/null 2>&1

# run and network rm at once: either the run fails (no such network) or rm is refused (a
# container on it), never a running container on a network whose conflist is gone.
race=ok
for i in 1 2 3 4 5; do
	[ -e "$CFG/racy.conflist" ] || "$NR" network create --subnet 10.67.0.0/24 racy >/dev/null
	"$NR" run -d --name "$P-r$i" --network racy sleep 300 >/dev/null 2>&1 & pr=$!
	"$NR" network rm racy >/dev/null 2>&1; rrm=$?
	wait $pr; rrun=$?
	running=$("$NR" ps | awk -v n="$P-r$i" '$1 == n' | wc -l)
	if ! { [ "$rrun $rrm $running" = "0 125 1" ] && [ -e "$CFG/racy.conflist" ]; } &&
		! { [ "$rrun $rrm $running" = "125 0 0" ] && [ ! -e "$CFG/racy.conflist" ]; }; then
		race="round $i: run $rrun, rm $rrm, running $running, conflist $(ls "$CFG" | grep -c racy)"
	fi
	"$NR" rm -f "$P-r$i" >/dev/null 2>&1
done
t_eq "run and network rm at once: one of them wins cleanly, five rounds" "$race" ok
"$NR" network rm racy >/dev/null 2>&1

# --- --internal: containers talk, nothing leaves ---------------------------------------------
# The outside world: 198.51.100.2 in netns nr-out, behind the host's 198.51.100.1, routing
# the internal subnet back through the host; an nftables counter there counts every echo
# request that arrives, whatever its source.
ip netns add nr-out
ip link add h-out type veth peer name eth0 netns nr-out
ip addr add 198.51.100.1/24 dev h-out && ip link set h-out up
ip -n nr-out addr add 198.51.100.2/24 dev eth0 && ip -n nr-out link set eth0 up && ip -n nr-out link set lo up
ip -n nr-out route add 10.0.0.0/8 via 198.51.100.1
ip netns exec nr-out nft -f - <<'NFT'
table inet count {
	chain in {
		type filter hook input priority 0;
		icmp type echo-request counter
	}
}
NFT
echoes() { ip netns exec nr-out nft -j list table inet count | jq '[.nftables[].rule?.expr[]?.counter?.packets | select(. != null)] | add // 0'; }
sysctl -qw net.ipv4.ip_forward=1
"$NR" network create --internal --subnet 10.63.0.0/24 inner >/dev/null; t_eq "create --internal inner" $? 0
"$NR" run -d --name "$P-i1" --network inner sleep 300 >/dev/null
"$NR" run -d --name "$P-i2" --network inner sleep 300 >/dev/null
i1=$(v4 "$P-i1" eth0); i2=$(v4 "$P-i2" eth0)
t_check "a container on a normal network reaches the outside (the setup works)" pings "$P-a" 198.51.100.2
t_check "... and the outside counted it" test "$(echoes)" -ge 1
n0=$(echoes)
t_check "internal: i1 reaches i2 ($i2)" pings "$P-i1" "$i2"
t_check "internal: i2 reaches i1 ($i1)" pings "$P-i2" "$i1"
t_eq "internal: no default route inside, its subnet's route only" \
	"$(defroute "$P-i1")$(x "$P-i1" busybox ip route | grep -c '^10.63.0.0/24 dev eth0')" "1"
t_check "internal: i1 does not reach the outside" no_ping "$P-i1" 198.51.100.2
# Even with a default route put in by hand (from the host: the container has no
# CAP_NET_ADMIN), nothing is forwarded: the bridge drops it, not only the missing route.
nsenter --net="$NETNS_RUN_STATE_DIR/containers/$P-i1/netns" ip route add default via 10.63.0.1
t_check "internal: a hand-made default route does not get i1 out either" no_ping "$P-i1" 198.51.100.2
t_eq "internal: not one echo request arrived outside" "$(echoes)" "$n0"
t_check "internal: the outside does not reach i1" sh -c "! ip netns exec nr-out ping -c1 -W1 $i1 >/dev/null 2>&1"
t_check "internal: a container of another network does not reach i1" no_ping "$P-a" "$i1"
"$NR" rm -f "$P-i1" "$P-i2" >/dev/null

# --- enable_icc=false ---------------------------------------------------------------------------
"$NR" network create --subnet 10.65.0.0/24 --opt com.docker.network.bridge.enable_icc=false noicc >/dev/null
t_eq "create with enable_icc=false" $? 0
"$NR" run -d --name "$P-q1" --network noicc sleep 300 >/dev/null
"$NR" run -d --name "$P-q2" --network noicc sleep 300 >/dev/null
q1=$(v4 "$P-q1" eth0); q2=$(v4 "$P-q2" eth0)
t_check "icc=false: q1 does not reach q2 ($q2)" no_ping "$P-q1" "$q2"
t_check "icc=false: q2 does not reach q1 ($q1)" no_ping "$P-q2" "$q1"
t_check "icc=false: q1 reaches its gateway 10.65.0.1" pings "$P-q1" 10.65.0.1
t_check "icc=false: q1 reaches the outside" pings "$P-q1" 198.51.100.2
# A container joining noicc by connect is kept apart too.
"$NR" network connect noicc "$P-a" >/dev/null; t_eq "connect a to noicc" $? 0
t_check "icc=false: a's new eth1 does not reach q1" no_ping "$P-a" "$q1"
"$NR" rm -f "$P-q1" "$P-q2" >/dev/null

# --- the end ------------------------------------------------------------------------------------
"$NR" rm -f "$P-a" "$P-b" "$P-f" >/dev/null
for n in neta netb netd inner noicc; do
	out=$("$NR" network rm "$n" 2>&1); t_eq "network rm $n" "$? $out" "0 $n"
done
ip netns del nr-out
ip link del h-out 2>/dev/null
"$NR" network prune >/dev/null # nr0, made by the --ip run above (bridge cannot be rm'd: pre-defined)
t_eq "no bridge is left" "$(ip -o link show type bridge | wc -l)" 0
t_eq "no conflist is left" "$(find "$CFG" -name '*.conflist' | wc -l)" 0
t_eq "no DNS responder directory is left" "$(find "$NETNS_RUN_STATE_DIR/dns" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)" 0
t_eq "no DNS responder of ours is left running" "$(dns_procs | tr '\n' ' ')" ""
t_eq "no nftables table of ours is left" "$(nft list tables | grep -c netns-run)" 0
t_eq "nothing of the containers is left" "$(nr_leftovers)" ""
t_done
