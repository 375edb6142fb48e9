#!/bin/bash
# User networks (issue 17), driven as a Docker user would: `netns-run network create` with
# every option (--driver, --subnet/--gateway/--ip-range repeated, --ipv6, --internal, the
# bridge name, icc and mtu options, --label), what each option does to a container on the
# network, `network ls`/`inspect` (Docker's shape)/`rm`/`prune`, the allocated subnet
# skipping host routes and other networks, bad input for every option (125, a message
# naming the problem, nothing written), and concurrent creates.  Everything runs in the
# sandbox's own network and mount namespace; the config and state dirs are its tmpfs.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/runtime.sh"

if ! "$NR" network create --help >/dev/null 2>&1; then
	t_fail "network create exists" "this build has no network create verb"
	t_done
	exit
fi
if [ ! -x /bin/busybox ] || ldd /bin/busybox >/dev/null 2>&1; then
	t_skip "user networks" "needs busybox-static (/bin/busybox)"
	t_done
	exit
fi

CFG=$NETNS_RUN_CONFIG_DIR
W=$(mktemp -d /run/networks-user.XXXX)
conf() { echo "$CFG/$1.conflist"; }
# What the conflist says (our own record of the network, netdef.h).
bridge_of() { jq -r '.plugins[] | select(.type == "bridge") | .bridge' "$(conf "$1")" 2>/dev/null; }
subnets_of() { jq -r '[.plugins[] | select(.type == "bridge") | .ipam.ranges[][].subnet] | join(" ")' "$(conf "$1")" 2>/dev/null; }
# What the user sees.
ins() { "$NR" network inspect "$1" 2>/dev/null | jq -r "$2" 2>/dev/null; }
ls_row() { "$NR" network ls 2>/dev/null | awk -v n="$1" '$1 == n || $2 == n'; }
# no_overlap PREFIX...: no two of them overlap (and there is at least one).
no_overlap() {
	python3 -c 'import ipaddress, itertools, sys
n = [ipaddress.ip_network(a) for a in sys.argv[1:]]
sys.exit(1 if not n or any(a.version == b.version and a.overlaps(b) for a, b in itertools.combinations(n, 2)) else 0)' "$@"
}
# disjoint A B...: A is a prefix that overlaps none of B...
disjoint() {
	python3 -c 'import ipaddress, sys
a = ipaddress.ip_network(sys.argv[1])
sys.exit(1 if any(a.version == ipaddress.ip_network(b).version and a.overlaps(ipaddress.ip_network(b)) for b in sys.argv[2:]) else 0)' "$@"
}
# Every subnet of every conflist in the config dir.
all_subnets() { for f in "$CFG"/*.conflist; do jq -r '.plugins[] | select(.type == "bridge") | .ipam.ranges[][].subnet' "$f"; done; }
# ls_field NAME VALUE: the `network ls` row of NAME has a column VALUE.
ls_field() { "$NR" network ls 2>/dev/null | awk -v n="$1" -v v="$2" '$1 == n || $2 == n { for (i = 1; i <= NF; i++) if ($i == v) f = 1 } END { exit !f }'; }
in_net() { python3 -c 'import ipaddress, sys; sys.exit(0 if ipaddress.ip_address(sys.argv[1]) in ipaddress.ip_network(sys.argv[2], strict=False) else 1)' "$1" "$2"; }
# inside NET CMD...: a throwaway container on NET running a busybox applet.
inside() { local n=$1; shift; "$NR" run --rm --network "$n" -- busybox "$@" 2>&1; }
# The default route, as "GATEWAY DEV" (busybox's ip route shows every route whatever the selector).
defroute() { awk '$1 == "default" {print $3, $5}'; }
# no_ping FROM IP: one echo, bounded, unanswered (and the ping did start: a failed exec
# proves nothing).
no_ping() {
	local out
	out=$("$NR" exec "$1" busybox ping -c1 -W1 -w2 "$2" 2>&1) && return 1
	grep -q "^PING $2 " <<<"$out"
}
v4_of() { awk '{for (i = 1; i <= NF; i++) if ($i == "inet") { sub("/.*", "", $(i+1)); print $(i+1) }}'; }
# The state a refused create must not change: the config dir, the bridges, the DNS dirs.
snapshot() {
	ls -la --time-style=full-iso "$CFG"
	ip -o link show type bridge | awk '{print $2}'
	ls -R "$NETNS_RUN_STATE_DIR/dns" 2>/dev/null
}

# DNS responders (docs/dns.md) of this sandbox: those in our network namespace.
dns_procs() {
	local me p
	me=$(readlink /proc/self/ns/net)
	for p in $(pgrep -x netns-run-dns); do [ "$(readlink "/proc/$p/ns/net" 2>/dev/null)" = "$me" ] && echo "$p"; done
}

# --- create: the simplest one ---------------------------------------------------------
out=$("$NR" network create --help); rc=$?
t_eq "network create --help: 0, a usage line" "$rc $(head -n 1 <<<"$out" | cut -d' ' -f1-4)" "0 Usage: netns-run network create"
out=$("$NR" network create plain 2>&1); rc=$?
t_eq "create plain: 0" $rc 0
t_check "... prints the network's id (64 hex), as docker" grep -qxE '[0-9a-f]{64}' <<<"$out"
id_plain=$out
t_check "... writes plain.conflist into the config dir" test -s "$(conf plain)"
t_eq "... a chain of bridge, host-local, portmap" \
	"$(jq -r '[.plugins[].type, .plugins[0].ipam.type] | join(",")' "$(conf plain)")" "bridge,portmap,host-local"
t_eq "... with its name" "$(jq -r .name "$(conf plain)")" plain
t_eq "... and our metadata: the id, the driver" "$(jq -r '."netns-run" | "\(.id) \(.driver)"' "$(conf plain)")" "$id_plain bridge"
sub_plain=$(subnets_of plain)
t_check "... an allocated IPv4 subnet ($sub_plain)" python3 -c 'import ipaddress, sys; n = ipaddress.ip_network(sys.argv[1]); sys.exit(n.version != 4 or n.prefixlen > 24)' "$sub_plain"
t_check "... masquerade on, a gateway bridge" jq -e '.plugins[0].isGateway == true and .plugins[0].ipMasq == true' "$(conf plain)"
t_check "... a default route for containers" jq -e '[.plugins[0].ipam.routes[]?.dst] | index("0.0.0.0/0") != null' "$(conf plain)"

# inspect, in Docker's shape (a one-element array).
t_eq "inspect: Name, Id, Driver, Scope" "$(ins plain '.[0] | "\(.Name) \(.Id) \(.Driver) \(.Scope)"')" "plain $id_plain bridge local"
t_eq "inspect: IPAM.Config[0].Subnet is the allocated subnet" "$(ins plain '.[0].IPAM.Config[0].Subnet')" "$sub_plain"
t_check "inspect: IPAM.Config[0].Gateway lies in it" in_net "$(ins plain '.[0].IPAM.Config[0].Gateway')" "$sub_plain"
t_eq "inspect: EnableIPv6 false, Internal false" "$(ins plain '.[0] | "\(.EnableIPv6) \(.Internal)"')" "false false"
t_check "inspect: Created is RFC 3339" grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9:]+)$' <<<"$(ins plain '.[0].Created')"
t_eq "inspect: Containers is empty" "$(ins plain '.[0].Containers | length')" 0
t_eq "inspect by id prefix finds it too (as docker)" "$(ins "${id_plain:0:12}" '.[0].Name')" plain

# ls: name, driver, subnet, container count.
row=$(ls_row plain)
t_check "ls lists plain with driver bridge" grep -qw bridge <<<"$row"
t_check "... its subnet" grep -qF "$sub_plain" <<<"$row"
t_check "... and 0 containers" ls_field plain 0
t_check "ls still lists the built-in bridge" test -n "$(ls_row bridge)"
t_check "... and none" test -n "$(ls_row none)"

t_check "ls -q prints plain's short id" grep -qx "${id_plain:0:12}" <<<"$("$NR" network ls -q)"
t_eq "ls --format json: plain's Driver and Subnet" \
	"$("$NR" network ls --format json | jq -r 'select(.Name == "plain") | "\(.Driver) \(.Subnet)"')" "bridge $sub_plain"
t_eq "ls -f name=pla lists plain only" "$("$NR" network ls -q -f name=pla | wc -l)" 1
t_eq "inspect --conflist prints the conflist" "$("$NR" network inspect --conflist plain | jq -r .name)" plain

# A container on it: an address in the subnet, the gateway as default route, traffic.
gw_plain=$(ins plain '.[0].IPAM.Config[0].Gateway')
"$NR" run -d --name "$P-p1" --network plain sleep 300 >/dev/null; t_eq "run -d --network plain" $? 0
"$NR" run -d --name "$P-p2" --network plain sleep 300 >/dev/null
a1=$("$NR" exec "$P-p1" busybox ip -4 -o addr show eth0 | v4_of)
a2=$("$NR" exec "$P-p2" busybox ip -4 -o addr show eth0 | v4_of)
t_check "the containers' addresses lie in $sub_plain ($a1, $a2)" sh -c "[ -n '$a1' ] && [ '$a1' != '$a2' ]"
t_check "... $a1 in it" in_net "$a1" "$sub_plain"
t_eq "default route via the gateway" "$("$NR" exec "$P-p1" busybox ip route | defroute)" "$gw_plain eth0"
t_check "p1 pings p2 by address" "$NR" exec "$P-p1" busybox ping -c1 -W2 "$a2"
t_check "p1's address has a masquerade element (plain masquerades)" sh -c "nft list set inet netns-run ctr4 | grep -qw '$a1'"
t_check "the bridge exists on the host: $(bridge_of plain)" ip link show "$(bridge_of plain)" type bridge
t_check "ls counts 2 containers" ls_field plain 2
t_check "a DNS responder runs for plain (so the leftover check at the end can see one)" test -n "$(dns_procs)"
t_eq "inspect lists both containers" "$(ins plain '[.[0].Containers[].Name] | sort | join(" ")')" "$P-p1 $P-p2"
t_eq "... with their addresses" "$(ins plain "[.[0].Containers[] | select(.Name == \"$P-p1\") | .IPv4Address | sub(\"/.*\"; \"\")] | .[0]")" "$a1"

# rm refused while containers are on it; the conflist stays.
out=$("$NR" network rm plain 2>&1); rc=$?
t_eq "network rm with containers attached: 125" $rc 125
t_check "... saying it is in use ($out)" grep -qiE 'active endpoints|in use' <<<"$out"
t_check "... and the conflist stays" test -s "$(conf plain)"
"$NR" rm -f "$P-p1" "$P-p2" >/dev/null

# --- every option, and what it does -----------------------------------------------------
out=$("$NR" network create --driver bridge --subnet 10.52.0.0/16 --gateway 10.52.0.254 --ip-range 10.52.7.0/24 \
	--label app=web --label tier --opt com.docker.network.bridge.name=nrusr0 \
	--opt com.docker.network.driver.mtu=1400 full 2>&1); rc=$?
t_eq "create full (driver, subnet, gateway, ip-range, labels, bridge name, mtu): 0" "$rc" 0
t_eq "inspect: the subnet, gateway and range" "$(ins full '.[0].IPAM.Config[0] | "\(.Subnet) \(.Gateway) \(.IPRange)"')" \
	"10.52.0.0/16 10.52.0.254 10.52.7.0/24"
t_eq "inspect: labels (tier without a value is \"\")" "$(ins full '.[0].Labels | "\(.app)|\(.tier)"')" "web|"
t_eq "inspect: options as given" \
	"$(ins full '.[0].Options | "\(.["com.docker.network.bridge.name"]) \(.["com.docker.network.driver.mtu"])"')" "nrusr0 1400"
t_eq "the conflist names bridge nrusr0" "$(bridge_of full)" nrusr0
t_eq "... and its mtu" "$(jq -r '.plugins[0].mtu' "$(conf full)")" 1400
f1=$(inside full ip -4 -o addr show eth0 | v4_of)
t_check "a container's address is in the ip-range 10.52.7.0/24 ($f1)" in_net "$f1" 10.52.7.0/24
t_eq "its default route is via the gateway 10.52.0.254" "$(inside full ip route | defroute)" "10.52.0.254 eth0"
t_eq "its eth0 has mtu 1400" "$(inside full cat /sys/class/net/eth0/mtu)" 1400
t_check "the host's bridge is nrusr0 with 10.52.0.254/16" sh -c "ip -4 -o addr show nrusr0 | grep -q '10.52.0.254/16'"
# Docker's --ip-range limits the addresses it hands out, not the ones asked for: a static
# --ip elsewhere in the subnet is the usual way to keep fixed addresses apart.
t_check "--ip 10.52.1.5, in the subnet but outside the ip-range, is honoured (as Docker)" \
	sh -c "out=\$('$NR' run --rm --network full --ip 10.52.1.5 -- busybox ip -4 -o addr show eth0 2>&1); echo \"\$out\"; grep -q 'inet 10.52.1.5/16' <<EOF
\$out
EOF"
# A range runs out: the next container is refused cleanly.
"$NR" network create --subnet 10.49.0.0/24 --ip-range 10.49.0.0/30 tiny >/dev/null
"$NR" run -d --name "$P-t1" --network tiny sleep 300 >/dev/null; "$NR" run -d --name "$P-t2" --network tiny sleep 300 >/dev/null
t_eq "a /30 ip-range holds two containers (.1 is the gateway)" \
	"$("$NR" ps | awk -v p="$P-t" 'index($1, p) == 1 {print $5}' | sort | tr '\n' ' ')" "10.49.0.2/24 10.49.0.3/24 "
before=$(nr_leftovers | grep -v "$P-t[12]"; ip -o link show type veth | wc -l)
out=$("$NR" run --rm --network tiny -- true 2>&1); rc=$?
t_eq "a third: 125, saying the range is full" "$rc $(grep -c 'no IP addresses available' <<<"$out")" "125 1"
t_eq "... and leaving nothing" "$(nr_leftovers | grep -v "$P-t[12]"; ip -o link show type veth | wc -l)" "$before"
"$NR" rm -f "$P-t1" "$P-t2" >/dev/null

# Several subnets, each with its own gateway (Docker's pairing by containment, in any order).
out=$("$NR" network create --ipv6 --subnet fd00:53::/64 --subnet 10.53.0.0/24 --gateway 10.53.0.7 --gateway fd00:53::9 multi 2>&1); rc=$?
t_eq "create with a v6 and a v4 subnet and their gateways given out of order: 0" "$rc" 0
t_eq "inspect pairs each gateway with its subnet" \
	"$(ins multi '[.[0].IPAM.Config[] | "\(.Subnet)=\(.Gateway)"] | sort | join(" ")')" "10.53.0.0/24=10.53.0.7 fd00:53::/64=fd00:53::9"
t_eq "the conflist has one host-local range set per subnet" "$(jq '.plugins[0].ipam.ranges | length' "$(conf multi)")" 2
t_eq "a container's default routes: via 10.53.0.7 and fd00:53::9" \
	"$(inside multi sh -c 'ip route; ip -6 route' | defroute | sort | tr '\n' ' ')" "10.53.0.7 eth0 fd00:53::9 eth0 "
t_check "... its addresses are in both subnets" sh -c "'$NR' run --rm --network multi -- busybox ip -o addr show eth0 | grep -q 'inet 10.53.0.' && '$NR' run --rm --network multi -- busybox ip -o addr show eth0 | grep -q 'inet6 fd00:53::'"

# IPv6: a given ULA subnet, and one allocated when none is given.
out=$("$NR" network create --ipv6 --subnet 10.55.0.0/24 --subnet fd00:55::/64 six 2>&1); rc=$?
t_eq "create --ipv6 with a v4 and a v6 subnet: 0" "$rc $(ins six '.[0].EnableIPv6')" "0 true"
t_check "a container has a global address in fd00:55::/64" sh -c "'$NR' run --rm --network six -- busybox ip -6 -o addr show eth0 scope global | grep -q 'inet6 fd00:55::'"
t_check "--ip6 fd00:55::99 is honoured" sh -c "'$NR' run --rm --network six --ip6 fd00:55::99 -- busybox ip -6 -o addr show eth0 | grep -q 'inet6 fd00:55::99/64'"
out=$("$NR" network create --ipv6 sixauto 2>&1); rc=$?
t_eq "create --ipv6 without subnets: 0" "$rc" 0
t_check "... an IPv4 and a ULA /64 allocated ($(subnets_of sixauto))" python3 -c '
import ipaddress, sys
n = [ipaddress.ip_network(s) for s in sys.argv[1].split()]
sys.exit(not (any(x.version == 4 for x in n) and any(x.version == 6 and x.prefixlen == 64 and x.subnet_of(ipaddress.ip_network("fc00::/7")) for x in n)))' "$(subnets_of sixauto)"

# --internal: no masquerade, no default route.
out=$("$NR" network create --internal --subnet 10.56.0.0/24 inner 2>&1); rc=$?
t_eq "create --internal: 0, inspect Internal true" "$rc $(ins inner '.[0].Internal')" "0 true"
t_check "... no ipMasq in the conflist" jq -e '.plugins[0].ipMasq != true' "$(conf inner)"
routes=$(inside inner ip route)
t_eq "... a container has its subnet's route and no default route" "$(grep -c '^10.56.0.0/24 dev eth0' <<<"$routes") $(defroute <<<"$routes")" "1 "
"$NR" network create --internal --ipv6 --subnet 10.56.1.0/24 --subnet fd00:56::/64 inner6 >/dev/null
routes=$(inside inner6 sh -c 'ip route; ip -6 route')
t_eq "--internal --ipv6: a container has its subnets' routes, neither an IPv4 nor an IPv6 default route" \
	"$(grep -cE '^(10.56.1.0/24|fd00:56::/64) dev eth0' <<<"$routes") $(defroute <<<"$routes")" "2 "
t_check "... but has its IPv6 address" sh -c "'$NR' run --rm --network inner6 -- busybox ip -6 -o addr show eth0 | grep -q 'inet6 fd00:56::'"

# icc=false.
out=$("$NR" network create --opt com.docker.network.bridge.enable_icc=false --subnet 10.57.0.0/24 noicc 2>&1); rc=$?
t_eq "create with enable_icc=false: 0" "$rc" 0
t_check "... the conflist's bridge has icc false" jq -e '.plugins[0].icc == false' "$(conf noicc)"
"$NR" run -d --name "$P-i1" --network noicc sleep 300 >/dev/null
"$NR" run -d --name "$P-i2" --network noicc sleep 300 >/dev/null
b2=$("$NR" exec "$P-i2" busybox ip -4 -o addr show eth0 | v4_of)
t_check "icc=false: i1 does not reach i2 ($b2)" no_ping "$P-i1" "$b2"
t_check "... but reaches its gateway" "$NR" exec "$P-i1" busybox ping -c1 -W2 "$(ins noicc '.[0].IPAM.Config[0].Gateway')"
"$NR" rm -f "$P-i1" "$P-i2" >/dev/null

# Two user networks are isolated from each other (as Docker's).
"$NR" run -d --name "$P-x1" --network plain sleep 300 >/dev/null
"$NR" run -d --name "$P-x2" --network full sleep 300 >/dev/null
x2=$("$NR" exec "$P-x2" busybox ip -4 -o addr show eth0 | v4_of)
t_check "a container on plain does not reach one on full ($x2)" no_ping "$P-x1" "$x2"
"$NR" rm -f "$P-x1" "$P-x2" >/dev/null

# enable_ip_masquerade=false: no masquerade element for its containers.
"$NR" network create --subnet 10.58.0.0/24 -o com.docker.network.bridge.enable_ip_masquerade=false nomasq >/dev/null
t_eq "create with enable_ip_masquerade=false: the conflist's ipMasq is false" "$?/$(jq -r '.plugins[0].ipMasq' "$(conf nomasq)")" "0/false"
"$NR" run -d --name "$P-nm" --network nomasq sleep 300 >/dev/null
nm=$("$NR" exec "$P-nm" busybox ip -4 -o addr show eth0 | v4_of)
t_check "... its container ($nm) has no masquerade element" sh -c "! nft list set inet netns-run ctr4 2>/dev/null | grep -qw '$nm'"
"$NR" rm -f "$P-nm" >/dev/null
id_nm=$(ins nomasq '.[0].Id')
out=$("$NR" network rm "${id_nm:0:12}" 2>&1); t_eq "network rm by id prefix: 0" $? 0
t_check "... the conflist is gone" test ! -e "$(conf nomasq)"

# --- the allocated subnet ---------------------------------------------------------------
# Another network's subnet is never handed out again, nor one the host routes.
"$NR" network create auto1 >/dev/null; "$NR" network create auto2 >/dev/null
s1=$(subnets_of auto1); s2=$(subnets_of auto2)
all=$(all_subnets)
t_check "no two networks' subnets overlap (auto1 $s1, auto2 $s2, all: $(echo $all))" no_overlap $all
"$NR" network rm auto2 >/dev/null
# The host now routes what auto2 had (and the next one in line): a new network avoids both.
ip link add nrhost0 type veth peer name nrhost1 && ip link set nrhost0 up
ip addr add "$(python3 -c 'import ipaddress, sys; print(next(ipaddress.ip_network(sys.argv[1]).hosts()))' "$s2")/${s2#*/}" dev nrhost0
next=$(python3 -c 'import ipaddress, sys; n = ipaddress.ip_network(sys.argv[1]); print(ipaddress.ip_network((int(n.network_address) + n.num_addresses, n.prefixlen)))' "$s2")
ip route add "$next" dev nrhost0
"$NR" network create auto3 >/dev/null; s3=$(subnets_of auto3)
t_check "a new allocation skips subnets the host routes ($s2, $next) and auto1's ($s1): got $s3" disjoint "$s3" "$s2" "$next" "$s1"
ip link del nrhost0
# The default bridge picks its subnet when its first container starts, from 10.88.0.0/16
# up: it must not take one a user network holds (no bridge of that network exists yet).
# Either the built-in network's subnet is reserved before its first container (create is
# refused), or the built-in network then avoids the user network's.
rm -f "$NETNS_RUN_STATE_DIR/default-bridge.subnet"
if out=$("$NR" network create --subnet 10.88.0.0/16 holds88 2>&1); then
	"$NR" run --rm -- true
	def=$(cat "$NETNS_RUN_STATE_DIR/default-bridge.subnet" 2>/dev/null)
	t_check "the default bridge's subnet ($def), picked after holds88 took 10.88.0.0/16, avoids it" disjoint "${def:-none}" $(all_subnets)
	"$NR" network rm holds88 >/dev/null
