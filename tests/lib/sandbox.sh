# Source this first in every integration test that touches links, namespaces, firewall
# rules or mounts.  It re-executes the script inside a private network + mount namespace
# of its own, so nothing it does reaches the machine's interfaces, routes, ruleset or
# mount table, and everything it made disappears with it.
#   /run/netns, /var/lib/cni and /run/netns-run are private tmpfs mounts inside it.
if [ -z "${NR_SANDBOXED:-}" ]; then
	export NR_SANDBOXED=1
	exec unshare --net --mount --propagation private --fork -- "$BASH" "$0" "$@"
fi
mount -t tmpfs -o mode=0755 nr-test /run 2>/dev/null || { echo "sandbox: cannot mount /run" >&2; exit 1; }
mkdir -p /run/netns /var/lib/cni
mount -t tmpfs nr-test /var/lib/cni
ip link set lo up
