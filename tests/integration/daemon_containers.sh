#!/bin/bash
# The daemon's container endpoints (issue 18): create (bad bodies 400, unknown image 404,
# a taken name 409), start (304 when running), wait (next-exit, not-running, removed with
# AutoRemove), inspect and list in Docker's shapes, an id prefix and an ambiguous one,
# top, stats, kill, stop, restart, a start again of an exited container, rename, delete
# (409 running, force), prune; then the docker CLI (create, start, wait, ps -a, inspect,
# stop, rm) against the same daemon.  All inside the test sandbox: the daemon listens on
# a socket under the test's directory and is killed by pid; containers use --net=none.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/runtime.sh"
source "$(dirname "$0")/../lib/busybox_image.sh"
export NETNS_RUN_CNI_PATH="$NR_BUILD/cni"
DAEMON="$NR_BUILD/bin/netns-run-daemon"
W=/run/dctr
mkdir -p $W
SOCK=$W/d.sock

if [ ! -x "$DAEMON" ]; then t_skip "daemon containers" "no netns-run-daemon in this build"; t_done; exit; fi
if ! busybox_image $W/bb.tar bb:1; then t_skip "daemon containers" "no static /bin/busybox"; t_done; exit; fi
"$NR" load -i $W/bb.tar >/dev/null || { t_fail "load the test image"; t_done; exit; }


"$DAEMON" -H "unix://$SOCK" -G root --log-file $W/daemon.log 2>$W/daemon.err &
DPID=$!
stop_daemon() {
	kill "$DPID" 2>/dev/null
	wait "$DPID" 2>/dev/null
	nr_cleanup
}
trap stop_daemon EXIT

