#!/bin/bash
# Network labs (issue 19): three routers in a triangle running FRR (Debian's frr, its binaries
# from the host's root), each with its own /etc/frr (frr.conf, daemons, vtysh.conf) bound in,
# zebra and ospfd started by the node's exec list.  OSPF converges (a bounded wait on
# `show ip ospf neighbor`), r1 pings r3's loopback; the r1-r3 link is cut from inside r1
# (`lab exec … ip link set eth2 down`, the user's command) and r1 still reaches r3's loopback,
# now through r2; the routers' privileges (their own writable /proc/sys/net, the rest of
# /proc/sys read-only, seccomp, their own namespaces); lab exec's exit status and --label;
# save asks each FRR to write its configuration; destroy leaves nothing (containers,
# records, mounts, cgroups, links, state) and succeeds again when the lab is gone.  Everything runs in the sandbox's namespaces.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/runtime.sh"

if [ ! -x /usr/lib/frr/zebra ] || [ ! -x /usr/lib/frr/ospfd ] || ! command -v vtysh >/dev/null; then
	t_skip "FRR lab" "needs Debian's frr (scripts/deps.sh frr)"
	t_done
	exit
fi
if ! "$NR" lab --help >/dev/null 2>&1; then
	t_fail "netns-run lab exists" "this build has no netns-run-lab"
	t_done
	exit
fi

W=$(mktemp -d /run/lab-frr.XXXX)
LABN="$P-frr"
TOPO="$W/frr.yml"
lab() { "$NR" lab "$@"; }
# lab_leftovers: what a lab of this run leaves: containers, records, mounts, cgroups, veths, state.
lab_leftovers() {
	"$NR" ps -a 2>/dev/null | awk 'NR > 1 && $1 ~ /^lab-/ {print "container: " $1}'
	ls "$NETNS_RUN_STATE_DIR/containers" 2>/dev/null | sed 's/^/record: /'
	grep "$NETNS_RUN_STATE_DIR" /proc/self/mountinfo | sed 's/^/mount: /'
	find /sys/fs/cgroup -maxdepth 7 -type d -path "*/netns-run/lab-$LABN-*" 2>/dev/null | sed 's/^/cgroup: /'
	ip -o link show type veth 2>/dev/null | awk '{print "veth: " $2}'
	[ -e "$NETNS_RUN_STATE_DIR/labs/$LABN" ] && echo "state: $NETNS_RUN_STATE_DIR/labs/$LABN"
}
cleanup() {
	lab destroy --name "$LABN" >/dev/null 2>&1
	nr_cleanup
	rm -rf "$W"
}
trap cleanup EXIT

# node NAME LOOPBACK ETH1 ETH2: its /etc/frr.
node() {
	mkdir -p "$W/$1"
	cat >"$W/$1/frr.conf" <<EOF
frr defaults traditional
hostname $1
log file /var/log/frr/frr.log
ip forwarding
!
interface lo
 ip address $2/32
!
interface eth1
 ip address $3
 ip ospf network point-to-point
 ip ospf hello-interval 1
 ip ospf dead-interval 3
!
interface eth2
 ip address $4
 ip ospf network point-to-point
 ip ospf hello-interval 1
 ip ospf dead-interval 3
!
router ospf
 ospf router-id $2
 network 10.0.0.0/16 area 0
 network 10.255.0.0/24 area 0
!
EOF
	printf 'zebra=yes\nospfd=yes\n' >"$W/$1/daemons"
	printf 'service integrated-vtysh-config\n' >"$W/$1/vtysh.conf"
}
node r1 10.255.0.1 10.0.12.1/30 10.0.13.1/30
node r2 10.255.0.2 10.0.12.2/30 10.0.23.1/30
node r3 10.255.0.3 10.0.13.2/30 10.0.23.2/30
# FRR's daemons ask for CAP_SYS_ADMIN besides NET_ADMIN and NET_RAW when they start
# (privs_init): a lab node's default has all three (docs/labs.md, "Privileges"), so the
# routers need no cap-add.
cat >"$TOPO" <<EOF
name: $LABN
topology:
  defaults:
    kind: linux
    labels: { role: router }
    exec:
      - "mkdir -p /var/run/frr /var/log/frr"
      - "chown frr:frr /var/run/frr /var/log/frr"
      - "/usr/lib/frr/zebra -d -F traditional -A 127.0.0.1 -f /etc/frr/frr.conf"
      - "/usr/lib/frr/ospfd -d -F traditional -A 127.0.0.1 -f /etc/frr/frr.conf"
  nodes:
    r1: { binds: ["r1:/etc/frr"] }
    r2: { binds: ["r2:/etc/frr"] }
    r3: { binds: ["r3:/etc/frr"] }
  links:
    - endpoints: ["r1:eth1", "r2:eth1"]
    - endpoints: ["r1:eth2", "r3:eth1"]
    - endpoints: ["r2:eth2", "r3:eth2"]
EOF

