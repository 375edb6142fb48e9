#!/bin/bash
# The image store under concurrency and crashes (issue 16, "Storage"): two loads of
# images sharing layers started at once, the same archive loaded twice at once, load
# SIGKILLed at the N-th call of several system calls (strace inject, as crash_runtime.sh)
# and after a delay, save killed, rmi racing a load of an image sharing its layers.
# After each: never a half layer in layers/ (each has its layer.json and the bytes it
# counts), every listed image runs, and `netns-run gc` leaves tmp/ without partial blobs
# and layers/ and blobs/ exactly what the records name.  In the sandbox with a private
# state directory.  (A commit killed at points: images_commit.sh; run racing rmi:
# images_cli.sh, images_run.sh.)
# IMG_LOAD_CRASH_SYSCALLS, IMG_LOAD_CRASH_PER_SYSCALL (points spread over each syscall's
# calls), IMG_LOAD_CRASH_MIN_POINTS, IMG_RACE_ROUNDS size it.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/runtime.sh"
source "$(dirname "$0")/../lib/busybox_image.sh"

SYSCALLS=${IMG_LOAD_CRASH_SYSCALLS:-"write rename renameat2 mkdir flock fsync syncfs openat unlink unlinkat symlink"}
PER=${IMG_LOAD_CRASH_PER_SYSCALL:-5}
MIN_POINTS=${IMG_LOAD_CRASH_MIN_POINTS:-30}
ROUNDS=${IMG_RACE_ROUNDS:-5}

if [ ! -x "$NR" ]; then t_skip "image store crashes" "netns-run not built"; t_done; exit; fi
if ! command -v strace >/dev/null; then t_skip "image store crashes" "no strace"; t_done; exit; fi
if ! busybox_image /run/bb.tar bb:1; then t_skip "image store crashes" "no static /bin/busybox"; t_done; exit; fi

S=$NETNS_RUN_STATE_DIR/images
runi() { timeout 30 "$NR" run --rm --net=none "$@" </dev/null; }
load() { timeout 60 "$NR" load -i "$1" </dev/null; }
# gc: quietly, the whole of it (images and the runtime's own).
gc() { timeout 60 "$NR" gc -q >/dev/null 2>&1; }
empty_store() { "$NR" image prune -a -f >/dev/null 2>&1; gc; }

# --- the images: bb:1 (busybox), mid:1 on it, ia:1 and ib:1 on mid:1 (each its /file) ---
# ia and ib share two layers (bb's and mid's) and differ in the top one.
"$NR" run --rm --net=none -- true # a state directory as the runtime makes it (see images_commit.sh)
load /run/bb.tar >/dev/null
"$NR" run --net=none --name "$P-m" bb:1 sh -c 'echo mid > /mid' &&
	"$NR" commit "$P-m" mid:1 >/dev/null &&
	"$NR" run --net=none --name "$P-a" mid:1 sh -c 'echo a > /file' && "$NR" commit "$P-a" ia:1 >/dev/null &&
	"$NR" run --net=none --name "$P-b" mid:1 sh -c 'echo b > /file' && "$NR" commit "$P-b" ib:1 >/dev/null &&
	"$NR" save -o /run/a.tar ia:1 && "$NR" save -o /run/b.tar ib:1
rc=$?
"$NR" rm "$P-m" "$P-a" "$P-b" >/dev/null 2>&1
t_eq "(test images: ia:1 and ib:1 on a shared base, saved)" $rc 0
empty_store
# store_files: what is in layers/, images/, blobs/ and tmp/ (but gc's young .new- dirs).
store_files() { find "$S/layers" "$S/images" "$S/blobs/sha256" "$S/tmp" -mindepth 1 -maxdepth 1 ! -name '.new-*'; }
t_eq "(the store is empty)" "$(store_files)" ""

# --- what every check below looks at ---