# api METHOD PATH [BODY]: prints "STATUS BODY" (the body on one line).
api() {
	local out code
	if [ $# -ge 3 ]; then
		out=$(curl -s -m 30 --unix-socket $SOCK -X "$1" -H 'Content-Type: application/json' --data-binary "$3" \
			-w '\n%{http_code}' "http://d/v1.50$2")
	else
		out=$(curl -s -m 30 --unix-socket $SOCK -X "$1" -w '\n%{http_code}' "http://d/v1.50$2")
	fi
	code=${out##*$'\n'}
	printf '%s %s\n' "$code" "$(head -n -1 <<<"$out" | tr -d '\n')"
}
code() { api "$@" | cut -d' ' -f1; }
body() { api "$@" | cut -d' ' -f2-; }
create() { # NAME BODY: prints the status and the id
	api POST "/containers/create?name=$1" "$2"
}
state_of() { body GET "/containers/$1/json" | jq -r .State.Status; }
# waiter CTR CONDITION FILE: POST /containers/CTR/wait?condition=CONDITION in the background
# (its pid in wpid), returning once its headers are in: the daemon sends them when the wait
# has taken its starting point.  wbody FILE: that request's body, after it ended.
waiter() {
	curl -s -N -i -m 30 --unix-socket $SOCK -X POST "http://d/v1.50/containers/$1/wait?condition=$2" >"$3" &
	wpid=$!
	await 10 grep -q "^HTTP/1.1 200" "$3" || echo "# the wait on $1 got no headers"
}
wbody() { awk 'b {print} /^\r?$/ {b = 1}' "$1"; }

if ! await 10 curl -sf --unix-socket $SOCK http://d/_ping; then
	t_fail "the daemon answers /_ping" "$(cat $W/daemon.err)"
	t_done
	exit
fi

fds0=$(ls /proc/$DPID/fd | wc -l)

# 1. Bad bodies: 400 naming the field; unknown image 404; bad name 400.
out=$(create "$P-bad" '{"Image":"bb:1","Cmd":5}')
t_check "create: \"Cmd\": 5 is a 400 naming Cmd" grep -q '^400 .*Cmd' <<<"$out"
out=$(create "$P-bad" '{"Image":"bb:1","HostConfig":{"Memory":"1g"}}')
t_check "create: a string Memory is a 400 naming HostConfig.Memory" grep -q '^400 .*HostConfig.Memory' <<<"$out"
t_eq "create: invalid JSON is a 400" "$(code POST "/containers/create" '{"Image":')" 400
out=$(create "$P-bad" '{"Image":"nosuch:9"}')
t_eq "create: an unknown image is Docker's 404" "$out" '404 {"message":"No such image: nosuch:9"}'
t_eq "create: a name with a slash inside is a 400" "$(code POST "/containers/create?name=a/../b" '{"Image":"bb:1"}')" 400
t_eq "create: an unknown network is a 404" \
	"$(code POST "/containers/create?name=$P-bad" '{"Image":"bb:1","HostConfig":{"NetworkMode":"nosuchnet"}}')" 404
t_check "the refused creates left nothing" test ! -e "$NETNS_RUN_STATE_DIR/containers/$P-bad"

# 2. Create: 201 with the Id; the name is Docker's "/NAME"; created until started.
out=$(create "/$P-c1" '{"Image":"bb:1","Cmd":["sh","-c","echo hi; exit 3"],"Labels":{"app":"one"},"HostConfig":{"NetworkMode":"none"}}')
id1=$(cut -d' ' -f2- <<<"$out" | jq -r .Id)
t_check "create: 201 with an Id of 64 hex digits and no warnings" grep -qE '^201 \{"Id":"[0-9a-f]{64}","Warnings":\[\]\}$' <<<"$out"
t_eq "create: the record says created" "$(state .status "$P-c1")" created
t_check "create: config.json is kept in the container's directory" test -s "$NETNS_RUN_STATE_DIR/containers/$P-c1/config.json"
out=$(create "$P-c1" '{"Image":"bb:1","HostConfig":{"NetworkMode":"none"}}')
t_eq "create: a taken name is Docker's 409" "$out" \
	"409 {\"message\":\"Conflict. The container name \\\"/$P-c1\\\" is already in use by container \\\"$id1\\\". You have to remove (or rename) that container to be able to reuse that name.\"}"

# 3. List and inspect before the start.
t_eq "list: a created container is not listed without all" \
	"$(body GET "/containers/json" | jq --arg n "/$P-c1" '[.[] | select(.Names[0] == $n)] | length')" 0
l=$(body GET "/containers/json?all=1" | jq -c --arg n "/$P-c1" '.[] | select(.Names[0] == $n)')
t_eq "list all: Id, State, Status, Image, Command, Labels, NetworkMode" \
	"$(jq -r '[.Id, .State, .Status, .Image, .Command, .Labels.app, .HostConfig.NetworkMode] | join("|")' <<<"$l")" \
	"$id1|created|Created|bb:1|sh -c echo hi; exit 3|one|none"
t_eq "list: filters={\"status\":[\"created\"]} finds it" \
	"$(body GET "/containers/json?filters=%7B%22status%22%3A%5B%22created%22%5D%7D" | jq --arg n "/$P-c1" '[.[] | select(.Names[0] == $n)] | length')" 1
t_eq "list: filters={\"label\":[\"app=two\"]} does not" \
	"$(body GET "/containers/json?all=1&filters=%7B%22label%22%3A%5B%22app%3Dtwo%22%5D%7D" | jq 'length')" 0
t_eq "list: an unknown status is a 400" "$(code GET "/containers/json?filters=%7B%22status%22%3A%5B%22bogus%22%5D%7D")" 400
t_eq "list: the older map form of filters (API 1.41 clients)" \
	"$(curl -s --unix-socket $SOCK "http://d/v1.41/containers/json?filters=%7B%22name%22%3A%7B%22$P-c1%22%3Atrue%7D%7D&all=1" | jq -r '.[].Names[0]')" "/$P-c1"
t_eq "list: an unknown filter is a 400" "$(code GET "/containers/json?filters=%7B%22bogus%22%3A%5B%22x%22%5D%7D")" 400
i=$(body GET "/containers/$P-c1/json")
t_eq "inspect: Id, Name, State.Status, Path, Args, Config.Cmd, HostConfig.NetworkMode" \
	"$(jq -r '[.Id, .Name, .State.Status, .Path, (.Args | join(",")), (.Config.Cmd | join(",")), .HostConfig.NetworkMode, .State.Running] | join("|")' <<<"$i")" \
	"$id1|/$P-c1|created|sh|-c,echo hi; exit 3|sh,-c,echo hi; exit 3|none|false"
t_check "inspect: Created is RFC 3339" grep -qE '^"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z"$' <<<"$(jq .Created <<<"$i")"
t_eq "inspect: a prefix of the id resolves" "$(body GET "/containers/${id1:0:10}/json" | jq -r .Id)" "$id1"
t_eq "inspect: the full id resolves" "$(body GET "/containers/$id1/json" | jq -r .Name)" "/$P-c1"
t_eq "inspect: an unknown container is a 404" "$(api GET /containers/nosuch-$P/json)" \
	"404 {\"message\":\"No such container: nosuch-$P\"}"

create "$P-cfg" '{"Image":"bb:1","HostConfig":{"NetworkMode":"none"}}' >/dev/null
t_eq "inspect: Config.Cmd from the image when the body has none" \
	"$(body GET "/containers/$P-cfg/json" | jq -c '[.Config.Cmd, .Config.Entrypoint, .Path]')" '[["sh"],null,"sh"]'
create "$P-cfg2" '{"Image":"bb:1","Entrypoint":"env","HostConfig":{"NetworkMode":"none"}}' >/dev/null
t_eq "inspect: an Entrypoint given drops the image's Cmd" \
	"$(body GET "/containers/$P-cfg2/json" | jq -c '[.Config.Cmd, .Config.Entrypoint]')" '[null,["env"]]'
code DELETE "/containers/$P-cfg" >/dev/null
code DELETE "/containers/$P-cfg2" >/dev/null

# 4. wait next-exit, then start: the exit status comes on the wait.
waiter "$P-c1" next-exit $W/w1
t_eq "start: 204" "$(code POST "/containers/$P-c1/start")" 204
wait $wpid
t_eq "wait next-exit: the command's status" "$(wbody $W/w1 | jq -c .)" '{"StatusCode":3,"Error":null}'
await 10 sh -c "[ \"\$(jq -r .status $NETNS_RUN_STATE_DIR/containers/$P-c1/state.json)\" = exited ]"
t_eq "inspect: exited, ExitCode 3" "$(body GET "/containers/$P-c1/json" | jq -r '[.State.Status, .State.ExitCode] | join(" ")')" "exited 3"
t_check "list: Status says Exited (3) ... ago" grep -q '^Exited (3) .* ago$' <<<"$(body GET "/containers/json?all=1" | jq -r --arg n "/$P-c1" '.[] | select(.Names[0] == $n) | .Status')"
t_eq "wait not-running on an exited container answers at once" \
	"$(curl -s -m 5 --unix-socket $SOCK -X POST "http://d/v1.50/containers/$P-c1/wait" | jq -c .)" '{"StatusCode":3,"Error":null}'
t_eq "wait: an unknown condition is a 400" "$(code POST "/containers/$P-c1/wait?condition=bogus")" 400

# 5. Start again (an exited container: a new monitor from config.json), same id.
waiter "$P-c1" next-exit $W/w2
t_eq "start of an exited container: 204" "$(code POST "/containers/$id1/start")" 204
wait $wpid
t_eq "start again: it ran again (wait next-exit)" "$(wbody $W/w2 | jq -r .StatusCode)" 3
t_eq "start again: the same id" "$(state .id "$P-c1")" "$id1"

# 6. A long one: 304 on a second start, top, stats, kill, stop, restart.
out=$(create "$P-c2" '{"Image":"bb:1","Cmd":["sleep","300"],"HostConfig":{"NetworkMode":"none"}}')
id2=$(cut -d' ' -f2- <<<"$out" | jq -r .Id)
t_eq "start: 204" "$(code POST "/containers/$P-c2/start")" 204
t_eq "start of a running container: 304" "$(code POST "/containers/$P-c2/start")" 304
t_check "list: a running one without all, Status Up ..." grep -q '^Up ' <<<"$(body GET /containers/json | jq -r --arg n "/$P-c2" '.[] | select(.Names[0] == $n) | .Status')"
t_eq "inspect: running with a Pid" "$(body GET "/containers/$P-c2/json" | jq -r '[.State.Status, .State.Running, (.State.Pid > 0)] | join(" ")')" "running true true"
top=$(body GET "/containers/$P-c2/top")
t_eq "top: Docker's titles" "$(jq -c .Titles <<<"$top")" '["UID","PID","PPID","C","STIME","TTY","TIME","CMD"]'
t_check "top: the command is one of its processes" grep -q 'sleep 300' <<<"$(jq -r '.Processes[][7]' <<<"$top")"
st=$(curl -s -m 10 --unix-socket $SOCK "http://d/v1.50/containers/$P-c2/stats?stream=0")
t_check "stats stream=0: memory, cpu, pids in Docker's shape" \
	jq -e '.memory_stats.usage > 0 and .cpu_stats.cpu_usage.total_usage > 0 and .pids_stats.current >= 1 and .id == "'"$id2"'"' <<<"$st"
n=$(curl -s -m 3 --unix-socket $SOCK "http://d/v1.50/containers/$P-c2/stats?stream=1" 2>/dev/null | wc -l)
t_check "stats stream=1: a sample a second (got $n in 3 s)" test "$n" -ge 2
t_eq "kill: an unknown signal is a 400" "$(code POST "/containers/$P-c2/kill?signal=BOGUS")" 400
t_eq "restart: 204" "$(code POST "/containers/$P-c2/restart?t=1")" 204
t_eq "restart: running again" "$(state_of "$P-c2")" running
waiter "$P-c2" not-running $W/w3
t_eq "kill signal=SIGKILL: 204" "$(code POST "/containers/$P-c2/kill?signal=SIGKILL")" 204
wait $wpid
t_eq "wait not-running: 137 after SIGKILL" "$(wbody $W/w3 | jq -r .StatusCode)" 137
await 10 sh -c "[ \"\$(jq -r .status $NETNS_RUN_STATE_DIR/containers/$P-c2/state.json)\" = exited ]"
t_eq "kill of a stopped container: 409" "$(code POST "/containers/$P-c2/kill")" 409
t_eq "stop of a stopped container: 304" "$(code POST "/containers/$P-c2/stop")" 304
t_eq "start again after a kill: 204" "$(code POST "/containers/$P-c2/start")" 204
t_eq "stop t=1: 204" "$(code POST "/containers/$P-c2/stop?t=1")" 204
t_eq "stop: exited" "$(state_of "$P-c2")" exited

# Resize: a tty's window (200), none without a tty (409), an unknown container (404).
create "$P-tty" '{"Image":"bb:1","Cmd":["sleep","300"],"Tty":true,"OpenStdin":true,"HostConfig":{"NetworkMode":"none"}}' >/dev/null
code POST "/containers/$P-tty/start" >/dev/null
t_eq "resize of a tty container: 200" "$(code POST "/containers/$P-tty/resize?h=30&w=100")" 200
t_eq "resize with garbage: 400" "$(code POST "/containers/$P-tty/resize?h=x&w=100")" 400
t_eq "inspect: Config.Tty and OpenStdin from the body" "$(body GET "/containers/$P-tty/json" | jq -r '[.Config.Tty, .Config.OpenStdin] | join(" ")')" "true true"
t_eq "resize without a tty: 409" "$(code POST "/containers/$P-c2/resize?h=30&w=100")" 409
t_eq "resize of an unknown container: 404" "$(code POST "/containers/nosuch-$P/resize?h=30&w=100")" 404
# The events of both: moby's restart (after the start's) and resize with the new size.
events_of() {
	curl -s -m 10 --unix-socket $SOCK -G http://d/v1.50/events --data-urlencode since=1 \
		--data-urlencode "until=$(($(date +%s) + 1))" --data-urlencode "filters={\"event\":[\"$1\"]}"
}
t_eq "event: restart of $P-c2" "$(events_of restart | jq -r .Actor.Attributes.name)" "$P-c2"
t_eq "event: resize with the new size" \
	"$(events_of resize | jq -r '"\(.Actor.Attributes.name) \(.Actor.Attributes.height) \(.Actor.Attributes.width)"')" \
	"$P-tty 30 100"
code DELETE "/containers/$P-tty?force=1" >/dev/null

# 7. Rename: a free name, a taken one (409), the same (400).
t_eq "rename to a free name: 204" "$(code POST "/containers/$P-c1/rename?name=$P-c1b")" 204
t_eq "rename: the new name resolves to the same id" "$(body GET "/containers/$P-c1b/json" | jq -r '.Id + " " + .Name')" "$id1 /$P-c1b"
t_eq "rename: the old name is gone" "$(code GET "/containers/$P-c1/json")" 404
t_eq "rename to a taken name: 409" "$(code POST "/containers/$P-c1b/rename?name=$P-c2")" 409
t_eq "rename with a bad name: 400" "$(code POST "/containers/$P-c1b/rename?name=../x")" 400
t_eq "rename: started again under its new name" "$(code POST "/containers/$P-c1b/start")" 204

# 8. Delete: 409 running without force, 204 with; 404 after.
out=$(create "$P-c3" '{"Image":"bb:1","Cmd":["sleep","300"],"HostConfig":{"NetworkMode":"none"}}')
code POST "/containers/$P-c3/start" >/dev/null
t_eq "delete a running container: 409" "$(code DELETE "/containers/$P-c3")" 409
t_eq "delete force=1: 204" "$(code DELETE "/containers/$P-c3?force=1")" 204
t_eq "delete: gone (404)" "$(code GET "/containers/$P-c3/json")" 404
out=$(create "$P-c4" '{"Image":"bb:1","Cmd":["true"],"HostConfig":{"NetworkMode":"none"}}')
mon=$(state .monitor "$P-c4")
# The monitor is its own program, beside the daemon's (no server libraries to load).
t_eq "a container's monitor runs netns-run-monitor" "$(readlink /proc/$mon/exe)" "$NR_BUILD/bin/netns-run-monitor"
t_eq "delete a created container: 204" "$(code DELETE "/containers/$P-c4")" 204
t_check "delete a created container: its monitor ends" await 10 sh -c "! kill -0 $mon"
t_eq "delete an unknown container: 404" "$(code DELETE "/containers/nosuch-$P")" 404

# 9. AutoRemove: wait?condition=removed gives the status of a container that took its record with it.
out=$(create "$P-rm" '{"Image":"bb:1","Cmd":["sh","-c","exit 7"],"HostConfig":{"NetworkMode":"none","AutoRemove":true}}')
waiter "$P-rm" removed $W/w4
code POST "/containers/$P-rm/start" >/dev/null
wait $wpid
t_eq "AutoRemove: wait removed answers the status" "$(wbody $W/w4 | jq -c .)" '{"StatusCode":7,"Error":null}'
t_check "AutoRemove: the container is gone" test ! -e "$NETNS_RUN_STATE_DIR/containers/$P-rm"

# 10. An ambiguous id prefix: containers until two ids share their first digit.
declare -A first
amb=""
for i in $(seq 1 17); do
	id=$(create "$P-p$i" '{"Image":"bb:1","Cmd":["true"],"HostConfig":{"NetworkMode":"none"}}' | cut -d' ' -f2- | jq -r .Id)
	c=${id:0:1}
	if [ -n "${first[$c]:-}" ]; then amb=$c; break; fi
	first[$c]=$id
done
out=$(api GET "/containers/$amb/json")
t_check "an ambiguous id prefix is refused, naming it" grep -q "multiple IDs found with provided prefix: $amb" <<<"$out"

# 11. Prune: every container not running (exited and created, as Docker); their ids; the
# running one stays.
code POST "/containers/$P-c1b/wait" >/dev/null
create "$P-up" '{"Image":"bb:1","Cmd":["sleep","300"],"HostConfig":{"NetworkMode":"none"}}' >/dev/null
code POST "/containers/$P-up/start" >/dev/null
pr=$(body POST /containers/prune)
t_check "prune: the exited containers' ids" jq -e --arg a "$id1" --arg b "$id2" '(.ContainersDeleted | index($a)) != null and (.ContainersDeleted | index($b)) != null and .SpaceReclaimed >= 0' <<<"$pr"
t_eq "prune: created ones go too" "$(code GET "/containers/$P-p1/json")" 404
t_eq "prune: the running one stays" "$(code GET "/containers/$P-up/json")" 200
code DELETE "/containers/$P-up?force=1" >/dev/null
for i in $(seq 1 17); do code DELETE "/containers/$P-p$i?force=1" >/dev/null; done

# 12. A container made by `netns-run run` is seen from its record alone.
"$NR" run -d --name "$P-cli" --net=none bb:1 sleep 300 >/dev/null
i=$(body GET "/containers/$P-cli/json")
t_eq "inspect of a CLI-made container: from its record" \
	"$(jq -r '[.Name, .State.Status, (.Config.Cmd | join(" ")), .HostConfig.NetworkMode, .Config.Image] | join("|")' <<<"$i")" \
	"/$P-cli|running|sleep 300|none|bb:1"
t_check "list shows the CLI-made container" grep -q "/$P-cli" <<<"$(body GET /containers/json | jq -r '.[].Names[0]')"
t_eq "stop of a CLI-made container through the API: 204" "$(code POST "/containers/$P-cli/stop?t=1")" 204
t_eq "start again of a CLI-made one (no kept body): 409" "$(code POST "/containers/$P-cli/start")" 409
t_eq "delete of a CLI-made one: 204" "$(code DELETE "/containers/$P-cli")" 204

# 13. The default network with a published port: Docker's Ports and Networks shapes.
out=$(create "$P-web" '{"Image":"bb:1","Cmd":["httpd","-f","-p","80"],"ExposedPorts":{"80/tcp":{}},"HostConfig":{"PortBindings":{"80/tcp":[{"HostIp":"","HostPort":"18080"}]}},"NetworkingConfig":{"EndpointsConfig":{"default":{}}}}')
if grep -q '^201 ' <<<"$out" && [ "$(code POST "/containers/$P-web/start")" = 204 ]; then
	i=$(body GET "/containers/$P-web/json")
	t_eq "inspect: NetworkSettings.Ports" "$(jq -c '.NetworkSettings.Ports' <<<"$i")" '{"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"18080"}]}'
	t_check "inspect: the bridge network's address, prefix, gateway, ids" \
		jq -e '.NetworkSettings.Networks.bridge | (.IPAddress | test("^[0-9.]+$")) and .IPPrefixLen > 0 and (.Gateway | length) > 0 and (.NetworkID | length) == 64' <<<"$i"
	t_eq "inspect: the legacy top-level IPAddress is the first network's" \
		"$(jq -r '.NetworkSettings.IPAddress == .NetworkSettings.Networks.bridge.IPAddress' <<<"$i")" true
	t_eq "list: Ports" "$(body GET /containers/json | jq -c --arg n "/$P-web" '.[] | select(.Names[0] == $n) | .Ports')" \
		'[{"IP":"0.0.0.0","PrivatePort":80,"PublicPort":18080,"Type":"tcp"}]'
	code POST "/containers/$P-web/stop?t=0" >/dev/null
	i=$(body GET "/containers/$P-web/json")
	t_eq "stopped: no ports, sandbox or address in inspect; the network kept (Docker's releaseNetwork)" \
		"$(jq -c '.NetworkSettings | [.Ports, .SandboxID, .SandboxKey, .IPAddress, (.Networks | keys), .Networks.bridge.IPAddress, (.Networks.bridge.NetworkID | length)]' <<<"$i")" \
		'[{},"","","",["bridge"],"",64]'
	t_eq "stopped: no Ports in the list" "$(body GET '/containers/json?all=1' | jq -c --arg n "/$P-web" '.[] | select(.Names[0] == $n) | .Ports')" '[]'
	code DELETE "/containers/$P-web?force=1" >/dev/null
else
	t_fail "create and start on the default bridge with -p" "$out"
fi

# 14. The docker CLI against the daemon.
if command -v docker >/dev/null; then
	export DOCKER_HOST=unix://$SOCK
	did=$(docker create --name "$P-d1" --network none bb:1 sh -c 'exit 5' 2>$W/docker.err)
	t_check "docker create prints the id" grep -qE '^[0-9a-f]{64}$' <<<"$did"
	t_eq "docker start" "$(docker start "$P-d1" 2>&1)" "$P-d1"
	t_eq "docker wait: the exit status" "$(timeout 20 docker wait "$P-d1" 2>&1)" 5
	t_check "docker ps -a lists it as Exited (5)" grep -q "Exited (5).*$P-d1" <<<"$(docker ps -a 2>&1)"
	t_eq "docker inspect -f" "$(docker inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.Name}}' "$P-d1" 2>&1)" "exited 5 /$P-d1"
	docker create --name "$P-d2" --network none bb:1 sleep 300 >/dev/null 2>&1
	docker start "$P-d2" >/dev/null 2>&1
	t_check "docker ps shows the running one" grep -q "$P-d2" <<<"$(docker ps 2>&1)"
	t_eq "docker stop" "$(docker stop -t 1 "$P-d2" 2>&1)" "$P-d2"
	t_eq "docker rm" "$(docker rm "$P-d1" "$P-d2" 2>&1 | tr '\n' ' ')" "$P-d1 $P-d2 "
	t_check "docker inspect of a removed container fails" sh -c "! docker inspect $P-d1 >/dev/null 2>&1"
	t_eq "docker run -d prints the id" "$(docker run -d --name "$P-d3" --network none bb:1 sleep 300 2>&1 | grep -cE '^[0-9a-f]{64}$')" 1
	t_check "docker top" grep -q "sleep 300" <<<"$(docker top "$P-d3" 2>&1)"
	t_check "docker stats --no-stream" grep -q "$P-d3" <<<"$(timeout 20 docker stats --no-stream "$P-d3" 2>&1)"
	t_check "docker rename of a running container is refused, saying why" \
		grep -q "while it runs" <<<"$(docker rename "$P-d3" "$P-d4" 2>&1)"
	t_eq "docker restart" "$(docker restart -t 1 "$P-d3" 2>&1)" "$P-d3"
	t_eq "docker kill" "$(docker kill "$P-d3" 2>&1)" "$P-d3"
	await 10 sh -c "[ \"\$(docker inspect -f '{{.State.Status}}' $P-d3)\" = exited ]"
	t_eq "docker rename of a stopped container" "$(docker rename "$P-d3" "$P-d4" 2>&1)" ""
	d4=$(docker inspect -f '{{.Id}}' "$P-d4" 2>/dev/null)
	t_eq "docker container prune -f removes it" "$(docker container prune -f 2>&1 | grep -c "${d4:-none}")" 1
	t_eq "docker run --rm: output and exit status" "$(timeout 30 docker run --rm --network none bb:1 sh -c 'echo hello; exit 4' 2>&1; echo "rc=$?")" "hello
rc=4"
	unset DOCKER_HOST
else
	t_skip "docker CLI" "no docker client"
fi

# 15. Twenty clients at once: create, start, wait, delete; none lost, no name clash.
unset DOCKER_HOST
one() {
	local n=$1 id st
	id=$(curl -s -m 60 --unix-socket $SOCK -H 'Content-Type: application/json' -X POST \
		--data-binary '{"Image":"bb:1","Cmd":["sh","-c","exit '"$n"'"],"HostConfig":{"NetworkMode":"none"}}' \
		"http://d/v1.50/containers/create" | jq -r .Id)
	curl -s -m 60 -D $W/ch$n --unix-socket $SOCK -X POST "http://d/v1.50/containers/$id/wait?condition=next-exit" >$W/cw$n &
	local w=$!
	# The wait's headers come once it has taken the container's state: only then the
	# start (a start before it would leave a next-exit wait for a run after this one).
	for _ in $(seq 600); do grep -q '^HTTP' $W/ch$n 2>/dev/null && break; sleep 0.05; done
	st=$(curl -s -m 60 --unix-socket $SOCK -X POST -w '%{http_code}' "http://d/v1.50/containers/$id/start")
	wait $w
	local del=""
	[ "$st" = 204 ] && [ "$(jq -r .StatusCode $W/cw$n)" = "$n" ] &&
		del=$(curl -s -m 60 --unix-socket $SOCK -X DELETE -w ' %{http_code}' "http://d/v1.50/containers/$id") &&
		[ "${del##* }" = 204 ] && echo ok >$W/c$n && return
	# Which step failed, for the report below.
	echo "#$n: id=$id start=$st wait=$(head -c 200 $W/cw$n) delete=$del" >$W/c$n
}
pids=""
for n in $(seq 1 20); do
	one $n &
	pids="$pids $!"
done
wait $pids # (not a bare wait: the daemon is a child too)
t_eq "20 concurrent create/start/wait/delete: each got its own status" "$(cat $W/c[0-9]* 2>/dev/null | grep -cx ok)" 20
cat $W/c[0-9]* 2>/dev/null | grep '^#' # the failed ones, if any

t_check "the daemon still answers" curl -sf --unix-socket $SOCK http://d/_ping
fds1=$(ls /proc/$DPID/fd | wc -l)
t_check "the daemon's descriptors: as many as before ($fds0, now $fds1)" test "$fds1" -le "$fds0"
# Everything left, removed through the API: no record, no monitor.
for id in $(body GET "/containers/json?all=1" | jq -r '.[].Id'); do code DELETE "/containers/$id?force=1" >/dev/null; done
t_eq "after removing every container through the API: nothing left" "$(nr_leftovers)" ""
# (Monitors of this sandbox only: other tests may run theirs at the same time.)
mine=0
for p in $(pgrep -f -- 'netns-run-(daemon|monitor) --monitor'); do
	[ "$(readlink /proc/$p/ns/mnt)" = "$(readlink /proc/self/ns/mnt)" ] && mine=$((mine + 1))
done
t_eq "no monitor process left" "$mine" 0
t_done
