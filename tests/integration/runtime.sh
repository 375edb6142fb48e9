#!/bin/bash
# netns-run: processes, exit statuses, the root file system, security defaults, the CLI
# and bad input.  All in a private namespace sandbox; --net=none unless networking is
# the point (tests/integration/runtime_net.sh does networks).
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/runtime.sh"

run() { "$NR" run --rm --net=none "$@"; }

# Exit statuses, as docker's.
run true; t_eq "exit 0" $? 0
run sh -c 'exit 3'; t_eq "the command's own status (3)" $? 3
out=$(run /etc/passwd 2>&1); rc=$?
t_eq "not executable: 126" $rc 126
t_check "... and says why" grep -q "Permission denied" <<<"$out"
out=$(run no-such-command-here 2>&1); rc=$?
t_eq "not found: 127" $rc 127
t_check "... and says so" grep -q "not found" <<<"$out"
run sh -c 'kill -TERM $$'; t_eq "killed by SIGTERM: 128+15" $? 143
run sh -c 'kill -KILL $$'; t_eq "killed by SIGKILL: 128+9" $? 137

# pid namespace and init.
t_eq "pid 1 is our init" "$(run cat /proc/1/comm)" netns-run-init
t_eq "the command is pid 2, the init's child" "$(run sh -c 'echo $$ $PPID')" "2 1"
t_eq "only the container's processes are visible" "$(run sh -c 'echo /proc/[0-9]*')" "/proc/1 /proc/2"
run sh -c 'sleep 100 & exit 0'; t_eq "the init ends with the command, taking orphans along" $? 0
t_eq "orphans are reaped by the init" "$(run sh -c '(sh -c "exit 0" &); sleep 0.2; grep -c Z /proc/[0-9]*/stat 2>/dev/null | grep -vc ":0"')" 0
mkfifo /run/ready
out=$(timeout 10 "$NR" run --rm --net=none -v /run/ready:/ready \
	sh -c 'trap "echo got-term; exit 7" TERM; echo > /ready; while :; do sleep 0.1; done' &
	pid=$!; read -r _ </run/ready; kill -TERM $pid; wait $pid; echo "rc=$?")
t_check "SIGTERM to netns-run reaches the command through the init" grep -q got-term <<<"$out"
t_check "... and the run ends with the command's status" grep -q "rc=7" <<<"$out"

# UTS, hostname, /etc files.
t_eq "hostname defaults to the name" "$(run --name "$P-h1" hostname)" "$P-h1"
t_eq "--hostname sets it" "$(run --hostname web.example hostname)" web.example
t_eq "/etc/hostname is written" "$(run --hostname web1 cat /etc/hostname)" web1
t_check "/etc/hosts names the container" grep -q "web1" <<<"$(run --hostname web1 cat /etc/hosts)"
t_eq "the host's hostname is untouched" "$(hostname)" "$(cat /proc/sys/kernel/hostname)"