# The layers every record names (hex), and the blobs (configs, manifests, layer blobs).
named_layers() { cat "$S"/images/*.json 2>/dev/null | jq -r '.layers[]' | sed 's/^sha256://' | sort -u; }
named_blobs() { cat "$S"/images/*.json 2>/dev/null | jq -r '.id, .manifest, .blobs[]' | sed 's/^sha256://' | sort -u; }
# layers_whole: one line per layer in layers/ that a container must not see: without its
# layer.json or diff/, named by another chain id, on a missing parent, or with fewer (or
# more) bytes of regular files than layer.json counts (a half unpack).
layers_whole() {
	local d hex json have parent
	for d in "$S"/layers/*; do
		[ -e "$d" ] || continue
		hex=${d##*/}
		json=$(cat "$d/layer.json" 2>/dev/null) || { echo "layer $hex: no layer.json"; continue; }
		[ -d "$d/diff" ] || { echo "layer $hex: no diff/"; continue; }
		[ "$(jq -r .chain_id <<<"$json")" = "sha256:$hex" ] || echo "layer $hex: layer.json names another chain"
		parent=$(jq -r '.parent // empty' <<<"$json")
		[ -z "$parent" ] || [ -f "$S/layers/${parent#sha256:}/layer.json" ] || echo "layer $hex: its parent is missing"
		have=$(find "$d/diff" -type f -printf '%i %s\n' | sort -u | awk '{s += $2} END {print s + 0}')
		[ "$have" = "$(jq -r .size <<<"$json")" ] || echo "layer $hex: $have bytes, layer.json says $(jq -r .size <<<"$json")"
	done
}
# Partial files in tmp/.  The store's gc keeps a .new-XXXXXX directory (a writer killed
# between its mkdtemp and its rename to w-) for an hour (store_gc.c); it holds at most an
# empty lock file, never a blob or layer, so only that is let through.
tmp_partial() {
	find "$S/tmp" -mindepth 1 \( -name '.new-*' -prune \) -o -print | sed 's/^/tmp: /'
	find "$S/tmp" -mindepth 2 -path '*/.new-*' \( ! -name lock -o -size +0 \) | sed 's/^/tmp: /'
}
# consistent [pre]: empty when the store is as it must be.  Before gc (pre) the records'
# layers and blobs must all be there; after gc, nothing else either.
consistent() {
	local id
	layers_whole
	comm -23 <(named_layers) <(ls "$S/layers" | sort) | sed 's/^/a record names a missing layer: /'
	comm -23 <(named_blobs) <(ls "$S/blobs/sha256" | sort) | sed 's/^/a record names a missing blob: /'
	[ "${1:-}" = pre ] && return
	tmp_partial
	comm -13 <(named_layers) <(ls "$S/layers" | sort) | sed 's/^/an unnamed layer after gc: /'
	comm -13 <(named_blobs) <(ls "$S/blobs/sha256" | sort) | sed 's/^/an unnamed blob after gc: /'
	for id in $("$NR" images -q --no-trunc | sort -u); do
		runi "$id" true >/dev/null 2>&1 || echo "image $id does not run"
	done
}

# --- 1. two loads of images sharing layers, started together ---
# flock as a barrier: both wait on the lock this shell holds, and go when it lets go.
barrier_hold() { exec 7>/run/barrier && flock -x 7; }
barrier_go() { flock -u 7; exec 7>&-; }
together() { (flock -s /run/barrier true && exec timeout 60 "$NR" load -i "$1" </dev/null) 7>&-; }
bad=""
for ((i = 1; i <= ROUNDS; i++)); do
	barrier_hold
	together /run/a.tar >/run/la.out 2>&1 &
	pa=$!
	together /run/b.tar >/run/lb.out 2>&1 &
	pb=$!
	sleep 0.2
	barrier_go
	wait $pa; ra=$?
	wait $pb; rb=$?
	why=$(
		[ $ra = 0 ] && [ "$(cat /run/la.out)" = "Loaded image: ia:1" ] || echo "load a: rc $ra: $(cat /run/la.out)"
		[ $rb = 0 ] && [ "$(cat /run/lb.out)" = "Loaded image: ib:1" ] || echo "load b: rc $rb: $(cat /run/lb.out)"
		[ -z "$(ls -A "$S/tmp")" ] || echo "tmp/ not empty after both: $(ls -A "$S/tmp")"
		[ "$(runi ia:1 cat /mid /file 2>&1 | tr '\n' ' ')" = "mid a " ] || echo "ia:1 does not run"
		[ "$(runi ib:1 cat /mid /file 2>&1 | tr '\n' ' ')" = "mid b " ] || echo "ib:1 does not run"
		la=$(jq -r '.layers | join(" ")' "$S/images/$("$NR" images -q --no-trunc ia:1 | sed 's/^sha256://').json")
		lb=$(jq -r '.layers | join(" ")' "$S/images/$("$NR" images -q --no-trunc ib:1 | sed 's/^sha256://').json")
		[ "$(cut -d' ' -f1-2 <<<"$la")" = "$(cut -d' ' -f1-2 <<<"$lb")" ] || echo "the two bottom chain ids differ"
		[ "$(ls "$S/layers" | wc -l)" = 4 ] || echo "layers/: $(ls "$S/layers" | wc -l) layers, want 4 (2 shared once + 2 tops)"
		consistent pre
	)
	[ -n "$why" ] && bad+="round $i: $(tr '\n' ';' <<<"$why") "
	empty_store