else
	t_check "10.88.0.0/16 is refused as the built-in bridge network's ($out)" grep -q "network bridge" <<<"$out"
	"$NR" run --rm -- true
	def=$(cat "$NETNS_RUN_STATE_DIR/default-bridge.subnet" 2>/dev/null)
	t_eq "... which the built-in network then uses" "$def" 10.88.0.0/16
fi

# --- bad input: 125, a message naming the problem, nothing written ----------------------
before=$(snapshot)
# bad WHAT GREP-ERE ARGS...: `network create ARGS` is refused as it should be.
bad() {
	local what=$1 re=$2 out rc
	shift 2
	out=$("$NR" network create "$@" 2>&1 >/dev/null); rc=$?
	if [ "$rc" = 125 ] && grep -qiE "$re" <<<"$out" && [ "$(wc -l <<<"$out")" -le 3 ] && [ "${out#netns-run}" != "$out" ] &&
		[ "$(snapshot)" = "$before" ]; then
		t_ok "refused: $what"
	else
		t_fail "refused: $what" "rc $rc, message: $out$([ "$(snapshot)" = "$before" ] || printf '\n#   and something was written:\n%s' "$(diff <(echo "$before") <(snapshot))")"
		# What an accepted create made must not fail the cases after it.
		[ "$rc" = 0 ] && "$NR" network rm x >/dev/null 2>&1
		before=$(snapshot)
	fi
}
long=$(printf 'n%.0s' $(seq 300))
bad "no name" "name|usage" 
bad "two names" "name|usage|argument" one two
bad "a name with a space" "name" 'bad name'
bad "a name with a slash" "name" 'a/b'
bad "a name starting with a dot" "name" '.hidden'
bad "a name with a colon (container:x is a mode)" "name" 'container:x'
bad "a 300-character name" "name|long" "$long"
bad "an existing name" "plain.*(exists|in use|taken)|(exists|in use|taken).*plain" plain
bad "the built-in name bridge" "bridge" bridge
bad "the mode name none" "none" none
bad "the mode name host" "host" host
bad "an unknown option" "frobnicate" --frobnicate x
bad "--driver overlay" "overlay" --driver overlay x
bad "--driver without a value" "driver" x --driver
bad "--subnet that is no CIDR" "notacidr" --subnet notacidr x
bad "--subnet 10.99.0.300/24" "10.99.0.300" --subnet 10.99.0.300/24 x
bad "--subnet with host bits set (docker: it should be 10.61.0.0/24)" "10.61.0" --subnet 10.61.0.1/24 x
bad "--subnet overlapping another network's" "overlap|10.52" --subnet 10.52.3.0/24 x
bad "--subnet containing another network's" "overlap|10.52|10.0.0.0" --subnet 10.0.0.0/8 x
bad "two --subnet overlapping each other" "overlap|10.60" --subnet 10.60.0.0/24 --subnet 10.60.0.0/25 x
bad "two IPv4 subnets (docker: the bridge driver takes one; the bridge plugin one gateway)" "subnet" --subnet 10.60.0.0/24 --subnet 10.59.0.0/24 x
bad "--gateway without --subnet" "gateway|subnet" --gateway 10.61.0.1 x
bad "--gateway outside every subnet" "10.99.0.1" --subnet 10.61.0.0/24 --gateway 10.99.0.1 x
bad "--gateway that is no address" "bogus" --subnet 10.61.0.0/24 --gateway bogus x
bad "two --gateway in one subnet" "gateway" --subnet 10.61.0.0/24 --gateway 10.61.0.1 --gateway 10.61.0.2 x
bad "--ip-range without --subnet" "range|subnet" --ip-range 10.61.0.0/25 x
bad "--ip-range outside the subnet" "10.99.0.0" --subnet 10.61.0.0/24 --ip-range 10.99.0.0/25 x
bad "--ip-range wider than the subnet" "range|10.61.0.0/16" --subnet 10.61.0.0/24 --ip-range 10.61.0.0/16 x
bad "--ip-range that is no CIDR" "bogus" --subnet 10.61.0.0/24 --ip-range bogus x
bad "an empty bridge name" "bridge.name" --opt com.docker.network.bridge.name= x
bad "a 16-character bridge name" "bridge.name|bridge name|abcdefghijklmnop" --opt com.docker.network.bridge.name=abcdefghijklmnop x
bad "a bridge name with a slash" "bridge.name|bridge name|a/b" --opt com.docker.network.bridge.name=a/b x
bad "the bridge name of another network" "nrusr0" --opt com.docker.network.bridge.name=nrusr0 x
bad "the default bridge's name nr0" "nr0" --opt com.docker.network.bridge.name=nr0 x
bad "--subnet overlapping the default bridge's ($def)" "overlap|${def%%/*}" --subnet "$def" x
bad "enable_icc=maybe" "enable_icc|maybe" --opt com.docker.network.bridge.enable_icc=maybe x
bad "mtu=abc" "mtu|abc" --opt com.docker.network.driver.mtu=abc x
bad "mtu=20 (below IPv4's 68)" "mtu|20" --opt com.docker.network.driver.mtu=20 x
bad "mtu=70000" "mtu|70000" --opt com.docker.network.driver.mtu=70000 x
bad "--label with an empty key" "label|=v" --label =v x
t_eq "none of the refused names exists afterwards" "$("$NR" network ls | awk '{print $1, $2}' | grep -cwE 'x|one|two|hidden')" 0

