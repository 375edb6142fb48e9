#!/bin/bash
# Where our bridge ADD spends its time: N steady-state ADDs (bridge present, ipMasq on, IPv4,
# the bench/bridge.sh config) of build/cni/bridge + host-local under `perf record -g`, inside
# a private network + mount namespace; then the CPU split by process and library, the kernel
# paths that matter, and where the plugin sleeps (sched_switch with the kernel stack).
# Usage: bench/profile.sh BUILD_DIR [N] [OUT_DIR]   (needs perf; OUT_DIR keeps perf.data files)
set -eu
build=${1:-build}
N=${2:-100}
out=${3:-}
top=$(cd "$(dirname "$0")/.." && pwd)
OURS=$(cd "$top/$build/cni" && pwd)
TIMER=$top/$build/bench/cni-time
if [ -z "${NR_SANDBOXED:-}" ]; then
	export NR_SANDBOXED=1
	exec unshare --net --mount --propagation private --fork -- "$BASH" "$0" "$@"
fi
command -v perf >/dev/null || { echo "profile: perf is not installed" >&2; exit 1; }
mount -t tmpfs -o mode=0755 nr-bench /run
mkdir -p /run/netns /var/lib/cni
mount -t tmpfs nr-bench /var/lib/cni
ip link set lo up
work=$(mktemp -d -p /run prof.XXXXXX)
[ -n "$out" ] && mkdir -p "$out" && work=$out

jq -nc '{cniVersion:"1.0.0", name:"bench", type:"bridge", bridge:"nrbench0", isGateway:true, ipMasq:true,
	 hairpinMode:true, ipam:{type:"host-local", routes:[{dst:"0.0.0.0/0"}],
	 ranges:[[{subnet:"198.18.0.0/16", gateway:"198.18.0.1"}]]}}' >"$work/conf.json"
for ((i = 0; i < N; i++)); do ip netns add "bench-$i" && ip netns add "sched-$i"; done
ip netns add first
export CNI_IFNAME=eth0 CNI_PATH=$OURS
# The first ADD makes the bridge and the nft table; the profile is of the steady state.
CNI_COMMAND=ADD CNI_CONTAINERID=first CNI_NETNS=/run/netns/first "$OURS/bridge" \
	<"$work/conf.json" >/dev/null

perf record -q -F 5000 -g -o "$work/cpu.data" -- \
	"$TIMER" ADD "$N" /run/netns/bench- "$OURS/bridge" "$work/conf.json" >"$work/cpu.runs"
# Sleeps: every switch away from a plugin process, with the kernel stack that blocked.  These
# ADDs use their own namespaces and container ids (cni-time numbers from 0 again).
CNI_IFNAME=eth1 perf record -q -e sched:sched_switch -g -o "$work/sched.data" -- \
	"$TIMER" ADD "$N" /run/netns/sched- "$OURS/bridge" "$work/conf.json" >"$work/sched.runs"

echo "CPU by process and library (perf samples, $N ADDs; perf itself inflates CPU ~2x):"
perf report -i "$work/cpu.data" --no-children --sort comm,dso -g none -q 2>/dev/null | head -14
echo
echo "Kernel paths (inclusive share of all samples):"
perf report -i "$work/cpu.data" --children --sort sym -g none -q 2>/dev/null |
	grep -E '\[k\] (rtnl_newlink|veth_newlink|register_netdevice|do_set_master|br_add_if|rtnl_getlink|netlink_dump|addrconf_notify|netif_change_flags|nfnetlink_rcv|inet_rtm_newaddr|inet_rtm_newroute|bprm_execve|asm_exc_page_fault|do_sys_openat2|__do_sys_clone3?|do_exit)$' |
	head -20
echo
echo "glibc start-up (cpuid-based cache detection traps to the hypervisor in a VM):"
perf report -i "$work/cpu.data" --no-children --sort sym -g none -q 2>/dev/null |
	grep -E 'intel_check_word|handle_intel|init_cpu_features|get_common_cache_info|update_active|_dl_relocate_object|_dl_lookup_symbol_x|_dl_fixup|do_lookup_x' | head -10
echo
echo "Where a plugin process blocks (kernel function under schedule(), count of switches):"
perf script -i "$work/sched.data" -F comm,event,trace,ip,sym 2>/dev/null | awk '
	/sched_switch/ { keep = ($0 ~ /prev_comm=(bridge|host-local) / && $0 !~ /prev_state=R/); next }
	keep && NF >= 2 && $2 !~ /^(__schedule|schedule|schedule_timeout|schedule_hrtimeout_range_clock|wait_for_completion|poll_schedule_timeout|io_schedule|__wait_for_common|schedule_preempt_disabled|__mutex_lock|mutex_lock|rwsem_down_write_slowpath|down_write)/ {
		print $2; keep = 0 }' |
	sort | uniq -c | sort -rn | head -10
echo
echo "median ADD under perf: $(sort -n "$work/cpu.runs" | awk '{ w[NR] = $1 } END { printf "%.2f ms", w[int((NR + 1) / 2)] / 1000 }')"
[ -n "$out" ] && echo "perf data kept in $out (perf report -i $out/cpu.data)"
true