done
t_eq "$ROUNDS rounds of two loads of images sharing layers, started together: both load and run, shared layers once, no tmp/" \
	"$(head -c 600 <<<"$bad")" ""

# --- 2. the same archive loaded twice at once ---
bad=""
for ((i = 1; i <= ROUNDS; i++)); do
	barrier_hold
	together /run/a.tar >/run/la.out 2>&1 &
	pa=$!
	together /run/a.tar >/run/lb.out 2>&1 &
	pb=$!
	sleep 0.2
	barrier_go
	wait $pa; ra=$?
	wait $pb; rb=$?
	why=$(
		[ $ra = 0 ] && [ $rb = 0 ] || echo "rc $ra and $rb: $(cat /run/la.out /run/lb.out)"
		[ "$(cat /run/la.out /run/lb.out | sort -u)" = "Loaded image: ia:1" ] || echo "said: $(cat /run/la.out /run/lb.out)"
		[ "$("$NR" images --format '{{.Repository}}:{{.Tag}}')" = "ia:1" ] || echo "images: $("$NR" images --format '{{.Repository}}:{{.Tag}} {{.ID}}')"
		[ "$(ls "$S/images" | wc -l)" = 1 ] || echo "$(ls "$S/images" | wc -l) image records"
		[ "$(ls "$S/layers" | wc -l)" = 3 ] || echo "$(ls "$S/layers" | wc -l) layers, want 3"
		[ -z "$(ls -A "$S/tmp")" ] || echo "tmp/ not empty: $(ls -A "$S/tmp")"
		[ "$(runi ia:1 cat /file 2>&1)" = a ] || echo "ia:1 does not run"
		consistent pre
	)
	[ -n "$why" ] && bad+="round $i: $(tr '\n' ';' <<<"$why") "
	empty_store
done
t_eq "$ROUNDS rounds of one archive loaded twice at once: both succeed, one image, named ia:1" "$(head -c 600 <<<"$bad")" ""

