# containerd inside the sandbox, for tests/integration/containerd.sh and bench/ctr.sh.
# Source after a sandbox that has its own pid namespace (ctrd_sandbox): containerd, its
# shims and the containers' processes then all live in it, and nothing of them can
# outlive the script.  Never the system service: a private root, state, socket and opt
# directory under a tmpfs, CRI and the network listeners (debug, metrics) off.
#
# ctr only reads /etc/cni/net.d and /opt/cni/bin: ctrd_cni binds a directory of plugins
# and one of conflists over them, in this mount namespace only.

# ctrd_sandbox "$@": re-execute the calling script in private network, mount and pid
# namespaces (with its own /proc), like tests/lib/sandbox.sh plus --pid.
ctrd_sandbox() {
	if [ -z "${NR_SANDBOXED:-}" ]; then
		export NR_SANDBOXED=1
		exec unshare --net --mount --pid --fork --mount-proc --propagation private -- "$BASH" "$0" "$@"
	fi
	mount -t tmpfs -o mode=0755 nr-test /run || { echo "sandbox: cannot mount /run" >&2; exit 1; }
	mkdir -p /run/netns /var/lib/cni
	mount -t tmpfs nr-test /var/lib/cni
	ip link set lo up
}

# ctrd_have: 0 when containerd, ctr and a runc are installed.
ctrd_have() { command -v containerd >/dev/null && command -v ctr >/dev/null && command -v runc >/dev/null; }

CTRD_DIR=/run/nr-containerd
CTRD_SOCK=$CTRD_DIR/containerd.sock
CTRD_NS=nr-e2e-$$ # the containerd namespace; also the cgroup parent runc makes
CTRD_PID=

# ctrd_start: start containerd in the background and wait (bounded) for its socket to
# answer.  Returns 1 (and prints its log) if it does not come up.
ctrd_start() {
	mkdir -p "$CTRD_DIR"/{root,state,opt,cni-bin,cni-conf}
	cat >"$CTRD_DIR/config.toml" <<-EOF
		version = 2
		root = "$CTRD_DIR/root"
		state = "$CTRD_DIR/state"
		disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs",
		  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
		  "io.containerd.snapshotter.v1.aufs", "io.containerd.tracing.processor.v1.otlp"]
		[grpc]
		  address = "$CTRD_SOCK"
		[ttrpc]
		  address = "$CTRD_DIR/containerd.sock.ttrpc"
		[debug]
		  address = ""
		[metrics]
		  address = ""
		[plugins."io.containerd.internal.v1.opt"]
		  path = "$CTRD_DIR/opt"
	EOF
	containerd --config "$CTRD_DIR/config.toml" >"$CTRD_DIR/log" 2>&1 &
	CTRD_PID=$!
	local i
	for ((i = 0; i < 200; i++)); do
		[ -S "$CTRD_SOCK" ] && ctr -a "$CTRD_SOCK" version >/dev/null 2>&1 && return 0
		kill -0 "$CTRD_PID" 2>/dev/null || break
		sleep 0.05
	done
	cat "$CTRD_DIR/log" >&2
	return 1
}

# c ARGS...: ctr against our containerd, in our namespace.
c() { ctr -a "$CTRD_SOCK" -n "$CTRD_NS" "$@"; }

# ctrd_cni PLUGIN_DIR CONF_DIR: what `ctr run --cni` finds in /opt/cni/bin and
# /etc/cni/net.d from now on (bind mounts in this mount namespace; rebinding replaces).
ctrd_cni() {
	mountpoint -q /opt/cni/bin && umount /opt/cni/bin
	mountpoint -q /etc/cni/net.d && umount /etc/cni/net.d
	if [ ! -d /opt/cni/bin ]; then
		# No /opt/cni on this machine: a tmpfs over /opt (private to us) to make one in.
		mountpoint -q /opt || mount -t tmpfs -o mode=0755 nr-opt /opt
		mkdir -p /opt/cni/bin
	fi
	if [ ! -d /etc/cni/net.d ]; then
		echo "ctrd_cni: no /etc/cni/net.d to bind over" >&2
		return 1
	fi
	mount --bind "$1" /opt/cni/bin && mount --bind "$2" /etc/cni/net.d
}

# ctrd_procs: the pids of this pid namespace other than the script's own shell and the
# caller's subshell (builtins only: no child of ours to count).
ctrd_procs() {
	local p
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[ "$p" != $$ ] && [ "$p" != "$BASHPID" ] && echo "$p"
	done
}

# ctrd_stop: end every process of this pid namespace but ourselves (containerd, shims,
# leftover containers: all started by this script), by pid; remove the cgroups runc made
# for our containerd namespace; unmount what we mounted.
ctrd_stop() {
	local pids
	[ -n "$CTRD_PID" ] && kill "$CTRD_PID" 2>/dev/null && wait "$CTRD_PID" 2>/dev/null
	pids=$(ctrd_procs)
	# shellcheck disable=SC2086
	[ -n "$pids" ] && kill -9 $pids 2>/dev/null
	find /sys/fs/cgroup -maxdepth 3 -depth -type d -path "*/$CTRD_NS*" -exec rmdir {} + 2>/dev/null
	mountpoint -q /opt/cni/bin && umount /opt/cni/bin
	mountpoint -q /etc/cni/net.d && umount /etc/cni/net.d
	mountpoint -q /opt && umount /opt
	grep -o " $CTRD_DIR[^ ]*" /proc/self/mountinfo | sort -r | while read -r m; do umount -l "$m"; done
	CTRD_PID=
}
