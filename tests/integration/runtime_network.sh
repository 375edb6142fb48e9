#!/bin/bash
# netns-run network rm, prune and reload: a network in use is refused, rm removes the
# bridge, its isolation entry, the network's masquerade elements and our empty tables
# (and nothing of another network), prune spares networks with running containers, and
# reload puts masquerade, isolation and published ports back after `nft flush ruleset`.
# Everything happens in the sandbox's own network namespace.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/runtime.sh"

addr() { state '.addresses[0]' "$1" | cut -d/ -f1; }
has_link() { ip link show "$1" >/dev/null 2>&1; }
our_tables() { nft list tables | grep -E 'netns-run' | tr '\n' ' '; }
# A stale masquerade element of network $1 (as a crashed plugin would leave it).
stale_masq() { nft add element inet netns-run ctr4 "{ $2 comment \"$1 deadbeef eth0\" }"; }
in_ctr4() { nft list set inet netns-run ctr4 2>/dev/null | grep -qw "$1"; }
get() { python3 -c 'import socket,sys; print(socket.create_connection((sys.argv[1], 8080), timeout=3).recv(64).decode().strip())' "$1" 2>&1; }

cat >"$NETNS_RUN_CONFIG_DIR/10-rmnet.conflist" <<'JSON'
{"cniVersion": "1.0.0", "name": "rmnet", "plugins": [
  {"type": "bridge", "bridge": "nr7", "isGateway": true, "ipMasq": true,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.71.0.0/24"}]], "routes": [{"dst": "0.0.0.0/0"}]}},
  {"type": "portmap", "capabilities": {"portMappings": true}}]}
JSON
cat >"$NETNS_RUN_CONFIG_DIR/20-othernet.conflist" <<'JSON'
{"cniVersion": "1.0.0", "name": "othernet", "plugins": [
  {"type": "bridge", "bridge": "nr6", "isGateway": true, "ipMasq": true,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.72.0.0/24"}]], "routes": [{"dst": "0.0.0.0/0"}]}}]}
JSON

for v in rm prune reload; do
	out=$("$NR" network $v --help); rc=$?
	t_eq "network $v --help: 0, with a usage line" "$rc $(head -n 1 <<<"$out")" "0 Usage: netns-run network $v$(case $v in rm) echo ' NAME|ID...' ;; prune) echo ' [-f]' ;; esac)"
done
out=$("$NR" network rm nosuch 2>&1); rc=$?
t_eq "rm of an unknown network: 125" $rc 125
t_check "... saying so" grep -q "no such network: nosuch" <<<"$out"
out=$("$NR" network rm 2>&1); t_eq "rm without a name: 125" $? 125

# A host address to reach published ports on.
ip link add up0 type veth peer name up1 && ip addr add 192.0.2.1/24 dev up0 && ip link set up0 up && ip link set up1 up

# A web server on rmnet publishing 8080.
mkfifo /run/web-ready
"$NR" run -d --net=rmnet --name "$P-web" -p 8080:80 -v /run/web-ready:/ready -- python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("", 80)); s.listen()
open("/ready", "w").write("x\n")
while True:
    c, _ = s.accept(); c.sendall(b"hello-from-web\n"); c.close()' >/dev/null
t_eq "run -d on rmnet" $? 0
read -r _ </run/web-ready
a=$(addr "$P-web")
t_eq "the published port answers" "$(get 192.0.2.1)" hello-from-web

# rm refused while a container runs on the network.
out=$("$NR" network rm rmnet 2>&1); rc=$?
t_eq "rm of a network with a running container: 125" $rc 125
t_check "... naming the container" grep -q "in use by running container(s) $P-web" <<<"$out"
t_check "... and the bridge is still there" has_link nr7
t_check "... still masquerading the container" in_ctr4 "$a"

# prune: othernet (used once, now idle) is cleaned, rmnet is left alone.
"$NR" run --rm --net=othernet true
t_check "othernet's bridge exists after a container used it" has_link nr6
out=$("$NR" network prune); rc=$?
t_eq "prune: 0" $rc 0
t_eq "... under Docker's header" "$(head -n 1 <<<"$out")" "Deleted Networks:"
t_check "... names othernet" grep -qx othernet <<<"$out"
t_check "... not rmnet" bash -c '! grep -qx rmnet <<<"$1"' _ "$out"
t_check "... removes othernet's bridge" sh -c '! ip link show nr6 >/dev/null 2>&1'
t_check "... keeps rmnet's bridge" has_link nr7
t_eq "... and the published port still answers" "$(get 192.0.2.1)" hello-from-web
t_eq "prune again cleans nothing" "$("$NR" network prune)" ""

# reload after `nft flush ruleset`.
before=$(nft list ruleset)
nft flush ruleset
t_eq "flushed: no table of ours" "$(our_tables)" ""
"$NR" network reload; t_eq "reload: 0" $? 0
t_check "the masquerade element is back ($a)" in_ctr4 "$a"
t_check "... with its owner" sh -c "nft list set inet netns-run ctr4 | grep -q 'comment \"rmnet $(state .id "$P-web") eth0\"'"
t_check "the isolation entry is back" sh -c "nft list set inet netns-run-isolation bridges | grep -qw nr7"
t_check "the portmap element is back" sh -c "nft list map inet netns-run-portmap dnat4any | grep -q '8080 .*$a . 80'"
t_eq "the published port answers again" "$(get 192.0.2.1)" hello-from-web
after1=$(nft list ruleset)
t_eq "the ruleset is what the ADD made" "$after1" "$before"
"$NR" network reload; t_eq "reload again: 0" $? 0
t_eq "... changes nothing" "$(nft list ruleset)" "$after1"
t_eq "inspect's CHECK passes after the reload" "$("$NR" inspect "$P-web" | jq -r .check)" ok

# After the container is gone, rm removes the bridge, its isolation entry, rmnet's
# masquerade elements (a stale one here) and not othernet's.
"$NR" rm -f "$P-web" >/dev/null
t_check "the bridge outlives its last container" has_link nr7
t_check "... and so does its isolation entry" sh -c "nft list set inet netns-run-isolation bridges | grep -qw nr7"
stale_masq rmnet 10.71.0.99
stale_masq othernet 10.72.0.99
out=$("$NR" network rm rmnet 2>&1); rc=$?
t_eq "rm of an unused network: 0, printing its name" "$rc $out" "0 rmnet"
t_check "... removes its bridge" sh -c '! ip link show nr7 >/dev/null 2>&1'
t_check "... its isolation entry (the table, with the last bridge)" sh -c '! nft list table inet netns-run-isolation >/dev/null 2>&1'
t_check "... its masquerade elements" sh -c "! nft list set inet netns-run ctr4 | grep -qw 10.71.0.99"
t_check "... not another network's" in_ctr4 10.72.0.99
t_eq "... and the empty portmap table" "$(our_tables)" "table inet netns-run "
out=$("$NR" network rm rmnet 2>&1); t_eq "rm twice: 0" "$? $out" "0 rmnet"
"$NR" network rm othernet >/dev/null; t_eq "rm othernet: 0" $? 0
t_eq "no table of ours is left" "$(our_tables)" ""

# A container whose netns-run was killed is reconciled first, as by gc.
"$NR" run -d --net=rmnet --name "$P-k" sleep 60 >/dev/null
kill -9 "$(state .monitor "$P-k")"
for _ in $(seq 50); do state_init_gone=$(state .pid "$P-k"); kill -0 "$state_init_gone" 2>/dev/null || break; sleep 0.1; done
out=$("$NR" network rm rmnet 2>&1); rc=$?
t_eq "rm with only a dead container on the network: 0" "$rc $out" "0 rmnet"
t_check "... the dead container was cleaned up (its record was --rm-less: exited)" \
	sh -c "[ ! -e '$NETNS_RUN_STATE_DIR/containers/$P-k' ] || [ \"\$(jq -r .status '$NETNS_RUN_STATE_DIR/containers/$P-k/state.json')\" = exited ]"
t_check "... and the bridge is gone" sh -c '! ip link show nr7 >/dev/null 2>&1'
"$NR" rm -f "$P-k" >/dev/null 2>&1

# The built-in bridge network: its bridge is nr0.
"$NR" run --rm true
t_check "the built-in network made nr0" has_link nr0
out=$("$NR" network rm bridge 2>&1); rc=$?
t_eq "rm of the built-in network: 125" $rc 125
t_check "... it is pre-defined" grep -q "bridge is a pre-defined network and cannot be removed" <<<"$out"
t_check "... nr0 stays" has_link nr0
out=$("$NR" network prune); rc=$?
t_eq "prune removes the built-in network's host state" "$rc $(tr '\n' ' ' <<<"$out")" "0 Deleted Networks: bridge "
t_check "... removes nr0" sh -c '! ip link show nr0 >/dev/null 2>&1'
t_eq "... and leaves no table of ours" "$(our_tables)" ""

# A conflist naming a bridge that is not ours to delete (it has a port of the host's).
cat >"$NETNS_RUN_CONFIG_DIR/30-hostbr.conflist" <<'JSON'
{"cniVersion": "1.0.0", "name": "hostbr", "plugins": [{"type": "bridge", "bridge": "hbr0"}]}
JSON
ip link add hbr0 type bridge && ip link set up1 master hbr0
out=$("$NR" network rm hostbr 2>&1); rc=$?
t_eq "rm of a network whose bridge has a foreign port: 125" $rc 125
t_check "... saying why" grep -q "hbr0 still has port up1" <<<"$out"
t_check "... and the bridge stays" has_link hbr0
ip link del hbr0
ip link del up0
# portmap runs in our process for a container that publishes nothing (no exec at ADD or
# DEL), and as its executable for one that does.
# The bridge always runs in process outside the daemon (docs/runtime.md).
execs() { strace -f -qq -e trace=execve -e signal=none -o /run/execs "$@" >/dev/null 2>&1; grep -c "/$PLUGIN\"" /run/execs; }
PLUGIN=portmap
t_eq "run without -p: portmap not executed" "$(execs "$NR" run --rm --net=rmnet true)" 0
t_eq "run -p: portmap executed for ADD and DEL" "$(execs "$NR" run --rm --net=rmnet -p 8081:80 true)" 2
PLUGIN=bridge
t_eq "run: the bridge not executed" "$(execs "$NR" run --rm --net=rmnet true)" 0
# A DEL returns once the kernel has taken the link out (nl/link_unlist.h): the host end is
# gone when `run --rm` returns, and the child that waits out the kernel's reclaim ends.
veths() { ip -o link show master nr7 type veth | wc -l; }
ports=$(veths)
for i in 1 2 3; do
	"$NR" run --rm --net=rmnet true
	t_eq "run --rm $i returned: rmnet's bridge has its $ports other ports, no more" "$(veths)" "$ports"
done
# (Live ones of this sandbox's mount namespace: a zombie is its reaper's to collect.)
unlisters() {
	local p me
	me=$(readlink /proc/self/ns/mnt)
	for p in /proc/[0-9]*; do
		[ "$(cat "$p/comm" 2>/dev/null)" = link-unlist ] && [ "$(readlink "$p/ns/mnt")" = "$me" ] &&
			[ "$(awk '{print $3}' "$p/stat" 2>/dev/null)" != Z ] && echo "${p#/proc/}"
	done
}
t_check "the link-unlist children end (10 s at most)" await 10 test -z "$(unlisters)"
t_eq "nothing of the containers is left" "$(nr_leftovers)" ""
t_done
