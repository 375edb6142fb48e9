#!/bin/bash
# Interoperability with the reference runtime library: our plugins driven through
# libcni's CNIConfig (AddNetworkList / CheckNetworkList / DelNetworkList), exactly as
# podman and containerd drive them, by the Go client in tests/interop/libcni-client.
# Needs golang-go and golang-github-appc-cni-dev (libcni 1.1.2, GOPATH mode, no network);
# without them every check is reported as SKIP.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/libcni_client.sh"

CLIENT=$LIBCNI_CLIENT
NSNAME=nr-interop
NS=/run/netns/$NSNAME
# Spec versions libcni 1.1.2 implements that our plugins also speak (libcni knows
# 0.1.0-1.0.0, our plugins 0.3.0-1.1.0; 1.1.0 results are unknown to libcni 1.1.2).
VERSIONS="0.3.0 0.3.1 0.4.0 1.0.0"

TMP=$(mktemp -d /tmp/nr-libcni-interop.XXXXXX)
cleanup() { ip netns del $NSNAME 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

# Check names, one per line, in the order they run (used to report them all as SKIP).
planned() {
	local v
	for v in $VERSIONS; do
		echo "$v: libcni add exits 0"
		echo "$v: libcni add result is cniVersion $v"
		echo "$v: libcni add result has interfaces[0].name lo"
		echo "$v: libcni add result has ips entry 127.0.0.1/8"
		echo "$v: lo is UP after add"
		case $v in
		0.3.*) echo "$v: libcni refuses CHECK for a pre-0.4.0 config" ;;
		*)
			echo "$v: libcni check exits 0"
			echo "$v: libcni check fails once lo is set down"
			;;
		esac
		echo "$v: libcni del exits 0"
		echo "$v: lo is not UP after del"
		echo "$v: libcni del again exits 0"
	done
	for v in $VERSIONS; do echo "$v: libcni del with the netns gone exits 0"; done
	echo "chain loopback+none: libcni add exits 0"
	echo "chain loopback+none: result still has interfaces[0].name lo"
	echo "chain loopback+none: result still has ips entry 127.0.0.1/8"
	echo "chain loopback+none: lo is UP after add"
	echo "chain loopback+none: libcni check exits 0"
	echo "chain loopback+none: libcni del exits 0"
	echo "chain loopback+none: lo is not UP after del"
	for w in ours reference; do
		echo "bridge+host-local ($w): libcni add exits 0"
		echo "bridge+host-local ($w): eth0 has the result's address"
		echo "bridge+host-local ($w): libcni check exits 0"
		echo "bridge+host-local ($w): libcni del exits 0"
		echo "bridge+host-local ($w): eth0 is gone after del"
	done
	echo "bridge+host-local: ours and the reference give results of the same structure"
}

skip_all() {
	local name
	while IFS= read -r name; do t_skip "$name" "$1"; done < <(planned)
	t_done
	exit 0
}

# --- build the client -------------------------------------------------------------------
command -v jq >/dev/null || skip_all "jq not installed"
why=$(libcni_client_build) || skip_all "$why"

# client CMD CONFLIST CONTAINER_ID [NETNS]: the client's stdout+stderr; its exit status.
client() {
	CNI_PATH=$CNI_BIN NR_CNI_CACHE="$TMP/cache" "$CLIENT" "$1" "$2" "${4-$NS}" "$3" lo 2>&1
}
lo_state() { ip -n $NSNAME -o link show lo | grep -q '<[^>]*\bUP\b' && echo up || echo down; }
has_lo() { jq -r '.interfaces[0].name' <<<"$1" 2>/dev/null; }
has_127() { jq -r '[.ips[]?.address] | index("127.0.0.1/8") != null' <<<"$1" 2>/dev/null; }

ip netns add $NSNAME

# --- one loopback plugin, every shared spec version -------------------------------------
for v in $VERSIONS; do
	conf="$TMP/interop-$v.conflist"
	printf '{"cniVersion":"%s","name":"interop","plugins":[{"type":"loopback"}]}\n' "$v" >"$conf"
	id=ctr-$v
	ip -n $NSNAME link set lo down

	out=$(client add "$conf" "$id"); rc=$?
	if [ $rc = 0 ]; then t_ok "$v: libcni add exits 0"; else t_fail "$v: libcni add exits 0" "rc=$rc: $out"; fi
	t_eq "$v: libcni add result is cniVersion $v" "$(jq -r .cniVersion <<<"$out" 2>/dev/null)" "$v"
	t_eq "$v: libcni add result has interfaces[0].name lo" "$(has_lo "$out")" lo
	t_eq "$v: libcni add result has ips entry 127.0.0.1/8" "$(has_127 "$out")" true
	t_eq "$v: lo is UP after add" "$(lo_state)" up

	case $v in
	0.3.*)
		out=$(client check "$conf" "$id"); rc=$?
		if [ $rc != 0 ] && grep -q 'does not support the CHECK command' <<<"$out"; then
			t_ok "$v: libcni refuses CHECK for a pre-0.4.0 config"
		else
			t_fail "$v: libcni refuses CHECK for a pre-0.4.0 config" "rc=$rc: $out"
		fi
		;;
	*)
		t_check "$v: libcni check exits 0" client check "$conf" "$id"
		ip -n $NSNAME link set lo down
		out=$(client check "$conf" "$id"); rc=$?
		if [ $rc != 0 ] && grep -qw lo <<<"$out"; then
			t_ok "$v: libcni check fails once lo is set down"
		else
			t_fail "$v: libcni check fails once lo is set down" "rc=$rc: $out"
		fi
		ip -n $NSNAME link set lo up
		;;
	esac

	t_check "$v: libcni del exits 0" client del "$conf" "$id"
	t_eq "$v: lo is not UP after del" "$(lo_state)" down
	t_check "$v: libcni del again exits 0" client del "$conf" "$id"
