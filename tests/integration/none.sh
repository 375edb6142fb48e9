#!/bin/bash
# The none (loopback) plugin, driven as a runtime drives it, in a private namespace.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"

ip netns add nr-none
NS=/run/netns/nr-none
CONF='{"cniVersion":"1.1.0","name":"lo-net","type":"none"}'
lo_state() { ip -n nr-none -o link show lo | grep -q '<[^>]*\bUP\b' && echo up || echo down; }

out=$(cni none VERSION "" "" "" </dev/null)
t_eq "VERSION lists every supported version" "$(jq -c .supportedVersions <<<"$out")" \
	'["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]'
out=$(CNI_COMMAND=VERSION "$CNI_BIN/none" <<<'{"cniVersion":"0.4.0"}')
t_eq "VERSION answers in the asked version" "$(jq -r .cniVersion <<<"$out")" "0.4.0"

t_eq "lo starts down" "$(lo_state)" down
out=$(cni none ADD $NS lo "$CONF"); rc=$?
t_eq "ADD exits 0" "$rc" 0
t_eq "ADD brings lo up" "$(lo_state)" up
t_eq "ADD reports lo with its sandbox" "$(jq -r '.interfaces[0] | "\(.name) \(.sandbox)"' <<<"$out")" "lo $NS"
t_eq "ADD reports 127.0.0.1/8 and ::1/128 on lo" \
	"$(jq -c '[.ips[] | [.address, .interface]]' <<<"$out")" '[["127.0.0.1/8",0],["::1/128",0]]'
t_eq "1.1.0 results carry no ips[].version" "$(jq '[.ips[] | has("version")] | any' <<<"$out")" false

ip netns exec nr-none sysctl -qw net.ipv6.conf.lo.disable_ipv6=1
out=$(cni none ADD $NS lo "${CONF/1.1.0/0.3.1}")
t_eq "with IPv6 off only 127.0.0.1/8, and 0.3.1 adds ips[].version" \
	"$(jq -c '[.ips[] | [.address, .version]]' <<<"$out")" '[["127.0.0.1/8","4"]]'
t_eq "0.3.1 result says cniVersion 0.3.1" "$(jq -r .cniVersion <<<"$out")" 0.3.1
ip netns exec nr-none sysctl -qw net.ipv6.conf.lo.disable_ipv6=0

prev='{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","mac":"02:00:00:00:00:01","sandbox":"/x"}],"ips":[{"address":"192.0.2.5/24","gateway":"192.0.2.1","interface":0}],"routes":[{"dst":"0.0.0.0/0"}],"dns":{"nameservers":["192.0.2.1"]}}'
chained=$(jq -c --argjson p "$prev" '.cniVersion="1.0.0" | .prevResult=$p' <<<"$CONF")
out=$(cni none ADD $NS lo "$chained")
t_eq "chained ADD passes prevResult through" "$(jq -cS 'del(.cniVersion)' <<<"$out")" "$(jq -cS 'del(.cniVersion)' <<<"$prev")"

check=$(jq -c --argjson p "$(cni none ADD $NS lo "$CONF")" '.prevResult=$p' <<<"$CONF")
t_check "CHECK succeeds while lo is up" cni none CHECK $NS lo "$check"
ip -n nr-none link set lo down
out=$(cni none CHECK $NS lo "$check"); rc=$?
t_eq "CHECK fails when lo is down" "$rc" 1
t_eq "... with an error object naming lo" "$(jq -r '.msg | test("lo")' <<<"$out")" true
out=$(cni none CHECK $NS lo "${check//1.1.0/0.3.1}")
t_eq "CHECK with a 0.3.1 config is code 1" "$(jq .code <<<"$out")" 1

