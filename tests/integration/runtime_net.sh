#!/bin/bash
# netns-run networking through our plugins: the built-in bridge network, none, host,
# container:NAME, a configured conflist, port mappings handed to the plugins, CHECK,
# and DEL converging after netns-run itself is SIGKILLed (`netns-run gc`).  Everything
# happens in the sandbox's own network namespace; no packet leaves it.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/runtime.sh"

addr() { state '.addresses[0]' "$1" | cut -d/ -f1; }

# A route of "the host" on 10.88.0.0/16 (podman's default subnet): ours must avoid it.
ip link add vx0 type veth peer name vx1
ip addr add 10.88.0.1/16 dev vx0
ip link set vx0 up

# The default bridge network.
"$NR" run -d --name "$P-a" sleep 60 >/dev/null; t_eq "run -d on the default bridge" $? 0
"$NR" run -d --name "$P-b" sleep 60 >/dev/null
a=$(addr "$P-a"); b=$(addr "$P-b")
gw=$("$NR" inspect "$P-a" | jq -r '.network_result.ips[0].gateway')
t_check "the subnet avoids the host's 10.88.0.0/16 route (got $a)" grep -q '^10\.89\.' <<<"$a"
t_check "both on one subnet ($a, $b)" test "${a%.*}" = "${b%.*}" -a "$a" != "$b"
t_check "$P-a reaches $P-b" "$NR" exec "$P-a" ping -c 1 -W 2 "$b"
t_check "$P-b reaches $P-a" "$NR" exec "$P-b" ping -c 1 -W 2 "$a"
t_check "$P-a reaches the gateway $gw" "$NR" exec "$P-a" ping -c 1 -W 2 "$gw"
t_eq "inside: lo and eth0" "$("$NR" exec "$P-a" ip -o link 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | tr '\n' ' ')" "lo eth0 "
t_check "lo is up inside" sh -c "'$NR' exec $P-a ip -o link show lo | grep -q 'UP'"
t_eq "default route via the gateway" "$("$NR" exec "$P-a" ip route show default | awk '{print $3}')" "$gw"
t_check "/etc/hosts has the container's address" sh -c "'$NR' exec $P-a cat /etc/hosts | grep -q '^$a'"
t_eq "the netns is bind-mounted in the state dir" \
	"$(findmnt -n -o FSTYPE "$NETNS_RUN_STATE_DIR/containers/$P-a/netns")" nsfs
t_eq "inspect runs CHECK: ok" "$("$NR" inspect "$P-a" | jq -r .check)" ok
t_check "ps lists the address" sh -c "'$NR' ps | grep '$P-a' | grep -q '$a/'"
# A bridge without a MAC of its own follows its lowest port MAC; give a port the lowest
# possible one and remove a port: the gateway's MAC must not move either time.
brmac=$(ip -br link show nr0 | awk '{print $3}')
ip link set "$("$NR" inspect "$P-b" | jq -r '.network_result.interfaces[1].name')" address 02:00:00:00:00:01
t_eq "the bridge's MAC (the gateway's) stays when a port's MAC changes" "$(ip -br link show nr0 | awk '{print $3}')" "$brmac"
nsenter --net="$NETNS_RUN_STATE_DIR/containers/$P-b/netns" ip link del eth0
t_eq "... and when a port goes" "$(ip -br link show nr0 | awk '{print $3}')" "$brmac"
t_check "... so A still reaches the gateway" "$NR" exec "$P-a" ping -c 1 -W 2 "$gw"
t_check "CHECK notices a missing interface" sh -c "'$NR' inspect $P-b | jq -r .check | grep -q eth0"

# container:NAME joins A's network; its end leaves A's network alone.
t_eq "container:A shares A's addresses" "$("$NR" run --rm --net=container:"$P-a" ip -4 -o addr show eth0 | awk '{print $4}')" \
	"$(state '.addresses[0]' "$P-a")"
t_eq "... and A's interfaces" "$("$NR" run --rm --net=container:"$P-a" ip -o link 2>/dev/null | awk -F': ' '{print $2}' | tr '\n' ' ')" \
	"$("$NR" exec "$P-a" ip -o link 2>/dev/null | awk -F': ' '{print $2}' | tr '\n' ' ')"
t_check "after the joiner ended, A still reaches the gateway" "$NR" exec "$P-a" ping -c 1 -W 2 "$gw"
t_eq "A's cached result is still there" "$(ls /var/lib/cni/results | grep -c "$(state .id "$P-a")")" 1
"$NR" run -d --net=container:"$P-a" --name "$P-j" sleep 60 >/dev/null
t_eq "the joiner's inspect reports A's addresses" "$("$NR" inspect "$P-j" | jq -r '.addresses[0]')" "$(state '.addresses[0]' "$P-a")"
t_eq "... and its CHECK passes" "$("$NR" inspect "$P-j" | jq -r .check)" ok
"$NR" stop -t 1 "$P-j" >/dev/null; "$NR" rm "$P-j" >/dev/null
t_check "stopping a joiner leaves A's network up" "$NR" exec "$P-a" ping -c 1 -W 2 "$gw"
out=$("$NR" run --rm --net=container:nosuch true 2>&1); rc=$?
t_eq "container:NAME not running: 125" $rc 125
t_check "... saying so" grep -q "nosuch is not running" <<<"$out"
"$NR" rm -f "$P-a" "$P-b" >/dev/null

