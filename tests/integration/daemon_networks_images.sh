#!/bin/bash
# The daemon's /networks and /images endpoints (issue 18), driven by the real docker CLI
# (/usr/local/bin/docker, API 1.50) and by curl where the status code or the raw answer
# matters: network create/ls/inspect/rm/connect/disconnect/prune, images, image inspect,
# history, tag, rmi, load, save (loaded back into a second state dir: same id), import,
# pull (a clear error), a load cut off mid-tar (nothing new stays), commit.  Inside the
# sandbox, with a private state and config dir; the daemon listens on a socket under
# /run (the sandbox's tmpfs) and is killed by pid.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/runtime.sh"
source "$(dirname "$0")/../lib/images.sh"
source "$(dirname "$0")/../lib/busybox_image.sh"

DAEMON="$NR_BUILD/bin/netns-run-daemon"
DOCKER=/usr/local/bin/docker
if [ ! -x "$DAEMON" ]; then t_skip "daemon networks and images" "netns-run-daemon not built"; t_done; exit; fi
if [ ! -x "$DOCKER" ]; then t_skip "daemon networks and images" "no docker CLI at $DOCKER"; t_done; exit; fi
if ! busybox_image /run/bb.tar bb:1; then t_skip "daemon networks and images" "no static /bin/busybox"; t_done; exit; fi

W=$(mktemp -d /run/daemon-netimg.XXXX)
SOCK=$W/d.sock
export DOCKER_CONFIG=$W/docker-config # the CLI's own config stays here too
"$DAEMON" -H "unix://$SOCK" >"$W/daemon.log" 2>&1 &
DPID=$!
stop_daemon() {
	kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	nr_cleanup
}
trap stop_daemon EXIT
for _ in $(seq 100); do
	curl -sf --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1 && break
	sleep 0.1
done
if ! curl -sf --unix-socket "$SOCK" http://d/_ping >/dev/null; then
	t_fail "the daemon answers /_ping" "$(cat "$W/daemon.log")"
	t_done
	exit
fi