cni none ADD $NS lo "$CONF" >/dev/null
t_check "DEL succeeds" cni none DEL $NS lo "$CONF"
t_eq "DEL sets lo down" "$(lo_state)" down
t_check "DEL twice succeeds" cni none DEL $NS lo "$CONF"
t_check "DEL with empty CNI_NETNS succeeds" cni none DEL "" lo "$CONF"
ip netns del nr-none
t_check "DEL after the netns is gone succeeds" cni none DEL $NS lo "$CONF"

t_check "STATUS succeeds" cni none STATUS "" "" "$CONF"
t_check "GC succeeds" cni none GC "" "" "$(jq -c '."cni.dev/valid-attachments"=[]' <<<"$CONF")"
out=$(cni none STATUS "" "" "${CONF/1.1.0/1.0.0}")
t_eq "STATUS with a 1.0.0 config is code 1" "$(jq .code <<<"$out")" 1

# Errors: the right code, on stdout, and a non-zero exit.
expect_err() { # what code plugin-args...
	local what=$1 code=$2 out rc
	shift 2
	out=$("$@"); rc=$?
	if [ $rc -ne 0 ] && [ "$(jq -r .code <<<"$out" 2>/dev/null)" = "$code" ] &&
		[ -n "$(jq -r .msg <<<"$out")" ]; then
		t_ok "$what: code $code"
	else
		t_fail "$what: code $code" "rc=$rc out=$out"
	fi
}
expect_err "malformed stdin" 6 cni none ADD /run/netns/x lo '{"cniVersion":'
expect_err "stdin not an object" 6 cni none ADD /run/netns/x lo '[1,2]'
expect_err "ADD without CNI_NETNS" 4 cni none ADD "" lo "$CONF"
out=$(cni none ADD "" lo "$CONF")
t_eq "... and the message names CNI_NETNS" "$(jq -r '.msg | test("CNI_NETNS")' <<<"$out")" true
expect_err "ADD with a CNI_NETNS that does not exist" 3 cni none ADD /run/netns/missing lo "$CONF"
expect_err "ADD with a CNI_NETNS that is not a netns" 4 cni none ADD /etc/hostname lo "$CONF"
expect_err "unknown CNI_COMMAND" 4 cni none FROB "" lo "$CONF"
expect_err "CNI_IFNAME of 16 characters" 4 cni none ADD /run/netns/x abcdefghijklmnop "$CONF"
expect_err "unsupported cniVersion" 1 cni none ADD /run/netns/x lo '{"cniVersion":"0.2.0","name":"n","type":"none"}'
expect_err "unknown CNI_ARGS key" 4 env CNI_ARGS="FOO=bar" bash -c "source $(dirname "$0")/../lib/t.sh; cni none ADD /run/netns/x lo '$CONF'"
ip netns add nr-none2
t_check "unknown CNI_ARGS key with IgnoreUnknown=1 is accepted" \
	env CNI_ARGS="IgnoreUnknown=1;FOO=bar" bash -c "source $(dirname "$0")/../lib/t.sh; cni none ADD /run/netns/nr-none2 lo '$CONF'"
ip netns del nr-none2

# Memory: every operation's path runs clean under memcheck (no invalid access, no leak).
ip netns add nr-vg
vgconf=$(jq -c --argjson p "$prev" '.prevResult=$p' <<<"$CONF")
for cmd in ADD CHECK DEL; do
	if CNI_COMMAND=$cmd CNI_CONTAINERID=vg CNI_NETNS=/run/netns/nr-vg CNI_IFNAME=lo CNI_PATH=$CNI_BIN \
		valgrind -q --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
		--error-exitcode=99 "$CNI_BIN/none" <<<"$vgconf" >/dev/null 2>"$NR_BUILD/tests/none-vg.log"; then
		t_ok "$cmd is clean under valgrind memcheck"
	else
		t_fail "$cmd is clean under valgrind memcheck" "$(grep -v ioctl "$NR_BUILD/tests/none-vg.log" | head -20)"
	fi
done
ip netns del nr-vg

t_done
