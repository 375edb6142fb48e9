#!/bin/bash
# Plugin chains run by core/cni_chain (through tests/tools/chainctl): conflists from
# directories, ADD with prevResult and the cache, DEL in reverse with the cached result,
# rollback of a failed ADD, CHECK, STATUS, GC of stale attachments and their leases.
# "spy" plugins (shell scripts) record what each call received.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"

CTL="$NR_BUILD/tests/tools/chainctl"
WORK=$(mktemp -d -p /var/lib/cni chain.XXXXXX)
CONFD=$WORK/net.d CONFD2=$WORK/net2.d SPYDIR=$WORK/spy DATA=$WORK/ipam
CACHE=/var/lib/cni/results
mkdir -p "$CONFD" "$CONFD2" "$SPYDIR/bin" "$DATA"
export SPYLOG=$WORK/spy.log SPYDIR
export CNI_PATH="$CNI_BIN:$SPYDIR/bin"

# spy (tests/lib/spy-plugin) records every call it gets.
ln -s "$(cd "$(dirname "$0")/../lib" && pwd)/spy-plugin" "$SPYDIR/bin/spy"

# netconf NAME VERSION EXTRA-PLUGINS-JSON [LIST-EXTRA]: bridge + host-local, then the extras.
netconf() {
	jq -nc --arg n "$1" --arg v "$2" --arg d "$DATA" --argjson x "$3" --argjson le "${4:-{\}}" \
		'{cniVersion:$v, name:$n, plugins:([{type:"bridge", bridge:"nrchain0", isGateway:true,
		  ipam:{type:"host-local", dataDir:$d, ranges:[[{subnet:"198.51.100.0/24"}]]}}] + $x)} + $le'
}
SPIES='[{"type":"spy","tag":"a","capabilities":{"portMappings":true}},{"type":"spy","tag":"b"}]'
netconf net1 1.1.0 "$SPIES" >"$CONFD/20-net1.conflist"
ctl() { "$CTL" -d "$CONFD:$CONFD2" "$@"; }
leases() { nr_leases "$DATA/$1"; }
spylog() { tr '\n' ',' <"$SPYLOG"; }
ns_links() { ip -n "$1" -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort | tr '\n' ' '; }
ip netns add c1 && ip netns add c2 && ip netns add c3

# --- ADD -------------------------------------------------------------------------------
CAPS='{"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}],"mac":"02:00:00:00:00:99"}'
out=$(ctl -i c1 -n /run/netns/c1 -C "$CAPS" -a "IgnoreUnknown=1;K8S_POD_NAME=p" ADD net1); rc=$?
t_eq "ADD exits 0" "$rc" 0
t_eq "ADD returns the chain's result" "$(jq -r '.ips[0].address' <<<"$out")" 198.51.100.2/24
t_eq "plugins ran in order" "$(spylog)" "ADD a,ADD b,"
t_check "eth0 exists in the container" ip -n c1 link show eth0
t_eq "spy a got bridge's result as prevResult" "$(jq -r '.prevResult.ips[0].address' "$SPYDIR/a.ADD.json")" 198.51.100.2/24
t_eq "spy b got a's result as prevResult" "$(jq -r '.prevResult.interfaces[2].name' "$SPYDIR/b.ADD.json")" eth0
t_eq "each plugin got the list's name and cniVersion" "$(jq -r '"\(.name) \(.cniVersion)"' "$SPYDIR/b.ADD.json")" "net1 1.1.0"
t_eq "a declares portMappings and gets only that" "$(jq -c '.runtimeConfig | keys' "$SPYDIR/a.ADD.json")" '["portMappings"]'
t_eq "b declares nothing and gets no runtimeConfig" "$(jq 'has("runtimeConfig")' "$SPYDIR/b.ADD.json")" false
F=$CACHE/net1-c1-eth0
t_check "the result is cached at <network>-<id>-<ifname>" test -f "$F"
t_eq "cache file mode 0600, directory 0700" "$(stat -c %a "$F") $(stat -c %a "$CACHE")" "600 700"
t_eq "cache entry fields" "$(jq -c '[.kind, .containerId, .ifName, .networkName, .netns]' "$F")" \
	'["cniCacheV1","c1","eth0","net1","/run/netns/c1"]'
