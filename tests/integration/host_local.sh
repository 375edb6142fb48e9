#!/bin/bash
# The host-local IPAM plugin: allocation, the on-disk lease store (shared with the
# reference plugin, both directions), concurrency, GC, STATUS and config errors.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"

REF=/usr/lib/cni/host-local
DATA=$(mktemp -d -p /var/lib/cni hl.XXXXXX)

# conf NAME RANGES [VERSION] [EXTRA-IPAM-JSON]: a network config whose ipam uses $DATA.
conf() {
	jq -nc --arg n "$1" --argjson r "$2" --arg v "${3:-1.1.0}" --arg d "$DATA" --argjson x "${4:-{\}}" \
		'{cniVersion:$v, name:$n, type:"bridge", ipam:({type:"host-local", dataDir:$d, ranges:$r} + $x)}'
}
# hl CMD ID CONF [IFNAME]: run ours; ref CMD ID CONF: run the reference.
# IPAM plugins get the main plugin's environment, netns included; they never enter it.
NS=/run/netns/hl-unused
hl() { CNI_CONTAINERID=$2 cni host-local "$1" "$NS" "${4:-eth0}" "$3"; }
ref() {
	CNI_COMMAND=$1 CNI_CONTAINERID=$2 CNI_NETNS=$NS CNI_IFNAME=${4:-eth0} CNI_PATH=/usr/lib/cni "$REF" <<<"$3"
}
ips() { jq -r '[.ips[].address] | join(" ")' <<<"$1"; }
nfiles() { find "$DATA/$1" -type f 2>/dev/null | wc -l; }

V4='[[{"subnet":"192.0.2.0/24"}]]'
DUAL='[[{"subnet":"192.0.2.0/24"}],[{"subnet":"2001:db8::/64"}]]'

# --- allocation ---------------------------------------------------------------------
C=$(conf net1 "$DUAL" 1.1.0 '{"routes":[{"dst":"0.0.0.0/0"},{"dst":"2001:db8:1::/48","gw":"2001:db8::1"}]}')
out=$(hl ADD c1 "$C"); rc=$?
t_eq "ADD exits 0" "$rc" 0
t_eq "dual-stack ADD takes .2 and ::2 (the gateway .1/::1 is skipped)" "$(ips "$out")" "192.0.2.2/24 2001:db8::2/64"
t_eq "gateways are network+1" "$(jq -r '[.ips[].gateway] | join(" ")' <<<"$out")" "192.0.2.1 2001:db8::1"
t_eq "routes from the config" "$(jq -c '[.routes[] | [.dst, .gw]]' <<<"$out")" \
	'[["0.0.0.0/0",null],["2001:db8:1::/48","2001:db8::1"]]'
t_eq "result carries the config's cniVersion" "$(jq -r .cniVersion <<<"$out")" 1.1.0
t_eq "next ADD takes .3 and ::3" "$(ips "$(hl ADD c2 "$C")")" "192.0.2.3/24 2001:db8::3/64"
t_eq "a lease file is exactly <id>\\r\\n<ifname>" "$(od -An -c "$DATA/net1/192.0.2.2" | tr -s ' ')" \
	"$(printf 'c1\r\neth0' | od -An -c | tr -s ' ')"
t_eq "last_reserved_ip.0 holds the last address" "$(cat "$DATA/net1/last_reserved_ip.0" 2>&1)" 192.0.2.3
t_eq "last_reserved_ip.1 for the IPv6 set" "$(cat "$DATA/net1/last_reserved_ip.1" 2>&1)" 2001:db8::3
t_check "the lock file exists" test -f "$DATA/net1/lock"