# The overlay root.
rm -f /etc/nr-test-$P
run sh -c "echo inside > /etc/nr-test-$P && cat /etc/nr-test-$P" >/dev/null; t_eq "writing into /etc works inside" $? 0
t_check "... and never reaches the host's /etc" test ! -e /etc/nr-test-$P
"$NR" run --net=none --name "$P-keep" sh -c 'echo x > /var/kept' 
t_check "without --rm the upper layer keeps the write" test -f "$NETNS_RUN_STATE_DIR/containers/$P-keep/upper/var/kept"
t_eq "... and the record says exited (0)" "$(state '.status + " " + (.exit_code|tostring)' "$P-keep")" "exited 0"
t_eq "rm removes it" "$("$NR" rm "$P-keep")" "$P-keep"
out=$("$NR" rm -f "$P-keep" 2>&1 >/dev/null); rc=$?
t_eq "rm -f of a container already gone: 0, as docker rm -f" $rc 0
t_check "... saying so on stderr" grep -q "no such container: $P-keep" <<<"$out"
out=$("$NR" rm "$P-keep" 2>&1); rc=$?
t_eq "rm (without -f) of a container already gone: 125" $rc 125
t_check "... with its upper layer" test ! -e "$NETNS_RUN_STATE_DIR/containers/$P-keep"
"$NR" run --rm --net=none --name "$P-rm" sh -c 'echo x > /var/gone'
t_check "--rm removes the container and its upper layer" test ! -e "$NETNS_RUN_STATE_DIR/containers/$P-rm"
out=$(run --read-only sh -c 'echo x > /etc/ro-test' 2>&1); rc=$?
t_eq "--read-only: writes to / fail" $rc 2
t_check "... with a read-only error" grep -qi "read-only" <<<"$out"
t_eq "--read-only: /dev/shm stays writable" "$(run --read-only sh -c 'echo ok > /dev/shm/x && cat /dev/shm/x')" ok
layer=$(mktemp -d /run/layer.XXXX); mkdir -p "$layer/etc"; echo from-layer > "$layer/etc/only-in-layer"
t_eq "--rootfs layers stack, top first" "$(run --rootfs "$layer" --rootfs / cat /etc/only-in-layer)" from-layer
vol=$(mktemp -d /run/vol.XXXX); echo host-data > "$vol/f"
t_eq "-v mounts a host directory" "$(run -v "$vol:/data" cat /data/f)" host-data
run -v "$vol:/data" sh -c 'echo new > /data/g'; t_eq "-v is writable by default" "$(cat "$vol/g")" new
run -v "$vol:/data:ro" sh -c 'echo x > /data/h' 2>/dev/null; t_eq "-v ...:ro is read-only" $? 2
t_eq "the host's /tmp is not shown" "$(run sh -c 'ls -A /tmp | wc -l')" 0
t_eq "the runtime's state is not shown" "$(run sh -c "ls -A $NETNS_RUN_STATE_DIR 2>/dev/null | wc -l")" 0

# Environment, working directory, user.
t_eq "-e K=V" "$(run -e FOO=bar sh -c 'echo $FOO')" bar
t_eq "-e K copies the caller's value" "$(NR_X=copied run -e NR_X sh -c 'echo $NR_X')" copied
t_eq "PATH and HOME default as docker's" "$(run sh -c 'echo $HOME')" /root
t_eq "-w sets (and creates) the directory" "$(run -w /srv/app pwd)" /srv/app
t_eq "--user UID:GID" "$(run --user 1234:4321 sh -c 'echo $(id -u) $(id -g)')" "1234 4321"
t_eq "--user by name, from the container's passwd" "$(run --user nobody id -un)" nobody

# Security defaults.
t_eq "capability bounding set: docker's 14" "$(run awk '/CapBnd/ {print $2}' /proc/self/status)" 00000000a80425fb
t_eq "no_new_privs" "$(run awk '/NoNewPrivs/ {print $2}' /proc/self/status)" 1
t_eq "a non-root user has no capabilities" "$(run --user 1000 awk '/CapEff/ {print $2}' /proc/self/status)" 0000000000000000
t_eq "/dev holds only the minimal set" "$(run ls /dev | tr '\n' ' ')" "core fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero "
t_eq "no host block devices" "$(run sh -c 'ls /dev/sd* /dev/vd* 2>/dev/null | wc -l')" 0
if [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ] && [ -d /sys/fs/cgroup/devices ]; then
	t_check "a host disk node made with mknod cannot be opened (v1 devices rules)" \
		grep -q "not permitted" <<<"$(run sh -c 'mknod /dev/sdz b 8 0 && head -c1 /dev/sdz' 2>&1)"
else
	t_skip "a host disk node made with mknod cannot be opened" "no v1 devices controller here"
fi
t_eq "/proc/timer_list is masked (empty)" "$(run sh -c 'wc -c < /proc/timer_list')" 0
t_eq "/proc/keys is masked (a mount over it)" "$(run grep -c ' /proc/keys ' /proc/self/mountinfo)" 1
t_check "/proc/sys is read-only" grep -q "Read-only" <<<"$(run sh -c 'echo 1 > /proc/sys/kernel/domainname' 2>&1)"
t_check "/sys is read-only" grep -q "Read-only" <<<"$(run sh -c 'echo x > /sys/kernel/uevent_helper' 2>&1)"
run mount -t tmpfs x /mnt 2>/dev/null; t_eq "mount needs CAP_SYS_ADMIN: refused" $? 32
t_eq "the host's mounts are not visible (its ext4 root included)" "$(run grep -c ' - ext4 \| /run/vol' /proc/self/mountinfo)" 0
t_check "new ipc namespace" test "$(run readlink /proc/self/ns/ipc)" != "$(readlink /proc/self/ns/ipc)"
t_check "new cgroup namespace (the container's cgroup is its root)" test "$(run cat /proc/self/cgroup | grep -c ':/$')" -ge 1

