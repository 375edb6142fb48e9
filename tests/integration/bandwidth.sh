#!/bin/bash
# The bandwidth plugin chained after our bridge and host-local: the qdiscs and the ifb the
# reference makes (the same tc parameters as the reference's for the same config), shaping
# verified by the measured rate of TCP transfers both ways, the bandwidth capability (with
# Go-style keys as go-cni sends them), CHECK finding a missing qdisc, DEL leaving no ifb and
# no qdisc (idempotent, without prevResult too), config errors as the reference with nothing
# changed, a failed ADD undone, crash points (ADD and DEL SIGKILLed at each netlink message,
# namespace switch and file opened, then one DEL leaves nothing), churn and concurrent
# attachments.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"

DATA=$(mktemp -d -p /var/lib/cni bw.XXXXXX)
WORK=$(mktemp -d)
REF=/usr/lib/cni/bandwidth
RATE_TOOL="$(dirname "$0")/../tools/tcp_rate.py"
BR=nrbw0
PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$WORK"' EXIT

BRCONF=$(jq -nc --arg b "$BR" --arg d "$DATA" '{cniVersion:"1.0.0", name:"bwnet", type:"bridge", bridge:$b,
	isGateway:true, ipam:{type:"host-local", dataDir:$d, ranges:[[{"subnet":"198.51.100.0/24"}]]}}')
