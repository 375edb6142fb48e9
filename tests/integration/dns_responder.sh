#!/bin/bash
# netns-run-dns on its own (runtime/dns, issue 17), outside the engine: names, reverse
# names, NODATA, forwarding to "outside" resolvers (dnsmasq on loopback addresses of the
# sandbox) past a dead one and a refusing one, TC passed on and TCP upstream, --internal,
# no upstream, reload on SIGHUP (a bad file keeps the names; new gateways listened on),
# the pid lock, log rotation, exit on SIGTERM, bad starts.  No packet leaves the sandbox.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"

DNS="$NR_BUILD/bin/netns-run-dns"
Q="$NR_BUILD/tests/tools/dns_query"
DNSMASQ=/usr/sbin/dnsmasq
[ -x "$DNSMASQ" ] || { t_skip "dnsmasq-base is not installed"; t_done; exit; }
T=$(mktemp -d /tmp/nr-dns.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}" $(cat "$T"/*/pid 2>/dev/null); do kill "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
ip addr add ::1/128 dev lo 2>/dev/null

# Two "outside" resolvers: 127.0.0.2 knows example.test and 40 addresses for big.test (too
# many for 512 bytes), 127.0.0.3 knows other.test; 127.0.0.9 is nobody.
mkdir -p "$T/d" "$T/up"
for i in $(seq 1 40); do echo "192.0.2.$i big.test"; done >"$T/up/hosts"
"$DNSMASQ" --no-daemon --no-resolv --no-hosts --addn-hosts="$T/up/hosts" --listen-address=127.0.0.2 --bind-interfaces \
	--address=/example.test/192.0.2.7 -p 53 2>"$T/up/log1" &
pids+=($!)
"$DNSMASQ" --no-daemon --no-resolv --no-hosts --listen-address=127.0.0.3 --bind-interfaces \
	--address=/other.test/198.51.100.9 -p 53 2>"$T/up/log2" &
pids+=($!)
printf 'nameserver 127.0.0.9\nnameserver 127.0.0.2\nnameserver 127.0.0.3\n' >"$T/resolv"
for i in $(seq 50); do "$Q" 127.0.0.3 x.other.test >/dev/null 2>&1 && "$Q" 127.0.0.2 x.example.test >/dev/null 2>&1 && break; sleep 0.1; done

# 10.99.0.1 is on no interface: IP_FREEBIND lets the responder listen there anyway.
printf '127.0.0.1,::1,10.99.0.1\naaaaaaaaaaaa1111 10.88.0.2 fd00::2 web,db,aaaaaaaaaaaa\n' >"$T/d/names"
NETNS_RUN_RESOLV_CONF=$T/resolv "$DNS" --port 5353 "$T/d"
t_eq "starts in the background, exit 0" $? 0
P=$(cat "$T/d/pid")
t_check "the pid file names a live process" kill -0 "$P"
ask() { "$Q" --port 5353 "$@" 2>&1; }
out=$(ask 127.0.0.1 web)
t_check "A for a name" grep -q "IN	A	10.88.0.2" <<<"$out"
t_check "... authoritative, recursion available" grep -q "flags qr aa rd ra" <<<"$out"
t_check "... TTL 60" grep -q "^web.	60	" <<<"$out"
t_check "AAAA over IPv6, any case, trailing dot" grep -q "fd00::2" <<<"$(ask ::1 WEB. --type AAAA)"
t_check "A over TCP" grep -q "10.88.0.2" <<<"$(ask --tcp 127.0.0.1 db)"
t_eq "PTR: every name of the entry" "$(ask 127.0.0.1 2.0.88.10.in-addr.arpa --type PTR | grep -c PTR)" 3
out=$(ask 127.0.0.1 web --type MX)
t_check "another type of a known name: NODATA" grep -q "rcode NOERROR" <<<"$out"
t_eq "... no record" "$(grep -c "IN	" <<<"$out")" 0
t_check "a bare unknown name: NXDOMAIN, not forwarded" grep -q NXDOMAIN <<<"$(ask 127.0.0.1 nothere)"
out=$(ask 127.0.0.1 www.example.test)
t_check "forwarded past a dead upstream" grep -q 192.0.2.7 <<<"$out"
t_check "... under the client's id" grep -q "id matches" <<<"$out"
t_check "REFUSED: the next upstream answers" grep -q 198.51.100.9 <<<"$(ask 127.0.0.1 x.other.test)"
t_check "an upstream's TC answer is passed on" grep -q "flags qr.* tc" <<<"$(ask 127.0.0.1 big.test)"
t_eq "over TCP, forwarded over TCP: all 40" "$(ask --tcp 127.0.0.1 big.test | grep -c "IN	A")" 40

# The pid lock: a second responder on the same directory refuses.
out=$("$DNS" --port 5353 "$T/d" 2>&1)
t_eq "a second responder: exit 1" $? 1
t_check "... already running" grep -q "already running" <<<"$out"

