# Like tests/lib/sandbox.sh, plus a pid namespace of the script's own (with its /proc):
# for tests that start daemons (containerd and its shims, podman's conmon): everything
# they start lives in it, sandbox_procs lists it and sandbox_kill_all ends it by pid, and
# nothing can outlive the script.  /run, /run/netns and /var/lib/cni are private tmpfs.
if [ -z "${NR_SANDBOXED:-}" ]; then
	export NR_SANDBOXED=1
	exec unshare --net --mount --pid --fork --mount-proc --propagation private -- "$BASH" "$0" "$@"
fi
mount -t tmpfs -o mode=0755 nr-test /run || { echo "sandbox: cannot mount /run" >&2; exit 1; }
mkdir -p /run/netns /var/lib/cni
mount -t tmpfs nr-test /var/lib/cni
ip link set lo up

# sandbox_procs: the pids of this pid namespace other than the script's shell and the
# caller's subshell (builtins only: no child of ours to count).
sandbox_procs() {
	local p
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[ "$p" != $$ ] && [ "$p" != "$BASHPID" ] && echo "$p"
	done
}

# sandbox_kill_all: SIGKILL every process sandbox_procs lists (all started by the script).
sandbox_kill_all() {
	local pids
	pids=$(sandbox_procs)
	# shellcheck disable=SC2086
	[ -z "$pids" ] || kill -9 $pids 2>/dev/null
}
