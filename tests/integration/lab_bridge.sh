#!/bin/bash
# Network labs (issue 19): a bridge node and four hosts on it, plus a host endpoint and a
# management network.  All hosts ping each other; a second deploy keeps everything (same
# pids, exec lists not run again); a deploy that fails on its third node (a bind of a
# missing path) leaves nothing of its own and names the node; `tools link --rate` shows as
# a tbf qdisc in the node, and delay (netem) is refused clearly where the kernel lacks netem;
# a deploy failing on a link is undone too, one killed half-way is finished by the next deploy and destroyed whole; a node of
# an image is committed by save; MACs, MTUs, a node narrowed by cap-drop and sysctl-net: ro;
# destroy leaves nothing (bridge, host veth, containers, management network, state).
# Everything runs in the sandbox's namespaces.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/runtime.sh"
source "$(dirname "$0")/../lib/busybox_image.sh"

if ! "$NR" lab --help >/dev/null 2>&1; then
	t_fail "netns-run lab exists" "this build has no netns-run-lab"
	t_done
	exit
fi

W=$(mktemp -d /run/lab-bridge.XXXX)
LABN="$P-br"
BR="${P}sw"
HOSTIF="${P}h1"
MGMT="$P-mgmt"
TOPO="$W/bridge.yml"
lab() { "$NR" lab "$@"; }
cleanup() {
	lab destroy --name "$LABN" >/dev/null 2>&1
	lab destroy --name "$P-bad" >/dev/null 2>&1
	lab destroy --name "$P-kill" >/dev/null 2>&1
	lab destroy --name "$P-img" >/dev/null 2>&1
	nr_cleanup
	rm -rf "$W"
}
trap cleanup EXIT
# What a lab of this run leaves.
lab_leftovers() {
	"$NR" ps -a 2>/dev/null | awk -v p="lab-$1-" 'NR > 1 && index($1, p) == 1 {print "container: " $1}'
	for d in "$NETNS_RUN_STATE_DIR/containers/lab-$1-"*; do [ -e "$d" ] && echo "record: ${d##*/}"; done
	grep "$NETNS_RUN_STATE_DIR/containers/lab-$1-" /proc/self/mountinfo | sed 's/^/mount: /'
	find /sys/fs/cgroup -maxdepth 7 -type d -path "*/netns-run/lab-$1-*" 2>/dev/null | sed 's/^/cgroup: /'
	[ -e "$NETNS_RUN_STATE_DIR/labs/$1" ] && echo "state: $1"
}

cat >"$TOPO" <<EOF
name: $LABN
mgmt: { network: $MGMT, ipv4-subnet: 172.30.30.0/24 }
topology:
  nodes:
    $BR: { kind: bridge }
    h1: { mgmt-ipv4: 172.30.30.11, exec: ["ip addr add 10.9.0.1/24 dev eth1", "ip addr add 10.8.0.2/24 dev eth2"] }
    h2: { exec: ["ip addr add 10.9.0.2/24 dev eth1"], labels: { side: b } }
    h3: { exec: ["ip addr add 10.9.0.3/24 dev eth1"], labels: { side: b } }
    h4: { exec: ["ip addr add 10.9.0.4/24 dev eth1"], env: { GREETING: hello } }
    h5: { cap-drop: [NET_ADMIN], sysctl-net: ro }
  links:
    - endpoints: ["h1:eth1", "$BR:p1"]
    - endpoints: ["h2:eth1", "$BR:p2"]
    - endpoints: ["h3:eth1", "$BR:p3"]
    - type: veth
      mtu: 1500
      endpoints:
        - { node: h4, interface: eth1, mac: "02:00:00:00:04:01" }
        - { node: $BR, interface: p4, mac: "02:00:00:00:04:02" }
    - endpoints: ["h1:eth2", "host:$HOSTIF"]
EOF
in_node() { local n=$1; shift; lab exec -t "$TOPO" --node "$n" -- "$@"; }
pids() { lab inspect -t "$TOPO" --format json | jq -r '[.nodes[] | select(.kind == "linux") | .pid] | join(" ")'; }

