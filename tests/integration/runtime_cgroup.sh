#!/bin/bash
# netns-run cgroups: limits land in the container's cgroup files (v1, v2 or hybrid, as
# this machine has them), the kernel enforces them, an OOM kill ends the run with 137,
# and every cgroup directory is gone afterwards.  Cgroups are host-global, so names are
# unique to this run and the test checks it removed all of them.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/runtime.sh"

# The "netns-run" parent directories that exist before this test (another run of ours may
# be using them); the test must not add any.
parents() { find /sys/fs/cgroup -maxdepth 7 -type d -name netns-run 2>/dev/null | sort; }
parents0=$(parents)

mode=$(stat -fc %T /sys/fs/cgroup)
[ "$mode" = cgroup2fs ] && v2=1 || v2=0
echo "# /sys/fs/cgroup is $mode"

# cgfile NAME CONTROLLER FILE: the content of a cgroup file of a running container
cgfile() { cat "$(state ".cgroup.paths.$2" "$1")/$3"; }

"$NR" run -d --net=none --name "$P-lim" --memory 64m --cpus 0.5 --pids-limit 50 sleep 60 >/dev/null
t_eq "the record names the cgroup layout" "$(state .cgroup.mode "$P-lim")" \
	"$([ $v2 = 1 ] && echo unified || { [ -d /sys/fs/cgroup/unified ] && echo hybrid || echo legacy; })"
if [ $v2 = 1 ]; then
	t_eq "--memory 64m: memory.max" "$(cgfile "$P-lim" memory memory.max)" 67108864
	t_eq "--cpus 0.5: cpu.max" "$(cgfile "$P-lim" cpu cpu.max)" "50000 100000"
else
	t_eq "--memory 64m: memory.limit_in_bytes (v1)" "$(cgfile "$P-lim" memory memory.limit_in_bytes)" 67108864
	t_eq "--cpus 0.5: cfs quota/period (v1)" \
		"$(cgfile "$P-lim" cpu cpu.cfs_quota_us)/$(cgfile "$P-lim" cpu cpu.cfs_period_us)" "50000/100000"
fi
t_eq "--pids-limit 50: pids.max" "$(cgfile "$P-lim" pids pids.max)" 50
pid=$(state .pid "$P-lim")
t_check "the init is in the container's memory cgroup" \
	grep -qx "$pid" "$(state .cgroup.paths.memory "$P-lim")/cgroup.procs"
if [ $v2 = 0 ] && [ -d /sys/fs/cgroup/devices ]; then
	for ctl in memory cpu cpuacct pids devices; do
		t_check "the init is in the container's $ctl cgroup (joined through tasks)" \
			grep -qx "$pid" "$(state .cgroup.paths.$ctl "$P-lim")/cgroup.procs"
	done
	want=$'c *:* m\nb *:* m\nc 1:3 rwm'
	t_eq "its devices cgroup has Docker's rules (from the netns-run parent)" \
		"$(head -3 "$(state .cgroup.paths.devices "$P-lim")/devices.list")" "$want"
	t_eq "no blkio cgroup without --io-weight, no freezer" \
		"$(state '.cgroup.paths | has("blkio"), has("freezer")' "$P-lim" | tr '\n' ' ')" "false false "
fi
t_check "inside, the cgroup namespace makes it the root" \
	sh -c "'$NR' exec $P-lim cat /proc/self/cgroup | grep -q ':/\$'"
if [ $v2 = 1 ]; then inside=/sys/fs/cgroup/memory.max; else inside=/sys/fs/cgroup/memory/memory.limit_in_bytes; fi
t_eq "inside, /sys/fs/cgroup shows the container's own limit" "$("$NR" exec "$P-lim" cat $inside)" 67108864
t_check "... read-only" sh -c "! '$NR' exec $P-lim touch /sys/fs/cgroup/x 2>/dev/null"
t_check "ps shows current memory and task use" \
	sh -c "'$NR' ps | awk '\$1 == \"$P-lim\" && \$7 ~ /MiB/ && \$9 >= 1' | grep -q ."
t_eq "inspect shows them too" "$("$NR" inspect "$P-lim" | jq '.usage.pids >= 1 and .usage.memory_bytes > 0')" true
t_check "exec joins the cgroups" \
	sh -c "'$NR' exec $P-lim sh -c 'cat /proc/self/cgroup' | grep -q memory:/"
dirs=$(state '.cgroup.dirs[]' "$P-lim")
"$NR" rm -f "$P-lim" >/dev/null
gone=1; for d in $dirs; do [ -e "$d" ] && gone=0; done
t_eq "rm -f removes every cgroup directory ($(wc -w <<<"$dirs") of them)" $gone 1

# Memory: past the limit is an OOM kill, reported as docker does.
out=$("$NR" run --rm --net=none --name "$P-oom" --memory 32m sh -c 'head -c 200m /dev/zero | tail' 2>&1); rc=$?
t_eq "allocating past --memory ends with 137" $rc 137
t_check "... and says it was the OOM killer" grep -q "OOM killer" <<<"$out"
"$NR" run --net=none --name "$P-oom2" --memory 32m sh -c 'head -c 200m /dev/zero | tail' >/dev/null 2>&1
t_eq "the record says oom" "$(state '.oom' "$P-oom2")" true
t_check "ps -a shows it" sh -c "'$NR' ps -a | grep '$P-oom2' | grep -q 'exited (137) oom'"
"$NR" rm "$P-oom2" >/dev/null
t_eq "within the limit nothing is killed" \
	"$("$NR" run --rm --net=none --memory 64m sh -c 'head -c 8m /dev/zero | tail | wc -c')" 8388608

