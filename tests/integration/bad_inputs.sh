#!/bin/bash
# Bad inputs, table-driven: every case runs one plugin (or netns-run) once and asserts the exit status,
# the error object's exact code and the shape of its message, AND that the host is exactly
# as before (links, addresses, routes in the host and the test netns, leases, the nft
# ruleset, mounts, files under /run and /var/lib/cni, ip_forward).  The sandbox starts
# with one real attachment (container "good" on bridge brbi, masqueraded) so there is
# state to disturb.
#
# Adding a case is one line:  c PLUGIN COMMAND 'ENV' 'STDIN' CODE 'MSG-REGEX'
#   COMMAND  the CNI_COMMAND value ("-" leaves it unset)
#   ENV      overrides, shell words: K=V sets, -K unsets ('CNI_IFNAME="a b"' quotes)
#   STDIN    @BASE [jq filter]  one of the base configs below, changed by the filter
#            <FILE              a file
#            anything else      the literal bytes
#   CODE     the error code expected in the output (0: must succeed, output not checked)
#   REGEX    what .msg must match (jq test(), case-sensitive)
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"

DATA=$(mktemp -d -p /var/lib/cni bi.XXXXXX)
TMP=$(mktemp -d)
# netns-run keeps its cgroup parents between containers; gc takes the unused ones away.
trap 'rm -rf "$TMP"; [ -n "${NETNS_RUN_STATE_DIR:-}" ] && "$NR_BUILD/bin/netns-run" gc -q >/dev/null 2>&1' EXIT
IPAM='{"type":"host-local","dataDir":"'$DATA'","ranges":[[{"subnet":"198.51.100.0/24"}],[{"subnet":"2001:db8:b::/64"}]]}'
declare -A BASE=(
	[NONE]='{"cniVersion":"1.1.0","name":"bi","type":"none"}'
	[HL]='{"cniVersion":"1.1.0","name":"bi","type":"host-local","ipam":'"$IPAM"'}'
	[BR]='{"cniVersion":"1.1.0","name":"bi","type":"bridge","bridge":"brbi","isGateway":true,"ipMasq":true,"ipam":'"$IPAM"'}'
	[TU]='{"cniVersion":"1.1.0","name":"bi","type":"tuning","mtu":1400,"sysctl":{"net.core.somaxconn":"1000"}}'
	[FW]='{"cniVersion":"1.1.0","name":"bi","type":"firewall"}'
	[BW]='{"cniVersion":"1.1.0","name":"bi","type":"bandwidth","ingressRate":8000000,"ingressBurst":80000,"egressRate":8000000,"egressBurst":80000}'
)
# The base config of each plugin, for the cases every plugin gets.
declare -A PBASE=([none]=NONE [host-local]=HL [bridge]=BR [tuning]=TU [firewall]=FW [bandwidth]=BW)

# --- the state to keep -------------------------------------------------------------------
ip netns add bi   # the netns the cases use
ip netns add gd   # holds the good attachment
good=$(CNI_CONTAINERID=good cni bridge ADD /run/netns/gd eth0 "${BASE[BR]}") ||
	{ t_fail "setting up the good attachment" "$good"; t_done; exit; }
GOOD_IP=$(jq -r '.ips[0].address | split("/")[0]' <<<"$good")

snapshot() {
	local ns
	for ns in "" bi gd; do
		echo "== netns ${ns:-host}"
		# Names, MACs and addresses; not the operational state, which the kernel updates
		# lazily (a bridge's carrier a second after its last port went).
		ip ${ns:+-n $ns} -br link | awk '{print $1, $3}'
		ip ${ns:+-n $ns} -br addr | awk '{$2 = ""; print}'
		ip ${ns:+-n $ns} route show table all | sed 's/ linkdown//'
		ip ${ns:+-n $ns} -6 route show table all | sed 's/ linkdown//'
	done
	echo "== nft"; nft list ruleset
	echo "== files"; find /run /var/lib/cni -xdev ! -name lock -printf '%p %y %s\n' 2>/dev/null | sort
	echo "== leases"; grep -r --exclude=lock . "$DATA" | sort
	echo "== mounts"; awk '{print $5, $9}' /proc/self/mountinfo | sort
	echo "== sysctl"; cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv6/conf/all/forwarding
	# A container's cgroups (the "netns-run" parents stay between containers by design).
	echo "== cgroups"; find /sys/fs/cgroup -maxdepth 7 -type d -path '*/netns-run/*' 2>/dev/null | sort
}
# DAD and carrier settle on their own after setup: wait (bounded) for DAD to finish, then
# until two snapshots agree.
for _ in $(seq 50); do
	[ -z "$(ip addr show tentative; ip -n gd addr show tentative)" ] && break
	sleep 0.1
done
for _ in $(seq 30); do
	a=$(snapshot); sleep 0.1; b=$(snapshot)
	[ "$a" = "$b" ] && break