out=$(lab deploy -t "$TOPO" 2>&1)
t_check "deploy of a bridge and four hosts succeeds" test $? = 0
[ $? = 0 ] || echo "$out" | sed 's/^/#   /'
t_eq "the bridge node is a bridge in the host's namespace" "$(ip -d -o link show "$BR" 2>/dev/null | grep -o ' bridge ' | tr -d ' ')" bridge
t_eq "four ports on the bridge" "$(ip -o link show master "$BR" 2>/dev/null | wc -l)" 4
t_eq "the host endpoint is a veth in the host's namespace" "$(ip -d -o link show "$HOSTIF" 2>/dev/null | grep -o ' veth ' | tr -d ' ')" veth
t_eq "a link's MAC on the node's end" "$(in_node h4 cat /sys/class/net/eth1/address)" 02:00:00:00:04:01
t_eq "a link's MAC on the bridge's end" "$(ip -o link show p4 2>/dev/null | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)" 02:00:00:00:04:02
t_eq "a link's MTU as given" "$(in_node h4 cat /sys/class/net/eth1/mtu)" 1500
t_eq "the default MTU elsewhere (9500)" "$(in_node h2 cat /sys/class/net/eth1/mtu)" 9500
fail=""
for a in 1 2 3 4; do
	for b in 1 2 3 4; do
		[ $a = $b ] && continue
		in_node h$a ping -c1 -W2 10.9.0.$b >/dev/null 2>&1 || fail="$fail h$a->h$b"
	done
done
t_eq "every host pings every other across the bridge (12 pairs)" "$fail" ""
ip addr add 10.8.0.1/24 dev "$HOSTIF" && ip link set "$HOSTIF" up
t_check "the host pings h1 over the host endpoint" ping -c1 -W2 10.8.0.2
t_eq "h1 has its fixed management address on eth0" "$(in_node h1 ip -4 -o addr show eth0 | awk '{print $4}')" 172.30.30.11/24
t_eq "inspect shows h1's management address" "$(lab inspect --name "$LABN" --format json | jq -r '.nodes[] | select(.name == "h1") | .mgmt_ipv4')" 172.30.30.11/24
t_check "inspect shows an allocated management address for h2" sh -c "'$NR' lab inspect --name '$LABN' --format json | jq -r '.nodes[] | select(.name == \"h2\") | .mgmt_ipv4' | grep -q '^172\.30\.30\.'"
t_eq "a node's env reaches it" "$(in_node h4 sh -c 'echo $GREETING')" hello
t_eq "lab nodes have CAP_NET_ADMIN (ip link add works)" "$(in_node h2 sh -c 'ip link add d0 type veth peer name d1 && echo yes')" yes

lab graph -t "$TOPO" -o "$W/bridge.dot" >/dev/null 2>&1
t_check "the picture of the deployed lab has the addresses read from the nodes" grep -q '10\.9\.0\.3/24' "$W/bridge.dot"

t_eq "a node's /proc/sys/net is its own and writable" "$(in_node h2 sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward && cat /proc/sys/net/ipv4/ip_forward')" 1
t_eq "narrowed (cap-drop: [NET_ADMIN]): no ip link add" "$(in_node h5 sh -c 'ip link add d0 type veth peer name d1 2>/dev/null && echo yes || echo no')" no
t_eq "narrowed (sysctl-net: ro): /proc/sys/net read-only" "$(in_node h5 sh -c 'echo 1 2>/dev/null > /proc/sys/net/ipv4/ip_forward && echo yes || echo no')" no

before=$(pids)
out=$(lab deploy -t "$TOPO" 2>&1)
t_check "a second deploy succeeds (idempotent)" test $? = 0
[ $? = 0 ] || echo "$out" | sed 's/^/#   /'
t_eq "it kept every node (same pids)" "$(pids)" "$before"
t_eq "it kept the bridge's four ports" "$(ip -o link show master "$BR" 2>/dev/null | wc -l)" 4
t_eq "it ran no exec list again (h1 has one address on eth1)" "$(in_node h1 ip -4 -o addr show eth1 | wc -l)" 1