# bwconf PREV EXTRA: a bandwidth config chained after PREV ("null": none).
bwconf() { jq -nc --argjson p "$1" --argjson x "$2" '{cniVersion:"1.0.0", name:"bwnet", type:"bandwidth"} +
	(if $p == null then {} else {prevResult:$p} end) + $x'; }
br() { CNI_CONTAINERID=$2 cni bridge "$1" "/run/netns/$2" eth0 "$3"; }
bw() { CNI_CONTAINERID=$2 cni bandwidth "$1" "/run/netns/$2" eth0 "$3"; }
ref() { CNI_COMMAND=$1 CNI_CONTAINERID=$2 CNI_NETNS=/run/netns/$2 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni "$REF" <<<"$3"; }
hostveth() { jq -r '[.interfaces[] | select(.sandbox == null and .name != "'$BR'")][0].name' <<<"$1"; }
addr() { jq -r '.ips[0].address | split("/")[0]' <<<"$1"; }
ifbs() { ip -o link show type ifb | awk -F': ' '{print $2}' | sort | tr '\n' ' '; }
# (sysfs is the host's: links are read over netlink.)
qdiscs() { tc qdisc show dev "$1" | awk '{print $2}' | sort | tr '\n' ' '; }
# tcparams DEV: the qdiscs' parameters without the device names and the refcounts.
tcparams() { tc -d qdisc show dev "$1" | sed -e 's/dev [^ ]* //' -e 's/refcnt [0-9]* //'; }
code() { jq -r '.code // "none"' <<<"$1"; }

# rate FROM-NS TO-NS TO-ADDR BYTES: bits per second of one transfer, as the receiver saw it.
PORT=5000
rate() {
	local out
	PORT=$((PORT + 1))
	rm -f "$WORK/ready"
	ip netns exec "$2" python3 "$RATE_TOOL" recv "$3" $PORT "$WORK/ready" >"$WORK/rate.out" 2>&1 &
	local rpid=$!
	for _ in $(seq 250); do [ -e "$WORK/ready" ] && break; sleep 0.02; done
	timeout 60 ip netns exec "$1" python3 "$RATE_TOOL" send "$3" $PORT "$4"
	wait $rpid
	echo "# transfer $1 -> $2: $(cat "$WORK/rate.out") (bytes seconds bits/s)" >&2
	awk '{print $3}' "$WORK/rate.out"
}
# within GOT WANT PCT: GOT is within PCT percent of WANT.
within() { awk -v g="$1" -v w="$2" -v p="$3" 'BEGIN { d = g - w; if (d < 0) d = -d; exit !(g > 0 && d * 100 <= w * p) }'; }

# --- a shaped container and a peer --------------------------------------------------------
ip netns add a; ip netns add srv; ip netns add free
outa=$(br ADD a "$BRCONF"); outs=$(br ADD srv "$BRCONF"); outf=$(br ADD free "$BRCONF")
A=$(addr "$outa") S=$(addr "$outs") F=$(addr "$outf")
VA=$(hostveth "$outa")
t_check "bridge ADD of three containers" test -n "$A" -a -n "$S" -a -n "$F" -a -n "$VA"

IN_RATE=8000000 EG_RATE=12000000 BURST=80000 BYTES=2500000
LIMITS=$(jq -nc --argjson i $IN_RATE --argjson e $EG_RATE --argjson b $BURST \
	'{ingressRate:$i, ingressBurst:$b, egressRate:$e, egressBurst:$b}')
CA=$(bwconf "$outa" "$LIMITS")
out=$(bw ADD a "$CA"); rc=$?
t_eq "bandwidth ADD exits 0" "$rc" 0 || echo "# $out"
IFB=$(jq -r '.interfaces[-1].name' <<<"$out")
t_eq "the ifb is named as the reference names it (bwp + sha512(network+id))" "$IFB" \
	"bwp$(printf '%s' bwneta | sha512sum | cut -c1-12)"
t_eq "the result is prevResult plus the ifb" "$(jq -c 'del(.interfaces[-1])' <<<"$out")" "$(jq -c . <<<"$outa")"
t_eq "the ifb's MAC is in the result" "$(jq -r '.interfaces[-1].mac' <<<"$out")" \
	"$(ip -j link show "$IFB" | jq -r '.[0].address')"
t_eq "tbf at the root and ingress on the host veth" "$(qdiscs "$VA")" "ingress tbf "
t_eq "tbf at the root of the ifb" "$(tc qdisc show dev "$IFB" root | awk '{print $2}')" "tbf"
t_check "the host veth's ingress is redirected to the ifb" \
	bash -c "tc filter show dev $VA ingress | grep -q 'Egress Redirect to device $IFB'"
t_eq "the ifb is up with the veth's MTU" "$(ip -j link show "$IFB" | jq -r '.[0] | "\(.operstate != "DOWN") \(.mtu)"')" \
	"true $(ip -j link show "$VA" | jq -r '.[0].mtu')"
t_eq "CHECK passes" "$(bw CHECK a "$CA"; echo rc=$?)" "rc=0"

# --- measured rates -------------------------------------------------------------------------
free=$(rate srv free "$F" $BYTES)
t_check "unshaped: srv -> free well above the limits ($free bit/s)" test "${free:-0}" -gt $((4 * EG_RATE))
got=$(rate srv a "$A" $BYTES)
t_check "to the container: $got bit/s within 30% of $IN_RATE" within "$got" $IN_RATE 30
got=$(rate a srv "$S" $BYTES)
t_check "from the container: $got bit/s within 30% of $EG_RATE" within "$got" $EG_RATE 30

# --- the same tc state as the reference's ----------------------------------------------------
ip netns add r
outr=$(br ADD r "$BRCONF"); VR=$(hostveth "$outr")
refout=$(ref ADD r "$(bwconf "$outr" "$LIMITS")"); rc=$?
RIFB=$(jq -r '.interfaces[-1].name' <<<"$refout")
t_eq "reference ADD exits 0" "$rc" 0
t_eq "the same result shape as the reference's" "$(jq -c '[.interfaces[] | keys]' <<<"$out")" \
	"$(jq -c '[.interfaces[] | keys]' <<<"$refout")"
t_eq "the host veth's qdiscs have the reference's parameters" "$(tcparams "$VA")" "$(tcparams "$VR")"
t_eq "the ifb's qdisc has the reference's parameters" "$(tcparams "$IFB")" "$(tcparams "$RIFB")"
t_eq "our CHECK accepts the reference's ADD" "$(CNI_CONTAINERID=r cni bandwidth CHECK /run/netns/r eth0 "$(bwconf "$outr" "$LIMITS")"; echo rc=$?)" "rc=0"
ref DEL r "$(bwconf "$outr" "$LIMITS")" >/dev/null
tc qdisc del dev "$VR" root 2>/dev/null; tc qdisc del dev "$VR" ingress 2>/dev/null

# --- CHECK finds what is missing ---------------------------------------------------------------
tc qdisc del dev "$IFB" root
out=$(bw CHECK a "$CA"); rc=$?
t_eq "CHECK fails without the ifb's qdisc" "$rc" 1
t_check "... naming it" grep -q "$IFB" <<<"$out"
tc qdisc add dev "$IFB" root handle 1: tbf rate 1mbit burst 10k latency 25ms
out=$(bw CHECK a "$CA")
t_check "CHECK fails on other parameters" grep -q "doesn't match" <<<"$out"
tc qdisc del dev "$IFB" root
tc qdisc del dev "$VA" root
out=$(bw CHECK a "$(bwconf "$outa" "$(jq -c '{ingressRate, ingressBurst}' <<<"$LIMITS")")"); rc=$?
t_eq "CHECK fails without the host veth's tbf (the reference passes it)" "$rc-$(code "$out")" "1-100"
tc qdisc del dev "$VA" ingress
out=$(bw CHECK a "$(bwconf "$outa" '{"egressRate":8000,"egressBurst":8000}')"); rc=$?
t_eq "CHECK fails without the ingress redirect" "$rc" 1

# --- DEL ---------------------------------------------------------------------------------------
bw ADD a "$(bwconf "$outa" '{}')" >/dev/null
out=$(bw DEL a "$CA"); rc=$?
t_eq "DEL exits 0" "$rc" 0
t_eq "DEL leaves no ifb" "$(ifbs)" ""
t_eq "DEL leaves no qdisc of ours on the host veth" "$(qdiscs "$VA")" "noqueue "
t_eq "DEL again exits 0" "$(bw DEL a "$CA"; echo rc=$?)" "rc=0"
bw ADD a "$CA" >/dev/null
t_eq "DEL without prevResult or limits removes the ifb" "$(bw DEL a "$(bwconf null '{}')"; echo rc=$?) $(ifbs)" "rc=0 "
t_eq "... and DEL with limits it cannot read still does" \
	"$(bw ADD a "$CA" >/dev/null; bw DEL a "$(bwconf "$outa" '{"ingressRate":5}')"; echo rc=$?) $(ifbs)" "rc=0 "
tc qdisc del dev "$VA" root 2>/dev/null; tc qdisc del dev "$VA" ingress 2>/dev/null
t_eq "the redirect went with it: traffic from a flows" \
	"$(ip netns exec a ping -c1 -W2 "$S" >/dev/null && echo up)" "up"

# --- the capability, with the keys go-cni sends ------------------------------------------------
CAP=$(bwconf "$outa" "$(jq -nc '{capabilities:{bandwidth:true}, runtimeConfig:{bandwidth:{IngressRate:16000000,
	IngressBurst:160000, EgressRate:24000000, EgressBurst:160000}}}')")
