#!/bin/bash
# Containers finding each other by name (issue 17, "DNS by name"): on networks made by
# `network create`, netns-run-dns answers names, --network-alias and short ids (busybox
# nslookup, glibc's getent hosts, tests/lib/dnsq.py for what those cannot show: rcode,
# TTL, transaction id, TCP, truncation), PTR, AAAA; a container on two networks is found
# from both with the address of the querier's network; names do not cross networks; the
# default bridge network has no DNS; everything else is forwarded to the upstream of the
# host's resolv.conf — here dnsmasq in a namespace playing the outside world
# (tests/lib/dns.sh), the only resolver the sandbox's /etc/resolv.conf names, so no query
# leaves; an --internal network forwards nothing.  The responder's life: started with the
# first container, reloaded (same pid) as containers come and go, stopped with the last,
# killed -9 and back on the next command touching its network, gc, network rm.
# Inside a private network, mount and pid namespace (the responders and dnsmasq live and
# die in it).
source "$(dirname "$0")/../lib/sandbox_pid.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/runtime.sh"
source "$(dirname "$0")/../lib/dns.sh"
# $$ is 1 in our pid namespace: a prefix of our own (cgroups are host-global).
P="dns$(od -An -N3 -tx1 /dev/urandom | tr -d " ")"

DNSBIN="$NR_BUILD/bin/netns-run-dns"
skip_all() { t_skip "dns" "$1"; t_done; exit; }
[ -x /bin/busybox ] || skip_all "needs busybox (/bin/busybox)"
[ -x /usr/sbin/dnsmasq ] || skip_all "needs dnsmasq (dnsmasq-base)"
"$NR" network create --help >/dev/null 2>&1 || skip_all "this build has no network create"
[ -x "$DNSBIN" ] || skip_all "this build has no netns-run-dns"

W=$(mktemp -d /run/dns-test.XXXX)
DNSDIR=$NETNS_RUN_STATE_DIR/dns
cleanup() {
	nr_cleanup
	local n
	for n in dnsa dnsb dnsc dnsi dnsd; do "$NR" network rm "$n" >/dev/null 2>&1; done
	dns_outside_down
	sandbox_kill_all
}
trap cleanup EXIT
if ! dns_outside_up "$W/out"; then
	t_fail "the outside world (dnsmasq in its namespace) is up"
	t_done
	exit
fi

# --- helpers -------------------------------------------------------------------------
# cli NET CMD...: a throwaway container on NET (the host's root: busybox, getent, python3).
cli() { local n=$1; shift; "$NR" run --rm --network "$n" -- "$@"; }
# ns NET NAME [TYPE]: the addresses busybox nslookup prints for NAME ("" when none), sorted.
ns() {
	cli "$1" busybox nslookup -type="${3:-a}" "$2" 2>&1 | awk '/^Name:/ {n = 1} n && /^Address:/ {print $2}' | sort | xargs
}
# ptr NET ADDRESS: the names nslookup prints for ADDRESS, sorted.
ptr() { cli "$1" busybox nslookup "$2" 2>&1 | awk '/name = / {print $NF}' | sed 's/\.$//' | sort | xargs; }
# ge NET NAME: the addresses glibc's getent hosts finds (files, then dns).
ge() { cli "$1" getent hosts "$2" 2>&1 | awk '{print $1}' | sort -u | xargs; }
# q NET ARGS...: dnsq from inside a container on NET (its source address is on NET).
q() { local n=$1; shift; cli "$n" python3 -c "$DNSQ_CODE" "$@" 2>&1; }
# ipof CTR [IF]: the container's IPv4 address on IF (eth0) as its kernel has it.
ipof() { "$NR" exec "$1" ip -o -4 addr show dev "${2:-eth0}" | awk '{print $4}' | cut -d/ -f1; }
ip6of() { "$NR" exec "$1" ip -o -6 addr show dev "${2:-eth0}" scope global | awk '{print $4}' | cut -d/ -f1; }
cid() { state .id "$1"; }
# The responder of network NET: pid, alive (its pid file locked and the process ours).
rpid() { cat "$DNSDIR/$1/pid" 2>/dev/null; }
ralive() {
	local p
	p=$(rpid "$1")
	[ -n "$p" ] && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = netns-run-dns ] &&
		! flock -n "$DNSDIR/$1/pid" true 2>/dev/null
}
rdead() { ! ralive "$1"; }
# until_ok CMD...: CMD retried for up to 5 s.
until_ok() {
	local i
	for i in $(seq 50); do "$@" && return 0; sleep 0.1; done
	return 1
}
# Every netns-run-dns process of this pid namespace.
dns_procs() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(cat "$p/comm" 2>/dev/null)" = netns-run-dns ] && echo "${p#/proc/}"
	done
}
upstream_saw() { grep -c "query\[$1\] $2 from" "$W/out/dnsmasq.log"; }
detach() { "$NR" run -d "$@" -- sleep 600 >/dev/null; }

