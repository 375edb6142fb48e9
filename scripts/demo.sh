#!/bin/bash
# The main job: two containers on the default bridge network, started by netns-run with
# no image (the host's / is their read-only lower layer), their addresses, and one
# reaching the other and the gateway.  All inside a private network + mount namespace made
# here, so nothing touches this machine's interfaces, routes, firewall or mounts, and no
# packet leaves the namespaces we made.
set -eu
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
NR=$(cd "$top/$build/bin" && pwd)/netns-run
if [ -z "${NR_SANDBOXED:-}" ]; then
	export NR_SANDBOXED=1
	exec unshare --net --mount --propagation private --fork -- "$BASH" "$0" "$@"
fi
# netns-run's state, the CNI cache and leases live on throwaway tmpfs mounts.
mount -t tmpfs nr-demo /run
mkdir -p /var/lib/cni && mount -t tmpfs nr-demo /var/lib/cni
ip link set lo up
export NETNS_RUN_STATE_DIR=/run/netns-run NETNS_RUN_CONFIG_DIR=/run/netns-run/net.d

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

say "Networks netns-run knows (none configured, so the built-in ones)"
run "$NR" network ls
say "Two containers on the default bridge network, in the background"
run "$NR" run -d --name demo-a --hostname a sleep 600
run "$NR" run -d --name demo-b --hostname b sleep 600
run "$NR" ps
a=$("$NR" inspect demo-a | jq -r '.addresses[0]')
b=$("$NR" inspect demo-b | jq -r '.addresses[0]')
gw=$("$NR" inspect demo-a | jq -r '.network_result.ips[0].gateway')
printf '\ndemo-a has %s, demo-b has %s, the gateway (bridge nr0) is %s\n' "$a" "$b" "$gw"
say "Inside demo-a: its own processes, hostname and interfaces"
run "$NR" exec demo-a sh -c 'hostname; ps -o pid,comm; ip -br addr'
say "demo-a reaches demo-b and the gateway"
run "$NR" exec demo-a ping -c 2 -W 2 "${b%/*}"
run "$NR" exec demo-a ping -c 2 -W 2 "$gw"
say "A third container joins demo-a's network (--net=container:demo-a)"
run "$NR" run --rm --net=container:demo-a ip -br addr show eth0
say "Confined as Docker's defaults: seccomp filter (mode 2), 14 capabilities, the host's secrets masked"
run "$NR" exec demo-a sh -c 'grep -E "^(Seccomp|CapEff):" /proc/self/status; wc -c </etc/shadow; unshare -Ur true || echo "unshare refused"'
say "A mistake is a clear message and exit status 125"
run "$NR" run --net=container:nosuch true || echo "(exit status $?)"
say "Stopping both: their veths, leases, masquerade entries and cgroups go with them"
run "$NR" stop -t 1 demo-a demo-b
run "$NR" rm demo-a demo-b
run ip -br link
# Our cgroup parents stay between containers, as docker's do; gc removes the unused ones.
"$NR" gc -q
say "Done: everything ran in a throwaway namespace; nothing is left on this machine."
