#!/bin/bash
# commit (issue 16): a container's writable layer as a new image, paused while it is read
# (cgroup freezer), and killed at any point without a half image: SIGKILLed at the N-th
# call of several system calls (strace inject, as crash_runtime.sh), then `netns-run gc`
# must leave a consistent store (every listed image inspects and runs, tmp/ empty, the
# container thawed).  In the sandbox with a private state directory.
# IMG_CRASH_SYSCALLS, IMG_CRASH_MAX_N and IMG_CRASH_STRIDE size the crash part.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/runtime.sh"
source "$(dirname "$0")/../lib/busybox_image.sh"

if [ ! -x "$NR" ]; then t_skip "commit" "netns-run not built"; t_done; exit; fi
if ! busybox_image /run/bb.tar bb:1; then t_skip "commit" "no static /bin/busybox"; t_done; exit; fi
# A container first: a state directory made by `load` is 0700, which a --userns container's
# root cannot traverse to its layers (reported to img-store/img-run; the run makes it 0711).
"$NR" run --rm --net=none -- true
"$NR" load -i /run/bb.tar >/dev/null
rc() { "$@" >/dev/null 2>&1; echo $?; }
runi() { "$NR" run --rm --net=none "$@"; }

# --- a stopped container ---
"$NR" run --net=none --name "$P-a" bb:1 sh -c 'echo hello > /hello; rm /etc/group; rm -rf /usr/sbin; mkdir /usr/sbin; touch /usr/sbin/only'
out=$("$NR" commit -m "first commit" -a "Jane <jane@example.org>" -c 'CMD ["cat","/hello"]' -c 'ENV A=b' "$P-a" bb:a 2>&1); rc=$?
t_eq "commit CONTAINER REF: exit 0" $rc 0
t_check "... prints the new id" grep -qE '^sha256:[0-9a-f]{64}$' <<<"$out"
new=$out
t_eq "... the name points at it" "$("$NR" images -q --no-trunc bb:a)" "$new"
t_eq "the committed image has the new file" "$(runi bb:a cat /hello)" hello
t_eq "a deleted file is gone (whiteout)" "$(runi bb:a sh -c 'test -e /etc/group && echo there || echo gone')" gone
t_eq "a replaced directory holds only its new content (opaque)" "$(runi bb:a ls /usr/sbin)" only
t_eq "the parent's files are there" "$(runi bb:a cat /etc/passwd | head -1)" "root:x:0:0:root:/root:/bin/sh"
t_eq "-c CMD: the image's command" "$(runi bb:a)" hello
t_eq "-c ENV" "$(runi bb:a sh -c 'echo $A')" b
ins=$("$NR" image inspect bb:a)
t_eq "-a: Author" "$(jq -r '.[0].Author' <<<"$ins")" "Jane <jane@example.org>"
t_eq "two layers, the parent's first" "$(jq -r '.[0].RootFS.Layers | length' <<<"$ins")" 2
t_eq "... the parent's layer" "$(jq -r '.[0].RootFS.Layers[0]' <<<"$ins")" "$("$NR" image inspect bb:1 | jq -r '.[0].RootFS.Layers[0]')"
hist=$("$NR" history --no-trunc --format json bb:a | head -1)
t_eq "history: the top row is the commit, with its id" "$(jq -r .ID <<<"$hist")" "$new"
t_eq "... -m: its comment" "$(jq -r .Comment <<<"$hist")" "first commit"
t_eq "... created by the container's command" "$(jq -r .CreatedBy <<<"$hist")" \
	"sh -c echo hello > /hello; rm /etc/group; rm -rf /usr/sbin; mkdir /usr/sbin; touch /usr/sbin/only"
t_eq "... two rows (one per layer)" "$("$NR" history -q bb:a | wc -l)" 2
t_eq "commit without a name: <none>" "$("$NR" commit "$P-a" | grep -cE '^sha256:')" 1
t_check "... listed as <none> <none>" grep -q "^<none> <none>$" <<<"$("$NR" images --format '{{.Repository}} {{.Tag}}')"
t_eq "a commit of a commit stacks (3 layers)" \
	"$("$NR" run --net=none --name "$P-b" bb:a sh -c 'echo 2 > /second' && "$NR" commit "$P-b" bb:b >/dev/null &&
		"$NR" image inspect bb:b | jq '.[0].RootFS.Layers | length')" 3