# --- networks -------------------------------------------------------------------------
"$NR" network create --subnet 10.89.1.0/24 dnsa >/dev/null; t_eq "network create dnsa" $? 0
"$NR" network create --subnet 10.89.2.0/24 dnsb >/dev/null; t_eq "network create dnsb" $? 0
t_check "no responder before the first container" rdead dnsa
t_eq "no netns-run-dns process yet" "$(dns_procs)" ""

detach --name "$P-web" --network dnsa --network-alias wally --network-alias www2
t_eq "run -d web on dnsa with two aliases" $? 0
t_check "the first container started dnsa's responder" ralive dnsa
pid_a=$(rpid dnsa)
t_check "... its directory holds names, lock and pid" test -f "$DNSDIR/dnsa/names" -a -e "$DNSDIR/dnsa/lock" -a -s "$DNSDIR/dnsa/pid"
t_check "... and it listens on dnsa's gateway, UDP and TCP" \
	sh -c "ss -Hlnu 'src 10.89.1.1:53' | grep -q . && ss -Hlnt 'src 10.89.1.1:53' | grep -q ."
t_check "dnsb has no responder yet" rdead dnsb
detach --name "$P-db" --network dnsa --network dnsb
t_eq "run -d db on dnsa and dnsb" $? 0
detach --name "$P-bonly" --network dnsb --network-alias bee
t_eq "run -d bonly on dnsb" $? 0
t_check "dnsb's responder runs" ralive dnsb
t_eq "dnsa's responder was reloaded, not restarted" "$(rpid dnsa)" "$pid_a"

web=$(ipof "$P-web")
db_a=$(ipof "$P-db" eth0)
db_b=$(ipof "$P-db" eth1)
bonly=$(ipof "$P-bonly")
short=$(cid "$P-web" | cut -c1-12)
echo "# web $web, db $db_a (dnsa) $db_b (dnsb), bonly $bonly, web's short id $short"

t_eq "a container's resolv.conf on dnsa names the responder" \
	"$(cli dnsa grep -c '^nameserver' /etc/resolv.conf) $(cli dnsa awk '/^nameserver/ {print $2}' /etc/resolv.conf)" "1 10.89.1.1"

# --- names on one network -------------------------------------------------------------
t_eq "nslookup NAME from dnsa" "$(ns dnsa "$P-web")" "$web"
t_eq "getent hosts NAME from dnsa" "$(ge dnsa "$P-web")" "$web"
t_eq "nslookup ALIAS" "$(ns dnsa wally)" "$web"
t_eq "getent hosts of the second alias" "$(ge dnsa www2)" "$web"
t_eq "nslookup SHORT-ID (12 hex)" "$(ns dnsa "$short")" "$web"
t_eq "a name in capitals (case-insensitive)" "$(ns dnsa "$(tr a-z A-Z <<<"$P-web")")" "$web"
t_check "PTR of web's address names web" grep -qw -- "$P-web" <<<"$(ptr dnsa "$web")"
t_eq "an unknown name: NXDOMAIN" "$(q dnsa 10.89.1.1 nosuch-ctr | head -n 1 | cut -d' ' -f1-2)" "rcode NXDOMAIN"
out=$(q dnsa -i 4242 10.89.1.1 "$P-web")
t_eq "dnsq A web: NOERROR, one answer, id kept" "$(head -n 1 <<<"$out" | cut -d' ' -f1-2,5-6) $(tail -n +2 <<<"$out" | awk '{print $4}' | xargs)" "rcode NOERROR id 4242 $web"
ttl=$(tail -n 1 <<<"$out" | awk '{print $3}')
t_check "... with a TTL of at most 60 s (got $ttl)" test "${ttl:-99}" -le 60
out=$(q dnsa 10.89.1.1 "$P-web" AAAA)
t_eq "AAAA of a v4-only container: NOERROR, no answer (not NXDOMAIN)" "$(cut -d' ' -f1-2 <<<"$out" | xargs)" "rcode NOERROR"

