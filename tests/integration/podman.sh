#!/bin/bash
# podman 4.3 (Debian, CNI backend) with its default conflist (87-podman-bridge.conflist
# from the podman package: bridge, portmap, firewall, tuning) and ONLY our plugin
# directory (containers.conf cni_plugin_dirs), all inside the test's own network, mount
# and pid namespaces: private containers.conf, storage, run and CNI state under tmpfs.
# Checks: a container gets the network's address, a published port answers on a host
# address, two containers talk, a host whose forward policy drops still forwards the
# containers' traffic (the firewall plugin; a conflist without it is the control),
# tuning's sysctls are visible inside, `netns-run --net=podman` joins the same network,
# and nothing is left (veths, leases, cache entries, masquerade elements, processes).
# Parts whose plugin is not in build/cni yet are skipped, saying which.
source "$(dirname "$0")/../lib/sandbox_pid.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/busybox_image.sh"
source "$(dirname "$0")/../lib/runtime.sh"

D=/run/nr-podman
IMG=docker.io/library/nr-busybox:e2e
# The default conflist as the package installs it (and its copy among the examples).
DEFAULT=""
for f in /etc/cni/net.d/87-podman-bridge.conflist /usr/share/doc/podman/examples/cni/net.d/87-podman-bridge.conflist; do
	[ -r "$f" ] && DEFAULT=$f && break
done
if ! command -v podman >/dev/null || ! command -v runc >/dev/null || ! command -v conmon >/dev/null ||
	[ -z "$DEFAULT" ]; then
	t_skip "podman end to end" "podman, runc, conmon or 87-podman-bridge.conflist missing (make deps: TEST_DEBS)"
	t_done
	exit
fi
# Host-global: the cgroups podman's cgroupfs manager makes (--cgroup-parent), unique per run.
CGP=nr-e2e-$(od -An -N4 -tx4 /dev/urandom | tr -d " ")

cleanup() {
	podman rm -a -f -t 0 >/dev/null 2>&1
	nr_cleanup
	sandbox_kill_all
	find /sys/fs/cgroup -maxdepth 4 -depth -type d -path "*/$CGP*" -exec rmdir {} + 2>/dev/null
}
trap cleanup EXIT

# What podman writes outside its configured directories (the blob-info cache, the
# short-name alias lock, temporary copies) goes to tmpfs mounts of this mount namespace:
# over the directory, or over its parent when the machine has none (then /var/lib/cni,
# a mount under /var/lib, is made again).
private_dir() {
	if [ -d "$1" ]; then mount -t tmpfs -o mode=0700 nr-test "$1"; else mount -t tmpfs -o mode=0755 nr-test "$(dirname "$1")"; fi
}
private_dir /var/lib/containers
private_dir /var/cache/containers
private_dir /var/tmp
if ! mountpoint -q /var/lib/cni; then mkdir -p /var/lib/cni && mount -t tmpfs nr-test /var/lib/cni; fi
mkdir -p "$D"/{net.d,tmp}
cat >"$D/containers.conf" <<EOF
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$D/events.log"
tmp_dir = "$D/tmp"
image_copy_tmp_dir = "$D/tmp"
# crun refuses cgroup v1 + v2 hybrids; runc takes them.
runtime = "runc"

[network]
network_backend = "cni"
cni_plugin_dirs = ["$CNI_BIN"]
network_config_dir = "$D/net.d"
default_network = "podman"
EOF
cat >"$D/storage.conf" <<EOF
[storage]
driver = "vfs"
runroot = "$D/runroot"
graphroot = "$D/graphroot"
EOF
export CONTAINERS_CONF=$D/containers.conf CONTAINERS_STORAGE_CONF=$D/storage.conf
prun() { podman run --cgroup-parent "/$CGP" "$@"; }

# The default conflist, as shipped when every plugin it names is ours; else without the
# ones we do not have yet (so that the rest is still checked), and the as-shipped check skips.
missing=""
for p in $(jq -r '.plugins[].type' "$DEFAULT"); do
	[ -x "$CNI_BIN/$p" ] || missing="$missing $p"
