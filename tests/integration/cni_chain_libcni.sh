#!/bin/bash
# Our result cache and libcni's read each other: an attachment made by core/cni_chain
# (chainctl) is CHECKed and DELeted by libcni from our cache entry, and one made by libcni
# is read, CHECKed and DELeted by chainctl from libcni's.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/libcni_client.sh"

CHECKS=("libcni CHECK of our attachment brings our cached prevResult" "libcni DEL brings it too and removes our entry"
	"lo is down after libcni's DEL" "chainctl reads libcni's cache entry" "chainctl CHECK of libcni's attachment brings its cached prevResult"
	"chainctl DEL brings it too and removes libcni's entry")
if ! why=$(libcni_client_build); then
	for c in "${CHECKS[@]}"; do t_skip "$c" "$why"; done
	t_done
	exit 0
fi

WORK=$(mktemp -d -p /var/lib/cni lc.XXXXXX)
CACHE=$WORK/cache # libcni's cache dir; entries live in $CACHE/results
mkdir -p "$WORK/net.d" "$WORK/spy/bin"
CONF=$WORK/net.d/10-lo.conflist
# loopback, then a spy that records the prevResult each call brings.
echo '{"cniVersion":"1.0.0","name":"lonet","plugins":[{"type":"loopback"},{"type":"spy"}]}' >"$CONF"
ln -s "$(cd "$(dirname "$0")/../lib" && pwd)/spy-plugin" "$WORK/spy/bin/spy"
export CNI_PATH=$CNI_BIN:$WORK/spy/bin SPYDIR=$WORK/spy SPYLOG=$WORK/spy/log
# prev CMD: the prevResult address the spy last got for CMD (consumed, so each check sees
# only its own call).
prev() { jq -r '.prevResult.ips[0].address // "none"' "$WORK/spy/spy.$1.json" 2>&1; rm -f "$WORK/spy/spy.$1.json"; }
ctl() { "$NR_BUILD/tests/tools/chainctl" -d "$WORK/net.d" -c "$CACHE/results" -f lo "$@"; }
lib() { NR_CNI_CACHE=$CACHE "$LIBCNI_CLIENT" "$1" "$CONF" "$2" "$3" lo 2>&1; }
lo_state() { ip -n "$1" -o link show lo | grep -q '<[^>]*\bUP\b' && echo up || echo down; }
ip netns add a && ip netns add b

ctl -i ours -n /run/netns/a ADD lonet >/dev/null
out=$(lib check /run/netns/a ours); rc=$?
t_eq "${CHECKS[0]}" "$rc/$(prev CHECK)" 0/127.0.0.1/8
out=$(lib del /run/netns/a ours); rc=$?
t_eq "${CHECKS[1]}" "$rc/$(prev DEL)/$(test -e "$CACHE/results/lonet-ours-lo" && echo kept || echo gone)" 0/127.0.0.1/8/gone
t_eq "${CHECKS[2]}" "$(lo_state a)" down

lib add /run/netns/b theirs >/dev/null
t_eq "${CHECKS[3]}" "$(ctl -i theirs CACHED lonet | jq -r '.result.ips[0].address')" 127.0.0.1/8
out=$(ctl -i theirs -n /run/netns/b CHECK lonet); rc=$?
t_eq "${CHECKS[4]}" "$rc/$(prev CHECK)" 0/127.0.0.1/8
out=$(ctl -i theirs -n /run/netns/b DEL lonet); rc=$?
t_eq "${CHECKS[5]}" "$rc/$(prev DEL)/$(test -e "$CACHE/results/lonet-theirs-lo" && echo kept || echo gone)" 0/127.0.0.1/8/gone

ip netns del a; ip netns del b
t_done