t_eq "our names stay off the upstream (no query for web or wally reached dnsmasq)" "$(($(upstream_saw A "$P-web") + $(upstream_saw A wally)))" 0

# --- two networks, isolation ----------------------------------------------------------
t_eq "db from dnsa: its dnsa address" "$(ns dnsa "$P-db")" "$db_a"
t_eq "db from dnsb: its dnsb address" "$(ns dnsb "$P-db")" "$db_b"
t_eq "getent db from dnsb" "$(ge dnsb "$P-db")" "$db_b"
t_eq "bonly's alias from dnsb" "$(ns dnsb bee)" "$bonly"
t_eq "bonly (only on dnsb) from dnsa: not found" "$(ns dnsa "$P-bonly")" ""
t_eq "... nor its alias" "$(ns dnsa bee)" ""
t_eq "web (only on dnsa) from dnsb: not found" "$(ns dnsb "$P-web")" ""
t_eq "... nor its alias" "$(ge dnsb wally)" ""
t_eq "PTR of bonly's address from dnsa: no name" "$(ptr dnsa "$bonly")" ""
# A container on dnsb asking dnsa's responder directly (its gateway address is the host's,
# routed): dnsa's names must not reach it either.
out=$(q dnsb --timeout 1 10.89.1.1 "$P-web")
t_eq "dnsb asking dnsa's responder (10.89.1.1) for web: REFUSED (a stranger to dnsa)" "$(head -n 1 <<<"$out" | cut -d' ' -f1-2)" "rcode REFUSED"
t_check "... and no address in it" bash -c '! grep -qw -- "$2" <<<"$1"' _ "$out" "$web"
out=$(q dnsb --timeout 1 10.89.1.1 "$web" PTR)
t_eq "... nor web's name for its address (PTR: REFUSED)" "$(head -n 1 <<<"$out" | cut -d' ' -f1-2)" "rcode REFUSED"
out=$(python3 -c "$DNSQ_CODE" --timeout 1 10.89.1.1 "$P-web" 2>&1)
t_eq "the host itself asking dnsa's responder: REFUSED (no open resolver on the host's addresses)" \
	"$(head -n 1 <<<"$out" | cut -d' ' -f1-2)" "rcode REFUSED"
# A querier on dnsa and dnsb (dnsa's gateway first in its resolv.conf) finds a name that
# is only on dnsb, with its dnsb address, as Docker's embedded DNS answers from every
# network of the querier.
both() { "$NR" run --rm --network dnsa --network dnsb -- "$@"; }
t_eq "a querier on dnsa+dnsb: getent bonly (only on dnsb) through dnsa's responder" \
	"$(both getent hosts "$P-bonly" 2>&1 | awk '{print $1}' | sort -u | xargs)" "$bonly"
t_eq "... nslookup bee (bonly's alias on dnsb)" \
	"$(both busybox nslookup bee 10.89.1.1 2>&1 | awk '/^Name:/ {n = 1} n && /^Address:/ {print $2}' | sort -u | xargs)" "$bonly"
t_eq "... PTR of bonly's address through dnsa's responder" \
	"$(both busybox nslookup "$bonly" 10.89.1.1 2>&1 | awk '/name = / {print $NF}' | sed 's/\.$//' | sort | xargs)" \
	"$(printf '%s\n' "$P-bonly" bee "$(cid "$P-bonly" | cut -c1-12)" | sort | xargs)"

# --- forwarding -----------------------------------------------------------------------
before=$(upstream_saw A www.example.test) # dns_outside_up asked once
t_eq "www.example.test from dnsa (forwarded to dnsmasq)" "$(ns dnsa www.example.test)" 198.51.100.7
t_check "... and dnsmasq saw the query (from the host's side of the veth)" \
	test "$(grep -c "query\[A\] www.example.test from 198.51.100.1" "$W/out/dnsmasq.log")" -gt "$before"