# SIGHUP: a bad file keeps the names; a good one replaces them, gateways follow.
printf 'garbage\n' >"$T/d/names.new" && mv "$T/d/names.new" "$T/d/names"
kill -HUP "$P"
for i in $(seq 50); do grep -q "keeping the names" "$T/d/log" && break; sleep 0.1; done
t_check "a bad names file is logged" grep -q "keeping the names" "$T/d/log"
t_check "... and the names stay" grep -q 10.88.0.2 <<<"$(ask 127.0.0.1 web)"
printf '127.0.0.1,127.0.0.5\nbbbb 10.88.0.3  api\n' >"$T/d/names.new" && mv "$T/d/names.new" "$T/d/names"
kill -HUP "$P"
for i in $(seq 50); do ask 127.0.0.5 api | grep -q 10.88.0.3 && break; sleep 0.1; done
t_check "reload: a new name on a new gateway" grep -q 10.88.0.3 <<<"$(ask 127.0.0.5 api)"
t_check "reload: the old name is gone" grep -q NXDOMAIN <<<"$(ask 127.0.0.1 web)"
t_check "reload: a gateway no longer listed is not listened on" sh -c "! '$Q' --port 5353 ::1 api"
t_eq "reload: the same process" "$(cat "$T/d/pid")" "$P"

# The log is capped: past 1 MiB it moves to log.1.
truncate -s 1100000 "$T/d/log"
kill -HUP "$P"
for i in $(seq 50); do [ -f "$T/d/log.1" ] && break; sleep 0.1; done
t_check "the log rotates past 1 MiB" test -f "$T/d/log.1" -a "$(stat -c %s "$T/d/log")" -lt 10000

kill "$P"
for i in $(seq 50); do kill -0 "$P" 2>/dev/null || break; sleep 0.1; done
t_check "SIGTERM: it exits" sh -c "! kill -0 $P 2>/dev/null"
t_check "... saying so in its log" sh -c "tail -n 1 '$T/d/log' | grep -q stopping"
t_check "... leaving its directory alone" test -f "$T/d/pid" -a -f "$T/d/names"

# --internal: names only.
printf '127.0.0.1\naaaa 10.88.0.2  web\n' >"$T/d/names"
NETNS_RUN_RESOLV_CONF=$T/resolv "$DNS" --internal --port 5353 "$T/d"
out=$(ask 127.0.0.1 www.example.test)
t_check "--internal: other names NXDOMAIN" grep -q NXDOMAIN <<<"$out"
t_eq "... without recursion available" "$(grep -c ' ra' <<<"$out")" 0
t_check "... names still answer" grep -q 10.88.0.2 <<<"$(ask 127.0.0.1 web)"
P=$(cat "$T/d/pid"); kill "$P"
for i in $(seq 50); do kill -0 "$P" 2>/dev/null || break; sleep 0.1; done

# No upstream anywhere: SERVFAIL, and a warning.
printf '# none\n' >"$T/resolv0"
NETNS_RUN_RESOLV_CONF=$T/resolv0 "$DNS" --port 5353 "$T/d"
t_check "no upstream: SERVFAIL" grep -q SERVFAIL <<<"$(ask 127.0.0.1 www.example.test)"
t_check "... and a warning in the log" grep -q "warning: no upstream" "$T/d/log"
P=$(cat "$T/d/pid"); kill "$P"
for i in $(seq 50); do kill -0 "$P" 2>/dev/null || break; sleep 0.1; done

# Bad starts: exit 1, the reason on stderr, nothing listening.
out=$("$DNS" --port 0 "$T/d" 2>&1)
t_eq "--port 0: exit 1" $? 1
t_check "... saying why" grep -q "not a port" <<<"$out"
out=$("$DNS" --port 5353 "$T/nosuch" 2>&1)
t_eq "no such directory: exit 1" $? 1
# A start that fails leaves no pid behind (not even the last responder's).
cp "$T/d/names" "$T/names.good" && printf 'x\n' >"$T/d/names"
"$DNS" --port 5353 "$T/d" 2>/dev/null
t_eq "a failed start leaves the pid file empty" "$(stat -c %s "$T/d/pid")" 0
mv "$T/names.good" "$T/d/names"
mkdir "$T/e" && printf 'x\n' >"$T/e/names"
out=$("$DNS" --port 5353 "$T/e" 2>&1)
t_eq "a bad names file: exit 1" $? 1
t_check "... naming the line" grep -q "names line 1: bad gateway" <<<"$out"
"$DNSMASQ" --no-daemon --no-resolv --no-hosts --listen-address=127.0.0.1 --bind-interfaces -p 5353 2>/dev/null &
pids+=($!)
for i in $(seq 50); do "$Q" --port 5353 127.0.0.1 x.y >/dev/null 2>&1 && break; sleep 0.1; done
out=$("$DNS" --port 5353 "$T/d" 2>&1)
t_eq "the port taken by another server: exit 1" $? 1
t_check "... saying so" grep -q "cannot listen on 127.0.0.1 port 5353" <<<"$out"
t_done