# none and host.
t_eq "--net=none has only lo" "$("$NR" run --rm --net=none ip -o link 2>/dev/null | awk -F': ' '{print $2}')" lo
t_check "--net=none: lo is up" sh -c "'$NR' run --rm --net=none ip -o link show lo | grep -q UP"
# Our none runs inside the runtime (no fork and exec); any other executable of that name
# on the CNI path is executed, as the spec says (docs/runtime.md).
T=/run/runtime_net.t # the sandbox's private tmpfs
mkdir -p "$T"
strace -f -qq -e trace=execve -o "$T/none.strace" "$NR" run --rm --net=none true
t_eq "--net=none: our none plugin runs in process, not executed" "$(grep -c '/none"' "$T/none.strace")" 0
mkdir -p "$T/otherpath"
printf '#!/bin/sh\necho "$CNI_COMMAND" >>"%s/other-none.log"\nexec "%s/cni/none"\n' "$T" "$NR_BUILD" >"$T/otherpath/none"
chmod +x "$T/otherpath/none"
NETNS_RUN_CNI_PATH="$T/otherpath:$NR_BUILD/cni" "$NR" run --rm --net=none true
t_eq "... a none that is not ours is executed, for ADD and DEL" "$(tr '\n' ' ' <"$T/other-none.log" 2>/dev/null)" "ADD DEL "
t_check "--net=host sees the host namespace's links" sh -c "'$NR' run --rm --net=host ip -o link 2>/dev/null | grep -q vx0"
"$NR" run -d --net=host --name "$P-h" sleep 60 >/dev/null
t_eq "--net=host: inspect reports the host's addresses (plugins/host)" \
	"$("$NR" inspect "$P-h" | jq -r '[.network_result.ips[].address] | index("10.88.0.1/16") != null')" true
"$NR" rm -f "$P-h" >/dev/null
ip link del vx0

# A configured network, and network ls / inspect.
cat >"$NETNS_RUN_CONFIG_DIR/10-mynet.conflist" <<'JSON'
{"cniVersion": "1.0.0", "name": "mynet", "plugins": [
  {"type": "bridge", "bridge": "nr9", "isGateway": true,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.77.0.0/24"}]], "routes": [{"dst": "0.0.0.0/0"}]}}]}
JSON
ls_out=$("$NR" network ls)
t_check "network ls lists the configured network" grep -qE "^[0-9a-f]{12} +mynet +bridge +local +10.77.0.0/24 +0$" <<<"$ls_out"
t_check "network ls lists the built-in bridge" grep -qE '^[0-9a-f]{12} +bridge +bridge +local ' <<<"$ls_out"
t_check "network ls lists none" grep -qE '^[0-9a-f]{12} +none +null +local ' <<<"$ls_out"
t_eq "network inspect shows the conflist's bridge" "$("$NR" network inspect mynet | jq -r '.[0].Options["com.docker.network.bridge.name"]')" nr9
t_eq "network inspect --conflist prints the conflist" "$("$NR" network inspect --conflist mynet | jq -r '.plugins[0].bridge')" nr9
t_check "--net=mynet uses it" sh -c "'$NR' run --rm --net=mynet ip -4 -o addr show eth0 | grep -q 'inet 10.77.0.'"
t_eq "network inspect of an unknown network: 125" "$("$NR" network inspect nosuch 2>/dev/null; echo $?)" 125

# A chain that fails half-way: the run is 125 naming the plugin, and the part that
# succeeded (bridge, lease) is rolled back.
cat >"$NETNS_RUN_CONFIG_DIR/20-broken.conflist" <<'JSON'
{"cniVersion": "1.0.0", "name": "broken", "plugins": [
  {"type": "bridge", "bridge": "nr8", "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.66.0.0/24"}]]}},
  {"type": "no-such-plugin"}]}
JSON
out=$("$NR" run --rm --net=broken --name "$P-broken" true 2>&1); rc=$?
t_eq "a failing chain: 125" $rc 125
t_check "... naming the plugin" grep -q "no-such-plugin" <<<"$out"
t_eq "... and leaving nothing" "$(nr_leftovers)" ""