t_eq "getent www.example.test" "$(ge dnsa www.example.test)" 198.51.100.7
out=$(q dnsa -i 777 10.89.1.1 www.example.test)
t_eq "forwarded: the client's transaction id comes back" "$(head -n 1 <<<"$out" | cut -d' ' -f1-2,5-6)" "rcode NOERROR id 777"
t_eq "a name the upstream does not know: NXDOMAIN passed on" "$(q dnsa 10.89.1.1 foo.nx.test | head -n 1 | cut -d' ' -f1-2)" "rcode NXDOMAIN"
t_eq "... and nslookup finds nothing" "$(ns dnsb foo.nx.test)" ""
out=$(q dnsa 10.89.1.1 big.example.test TXT)
t_eq "a 600-byte answer over UDP: truncated (TC)" "$(head -n 1 <<<"$out" | cut -d' ' -f3-4)" "tc 1"
out=$(q dnsa -t 10.89.1.1 big.example.test TXT)
t_eq "... over TCP: whole" "$(head -n 1 <<<"$out" | cut -d' ' -f1-4) $(tail -n 1 <<<"$out" | awk '{print NF}')" "rcode NOERROR tc 0 6"

# --- TCP ------------------------------------------------------------------------------
out=$(q dnsa -t -i 99 10.89.1.1 "$P-web")
t_eq "TCP: web's address, id kept" "$(head -n 1 <<<"$out" | cut -d' ' -f1-2,5-6) $(tail -n 1 <<<"$out" | awk '{print $4}')" "rcode NOERROR id 99 $web"
t_eq "TCP: PTR" "$(q dnsa -t 10.89.1.1 "$web" PTR | tail -n +2 | awk '{print $4}' | grep -c "^$P-web\.$")" 1
t_eq "TCP: forwarded name" "$(q dnsb -t 10.89.2.1 www.example.test | tail -n 1 | awk '{print $4}')" 198.51.100.7
t_eq "TCP: an unknown name: NXDOMAIN" "$(q dnsb -t 10.89.2.1 "$P-web" | head -n 1 | cut -d' ' -f1-2)" "rcode NXDOMAIN"

# --- connect / disconnect follow --------------------------------------------------------
"$NR" network connect --alias webb dnsb "$P-web" >/dev/null; t_eq "network connect dnsb web --alias webb" $? 0
web_b=$(ipof "$P-web" eth1)
t_eq "web from dnsb after connect: its dnsb address" "$(ns dnsb "$P-web")" "$web_b"
t_eq "... by the connect alias" "$(ns dnsb webb)" "$web_b"
t_eq "... which dnsa does not know" "$(ns dnsa webb)" ""
t_eq "web from dnsa still: its dnsa address" "$(ns dnsa "$P-web")" "$web"
"$NR" network disconnect dnsb "$P-web" >/dev/null; t_eq "network disconnect dnsb web" $? 0
t_eq "web from dnsb after disconnect: gone" "$(ns dnsb "$P-web")" ""
t_eq "... its connect alias too" "$(ns dnsb webb)" ""
t_eq "... still found from dnsa" "$(ns dnsa "$P-web")" "$web"
t_eq "dnsa's responder is still the first one (reloads only)" "$(rpid dnsa)" "$pid_a"

# --- a stopped container is not found (as Docker) -----------------------------------------
detach --name "$P-stopped" --network dnsb --network-alias stopme
t_eq "a container on dnsb resolves while it runs" "$(ns dnsb stopme)" "$(ipof "$P-stopped")"
"$NR" stop "$P-stopped" >/dev/null; t_eq "stop it" $? 0
t_eq "... then its alias is gone" "$(ns dnsb stopme)" ""
t_eq "... and its name" "$(ns dnsb "$P-stopped")" ""
t_check "... and its entry left the names file" bash -c '! grep -q -- "$1" "$2"' _ "$(cid "$P-stopped")" "$DNSDIR/dnsb/names"
"$NR" rm -f "$P-stopped" >/dev/null