t_eq "... and has both files" "$(runi bb:b cat /hello /second | tr '\n' ' ')" "hello 2 "
t_eq "the layers are shared: bb:a's two are bb:b's bottom two" \
	"$("$NR" image inspect bb:a bb:b | jq -r '(.[0].RootFS.Layers == .[1].RootFS.Layers[0:2])')" true

# What the layer keeps through commit (packed, then copied without the mount targets).
"$NR" run --net=none --name "$P-f" bb:1 sh -c 'dd if=/dev/zero of=/sparse bs=1 count=1 seek=104857600 2>/dev/null
	echo d > /data; ln /data /data-link; ln -s /data /data-sym; mkdir -p /opt/d; chmod 1750 /opt/d; chown 5:6 /data'
"$NR" commit "$P-f" bb:f >/dev/null
t_eq "a sparse file keeps its size" "$(runi bb:f stat -c %s /sparse)" 104857601
t_check "... and its holes (few blocks)" test "$(runi bb:f stat -c %b /sparse)" -lt 1000
t_eq "a hard link stays one (2 links)" "$(runi bb:f stat -c %h /data-link)" 2
t_eq "a symbolic link" "$(runi bb:f readlink /data-sym)" /data
t_eq "modes with the sticky bit" "$(runi bb:f stat -c %a /opt/d)" 1750
t_eq "owners" "$(runi bb:f stat -c %u:%g /data)" 5:6
diff=$("$NR" image inspect bb:f | jq -r '.[0].RootFS.Layers[1]')
list=$(tar -tf "$NETNS_RUN_STATE_DIR/images/blobs/sha256/${diff#sha256:}" 2>&1) # uncompressed: blob = diff id
t_check "(the committed layer's blob lists its files)" grep -qE '^(\./)?data$' <<<"$list"
t_eq "the layer holds none of the runtime's mount targets (etc/hosts ...)" \
	"$(grep -cE '^(\./)?etc/(hosts|hostname|resolv.conf)$' <<<"$list")" 0
"$NR" rm "$P-f" >/dev/null

# --- errors ---
out=$("$NR" commit nope 2>&1); rc=$?
t_eq "commit of an unknown container: 125" $rc 125
t_check "... says so" grep -q "no such container: nope" <<<"$out"
"$NR" run --net=none --name "$P-host" -- true
out=$("$NR" commit "$P-host" 2>&1); rc=$?
t_eq "commit of a host-root container: 125" $rc 125
t_check "... needs a container started from an image" grep -q "commit needs a container started from an image" <<<"$out"
n0=$("$NR" images -q | wc -l)
t_eq "commit with a bad name: 125" "$(rc "$NR" commit "$P-a" 'Bad Name')" 125
t_eq "commit with a bad -c: 125" "$(rc "$NR" commit -c 'FROM x' "$P-a")" 125
t_eq "commit with a bad --pause value: 125" "$(rc "$NR" commit --pause=maybe "$P-a")" 125
t_eq "... no image was added by them" "$("$NR" images -q | wc -l)" "$n0"
t_eq "commit with three arguments: 125" "$(rc "$NR" commit "$P-a" x:1 y:2)" 125

# --- a running container: frozen while its layer is read, running after ---
"$NR" run -d --net=none --name "$P-r" bb:1 sh -c 'echo live > /live; while :; do sleep 0.1; done' >/dev/null
await 10 "$NR" exec "$P-r" test -e /live || echo "# $P-r wrote no /live"
cg=$(state '.cgroup.paths.unified // .cgroup.paths.freezer' "$P-r")
frozen() { if [ -e "$cg/cgroup.events" ]; then sed -n 's/^frozen //p' "$cg/cgroup.events"; else grep -qx FROZEN "$cg/freezer.state" && echo 1 || echo 0; fi; }
# Slow the packing down (each directory read delayed) and watch the cgroup meanwhile.
strace -f -qq -o /dev/null -e inject=getdents64:delay_enter=200000 "$NR" commit "$P-r" bb:r >/run/commit.out 2>&1 &
cpid=$!
seen=0
for _ in $(seq 100); do
	[ "$(frozen)" = 1 ] && seen=1 && break
	kill -0 $cpid 2>/dev/null || break
	sleep 0.05