# exec: into the running container, with its environment and settings.
"$NR" run -d --net=none --name "$P-x" -e FROM_RUN=1 --user 1000 sleep 60 >/dev/null
t_eq "exec sees the container's processes (init, sleep, itself)" "$("$NR" exec "$P-x" sh -c 'set -- /proc/[0-9]*; echo $#')" 3
t_eq "exec gets the container's environment plus -e" "$("$NR" exec -e MORE=2 "$P-x" sh -c 'echo $FROM_RUN$MORE')" 12
t_eq "exec runs as the container's --user" "$("$NR" exec "$P-x" id -u)" 1000
t_eq "exec -u overrides it" "$("$NR" exec -u 0 "$P-x" id -u)" 0
t_eq "exec -w" "$("$NR" exec -u 0 -w /srv "$P-x" pwd)" /srv
"$NR" exec "$P-x" sh -c 'exit 5'; t_eq "exec returns the command's status" $? 5
"$NR" exec "$P-x" nosuchcmd 2>/dev/null; t_eq "exec of a missing command: 127" $? 127
t_eq "exec has the same capability bounding set" "$("$NR" exec -u 0 "$P-x" awk '/CapBnd/ {print $2}' /proc/self/status)" 00000000a80425fb
"$NR" stop -t 1 "$P-x" >/dev/null
out=$("$NR" exec "$P-x" true 2>&1); rc=$?
t_eq "exec into a stopped container: 125" $rc 125
t_check "... saying it is not running" grep -q "not running" <<<"$out"
"$NR" rm "$P-x" >/dev/null

# The verbs that do not clone run clean under valgrind (clone3 is beyond it).
if command -v valgrind >/dev/null; then
	vg() { valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 "$NR" "$@" >/dev/null 2>/tmp/vg.$$; }
	"$NR" run -d --net=none --name "$P-vg" sleep 60 >/dev/null
	for v in "ps -a" "inspect $P-vg" "network ls" "network inspect none" "gc -q" "stop -t 1 $P-vg" "rm $P-vg"; do
		vg $v; rc=$?
		if [ $rc = 0 ]; then t_ok "valgrind: netns-run $v"; else t_fail "valgrind: netns-run $v" "rc=$rc $(grep -m5 '==' /tmp/vg.$$)"; fi
	done
	rm -f /tmp/vg.$$
else
	t_skip "valgrind checks" "valgrind is not installed"
fi

# The CLI: help on every verb, bad input is 125 with a message and no state.
for v in run ps exec stop rm inspect network gc; do
	out=$("$NR" $v --help 2>&1); rc=$?
	if [ $rc = 0 ] && grep -q "Usage: netns-run" <<<"$out"; then t_ok "$v --help"; else t_fail "$v --help" "rc=$rc $out"; fi
done
t_check "--help with no verb" sh -c "'$NR' --help | grep -q Verbs"
bad() { # what, expected message part, args...
	local what=$1 msg=$2; shift 2
	local out rc
	out=$("$NR" "$@" 2>&1); rc=$?
	if [ $rc = 125 ] && grep -qi -- "$msg" <<<"$out"; then t_ok "bad input: $what"; else t_fail "bad input: $what" "rc=$rc: $out"; fi
}
bad "unknown flag" "unknown option --bogus" run --bogus true
bad "bad memory value" "--memory 12x" --memory 12x true
bad "missing rootfs" "--rootfs /nonexistent" --rootfs /nonexistent true
bad "container:NAME not running" "not running" --net=container:nosuch true
bad "unknown network" "no such network" --net=nosuch true
bad "bad port" "-p 80" -p 80 true
bad "bad volume" "-v expects" -v relative:/x true
bad "bad name" "--name" --name 'a/b' true
bad "no command" "no command" run --net=none
"$NR" run -d --net=none --name "$P-dup" sleep 30 >/dev/null
bad "duplicate --name" "already in use" --net=none --name "$P-dup" true
bad "rm of a running container" "is running" rm "$P-dup"
bad "exec in an unknown container" "no such container" exec nosuch true
"$NR" rm -f "$P-dup" >/dev/null
t_eq "nothing left after all of it" "$(nr_leftovers)" ""
t_done