# --- IPv6 -----------------------------------------------------------------------------
if "$NR" network create --ipv6 --subnet 10.89.3.0/24 --subnet fd89:3::/64 dnsc >/dev/null; then
	t_ok "network create --ipv6 dnsc"
	detach --name "$P-six" --network dnsc
	six=$(ip6of "$P-six")
	t_check "the container has a global v6 address ($six)" test -n "$six"
	t_eq "AAAA from dnsc" "$(q dnsc 10.89.3.1 "$P-six" AAAA | tail -n +2 | awk '{print $4}' | xargs)" "$six"
	t_eq "nslookup -type=aaaa" "$(ns dnsc "$P-six" aaaa)" "$six"
	t_eq "A from dnsc" "$(ns dnsc "$P-six")" "$(ipof "$P-six")"
	t_check "PTR of the v6 address" grep -qw -- "$P-six" <<<"$(q dnsc 10.89.3.1 "$six" PTR)"
	"$NR" rm -f "$P-six" >/dev/null
	t_check "dnsc's responder stopped with its last container" until_ok rdead dnsc
else
	t_fail "network create --ipv6 dnsc"
fi

# --- the default bridge network and --internal ----------------------------------------
t_eq "the default bridge network: the host's resolv.conf" "$("$NR" run --rm -- awk '/^nameserver/ {print $2}' /etc/resolv.conf | xargs)" "$DNS_UPSTREAM"
t_check "... and no DNS directory" test ! -e "$DNSDIR/bridge"
if "$NR" network create --internal --subnet 10.89.4.0/24 dnsi >/dev/null; then
	t_ok "network create --internal dnsi"
	detach --name "$P-in" --network dnsi
	t_check "dnsi's responder runs (with --internal)" sh -c "tr '\0' ' ' </proc/$(rpid dnsi)/cmdline | grep -q -- --internal"
	t_eq "names resolve on an internal network" "$(ns dnsi "$P-in")" "$(ipof "$P-in")"
	before=$(upstream_saw A int.example.test)
	out=$(q dnsi 10.89.4.1 int.example.test)
	t_check "... an outside name does not (got: $(head -n 1 <<<"$out"))" bash -c '! grep -q 198.51.100.7 <<<"$1"' _ "$out"
	t_eq "... and the upstream never saw it" "$(upstream_saw A int.example.test)" "$before"
	# A container on dnsi and dnsa has a way out (dnsa): asking dnsi's responder (its first
	# nameserver) for an outside name gets it forwarded, as Docker does.
	out=$("$NR" run --rm --network dnsi --network dnsa -- python3 -c "$DNSQ_CODE" 10.89.4.1 both.example.test 2>&1)
	t_check "a container on dnsi+dnsa, asking dnsi's responder: an outside name resolves (got: $(head -n 1 <<<"$out"))" \
		grep -q 198.51.100.7 <<<"$out"
	t_eq "... and still not for a container on dnsi alone" \
		"$(q dnsi 10.89.4.1 int2.example.test | head -n 1 | cut -d' ' -f1-2)" "rcode NXDOMAIN"
	"$NR" rm -f "$P-in" >/dev/null
else
	t_fail "network create --internal dnsi"
fi

# --- upstream discovery: a host whose resolv.conf names only systemd-resolved's stub ----
# Without NETNS_RUN_RESOLV_CONF, the responder reads /etc/resolv.conf; 127.0.0.53 there
# (nothing listens on it in the sandbox) sends it to /run/systemd/resolve/resolv.conf.
echo "nameserver 127.0.0.53" >"$W/stub.conf"
mkdir -p /run/systemd/resolve && echo "nameserver $DNS_UPSTREAM" >/run/systemd/resolve/resolv.conf
mount --bind "$W/stub.conf" /etc/resolv.conf
"$NR" network create --subnet 10.89.6.0/24 dnsd >/dev/null
(unset NETNS_RUN_RESOLV_CONF; detach --name "$P-stub" --network dnsd); t_eq "run -d on dnsd, the host behind a loopback stub" $? 0
t_check "dnsd's responder took the servers behind the stub (its log)" \
	grep -q "upstream servers (from /run/systemd/resolve/resolv.conf): $DNS_UPSTREAM" "$DNSDIR/dnsd/log"
t_eq "... and forwards to them" "$(ns dnsd www.example.test)" 198.51.100.7
t_check "the container's resolv.conf names dnsd's responder, not the stub" \
	bash -c '[ "$(awk "/^nameserver/ {print \$2}" "$1")" = 10.89.6.1 ]' _ "$NETNS_RUN_STATE_DIR/containers/$P-stub/resolv.conf"