done
wait $cpid; rc=$?
t_eq "commit of a running container: exit 0" $rc 0
t_eq "... its cgroup was frozen while the layer was read" $seen 1
t_eq "... and is thawed after" "$(frozen)" 0
t_eq "... the container still runs" "$(state .status "$P-r")" running
t_check "... and its command goes on (not stopped)" sh -c "grep -q '^State:.*[RS]' /proc/$(state .pid "$P-r")/status"
t_eq "the image has what the running container wrote" "$(runi bb:r cat /live)" live
# --pause=false: no freezing at all.
strace -f -qq -y -e trace=write -o /run/nopause.trace "$NR" commit --pause=false "$P-r" bb:r2 >/dev/null 2>&1
t_eq "--pause=false: commit works" "$(runi bb:r2 cat /live)" live
t_eq "... without touching the freezer" "$(grep -c 'cgroup.freeze\|freezer.state' /run/nopause.trace)" 0
strace -f -qq -y -e trace=write -o /run/pause.trace "$NR" commit "$P-r" bb:r3 >/dev/null 2>&1
t_eq "--pause (default): freeze then thaw" "$(grep -o '\(cgroup.freeze\|freezer.state\)>, "[A-Z0-9]*"' /run/pause.trace | sed 's/.*"\(.*\)"/\1/' | tr '\n' ' ')" "1 0 "

# A commit killed while the container is frozen: gc thaws it (the commit's lock is free).
(strace -f -qq -o /dev/null -e inject=getdents64:signal=KILL:when=2 "$NR" commit "$P-r" bb:killed >/dev/null 2>&1) 2>/dev/null
t_eq "a commit killed while reading the layer leaves the container frozen" "$(frozen)" 1
out=$("$NR" gc 2>&1)
t_check "gc thaws it, saying so" grep -q "thawed 1 container frozen by a killed commit" <<<"$out"
t_eq "... thawed" "$(frozen)" 0
t_eq "... no image bb:killed" "$(rc "$NR" image inspect bb:killed)" 125

# --- --userns: owners shifted back into the image's ids ---
if "$NR" run --net=none --userns 200000:65536 --name "$P-u" bb:1 sh -c 'echo u > /owned; chown 1:1 /owned; touch /root-made' >/dev/null 2>&1; then
	t_eq "(--userns: the upper holds host ids)" "$(stat -c %u "$NETNS_RUN_STATE_DIR/containers/$P-u/upper/owned")" 200001
	"$NR" commit "$P-u" bb:u >/dev/null
	t_eq "--userns container: the committed file is owned as inside (1:1)" "$(runi bb:u stat -c %u:%g /owned)" "1:1"
	t_eq "... a file its root made is root's" "$(runi bb:u stat -c %u:%g /root-made)" "0:0"
else
	t_skip "--userns commit" "run --userns IMAGE did not work here"
fi