# The kernel dismantles a namespace in its own time, after its last holder lets go, and
# the bridge's end of h3's pair goes only then: a holder here keeps it for the deploy.
h3pid=$(pids | cut -d' ' -f3)
nsenter --net="/proc/$h3pid/ns/net" sleep 120 &
HOLDER=$!
await 10 sh -c "[ \"\$(readlink /proc/$HOLDER/ns/net)\" = \"\$(readlink /proc/$h3pid/ns/net)\" ]"
"$NR" rm -f "lab-$LABN-h3" >/dev/null 2>&1
t_check "h3's container removed by hand, its namespace held: $BR:p3 is still there" ip link show p3
out=$(lab deploy -t "$TOPO" 2>&1)
t_check "after a node's container is removed by hand, deploy again succeeds" test $? = 0
[ $? = 0 ] || echo "$out" | sed 's/^/#   /'
t_eq "h3 runs again" "$(lab inspect -t "$TOPO" --format json | jq -r '.nodes[] | select(.name == "h3") | .state')" running
# h1's neighbour entry still holds h3's old MAC, REACHABLE for up to ~45 s (a host
# replaced on a real LAN is the same): forget it, as one would there.
in_node h1 ip neigh flush dev eth1
t_check "its link and address are back: h1 pings h3" in_node h1 ping -c1 -W2 10.9.0.3
kill "$HOLDER" 2>/dev/null
wait "$HOLDER" 2>/dev/null
t_eq "the other nodes were kept" "$(pids | cut -d' ' -f1,2,4,5)" "$(echo "$before" | cut -d' ' -f1,2,4,5)"
before=$(pids)

# A lab that fails on its third node: nothing of it stays, the first lab is untouched.
cat >"$W/bad.yml" <<EOF
name: $P-bad
topology:
  nodes:
    ${P}bsw: { kind: bridge }
    b1: {}
    b2: {}
    b3: { binds: ["/nonexistent-$P:/data"] }
    b4: {}
  links:
    - endpoints: ["b1:eth1", "${P}bsw:q1"]
    - endpoints: ["b2:eth1", "b3:eth1"]
EOF
out=$(lab deploy -t "$W/bad.yml" 2>&1)
rc=$?
t_eq "a deploy with a bad bind on its third node fails (exit 1)" $rc 1
t_check "its error names the node" grep -q 'node b3' <<<"$out"
t_eq "the failed deploy leaves nothing of its own" "$(lab_leftovers "$P-bad"; ip -o link show "${P}bsw" 2>/dev/null)" ""
t_eq "the first lab still runs" "$(pids)" "$before"

out=$(lab deploy -t "$TOPO" --reconfigure 2>&1)
t_check "deploy --reconfigure succeeds" test $? = 0
[ $? = 0 ] || echo "$out" | sed 's/^/#   /'
t_check "it made every node afresh (no pid kept)" sh -c "for p in \$('$NR' lab inspect --name '$LABN' --format json | jq -r '.nodes[] | select(.kind == \"linux\") | .pid'); do case ' $before ' in *\" \$p \"*) exit 1 ;; esac; done"
t_eq "with all five nodes running" "$(pids | wc -w)" 5
t_check "and ran the exec lists again: h2 pings h4" in_node h2 ping -c1 -W2 10.9.0.4

# A lab whose link fails (its host end's name is taken in the host's namespace): the
# error names the link, and its nodes are gone again.
ip link add "${P}busy" type veth peer name "${P}busy2"
cat >"$W/badlink.yml" <<EOF
name: $P-bad
topology:
  nodes:
    c1: {}
    c2: {}
  links:
    - endpoints: ["c1:eth1", "c2:eth1"]
    - endpoints: ["c2:eth2", "host:${P}busy"]
EOF
out=$(lab deploy -t "$W/badlink.yml" 2>&1)
t_eq "a deploy whose link fails fails (exit 1)" $? 1
t_check "its error names the link" grep -q "link c2:eth2 -- host:${P}busy" <<<"$out"
t_eq "the failed deploy leaves nothing of its own" "$(lab_leftovers "$P-bad")" ""
t_eq "the taken name stays the host's" "$(ip -o link show "${P}busy" 2>/dev/null | wc -l)" 1
ip link del "${P}busy"