done
have() { [ -x "$CNI_BIN/$1" ]; }
if [ -z "$missing" ]; then
	cp "$DEFAULT" "$D/net.d/"
	t_ok "podman's default conflist, as shipped, with only our plugins ($(jq -r '[.plugins[].type]|join(", ")' "$DEFAULT"))"
else
	jq --arg m "$missing" '.plugins |= map(select(.type as $t | ($m | split(" ") | index($t)) | not))' \
		"$DEFAULT" >"$D/net.d/$(basename "$DEFAULT")"
	t_skip "podman's default conflist, as shipped" "not in build/cni yet:$missing (checked below without them)"
fi
SUBNET=$(jq -r '.plugins[0].ipam.ranges[0][0].subnet' "$DEFAULT")
GW=$(jq -r '.plugins[0].ipam.ranges[0][0].gateway' "$DEFAULT")
PREFIX=${SUBNET%.0.0/16}

# What the networks leave behind: veths, leases, libcni cache entries, our masquerade
# elements and firewall set elements, podman containers.
leftovers() {
	ip -o link show type veth 2>/dev/null | grep -Ev '^[0-9]+: (up0|up1|out0)@' | awk '{print "veth: " $2}'
	find /var/lib/cni/networks -type f ! -name lock ! -name 'last_reserved_ip*' ! -path '*/.nr-index/*' \
		2>/dev/null | sed 's/^/lease: /'
	find /var/lib/cni/results -type f 2>/dev/null | sed 's/^/cache: /'
	nft -j list set inet netns-run ctr4 2>/dev/null | jq -r '.nftables[1].set.elem[]? | "nft: \(.)"'
	nft -j list set inet netns-run-firewall ctr4 2>/dev/null | jq -r '.nftables[1].set.elem[]? | "firewall: \(.)"'
	podman ps -a -q 2>/dev/null | sed 's/^/podman: /'
}
# get HOST [PORT]: the first line an HTTP GET of / answers with, 3 s at most (python3: the
# static busybox's wget crashes in its resolver on the host).
GET='import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
s.sendall(b"GET / HTTP/1.0\r\n\r\n")
r = b""
while (d := s.recv(4096)): r += d
print(r.split(b"\r\n\r\n", 1)[1].decode().strip())'
get() { python3 -c "$GET" "$1" "${2:-80}" 2>&1; }

# A host address to reach published ports on, and "outside": a namespace behind the host
# (198.51.100.0/24), reached only through the host's forwarding.
ip link add up0 type veth peer name up1 && ip addr add 192.0.2.1/24 dev up0 && ip link set up0 up &&
	ip link set up1 up
ip netns add nr-outside
ip link add out0 type veth peer name out1 netns nr-outside
ip addr add 198.51.100.1/24 dev out0 && ip link set out0 up
ip -n nr-outside addr add 198.51.100.2/24 dev out1 && ip -n nr-outside link set out1 up && ip -n nr-outside link set lo up

if busybox_image "$D/busybox.tar" "$IMG"; then
	t_check "the offline busybox image loads" podman load -q -i "$D/busybox.tar"
else
	t_skip "podman end to end" "no static /bin/busybox (busybox-static)"
	t_done
	exit
fi

# 1. A container on the default network.
out=$(prun --rm "$IMG" sh -c 'ip -4 -o addr show eth0; ip route' 2>&1)
t_eq "podman run --rm on the default network exits 0" "$?" 0
t_check "... eth0 has an address of $SUBNET" grep -Eq "inet $PREFIX\.[0-9]+\.[0-9]+/16" <<<"$out"
t_check "... and the default route via $GW" grep -q "default via $GW dev eth0" <<<"$out"
t_eq "... nothing left after it" "$(leftovers)" ""

# 2. A published port, and two containers talking.
prun -d --name web -p 8080:80 "$IMG" sh -c \
	'mkdir /www && echo hello-from-podman >/www/index.html && exec httpd -f -p 80 -h /www' >/dev/null