# Pids: a fork loop stops at the limit.
out=$("$NR" run --rm --net=none --pids-limit 10 sh -c 'for i in $(seq 30); do sleep 5 & done; echo all' 2>&1); rc=$?
t_eq "--pids-limit 10 stops a loop of 30 forks" "$rc" 2
t_check "... with fork failing" grep -q "fork" <<<"$out"
t_eq "without the limit the same loop runs" \
	"$("$NR" run --rm --net=none sh -c 'for i in $(seq 30); do sleep 5 & done; echo all')" all

# CPU: --cpus 0.2 holds a busy loop to about a fifth of a CPU.
"$NR" run -d --net=none --name "$P-cpu" --cpus 0.2 sh -c 'while :; do :; done' >/dev/null
c0=$("$NR" inspect "$P-cpu" | jq .usage.cpu_ns); t0=$(date +%s%N)
sleep 2 # the measurement window, not a synchronisation
c1=$("$NR" inspect "$P-cpu" | jq .usage.cpu_ns); t1=$(date +%s%N)
share=$(awk -v c=$((c1 - c0)) -v t=$((t1 - t0)) 'BEGIN { printf "%.2f", c / t }')
echo "# busy loop under --cpus 0.2 used $share of a CPU"
t_check "--cpus 0.2 limits a busy loop (used $share CPU, want 0.05..0.30)" \
	awk -v s="$share" 'BEGIN { exit !(s >= 0.05 && s <= 0.30) }'
"$NR" rm -f "$P-cpu" >/dev/null

# I/O weight: only where the block layer has weights (BFQ or CFQ); else a clear 125.
out=$("$NR" run -d --net=none --name "$P-io" --io-weight 300 sleep 30 2>&1); rc=$?
if [ $rc = 0 ]; then
	f=$(ls "$(state .cgroup.paths.$([ $v2 = 1 ] && echo io || echo blkio) "$P-io")"/{blkio,io}.{bfq.,}weight 2>/dev/null | head -1)
	t_check "--io-weight 300 lands in $(basename "$f")" grep -qE '(^| )(300|2719)$' "$f"
	"$NR" rm -f "$P-io" >/dev/null
else
	t_eq "--io-weight without I/O weights here: 125" $rc 125
	t_check "... naming what is missing" grep -q "no I/O weight" <<<"$out"
fi

# The pure v2 path (most machines): on a hybrid or legacy machine, mount the unified
# hierarchy over /sys/fs/cgroup in a mount namespace of its own and run there.  It has no
# controllers here (they are bound to v1), so this covers layout, placement and removal;
# limits get a clear refusal.
if [ $v2 = 0 ] && grep -q cgroup2 /proc/filesystems; then
	v2() { unshare --mount --propagation private bash -c 'mount -t cgroup2 none /sys/fs/cgroup && "$@"' v2 "$@"; }
	v2 "$NR" run -d --net=none --name "$P-v2" sleep 60 >/dev/null
	t_eq "cgroup2 at /sys/fs/cgroup: mode unified" "$(state .cgroup.mode "$P-v2")" unified
	t_eq "... one cgroup, /netns-run/NAME at the root" "$(state '.cgroup.dirs | join(" ")' "$P-v2")" \
		"/sys/fs/cgroup/netns-run/$P-v2"
	t_check "... the init was cloned into it" \
		v2 grep -qx "$(state .pid "$P-v2")" "/sys/fs/cgroup/netns-run/$P-v2/cgroup.procs"
	t_eq "... inside, /sys/fs/cgroup is its cgroup2 root" "$(v2 "$NR" exec "$P-v2" stat -fc %T /sys/fs/cgroup)" cgroup2fs
	v2 "$NR" rm -f "$P-v2" >/dev/null
	t_check "... and it is gone after rm -f" v2 test ! -e "/sys/fs/cgroup/netns-run/$P-v2"
	out=$(v2 "$NR" run --rm --net=none --memory 64m true 2>&1); rc=$?
	t_eq "... --memory without a memory controller: 125" $rc 125
	t_check "... saying so" grep -q "memory cgroup controller is not available" <<<"$out"
else
	t_skip "the v2 path on a v1 machine" "this machine is already unified"
fi

t_eq "no cgroup of ours remains" "$(nr_cgroups)" ""
# A devices parent without our rules (made by someone else, or an older netns-run): the
# container's own cgroup gets them written.
if [ $v2 = 0 ] && [ -d /sys/fs/cgroup/devices ] && "$NR" gc -q && [ ! -e /sys/fs/cgroup/devices/netns-run ]; then
	mkdir /sys/fs/cgroup/devices/netns-run
	"$NR" run -d --net=none --name "$P-dev" sleep 60 >/dev/null
	t_eq "a parent without rules: the container's devices cgroup still gets them" \
		"$(head -3 "$(state .cgroup.paths.devices "$P-dev")/devices.list")" "$want"
	"$NR" rm -f "$P-dev" >/dev/null
fi
# The "netns-run" parents stay between containers (as docker's do); gc removes empty ones.
t_check "the netns-run parents stay after the last container" test -n "$(comm -13 <(echo "$parents0") <(parents))$parents0"
"$NR" gc -q
t_eq "after gc, no netns-run parent directory is left that was not there before" "$(comm -13 <(echo "$parents0") <(parents))" ""
t_eq "nothing else remains" "$(nr_leftovers)" ""
t_done