# A lab whose exec list fails: the error names the node and the command, and its output.
cat >"$W/badexec.yml" <<EOF
name: $P-bad
topology:
  nodes:
    e1: { exec: ["echo about to fail", "exit 3"] }
    e2: {}
  links:
    - endpoints: ["e1:eth1", "e2:eth1"]
EOF
out=$(lab deploy -t "$W/badexec.yml" 2>&1)
t_eq "a deploy whose exec list fails fails (exit 1)" $? 1
t_check "its error names the node and the command" grep -q "node e1: exec 'exit 3' exited with status 3" <<<"$out"
t_check "the command's output is shown, with the node's name" grep -q "^e1: about to fail" <<<"$out"
t_eq "the failed deploy leaves nothing of its own" "$(lab_leftovers "$P-bad")" ""

# A deploy killed half-way (SIGKILL while an exec list runs): its exec list dies with it;
# the next deploy keeps the nodes and finishes the list; destroy finds everything.
cat >"$W/kill.yml" <<EOF
name: $P-kill
topology:
  nodes:
    k1: { exec: ["test -e /tmp/go || exec sleep 30", "touch /tmp/configured"] }
    k2: {}
    ${P}ksw: { kind: bridge }
  links:
    - endpoints: ["k1:eth1", "k2:eth1"]
    - endpoints: ["k2:eth2", "${P}ksw:${P}kp"]
EOF
"$NR" lab deploy -t "$W/kill.yml" >/dev/null 2>&1 &
dpid=$!
sleeping() { "$NR" exec "lab-$P-kill-k1" sh -c 'ps -e -o args | grep -qx "sleep 30"'; }
wait_sleep() { for _ in $(seq 1 150); do sleeping 2>/dev/null && return 0; sleep 0.2; done; return 1; }
wait_nosleep() { for _ in $(seq 1 50); do sleeping 2>/dev/null || return 0; sleep 0.2; done; return 1; }
t_check "the deploy to be killed reaches k1's exec list" wait_sleep
kpids=$(lab inspect --name "$P-kill" --format json | jq -r '[.nodes[] | select(.kind == "linux") | .pid] | join(" ")')
kill -9 $dpid
wait $dpid 2>/dev/null
t_check "the exec list dies with the deploy" wait_nosleep
"$NR" exec "lab-$P-kill-k1" touch /tmp/go
out=$(lab deploy -t "$W/kill.yml" 2>&1)
t_check "the next deploy succeeds" test $? = 0
[ $? = 0 ] || echo "$out" | sed 's/^/#   /'
t_eq "it kept the nodes" "$(lab inspect --name "$P-kill" --format json | jq -r '[.nodes[] | select(.kind == "linux") | .pid] | join(" ")')" "$kpids"
t_check "and finished k1's exec list" "$NR" exec "lab-$P-kill-k1" test -e /tmp/configured
lab destroy --name "$P-kill" >/dev/null
t_eq "destroy after a killed deploy succeeds" $? 0
t_eq "and leaves nothing of it" "$(lab_leftovers "$P-kill"; ip -o link show "${P}ksw" 2>/dev/null; ip -o link show "${P}kp" 2>/dev/null)" ""

# A node of an image, and save committing it.
if busybox_image "$W/bb.tar" bb:1 && "$NR" load -i "$W/bb.tar" >/dev/null 2>&1; then
	cat >"$W/img.yml" <<EOF
name: $P-img
topology:
  nodes:
    i1: { image: "bb:1" }
EOF
	out=$(lab deploy -t "$W/img.yml" 2>&1)
	t_check "a node of an image deploys" test $? = 0
	[ $? = 0 ] || echo "$out" | sed 's/^/#   /'
	t_eq "it runs the image (busybox's sh)" "$(lab exec -t "$W/img.yml" --node i1 -- sh -c 'echo saved-here >/hello; readlink /bin/sh')" /bin/busybox
	out=$(lab save -t "$W/img.yml" 2>&1)
	t_check "save commits it" grep -q "i1: committed as lab-$P-img-i1:saved" <<<"$out"
	t_eq "the saved image has what the node wrote" "$("$NR" run --rm "lab-$P-img-i1:saved" cat /hello 2>&1)" saved-here
	lab destroy -t "$W/img.yml" >/dev/null
	"$NR" rmi "lab-$P-img-i1:saved" bb:1 >/dev/null 2>&1
