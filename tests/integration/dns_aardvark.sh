#!/bin/bash
# netns-run-dns next to podman's aardvark-dns 1.4 (Debian's, /usr/lib/podman/aardvark-dns)
# on the same network and names (issue 17, "Must show"): our responder's names file is in
# aardvark's config format, so a copy of it is aardvark's configuration; aardvark listens
# on the same gateway addresses on port 5533, ours on 53.  The same queries (A, AAAA, PTR
# v4 and v6, aliases, short id, capitals, an unknown name, forwarded names, NXDOMAIN from
# upstream) go to both from a container on the network; the rcode and the sorted answer
# set (type and data) must be the same.  The intended differences are shown, not compared:
# TTL (ours at most 60 s, aardvark's 86400), the owner name of PTR answers (aardvark 1.4
# answers with the root name "."), TCP (aardvark 1.4 has none), "NAME.dns.podman"
# (aardvark's search domain; ours answers bare names only).  docs/dns.md lists them.
# Upstream: dnsmasq in the outside-world namespace (tests/lib/dns.sh).
source "$(dirname "$0")/../lib/sandbox_pid.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/runtime.sh"
source "$(dirname "$0")/../lib/dns.sh"
# $$ is 1 in our pid namespace: a prefix of our own (cgroups are host-global).
P="dns$(od -An -N3 -tx1 /dev/urandom | tr -d " ")"

AARDVARK=${AARDVARK:-/usr/lib/podman/aardvark-dns}
APORT=5533
skip_all() { t_skip "dns_aardvark" "$1"; t_done; exit; }
[ -x "$AARDVARK" ] || skip_all "needs aardvark-dns ($AARDVARK)"
[ -x /usr/sbin/dnsmasq ] || skip_all "needs dnsmasq (dnsmasq-base)"
"$NR" network create --help >/dev/null 2>&1 || skip_all "this build has no network create"
[ -x "$NR_BUILD/bin/netns-run-dns" ] || skip_all "this build has no netns-run-dns"

W=$(mktemp -d /run/dns-aardvark.XXXX)
NET=dnsv
DNSDIR=$NETNS_RUN_STATE_DIR/dns
cleanup() {
	[ -s "$W/ard/aardvark.pid" ] && kill "$(cat "$W/ard/aardvark.pid")" 2>/dev/null
	nr_cleanup
	"$NR" network rm "$NET" "${NET}2" >/dev/null 2>&1
	dns_outside_down
	sandbox_kill_all
}
trap cleanup EXIT
dns_outside_up "$W/out" || { t_fail "the outside world (dnsmasq in its namespace) is up"; t_done; exit; }

v6=1
if ! "$NR" network create --ipv6 --subnet 10.89.5.0/24 --subnet fd89:5::/64 "$NET" >/dev/null; then
	t_fail "network create --ipv6 $NET (going on with IPv4 only)"
	v6=""
	"$NR" network create --subnet 10.89.5.0/24 "$NET" >/dev/null || { t_fail "network create $NET"; t_done; exit; }
fi
GW=10.89.5.1
"$NR" run -d --name "$P-web" --network "$NET" --network-alias wally --network-alias www2 -- sleep 600 >/dev/null
t_eq "run -d web (two aliases)" $? 0
"$NR" run -d --name "$P-db" --network "$NET" -- sleep 600 >/dev/null
t_eq "run -d db" $? 0
"$NR" run -d --name "$P-cli" --network "$NET" -- sleep 600 >/dev/null
t_eq "run -d cli (the querier)" $? 0
# A second network, whose container asks the first network's responders directly.
"$NR" network create --subnet 10.89.7.0/24 "${NET}2" >/dev/null
t_eq "network create ${NET}2" $? 0
"$NR" run -d --name "$P-other" --network "${NET}2" -- sleep 600 >/dev/null
t_eq "run -d other on ${NET}2" $? 0
ipof() { "$NR" exec "$1" ip -o -4 addr show dev eth0 | awk '{print $4}' | cut -d/ -f1; }
ip6of() { "$NR" exec "$1" ip -o -6 addr show dev eth0 scope global | awk '{print $4}' | cut -d/ -f1; }
web=$(ipof "$P-web") db=$(ipof "$P-db")
web6=$([ -n "$v6" ] && ip6of "$P-web")
short=$(state .id "$P-db" | cut -c1-12)

# aardvark's configuration: a copy of our names file, named after the network.
mkdir -p "$W/ard"
t_check "our names file exists" test -s "$DNSDIR/$NET/names"
cp "$DNSDIR/$NET/names" "$W/ard/$NET"
cp "$DNSDIR/${NET}2/names" "$W/ard/${NET}2"
sed 's/^/# names: /' "$W/ard/$NET"
(cd "$W" && "$AARDVARK" --config "$W/ard" -p "$APORT" run) 2>"$W/aardvark.err"
t_eq "aardvark-dns starts on the copy (it daemonizes)" $? 0
apid=$(cat "$W/ard/aardvark.pid" 2>/dev/null)
ok=""
for _ in $(seq 50); do
	ss -Hlnu "src $GW:$APORT" | grep -q . && ok=1 && break
	sleep 0.1
done
t_check "aardvark-dns listens on $GW:$APORT (pid ${apid:-none})" test -n "$ok"

