# Several "hosts" for the multi-host overlay tests and bench (issue 20), inside the
# sandbox's own namespaces (source after sandbox_pid.sh and t.sh: in the script's own pid
# namespace nothing it started, etcd, agents, holders, can outlive it, whatever kills it).
#
#   fabric   the sandbox's own network namespace: the underlay bridge mh-br, 192.0.2.1/24,
#            and one port v-HOST per host.  The test itself runs here, so it reaches every
#            host and etcd member on the underlay, and its nft rules (bridge family, table
#            mh_part) cut hosts off.
#   HOST     (h1, h2, ...) a holder process in a network + mount + uts namespace of its
#            own: hostname mh-HOST, eth0 = 192.0.2.(10+N)/24 on the fabric, its own tmpfs
#            on /run (so /run/netns-run, the lock files' directory, and /run/netns are its
#            own) and on /var/lib/cni (host-local's leases, the CNI cache), its own state and
#            config directories under $MH_W/HOST (kept on /tmp, so a restarted agent finds
#            its files).  on HOST CMD runs CMD there with that environment.
#   etcd     member mN of a cluster of the hosts given to mh_etcd_start, listening on
#            its host's underlay address (client 2379, peer 2380), data in $MH_W/HOST/etcd,
#            started in the host's network namespace and killed by pid.
#
# mh_cleanup kills everything by pid (containers' cgroups, agents, members, holders),
# and removes the fabric and $MH_W: no netns, no process, no mount is left.
MH_W=$(mktemp -d /tmp/nr-mh.XXXXXX)
# A test stopped by a signal still cleans up (its EXIT trap runs).
trap 'exit 143' TERM
trap 'exit 130' INT
MH_ETCD_BIN=${MH_ETCD_BIN:-/usr/bin/etcd}
MH_NR="$NR_BUILD/bin/netns-run"
MH_OVERLAY="$NR_BUILD/bin/netns-run-overlay"
MH_ETCD_TOOL="$NR_BUILD/tests/tools/etcd_tool"
# A prefix unique to this run for what is host-global (cgroups of containers).
MH_P=${P:-m$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')}
declare -A MH_HOLDER MH_ETCD MH_IP
MH_MEMBERS=() # hosts with an etcd member, in cluster order

ip link add mh-br type bridge
ip addr add 192.0.2.1/24 dev mh-br
ip link set mh-br up

mh_ip() { echo "192.0.2.$((10 + ${1#h}))"; }

# mh_host_up HOST: the namespaces, the mounts, the underlay port.  HOST is hN.
mh_host_up() {
	local h=$1 d=$MH_W/$1 ip
	ip=$(mh_ip "$h")
	mkdir -p "$d/state" "$d/config"
	rm -f "$d/ready"
	# unshare execs bash in the new namespaces (no --fork: no pid namespace), so $! is the
	# holder itself.  /run and /var/lib/cni become this host's own tmpfs.
	unshare --net --mount --uts --propagation private -- bash -c "
		hostname mh-$h
		mount -t tmpfs -o mode=0755 mh-$h /run && mkdir -p /run/netns /run/netns-run &&
		mount -t tmpfs mh-$h /var/lib/cni && ip link set lo up && echo ok >'$d/ready'
		exec sleep infinity" </dev/null >/dev/null 2>"$d/holder.err" &
	MH_HOLDER[$h]=$!
	MH_IP[$h]=$ip
	await 5 test -s "$d/ready" || { echo "multihost: host $h did not come up: $(cat "$d/holder.err")" >&2; return 1; }
	ip link add "v-$h" type veth peer name eth0 netns "${MH_HOLDER[$h]}" || return 1
	ip link set "v-$h" master mh-br up
	on "$h" ip addr add "$ip/24" dev eth0
	on "$h" ip link set eth0 up
	await 5 ping -c 1 -W 1 "$ip"
}

# on HOST CMD...: CMD in HOST's namespaces with its state and config directories.
on() {
	local h=$1 d=$MH_W/$1
	shift
	nsenter -t "${MH_HOLDER[$h]}" -n -m -u -- env NETNS_RUN_STATE_DIR="$d/state" NETNS_RUN_CONFIG_DIR="$d/config" \
		NETNS_RUN_CNI_CACHE_DIR=/var/lib/cni/results "$@"
}

# mh_host_pids HOST: every process of the host: in its network or mount namespace, or in
# one of its containers' cgroups (a container has namespaces of its own).
mh_host_pids() {
	local h=$1 hp=${MH_HOLDER[$1]} p net mnt cg
	[ -n "$hp" ] || return 0
	net=$(readlink "/proc/$hp/ns/net") mnt=$(readlink "/proc/$hp/ns/mnt")
	[ -n "$net" ] || return 0
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[ "$(readlink "/proc/$p/ns/net" 2>/dev/null)" = "$net" ] || [ "$(readlink "/proc/$p/ns/mnt" 2>/dev/null)" = "$mnt" ] &&
			echo "$p"
	done
	for cg in $(mh_cgroups "$h"); do cat "$cg/cgroup.procs" 2>/dev/null; done
}
# Containers are named $MH_P-HOST-…; their cgroups are host-global.
mh_cgroups() { find /sys/fs/cgroup -maxdepth 7 -type d -path "*/netns-run/$MH_P-$1-*" 2>/dev/null; }
# mh_cgroups_rm HOST: its containers' cgroups removed, once the killed processes have left
# them (a SIGKILLed task stays in cgroup.procs until it is reaped).
mh_cgroups_rm() {
	local cg
	for cg in $(mh_cgroups "$1" | sort -r); do
		await 3 sh -c "! test -s '$cg/cgroup.procs'"
		rmdir "$cg" 2>/dev/null
	done
}

# mh_host_kill HOST: the host dies: every process of it SIGKILLed at once (no leave, no
# stop), its etcd member with it; its state directory stays (a disk survives a crash).
mh_host_kill() {
	local h=$1 pids
	pids=$(mh_host_pids "$h" | sort -u)
	[ -n "$pids" ] && kill -9 $pids 2>/dev/null
	await 5 sh -c "! kill -0 ${MH_HOLDER[$h]} 2>/dev/null"
	wait "${MH_HOLDER[$h]}" 2>/dev/null
	[ -n "${MH_ETCD[$h]:-}" ] && { wait "${MH_ETCD[$h]}" 2>/dev/null; unset "MH_ETCD[$h]"; }
	unset "MH_HOLDER[$h]"
	mh_cgroups_rm "$h"
	ip link del "v-$h" 2>/dev/null
	return 0
} 2>/dev/null

# ---- etcd -------------------------------------------------------------------------------
# mh_etcd_start HOST...: one member per host (those hosts make the cluster); waits for all
# to be healthy.  MH_STORE is the store URL listing them.
mh_etcd_start() {
	local h cluster="" store=""
	MH_MEMBERS=("$@")
	for h in "$@"; do
		cluster="$cluster${cluster:+,}m${h#h}=http://$(mh_ip "$h"):2380"
		store="$store${store:+,}$(mh_ip "$h"):2379"
	done
	MH_CLUSTER=$cluster
	MH_STORE="etcd://$store"
	for h in "$@"; do mh_member_start "$h"; done
	for h in "$@"; do await 15 mh_member_healthy "$h" || { echo "multihost: member of $h not healthy: $(tail -n 3 "$MH_W/$h/etcd.log")" >&2; return 1; }; done
}
# mh_member_start HOST: (re)start HOST's member, on its data directory (a restarted member
# ignores the initial-cluster flags and takes up its own data).  Fast elections (50 ms
# heartbeats, 500 ms election timeout) keep the failover steps short.
mh_member_start() {
	local h=$1 ip
	ip=$(mh_ip "$h")
	nsenter -t "${MH_HOLDER[$h]}" -n -- "$MH_ETCD_BIN" --name "m${h#h}" --data-dir "$MH_W/$h/etcd" \
		--listen-client-urls "http://$ip:2379" --advertise-client-urls "http://$ip:2379" \
		--listen-peer-urls "http://$ip:2380" --initial-advertise-peer-urls "http://$ip:2380" \
		--initial-cluster "$MH_CLUSTER" --initial-cluster-state new --initial-cluster-token "nr-mh-$MH_P" \
		--heartbeat-interval 50 --election-timeout 500 --logger zap --log-outputs "$MH_W/$h/etcd.log" \
		</dev/null >/dev/null 2>&1 &
	MH_ETCD[$h]=$! # nsenter execs etcd (no pid namespace): this is etcd's pid
}
mh_member_kill() {
	[ -n "${MH_ETCD[$1]:-}" ] || return 0
	kill -9 "${MH_ETCD[$1]}"
	wait "${MH_ETCD[$1]}"
	unset "MH_ETCD[$1]"
} 2>/dev/null
mh_member_healthy() { [ "$(curl -s --max-time 1 "http://$(mh_ip "$1"):2379/health" | jq -r .health 2>/dev/null)" = true ]; }
mh_cluster_healthy() { local h; for h in "${MH_MEMBERS[@]}"; do mh_member_healthy "$h" || return 1; done; }
# mh_leader: the host whose member leads (by /v3/maintenance/status), or nothing.
mh_leader() {
	local h st
	for h in "${MH_MEMBERS[@]}"; do
		[ -n "${MH_ETCD[$h]:-}" ] || continue
		st=$(curl -s --max-time 1 -X POST "http://$(mh_ip "$h"):2379/v3/maintenance/status" -d '{}') || continue
		[ -n "$st" ] && [ "$(jq -r .header.member_id <<<"$st")" = "$(jq -r .leader <<<"$st")" ] && echo "$h" && return
	done
}
# etcd ARGS...: etcd_tool on the whole cluster, from the fabric.
etcd() { "$MH_ETCD_TOOL" --timeout-ms 2000 "$MH_STORE" "$@"; }
# etcd_keys PREFIX: the keys under PREFIX, one a line.
etcd_keys() { etcd get-prefix "$1" | grep -v '^revision' | sed 's/=.*//'; }
# mh_etcd_requests [METHOD_REGEX]: grpc_server_started_total summed over every running
# member (each gateway request is one gRPC call to its member), for the methods matching
# METHOD_REGEX (default: the KV and lease calls but the keep-alive stream).
mh_etcd_requests() {
	local re=${1:-'^(Range|Put|DeleteRange|Txn|Compact|LeaseGrant|LeaseRevoke|LeaseTimeToLive|Watch)$'} h
	for h in "${MH_MEMBERS[@]}"; do
		[ -n "${MH_ETCD[$h]:-}" ] || continue
		curl -s --max-time 2 "http://$(mh_ip "$h"):2379/metrics"
	done | awk -v re="$re" '/^grpc_server_started_total\{/ {
		m = $0; sub(/.*grpc_method="/, "", m); sub(/".*/, "", m)
		if (m ~ re) n += $NF } END { printf "%d\n", n }'
}

# ---- partitions (nft in the fabric; bridge family: the hosts' frames cross mh-br) ---------
mh_nft_table() {
	nft list table bridge mh_part >/dev/null 2>&1 && return
	nft -f - <<-'EOF'
		table bridge mh_part {
			chain cut { type filter hook forward priority 0; policy accept; }
		}
	EOF
}
# mh_cut_etcd HOST: HOST's traffic to and from every etcd port (client and peer) is dropped;
# the data path (VXLAN) still flows.
mh_cut_etcd() {
	local ip
	ip=$(mh_ip "$1")
	mh_nft_table
	nft add rule bridge mh_part cut ip saddr "$ip" tcp dport '{2379, 2380}' drop comment "\"$1\""
	nft add rule bridge mh_part cut ip daddr "$ip" tcp sport '{2379, 2380}' drop comment "\"$1\""
	nft add rule bridge mh_part cut ip daddr "$ip" tcp dport '{2379, 2380}' drop comment "\"$1\""
	nft add rule bridge mh_part cut ip saddr "$ip" tcp sport '{2379, 2380}' drop comment "\"$1\""
}
# mh_cut HOST: HOST cut off from everything (its fabric port down).
mh_cut() { ip link set "v-$1" down; }
# mh_heal HOST: both undone.
mh_heal() {
	local h
	ip link set "v-$1" up 2>/dev/null
	for h in $(nft -a list chain bridge mh_part cut 2>/dev/null | sed -n "s/.*comment \"$1\" # handle \([0-9]*\)/\1/p"); do
		nft delete rule bridge mh_part cut handle "$h"
	done
}

# ---- kernel state of an overlay network on a host -------------------------------------------
# mh_vxlan HOST: the host's VXLAN devices (names), one a line.
mh_vxlan() { on "$1" ip -o link show type vxlan 2>/dev/null | awk -F': ' '{sub(/@.*/, "", $2); print $2}'; }
# mh_fwd HOST DEV: the routes, permanent neighbours and FDB entries of DEV, one a line,
# prefixed route/neigh/fdb (what the agent programs for each remote host).
mh_fwd() {
	on "$1" ip -4 route show dev "$2" 2>/dev/null | grep -v 'proto kernel' | sed 's/^/route /'
	on "$1" ip -4 neigh show dev "$2" nud permanent 2>/dev/null | sed 's/^/neigh /'
	on "$1" bridge fdb show dev "$2" 2>/dev/null | grep ' dst ' | sed 's/^/fdb /'
}

mh_cleanup() { _mh_cleanup 2>/dev/null; } # quiet: bash reports each killed job
_mh_cleanup() {
	local h pids
	for h in "${!MH_HOLDER[@]}"; do
		pids=$(mh_host_pids "$h" | sort -u)
		[ -n "$pids" ] && kill -9 $pids 2>/dev/null
	done
	for h in "${!MH_ETCD[@]}"; do kill -9 "${MH_ETCD[$h]}" 2>/dev/null; done
	wait 2>/dev/null
	for h in "${!MH_HOLDER[@]}"; do mh_cgroups_rm "$h"; done
	# and those of hosts killed earlier whose removal failed
	find /sys/fs/cgroup -maxdepth 7 -type d -path "*/netns-run/$MH_P-*" 2>/dev/null | sort -r | xargs -r rmdir 2>/dev/null
	# Agents double-fork into the background: any left in no host of ours (a host's
	# namespaces gone) would show here by their state directory.
	for pids in $(grep -ls "$MH_W" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3); do
		[ "$pids" != $$ ] && kill -9 "$pids" 2>/dev/null
	done
	ip link del mh-br 2>/dev/null
	for h in "${!MH_HOLDER[@]}"; do ip link del "v-$h" 2>/dev/null; done
	nft delete table bridge mh_part 2>/dev/null
	rm -rf "$MH_W"
}

# mh_leftovers: what the sandbox would leave: processes of our hosts or members, mounts
# under $MH_W, links of the fabric.  Empty means clean (run after mh_cleanup).
mh_leftovers() {
	local p
	for p in "${MH_HOLDER[@]}" "${MH_ETCD[@]}"; do kill -0 "$p" 2>/dev/null && echo "process: $p"; done
	# (environ, not cmdline: this grep's own command line names $MH_W)
	grep -ls "$MH_W" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3 | sort -u | sed 's/^/process: /'
	grep -F "$MH_W" /proc/self/mountinfo | sed 's/^/mount: /'
	ip -o link show | grep -E ': (mh-br|v-h[0-9]+)[:@]' | sed 's/^/link: /'
	[ -e "$MH_W" ] && echo "dir: $MH_W"
	find /sys/fs/cgroup -maxdepth 7 -type d -path "*/netns-run/$MH_P-*" 2>/dev/null | sed 's/^/cgroup: /'
}