else
	t_skip "a node of an image, saved" "no static /bin/busybox"
fi

# Link impairments.
lab tools link -t "$TOPO" --node h1 --iface eth1 --rate 10mbit
t_eq "tools link --rate succeeds" $? 0
t_check "the rate shows as a tbf qdisc on h1's eth1" sh -c "'$NR' lab exec -t '$TOPO' --node h1 -- tc qdisc show dev eth1 | grep -q 'tbf .*rate 10Mbit'"
lab tools link --node "lab-$LABN-h2" --iface eth1 --rate 1mbit
t_eq "tools link takes a node's container name" $? 0
t_check "h2's eth1 has its rate" sh -c "'$NR' lab exec -t '$TOPO' --node h2 -- tc qdisc show dev eth1 | grep -q 'rate 1Mbit'"
out=$(lab tools link -t "$TOPO" --node h1 --iface eth1 --delay 10ms 2>&1)
rc=$?
if [ $rc = 0 ]; then
	t_check "this kernel has netem: the delay shows as netem" sh -c "'$NR' lab exec -t '$TOPO' --node h1 -- tc qdisc show dev eth1 | grep -q 'netem.*delay 10'"
else
	t_eq "delay without netem in the kernel is refused as a usage error (125)" $rc 125
	t_check "the refusal says netem is missing" grep -q "netem" <<<"$out"
	t_check "and leaves the rate in place" sh -c "'$NR' lab exec -t '$TOPO' --node h1 -- tc qdisc show dev eth1 | grep -q 'tbf'"
fi
lab tools link -t "$TOPO" --node h1 --iface eth1 --clear
t_check "tools link --clear removes it" sh -c "! '$NR' lab exec -t '$TOPO' --node h1 -- tc qdisc show dev eth1 | grep -q tbf"
lab tools link -t "$TOPO" --node h1 --iface eth1 --rate fast 2>/dev/null
t_eq "a bad rate is a usage error" $? 125
lab tools link -t "$TOPO" --node h1 --iface eth9 --rate 1mbit 2>/dev/null
t_eq "an unknown interface fails" $? 1

t_eq "before destroy, the leftovers check sees the lab (5 containers, 5 records, state)" \
	"$(lab_leftovers "$LABN" | grep -c '^container: \|^record: \|^state: ')" 11
# A node whose monitor died (SIGKILL) is torn down by destroy all the same.
mon=$(state .monitor "lab-$LABN-h4")
t_check "h4 has a live monitor" kill -0 "$mon"
kill -9 "$mon"
echo mine >"$NETNS_RUN_STATE_DIR/labs/$LABN/notes.txt"
lab destroy --name "$LABN" >/dev/null
t_eq "destroy --name succeeds" $? 0
t_eq "without --cleanup a file of the user's stays in the lab's directory" "$(ls "$NETNS_RUN_STATE_DIR/labs/$LABN" 2>&1)" notes.txt
lab destroy --name "$LABN" --cleanup >/dev/null
t_eq "destroy --cleanup of the destroyed lab removes its directory" "$(ls -d "$NETNS_RUN_STATE_DIR/labs/$LABN" 2>/dev/null)" ""
t_eq "destroy leaves nothing of the lab" "$(lab_leftovers "$LABN")" ""
t_eq "the bridge is gone" "$(ip -o link show "$BR" 2>/dev/null)" ""
t_eq "the host endpoint is gone" "$(ip -o link show "$HOSTIF" 2>/dev/null)" ""
t_eq "the management network is gone" "$("$NR" network ls 2>/dev/null | grep -c "$MGMT")" 0
t_eq "no veth is left in the host's namespace" "$(ip -o link show type veth | wc -l)" 0

t_done