D() { DOCKER_HOST=unix://$SOCK "$DOCKER" "$@"; }
# Every event of the run, for the checks at the end.
curl -sN --unix-socket "$SOCK" http://d/v1.50/events >"$W/events" 2>/dev/null &
EPID=$!
stop_daemon() {
	kill "$EPID" 2>/dev/null
	kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	nr_cleanup
}
# event TYPE ACTION NAME: such an event was seen (Actor.Attributes.name, or the id for delete).
# (Lines read raw: the stream is live, its last line may be partial.)
event() {
	jq -Rc --arg t "$1" --arg a "$2" --arg n "$3" \
		'fromjson? | select(.Type == $t and .Action == $a and ((.Actor.Attributes.name // .Actor.ID) == $n))' \
		"$W/events" 2>/dev/null | grep -q .
}
# api METHOD PATH [CURL ARGS...]: the body on stdout; the status in $W/status.
api() {
	local m=$1 p=$2
	shift 2
	curl -s --unix-socket "$SOCK" -X "$m" -o "$W/body" -w '%{http_code}' "$@" "http://d/v1.50$p" >"$W/status"
	cat "$W/body"
}
status() { cat "$W/status"; }
# api41 PATH: GET at API 1.41 (Debian's docker.io 20.10 client), the body on stdout.
api41() { curl -s --unix-socket "$SOCK" "http://d/v1.41$1"; }
rc() { "$@" >/dev/null 2>&1; echo $?; }

# ---------------- networks ----------------
id=$(D network create n1 2>&1)
t_check "network create n1: prints a 64-digit id" grep -qE '^[0-9a-f]{64}$' <<<"$id"
t_check "... the conflist is written" test -f "$NETNS_RUN_CONFIG_DIR/n1.conflist"
t_check "network create --subnet --gateway" D network create --subnet 10.77.0.0/24 --gateway 10.77.0.254 --label tier=db n2
t_eq "... inspect: its subnet and gateway" "$(D network inspect n2 | jq -r '.[0].IPAM.Config[0] | .Subnet + " " + .Gateway')" \
	"10.77.0.0/24 10.77.0.254"
t_eq "... inspect: Docker's keys" "$(D network inspect n2 | jq -c '.[0] | [has("Name"), has("Id"), has("Driver"), has("Containers"), has("IPAM"), has("Labels")]')" \
	"[true,true,true,true,true,true]"
t_eq "... inspect: Name, Driver, Scope, Labels" "$(D network inspect n2 | jq -r '.[0] | [.Name, .Driver, .Scope, .Labels.tier] | join(" ")')" \
	"n2 bridge local db"
ls_out=$(D network ls)
t_check "network ls: n1, n2 and the pre-defined networks" bash -c 'for n in n1 n2 bridge host none; do grep -qE "^[0-9a-f]{12} +$n +" <<<"$1" || exit 1; done' _ "$ls_out"
t_check "network ls -q: n1's short id" grep -qx "${id:0:12}" <<<"$(D network ls -q)"
t_eq "network ls --filter name=n2" "$(D network ls --filter name=n2 --format '{{.Name}}')" "n2"
t_eq "network ls --filter label=tier=db" "$(D network ls --filter label=tier=db --format '{{.Name}}')" "n2"
t_eq "network ls --filter dangling=true: the user networks without containers" \
	"$(D network ls --filter dangling=true --format '{{.Name}}' | sort | tr '\n' ' ')" "n1 n2 "
t_eq "network ls --filter type=custom" "$(D network ls --filter type=custom --format '{{.Name}}' | sort | tr '\n' ' ')" "n1 n2 "
api GET '/networks?filters=%7B%22color%22%3A%7B%22red%22%3Atrue%7D%7D' >/dev/null
t_eq "GET /networks with an unknown filter: 400" "$(status)" 400
t_eq "network inspect by id prefix" "$(D network inspect "${id:0:8}" | jq -r '.[0].Name')" "n1"
out=$(D network create n1 2>&1); r=$?
t_check "network create of an existing name fails" test $r != 0
t_check "... with Docker's message" grep -q "network with name n1 already exists" <<<"$out"
api POST /networks/create -H 'Content-Type: application/json' -d '{"Name":"n1"}' >/dev/null
t_eq "... POST /networks/create of an existing name: 409" "$(status)" 409
api POST /networks/create -H 'Content-Type: application/json' -d '{"Name":"n3","IPAM":{"Config":[{"Subnet":"10.78.0.0/33"}]}}' >/dev/null
t_eq "POST /networks/create with a bad subnet: 400" "$(status)" 400
t_check "... nothing written" test ! -e "$NETNS_RUN_CONFIG_DIR/n3.conflist"
body=$(api POST /networks/create -H 'Content-Type: application/json' -d '{"Name":"n4","CheckDuplicate":true,"Attachable":true}')
t_eq "POST /networks/create: 201 {Id, Warning}" "$(status) $(jq -r '(.Id | length | tostring) + " [" + .Warning + "]"' <<<"$body")" "201 64 []"
out=$(D network rm bridge 2>&1); r=$?
t_check "network rm bridge is refused" test $r != 0
t_check "... a pre-defined network" grep -q "bridge is a pre-defined network and cannot be removed" <<<"$out"
api DELETE /networks/host >/dev/null
t_eq "DELETE /networks/host: 403" "$(status)" 403
api DELETE /networks/nope >/dev/null
t_eq "DELETE /networks/nope: 404" "$(status)" 404
api GET /networks/nope >/dev/null
t_eq "GET /networks/nope: 404" "$(status)" 404
t_eq "network rm n1 prints its name" "$(D network rm n1 2>&1)" "n1"
t_check "... gone from ls" bash -c '! grep -qE " n1 " <<<"$1"' _ "$(D network ls)"
t_check "... and its conflist" test ! -e "$NETNS_RUN_CONFIG_DIR/n1.conflist"

# ---------------- images ----------------
t_eq "docker images with no store: the header alone" "$(D images | wc -l)" 1
t_eq "docker load -i FILE" "$(D load -i /run/bb.tar 2>&1)" "Loaded image: bb:1"
iid=$(D images -q --no-trunc bb:1)
t_check "docker images -q --no-trunc: the full id" grep -qE '^sha256:[0-9a-f]{64}$' <<<"$iid"
t_check "docker images: bb 1 and the short id" grep -qE "^bb +1 +${iid:7:12} " <<<"$(D images)"
t_eq "... the same id as netns-run images" "$("$NR" images -q --no-trunc bb:1)" "$iid"
body=$(api GET /images/json)
t_eq "GET /images/json: ImageSummary's keys (API 1.50: no VirtualSize, as Docker since 1.44)" "$(jq -c '.[0] | keys' <<<"$body")" \
	'["Containers","Created","Id","Labels","ParentId","RepoDigests","RepoTags","SharedSize","Size"]'
t_eq "docker image inspect: Id, RepoTags, Os, RootFS" \
	"$(D image inspect bb:1 | jq -r '.[0] | [.Id, (.RepoTags | join(",")), .Os, .RootFS.Type, (.RootFS.Layers | length | tostring)] | join(" ")')" \
	"$iid bb:1 linux layers 1"
t_eq "... Config.Cmd" "$(D image inspect -f '{{json .Config.Cmd}}' bb:1)" '["sh"]'
out=$(D image inspect nope:1 2>&1); r=$?
t_check "docker image inspect of an unknown image fails" test $r != 0
t_check "... No such image" grep -qi "no such image" <<<"$out"
api GET /images/nope:1/json >/dev/null
t_eq "GET /images/nope:1/json: 404" "$(status)" 404
t_check "docker history: a row with the image's short id" grep -q "^${iid:7:12} " <<<"$(D history bb:1)"
t_eq "GET /images/bb:1/history: Id of the top entry" "$(api GET /images/bb:1/history | jq -r '.[0].Id')" "$iid"
t_check "docker tag bb:1 bb:2" D tag bb:1 bb:2
t_eq "... both names" "$(D images --format '{{.Repository}}:{{.Tag}}' | sort | tr '\n' ' ')" "bb:1 bb:2 "
t_eq "docker images --filter reference=bb:2" "$(D images --filter reference=bb:2 --format '{{.Tag}}')" "2"
t_eq "docker images --filter dangling=true: none" "$(D images -q --filter dangling=true)" ""
t_eq "docker rmi bb:2: untagged" "$(D rmi bb:2 2>&1)" "Untagged: bb:2"
# Names with slashes (Docker routes /images/{name:.*}).
t_check "docker tag bb:1 team/app:v2" D tag bb:1 team/app:v2
t_eq "docker image inspect team/app:v2: its id" "$(D image inspect -f '{{.Id}}' team/app:v2 2>&1)" "$iid"
t_check "docker history team/app:v2" grep -q "^${iid:7:12} " <<<"$(D history team/app:v2)"
t_eq "docker rmi team/app:v2: untagged" "$(D rmi team/app:v2 2>&1)" "Untagged: team/app:v2"
out=$(D rmi nope:1 2>&1); r=$?
t_check "docker rmi of an unknown image fails" test $r != 0
t_check "... No such image: nope:1" grep -q "No such image: nope:1" <<<"$out"
api DELETE /images/nope:1 >/dev/null
t_eq "DELETE /images/nope:1: 404" "$(status)" 404

# save, and load into a second state dir: the same id
t_check "docker save -o F bb:1" D save -o "$W/saved.tar" bb:1
t_check "... a tar with manifest.json" bash -c 'tar -tf "$1" | grep -qx manifest.json' _ "$W/saved.tar"
t_eq "... loads into a second state dir with the same id" \
	"$(NETNS_RUN_STATE_DIR=$W/state2 "$NR" load -i "$W/saved.tar" >/dev/null 2>&1; NETNS_RUN_STATE_DIR=$W/state2 "$NR" images -q --no-trunc bb:1)" "$iid"
api GET '/images/get?names=bb:1' >/dev/null
t_eq "GET /images/get?names=bb:1: 200" "$(status)" 200
t_check "... a tar" bash -c 'tar -tf "$1" >/dev/null' _ "$W/body"
api GET '/images/get?names=nope:1' >/dev/null
t_eq "GET /images/get?names=nope:1: 404 before any tar" "$(status)" 404

# import
img_busybox_rootfs_tar "$W/rootfs.tar"
out=$(D import --change 'CMD ["echo","imported"]' --change 'ENV IMPORTED=yes' "$W/rootfs.tar" imp:1 2>&1)
t_check "docker import ROOTFS.tar imp:1: prints the id" grep -qE '^sha256:[0-9a-f]{64}$' <<<"$out"
t_eq "... listed" "$(D images --format '{{.Repository}}:{{.Tag}}' imp)" "imp:1"
t_eq "... the changes applied (both)" "$(D image inspect -f '{{json .Config.Cmd}} {{json .Config.Env}}' imp:1)" \
	'["echo","imported"] ["IMPORTED=yes"]'
t_check "docker save of two images" D save -o "$W/two.tar" bb:1 imp:1
t_eq "... both in manifest.json" "$(tar -xOf "$W/two.tar" manifest.json | jq -r '[.[].RepoTags[]] | sort | join(" ")')" "bb:1 imp:1"
dang=$(D import "$W/rootfs.tar" 2>&1)
t_check "docker import without a name: an id" grep -qE '^sha256:[0-9a-f]{64}$' <<<"$dang"
t_eq "docker images --filter dangling=true: it" "$(D images -q --no-trunc --filter dangling=true)" "$dang"
q='?filters=%7B%22dangling%22%3A%7B%22true%22%3Atrue%7D%7D'
t_eq "GET /v1.50/images/json: an untagged image has no RepoTags" "$(api GET "/images/json$q" | jq -c '.[0].RepoTags')" '[]'
t_eq "GET /v1.41/images/json: <none>:<none>, <none>@<none> and VirtualSize" \
	"$(api41 "/images/json$q" | jq -c '.[0] | [.RepoTags, .RepoDigests, (.VirtualSize > 0)]')" '[["<none>:<none>"],["<none>@<none>"],true]'
t_eq "docker rmi ID of the untagged image" "$(D rmi "$dang" 2>&1)" "Deleted: $dang"

# pull: no registry
out=$(D pull nope/nothing:1 2>&1); r=$?
t_check "docker pull of an image we lack fails" test $r != 0
t_check "... saying registries are not reached" grep -q "does not reach registries" <<<"$out"
out=$(D pull bb:1 2>&1); r=$?
t_eq "docker pull of an image we hold succeeds" $r 0
t_check "... Image is up to date" grep -q "Image is up to date for bb:1" <<<"$out"

# a load cut off mid-tar leaves nothing new
before=$(find "$NETNS_RUN_STATE_DIR/images/images" -type f | wc -l)
busybox_image "$W/cc.tar" cc:1
head -c 300000 "$W/cc.tar" >"$W/cut.tar"
body=$(api POST /images/load -H 'Content-Type: application/x-tar' --data-binary @"$W/cut.tar")
t_eq "POST /images/load of a cut tar: 200 with an error line" "$(status) $(jq -r 'has("errorDetail")' <<<"$body" | tail -1)" "200 true"
out=$(D load -i "$W/cut.tar" 2>&1); r=$?
t_check "docker load of a cut tar fails" test $r != 0
t_eq "... no new image" "$(find "$NETNS_RUN_STATE_DIR/images/images" -type f | wc -l)" "$before"
# A client that goes away mid-body: Content-Length promises more than it sends.
python3 - "$SOCK" "$W/cc.tar" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
data = open(sys.argv[2], "rb").read()
s.sendall(b"POST /v1.50/images/load HTTP/1.1\r\nHost: d\r\nContent-Type: application/x-tar\r\n"
          b"Content-Length: %d\r\n\r\n" % len(data) + data[: len(data) // 2])
s.close()
PY
for _ in $(seq 50); do [ -z "$(ls "$NETNS_RUN_STATE_DIR/images/tmp" 2>/dev/null)" ] && break; sleep 0.1; done
t_eq "a client gone mid-load: no new image" "$(find "$NETNS_RUN_STATE_DIR/images/images" -type f | wc -l)" "$before"
t_eq "... cc:1 unknown" "$(rc D image inspect cc:1)" 1
t_check "... the daemon still answers" curl -sf --unix-socket "$SOCK" http://d/_ping

# A client that leaves mid-save: the daemon goes on.
python3 - "$SOCK" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b"GET /v1.50/images/get?names=bb:1 HTTP/1.1\r\nHost: d\r\n\r\n")
s.recv(2000)
s.close()
PY
t_check "a client gone mid-save: the daemon still answers" curl -sf --unix-socket "$SOCK" http://d/_ping
t_eq "... and saves again" "$(D save bb:1 | tar -t 2>/dev/null | grep -c '^manifest.json$')" 1

# Concurrent requests: creates of distinct networks, loads of one archive.
# (Each bounded by timeout: a hung daemon fails the test instead of hanging it.)
pids=()
for i in 1 2 3 4 5 6; do DOCKER_HOST=unix://$SOCK timeout 60 "$DOCKER" network create "par$i" >"$W/par$i.out" 2>&1 & pids+=($!); done
for i in 1 2 3; do DOCKER_HOST=unix://$SOCK timeout 60 "$DOCKER" load -i /run/bb.tar >"$W/load$i.out" 2>&1 & pids+=($!); done
wait "${pids[@]}"
t_eq "6 concurrent network creates: all made" "$(D network ls --filter name=par --format '{{.Name}}' | wc -l)" 6
t_check "... with 6 distinct subnets" bash -c '[ "$(for i in 1 2 3 4 5 6; do cat "$1/n$i"; done | sort -u | wc -l)" = 6 ]' _ \
	"$(for i in 1 2 3 4 5 6; do D network inspect "par$i" | jq -r '.[0].IPAM.Config[0].Subnet' >"$W/n$i"; done; echo "$W")"
t_eq "3 concurrent loads: each says Loaded image: bb:1" "$(cat "$W"/load?.out | sort -u)" "Loaded image: bb:1"
t_eq "... one image" "$(D images -q --no-trunc bb:1)" "$iid"
for i in 1 2 3 4 5 6; do D network rm "par$i" >/dev/null 2>&1; done

# ---------------- containers: connect, disconnect, commit, rmi conflicts ----------------
if D run -d --name "${P}c1" --network n2 bb:1 sleep 300 >/dev/null 2>&1; then
	# The daemon runs the plugins it calls itself as executables (docs/runtime.md).  Not
	# under the sanitizers: LeakSanitizer aborts a traced process at its exit.
	spid=""
	if [ -z "${NR_SANITIZED:-}" ]; then
		strace -f -e trace=execve -e signal=none -o "$W/execs" -p "$DPID" 2>"$W/strace.err" &
		spid=$!
		await 10 grep -q attached "$W/strace.err"
	fi
	t_check "docker network connect n4 CTR" D network connect --alias web n4 "${P}c1"
	if [ -n "$spid" ]; then
		kill "$spid" && wait "$spid" 2>/dev/null
		t_check "... the daemon executed the bridge for it (not in its own process)" grep -q '/bridge"' "$W/execs"
	else
		t_skip "the daemon executes the bridge" "a sanitized build (no strace: LeakSanitizer aborts traced processes)"
	fi
	t_eq "... inspect n4 lists the container" "$(D network inspect n4 | jq -r '.[0].Containers[].Name')" "${P}c1"
	addr=$(D network inspect n4 | jq -r '.[0].Containers[].IPv4Address')
	t_check "... eth1 inside, with the address inspect shows ($addr)" grep -q "eth1 *inet ${addr%/*}/" <<<"$(D exec "${P}c1" ip -o addr 2>&1)"
	t_eq "... n4 is no longer dangling" "$(D network ls --filter dangling=false --filter type=custom --format '{{.Name}}' | sort | tr '\n' ' ')" "n2 n4 "
	out=$(D network connect n4 "${P}c1" 2>&1); r=$?
	t_check "... a second connect fails" test $r != 0
	api POST /networks/n4/connect -H 'Content-Type: application/json' -d "{\"Container\":\"${P}c1\"}" >/dev/null
	t_eq "... POST connect again: 403" "$(status)" 403
	out=$(D network rm n4 2>&1); r=$?
	t_check "network rm of a network in use fails" test $r != 0
	t_check "... has active endpoints" grep -q "has active endpoints" <<<"$out"
	api DELETE /networks/n4 >/dev/null
	t_eq "... DELETE: 403" "$(status)" 403
	t_check "docker network disconnect n4 CTR" D network disconnect n4 "${P}c1"
	t_eq "... inspect n4: no container" "$(D network inspect n4 | jq -r '.[0].Containers | length')" 0
	api POST /networks/n4/connect -H 'Content-Type: application/json' -d '{"Container":"nope"}' >/dev/null
	t_eq "POST connect of an unknown container: 404" "$(status)" 404
	api POST /networks/nope/connect -H 'Content-Type: application/json' -d "{\"Container\":\"${P}c1\"}" >/dev/null
	t_eq "POST connect to an unknown network: 404" "$(status)" 404
	# exec --privileged (Docker's): every capability for the exec'd process alone.
	full=$(awk '/^CapEff/ {print $2}' "/proc/$DPID/status") # the daemon's own (the sandbox's)
	t_eq "exec: the container's capabilities (Docker's default set)" \
		"$(D exec "${P}c1" grep CapEff /proc/self/status | awk '{print $2}')" "00000000a80425fb"
	t_eq "exec --privileged: every capability the daemon has (CapEff and CapBnd)" \
		"$(D exec --privileged "${P}c1" grep -E 'Cap(Eff|Bnd)' /proc/self/status | awk '{print $2}' | sort -u)" "$full"
	t_eq "... the next plain exec: the default set again" \
		"$(D exec "${P}c1" grep CapEff /proc/self/status | awk '{print $2}')" "00000000a80425fb"
	t_check "... without it, CAP_NET_ADMIN is missing: ip link set lo mtu fails" test "$(rc D exec "${P}c1" ip link set lo mtu 65000)" != 0
	t_eq "... with it, it works" "$(rc D exec --privileged "${P}c1" ip link set lo mtu 65000)" 0
	D exec "${P}c1" sh -c 'echo committed >/hello'
	cid=$(D commit -c 'CMD ["cat","/hello"]' "${P}c1" committed:1 2>&1)
	t_check "docker commit CTR committed:1: prints the id" grep -qE '^sha256:[0-9a-f]{64}$' <<<"$cid"
	t_eq "... listed" "$(D images -q --no-trunc committed:1)" "$cid"
	t_eq "... its change" "$(D image inspect -f '{{json .Config.Cmd}}' committed:1)" '["cat","/hello"]'
	t_eq "... two layers" "$(D image inspect -f '{{len .RootFS.Layers}}' committed:1)" 2
	body=$(api POST "/commit?container=${P}c1&repo=cb&tag=1&comment=from%20curl" -H 'Content-Type: application/json' \
		-d '{"Cmd":["echo","body"],"Env":["B=1"],"Labels":{"k":"v"}}')
	t_eq "POST /commit with a config body: 201 {Id}" "$(status) $(jq -r '.Id | startswith("sha256:")' <<<"$body")" "201 true"
	t_eq "... the body's Cmd, Env and Labels, and the comment" \
		"$(D image inspect cb:1 | jq -c '.[0] | [.Config.Cmd, (.Config.Env | index("B=1") != null), .Config.Labels.k, .Comment]')" \
		'[["echo","body"],true,"v","from curl"]'
	api POST "/commit?container=nope" >/dev/null
	t_eq "POST /commit of an unknown container: 404" "$(status)" 404
	# Docker records the endpoint of a created container and attaches it at its start.
	D create --name "${P}c3" --network n2 bb:1 sleep 300 >/dev/null 2>&1
	t_check "docker network connect n4 of a created container" D network connect --alias c3web n4 "${P}c3"
	t_eq "... inspect: n2 and n4 recorded, still created" \
		"$(D inspect "${P}c3" | jq -r '.[0] | [.State.Status, (.NetworkSettings.Networks | keys | join(","))] | join(" ")')" "created n2,n4"
	out=$(D network connect n4 "${P}c3" 2>&1); r=$?
	t_check "... a second connect before the start fails" test $r != 0
	D create --name "${P}c4" --network n2 bb:1 sleep 300 >/dev/null 2>&1
	t_eq "connect then disconnect of a created container" \
		"$(D network connect n4 "${P}c4" 2>&1; D network disconnect n4 "${P}c4" 2>&1; echo done)" "done"
	t_check "docker start of the connected container" D start "${P}c3"
	addr=$(D network inspect n4 | jq -r --arg n "${P}c3" '.[0].Containers[] | select(.Name == $n) | .IPv4Address')
	t_check "... n4 lists it with an address ($addr)" test -n "$addr" -a "$addr" != null
	t_check "... eth1 inside has it" grep -q "eth1 *inet ${addr%/*}/" <<<"$(D exec "${P}c3" ip -o addr 2>&1)"
	t_check "... eth0 on n2 too, with the default route" grep -q "^default .* dev eth0" <<<"$(D exec "${P}c3" ip route 2>&1)"
	D network connect n4 "${P}c1" >/dev/null 2>&1
	t_check "... its alias resolves on n4 from another container" grep -q "${addr%/*}" <<<"$(D exec "${P}c1" nslookup c3web 2>&1)"
	D start "${P}c4" >/dev/null 2>&1
	t_eq "... the disconnected one starts on n2 alone" "$(D inspect "${P}c4" | jq -r '.[0].NetworkSettings.Networks | keys | join(",")')" "n2"
	D stop -t 0 "${P}c3" >/dev/null 2>&1
	t_eq "... stopped: n4 lists only the other container" "$(D network inspect n4 | jq -r '.[0].Containers[].Name')" "${P}c1"
	# Docker keeps a container's networks across its starts, and connects and disconnects
	# a stopped one for its next start (the create body, ctr_body_net.h).
	nets() { D inspect "$1" | jq -r '.[0].NetworkSettings.Networks | keys | join(",")'; }
	D start "${P}c3" >/dev/null 2>&1
	t_eq "started again: the connect made before its first start is kept (n2,n4)" "$(nets "${P}c3")" "n2,n4"
	D stop -t 0 "${P}c4" >/dev/null 2>&1
	t_check "docker network connect n4 of a stopped container" D network connect n4 "${P}c4"
	out=$(D network connect n4 "${P}c4" 2>&1); r=$?
	t_check "... a second one fails ($out)" test $r != 0
	t_eq "... inspect lists it while stopped (n2,n4)" "$(nets "${P}c4")" "n2,n4"
	t_eq "... with no address on either, as Docker's" \
		"$(D inspect "${P}c4" | jq -r '[.[0].NetworkSettings | .IPAddress, (.Networks[] | .IPAddress, .EndpointID)] | join(",")')" ",,,,"
	t_eq "... and n4's id" "$(D inspect "${P}c4" | jq -r '.[0].NetworkSettings.Networks.n4.NetworkID')" \
		"$(D network inspect n4 | jq -r '.[0].Id')"
	D start "${P}c4" >/dev/null 2>&1
	t_eq "... its start attaches both (n2,n4)" "$(nets "${P}c4")" "n2,n4"
	t_check "... eth1 inside" grep -q "eth1 *inet " <<<"$(D exec "${P}c4" ip -o addr 2>&1)"
	t_check "docker network disconnect n2 of the running container" D network disconnect n2 "${P}c4"
	D stop -t 0 "${P}c4" >/dev/null 2>&1
	D start "${P}c4" >/dev/null 2>&1
	t_eq "... started again: n4 alone" "$(nets "${P}c4")" "n4"
	D stop -t 0 "${P}c4" >/dev/null 2>&1
	t_eq "connect then disconnect of a stopped container" \
		"$(D network connect n2 "${P}c4" 2>&1; nets "${P}c4"; D network disconnect n2 "${P}c4" 2>&1; nets "${P}c4")" \
		"$(printf 'n2,n4\nn4')"
	D start "${P}c4" >/dev/null 2>&1
	t_eq "... started again: n4 alone still" "$(nets "${P}c4")" "n4"
	D create --name "${P}c5" --network none bb:1 true >/dev/null 2>&1
	out=$(D network connect n4 "${P}c5" 2>&1); r=$?
	t_check "connect of a stopped container in network mode none fails" test $r != 0
	t_check "... saying why ($out)" grep -q "none" <<<"$out"
	D rm -f "${P}c1" "${P}c3" "${P}c4" "${P}c5" >/dev/null 2>&1
else
	t_fail "a running container on n2 (docker run -d)" "$(D run -d --name "${P}c1" --network n2 bb:1 sleep 300 2>&1)"
fi
if D run --name "${P}c2" imp:1 true >/dev/null 2>&1; then
	api DELETE "/images/$(D images -q --no-trunc imp:1)" >/dev/null
	t_eq "DELETE /images/ID of an image a stopped container uses: 409" "$(status)" 409
	t_check "... must be forced" grep -q "must be forced" "$W/body"
	D rm -f "${P}c2" >/dev/null 2>&1
else
	t_fail "a stopped container of imp:1 (docker run)" "$(D run --name "${P}c2" imp:1 true 2>&1)"
fi
t_eq "docker rmi imp:1 once unused" "$(D rmi imp:1 2>&1 | head -1)" "Untagged: imp:1"

# ---------------- detach keys ----------------
# A raw hijacked attach (python): send input, then the keys; the daemon must end the
# stream by itself (EOF within a bound), the container still running.
rawhijack() { # PATH BODY KEYS-AS-PYTHON-BYTES: prints "echoed detached" as it went
	python3 - "$SOCK" "$1" "$2" "$3" <<'PY'
import socket, sys, time
sock, path, body, keys = sys.argv[1], sys.argv[2], sys.argv[3].encode(), eval(sys.argv[4])
s = socket.socket(socket.AF_UNIX); s.connect(sock); s.settimeout(10)
s.sendall(("POST %s HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n"
           "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (path, len(body))).encode() + body)
buf = b""
while b"\r\n\r\n" not in buf:
    buf += s.recv(4096)
head, buf = buf.split(b"\r\n\r\n", 1)
if b" 101 " not in head.split(b"\r\n")[0] and b" 200 " not in head.split(b"\r\n")[0]:
    print("status", head.split(b"\r\n")[0].decode()); sys.exit()
s.sendall(b"echo mark$((6*7))\n")
out = []
deadline = time.time() + 10
while b"mark42" not in buf and time.time() < deadline:
    d = s.recv(4096)
    if not d: break
    buf += d
out.append("echoed" if b"mark42" in buf else "no-echo")
s.sendall(keys)
try:
    while True:
        d = s.recv(4096)
        if not d:
            out.append("detached"); break
except socket.timeout:
    out.append("still-attached")
print(" ".join(out))
PY
}
rawattach() { # CTR QUERY KEYS-AS-PYTHON-BYTES
	rawhijack "/v1.50/containers/$1/attach?stream=1&stdin=1&stdout=1&stderr=1$2" "" "$3"
}
D run -d -it --name "${P}tt" bb:1 sh >/dev/null 2>&1
t_eq "attach (raw API) then ctrl-p,ctrl-q: the daemon ends the stream" "$(rawattach "${P}tt" "" 'b"\x10\x11"')" "echoed detached"
t_eq "... the container still runs" "$(D inspect -f '{{.State.Running}}' "${P}tt")" true
t_eq "attach ?detachKeys=ctrl-a,x then ctrl-a x: detached" "$(rawattach "${P}tt" "&detachKeys=ctrl-a,x" 'b"\x01x"')" "echoed detached"
t_eq "... the default keys then do nothing (other keys asked)" \
	"$(rawattach "${P}tt" "&detachKeys=ctrl-a,x" 'b"\x10\x11"' | cut -d' ' -f2)" "still-attached"
t_eq "... still running" "$(D inspect -f '{{.State.Running}}' "${P}tt")" true
api POST "/containers/${P}tt/attach?stream=1&stdin=1&detachKeys=ctrl-1" --max-time 10 >/dev/null
t_eq "attach ?detachKeys=ctrl-1: 400" "$(status)" 400
t_check "... Docker's words" sh -c "grep -q 'Invalid detach keys (ctrl-1) provided' '$W/body' || { cat '$W/body'; false; }"
# An exec's DetachKeys (raw API): the stream ends at them, the exec runs on.
rawexec() { # CTR DETACHKEYS-JSON KEYS-AS-PYTHON-BYTES: "ID echoed detached"
	local id
	id=$(api POST "/containers/$1/exec" -H 'Content-Type: application/json' \
		-d "{\"Cmd\":[\"sh\"],\"Tty\":true,\"AttachStdin\":true,\"AttachStdout\":true$2}" | jq -r .Id)
	echo "$id $(rawhijack "/v1.50/exec/$id/start" '{"Tty":true}' "$3")"
}
set -- $(rawexec "${P}tt" "" 'b"\x10\x11"')
t_eq "exec (raw API) then ctrl-p,ctrl-q: the daemon ends the stream" "$2 $3" "echoed detached"
t_eq "... the exec runs on" "$(api GET "/exec/$1/json" | jq -r .Running)" true
set -- $(rawexec "${P}tt" ',"DetachKeys":"ctrl-a,x"' 'b"\x01x"')
t_eq "exec with DetachKeys ctrl-a,x then ctrl-a x: detached" "$2 $3" "echoed detached"
t_eq "... inspect shows the keys" "$(api GET "/exec/$1/json" | jq -r .DetachKeys)" "ctrl-a,x"
t_eq "... the default keys then do nothing" "$(rawexec "${P}tt" ',"DetachKeys":"ctrl-a,x"' 'b"\x10\x11"' | cut -d' ' -f3)" \
	"still-attached"
api POST "/containers/${P}tt/exec" -H 'Content-Type: application/json' -d '{"Cmd":["sh"],"DetachKeys":"ctrl-1"}' >/dev/null
t_eq "exec with DetachKeys ctrl-1: 400" "$(status)" 400
t_check "... Docker's words" grep -q 'Invalid escape keys (ctrl-1) provided' "$W/body"
t_check "an exec_detach event" grep -q '"Action":"exec_detach"' "$W/events"
# The docker CLI through a pty: docker attach, docker run -it, --detach-keys.
ptydrive() { # KEYS-AS-PYTHON-BYTES DOCKER-ARGS...: "exit=N" once the CLI has gone (bounded)
	python3 - "$SOCK" "$DOCKER" "$@" <<'PY'
import os, pty, select, subprocess, sys, time
sock, docker, keys, args = sys.argv[1], sys.argv[2], eval(sys.argv[3]), sys.argv[4:]
m, s = pty.openpty()
env = dict(os.environ, DOCKER_HOST="unix://" + sock)
p = subprocess.Popen([docker] + args, stdin=s, stdout=s, stderr=s, env=env, start_new_session=True,
                     preexec_fn=lambda: __import__("fcntl").ioctl(0, __import__("termios").TIOCSCTTY, 0))
os.close(s)
def read_until(want, secs):
    buf, end = b"", time.time() + secs
    while want not in buf and time.time() < end:
        r, _, _ = select.select([m], [], [], 0.2)
        if r:
            try: buf += os.read(m, 4096)
            except OSError: break
    return want in buf
os.write(m, b"echo mark$((6*7))\n")
ok = read_until(b"mark42", 15)
os.write(m, keys)
try:
    code = p.wait(timeout=10)
except subprocess.TimeoutExpired:
    p.kill(); code = "hung"
print("echoed" if ok else "no-echo", "exit=%s" % code)
PY
}
# (docker attach exits 1 on a detach, "read escape sequence"; docker run -it 0: Docker's CLI.)
t_eq "docker attach, then ctrl-p ctrl-q: the CLI leaves" "$(ptydrive 'b"\x10\x11"' attach "${P}tt")" "echoed exit=1"
t_eq "... the container still runs" "$(D inspect -f '{{.State.Running}}' "${P}tt")" true
t_eq "docker attach --detach-keys ctrl-x,y, then ctrl-x y" "$(ptydrive 'b"\x18y"' attach --detach-keys ctrl-x,y "${P}tt")" "echoed exit=1"
t_eq "docker run -it, then ctrl-p ctrl-q: the CLI leaves" "$(ptydrive 'b"\x10\x11"' run -it --name "${P}ti" bb:1 sh)" "echoed exit=0"
t_eq "... the container keeps running" "$(D inspect -f '{{.State.Running}}' "${P}ti")" true
t_check "... a detach event" grep -q '"Action":"detach"' "$W/events"
D rm -f "${P}tt" "${P}ti" >/dev/null 2>&1

# ---------------- filters: before/since, label, until (lists and prunes) ----------------
# next_second: wait (bounded) until the clock's second changes, so that two objects made
# either side differ by their (second-resolution) creation times.
next_second() { local s; s=$(date +%s); for _ in $(seq 30); do [ "$(date +%s)" != "$s" ] && return; sleep 0.05; done; }
# fapi METHOD PATH FILTERS-JSON: api with ?filters= url-encoded.
fapi() { api "$1" "$2" -G --data-urlencode "filters=$3"; }
names() { sort | tr '\n' ' '; }
D run --name "${P}fa" --label app=web --label tier=front bb:1 true >/dev/null 2>&1
next_second
D run --name "${P}fb" --label app=db bb:1 true >/dev/null 2>&1
next_second
D run --name "${P}fc" bb:1 true >/dev/null 2>&1
t_eq "ps -a --filter since=FA: the two made after it, newest first" \
	"$(D ps -a --filter since="${P}fa" --format '{{.Names}}' | tr '\n' ' ')" "${P}fc ${P}fb "
t_eq "ps -a --filter before=FC: the two made before it" \
	"$(D ps -a --filter before="${P}fc" --format '{{.Names}}' | tr '\n' ' ')" "${P}fb ${P}fa "
t_eq "ps -a --filter since=FA --filter before=FC" \
	"$(D ps -a --filter since="${P}fa" --filter before="${P}fc" --format '{{.Names}}')" "${P}fb"
t_eq "ps -a --filter since=ID-PREFIX" \
	"$(D ps -a --filter since="$(D inspect -f '{{.Id}}' "${P}fb" | cut -c1-12)" --format '{{.Names}}')" "${P}fc"
fapi GET /containers/json '{"before":["nope"]}' >/dev/null
t_eq "GET /containers/json?filters=before=nope: 404" "$(status)" 404
t_eq "ps -a --filter label=app" "$(D ps -a --filter label=app --format '{{.Names}}' | names)" "${P}fa ${P}fb "
t_eq "ps -a --filter label=app=db" "$(D ps -a --filter label=app=db --format '{{.Names}}')" "${P}fb"
t_eq "ps -a --filter label=app --filter label=tier=front: both must hold" \
	"$(D ps -a --filter label=app --filter label=tier=front --format '{{.Names}}')" "${P}fa"
body=$(fapi POST /containers/prune '{"until":["soon"]}')
t_eq "POST /containers/prune until=soon: 400" "$(status)" 400
t_check "... Docker's words" grep -q 'failed to parse value as time or duration' <<<"$body"
body=$(fapi POST /containers/prune '{"until":["1h"]}')
t_eq "POST /containers/prune until=1h: none as old" "$(status) $(jq -c .ContainersDeleted <<<"$body")" "200 null"
out=$(D container prune -f --filter label=app=db 2>&1)
t_check "container prune --filter label=app=db: FB deleted" grep -q "$(D inspect -f '{{.Id}}' "${P}fb" 2>/dev/null || echo gone)" <<<"$out${P}"
t_eq "... FB gone, FA and FC kept" "$(D ps -a --filter name="${P}f" --format '{{.Names}}' | names)" "${P}fa ${P}fc "
D container prune -f --filter 'label!=app' >/dev/null 2>&1
t_eq "container prune --filter label!=app: FC gone, FA kept" "$(D ps -a --filter name="${P}f" --format '{{.Names}}' | names)" "${P}fa "
body=$(fapi POST /containers/prune "{\"until\":[\"$(($(date +%s) + 60))\"],\"label\":[\"tier=front\"]}")
t_eq "POST /containers/prune until=NOW+60 (unix seconds) label=tier=front: FA deleted" \
	"$(status) $(jq -r '.ContainersDeleted | length' <<<"$body") $(D ps -a --filter name="${P}f" -q | wc -l)" "200 1 0"

# images: two imports a second apart, labelled
D import --change 'LABEL stage=old' "$W/rootfs.tar" fi1:1 >/dev/null 2>&1
next_second
D import --change 'LABEL stage=new' "$W/rootfs.tar" fi2:1 >/dev/null 2>&1
t_eq "images --filter since=fi1:1" "$(D images --filter since=fi1:1 --format '{{.Repository}}')" "fi2"
t_eq "images --filter before=fi2:1 --filter reference='fi*'" \
	"$(D images --filter before=fi2:1 --filter 'reference=fi*' --format '{{.Repository}}')" "fi1"
t_eq "images --filter label=stage=new" "$(D images --filter label=stage=new --format '{{.Repository}}')" "fi2"
t_eq "images --filter label=stage" "$(D images --filter label=stage --format '{{.Repository}}' | names)" "fi1 fi2 "
fapi GET /images/json '{"since":["nope:1"]}' >/dev/null
t_eq "GET /images/json?filters=since=nope:1: 404" "$(status)" 404
body=$(fapi POST /images/prune '{"dangling":["false"],"until":["1h"],"label":["stage"]}')
t_eq "POST /images/prune -a until=1h label=stage: nothing as old" "$(status) $(jq -c .ImagesDeleted <<<"$body")" "200 null"
D image prune -a -f --filter label=stage=old >/dev/null 2>&1
t_eq "image prune -a --filter label=stage=old: fi1 gone, fi2 and bb:1 kept" \
	"$(D images --format '{{.Repository}}' | grep -E '^(fi1|fi2|bb)$' | names)" "bb fi2 "
body=$(fapi POST /images/prune '{"dangling":["false"],"label!":["stage"],"until":["2000-01-01T00:00:00Z"]}')
t_eq "POST /images/prune -a label!=stage until=2000-01-01T00:00:00Z: none (all newer)" "$(jq -c .ImagesDeleted <<<"$body")" null
D image prune -a -f --filter "until=$(date -u -d '+1 min' +%Y-%m-%dT%H:%M:%SZ)" --filter label=stage=new >/dev/null 2>&1
t_eq "image prune -a --filter until=RFC3339 --filter label=stage=new: fi2 gone" \
	"$(D images --format '{{.Repository}}' | grep -cE '^fi2$')" 0

# networks: labelled ones, pruned by label and until
D network create --label keep=yes nl1 >/dev/null && D network create --label tmp=1 nl2 >/dev/null
body=$(fapi POST /networks/prune '{"label":["tmp=1"]}')
t_eq "POST /networks/prune label=tmp=1: nl2 alone" "$(status) $(jq -c .NetworksDeleted <<<"$body")" '200 ["nl2"]'
body=$(fapi POST /networks/prune '{"label":["keep"],"until":["10m"]}')
t_eq "POST /networks/prune label=keep until=10m: none (nl1 is newer)" "$(jq -c .NetworksDeleted <<<"$body")" '[]'
fapi POST /networks/prune '{"until":["yesterday"]}' >/dev/null
t_eq "POST /networks/prune until=yesterday: 400" "$(status)" 400
D network prune -f --filter until=-1m --filter label=keep=yes >/dev/null 2>&1
t_eq "network prune --filter until=-1m (a minute ahead) --filter label=keep=yes: nl1 gone" \
	"$(D network ls --format '{{.Name}}' | grep -c '^nl1$')" 0
t_eq "... n2 (not labelled keep) kept" "$(D network ls --format '{{.Name}}' | grep -c '^n2$')" 1

# prune
body=$(api POST /networks/prune)
t_eq "POST /networks/prune: n2 and n4 deleted" "$(jq -r '.NetworksDeleted | sort | join(" ")' <<<"$body")" "n2 n4"
t_eq "... only the pre-defined networks left" "$(D network ls --format '{{.Name}}' | sort | tr '\n' ' ')" "bridge host none "
D tag bb:1 bb:3 && D rmi -f "$(D images -q bb:1)" >/dev/null 2>&1
body=$(api POST '/images/prune?filters=%7B%22dangling%22%3A%7B%22false%22%3Atrue%7D%7D')
t_eq "POST /images/prune (all): 200 with SpaceReclaimed" "$(status) $(jq -r 'has("SpaceReclaimed")' <<<"$body")" "200 true"
t_eq "... no image left" "$(D images -q | wc -l)" 0

# events: awaited (bounded) for the last one, then checked
for _ in $(seq 50); do event network destroy n4 && break; sleep 0.1; done
t_check "event: network create n2" event network create n2
t_check "event: network destroy n1" event network destroy n1
t_check "event: network connect n4" event network connect n4
t_check "event: network disconnect n4" event network disconnect n4
t_check "event: network destroy n4 (prune)" event network destroy n4
t_check "event: image load bb:1" event image load bb:1
t_check "event: image tag bb:2" event image tag bb:2
t_check "event: image untag bb:2" event image untag bb:2
t_check "event: image import imp:1" event image import imp:1
t_check "event: image delete (prune)" grep -q '"Type":"image","Action":"delete"' "$W/events"

t_check "the daemon is still up" sh -c "kill -0 $DPID || { tail -n 30 '$W/daemon.log'; false; }"
# Descriptors: a round of every kind of request, twice; the second leaves the count where
# the first did (awaited, bounded: connection threads close theirs as they end).
round() {
	D network create lk >/dev/null && D network inspect lk >/dev/null && D network ls >/dev/null && D network rm lk >/dev/null
	D load -i /run/bb.tar >/dev/null && D save bb:1 >/dev/null && D images >/dev/null && D history bb:1 >/dev/null
	D import "$W/rootfs.tar" lk:1 >/dev/null && D rmi lk:1 >/dev/null
	D load -i "$W/cut.tar" >/dev/null 2>&1; D pull nope/x:1 >/dev/null 2>&1; D image inspect nope:1 >/dev/null 2>&1
	api POST /networks/create -d '{"Name":"lk","IPAM":{"Config":[{"Subnet":"bad"}]}}' >/dev/null
}
fds() { ls /proc/$DPID/fd | wc -l; }
round
for _ in $(seq 50); do fds1=$(fds); sleep 0.1; [ "$(fds)" = "$fds1" ] && break; done
round
for _ in $(seq 50); do [ "$(fds)" -le "$fds1" ] && break; sleep 0.1; done
t_eq "no descriptor left open by a round of requests ($fds1 after the first, $(fds) after the second)" "$(fds)" "$fds1"
t_done
