#!/bin/bash
# Seccomp and capabilities (issue 14, item 3): Docker's default seccomp profile by default,
# so container root cannot reach the kernel's nf_tables, mount API or rtnetlink through a
# user namespace of its own; --security-opt seccomp=unconfined|FILE (Docker's format),
# --cap-add/--cap-drop, --privileged, no-new-privileges=false; exec gets the container's.
# The unshare attempts run inside the containers, in this script's private sandbox.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/runtime.sh"

run() { "$NR" run --rm --net=none "$@"; }
field() { # FIELD OPTIONS...: that /proc/self/status field of a container's command
	local f=$1
	shift
	run "$@" sh -c "grep '^$f:' /proc/self/status | cut -f2" 2>&1
}

t_eq "a default container runs under a seccomp filter (mode 2)" "$(field Seccomp)" 2
t_eq "... with no_new_privs" "$(field NoNewPrivs)" 1
t_eq "--security-opt seccomp=unconfined: no filter" "$(field Seccomp --security-opt seccomp=unconfined)" 0
t_eq "--privileged: no filter" "$(field Seccomp --privileged)" 0

# The escapes' first step: a user namespace of one's own, where one is root again.
t_check "unshare -Urn fails in a default container" sh -c "! '$NR' run --rm --net=none unshare -Urn true 2>/dev/null"
t_check "... and unshare -Urm mount -t tmpfs" \
	sh -c "! '$NR' run --rm --net=none unshare -Urm mount -t tmpfs x /mnt 2>/dev/null"
t_check "... and unshare -Urn ip link add" \
	sh -c "! '$NR' run --rm --net=none unshare -Urn ip link add nr-v0 type veth peer name nr-v1 2>/dev/null"
if command -v nft >/dev/null; then
	t_check "... and unshare -Urn nft add table" \
		sh -c "! '$NR' run --rm --net=none unshare -Urn nft add table inet x 2>/dev/null"
else
	t_skip "unshare -Urn nft add table" "nft is not installed"
fi
t_eq "unshare(CLONE_NEWNET) alone is refused too (EPERM)" \
	"$(run unshare -n true 2>&1 | grep -o 'Operation not permitted' | head -1)" "Operation not permitted"
t_check "--privileged: unshare -Urn works" run --privileged unshare -Urn true
t_check "--privileged: unshare -Urm mount -t tmpfs works" run --privileged unshare -Urm mount -t tmpfs x /mnt
t_check "--cap-add SYS_ADMIN lifts the namespace rules too (as in Docker)" run --cap-add SYS_ADMIN unshare -Urn true

# What the default profile allows: ordinary programs, a user switch, forks (clone3 is
# ENOSYS, so glibc falls back to clone).
t_eq "ordinary programs work under the filter" "$(run sh -c 'mkdir -p /tmp/a && echo x > /tmp/a/f && cat /tmp/a/f && ls /tmp/a | wc -l')" "x
1"
t_eq "-u 1000 works under the filter" "$(run -u 1000 id -u)" 1000

# A profile in Docker's format.
prof=$(mktemp -d -p /run seccomp.XXXXXX)
cat >"$prof/nomkdir.json" <<'EOF'
{
	"defaultAction": "SCMP_ACT_ALLOW",
	"architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
	"syscalls": [
		{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 95},
		{"names": ["no_such_syscall_nr"], "action": "SCMP_ACT_ERRNO"}
	]
}
EOF
[ "$(uname -m)" = x86_64 ] || sed -i '/"architectures"/d' "$prof/nomkdir.json"
t_eq "seccomp=FILE: mkdir fails with the profile's errnoRet (95)" \
	"$(run --security-opt seccomp="$prof/nomkdir.json" mkdir /tmp/x 2>&1 | grep -o 'Operation not supported')" \
	"Operation not supported"
t_eq "... and everything else is allowed (defaultAction)" \
	"$(run --security-opt seccomp="$prof/nomkdir.json" sh -c 'touch /tmp/y && echo ok')" ok
t_eq "... the legacy seccomp:FILE spelling" \
	"$(run --security-opt seccomp:"$prof/nomkdir.json" mkdir /tmp/x 2>&1 | grep -o 'Operation not supported')" \
	"Operation not supported"
cat >"$prof/argrule.json" <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW", "defaultErrnoRet": 1,
 "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22,
               "args": [{"index": 0, "value": 262144, "op": "SCMP_CMP_EQ"}]}]}
EOF
if command -v setarch >/dev/null; then
	t_check "an argument rule matches its value only" run --security-opt seccomp="$prof/argrule.json" \
		sh -c "! setarch -R true 2>/dev/null && setarch -L true"
else
	t_skip "an argument rule" "setarch is not installed"
fi