t_eq "cache keeps capability args and CNI_ARGS" "$(jq -c '[(.capabilityArgs | keys), .cniArgs]' "$F")" \
	'[["mac","portMappings"],[["IgnoreUnknown","1"],["K8S_POD_NAME","p"]]]'
t_eq "cached result is the final result" "$(jq -cS '.result | del(.cniVersion)' "$F")" "$(jq -cS 'del(.cniVersion)' <<<"$out")"
t_eq "no temporary files left in the cache directory" "$(ls -A "$CACHE" | grep -c '^\.')" 0
t_eq "cni_cache_read gives result and capability args" \
	"$(ctl -i c1 CACHED net1 | jq -c '[.result.ips[0].address, (.capabilityArgs | keys)]')" \
	'["198.51.100.2/24",["mac","portMappings"]]'

# --- CHECK -----------------------------------------------------------------------------
: >"$SPYLOG"
t_check "CHECK succeeds" ctl -i c1 -n /run/netns/c1 CHECK net1
t_eq "CHECK runs in order" "$(spylog)" "CHECK a,CHECK b,"
t_eq "CHECK gets the cached result as prevResult" "$(jq -r '.prevResult.ips[0].address' "$SPYDIR/b.CHECK.json")" 198.51.100.2/24
t_eq "CHECK without capability args uses the cached ones" "$(jq -c '.runtimeConfig | keys' "$SPYDIR/a.CHECK.json")" '["portMappings"]'
ip -n c1 addr flush dev eth0
out=$(ctl -i c1 -n /run/netns/c1 CHECK net1); rc=$?
t_eq "CHECK fails once the address is gone" "$rc" 1
t_eq "... naming the network and the plugin" "$(jq -r '.msg | test("net1: plugin bridge \\(1 of 3\\) CHECK")' <<<"$out")" true
out=$(ctl -i nosuch -n /run/netns/c1 CHECK net1); rc=$?
t_eq "CHECK without a cached result fails" "$rc/$(jq -r '.msg | test("no cached result")' <<<"$out")" 1/true
netconf net1 1.1.0 "$SPIES" '{"disableCheck":true}' >"$CONFD2/10-dc.conflist"
: >"$SPYLOG"
t_check "CHECK with disableCheck succeeds without calling plugins" sh -c \
	"'$CTL' -d '$CONFD2' -i nosuch -n /run/netns/c1 CHECK net1 && [ ! -s '$SPYLOG' ]"
rm "$CONFD2/10-dc.conflist"

# --- DEL -------------------------------------------------------------------------------
: >"$SPYLOG"
out=$(ctl -i c1 -n /run/netns/c1 DEL net1); rc=$?
t_eq "DEL exits 0" "$rc/$out" 0/
t_eq "DEL runs in reverse" "$(spylog)" "DEL b,DEL a,"
t_eq "DEL gets the cached result as prevResult" "$(jq -r '.prevResult.ips[0].address' "$SPYDIR/a.DEL.json")" 198.51.100.2/24
t_eq "DEL uses the cached capability args" "$(jq -c '.runtimeConfig | keys' "$SPYDIR/a.DEL.json")" '["portMappings"]'
t_check "DEL removes the cache entry" test ! -e "$F"
t_eq "DEL removes eth0" "$(ns_links c1)" "lo "
t_eq "DEL releases the lease" "$(leases net1)" 0
: >"$SPYLOG"
out=$(ctl -i c1 -n /run/netns/c1 DEL net1); rc=$?
t_eq "DEL without a cache entry succeeds" "$rc/$(spylog)" "0/DEL b,DEL a,"
t_eq "... and plugins get no prevResult" "$(jq 'has("prevResult")' "$SPYDIR/a.DEL.json")" false
t_check "DEL with no netns succeeds" ctl -i c1 DEL net1