# A plugin that disappears while its container runs: DEL cannot work, rm -f forgets the
# container anyway (saying so), and once the plugin is back, gc's chain GC releases what
# the cached result says is still held.
mkdir -p /run/cni-copy && ln -sf "$CNI_BIN"/* /run/cni-copy/
NETNS_RUN_CNI_PATH=/run/cni-copy "$NR" run -d --name "$P-gone" sleep 60 >/dev/null
rm /run/cni-copy/bridge
out=$(NETNS_RUN_CNI_PATH=/run/cni-copy "$NR" rm -f "$P-gone" 2>&1); rc=$?
t_eq "rm -f with a plugin gone: removed anyway" "$rc $(tail -n 1 <<<"$out")" "0 $P-gone"
t_check "... warning that DEL failed" grep -q "warning: $P-gone: .*bridge" <<<"$out"
# (Its veth goes with its network namespace; the lease and the cache entry stay.)
t_check "... its cache entry is still there" sh -c "ls /var/lib/cni/results | grep -q ."
t_check "... and its lease" sh -c "find /var/lib/cni/networks -type f ! -name lock ! -name 'last_reserved_ip*' ! -path '*/.nr-index/*' | grep -q ."
ln -s "$CNI_BIN/bridge" /run/cni-copy/bridge
NETNS_RUN_CNI_PATH=/run/cni-copy "$NR" gc -q; t_eq "gc with the plugin back" $? 0
t_eq "... releases them through the chain's GC" "$(nr_leftovers)" ""

# -p goes to the plugins as the portMappings capability and is cached for DEL.
"$NR" run -d --name "$P-p" -p 8080:80 -p 127.0.0.1:9000-9001:90-91/udp sleep 60 >/dev/null
cache=$(ls /var/lib/cni/results/bridge-"$(state .id "$P-p")"-eth0)
t_eq "portMappings cached with the result" "$(jq -c '.capabilityArgs.portMappings' "$cache")" \
	'[{"hostPort":8080,"containerPort":80,"protocol":"tcp"},{"hostPort":9000,"containerPort":90,"protocol":"udp","hostIP":"127.0.0.1"},{"hostPort":9001,"containerPort":91,"protocol":"udp","hostIP":"127.0.0.1"}]'
"$NR" rm -f "$P-p" >/dev/null
t_check "the cache entry goes with the container" test ! -e "$cache"
# With a port-mapping plugin installed (the portmap issue), the built-in bridge network
# chains it and a published port answers from the host side.
if [ -x "$CNI_BIN/portmap" ]; then
	ip link add up0 type veth peer name up1 && ip addr add 192.0.2.1/24 dev up0 && ip link set up0 up && ip link set up1 up
	mkfifo /run/web-ready
	"$NR" run -d --name "$P-web" -p 8080:80 -v /run/web-ready:/ready -- python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("", 80)); s.listen()
open("/ready", "w").write("x\n")
while True:
    c, _ = s.accept(); c.sendall(b"hello-from-web\n"); c.close()' >/dev/null
	read -r _ </run/web-ready
	t_eq "-p 8080:80 reaches the container (portmap chained)" \
		"$(python3 -c 'import socket; print(socket.create_connection(("192.0.2.1", 8080), timeout=3).recv(64).decode().strip())' 2>&1)" \
		hello-from-web
	"$NR" rm -f "$P-web" >/dev/null
	t_eq "... and its rules go with it" "$(nft list ruleset | grep -c 8080)" 0
	ip link del up0
else
	t_skip "-p reaches the container" "no portmap plugin in $CNI_BIN"
fi
out=$("$NR" run --rm -p 1-3:80 true 2>&1)
t_eq "-p with ranges of different lengths: 125" $? 125
t_check "... saying so" grep -q "differ in length" <<<"$out"

# 20 runs, every fourth with its netns-run SIGKILLed mid-run; gc converges.
killed=0
for i in $(seq 20); do
	if [ $((i % 4)) = 0 ]; then
		"$NR" run -d --rm --name "$P-k$i" sleep 60 >/dev/null
		kill -9 "$(state .monitor "$P-k$i")"
		killed=$((killed + 1))
	else
		"$NR" run --rm --name "$P-r$i" true
	fi
done
left=$(nr_leftovers)
# Each start reconciles what earlier kills left; the last run was killed, so its state is
# there until gc.
t_check "after $killed SIGKILLed runs, the last one's record is still there before gc" grep -q "record: $P-k20" <<<"$left"
t_check "... with its veth" grep -q '^veth:' <<<"$left"
t_check "... and its lease" grep -q '^lease:' <<<"$left"
"$NR" gc >/dev/null; t_eq "gc succeeds" $? 0
t_eq "after gc nothing remains (records, mounts, cgroups, veths, cache, leases, nft elements)" "$(nr_leftovers)" ""
"$NR" run --rm true; t_eq "the network still works after all of it" $? 0
t_eq "... and leaves nothing" "$(nr_leftovers)" ""
t_done