done
BEFORE=$b

# --- the harness ---------------------------------------------------------------------------
N_CASES=0
c() {
	local plugin=$1 cmd=$2 envs=$3 stdin=$4 want=$5 re=$6 name out rc after e
	local -a env_args=(CNI_COMMAND="$cmd" CNI_CONTAINERID=bad CNI_NETNS=/run/netns/bi CNI_IFNAME=eth0 CNI_PATH="$CNI_BIN")
	local -a unset_args=(-u CNI_ARGS)
	N_CASES=$((N_CASES + 1))
	# BAD_INPUTS_EVERY=k runs every k-th case (the sanitized run's budget).
	[ $((N_CASES % ${BAD_INPUTS_EVERY:-1})) = 0 ] || return 0
	[ "$cmd" = - ] && unset_args+=(-u CNI_COMMAND) && env_args=("${env_args[@]:1}")
	eval "local -a ov=($envs)"
	for e in "${ov[@]}"; do
		case $e in
		-*)
			unset_args+=(-u "${e#-}")
			env_args=($(printf '%s\n' "${env_args[@]}" | grep -v "^${e#-}="))
			;;
		*) env_args+=("$e") ;;
		esac
	done
	case $stdin in
	@*)
		local base=${stdin%% *} filter=.
		[ "$base" != "$stdin" ] && filter=${stdin#* }
		jq -c "$filter" <<<"${BASE[${base#@}]}" >"$TMP/in" || { t_fail "case $N_CASES: bad jq filter $filter"; return; }
		;;
	\<*) cp "${stdin#<}" "$TMP/in" ;;
	*) printf '%s' "$stdin" >"$TMP/in" ;;
	esac
	name="$plugin $cmd ${envs:+[$envs] }$(head -c 70 "$TMP/in" | tr -d '\n')"
	[ ${#stdin} -gt 0 ] && [ "${stdin:0:1}" = @ ] && name="$plugin $cmd ${envs:+[$envs] }$stdin"
	name="${name:0:150} -> $want"
	out=$(env "${unset_args[@]}" "${env_args[@]}" "$CNI_BIN/$plugin" <"$TMP/in" 2>"$TMP/err"); rc=$?
	after=$(snapshot)
	if [ "$after" != "$BEFORE" ]; then
		t_fail "$name" "exit $rc; host state changed: $(diff <(echo "$BEFORE") <(echo "$after") | head -n 12 | tr '\n' ' ')"
		BEFORE=$after # one broken case must not fail every later one
		return
	fi
	if [ "$want" = 0 ]; then
		[ $rc = 0 ] || { t_fail "$name" "exit $rc: $out"; return; }
	else
		if [ $rc != 1 ]; then
			t_fail "$name" "exit $rc (want 1): $out $(head -c 300 "$TMP/err")"
			return
		fi
		if ! jq -e --argjson c "$want" --arg re "$re" \
			'.code == $c and (.cniVersion | type) == "string" and (.msg | type) == "string" and
			 (.msg | length) > 0 and (.msg | test("\n") | not) and (.msg | test($re))' <<<"$out" >/dev/null 2>&1; then
			t_fail "$name" "got $(jq -c '{code, msg}' <<<"$out" 2>/dev/null || echo "$out" | head -c 300)"
			return
		fi
	fi
	if [ -s "$TMP/err" ]; then
		t_fail "$name" "wrote to stderr: $(head -c 300 "$TMP/err")"
		return
	fi
	t_ok "$name"
}

# Inputs too big to write inline.
{ printf '{"cniVersion":"1.1.0","name":"bi","type":"none","pad":"'; head -c $((4 << 20)) /dev/zero | tr '\0' A; printf '"}'; } >"$TMP/oversized"
{ printf '{"cniVersion":"1.1.0","name":"bi","type":"none","deep":'; printf '[%.0s' $(seq 5000); printf ']%.0s' $(seq 5000); printf '}'; } >"$TMP/nested"
{ printf '{"cniVersion":"1.1.0","name":"bi","type":"none","deep":'; printf '{"a":%.0s' $(seq 3000); printf '1'; printf '}%.0s' $(seq 3000); printf '}'; } >"$TMP/nested_obj"
printf '{"cniVersion":"1.1.0","name":"bi",\0"type":"none"}' >"$TMP/nul"
head -c 40 <<<"${BASE[HL]}" >"$TMP/truncated"
printf '\xff\xfe{"cniVersion":"1.1.0"}' >"$TMP/binary"

# --- every plugin --------------------------------------------------------------------------
for p in none host-local bridge tuning firewall bandwidth; do
	B=@${PBASE[$p]}
	# JSON that is not a config
	c $p ADD '' '{"cniVersion":' 6 'not valid JSON'
	c $p ADD '' "<$TMP/truncated" 6 'not valid JSON'
	c $p ADD '' '[]' 6 'must be a JSON object'
	c $p ADD '' '"a string"' 6 'JSON'
	c $p ADD '' '' 6 'empty'
	c $p ADD '' "<$TMP/oversized" 6 'larger than 4194304 bytes'
	c $p ADD '' "<$TMP/nested" 6 'not valid JSON'
	c $p ADD '' "<$TMP/nested_obj" 6 'not valid JSON'
	c $p ADD '' '{"cniVersion":"1.1.0","name":"a","name":"b","type":"none"}' 6 'duplicate'
	c $p ADD '' "<$TMP/nul" 6 'not valid JSON'
	c $p ADD '' "<$TMP/binary" 6 'not valid JSON'
	# the common fields
	c $p ADD '' "$B del(.cniVersion)" 1 'cniVersion'
	c $p ADD '' "$B .cniVersion=\"9.9.9\"" 1 '9\.9\.9'
	c $p ADD '' "$B .cniVersion=1" 6 'cniVersion'
	c $p ADD '' "$B del(.name)" 7 'name'
	c $p ADD '' "$B .name=\"a/b\"" 7 'a/b'
	c $p ADD '' "$B .name=\"..\"" 7 'name'
	c $p ADD '' "$B .name=\"has space\"" 7 'has space'
	c $p ADD '' "$B .name=7" 6 'name'
	c $p ADD '' "$B del(.type)" 7 'type'
	c $p CHECK '' "$B" 7 'prevResult'
	c $p CHECK '' "$B .cniVersion=\"0.3.1\" | .prevResult={}" 1 'CHECK'
	c $p STATUS '' "$B .cniVersion=\"1.0.0\"" 1 'STATUS'
	c $p GC '' "$B .cniVersion=\"1.0.0\"" 1 'GC'
	c $p ADD '' "$B .prevResult=\"x\"" 6 'prevResult'
	c $p ADD '' "$B .prevResult={\"ips\":[{\"address\":\"300.1.1.1/24\"}]}" 6 'prevResult.*300\.1\.1\.1'
	c $p ADD '' "$B .prevResult={\"interfaces\":[],\"ips\":[{\"address\":\"10.0.0.2/24\",\"interface\":3}]}" 7 'prevResult'
	# the environment
	c $p FOO '' "$B" 4 'CNI_COMMAND'
	c $p add '' "$B" 4 'CNI_COMMAND'
	c $p - '' "$B" 4 'CNI_COMMAND'
	c $p ADD '-CNI_CONTAINERID' "$B" 4 'CNI_CONTAINERID'
	c $p ADD 'CNI_CONTAINERID=a/b' "$B" 4 'CNI_CONTAINERID'
	c $p ADD 'CNI_CONTAINERID="a b"' "$B" 4 'CNI_CONTAINERID'
	c $p ADD '-CNI_IFNAME' "$B" 4 'CNI_IFNAME'
	c $p ADD 'CNI_IFNAME=abcdefghijklmnop' "$B" 4 'CNI_IFNAME'
	c $p ADD 'CNI_IFNAME=a/b' "$B" 4 'CNI_IFNAME'
	c $p ADD 'CNI_IFNAME=..' "$B" 4 'CNI_IFNAME'
	c $p ADD 'CNI_IFNAME="e 0"' "$B" 4 'CNI_IFNAME'
	c $p ADD 'CNI_ARGS=FOO=bar' "$B" 4 'CNI_ARGS.*FOO'
	c $p ADD 'CNI_ARGS=novalue' "$B" 4 'CNI_ARGS'
	c $p ADD 'CNI_ARGS="IgnoreUnknown=maybe"' "$B" 4 'CNI_ARGS.*IgnoreUnknown'
	c $p ADD 'CNI_ARGS="=x"' "$B" 4 'CNI_ARGS'
	c $p ADD "CNI_ARGS='$(printf 'K%d=v;' $(seq 70))IgnoreUnknown=1'" "$B" 4 'CNI_ARGS has more than 64'
done
# Namespaces: none, host-local does not look at CNI_NETNS at all.
for p in none bridge; do
	B=@${PBASE[$p]}
	c $p ADD '-CNI_NETNS' "$B" 4 'CNI_NETNS'
	c $p ADD 'CNI_NETNS=/run/netns/nope' "$B" 3 'nope'
	c $p ADD 'CNI_NETNS=/etc/hostname' "$B" 4 'not a network namespace'
	c $p ADD 'CNI_NETNS=/proc/self/ns/pid' "$B" 4 'not a network namespace'
	c $p ADD 'CNI_NETNS=relative/path' "$B" 3 'relative'
	# DEL must succeed whatever is gone, and touch nothing of others.
	c $p DEL 'CNI_NETNS=/run/netns/nope' "$B" 0 ''
	c $p DEL '-CNI_NETNS' "$B" 0 ''
	c $p DEL 'CNI_CONTAINERID=never-added' "$B" 0 ''
done

# GC's list of valid attachments (none has nothing to collect and does not read it).
for p in host-local bridge tuning; do
	B=@${PBASE[$p]}
	c $p GC '' "$B .\"cni.dev/valid-attachments\"=5" 6 'valid-attachments'
	c $p GC '' "$B .\"cni.dev/valid-attachments\"=[{\"containerID\":1}]" 6 'valid-attachments\[0\]'
	c $p GC '' "$B .\"cni.dev/valid-attachments\"=[\"good\"]" 6 'valid-attachments\[0\]'
done

# --- tuning (more in tests/integration/tuning.sh, with an interface to tune) ------------------
TUP='.prevResult={"cniVersion":"1.1.0","interfaces":[{"name":"eth0","sandbox":"/run/netns/bi"}],"ips":[]}'
c tuning ADD '' '@TU' 7 'prevResult'
c tuning ADD 'CNI_NETNS=/run/netns/nope' "@TU $TUP" 3 'nope'
c tuning ADD '' "@TU $TUP" 100 'eth0'
c tuning ADD '' "@TU $TUP | .sysctl={\"kernel.hostname\":\"x\"}" 7 'only net'
c tuning ADD '' "@TU $TUP | .sysctl={\"net/../kernel/hostname\":\"x\"}" 7 'component'
c tuning ADD '' "@TU $TUP | .sysctl={\"net.core.somaxconn\":1}" 6 'must be a string'
c tuning ADD '' "@TU $TUP | .mtu=\"1400\"" 6 'mtu'
c tuning ADD '' "@TU $TUP | .mtu=-1" 7 'mtu'
c tuning ADD '' "@TU $TUP | .mac=\"zz\"" 7 'zz'
c tuning ADD 'CNI_ARGS=MAC=01:02' "@TU $TUP" 7 '01:02'
c tuning ADD '' "@TU $TUP | .noSuchField=1" 2 'noSuchField'
c tuning DEL 'CNI_NETNS=/run/netns/nope' '@TU' 0 ''
c tuning DEL '-CNI_NETNS' '@TU' 0 ''
c tuning DEL 'CNI_CONTAINERID=never-added' '@TU' 0 ''
c tuning DEL '' '@TU .mtu="junk"' 0 ''

# --- host-local ------------------------------------------------------------------------
c host-local ADD '' '@HL del(.ipam)' 7 'ipam'
c host-local ADD '' '@HL .ipam.ranges={}' 6 'ranges'
c host-local ADD '' '@HL .ipam.ranges=[]' 7 'no IP ranges'
c host-local ADD '' '@HL .ipam.ranges=[[]]' 7 'range'
c host-local ADD '' '@HL .ipam.ranges=[[{"subnet":"198.51.100.0/33"}]]' 7 '198\.51\.100\.0/33'
c host-local ADD '' '@HL .ipam.ranges=[[{"subnet":"not-a-subnet"}]]' 7 'not-a-subnet'
c host-local ADD '' '@HL .ipam.ranges=[[{"subnet":5}]]' 6 'subnet'
c host-local ADD '' '@HL .ipam.ranges=[[{}]]' 7 'subnet'
c host-local ADD '' '@HL .ipam.ranges=[[{"subnet":"198.51.100.0/24","rangeStart":"192.0.2.5"}]]' 7 '192\.0\.2\.5'
c host-local ADD '' '@HL .ipam.ranges=[[{"subnet":"198.51.100.0/24","rangeStart":"198.51.100.50","rangeEnd":"198.51.100.10"}]]' 7 'range'
c host-local ADD '' '@HL .ipam.ranges=[[{"subnet":"198.51.100.0/24","rangeEnd":"2001:db8::1"}]]' 7 '2001:db8::1'
c host-local ADD '' '@HL .ipam.ranges=[[{"subnet":"198.51.100.0/24","gateway":"x"}]]' 7 'gateway'
c host-local ADD '' '@HL .ipam.ranges=[[{"subnet":"198.51.100.0/24","gateway":[]}]]' 6 'gateway'
c host-local ADD '' '@HL .ipam.ranges=[[{"subnet":"198.51.100.0/24"}],[{"subnet":"198.51.100.128/25"}]]' 7 'overlaps'
c host-local ADD '' '@HL .ipam.ranges=[[{"subnet":"198.51.100.0/24"},{"subnet":"198.51.100.0/25"}]]' 7 'overlap'
c host-local ADD '' '@HL .ipam.ranges=[[{"subnet":"198.51.100.0/24"},{"subnet":"2001:db8:b::/64"}]]' 7 'family|mix'
c host-local ADD '' '@HL .ipam.ranges=[[{"subnet":"198.51.100.7/32"}]]' 7 'range'
c host-local ADD 'CNI_ARGS=IP=192.0.2.9' '@HL' 7 '192\.0\.2\.9 is not in any range set'
c host-local ADD 'CNI_ARGS=IP=not-an-ip' '@HL' 4 'not-an-ip'
c host-local ADD 'CNI_ARGS=IP=198.51.100.9,198.51.100.10' '@HL' 7 '198\.51\.100\.10'
c host-local ADD "CNI_ARGS=IP=$GOOD_IP" '@HL' 100 "$GOOD_IP"
c host-local ADD '' '@HL .runtimeConfig={"ips":"198.51.100.9"}' 6 'runtimeConfig\.ips'
c host-local ADD '' '@HL .runtimeConfig={"ips":["198.51.200.9"]}' 7 '198\.51\.200\.9 is not in any range set'
c host-local ADD '' '@HL .args={"cni":{"ips":[7]}}' 6 'args\.cni\.ips\[0\]'
c host-local ADD '' '@HL .ipam.routes={}' 6 'routes'
c host-local ADD '' '@HL .ipam.routes=[{"dst":"nope"}]' 7 'routes\[0\]\.dst'
c host-local ADD '' '@HL .ipam.routes=[{"gw":"198.51.100.1"}]' 6 'routes\[0\]'
c host-local ADD '' '@HL .ipam.routes=[{"dst":"0.0.0.0/0","gw":"x"}]' 7 'routes\[0\]\.gw'
c host-local ADD '' '@HL .ipam.dataDir=7' 6 'dataDir'
c host-local ADD '' '@HL .ipam.resolvConf="/nonexistent/resolv.conf"' 5 'resolv'
c host-local ADD '' '@HL .ipam.resolvConf=[]' 6 'resolvConf'
c host-local ADD 'CNI_CONTAINERID=good' '@HL' 100 'already allocated'
c host-local CHECK '' '@HL .prevResult={"cniVersion":"1.1.0"}' 3 'no address is leased'
c host-local ADD '' '@HL .ipam.ranges=[[{"subnet":"198.51.100.0/24","rangeStart":"198.51.100.2","rangeEnd":"198.51.100.2"}]]' 50 'no IP addresses available|exhausted|available'
c host-local STATUS '' '@HL .ipam.ranges=[[{"subnet":"198.51.100.0/24","rangeStart":"198.51.100.2","rangeEnd":"198.51.100.2"}]]' 50 'no IP addresses available'

# --- bridge -------------------------------------------------------------------------------
c bridge ADD '-CNI_PATH' '@BR' 4 'CNI_PATH'
c bridge ADD 'CNI_PATH=/nonexistent' '@BR' 7 'host-local'
c bridge ADD '' '@BR .bridge="abcdefghijklmnop"' 7 'invalid bridge name'
c bridge ADD '' '@BR .bridge="br/x"' 7 'invalid bridge name'
c bridge ADD '' '@BR .bridge=""' 7 'invalid bridge name'
c bridge ADD '' '@BR .bridge=5' 6 'bridge'
c bridge ADD '' '@BR .mtu="1500"' 6 'mtu'
c bridge ADD '' '@BR .mtu=-1' 7 'mtu.*between'
c bridge ADD '' '@BR .mtu=70000' 7 'mtu.*between'
c bridge ADD '' '@BR .mtu=1.5' 6 'mtu'
c bridge ADD '' '@BR .vlan=5' 2 'vlan'
c bridge ADD '' '@BR .vlan=5000' 7 'vlan'
c bridge ADD '' '@BR .vlanTrunk=[{"id":5}]' 2 'vlanTrunk'
c bridge ADD '' '@BR .macspoofchk=true' 2 'macspoofchk'
c bridge ADD '' '@BR .hairpinMode=true | .promiscMode=true' 7 'hairpinMode and promiscMode'
c bridge ADD '' '@BR .ipMasqBackend="pf"' 7 'ipMasqBackend'
c bridge ADD '' '@BR .isGateway="yes"' 6 'isGateway'
c bridge ADD '' '@BR .noSuchField=1' 2 'noSuchField'
c bridge ADD '' '@BR .ipam=[]' 6 'ipam'
c bridge ADD '' '@BR .ipam.type=7' 6 'type'
c bridge ADD 'CNI_ARGS=MAC=zz:zz' '@BR' 7 'zz:zz'
c bridge ADD '' '@BR .runtimeConfig={"mac":"01:02"}' 7 '01:02'
c bridge ADD '' '@BR .args={"cni":{"mac":"nope"}}' 7 'nope'
c bridge ADD '' '@BR .ipam.type="no-such-ipam"' 7 'no-such-ipam'
c bridge ADD '' '@BR .ipam.type="../host-local"' 7 'host-local'
c bridge ADD '' '@BR .bridge="lo"' 100 'lo'
c bridge ADD 'CNI_NETNS=/run/netns/gd' '@BR' 100 'eth0'
c bridge ADD "CNI_ARGS=IP=$GOOD_IP" '@BR' 100 "$GOOD_IP"
c bridge ADD 'CNI_ARGS=IP=192.0.2.9' '@BR' 7 '192\.0\.2\.9'
c bridge ADD '' '@BR .ipam.ranges=[[{"subnet":"198.51.100.0/24","rangeStart":"198.51.100.2","rangeEnd":"198.51.100.2"}]]' 50 'available'
c bridge ADD '' '@BR .ipam.ranges=[[{"subnet":"198.51.100.0/24"}],[{"subnet":"198.51.100.0/25"}]]' 7 'overlaps'
c bridge CHECK 'CNI_CONTAINERID=good CNI_NETNS=/run/netns/gd' '@BR .prevResult={"cniVersion":"1.1.0","interfaces":[{"name":"eth0","sandbox":"/run/netns/gd"}],"ips":[{"address":"198.51.100.200/24","interface":0}]}' 100 '198\.51\.100\.200'
# firewall: as the reference's messages; validated before anything is written.
c firewall ADD '' '@FW' 7 'missing prevResult'
c firewall ADD '' '@FW .prevResult={"cniVersion":"1.1.0","ips":[{"address":"198.51.100.77/24"}]} | .ingressPolicy="closed"' 7 'unknown ingress policy'
c firewall ADD '' '@FW .prevResult={"cniVersion":"1.1.0","ips":[{"address":"198.51.100.77/24"}]} | .ingressPolicy="same-bridge"' 7 'interface needs to be set'
c firewall ADD '' '@FW .prevResult={"cniVersion":"1.1.0","ips":[{"address":"198.51.100.77/24"}]} | .ingressPolicy="same-bridge" | .prevResult.interfaces=[{"name":"abcdefghijklmnopq"}]' 7 'not a bridge name'
c firewall ADD '' '@FW .prevResult={"cniVersion":"1.1.0","ips":[{"address":"198.51.100.77/24"}]} | .backend=5' 6 'backend'
c firewall ADD '' '@FW .prevResult={"cniVersion":"1.1.0","ips":[{"address":"198.51.100.77/24"}]} | .ingressPolicy=true' 6 'ingressPolicy'
c firewall ADD '' '@FW .prevResult={"cniVersion":"1.1.0","ips":[{"address":"198.51.100.77/24"}]} | .iptablesAdminChainName=[]' 6 'iptablesAdminChainName'
c firewall CHECK '' '@FW .prevResult={"cniVersion":"1.1.0","ips":[{"address":"198.51.100.77/24"}]}' 100 'netns-run-firewall'
c firewall DEL 'CNI_CONTAINERID=never-added' '@FW .prevResult={"cniVersion":"1.1.0","ips":[{"address":"198.51.100.77/24"}]}' 0 ''
c firewall DEL '-CNI_NETNS' '@FW' 0 ''
c firewall GC '' '@FW .["cni.dev/valid-attachments"]=[]' 0 ''

# bandwidth: the reference's rules and messages (its codes are all 999), nothing made
BWPREV='{"cniVersion":"1.1.0","interfaces":[{"name":"vethbi0"},{"name":"eth0","sandbox":"/run/netns/bi"}]}'
c bandwidth ADD '' '@BW' 7 'chained'
c bandwidth ADD '' '@BW .ingressBurst=0' 7 'if rate is set, burst must also be set'
c bandwidth ADD '' '@BW .egressRate=0' 7 'if burst is set, rate must also be set'
c bandwidth ADD '' '@BW .ingressBurst=34359738360' 7 'burst cannot be more than 4GB'
c bandwidth ADD '' '@BW .egressRate=7' 7 'at least 8 bits'
c bandwidth ADD '' '@BW .ingressRate=-1' 6 'ingressRate'
c bandwidth ADD '' '@BW .egressBurst="8"' 6 'egressBurst'
c bandwidth ADD '' '@BW .ingressRate=1.5' 6 'ingressRate'
c bandwidth ADD '' '@BW del(.ingressRate, .ingressBurst, .egressRate, .egressBurst) | .runtimeConfig={"bandwidth":"x"}' 6 'runtimeConfig.bandwidth'
c bandwidth ADD '' '@BW del(.ingressRate, .ingressBurst, .egressRate, .egressBurst) | .runtimeConfig={"bandwidth":{"IngressRate":8}}' 7 'burst must also be set'
c bandwidth ADD '' '@BW .shapedSubnets=["10.0.0.0/8"]' 2 'shapedSubnets'
c bandwidth ADD '' "@BW .prevResult=$BWPREV" 100 'eth0 has no veth peer'
c bandwidth ADD '' '@BW .prevResult={"cniVersion":"1.1.0","interfaces":[]}' 7 'no interfaces'
c bandwidth ADD 'CNI_NETNS=/run/netns/nope' "@BW .prevResult=$BWPREV" 3 'does not exist'
c bandwidth CHECK '' "@BW .prevResult=$BWPREV" 100 'no veth peer'
c bandwidth DEL '' '@BW .ingressRate=5' 0 ''
c bandwidth DEL '' "@BW .prevResult=$BWPREV" 0 ''
# --- the runtime ----------------------------------------------------------------------------
# r 'ARGS' CODE 'STDERR-REGEX': netns-run with ARGS (shell words) must exit CODE with one
# "netns-run[ VERB]: ..." line matching the regex on stderr, and change nothing.
export NETNS_RUN_STATE_DIR=/run/netns-run NETNS_RUN_CONFIG_DIR=/run/netns-run-net.d
export NETNS_RUN_CNI_CACHE_DIR=/var/lib/cni/results
mkdir -p "$NETNS_RUN_CONFIG_DIR"
echo '{"cniVersion":"1.1.0","name":"bi-missing","plugins":[{"type":"nosuchplugin"}]}' \
	>"$NETNS_RUN_CONFIG_DIR/bi-missing.conflist"
# One container first: the state directory, the default bridge and its masquerade table
# exist from then on, as on any host that has run one.
"$NR_BUILD/bin/netns-run" run --rm true >/dev/null 2>&1 </dev/null
for _ in $(seq 50); do [ -z "$(ip addr show tentative)" ] && break; sleep 0.1; done
BEFORE=$(snapshot)
r() {
	local args=$1 want=$2 re=$3 rc err after name
	N_CASES=$((N_CASES + 1))
	[ $((N_CASES % ${BAD_INPUTS_EVERY:-1})) = 0 ] || return 0
	name="netns-run $args -> $want"
	eval "local -a av=($args)"
	timeout 20 "$NR_BUILD/bin/netns-run" "${av[@]}" >"$TMP/out" 2>"$TMP/err" </dev/null; rc=$?
	err=$(cat "$TMP/err")
	after=$(snapshot)
	if [ "$after" != "$BEFORE" ]; then
		t_fail "$name" "exit $rc; host state changed: $(diff <(echo "$BEFORE") <(echo "$after") | head -n 12 | tr '\n' ' ')"
		BEFORE=$after
		return
	fi
	if [ $rc != "$want" ] || ! grep -qE "^netns-run( [a-z]+)?: .*($re)" <<<"$err" || [ "$(wc -l <<<"$err")" -gt 3 ]; then
		t_fail "$name" "exit $rc: $(head -c 300 "$TMP/err")"
		return
	fi
	t_ok "$name"
}
if [ -x "$NR_BUILD/bin/netns-run" ]; then
	r 'run -m 0.5 true' 125 'memory|-m'
	r 'run -m 1e-61 true' 125 'memory|-m'
	r 'run -m abc true' 125 'memory|-m'
	r 'run -m 0 true' 125 'memory|-m'
	r 'run -m 99999999999g true' 125 'memory|-m'
	r 'run --cpus -1 true' 125 'cpus'
	r 'run --cpus abc true' 125 'cpus'
	r 'run --cpus 1e9 true' 125 'cpus'
	r 'run --pids-limit -5 true' 125 'pids'
	r 'run --pids-limit x true' 125 'pids'
	r 'run --io-weight 5 true' 125 'io-weight'
	r 'run --io-weight 2000 true' 125 'io-weight'
	r 'run -p 70000:80 true' 125 '70000'
	r 'run -p 0:80 true' 125 '0:80'
	r 'run -p 80 true' 125 'expected'
	r 'run -p 80:80/sctpx true' 125 'protocol'
	r 'run -p 1.2.3.400:80:80 true' 125 'not an IP address'
	r 'run -p 8000-8010:80-81 true' 125 'differ in length'
	r 'run -p 90-80:90-80 true' 125 '90-80'
	r "run -p $(printf '1%.0s' $(seq 300)):80 true" 125 'expected'
	r 'run -v relative:/data true' 125 'relative|absolute'
	r 'run -v /tmp:relative true' 125 'relative|absolute'
	r 'run -v /tmp true' 125 'expects HOST:CONTAINER'
	r 'run -v /tmp:/data:rw:x true' 125 'mode must be ro or rw'
	r 'run -v /nonexistent-dir:/data true' 125 'nonexistent'
	r 'run --name a/b true' 125 'name'
	r 'run --name .. true' 125 'name'
	r 'run --name "has space" true' 125 'name'
	r "run --name $(printf 'a%.0s' $(seq 70)) true" 125 'name'
	r 'run --userns abc true' 125 'userns'
	r 'run --userns 0:0 true' 125 'userns'
	r 'run -e =x true' 125 '-e|env'
	r 'run --net no-such-network true' 125 'no-such-network'
	r 'run --net container: true' 125 'container'
	r 'run --net container:nobody true' 125 'nobody'
	r 'run --rootfs relative true' 125 'rootfs'
	r 'run --bogus true' 125 'bogus'
	r 'run' 125 'command'
	r 'run --rm -- /nonexistent/binary' 127 'nonexistent'
	r '--rm bogus-verb-x' 127 'bogus-verb-x'
	r 'rm no-such' 125 'no such container'
	r 'stop no-such' 125 'no such container'
	r 'exec no-such true' 125 'no such container'
	r 'inspect no-such' 125 'no such container'
	r 'inspect ../../etc' 125 'name|no such'
	r 'network inspect no-such' 125 'no-such'
	r 'network bogus' 125 'unknown verb bogus'
	r 'network rm no-such' 125 'no such network: no-such'
	r 'network rm' 125 'rm expects network names'
	r 'network prune extra' 125 'prune takes no arguments'
	r 'network reload extra' 125 'reload takes no arguments'
	# Accepted once and wrong (issue 14, item 10): numbers are decimal, a limit that can
	# never start is refused, host names are RFC 1123, volumes stay off / and /proc.
	r 'run --cpus nan true' 125 'cpus nan: expected a decimal'
	r 'run --cpus 0x10 true' 125 'cpus 0x10: expected a decimal'
	r 'run --cpus inf true' 125 'cpus inf'
	r 'run --cpus 1e1 true' 125 'cpus 1e1'
	r 'run -m 0x10m true' 125 'memory 0x10m'
	r 'run --pids-limit 1 true' 125 'at least 2 tasks'
	r 'run --pids-limit 0 true' 125 'pids-limit'
	r "run --hostname $'web\\n1.2.3.4 evil' true" 125 'hostname: expected a host name'
	r 'run --hostname -web true' 125 'hostname'
	r 'run --hostname web- true' 125 'hostname'
	r 'run --hostname a..b true' 125 'hostname'
	r 'run --hostname "a b" true' 125 'hostname'
	r 'run --hostname a_b true' 125 'hostname'
	r "run --hostname $(printf 'a%.0s' $(seq 64)) true" 125 'hostname'
	r 'run -v /tmp:/proc true' 125 'inside /proc'
	r 'run -v /tmp:/proc/sys true' 125 'inside /proc'
	r 'run -v /tmp://proc/./sys/ true' 125 '/proc/sys: volumes on or inside /proc'
	r 'run -v /tmp:/proc/self/ns true' 125 'inside /proc'
	r 'run -v /tmp:/ true' 125 "cannot replace the container's root"
	r 'run -v /tmp://./ true' 125 "cannot replace the container's root"
	r 'run --log-opt max-size=1x true' 125 'max-size'
	r 'run --log-opt max-size=1k true' 125 'at least 4k'
	r 'run --log-opt max-file=0 true' 125 'max-file'
	r 'run --log-opt labels=a true' 125 'max-size=SIZE or max-file=N'
	r 'run --net bi-missing true' 125 "network bi-missing: plugin 'nosuchplugin' was not found in NETNS_RUN_CNI_PATH"
	# A first word that is not a verb (issue 14, item 11): no container, no bridge.
	r 'lod -i x' 125 "unknown command 'lod'; to run a program: netns-run run lod"
	# The daemon is a verb now (issue 18): its bad option is refused as dockerd refuses one
	# (exit 1, its own program's name on the message), before it makes anything.
	out=$(timeout 20 "$NR_BUILD/bin/netns-run" daemon --nope 2>&1 </dev/null)
	t_eq "netns-run daemon --nope -> 1, naming the option" "$? $(grep -c '^netns-run-daemon: bad option --nope' <<<"$out")" "1 1"
	t_eq "... nothing changed on the host" "$(snapshot)" "$BEFORE"
	r 'sh -c true' 125 "unknown command 'sh'"
	r 'version --format {{.Nope}}' 125 'no field .Nope'
	r 'version extra' 125 'takes no arguments'
	# A plugin missing from the runtime's path: the network named once, the variable
	# the user sets named (not CNI_PATH, the plugins' own).
	out=$(NETNS_RUN_CNI_PATH=/nonexistent timeout 20 "$NR_BUILD/bin/netns-run" run --rm true 2>&1 </dev/null)
	t_eq "a missing plugin: one line naming the network once, and NETNS_RUN_CNI_PATH" \
		"$(wc -l <<<"$out") $(grep -o 'network bridge:' <<<"$out" | wc -l) $(grep -o 'NETNS_RUN_CNI_PATH' <<<"$out" | wc -l)" "1 1 1"
else
	t_skip "runtime cases" "netns-run not built"
fi

echo "# $N_CASES cases (every ${BAD_INPUTS_EVERY:-1} run)"
t_eq "the good attachment still checks out" "$(CNI_CONTAINERID=good cni bridge CHECK /run/netns/gd eth0 \
	"$(jq -c --argjson p "$good" '.prevResult=$p' <<<"${BASE[BR]}")" >/dev/null; echo $?)" 0
CNI_CONTAINERID=good cni bridge DEL /run/netns/gd eth0 "${BASE[BR]}" >/dev/null
ip netns del bi; ip netns del gd
t_done