# --- 3. load killed at the N-th call of each syscall, then gc ---
# Twice: on an empty store (every layer unpacked: busybox's symlinks and all), and with
# bb:1 there (its layer found present, two unpacked).
# calls SYSCALL: how many times one run made it (strace -c: "... calls [errors] syscall").
calls() { awk -v s="$1" '$NF == s && $1 ~ /^[0-9.]+$/ {print $4}' /run/count.txt; }
points=0 fails=0 kinds=""
crash_loads() {
	local state=$1 base_layers sc c ns n rc hit why out
	base_layers=$(ls "$S/layers")
	strace -f -qq -c -o /run/count.txt -e trace="$(tr ' ' ',' <<<"$SYSCALLS")" "$NR" load -i /run/a.tar >/dev/null 2>&1 </dev/null
	"$NR" rmi ia:1 >/dev/null && gc
	kinds+="[$state] "
	for sc in $SYSCALLS; do
		c=$(calls "$sc")
		[ -n "$c" ] && [ "$c" -gt 0 ] || continue
		# PER points spread over the c calls: the first, the last, and between.
		ns=$(if [ "$c" -le "$PER" ]; then seq 1 "$c"; else for ((j = 0; j < PER; j++)); do echo $((1 + j * (c - 1) / (PER - 1))); done; fi | sort -nu)
		hit=0
		for n in $ns; do
			(timeout 30 strace -f -qq -o /dev/null -e inject="$sc:signal=KILL:when=$n" \
				"$NR" load -i /run/a.tar >/dev/null 2>&1 </dev/null) 2>/dev/null
			rc=$?
			if [ $rc = 0 ]; then # fewer calls this time: nothing was killed
				"$NR" rmi ia:1 >/dev/null 2>&1; gc
				continue
			fi
			points=$((points + 1)) hit=$((hit + 1))
			why=$(consistent pre | sed 's/^/before gc: /')
			gc
			why+=$(consistent)
			out=$(load /run/a.tar 2>&1)
			[ "$out" = "Loaded image: ia:1" ] || why+=" a fresh load: $out"
			[ "$(runi ia:1 cat /mid /file 2>&1 | tr '\n' ' ')" = "mid a " ] || why+=" ia:1 does not run after a fresh load"
			"$NR" rmi ia:1 >/dev/null 2>&1; gc
			[ "$(ls "$S/layers")" = "$base_layers" ] || why+=" after rmi ia:1 + gc, layers/ is not as before the load"
			if [ -n "$why" ]; then
				fails=$((fails + 1))
				t_fail "[$state] load killed at $sc #$n of $c (rc $rc): consistent, gc clean, loads again" "$(tr '\n' ';' <<<"$why" | head -c 400)"
			fi
		done
		kinds+="$sc:$hit/$c "
	done
}
exec 3>&2 2>/dev/null # bash's "Killed" notices
crash_loads empty
load /run/bb.tar >/dev/null
crash_loads with-bb
# And by time: killed after a delay, wherever it is.
for d in 0.002 0.005 0.01 0.015 0.02 0.03 0.04 0.06; do
	"$NR" load -i /run/a.tar >/dev/null 2>&1 </dev/null &
	sleep $d
	kill -KILL $! 2>/dev/null
	wait $!
	points=$((points + 1))
	why=$(consistent pre | sed 's/^/before gc: /')
	gc
	why+=$(consistent)
	out=$(load /run/a.tar 2>&1)
	[ "$out" = "Loaded image: ia:1" ] && [ "$(runi ia:1 cat /file 2>&1)" = a ] || why+=" a fresh load: $out"
	"$NR" rmi ia:1 >/dev/null 2>&1; gc
	[ -z "$why" ] || { fails=$((fails + 1)); t_fail "load killed after ${d}s: consistent, gc clean, loads again" "$(tr '\n' ';' <<<"$why" | head -c 400)"; }
done
exec 2>&3 3>&-
echo "# $points load crash points tried (syscall:points/calls: $kinds+ 8 delays); .new- dirs kept by gc's grace: $(find "$S/tmp" -mindepth 1 -maxdepth 1 -name '.new-*' | wc -l)"
t_eq "every killed load left whole layers, and gc a clean store that loads again" $fails 0
t_check "at least $MIN_POINTS load crash points were hit" test $points -ge "$MIN_POINTS"
t_eq "bb:1 still runs after them all" "$(runi bb:1 cat /etc/group 2>&1)" "root:x:0:"
empty_store

# --- 4. save killed: no FILE (only the last rename makes it), an older FILE kept ---
load /run/a.tar >/dev/null
mkdir -p /run/out
strace -f -qq -c -o /run/count.txt -e trace=write,fsync,rename,openat "$NR" save -o /run/out/x.tar ia:1 >/dev/null 2>&1
rm -f /run/out/x.tar
spoints=0 sbad="" leftovers=0
exec 3>&2 2>/dev/null
for sc in write fsync rename openat; do
	c=$(calls "$sc")
	[ -n "$c" ] && [ "$c" -gt 0 ] || continue
	for n in $(for ((j = 0; j < 4; j++)); do echo $((1 + j * (c - 1) / 3)); done | sort -nu); do
		for old in no yes; do
			rm -f /run/out/x.tar
			[ $old = yes ] && echo old >/run/out/x.tar
			(timeout 30 strace -f -qq -o /dev/null -e inject="$sc:signal=KILL:when=$n" \
				"$NR" save -o /run/out/x.tar ia:1 >/dev/null 2>&1 </dev/null) 2>/dev/null
			[ $? = 0 ] && continue
			spoints=$((spoints + 1))
			if [ $old = yes ]; then
				[ "$(cat /run/out/x.tar 2>&1)" = old ] || sbad+="$sc #$n: the older FILE changed; "
			else
				[ ! -e /run/out/x.tar ] || sbad+="$sc #$n: FILE exists ($(stat -c %s /run/out/x.tar) bytes); "
			fi
			# Only a kill at the final rename may leave the linked FILE.tmp-*: the archive
			# is written into an unnamed (O_TMPFILE) file until then.
			left=$(find /run/out -name 'x.tar.tmp-*' | wc -l)
			[ "$left" = 0 ] || [ $sc = rename ] || sbad+="$sc #$n: left a FILE.tmp-*; "
			leftovers=$((leftovers + left))
			rm -f /run/out/x.tar.tmp-*
		done
	done
