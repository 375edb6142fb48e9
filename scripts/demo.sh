#!/bin/bash
# The main job, as far as it has landed: drive our plugins exactly as a CNI runtime
# does, inside a private network + mount namespace so the machine is left untouched.
# (The bridge plugin and the netns-run runtime extend this demo as they land.)
set -eu
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
CNI_BIN=$(cd "$top/$build/cni" && pwd)
if [ -z "${NR_SANDBOXED:-}" ]; then
	export NR_SANDBOXED=1
	exec unshare --net --mount --propagation private --fork -- "$BASH" "$0" "$@"
fi
mount -t tmpfs nr-demo /run
mkdir -p /run/netns

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

say "Our plugins, in $CNI_BIN"
ls "$CNI_BIN"
say "Which CNI versions they speak"
CNI_COMMAND=VERSION "$CNI_BIN/none" </dev/null

conf='{"cniVersion":"1.1.0","name":"demo","type":"none"}'
for c in demo-a demo-b; do
	say "Container $c: a new network namespace, networked by the none plugin"
	run ip netns add "$c"
	printf '$ CNI_COMMAND=ADD CNI_NETNS=/run/netns/%s CNI_IFNAME=lo none <<< %s\n' "$c" "$conf"
	CNI_COMMAND=ADD CNI_CONTAINERID="$c" CNI_NETNS=/run/netns/$c CNI_IFNAME=lo "$CNI_BIN/none" <<<"$conf"
	run ip -n "$c" addr show lo
	run ip netns exec "$c" ping -c 1 -W 1 127.0.0.1
done

say "A mistake gets a CNI error object on stdout and a non-zero exit"
printf '$ CNI_COMMAND=ADD CNI_IFNAME=lo none <<< %s\n' "$conf"
CNI_COMMAND=ADD CNI_CONTAINERID=demo CNI_IFNAME=lo "$CNI_BIN/none" <<<"$conf" || echo "(exit status $?)"

for c in demo-a demo-b; do
	CNI_COMMAND=DEL CNI_CONTAINERID="$c" CNI_NETNS=/run/netns/$c CNI_IFNAME=lo "$CNI_BIN/none" <<<"$conf"
	ip netns del "$c"
done
say "Done: everything ran in a throwaway namespace; nothing is left on this machine."
