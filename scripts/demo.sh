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

# Whatever happens, nothing outlives the demo: its containers (their processes live in this
# machine's pid namespace), the daemon, and their cgroups.
dpid=""
finish() {
	set +e
	[ -n "$dpid" ] && kill "$dpid" 2>/dev/null
	"$NR" rm -f demo-a demo-b demo-x demo-y demo-c demo-d >/dev/null 2>&1
	"$NR" lab destroy --name demo >/dev/null 2>&1
	"$NR" gc -q >/dev/null 2>&1
}
trap finish EXIT

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
# User networks (issue 17), when this build has the verbs: Docker's `network create`, two
# containers on it (one at a fixed address) reaching each other by name, and everything removed.
if "$NR" network create --help >/dev/null 2>&1; then
	say "A user network, as docker network create: its own subnet and bridge"
	run "$NR" network create --subnet 10.10.0.0/24 demo-net
	run "$NR" run -d --name demo-x --network demo-net --ip 10.10.0.10 sleep 600
	run "$NR" run -d --name demo-y --network demo-net sleep 600
	run "$NR" network ls
	say "On a user network, containers find each other by name (a DNS responder on its gateway)"
	run "$NR" exec demo-y busybox nslookup demo-x
	run "$NR" exec demo-y ping -c 2 -W 2 demo-x
	run "$NR" rm -f demo-x demo-y
	run "$NR" network rm demo-net
fi
# Images (issue 16), when this build has the verbs: a busybox image made here from Debian's
# busybox-static (nothing pulled; python3 writes the archive), loaded, run, changed, committed.
has_verbs() { for v in "$@"; do "$NR" "$v" --help >/dev/null 2>&1 || return 1; done; }
if has_verbs load commit diff images rmi && [ -x /bin/busybox ] && command -v python3 >/dev/null; then
	source "$top/tests/lib/images.sh"
	img=$(mktemp -d -p /run demo-image.XXXXXX)
	img_busybox_rootfs_tar "$img/rootfs.tar"
	img_docker_archive "$img/busybox.tar" localhost/busybox:demo '{"Cmd":["sh"],"Env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]}' "$img/rootfs.tar"
	say "Images: a busybox image built offline (a docker-archive, as docker save writes it), loaded"
	run "$NR" load -i "$img/busybox.tar"
	run "$NR" run --rm --net=none localhost/busybox:demo sh -c 'ls /; busybox | head -n 1'
	say "A container of it writes a file and deletes one; diff lists them; commit makes them a layer"
	run "$NR" run --name demo-c --net=none localhost/busybox:demo sh -c 'echo made in demo-c >/hello; rm /etc/group'
	run "$NR" diff demo-c
	run "$NR" commit -m 'hello and no /etc/group' demo-c localhost/busybox:hello
	run "$NR" rm demo-c
	run "$NR" run --rm --net=none localhost/busybox:hello sh -c 'cat /hello; test -e /etc/group || echo no /etc/group'
	run "$NR" images
	run "$NR" rmi localhost/busybox:hello localhost/busybox:demo
	rm -rf "$img"
fi
# The daemon (issue 18), when built and a docker CLI is here: the real docker CLI drives
# netns-run through the Docker Engine API on a socket of this namespace's own /run.
DOCKER=$(command -v docker || true)
if [ -x "$top/$build/bin/netns-run-daemon" ] && [ -n "$DOCKER" ] && [ -x /bin/busybox ] &&
	command -v python3 >/dev/null && command -v curl >/dev/null; then
	source "$top/tests/lib/images.sh"
	d=$(mktemp -d -p /run demo-daemon.XXXXXX)
	img_busybox_rootfs_tar "$d/rootfs.tar"
	img_docker_archive "$d/busybox.tar" busybox:demo '{"Cmd":["sh"],"Env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]}' "$d/rootfs.tar"
	# The CLI reads nothing of this machine's docker configuration or contexts.
	export DOCKER_HOST=unix://$d/docker.sock DOCKER_CONFIG=$d/docker-config
	unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH DOCKER_API_VERSION
	say "The daemon: netns-run serves the Docker Engine API, and the docker CLI drives it"
	printf '$ %s\n' "netns-run daemon -H $DOCKER_HOST &"
	"$NR" daemon -H "$DOCKER_HOST" >"$d/daemon.log" 2>&1 &
	dpid=$!
	for _ in $(seq 100); do
		curl -sf --unix-socket "$d/docker.sock" http://d/_ping >/dev/null 2>&1 && break
		kill -0 "$dpid" 2>/dev/null || break
		sleep 0.05
	done
	run "$DOCKER" version --format 'docker {{.Client.Version}} (API {{.Client.APIVersion}}) -> {{.Server.Platform.Name}} {{.Server.Version}} (API {{.Server.APIVersion}})'
	run "$DOCKER" load -i "$d/busybox.tar"
	run "$DOCKER" run --rm busybox:demo echo hello from a container the docker CLI asked for
	run "$DOCKER" run -d --name demo-d busybox:demo sleep 600
	run "$DOCKER" exec demo-d sh -c 'hostname; ip -4 addr show eth0 | grep inet'
	say "One engine, one truth on disk: netns-run's own CLI sees the daemon's container"
	run "$NR" ps
	run "$DOCKER" rm -f demo-d
	run "$DOCKER" rmi busybox:demo
	kill "$dpid"
	wait "$dpid" || true
	dpid=""
	unset DOCKER_HOST DOCKER_CONFIG
	"$NR" gc -q
	rm -rf "$d"
fi
# Network labs (issue 19), when built: two routers and a host from a containerlab-style file,
# wired point to point, one forwarding for the other; then the picture and nothing left.
if [ -x "$top/$build/bin/netns-run-lab" ]; then
	lab=$(mktemp -d -p /run demo-lab.XXXXXX)
	cat >"$lab/demo.clab.yml" <<'YAML'
name: demo
topology:
  nodes:
    h1: { exec: ["ip addr add 10.0.1.2/24 dev eth1", "ip route add default via 10.0.1.1"] }
    r1: { exec: ["ip addr add 10.0.1.1/24 dev eth1", "ip addr add 10.0.2.1/24 dev eth2", "sysctl -qw net.ipv4.ip_forward=1"] }
    h2: { exec: ["ip addr add 10.0.2.2/24 dev eth1", "ip route add default via 10.0.2.1"] }
  links:
    - endpoints: ["h1:eth1", "r1:eth1"]
    - endpoints: ["r1:eth2", "h2:eth1"]
YAML
	say "A network lab from a topology file (containerlab's format): h1 - r1 - h2"
	run cat "$lab/demo.clab.yml"
	run "$NR" lab deploy -t "$lab/demo.clab.yml"
	say "h1 reaches h2 through r1, which forwards in its own namespace"
	run "$NR" lab exec -t "$lab/demo.clab.yml" --node h1 -- ping -c 2 -W 2 10.0.2.2
	run "$NR" lab graph -t "$lab/demo.clab.yml" -o "$lab/demo.svg"
	printf 'the picture: %s bytes of SVG, %s nodes drawn\n' "$(wc -c <"$lab/demo.svg")" "$(grep -c 'class="node"' "$lab/demo.svg")"
	run "$NR" lab destroy -t "$lab/demo.clab.yml"
	rm -rf "$lab"
fi
say "Done: everything ran in a throwaway namespace; nothing is left on this machine."