umount /etc/resolv.conf
"$NR" rm -f "$P-stub" >/dev/null
t_check "dnsd's responder stopped with its container" until_ok rdead dnsd
echo "" >"$W/none.conf"
(export NETNS_RUN_RESOLV_CONF=$W/none.conf; detach --name "$P-noup" --network dnsd)
t_check "no upstream at all: a warning in the log" grep -q "warning: no upstream DNS server in $W/none.conf" "$DNSDIR/dnsd/log"
t_eq "... forwarded names get SERVFAIL" "$(q dnsd 10.89.6.1 www.example.test | head -n 1 | cut -d' ' -f1-2)" "rcode SERVFAIL"
t_eq "... our names still resolve" "$(ns dnsd "$P-noup")" "$(ipof "$P-noup")"
"$NR" rm -f "$P-noup" >/dev/null

# --- the responder cannot start: the run fails, nothing left ------------------------------
out=$(NETNS_RUN_DNS_BIN=/nonexistent/netns-run-dns "$NR" run --rm --name "$P-nobin" --network dnsd -- true 2>&1); rc=$?
t_eq "run on a DNS network when the responder cannot start: 125" $rc 125
t_check "... saying why ($out)" grep -q "netns-run-dns\|nonexistent" <<<"$out"
t_check "... no record left" test ! -e "$NETNS_RUN_STATE_DIR/containers/$P-nobin"
t_check "... no entry in dnsd's names" bash -c '! grep -qs -- "$1" "$2"' _ "$P-nobin" "$DNSDIR/dnsd/names"

# --- reload under load: no query lost while containers come and go -------------------------
if command -v dnsperf >/dev/null; then
	printf '%s A\nwally A\n%s A\n' "$P-web" "$P-db" >"$W/perf.txt"
	"$NR" run --rm --network dnsa -v "$W:/q" -- dnsperf -s 10.89.1.1 -d /q/perf.txt -l 4 -Q 300 -c 2 >"$W/perf.out" 2>&1 &
	perf=$!
	until_ok grep -q "Sending queries" "$W/perf.out"
	for i in 1 2 3; do
		detach --name "$P-churn$i" --network dnsa --network-alias churn
	done
	"$NR" rm -f "$P-churn1" "$P-churn2" "$P-churn3" >/dev/null
	wait "$perf"
	t_eq "dnsperf during 3 joins and 3 leaves on dnsa: no query lost" \
		"$(awk '/Queries lost/ {print $3}' "$W/perf.out") $(awk '/Queries completed/ {print ($3 > 500)}' "$W/perf.out")" "0 1"
	t_eq "... all answered NOERROR" "$(grep -o 'Response codes: *[A-Z]* [0-9]* ([0-9.]*%)' "$W/perf.out" | grep -o '([0-9.]*%)')" "(100.00%)"
	t_eq "... by the same responder (reloads, no restart)" "$(rpid dnsa)" "$pid_a"
else
	t_skip "reload under load" "needs dnsperf"
fi

# --- a change and a query in one round: the query sees the change -------------------------
# The engine signals the responder before the container it changed can start.  With the
# responder held stopped (SIGSTOP), that SIGHUP and the query wake it at once: it must
# reload before answering, not after the round.
# queued: bytes waiting on dnsa's UDP listener.
queued() { ss -Hlnu 'src 10.89.1.1:53' | awk '{s += $2} END {exit !(s > 0)}'; }
# held NEW ASKER NAME: the addresses ASKER's nslookup finds for NAME, NEW started on dnsa
# and the query sent while dnsa's responder is stopped.
held() {
	local p job
	p=$(rpid dnsa)
	kill -STOP "$p"
	detach --name "$1" --network dnsa
	"$NR" exec "$2" busybox nslookup -type=a "$3" >"$W/held.out" 2>&1 &
	job=$!
	until_ok queued || echo "# the query did not reach the stopped responder"
	kill -CONT "$p"
	wait "$job"
	awk '/^Name:/ {n = 1} n && /^Address:/ {print $2}' "$W/held.out" | xargs
}
t_eq "a new container's first query, its join's SIGHUP pending: answered, not refused" \
	"$(held "$P-late" "$P-late" "$P-web")" "$web"