# --- rm, prune ----------------------------------------------------------------------------
out=$("$NR" network rm nosuch 2>&1); rc=$?
t_eq "rm of an unknown network: 125" $rc 125
t_check "... saying so" grep -q "nosuch" <<<"$out"
"$NR" run --rm --network full -- true
out=$("$NR" network rm full multi 2>&1); rc=$?
t_eq "rm full multi: 0, printing both names" "$rc $(echo $out)" "0 full multi"
t_check "... their conflists are gone" sh -c "[ ! -e '$(conf full)' ] && [ ! -e '$(conf multi)' ]"
t_check "... and full's bridge nrusr0" sh -c "! ip link show nrusr0 >/dev/null 2>&1"
t_check "... and full's emptied lease store (/var/lib/cni/networks/full)" test ! -e /var/lib/cni/networks/full
t_eq "... ls no longer lists them" "$("$NR" network ls | awk '{print $1, $2}' | grep -cwE 'full|multi')" 0
out=$("$NR" network inspect full 2>&1); t_eq "inspect of a removed network: 125" $? 125
# A hand-written conflist: rm removes its host state, never the file (it is the user's).
cat >"$CFG/hand.conflist" <<'JSON'
{"cniVersion": "1.0.0", "name": "hand", "plugins": [
  {"type": "bridge", "bridge": "nrhand0", "isGateway": true,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.58.0.0/24"}]]}}]}
JSON
"$NR" run --rm --network hand -- true
out=$("$NR" network rm hand 2>&1); rc=$?
t_eq "rm of a hand-written network: 0" "$rc" 0
t_check "... keeps its conflist" test -s "$CFG/hand.conflist"
t_check "... removes its bridge" sh -c "! ip link show nrhand0 >/dev/null 2>&1"
# prune: every created network without a container goes; one in use stays.
"$NR" run -d --name "$P-keep" --network six sleep 300 >/dev/null
out=$("$NR" network prune 2>&1); rc=$?
t_eq "prune: 0" $rc 0
for n in plain sixauto inner inner6 noicc auto1 auto3; do
	t_check "prune removed unused $n" test ! -e "$(conf "$n")"
done
t_check "prune kept six (a container is on it)" test -s "$(conf six)"
t_check "prune kept the hand-written conflist" test -s "$CFG/hand.conflist"
"$NR" rm -f "$P-keep" >/dev/null

# --- concurrency --------------------------------------------------------------------------
# Two creates of one name at once: exactly one wins, the other is 125.  Five rounds.
wins=ok
for i in 1 2 3 4 5; do
	"$NR" network create "race$i" >"$W/a.out" 2>&1 & pa=$!
	"$NR" network create "race$i" >"$W/b.out" 2>&1 & pb=$!
	wait $pa; ra=$?; wait $pb; rb=$?
	if [ "$(printf '%s\n' $ra $rb | sort | tr '\n' ' ')" != "0 125 " ] || [ "$(ls "$CFG" | grep -c "^race$i\.")" != 1 ] ||
		! jq -e . "$(conf "race$i")" >/dev/null 2>&1; then
		wins="round $i: exit statuses $ra $rb; $(cat "$W/a.out" "$W/b.out" | tr '\n' ' '); files: $(ls "$CFG" | tr '\n' ' ')"
		break
	fi
done
t_eq "two creates of one name at once: exactly one wins, five rounds" "$wins" ok
# Four allocating creates at once: four different, non-overlapping subnets.
for i in 1 2 3 4; do "$NR" network create "para$i" >"$W/p$i.out" 2>&1 & done
wait
t_eq "four allocating creates at once all succeed" "$(ls "$CFG" | grep -c '^para')" 4
subs=$(for i in 1 2 3 4; do subnets_of "para$i"; done | tr '\n' ' ')
t_check "... with four non-overlapping subnets ($subs)" no_overlap $subs
t_eq "... one each" "$(wc -w <<<"$subs")" 4
t_check "... none of them the default bridge's ($def)" no_overlap $subs "$def"

# --- the end: everything removed ----------------------------------------------------------
"$NR" network prune >/dev/null 2>&1
"$NR" network rm hand >/dev/null 2>&1; rm -f "$CFG/hand.conflist"
t_eq "after prune, the config dir holds no conflist" "$(ls "$CFG" | grep -c '\.conflist$')" 0
t_eq "no bridge is left" "$(ip -o link show type bridge | wc -l)" 0
t_eq "no DNS responder of ours is left running" "$(dns_procs | tr '\n' ' ')" ""
t_eq "no nftables table of ours is left" "$(nft list tables | grep -c netns-run)" 0
t_eq "no DNS responder directory is left" "$(find "$NETNS_RUN_STATE_DIR/dns" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)" 0
t_eq "nothing of the containers is left" "$(nr_leftovers)" ""
rm -rf "$W"
t_done