t_eq "CNI_ARGS IP= is honoured" "$(ips "$(CNI_ARGS="IP=192.0.2.50" hl ADD c3 "$C")")" "192.0.2.50/24 2001:db8::4/64"
t_eq "round-robin continues after the last reserved address" "$(ips "$(hl ADD c4 "$C")")" "192.0.2.51/24 2001:db8::5/64"
out=$(CNI_ARGS="IP=192.0.2.50" hl ADD c5 "$C"); rc=$?
t_eq "a requested address already leased fails" "$rc/$(jq .code <<<"$out")" 1/100
out=$(CNI_ARGS="IP=198.51.100.7" hl ADD c5 "$C")
t_eq "a requested address outside every range is code 7" "$(jq .code <<<"$out")" 7
out=$(CNI_CONTAINERID=c5 CNI_ARGS="IP=nonsense" cni host-local ADD "$NS" eth0 "$C")
t_eq "CNI_ARGS IP=nonsense is code 4" "$(jq .code <<<"$out")" 4
t_eq "... and nothing was leased for c5" "$(grep -l '^c5' "$DATA"/net1/[0-9]* 2>/dev/null | wc -l)" 0
t_eq "args.cni.ips is honoured" \
	"$(ips "$(hl ADD c6 "$(jq -c '.args={cni:{ips:["192.0.2.60","2001:db8::60"]}}' <<<"$C")")")" \
	"192.0.2.60/24 2001:db8::60/64"
t_eq "runtimeConfig.ips is honoured" \
	"$(ips "$(hl ADD c7 "$(jq -c '.runtimeConfig={ips:["192.0.2.70/24"]}' <<<"$C")")")" "192.0.2.70/24 2001:db8::61/64"

before=$(nfiles net1)
out=$(hl ADD c1 "$C"); rc=$?
t_eq "a second ADD for the same id+ifname fails" "$rc" 1
t_eq "... naming the duplicate" "$(jq -r '.msg | test("duplicate")' <<<"$out")" true
t_eq "... and writes nothing" "$(nfiles net1)" "$before"
t_eq "the same id on another ifname is a new attachment" "$(ips "$(hl ADD c1 "$C" eth1)")" "192.0.2.71/24 2001:db8::62/64"

G=$(conf gw '[[{"subnet":"198.51.100.0/24","rangeStart":"198.51.100.4","rangeEnd":"198.51.100.6","gateway":"198.51.100.5"}]]')
t_eq "rangeStart is honoured" "$(ips "$(hl ADD a "$G")")" "198.51.100.4/24"
t_eq "an explicit gateway inside the range is skipped" "$(ips "$(hl ADD b "$G")")" "198.51.100.6/24"
out=$(CNI_ARGS="IP=198.51.100.5" hl ADD c "$G")
t_eq "requesting the gateway fails" "$(jq -r '.msg | test("gateway")' <<<"$out")" true

L=$(jq -c '.ipam |= (del(.ranges) + {subnet:"198.51.100.0/28"})' <<<"$(conf legacy '[]')")
t_eq "the legacy top-level subnet works" "$(ips "$(hl ADD a "$L")")" "198.51.100.2/28"