done

ip netns del $NSNAME
for v in $VERSIONS; do
	t_check "$v: libcni del with the netns gone exits 0" client del "$TMP/interop-$v.conflist" ctr-$v
done

# --- a chain: loopback then none; the second gets the first's result as prevResult ------
ip netns add $NSNAME
conf="$TMP/chain.conflist"
echo '{"cniVersion":"1.0.0","name":"interop-chain","plugins":[{"type":"loopback"},{"type":"none"}]}' >"$conf"
out=$(client add "$conf" ctr-chain); rc=$?
if [ $rc = 0 ]; then t_ok "chain loopback+none: libcni add exits 0"; else t_fail "chain loopback+none: libcni add exits 0" "rc=$rc: $out"; fi
t_eq "chain loopback+none: result still has interfaces[0].name lo" "$(has_lo "$out")" lo
t_eq "chain loopback+none: result still has ips entry 127.0.0.1/8" "$(has_127 "$out")" true
t_eq "chain loopback+none: lo is UP after add" "$(lo_state)" up
t_check "chain loopback+none: libcni check exits 0" client check "$conf" ctr-chain
t_check "chain loopback+none: libcni del exits 0" client del "$conf" ctr-chain
t_eq "chain loopback+none: lo is not UP after del" "$(lo_state)" down

# --- the reference documentation's bridge + host-local conflist, unchanged, through libcni,
# with our plugins and then with the reference ones (Debian's /usr/lib/cni) -------------
conf="$TMP/bridge.conflist"
jq -n --arg d "$TMP/leases" '{cniVersion:"1.0.0", name:"interop-br", plugins:[{type:"bridge", bridge:"nrlibcni0",
	isGateway:true, ipMasq:true, ipam:{type:"host-local", dataDir:$d,
	ranges:[[{subnet:"198.51.100.0/24"}]], routes:[{dst:"0.0.0.0/0"}]}}]}' >"$conf"
declare -A shape
for w in ours reference; do
	[ $w = ours ] && path=$CNI_BIN || path=/usr/lib/cni
	if [ $w = reference ] && [ ! -x /usr/lib/cni/bridge ]; then
		for n in "libcni add exits 0" "eth0 has the result's address" "libcni check exits 0" "libcni del exits 0" \
			"eth0 is gone after del"; do t_skip "bridge+host-local ($w): $n" "/usr/lib/cni/bridge missing"; done
		continue
	fi
	out=$(CNI_PATH=$path NR_CNI_CACHE="$TMP/cache" "$CLIENT" add "$conf" "$NS" ctr-br eth0 2>&1); rc=$?
	if [ $rc = 0 ]; then t_ok "bridge+host-local ($w): libcni add exits 0"; else t_fail "bridge+host-local ($w): libcni add exits 0" "rc=$rc: $out"; fi
	addr=$(jq -r '.ips[0].address' <<<"$out" 2>/dev/null)
	t_check "bridge+host-local ($w): eth0 has the result's address" sh -c "ip -n $NSNAME addr show eth0 | grep -q 'inet $addr'"
	shape[$w]=$(jq -c '[paths | map(if type == "number" then 0 else . end)] | unique' <<<"$out" 2>/dev/null)
	t_check "bridge+host-local ($w): libcni check exits 0" env CNI_PATH=$path NR_CNI_CACHE="$TMP/cache" "$CLIENT" check "$conf" "$NS" ctr-br eth0
	t_check "bridge+host-local ($w): libcni del exits 0" env CNI_PATH=$path NR_CNI_CACHE="$TMP/cache" "$CLIENT" del "$conf" "$NS" ctr-br eth0
	t_check "bridge+host-local ($w): eth0 is gone after del" sh -c "! ip -n $NSNAME link show eth0 2>/dev/null"
done
if [ -n "${shape[reference]:-}" ]; then
	t_eq "bridge+host-local: ours and the reference give results of the same structure" "${shape[ours]}" "${shape[reference]}"
else
	t_skip "bridge+host-local: ours and the reference give results of the same structure" "no reference result"
fi

t_done
