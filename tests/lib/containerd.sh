# containerd inside the sandbox, for tests/integration/containerd.sh and bench/ctr.sh.
# Source after tests/lib/sandbox_pid.sh (a pid namespace of the script's own): containerd, its
# shims and the containers' processes then all live in it, and nothing of them can
# outlive the script.  Never the system service: a private root, state, socket and opt
# directory under a tmpfs, CRI and the network listeners (debug, metrics) off.
#
# ctr only reads /etc/cni/net.d and /opt/cni/bin: ctrd_cni binds a directory of plugins
# and one of conflists over them, in this mount namespace only.

# ctrd_have: 0 when containerd, ctr and a runc are installed.
ctrd_have() { command -v containerd >/dev/null && command -v ctr >/dev/null && command -v runc >/dev/null; }

CTRD_DIR=/run/nr-containerd
CTRD_SOCK=$CTRD_DIR/containerd.sock
# The containerd namespace, also the cgroup parent runc makes (host-global: unique per run;
# $$ is 1 in our pid namespace).
CTRD_NS=nr-e2e-$(od -An -N4 -tx4 /dev/urandom | tr -d " ")
CTRD_PID=

# ctrd_start: start containerd in the background and wait (bounded) for its socket to
# answer.  Returns 1 (and prints its log) if it does not come up.
ctrd_start() {
	mkdir -p "$CTRD_DIR"/{root,state,opt}
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

# ctrd_stop: end every process of this pid namespace but ourselves (containerd, shims,
# leftover containers: all started by this script), by pid; remove the cgroups runc made
# for our containerd namespace; unmount what we mounted.
ctrd_stop() {
	[ -n "$CTRD_PID" ] && kill "$CTRD_PID" 2>/dev/null && wait "$CTRD_PID" 2>/dev/null
	sandbox_kill_all
	find /sys/fs/cgroup -maxdepth 3 -depth -type d -path "*/$CTRD_NS*" -exec rmdir {} + 2>/dev/null
	mountpoint -q /opt/cni/bin && umount /opt/cni/bin
	mountpoint -q /etc/cni/net.d && umount /etc/cni/net.d
	mountpoint -q /opt && umount /opt
	grep -o " ${CTRD_DIR}[^ ]*" /proc/self/mountinfo | sort -r | while read -r m; do umount -l "$m"; done
	CTRD_PID=
}