out=$(bw ADD a "$CAP"); rc=$?
t_eq "ADD from runtimeConfig.bandwidth exits 0" "$rc" 0 || echo "# $out"
t_eq "ingress rate from the capability" "$(tc -j qdisc show dev "$VA" root | jq '.[0].options.rate')" 2000000
t_eq "egress rate from the capability" "$(tc -j qdisc show dev "$IFB" root | jq '.[0].options.rate')" 3000000
got=$(rate srv a "$A" $((BYTES * 2)))
t_check "capability, to the container: $got bit/s within 30% of 16000000" within "$got" 16000000 30
t_eq "CHECK passes" "$(bw CHECK a "$CAP"; echo rc=$?)" "rc=0"
t_eq "limits in the config win over the capability" \
	"$(jq -c '.ingressRate = 0' <<<"$CAP" | { read -r c; bw DEL a "$CAP" >/dev/null; bw ADD a "$c" >/dev/null; qdiscs "$VA"; })" "noqueue "
bw DEL a "$CAP" >/dev/null
t_eq "no limits: prevResult unchanged, nothing made" \
	"$(bw ADD a "$(bwconf "$outa" '{}')" | jq -c .) $(ifbs)$(qdiscs "$VA")" "$(jq -c . <<<"$outa") noqueue "