# --- a failing plugin rolls ADD back ---------------------------------------------------
netconf net2 1.1.0 '[{"type":"spy","tag":"a"},{"type":"spy","tag":"b","fail":"ADD"}]' >"$CONFD/30-net2.conflist"
: >"$SPYLOG"
out=$(ctl -i c2 -n /run/netns/c2 ADD net2); rc=$?
t_eq "ADD with a failing third plugin exits 1" "$rc" 1
t_eq "the plugin's code comes through" "$(jq .code <<<"$out")" 101
t_eq "the message names the plugin" "$(jq -r '.msg | test("plugin spy \\(3 of 3\\) ADD: spy told to fail")' <<<"$out")" true
t_eq "the chain was DELeted in reverse, failed plugin included" "$(spylog)" "ADD a,ADD b,DEL b,DEL a,"
t_eq "rollback DEL got the last good result" "$(jq -r '.prevResult.ips[0].address' "$SPYDIR/a.DEL.json")" 198.51.100.2/24
t_eq "nothing left in the container" "$(ns_links c2)" "lo "
t_eq "no lease left" "$(leases net2)" 0
t_check "no cache entry" test ! -e "$CACHE/net2-c2-eth0"
netconf net3 1.1.0 '[{"type":"no-such-plugin"}]' >"$CONFD/40-net3.conflist"
out=$(ctl -i c2 -n /run/netns/c2 ADD net3); rc=$?
t_eq "a missing plugin fails ADD" "$rc/$(jq -r '.msg | test("no-such-plugin")' <<<"$out")" 1/true
t_eq "... and rolls bridge back" "$(ns_links c2) $(leases net3)" "lo  0"

: >"$SPYLOG"
out=$(ctl -c /proc/sys/nope -i c2 -n /run/netns/c2 ADD net1); rc=$?
t_eq "a cache that cannot be written fails ADD" "$rc/$(jq -r '.msg | test("caching the result")' <<<"$out")" 1/true
t_eq "... after rolling every plugin back" "$(spylog)/$(ns_links c2)/$(leases net1)" "ADD a,ADD b,DEL b,DEL a,/lo /0"

# --- STATUS ----------------------------------------------------------------------------
: >"$SPYLOG"
t_check "STATUS succeeds" ctl STATUS net1
t_eq "STATUS asks every plugin" "$(spylog)" "STATUS a,STATUS b,"
netconf old 1.0.0 "$SPIES" >"$CONFD/50-old.conflist"
: >"$SPYLOG"
t_eq "STATUS on a 1.0.0 list succeeds without calls" "$(ctl STATUS old; echo $?)/$(spylog)" "0/"
netconf sfail 1.1.0 '[{"type":"spy","tag":"a","fail":"STATUS"}]' >"$CONFD/60-sfail.conflist"
out=$(ctl STATUS sfail); rc=$?
t_eq "STATUS reports a plugin's failure" "$rc/$(jq .code <<<"$out")" 1/101

# --- GC --------------------------------------------------------------------------------
for c in c1 c2 c3; do ctl -i $c -n /run/netns/$c ADD net1 >/dev/null; done
t_eq "three attachments cached, three leases" "$(ls "$CACHE" | grep -c '^net1-') $(leases net1)" "3 3"
: >"$SPYLOG"
VALID='[{"containerID":"c1","ifname":"eth0"},{"containerID":"c3","ifname":"eth0"}]'
t_check "GC succeeds" ctl -V "$VALID" GC net1
t_eq "GC DELs the stale attachment, then GCs every plugin" "$(spylog)" "DEL b,DEL a,GC a,GC b,"
t_eq "the stale DEL has no netns, only its cached result" \
	"$(jq -r '.prevResult.interfaces[2].sandbox' "$SPYDIR/a.DEL.json")" /run/netns/c2