done
exec 2>&3 3>&-
echo "# $spoints save crash points; $leftovers left a FILE.tmp-* (killed at the final rename)"
t_eq "a killed save -o FILE leaves no FILE (nor a temporary one before its rename), and an older FILE as it was" "$sbad" ""
t_check "at least 10 save crash points were hit" test $spoints -ge 10
t_eq "... and the store as it was (consistent, nothing in tmp/)" "$(consistent)" ""
rm -rf /run/out
empty_store

# --- 5. rmi during a load of another image sharing its layers ---
# a) the load slowed (each read delayed), rmi ib:1 meanwhile; b) the rmi slowed (each
# unlink and rename delayed), the load meanwhile; c) rmi ib:1, then gc again and again
# while a slowed load of ia:1 unpacks (its new layers named by no record yet).  Each way ia:1 keeps the
# shared layers and its own.
bad=""
for order in load-slow rmi-slow gc-during-load; do
	load /run/b.tar >/dev/null
	if [ $order = gc-during-load ]; then
		"$NR" rmi ib:1 >/run/rmi.out 2>&1; rr=$?
		# Each layer's syncfs (before its rename into layers/) slowed: a layer stays
		# named by no record for a while, and gc runs every 0.1 s meanwhile.
		strace -f -qq -o /dev/null -e inject=syncfs:delay_enter=300000 "$NR" load -i /run/a.tar >/run/la.out 2>&1 </dev/null &
		pa=$!
		while kill -0 $pa 2>/dev/null; do "$NR" gc -q >/dev/null 2>&1; sleep 0.1; done
		wait $pa; ra=$?
	elif [ $order = load-slow ]; then
		strace -f -qq -o /dev/null -e inject=read:delay_enter=20000 "$NR" load -i /run/a.tar >/run/la.out 2>&1 </dev/null &
		pa=$!
		sleep 0.3
		"$NR" rmi ib:1 >/run/rmi.out 2>&1; rr=$?
		wait $pa; ra=$?
	else
		strace -f -qq -o /dev/null -e inject=unlink,unlinkat,rename:delay_enter=3000 "$NR" rmi ib:1 >/run/rmi.out 2>&1 &
		pr=$!
		sleep 0.3
		"$NR" load -i /run/a.tar >/run/la.out 2>&1 </dev/null; ra=$?
		wait $pr; rr=$?
	fi
	why=$(
		[ $ra = 0 ] || echo "load: rc $ra: $(cat /run/la.out)"
		[ $rr = 0 ] || echo "rmi: rc $rr: $(cat /run/rmi.out)"
		[ "$(runi ia:1 cat /etc/group /mid /file 2>&1 | tr '\n' ' ')" = "root:x:0: mid a " ] || echo "ia:1 does not run whole"
		[ "$("$NR" images --format '{{.Repository}}:{{.Tag}}')" = ia:1 ] || echo "images: $("$NR" images --format '{{.Repository}}:{{.Tag}}')"
		consistent pre
		gc
		consistent
		[ "$(ls "$S/layers" | wc -l)" = 3 ] || echo "$(ls "$S/layers" | wc -l) layers after gc, want ia's 3"
	)
	[ -n "$why" ] && bad+="$order: $(tr '\n' ';' <<<"$why") "
	empty_store
done
t_eq "rmi of ib:1 (and gc) racing a load of ia:1 (shared layers), each slowed in turn: ia:1 runs whole" "$bad" ""

# --- the end: nothing left ---
empty_store
t_eq "the store is empty at the end (layers, blobs, images, tmp)" "$(store_files)" ""
t_eq "nothing is left of the containers" "$(nr_leftovers)" ""
t_done