# --- config errors as the reference's, nothing changed -----------------------------------------
snap() { ip -o link show | awk -F': ' '{print $2}' | sort; tc qdisc show; }
BEFORE=$(snap)
for x in '{"ingressRate":1000}' '{"ingressBurst":1000}' '{"egressRate":1000}' '{"egressBurst":1000}' \
	'{"ingressRate":8,"ingressBurst":34359738360}' '{"ingressRate":-1,"ingressBurst":8}' \
	'{"ingressRate":"8","ingressBurst":8}' '{"ingressRate":1.5,"ingressBurst":8}' \
	'{"runtimeConfig":{"bandwidth":"x"}}' '{"runtimeConfig":{"bandwidth":{"egressRate":8000}}}'; do
	c=$(bwconf "$outa" "$x")
	ours=$(bw ADD a "$c" 2>"$WORK/stderr"); orc=$?
	theirs=$(ref ADD a "$c"); rrc=$?
	want=7
	case $x in *'"8"'* | *1.5* | *-1* | *'"x"'*) want=6 ;; esac
	t_eq "ADD $x: refused like the reference (exit $rrc)" "$orc $(code "$ours")" "$rrc $want"
	t_eq "... a well-formed error object, nothing on stderr" \
		"$(jq -r '[(.cniVersion | type), (.msg | test("\n"))] | join(" ")' <<<"$ours")$(cat "$WORK/stderr")" \
		"string false"
	t_eq "... DEL of the same config succeeds, nothing on stderr" "$(bw DEL a "$c" 2>&1 >/dev/null; echo rc=$?)" "rc=0"
	m=$(jq -r .msg <<<"$theirs")
	[ $want = 7 ] && t_check "... with the reference's message ($m)" grep -qF "$m" <<<"$(jq -r .msg <<<"$ours")"
	t_eq "... nothing changed" "$(snap)" "$BEFORE"
done
out=$(bw ADD a "$(bwconf null "$LIMITS")")
t_eq "limits without prevResult: refused, code 7" "$(code "$out")" 7
out=$(CNI_CONTAINERID=a cni bandwidth ADD /run/netns/a eth7 "$CA")
t_eq "an interface that is not there: refused, nothing made" "$(code "$out") $(ifbs)$(qdiscs "$VA")" "100 noqueue "
out=$(bw ADD a "$(bwconf "$(jq -c '.interfaces[1].name = "nope0"' <<<"$outa")" "$LIMITS")")
t_eq "a prevResult that does not list the host veth: code 7" "$(code "$out") $(ifbs)$(qdiscs "$VA")" "7 noqueue "
t_eq "nothing changed by any of them" "$(snap)" "$BEFORE"

# --- a failed ADD is undone ---------------------------------------------------------------------
ip link add "$IFB" type ifb
out=$(bw ADD a "$CA"); rc=$?
t_eq "ADD with the ifb's name taken fails" "$rc" 1
t_eq "... and leaves no qdisc on the host veth" "$(qdiscs "$VA")" "noqueue "
ip link del "$IFB"