# --- crash points: commit SIGKILLed at the N-th call, then gc ---
SYSCALLS=${IMG_CRASH_SYSCALLS:-"write openat renameat2 rename fsync getdents64 mkdir"}
MAX_N=${IMG_CRASH_MAX_N:-40}
STRIDE=${IMG_CRASH_STRIDE:-3}
points=0 fails=0
store=$NETNS_RUN_STATE_DIR/images
consistent() {
	local id
	# The store's gc keeps a .new-XXXXXX scratch directory (a writer killed between its
	# mkdtemp and its rename) for an hour (runtime/image/store_gc.c); anything else in
	# tmp/ is a leftover.
	[ -z "$(ls -A "$store/tmp" | grep -v '^\.new-')" ] || { echo "tmp/ not empty: $(ls -A "$store/tmp")"; return 1; }
	[ "$(frozen)" = 0 ] || { echo "the container was left frozen"; return 1; }
	[ "$(state .status "$P-r")" = running ] || { echo "the container is not running"; return 1; }
	for id in $("$NR" images -q --no-trunc | sort -u); do
		"$NR" image inspect "$id" >/dev/null 2>&1 || { echo "$id does not inspect"; return 1; }
		[ "$("$NR" run --rm --net=none "$id" cat /live 2>/dev/null || "$NR" run --rm --net=none "$id" true 2>&1)" != "" ] ||
			"$NR" run --rm --net=none "$id" true || { echo "$id does not run"; return 1; }
	done
}
exec 3>&2 2>/dev/null # bash's "Killed" notices
for sc in $SYSCALLS; do
	for ((n = 1; n <= MAX_N; n += STRIDE)); do
		(timeout 30 strace -f -qq -o /dev/null -e inject="$sc:signal=KILL:when=$n" \
			"$NR" commit "$P-r" "crash:$sc-$n" >/dev/null 2>&1 </dev/null) 2>/dev/null
		[ $? = 0 ] && break # fewer than n such calls: done with this one
		points=$((points + 1))
		"$NR" gc -q >/dev/null 2>&1
		if ! why=$(consistent); then
			fails=$((fails + 1))
			t_fail "commit killed at $sc #$n: gc leaves a consistent store" "$why"
			# Thaw by hand so later points are not all failures for one cause.
			echo 0 >"$cg/cgroup.freeze" 2>/dev/null || echo THAWED >"$cg/freezer.state" 2>/dev/null
		fi
	done
done
# And by time: killed after a delay, wherever it is.
for d in 0.005 0.01 0.015 0.02 0.03 0.04 0.05 0.08 0.1 0.2; do
	"$NR" commit "$P-r" crash:late >/dev/null 2>&1 &
	sleep $d
	kill -KILL $! 2>/dev/null
	wait $! 2>/dev/null
	points=$((points + 1))
	"$NR" gc -q >/dev/null 2>&1
	why=$(consistent) || { fails=$((fails + 1)); t_fail "commit killed after ${d}s: gc leaves a consistent store" "$why"; }
done
exec 2>&3 3>&-
echo "# $points commit crash points tried"
t_eq "every killed commit converged after gc" $fails 0
t_check "at least 20 crash points were hit" test $points -ge 20
t_eq "a commit after all that works" "$("$NR" commit "$P-r" bb:after >/dev/null && runi bb:after cat /live)" live

"$NR" rm -f "$P-r" "$P-a" "$P-b" "$P-host" "$P-u" >/dev/null 2>&1
t_eq "nothing is left of the containers" "$(nr_leftovers)" ""

# --- a commit travels: save (whole, and --since its base), then load elsewhere ---
"$NR" save -o /run/a.tar bb:a && "$NR" save --since bb:1 -o /run/a-since.tar bb:a
t_check "save --since BASE leaves the base's layer out (smaller)" \
	test "$(stat -c %s /run/a-since.tar)" -lt "$(stat -c %s /run/a.tar)"
"$NR" image prune -a -f >/dev/null
t_eq "(the store is empty)" "$("$NR" images -q | wc -l)" 0
out=$("$NR" load -i /run/a-since.tar 2>&1); rc=$?
t_eq "load of a --since archive without its base: 125" $rc 125
t_eq "... and nothing was added" "$("$NR" images -q | wc -l)" 0
"$NR" load -i /run/bb.tar >/dev/null
t_eq "with the base loaded, the --since archive loads" "$("$NR" load -i /run/a-since.tar)" "Loaded image: bb:a"
t_eq "... and runs with the committed file" "$(runi bb:a cat /hello)" hello
t_eq "... the same id as before" "$("$NR" images -q --no-trunc bb:a)" "$new"
"$NR" image prune -a -f >/dev/null
t_eq "the whole archive loads on an empty store" "$("$NR" load -i /run/a.tar)" "Loaded image: bb:a"
t_eq "... and runs, the deletion kept" "$(runi bb:a sh -c 'cat /hello; test -e /etc/group || echo no-group')" "hello
no-group"
t_done