# Bad profiles: a clear message, 125, nothing made.
bad() { # WHAT FILE-TEXT EXPECTED-WORDS
	printf '%s' "$2" >"$prof/bad.json"
	local out rc
	out=$("$NR" run --rm --net=none --name "$P-bad" --security-opt seccomp="$prof/bad.json" true 2>&1)
	rc=$?
	if [ $rc = 125 ] && grep -q "$3" <<<"$out"; then t_ok "bad profile ($1): 125, \"$3\""; else t_fail "bad profile ($1)" "rc $rc: $out"; fi
}
bad "not JSON" '{"defaultAction": ' "not valid JSON"
bad "unknown action" '{"defaultAction": "SCMP_ACT_BOGUS"}' 'unknown action "SCMP_ACT_BOGUS"'
bad "no defaultAction" '{"syscalls": []}' "defaultAction"
bad "bad operator" '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_SOMETIMES"}]}]}' 'unknown operator'
bad "argument index 6" '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}]}' "index"
bad "unknown architecture" '{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_Z80"]}' "unknown architecture"
bad "name and names" '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"name": "read", "names": ["write"], "action": "SCMP_ACT_ERRNO"}]}' "both 'name' and 'names'"
bad "wrong type" '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": {"names": ["read"]}}' "'syscalls' must be an array"
out=$("$NR" run --rm --net=none --security-opt seccomp="$prof/missing.json" true 2>&1)
t_eq "a missing profile file: 125" "$?:$(grep -c 'missing.json.*No such file' <<<"$out")" "125:1"
t_eq "--security-opt nonsense: 125" "$("$NR" run --rm --net=none --security-opt apparmor=x true >/dev/null 2>&1; echo $?)" 125
t_eq "--cap-add NOPE: 125" "$("$NR" run --rm --net=none --cap-add NOPE true >/dev/null 2>&1; echo $?)" 125
t_eq "no container left by the refusals" "$(ls "$NETNS_RUN_STATE_DIR/containers" 2>/dev/null)" ""

# Capabilities, as Docker computes them.
t_eq "default CapEff: Docker's 14" "$(field CapEff)" 00000000a80425fb
t_eq "--cap-drop ALL: none" "$(field CapEff --cap-drop ALL)" 0000000000000000
t_eq "--cap-drop chown --cap-drop CAP_KILL" "$(field CapEff --cap-drop chown --cap-drop CAP_KILL)" 00000000a80425da
t_eq "--cap-add NET_ADMIN" "$(field CapEff --cap-add NET_ADMIN)" 00000000a80435fb
t_eq "--cap-drop ALL --cap-add net_raw" "$(field CapEff --cap-drop ALL --cap-add net_raw)" 0000000000002000
t_eq "--cap-drop ALL also empties the bounding set" "$(field CapBnd --cap-drop ALL)" 0000000000000000
t_eq "--cap-add NET_ADMIN: ip link add works (in the container's netns)" \
	"$(run --cap-add NET_ADMIN sh -c 'ip link add nr-v0 type veth peer name nr-v1 && echo ok' 2>&1)" ok
t_check "... and not without it" sh -c "! '$NR' run --rm --net=none ip link add nr-v0 type veth peer name nr-v1 2>/dev/null"
t_eq "--privileged: every capability we hold" "$(field CapEff --privileged)" "$(grep '^CapEff:' /proc/self/status | cut -f2)"

t_eq "no-new-privileges=false: NoNewPrivs 0" "$(field NoNewPrivs --security-opt no-new-privileges=false)" 0
t_eq "... still filtered" "$(field Seccomp --security-opt no-new-privileges=false)" 2
t_eq "... a FILE profile too" \
	"$(run --security-opt no-new-privileges=false --security-opt seccomp="$prof/nomkdir.json" mkdir /tmp/x 2>&1 | grep -o 'Operation not supported')" \
	"Operation not supported"

# exec applies the container's settings again, from its record.
"$NR" run -d --net=none --name "$P-a" --cap-add NET_ADMIN sleep 60 >/dev/null
"$NR" run -d --net=none --name "$P-u" --security-opt seccomp=unconfined sleep 60 >/dev/null
"$NR" run -d --net=none --name "$P-f" --security-opt seccomp="$prof/nomkdir.json" sleep 60 >/dev/null
ex() { "$NR" exec "$1" sh -c "grep '^$2:' /proc/self/status | cut -f2"; }
t_eq "exec: the container's filter" "$(ex "$P-a" Seccomp)" 2
t_eq "exec: the container's capabilities" "$(ex "$P-a" CapEff)" 00000000a80435fb
t_eq "exec: unconfined stays unconfined" "$(ex "$P-u" Seccomp)" 0
t_eq "exec: a FILE profile applies again" \
	"$("$NR" exec "$P-f" mkdir /tmp/x 2>&1 | grep -o 'Operation not supported')" "Operation not supported"
t_check "exec: the profile was recorded, not its path" \
	sh -c "rm '$prof/nomkdir.json' && ! '$NR' exec '$P-f' mkdir /tmp/x 2>/dev/null"
# A record written before these keys existed: exec gives the defaults.
rec="$NETNS_RUN_STATE_DIR/containers/$P-u/state.json"
jq 'del(.security)' "$rec" >"$rec.new" && mv "$rec.new" "$rec"
t_eq "exec into an older record: Docker's default filter" "$(ex "$P-u" Seccomp)" 2
t_eq "... and capabilities" "$(ex "$P-u" CapEff)" 00000000a80425fb
"$NR" rm -f "$P-a" "$P-u" "$P-f" >/dev/null
rm -rf "$prof"
# The compiled-filter cache: at most 64 entries after a miss, the newest kept.
cache="$NETNS_RUN_STATE_DIR/seccomp"
for i in $(seq 70); do touch -d '2020-01-01' "$cache/old$i.bpf"; done
run --cap-add SYS_TIME true
t_eq "the filter cache keeps 64 entries" "$(ls "$cache" | grep -c '\.bpf$')" 64
t_eq "... dropping the oldest" "$(ls "$cache" | grep -c '^old')" "$(( 64 - $(ls "$cache" | grep -vc '^old') ))"
t_eq "a start still works with a pruned cache" "$(field Seccomp)" 2
t_eq "nothing left" "$(nr_leftovers)" ""
t_done
