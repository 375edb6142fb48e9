#!/bin/bash
# Issue 18's "Must show": the real docker CLI drives our daemon.  One scenario (version,
# info, network create/ls/inspect/connect/rm, run --rm (output and exit code), run -d -p
# reachable on the host port, logs, exec (exit code), exec -it through a pty, stop, kill,
# wait, rm -f, ps -a, inspect, images, load -i, save, commit, import, events), run twice:
# with the docker 28.2.2 CLI (API 1.50) and with Debian's docker.io 20.10 client (API
# 1.41; `make deps-docker-client` unpacks it into build/deps, nothing of the package is
# installed).  In a sandbox with its own pid namespace: the daemon listens on a socket
# under the temp dir, every state and config directory is private, DOCKER_CONFIG too (so
# nothing of the host's docker configuration is read), and nothing can outlive the test.
source "$(dirname "$0")/../lib/sandbox_pid.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/runtime.sh"
source "$(dirname "$0")/../lib/busybox_image.sh"
source "$(dirname "$0")/../lib/images.sh"

DAEMON="$NR_BUILD/bin/netns-run-daemon"
DOCKER28=${DOCKER28:-/usr/local/bin/docker}
DOCKER20=${DOCKER20:-$NR_BUILD/deps/usr/bin/docker}
TMP=$(mktemp -d -p /run dd.XXXXXX)
SOCK=$TMP/d.sock
export DOCKER_HOST=unix://$SOCK DOCKER_CONFIG=$TMP/dockercfg
mkdir -p "$DOCKER_CONFIG"
unset DOCKER_CONTEXT DOCKER_API_VERSION DOCKER_TLS_VERIFY DOCKER_CERT_PATH
DPID=""

finish() {
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null
	nr_cleanup
	sandbox_kill_all
	rm -rf "$TMP"
}
trap finish EXIT

if [ ! -x "$DAEMON" ]; then t_skip "the docker CLI against our daemon" "netns-run-daemon not built"; t_done; exit; fi
if ! busybox_image "$TMP/bb.tar" bb:1; then t_skip "the docker CLI against our daemon" "no static /bin/busybox"; t_done; exit; fi
img_busybox_rootfs_tar "$TMP/rootfs.tar"

# The daemon, in the background; its log beside the socket.
"$DAEMON" -H "unix://$SOCK" >"$TMP/daemon.log" 2>&1 &
DPID=$!
for _ in $(seq 200); do
	[ -S "$SOCK" ] && curl -sf --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1 && break
	kill -0 "$DPID" 2>/dev/null || break
	sleep 0.05
done
if ! curl -sf --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1; then
	t_fail "the daemon answers /_ping on $SOCK" "$(tail -20 "$TMP/daemon.log")"
	t_done
	exit
fi
t_ok "the daemon answers /_ping on $SOCK"

# A host address to reach published ports on, as tests/integration/runtime_network.sh.
ip link add up0 type veth peer name up1 && ip addr add 192.0.2.1/24 dev up0 && ip link set up0 up && ip link set up1 up

# http HOST PORT: the body of GET / (empty when nothing answers), tried for up to 5 s.
http() {
	local out
	for _ in $(seq 50); do
		out=$(curl -s --max-time 1 "http://$1:$2/" 2>/dev/null) && [ -n "$out" ] && break
		sleep 0.1
	done
	echo "$out"
}
now() { date +%s.%N; }