printf '# comment\nnameserver 192.0.2.53\nnameserver 2001:db8::53\nsearch a.example b.example\ndomain example\noptions ndots:2 edns0\n' >"$DATA/resolv.conf"
out=$(hl ADD a "$(conf dns "$V4" 1.1.0 "{\"resolvConf\":\"$DATA/resolv.conf\"}")")
t_eq "resolvConf becomes the result's dns" "$(jq -c .dns <<<"$out")" \
	'{"nameservers":["192.0.2.53","2001:db8::53"],"domain":"example","search":["a.example","b.example"],"options":["ndots:2","edns0"]}'

# runtimeConfig.ipRanges (the ipRanges capability) comes before ipam.ranges, as the reference.
I=$(jq -c '.runtimeConfig={ipRanges:[[{subnet:"198.51.100.0/24"}]]}' <<<"$(conf iprg '[[{"subnet":"2001:db8::/126"}]]')")
t_eq "runtimeConfig.ipRanges is used first; IPv6 ranges end at the last address" \
	"$(ips "$(hl ADD a "$I")") $(ips "$(hl ADD b "$I")")" "198.51.100.2/24 2001:db8::2/126 198.51.100.3/24 2001:db8::3/126"
out=$(hl ADD c "$I"); rc=$?
t_eq "when a later range set is full ADD fails with code 50" "$rc/$(jq .code <<<"$out")" 1/50
t_check "... and the address it took from the first set is given back" test ! -e "$DATA/iprg/198.51.100.4"

# --- DEL and CHECK ------------------------------------------------------------------
chk=$(jq -c --argjson p "$(jq -c '.ips[0]' <<<'{"ips":[{"address":"192.0.2.2/24"}]}')" \
	'.prevResult={cniVersion:"1.1.0", ips:[$p]}' <<<"$C")
t_check "CHECK finds c1's lease" hl CHECK c1 "$chk"
out=$(hl CHECK nobody "$chk"); rc=$?
t_eq "CHECK without a lease fails" "$rc" 1
t_check "DEL succeeds" hl DEL c1 "$C"
t_check "DEL frees the addresses" test ! -e "$DATA/net1/192.0.2.2" -a ! -e "$DATA/net1/2001:db8::2"
t_check "... but not c1's other interface" test -e "$DATA/net1/192.0.2.71"
t_check "DEL twice succeeds" hl DEL c1 "$C"
t_check "DEL of an unknown container succeeds" hl DEL never-added "$C"

# --- exhaustion and STATUS ----------------------------------------------------------
T=$(conf tiny '[[{"subnet":"192.0.2.0/29","rangeStart":"192.0.2.2","rangeEnd":"192.0.2.3"}]]')
t_check "STATUS succeeds on an empty range" hl STATUS "" "$T"
t_eq "the tiny range gives .2" "$(ips "$(hl ADD t1 "$T")")" "192.0.2.2/29"
t_check "STATUS still succeeds with one address left" hl STATUS "" "$T"
t_eq "then .3" "$(ips "$(hl ADD t2 "$T")")" "192.0.2.3/29"
before=$(nfiles tiny)
out=$(hl ADD t3 "$T"); rc=$?
t_eq "ADD on an exhausted range fails with code 50" "$rc/$(jq .code <<<"$out")" 1/50
t_eq "... with a clear message" "$(jq -r '.msg | test("no IP addresses available")' <<<"$out")" true
t_eq "... and writes nothing" "$(nfiles tiny)" "$before"
out=$(hl STATUS "" "$T"); rc=$?
t_eq "STATUS on the exhausted range is code 50" "$rc/$(jq .code <<<"$out")" 1/50
hl DEL t1 "$T" >/dev/null
t_check "STATUS recovers after a DEL" hl STATUS "" "$T"
t_eq "the freed address is reused after wrapping" "$(ips "$(hl ADD t4 "$T")")" "192.0.2.2/29"
touch "$DATA/not-a-dir"
out=$(hl STATUS "" "$(jq -c --arg d "$DATA/not-a-dir" '.ipam.dataDir=$d' <<<"$T")")
t_eq "STATUS with an unusable dataDir is code 50" "$(jq .code <<<"$out")" 50

# --- config errors ------------------------------------------------------------------
bad() { # bad WHAT RANGES CODE
	local out
	out=$(hl ADD e "$(conf "bad$T_N" "$2")")
	t_eq "$1 is code $3" "$(jq .code <<<"$out")" "$3"
}
bad 'subnet "x"' '[[{"subnet":"x"}]]' 7
bad "a /32 subnet" '[[{"subnet":"192.0.2.1/32"}]]' 7
bad "a /31 subnet" '[[{"subnet":"192.0.2.0/31"}]]' 7
bad "a /127 subnet" '[[{"subnet":"2001:db8::/127"}]]' 7
bad "host bits in the subnet" '[[{"subnet":"192.0.2.5/24"}]]' 7
bad "rangeStart outside the subnet" '[[{"subnet":"192.0.2.0/24","rangeStart":"198.51.100.1"}]]' 7
bad "overlapping range sets" '[[{"subnet":"192.0.2.0/24"}],[{"subnet":"192.0.2.128/25"}]]' 7
bad "overlapping ranges in one set" '[[{"subnet":"192.0.2.0/24"},{"subnet":"192.0.2.0/25"}]]' 7
bad "mixed families in one set" '[[{"subnet":"192.0.2.0/24"},{"subnet":"2001:db8::/64"}]]' 7
bad "no ranges" '[]' 7
bad "a non-string subnet" '[[{"subnet":5}]]' 6
t_eq "no config error wrote anything" "$(ls "$DATA" | grep -c '^bad')" 0
out=$(CNI_CONTAINERID=e cni host-local ADD "$NS" eth0 '{"cniVersion":"1.1.0","name":"x","type":"bridge"}')
t_eq "a config without ipam is code 7" "$(jq .code <<<"$out")" 7

# --- parallel ADDs ------------------------------------------------------------------
P=$(conf par "$V4")
mkdir -p "$DATA/out"
for i in $(seq 1 20); do
	hl ADD "p$i" "$P" >"$DATA/out/$i" &
done
wait
t_eq "20 parallel ADDs give 20 distinct addresses" \
	"$(cat "$DATA"/out/* | jq -r '.ips[0].address' | sort -u | grep -c '^192\.0\.2\.')" 20
t_eq "... and 20 lease files" "$(ls "$DATA/par" | grep -c '^192')" 20

# --- GC -----------------------------------------------------------------------------
K=$(conf gc "$V4")
hl ADD keep "$K" >/dev/null
hl ADD drop "$K" >/dev/null
t_check "GC succeeds" hl GC "" "$(jq -c '."cni.dev/valid-attachments"=[{containerID:"keep",ifname:"eth0"}]' <<<"$K")"
t_check "GC keeps the valid attachment's lease" test -e "$DATA/gc/192.0.2.2"
t_check "GC removes the stale lease" test ! -e "$DATA/gc/192.0.2.3"

# --- compatibility with the reference plugin ----------------------------------------
if [ -x "$REF" ]; then
	R=$(conf compat "$V4" 1.0.0) # the Debian reference speaks up to 1.0.0
	t_eq "reference ADD takes .2" "$(ips "$(ref ADD r1 "$R")")" "192.0.2.2/24"
	t_eq "ours skips the reference's lease and takes .3" "$(ips "$(hl ADD o1 "$R")")" "192.0.2.3/24"
	t_eq "the reference skips ours and takes .4" "$(ips "$(ref ADD r2 "$R")")" "192.0.2.4/24"
	out=$(CNI_ARGS="IP=192.0.2.4" hl ADD o2 "$R")
	t_eq "ours refuses an address the reference leased" "$(jq -r '.msg | test("already")' <<<"$out")" true
	out=$(CNI_ARGS="IP=192.0.2.3" ref ADD r3 "$R"); rc=$?
	t_eq "the reference refuses an address we leased" "$rc" 1
	t_check "ours CHECKs a reference lease" hl CHECK r1 "$(jq -c '.prevResult={cniVersion:"1.0.0",ips:[{address:"192.0.2.2/24"}]}' <<<"$R")"
	t_check "ours DELs a reference lease" hl DEL r1 "$R"
	t_check "... and it is gone" test ! -e "$DATA/compat/192.0.2.2"
	ref DEL o1 "$R" >/dev/null
	t_check "the reference DELs our lease" test ! -e "$DATA/compat/192.0.2.3"
else
	t_skip "compatibility with the reference" "$REF not installed"
fi

# --- the index: DEL and CHECK read the attachment's leases only -------------------------
I=$(conf idx "$V4" 1.0.0)
for i in $(seq 1 30); do hl ADD i$i "$I" >/dev/null; done
t_eq "an index entry lists the attachment's address" "$(cat "$DATA/idx/.nr-index/i7@eth0")" 192.0.2.8
# Lease files opened by one operation: names that are addresses (opened relative to the store).
opens() { strace -f -qq -e trace=openat -o /dev/stdout "$@" 2>/dev/null | grep -cE 'openat\([0-9]+, "[0-9a-f.:]+"'; }
n=$(opens env CNI_COMMAND=DEL CNI_CONTAINERID=i9 CNI_NETNS=$NS CNI_IFNAME=eth0 "$CNI_BIN/host-local" <<<"$I")
t_eq "DEL with 30 leases opens only its own lease file" "$n" 1
t_check "... and the lease is gone" test ! -e "$DATA/idx/192.0.2.10"
n=$(opens env CNI_COMMAND=CHECK CNI_CONTAINERID=i8 CNI_NETNS=$NS CNI_IFNAME=eth0 CNI_PATH=$CNI_BIN "$CNI_BIN/host-local" \
	<<<"$(jq -c '.prevResult={cniVersion:"1.0.0",ips:[{address:"192.0.2.9/24"}]}' <<<"$I")")
t_eq "CHECK opens only its own lease file" "$n" 1
n=$(opens env CNI_COMMAND=ADD CNI_CONTAINERID=i99 CNI_NETNS=$NS CNI_IFNAME=eth0 "$CNI_BIN/host-local" <<<"$I")
t_eq "ADD opens one lease file: the one it creates" "$n" 1
# A lease written behind our back (another binary, a person) is seen: the stamp no longer
# matches the directory, so the index is rebuilt before it is trusted.
printf 'hand\r\neth0' >"$DATA/idx/192.0.2.200"
out=$(CNI_ARGS=IP=192.0.2.201 hl ADD hand "$I"); rc=$?
t_eq "ADD for an attachment leased behind our back is refused" "$rc $(jq -r '.msg | test("already allocated")' <<<"$out")" "1 true"
t_check "DEL of it removes it" hl DEL hand "$I"
t_check "... the file is gone" test ! -e "$DATA/idx/192.0.2.200"
# A stale entry pointing at an address that now belongs to someone else is not trusted.
printf '192.0.2.3\n' >"$DATA/idx/.nr-index/ghost@eth0"
hl DEL ghost "$I" >/dev/null
t_check "DEL through a stale entry leaves the real owner's lease" grep -q '^i2' "$DATA/idx/192.0.2.3"
rm -rf "$DATA/idx/.nr-index"
t_check "with the index deleted, DEL still finds the lease" hl DEL i3 "$I"
t_check "... and removes it" test ! -e "$DATA/idx/192.0.2.4"
t_check "the index is back" test -s "$DATA/idx/.nr-index/i4@eth0"
if [ -x "$REF" ]; then
	ref ADD refidx "$I" >/dev/null
	refip=$(grep -l '^refidx' "$DATA"/idx/* | head -1)
	out=$(hl ADD refidx "$I"); rc=$?
	t_eq "ours sees a lease the reference just wrote as a duplicate" "$rc" 1
	t_check "ours DELs it" hl DEL refidx "$I"
	t_check "... and it is gone" test ! -e "$refip"
	ref DEL i5 "$I" >/dev/null
	t_check "the reference DELs one of ours (our index does not confuse it)" test ! -e "$DATA/idx/192.0.2.6"
	out=$(hl CHECK i5 "$(jq -c '.prevResult={cniVersion:"1.0.0",ips:[{address:"192.0.2.6/24"}]}' <<<"$I")"); rc=$?
	t_eq "... after which our CHECK says it is gone (code 3)" "$rc $(jq -r .code <<<"$out")" "1 3"
fi

t_done