# ask PORT ARGS...: dnsq from the querier container, TTLs blanked; "rcode X" then the
# sorted "TYPE DATA" lines (owner names aside: see above).
ask() {
	local port=$1
	shift
	"$NR" exec "${ASKER:-$P-cli}" python3 -c "$DNSQ_CODE" --no-ttl -p "$port" "$@" 2>&1 |
		awk 'NR == 1 {print $1, $2; next} {print $2, $4}' | sort
}
# same WHAT ARGS...: the answers of both servers to one query.
same() {
	local what=$1 ours theirs
	shift
	ours=$(ask 53 "$GW" "$@")
	theirs=$(ask "$APORT" "$GW" "$@")
	if [ "$ours" = "$theirs" ] && grep -q '^rcode' <<<"$ours"; then
		t_ok "same answer: $what ($(tr '\n' ' ' <<<"$ours" | sed 's/ $//'))"
	else
		t_fail "same answer: $what" "ours: $(tr '\n' '|' <<<"$ours") aardvark: $(tr '\n' '|' <<<"$theirs")"
	fi
}
same "A web" "$P-web" A
same "A alias wally" wally A
same "A alias www2" www2 A
same "A short id of db" "$short" A
same "A in capitals" "$(tr a-z A-Z <<<"$P-web")" A
same "A db" "$P-db" A
same "PTR of web's address" "$web" PTR
same "PTR of db's address" "$db" PTR
if [ -n "$v6" ]; then
	same "AAAA web" "$P-web" AAAA
	same "PTR of web's v6 address" "$web6" PTR
else
	t_skip "AAAA and v6 PTR" "no --ipv6 network"
fi
same "AAAA db" "$P-db" AAAA
same "an unknown name" nosuch-ctr A
same "PTR of an address no container has" 10.89.5.254 PTR
same "a forwarded name (www.example.test)" www.example.test A
same "NXDOMAIN from upstream (foo.nx.test)" foo.nx.test A
# A container of another network sending its query to this network's gateway: shown,
# not compared (tests/integration/dns.sh asserts our side).  aardvark answers by the
# querier's address (the networks it is on), we by the address asked (one responder per
# network), so "its own name" differs by design.
for qq in "$P-web A" "$web PTR" "$P-other A"; do
	# shellcheck disable=SC2086
	echo "# from ${NET}2 to $NET's gateway, $qq: ours '$(ASKER=$P-other ask 53 "$GW" $qq | xargs)', aardvark '$(ASKER=$P-other ask "$APORT" "$GW" $qq | xargs)'"
done
same "the querier's own name" "$P-cli" A
same "TXT of a container's name (NODATA)" "$P-web" TXT

# The intended differences, shown.
ttl_ours=$("$NR" exec "$P-cli" python3 -c "$DNSQ_CODE" "$GW" "$P-web" | awk 'NR == 2 {print $3}')
ttl_theirs=$("$NR" exec "$P-cli" python3 -c "$DNSQ_CODE" -p "$APORT" "$GW" "$P-web" | awk 'NR == 2 {print $3}')
echo "# TTL of a container's name: ours $ttl_ours s, aardvark $ttl_theirs s"
t_check "our TTL is at most 60 s" test "${ttl_ours:-99}" -le 60
own_ours=$("$NR" exec "$P-cli" python3 -c "$DNSQ_CODE" "$GW" "$web" PTR | awk 'NR == 2 {print $1}')
own_theirs=$("$NR" exec "$P-cli" python3 -c "$DNSQ_CODE" -p "$APORT" "$GW" "$web" PTR | awk 'NR == 2 {print $1}')
echo "# owner name of a PTR answer: ours '$own_ours', aardvark '$own_theirs'"
t_eq "our PTR answer's owner is the name asked for" "$own_ours" "$(python3 -c 'import ipaddress,sys; print(ipaddress.ip_address(sys.argv[1]).reverse_pointer + ".")' "$web")"
tcp_theirs=$("$NR" exec "$P-cli" python3 -c "$DNSQ_CODE" -t -p "$APORT" "$GW" "$P-web" 2>&1 | head -n 1)
echo "# TCP: aardvark: $tcp_theirs"
t_eq "TCP: ours answers" "$("$NR" exec "$P-cli" python3 -c "$DNSQ_CODE" -t "$GW" "$P-web" | awk 'NR == 2 {print $4}')" "$web"
echo "# NAME.dns.podman: ours '$(ask 53 "$GW" "$P-web.dns.podman" | xargs)', aardvark '$(ask "$APORT" "$GW" "$P-web.dns.podman" | xargs)'"

kill "$apid" 2>/dev/null
for _ in $(seq 50); do [ -e "/proc/$apid" ] || break; sleep 0.1; done
t_check "aardvark-dns stopped (pid $apid)" test ! -e "/proc/$apid"
"$NR" rm -f "$P-web" "$P-db" "$P-cli" "$P-other" >/dev/null
"$NR" network rm "$NET" "${NET}2" >/dev/null
t_eq "network rm: our DNS directory gone" "$(ls "$DNSDIR" 2>/dev/null)" ""
left=""
for p in /proc/[0-9]*; do [ "$(cat "$p/comm" 2>/dev/null)" = netns-run-dns ] && left+=" ${p#/proc/}"; done
t_eq "no netns-run-dns process left" "$left" ""
dns_outside_down
t_eq "nothing of the containers is left" "$(nr_leftovers)" ""
t_done