t_eq "a new container's name, asked while its join's SIGHUP is pending: found" \
	"$(held "$P-late2" "$P-web" "$P-late2")" "$(ipof "$P-late2")"
"$NR" rm -f "$P-late" "$P-late2" >/dev/null

# --- crash: killed -9, back on the next command touching the network -------------------
kill -9 "$pid_a"
t_check "dnsa's responder killed -9" until_ok rdead dnsa
t_check "... nothing listens on 10.89.1.1:53 now" sh -c "! ss -Hlnu 'src 10.89.1.1:53' | grep -q ."
t_eq "the next run on dnsa: web resolves again" "$(ns dnsa "$P-web")" "$web"
t_check "... that run restarted the responder" ralive dnsa
kill -9 "$(rpid dnsa)"
until_ok rdead dnsa
"$NR" network connect dnsa "$P-bonly" >/dev/null; t_eq "killed again; network connect dnsa bonly" $? 0
t_check "... restarted it" ralive dnsa
t_check "... with a new pid" test "$(rpid dnsa)" != "$pid_a"
t_eq "names resolve again: web" "$(ns dnsa "$P-web")" "$web"
t_eq "... and the newly connected bonly" "$(ns dnsa "$P-bonly")" "$(ipof "$P-bonly" eth1)"
t_eq "... and the alias of the first run" "$(ns dnsa wally)" "$web"
t_eq "only one responder per network" "$(dns_procs | wc -l)" 2
"$NR" network disconnect dnsa "$P-bonly" >/dev/null

# --- last container leaves: responder stopped -----------------------------------------
"$NR" rm -f "$P-web" >/dev/null
t_check "web removed: dnsa's responder still runs for db" ralive dnsa
t_eq "... and web's names are gone" "$(ns dnsa wally)" ""
pid_a=$(rpid dnsa)
"$NR" network disconnect dnsa "$P-db" >/dev/null; t_eq "disconnect the last container from dnsa" $? 0
t_check "... stopped dnsa's responder" until_ok rdead dnsa
t_check "... its process is gone" until_ok test ! -e "/proc/$pid_a"

# --- gc -------------------------------------------------------------------------------
# A stale entry (a container that no longer exists) in dnsb's names, and the directory
# of a network that does not exist, as a killed netns-run could leave them.
flock "$DNSDIR/dnsb/lock" sh -c "echo 'deadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeef 10.89.2.250  ghost' >>'$DNSDIR/dnsb/names'"
kill -HUP "$(rpid dnsb)"
t_eq "the stale entry answers before gc" "$(q dnsb 10.89.2.1 ghost | tail -n +2 | awk '{print $4}')" 10.89.2.250
mkdir -p "$DNSDIR/nosuchnet" && cp "$DNSDIR/dnsb/names" "$DNSDIR/nosuchnet/names"
pid_b=$(rpid dnsb)
kill -9 "$pid_b"; until_ok rdead dnsb
"$NR" gc -q; t_eq "gc: 0" $? 0
t_check "gc dropped the stale entry" sh -c "! grep -q ghost '$DNSDIR/dnsb/names'"
t_check "... kept the live ones" grep -q "$(cid "$P-bonly")" "$DNSDIR/dnsb/names"
t_check "... removed the directory of a network that does not exist" test ! -e "$DNSDIR/nosuchnet"
t_check "... restarted dnsb's dead responder (it still has entries)" ralive dnsb
t_eq "... which answers" "$(ns dnsb "$P-bonly")" "$bonly"
t_eq "... and no longer knows the stale name" "$(ns dnsb ghost)" ""

# --- network rm -----------------------------------------------------------------------
"$NR" rm -f "$P-db" "$P-bonly" >/dev/null
t_check "dnsb's responder stopped with its last container" until_ok rdead dnsb
for n in dnsa dnsb dnsc dnsi dnsd; do
	"$NR" network rm "$n" >/dev/null 2>&1
	t_check "network rm $n removed its DNS directory" test ! -e "$DNSDIR/$n"
done
t_eq "no netns-run-dns process is left" "$(dns_procs)" ""
dns_outside_down
t_eq "nothing of the containers is left" "$(nr_leftovers)" ""
t_done