t_eq "GC sends cni.dev/valid-attachments" "$(jq -c '."cni.dev/valid-attachments"' "$SPYDIR/a.GC.json")" "$VALID"
t_eq "stale cache entry dropped, valid ones kept" "$(ls "$CACHE" | grep '^net1-' | tr '\n' ' ')" "net1-c1-eth0 net1-c3-eth0 "
t_eq "stale lease released" "$(leases net1)" 2
# A lease with no cache entry at all (a crashed runtime): only the plugins' GC can drop it.
printf 'ghost\r\neth0' >"$DATA/net1/198.51.100.200"
t_check "GC with valid = [c1, c3] again" ctl -V "$VALID" GC net1
t_check "the orphan lease is collected by host-local's GC" test ! -e "$DATA/net1/198.51.100.200"
netconf net1 1.1.0 "$SPIES" '{"disableGC":true}' >"$CONFD2/10-dgc.conflist"
: >"$SPYLOG"
t_eq "GC with disableGC does nothing" "$("$CTL" -d "$CONFD2" -V '[]' GC net1; echo $?)/$(spylog)/$(ls "$CACHE" | grep -c '^net1-')" "0//2"
rm "$CONFD2/10-dgc.conflist"
netconf old 1.0.0 "$SPIES" >"$CONFD/50-old.conflist"
ctl -i c1 -n /run/netns/c1 -f eth1 ADD old >/dev/null
: >"$SPYLOG"
t_check "GC on a 1.0.0 list" ctl -V '[]' GC old
t_eq "... DELs stale attachments but calls no plugin GC" "$(spylog)/$(ls "$CACHE" | grep -c '^old-')" "DEL b,DEL a,/0"
t_check "GC with an empty list drops everything" ctl -V '[]' GC net1
t_eq "... cache and leases" "$(ls "$CACHE" | grep -c '^net1-') $(leases net1)" "0 0"

# --- names that would escape the cache directory ---------------------------------------
out=$(ctl -i ../../etc -n /run/netns/c1 ADD net1); rc=$?
t_eq "a container id with '/' is refused before anything runs" "$rc/$(jq -r .msg <<<"$out" | grep -c invalid)" 1/1
out=$(ctl -i c1 -n /run/netns/c1 -f .. ADD net1); rc=$?
t_eq "an ifname of '..' is refused" "$rc" 1
out=$(ctl -i c1 -n /run/netns/c1 ADD missing); rc=$?
t_eq "an unknown network is code 100 naming the directories" "$rc/$(jq .code <<<"$out")/$(jq -r '.msg | test("net.d")' <<<"$out")" 1/100/true

# --- memory: every chain path of the runtime side runs clean under memcheck --------------
echo '{"cniVersion":"1.1.0","name":"vg","plugins":[{"type":"spy","tag":"a","capabilities":{"mac":true}},{"type":"spy","tag":"b"}]}' \
	>"$CONFD/70-vg.conflist"
echo '{"cniVersion":"1.1.0","name":"vgfail","plugins":[{"type":"spy","tag":"a"},{"type":"spy","tag":"b","fail":"ADD"}]}' \
	>"$CONFD/71-vgfail.conflist"
vg_ok=true vg_log=$WORK/vg.log
for args in "-i v1 -n /run/netns/c1 -C {\"mac\":\"02:00:00:00:00:07\"} -a A=1 ADD vg" "-i v1 -n /run/netns/c1 CHECK vg" \
	"-i v1 CACHED vg" "STATUS vg" "-i v2 -n /run/netns/c1 ADD vg" "-V [{\"containerID\":\"v2\",\"ifname\":\"eth0\"}] GC vg" \
	"-i v2 -n /run/netns/c1 DEL vg" "-i v3 -n /run/netns/c1 ADD vgfail" "-i v3 ADD missing" "LIST -"; do
	# shellcheck disable=SC2086 # the arguments are split on purpose
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
		"$CTL" -d "$CONFD" $args >/dev/null 2>"$vg_log"
	[ $? = 99 ] && { vg_ok=false; echo "# valgrind: $args"; sed 's/^/# /' "$vg_log" | head -20; }
done
$vg_ok && t_ok "ADD/CHECK/STATUS/GC/DEL, rollback, not found: clean under valgrind" ||
	t_fail "ADD/CHECK/STATUS/GC/DEL, rollback, not found: clean under valgrind"

ip netns del c1; ip netns del c2; ip netns del c3
t_done