in_node() { local n=$1; shift; lab exec -t "$TOPO" --node "$n" -- "$@"; }
# full NODE: how many OSPF neighbours of NODE are Full.
full() { in_node "$1" vtysh -c 'show ip ospf neighbor' 2>/dev/null | grep -c ' Full/'; }
# wait_for SECONDS CMD...: CMD succeeds within SECONDS (checked every 0.2 s).
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.2
	done
}
converged() { [ "$(full r1)" = 2 ] && [ "$(full r2)" = 2 ] && [ "$(full r3)" = 2 ]; }
via() { in_node r1 ip -4 route get "$1" 2>/dev/null | grep -o 'dev [a-z0-9]*' | cut -d' ' -f2; }

out=$(lab deploy -t "$TOPO" 2>&1)
t_check "deploy of the FRR triangle succeeds" test $? = 0
[ $? = 0 ] || echo "$out" | sed 's/^/#   /'
t_eq "inspect: three linux nodes running" \
	"$(lab inspect --name "$LABN" --format json | jq -r '[.nodes[] | select(.kind == "linux" and .state == "running" and .pid > 0)] | length')" 3
t_eq "inspect: three links" "$(lab inspect -t "$TOPO" --format json | jq '.links | length')" 3
t_check "inspect's table names every node" sh -c "lab() { \"$NR\" lab \"\$@\"; }; lab inspect --name $LABN | grep -c '^r[123] ' | grep -qx 3"
t_check "links are veths of MTU 9500 in the nodes" sh -c "'$NR' lab exec -t '$TOPO' --node r2 -- ip -d link show eth2 | grep -q 'mtu 9500.*' "
t_check "OSPF converges: every router has two Full neighbours (bounded wait, 60 s)" wait_for 60 converged
t_eq "zebra turned forwarding on through the node's own writable /proc/sys/net" \
	"$(in_node r1 cat /proc/sys/net/ipv4/ip_forward)" 1
t_check "the rest of /proc/sys stays read-only in a node" sh -c "! '$NR' lab exec -t '$TOPO' --node r1 -- sh -c 'echo 1 > /proc/sys/kernel/sysrq' 2>/dev/null"
t_eq "a router still runs under a seccomp filter" "$(in_node r1 awk '/^Seccomp:/ {print $2}' /proc/self/status)" 2
t_eq "a router sees only its own interfaces (not the host's namespace)" "$(in_node r1 ls /sys/class/net | tr '\n' ' ')" "eth1 eth2 lo "
t_eq "a router sees only its own processes (its pid 1 is its init)" "$(in_node r1 cat /proc/1/comm)" netns-run-init
t_eq "the host's (the sandbox's) forwarding is untouched" "$(cat /proc/sys/net/ipv4/ip_forward)" 0
t_check "r1 pings r3's loopback" wait_for 20 in_node r1 ping -c1 -W1 10.255.0.3
direct() { [ "$(via 10.255.0.3)" = eth2 ]; }
t_check "r1's route to r3's loopback settles on the r1-r3 link (eth2)" wait_for 20 direct

# The cut: the user's own command in r1's namespace.
in_node r1 ip link set eth2 down
t_eq "lab exec runs the cut in r1 (exit status 0)" $? 0
t_check "r1 now routes to r3's loopback through r2 (eth1)" wait_for 30 sh -c "[ \"\$('$NR' lab exec -t '$TOPO' --node r1 -- ip -4 route get 10.255.0.3 | grep -o 'dev [a-z0-9]*')\" = 'dev eth1' ]"
t_check "r1 still pings r3's loopback, through r2" wait_for 20 in_node r1 ping -c1 -W1 10.255.0.3
t_check "the path goes through r2 (r3 sees r1's address on the r2 side)" sh -c "'$NR' lab exec -t '$TOPO' --node r1 -- ping -c1 -W1 -R 10.255.0.3 | grep -q 10.0.23"

in_node r2 sh -c 'exit 7'
t_eq "lab exec exits with the command's status" $? 7
t_eq "lab exec --label runs in every node with the label" \
	"$(lab exec -t "$TOPO" --label role=router -- hostname | grep -v '^==' | sort | tr '\n' ' ')" "r1 r2 r3 "
lab exec -t "$TOPO" --node r9 -- true 2>/dev/null
t_eq "lab exec on an unknown node fails" $? 1

rm -f "$W/r1/frr.conf.sav"
out=$(lab save -t "$TOPO" 2>&1)
t_check "save asks each node's FRR to write its configuration" test $? = 0
[ $? = 0 ] || echo "$out" | sed 's/^/#   /'
t_check "r1's frr.conf was written by vtysh (it now has FRR's own header)" grep -q '^frr version' "$W/r1/frr.conf"

t_check "before destroy, the leftovers check sees the lab" sh -c "[ \$(echo '$(lab_leftovers)' | grep -c '^container: \|^veth: \|^state: ') -ge 4 ]"
lab destroy -t "$TOPO" >/dev/null
t_eq "destroy succeeds" $? 0
t_eq "destroy leaves nothing" "$(lab_leftovers)" ""
lab destroy --name "$LABN" >/dev/null
t_eq "destroy of a lab that is gone succeeds" $? 0
lab inspect --name "$LABN" >/dev/null 2>&1
t_eq "inspect of a lab that is gone fails" $? 1

t_done