# scenario DOCKER LABEL: the whole list of verbs with one client.  Names carry LABEL so
# that the second run finds nothing of the first.
scenario() {
	local D=$1 L=$2 out rc id t0 t1 web=$P-$2-web
	t0=$(now)
	dk() { "$D" "$@"; }

	# --- version, info ---
	out=$(dk version 2>&1); rc=$?
	t_eq "[$L] docker version: 0" "$rc" 0
	t_check "[$L] ... its Server section names netns-run" grep -qi netns-run <<<"$(sed -n '/^Server/,$p' <<<"$out")"
	t_check "[$L] ... and an API version in 1.41..1.50" grep -qE "API version: +1\.(4[1-9]|50)" <<<"$(sed -n '/^Server/,$p' <<<"$out")"
	out=$(dk info --format '{{.OSType}} {{.Containers}}' 2>&1); rc=$?
	t_eq "[$L] docker info: 0" "$rc" 0
	t_check "[$L] ... OSType linux, a container count" grep -qE '^linux [0-9]+$' <<<"$out"

	# --- images: load -i, images ---
	out=$(dk load -i "$TMP/bb.tar" 2>&1); rc=$?
	t_eq "[$L] load -i: 0" "$rc" 0
	t_check "[$L] ... Loaded image: bb:1" grep -q "Loaded image: bb:1" <<<"$out"
	t_check "[$L] images lists bb 1" grep -qE '^bb +1 ' <<<"$(dk images 2>&1)"

	# --- networks ---
	out=$(dk network create --subnet 10.87.$3.0/24 "$P-$L-net" 2>&1); rc=$?
	t_eq "[$L] network create: 0" "$rc" 0
	t_check "[$L] ... prints the id" grep -qE '^[0-9a-f]{12,64}$' <<<"$out"
	t_check "[$L] network ls shows it" grep -q " $P-$L-net " <<<"$(dk network ls 2>&1)"
	t_eq "[$L] network inspect: name and subnet" \
		"$(dk network inspect --format '{{.Name}} {{range .IPAM.Config}}{{.Subnet}}{{end}}' "$P-$L-net" 2>&1)" \
		"$P-$L-net 10.87.$3.0/24"

	# --- run --rm: output and exit code ---
	out=$(dk run --rm bb:1 echo hello-$L 2>&1); rc=$?
	t_eq "[$L] run --rm IMAGE echo: the output, exit 0" "$rc $out" "0 hello-$L"
	dk run --rm bb:1 sh -c 'exit 3' >/dev/null 2>&1
	t_eq "[$L] run --rm IMAGE sh -c 'exit 3': exit 3" "$?" 3
	t_check "[$L] ... and --rm removed both" sh -c "! $D ps -a --format '{{.Image}}' | grep -q ."

	# --- run -d -p: a web server reachable on the host port ---
	out=$(dk run -d --name "$web" -p 8080:80 bb:1 sh -c \
		'mkdir -p /www && echo web-says-hi >/www/index.html && echo started; exec httpd -f -p 80 -h /www' 2>&1); rc=$?
	t_eq "[$L] run -d --name web -p 8080:80 IMAGE httpd: 0" "$rc" 0
	t_check "[$L] ... prints the full id" grep -qE '^[0-9a-f]{64}$' <<<"$out"
	id=$out
	t_eq "[$L] the published port answers on the host's address" "$(http 192.0.2.1 8080)" web-says-hi
	t_eq "[$L] ... and on 127.0.0.1" "$(http 127.0.0.1 8080)" web-says-hi

	# --- logs, exec, exec -it ---
	await 10 sh -c "$D logs $web 2>/dev/null | grep -q started"
	t_eq "[$L] logs" "$(dk logs "$web" 2>&1)" started
	t_eq "[$L] exec: the output" "$(dk exec "$web" cat /www/index.html 2>&1)" web-says-hi
	t_eq "[$L] its hostname is its short id, as Docker's" "$(dk exec "$web" hostname 2>&1)" \
		"$(dk inspect -f '{{.Id}}' "$web" | cut -c1-12)"
	dk exec "$web" sh -c 'exit 7' >/dev/null 2>&1
	t_eq "[$L] exec: the exit code" "$?" 7
	out=$(script -qec "$D exec -it $web sh -c 'tty; exit 5'" /dev/null 2>&1); rc=$?
	t_eq "[$L] exec -it through a pty: the exit code" "$rc" 5
	t_check "[$L] ... the command has a terminal" grep -q "/dev/pts/" <<<"$out"

	# --- network connect, inspect ---
	dk network connect "$P-$L-net" "$web" >/dev/null 2>&1
	t_eq "[$L] network connect: 0" "$?" 0
	t_check "[$L] inspect: the container is on the network with an address in its subnet" grep -q "^10\.87\.$3\." \
		<<<"$(dk inspect --format "{{(index .NetworkSettings.Networks \"$P-$L-net\").IPAddress}}" "$web" 2>&1)"
	t_eq "[$L] inspect: id, state, image" "$(dk inspect --format '{{.Id}} {{.State.Status}} {{.Config.Image}}' "$web" 2>&1)" \
		"$id running bb:1"
	t_eq "[$L] inspect by a short-id prefix" "$(dk inspect --format '{{.Name}}' "${id:0:12}" 2>&1)" "/$web"

	# --- commit ---
	out=$(dk commit "$web" "$P-$L-img:c1" 2>&1); rc=$?
	t_eq "[$L] commit: 0" "$rc" 0
	t_eq "[$L] ... the new image holds the container's file" "$(dk run --rm "$P-$L-img:c1" cat /www/index.html 2>&1)" web-says-hi

	# --- stop, kill, wait ---
	dk stop -t 2 "$web" >/dev/null 2>&1
	t_eq "[$L] stop: 0" "$?" 0
	t_eq "[$L] ... the container exited" "$(dk inspect --format '{{.State.Status}}' "$web" 2>&1)" exited
	t_check "[$L] ... and the port answers no more" sh -c "! curl -s --max-time 1 http://192.0.2.1:8080/ >/dev/null"
	dk run -d --name "$P-$L-sleeper" bb:1 sleep 1000 >/dev/null 2>&1
	dk kill "$P-$L-sleeper" >/dev/null 2>&1
	t_eq "[$L] kill: 0" "$?" 0
	t_eq "[$L] wait after kill: 137" "$(dk wait "$P-$L-sleeper" 2>&1)" 137
	dk run -d --name "$P-$L-three" bb:1 sh -c 'sleep 0.3; exit 3' >/dev/null 2>&1
	t_eq "[$L] wait: the exit code" "$(dk wait "$P-$L-three" 2>&1)" 3

	# --- ps ---
	out=$(dk ps -a --format '{{.Names}} {{.Status}}' 2>&1)
	t_check "[$L] ps -a lists web, exited" grep -q "^$web Exited (" <<<"$out"
	t_check "[$L] ps -a lists the killed one, Exited (137)" grep -q "^$P-$L-sleeper Exited (137)" <<<"$out"
	t_check "[$L] ps -a lists the third, Exited (3)" grep -q "^$P-$L-three Exited (3)" <<<"$out"
	t_eq "[$L] ps (running only): none" "$(dk ps -q 2>&1)" ""

	# --- save, import ---
	dk save -o "$TMP/saved-$L.tar" bb:1 >/dev/null 2>&1
	t_eq "[$L] save -o: 0" "$?" 0
	t_check "[$L] ... a docker archive (manifest.json)" sh -c "tar -tf '$TMP/saved-$L.tar' | grep -qx manifest.json"
	dk rmi "$P-$L-img:c1" >/dev/null 2>&1
	t_check "[$L] load -i of what save wrote" grep -q "Loaded image: bb:1" <<<"$(dk load -i "$TMP/saved-$L.tar" 2>&1)"
	out=$(dk import "$TMP/rootfs.tar" "$P-$L-imp:1" 2>&1); rc=$?
	t_eq "[$L] import: 0" "$rc" 0
	t_check "[$L] ... prints the image id" grep -qE '^sha256:[0-9a-f]{64}$' <<<"$out"
	t_eq "[$L] ... and it runs" "$(dk run --rm "$P-$L-imp:1" /bin/busybox echo imported 2>&1)" imported

	# --- rm -f, network rm ---
	dk rm -f "$web" "$P-$L-sleeper" "$P-$L-three" >/dev/null 2>&1
	t_eq "[$L] rm -f: 0" "$?" 0
	t_eq "[$L] ps -a: none left" "$(dk ps -aq 2>&1)" ""
	dk network rm "$P-$L-net" >/dev/null 2>&1
	t_eq "[$L] network rm: 0" "$?" 0
	t_check "[$L] ... gone from network ls" sh -c "! $D network ls | grep -q ' $P-$L-net '"
	dk rmi "$P-$L-imp:1" >/dev/null 2>&1

	# --- events: what happened since t0, bounded by --until ---
	t1=$(now)
	out=$(timeout 20 "$D" events --since "$t0" --until "$t1" --format '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}' 2>&1)
	t_eq "[$L] events --since --until: ends by itself" "$?" 0
	for e in "container create $web" "container start $web" "container die $web" "container destroy $web" \
		"container kill $P-$L-sleeper" "container die $P-$L-sleeper" "network create $P-$L-net" \
		"network connect $P-$L-net" "network destroy $P-$L-net"; do
		t_check "[$L] events: $e" grep -qx "$e" <<<"$out"
	done
	t_check "[$L] events: die carries the exit code" grep -q '"exitCode":"137"' \
		<<<"$(timeout 20 "$D" events --since "$t0" --until "$t1" --filter "container=$P-$L-sleeper" --filter event=die --format '{{json .}}' 2>&1)"
	t_eq "[$L] events --filter type=network: networks only" \
		"$(timeout 20 "$D" events --since "$t0" --until "$t1" --filter type=network --format '{{.Type}}' 2>&1 | sort -u)" network
	# A live stream (no --until) sees a new container's create, start, die and destroy,
	# then is ended.  --since a moment before it starts: what happens before its request
	# reaches the daemon comes from the ring, so nothing is lost to the race.
	timeout 30 "$D" events --since "$(now)" --filter type=container \
		--format '{{.Action}} {{.Actor.Attributes.name}}' >"$TMP/live-$L" 2>&1 &
	local epid=$!
	dk run --rm --name "$P-$L-ev" bb:1 true >/dev/null 2>&1
	await 10 grep -q "destroy $P-$L-ev" "$TMP/live-$L"
	t_check "[$L] ... the live stream is still open" kill -0 "$epid"
	kill "$epid" 2>/dev/null
	wait "$epid" 2>/dev/null
	t_eq "[$L] a live events stream: create, start, die, destroy of run --rm" \
		"$(grep " $P-$L-ev$" "$TMP/live-$L" | grep -E '^(create|start|die|destroy) ' | cut -d' ' -f1 | tr '\n' ' ')" \
		"create start die destroy "
}

scenario "$DOCKER28" docker28 1

if [ -x "$DOCKER20" ]; then
	t_check "the docker.io client is 20.10 (API 1.41)" grep -q "API version: *1.41" <<<"$("$DOCKER20" version 2>&1 | sed -n '1,/^Server/p')"
	scenario "$DOCKER20" docker20 2
else
	t_skip "the scenario with docker.io 20.10 (API 1.41)" "no $DOCKER20 (make deps-docker-client)"
fi

t_check "the daemon is still alive" kill -0 "$DPID"
t_check "its log has no crash" sh -c "! grep -qiE 'segfault|assert|abort' '$TMP/daemon.log'"

# --- a restarted daemon reports the end of a container an earlier one started ---
D=$DOCKER28
"$D" run -d --name "$P-survivor" bb:1 sleep 1000 >/dev/null 2>&1
kill -9 "$DPID"
wait "$DPID" 2>/dev/null
rm -f "$SOCK"
"$DAEMON" -H "unix://$SOCK" >>"$TMP/daemon.log" 2>&1 &
DPID=$!
await 10 curl -sf --unix-socket "$SOCK" http://d/_ping
t_eq "after a SIGKILL and a restart: the container still runs" \
	"$("$D" inspect --format '{{.State.Status}}' "$P-survivor" 2>&1)" running
t0=$(now)
timeout 30 "$D" events --since "$t0" --filter "container=$P-survivor" --filter event=die \
	--format '{{.Action}} {{.Actor.Attributes.exitCode}}' >"$TMP/restart-events" 2>&1 &
epid=$!
# The container's end, not through the daemon: the watcher must see it by itself.
kill -9 "$(jq -r .pid "$NETNS_RUN_STATE_DIR/containers/$P-survivor/state.json")"
await 10 grep -q die "$TMP/restart-events"
kill "$epid" 2>/dev/null
wait "$epid" 2>/dev/null
t_eq "... and its end, seen by the new daemon, is a die event with its exit code" "$(cat "$TMP/restart-events")" "die 137"
"$D" rm -f "$P-survivor" >/dev/null 2>&1
t_done
