# Shared setup of the netns-run runtime tests; source after sandbox.sh and t.sh.
# Everything netns-run keeps goes to the sandbox's private tmpfs (/run, /var/lib/cni);
# only cgroups are host-global, so every container name starts with a prefix unique to
# this run ($P) and nr_leftovers checks that none of them remain.
NR="$NR_BUILD/bin/netns-run"
export NETNS_RUN_STATE_DIR=/run/netns-run
export NETNS_RUN_CONFIG_DIR=/run/netns-run-net.d
export NETNS_RUN_CNI_CACHE_DIR=/var/lib/cni/results
mkdir -p "$NETNS_RUN_CONFIG_DIR"
# Not $$ alone: in a pid namespace of its own (sandbox_pid.sh) every test is pid 1, and two
# runs at once would share names, hence cgroups.
P="t$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"

# Detached containers outlive this script (their netns-run is not our child): end them
# whatever happens, so a failing test leaves no cgroups behind either.
nr_cleanup() {
	local d
	for d in "$NETNS_RUN_STATE_DIR"/containers/*; do
		[ -e "$d" ] && "$NR" rm -f "$(basename "$d")" >/dev/null 2>&1
	done
	# The cgroup parents of ours that no container uses any more (host-global).
	"$NR" gc -q >/dev/null 2>&1
}
trap nr_cleanup EXIT

# state FIELD-FILTER NAME: a jq filter over the container's record
state() { jq -r "$1" "$NETNS_RUN_STATE_DIR/containers/$2/state.json" 2>/dev/null; }

# Our cgroup directories for containers of this run, anywhere in any hierarchy.
nr_cgroups() {
	find /sys/fs/cgroup -maxdepth 7 -type d -path "*/netns-run/$P*" 2>/dev/null
}

# What a container leaves behind: records, netns mounts, cgroups, veths, cache entries,
# leases, masquerade elements.  Prints one line per thing found; empty means clean.
nr_leftovers() {
	ls "$NETNS_RUN_STATE_DIR/containers" 2>/dev/null | sed 's/^/record: /'
	grep "$NETNS_RUN_STATE_DIR" /proc/self/mountinfo | sed 's/^/mount: /'
	nr_cgroups | sed 's/^/cgroup: /'
	ip -o link show type veth 2>/dev/null | awk '{print "veth: " $2}'
	ls /var/lib/cni/results 2>/dev/null | sed 's/^/cache: /'
	find /var/lib/cni/networks -type f ! -name lock ! -name 'last_reserved_ip*' ! -path '*/.nr-index/*' 2>/dev/null | sed 's/^/lease: /'
	nft -j list set inet netns-run ctr4 2>/dev/null | jq -r '.nftables[1].set.elem[]? | "nft: \(.)"'
}