t_eq "podman run -d -p 8080:80 (busybox httpd)" "$?" 0
web=$(podman inspect -f '{{.NetworkSettings.IPAddress}}' web 2>/dev/null)
for ((i = 0; i < 100; i++)); do [ "$(get "$web")" = hello-from-podman ] && break; sleep 0.05; done
t_eq "... the host reaches it at its address ($web)" "$(get "$web")" hello-from-podman
t_eq "... and through the published port on a host address" "$(get 192.0.2.1 8080)" hello-from-podman
# (busybox nc: the static busybox's wget crashes in its resolver, even on an address)
out=$(prun --rm "$IMG" sh -c "printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 3 $web 80" 2>&1)
t_eq "another container fetches from it" "$(tail -n 1 <<<"$out")" hello-from-podman

# 3. netns-run on the same network (the conflist named podman in its config directory).
export NETNS_RUN_CONFIG_DIR=$D/net.d NETNS_RUN_CNI_PATH=$CNI_BIN
out=$("$NR" run --rm --net=podman -- sh -c "ip -4 -o addr show eth0; python3 -c '$GET' $web 80" 2>&1)
t_eq "netns-run --net=podman exits 0" "$?" 0
t_check "... its eth0 is on $SUBNET" grep -Eq "inet $PREFIX\.[0-9]+\.[0-9]+/16" <<<"$out"
t_check "... and it fetches from the podman container" grep -q hello-from-podman <<<"$out"

# 4. A host whose forward policy drops (as Docker leaves it: iptables -P FORWARD DROP).
# The firewall plugin of podman's conflist must let the containers' traffic through; a
# conflist without it is the control.  Set before the containers: ADD sees the policy.
jq '.name = "nr-nofw" | .plugins = [.plugins[] | select(.type == "bridge" or .type == "portmap")]
    | .plugins[0].bridge = "cni-nrnofw0" | .plugins[0].ipam.ranges = [[{"subnet": "10.89.0.0/24"}]]' \
	"$DEFAULT" >"$D/net.d/90-nr-nofw.conflist"
if have firewall; then
	iptables -P FORWARD DROP
	t_check "drop forward policy: a container on the default network reaches outside (forwarded)" \
		prun --rm "$IMG" ping -c 1 -W 3 198.51.100.2
	out=$(prun --rm --network nr-nofw "$IMG" ping -c 1 -W 2 198.51.100.2 2>&1)
	t_eq "... control: without the firewall plugin it does not" "$?" 1
	iptables -P FORWARD ACCEPT
else
	t_skip "drop forward policy: the default network still forwards" "no build/cni/firewall yet"
fi

# 5. tuning's sysctls, visible inside.
jq --arg m "$missing" '.name = "nr-tuned" | .plugins |= map(select(.type as $t | $t == "tuning" or ($m | split(" ") | index($t) | not)))
    | .plugins[0].bridge = "cni-nrtuned0" | .plugins[0].ipam.ranges = [[{"subnet": "10.90.0.0/24"}]]
    | .plugins = [.plugins[] | if .type == "tuning"
                  then .sysctl = {"net.core.somaxconn": "1111", "net.ipv4.conf.eth0.arp_notify": "1"} else . end]' \
	"$DEFAULT" >"$D/net.d/91-nr-tuned.conflist"
if have tuning; then
	out=$(prun --rm --network nr-tuned "$IMG" cat /proc/sys/net/core/somaxconn /proc/sys/net/ipv4/conf/eth0/arp_notify 2>&1)
	t_eq "tuning: the conflist's sysctls are set in the container's namespace" "$(tr "\n" " " <<<"$out" | sed "s/ *$//")" "1111 1"
else
	t_skip "tuning: the conflist's sysctls are set in the container's namespace" "no build/cni/tuning yet"
fi

# 6. Everything goes.
podman rm -f -t 0 web >/dev/null 2>&1
t_eq "podman rm -f: nothing left (veths, leases, cache, masquerade and firewall elements)" "$(leftovers)" ""
t_eq "... no netns-run container left" "$(nr_leftovers | grep -Ev "^veth: (up0|up1|out0)@")" ""
ip netns del nr-outside
cleanup
trap - EXIT
t_eq "podman's conmon and the containers are gone" "$(sandbox_procs)" ""
t_eq "no cgroup of ours left" "$(find /sys/fs/cgroup -maxdepth 4 -type d -path "*/$CGP*" 2>/dev/null)" ""
t_done