# --- crash points: ADD or DEL SIGKILLed at each syscall of a kind, then one DEL converges ---------
# strace's fault injection counts the calls (-e inject=SYSCALL:signal=KILL:when=N), so each
# point is hit exactly; the next N is the next point, until a run completes.  After each kill
# one DEL must leave no ifb and no qdisc on the host veth, and a following ADD must work.
points=0 bad_points=""
declare -A phase_points
for phase in ADD DEL; do
	for sc in sendmsg recvmsg setns openat; do
		for n in $(seq 1 40); do
			if [ $phase = DEL ] && ! bw ADD a "$CA" >/dev/null; then
				bad_points+=" $phase:$sc#$n(ADD before the kill failed)"; break
			fi
			# strace dies of the tracee's SIGKILL: a subshell that waits for it (and then exits with
			# its status) sends bash's "Killed" report to /dev/null with the rest.
			(CNI_COMMAND=$phase CNI_CONTAINERID=a CNI_NETNS=/run/netns/a CNI_IFNAME=eth0 CNI_PATH=$CNI_BIN \
				strace -f -qq -o /dev/null -e inject="$sc:signal=KILL:when=$n" "$CNI_BIN/bandwidth" \
				<<<"$CA" >/dev/null 2>&1; exit $?) 2>/dev/null
			rc=$?
			bw DEL a "$CA" >/dev/null || bad_points+=" $phase:$sc#$n(DEL failed)"
			left="$(ifbs)$(qdiscs "$VA")"
			[ "$left" = "noqueue " ] || {
				bad_points+=" $phase:$sc#$n(left: $left)"
				ip link del "$IFB" 2>/dev/null; tc qdisc del dev "$VA" root 2>/dev/null; tc qdisc del dev "$VA" ingress 2>/dev/null
			}
			bw ADD a "$CA" >/dev/null && [ "$(ifbs)$(qdiscs "$VA")" = "$IFB ingress tbf " ] ||
				bad_points+=" $phase:$sc#$n(the next ADD: $(ifbs)$(qdiscs "$VA"))"
			bw DEL a "$CA" >/dev/null
			[ $rc = 137 ] || break
			points=$((points + 1)) phase_points[$phase]=$((${phase_points[$phase]:-0} + 1))
		done
	done
done
echo "# crash points: ${phase_points[ADD]:-0} in ADD, ${phase_points[DEL]:-0} in DEL"
t_eq "SIGKILL at $points points of ADD and DEL: each time one DEL leaves nothing, the next ADD works" \
	"${bad_points:-none}" none
t_check "at least 40 points were hit" test "$points" -ge 40

# --- churn and concurrency ------------------------------------------------------------------------
for i in $(seq 20); do
	bw ADD a "$CA" >/dev/null || echo "ADD $i failed"
	bw DEL a "$CA" >/dev/null || echo "DEL $i failed"
done >"$WORK/churn"
t_eq "20 ADD/DEL rounds: no failure, nothing left" "$(cat "$WORK/churn")$(ifbs)$(qdiscs "$VA")" "noqueue "
N=6
for i in $(seq $N); do ip netns add p$i; eval "out_p$i=\$(br ADD p$i \"\$BRCONF\")"; done
for i in $(seq $N); do
	eval "prev=\$out_p$i"
	bw ADD p$i "$(bwconf "$prev" "$LIMITS")" >"$WORK/p$i.out" &
done
wait
ok=0
for i in $(seq $N); do
	eval "prev=\$out_p$i"
	[ "$(jq -r '.interfaces[-1].name' "$WORK/p$i.out")" = "bwp$(printf '%s' bwnetp$i | sha512sum | cut -c1-12)" ] &&
		[ "$(qdiscs "$(hostveth "$prev")")" = "ingress tbf " ] && ok=$((ok + 1))
done
t_eq "$N concurrent ADDs: each shaped with its own ifb" "$ok $(ifbs | wc -w)" "$N $N"
for i in $(seq $N); do eval "prev=\$out_p$i"; bw DEL p$i "$(bwconf "$prev" "$LIMITS")" >/dev/null & done
wait
left=""
for i in $(seq $N); do eval "prev=\$out_p$i"; left="$left$(qdiscs "$(hostveth "$prev")")"; done
t_eq "$N concurrent DELs: no ifb, no qdisc left" "$(ifbs)|$left" "|$(printf 'noqueue %.0s' $(seq $N))"

for n in a srv free r $(seq -f p%g $N); do br DEL $n "$BRCONF" >/dev/null; done
t_eq "nothing of ours left" "$(ifbs)$(ip -o link show | grep -c veth)" "0"
t_done
