#!/bin/bash
# The container's init (pid 1, a fork of netns-run) keeps nothing of its caller's: not its
# environment (/proc/1/environ), not its command line (/proc/1/cmdline), not its
# descriptors (/proc/1/fd); and the container's root cannot ptrace it, which would stop
# it and leave `netns-run run` waiting forever (issue 14, item 2; docs/security.md).
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/runtime.sh"

TOOLS="$NR_BUILD/tests/tools"
run() { NR_SECRET=hunter2 "$NR" run --rm --net=none -v "$TOOLS:/tools:ro" "$@"; }

# From inside, as the container's root.
out=$(run cat /proc/1/environ 2>&1)
t_eq "the caller's environment is not in /proc/1/environ" "$(grep -c hunter2 <<<"$out")" 0
t_check "... which the container's root may not even read (the init is not dumpable)" \
	grep -q "Permission denied" <<<"$out"
t_eq "/proc/1/cmdline holds no host command line, only the init's name" \
	"$(run cat /proc/1/cmdline | tr '\0' '\n')" netns-run-init
# The init closes the rest once the command has exec'd, which runs alongside: awaited
# (bounded), not read at once.
t_eq "the init holds one descriptor, the runtime's status pipe" \
	"$(run sh -c 'for i in $(seq 100); do n=$(ls /proc/1/fd | wc -l); [ "$n" = 1 ] && break; sleep 0.02; done; echo $n')" 1
t_eq "the command's environment is the container's, not the caller's" "$(run env | grep -c NR_SECRET)" 0

# The attack: attach to pid 1, then exit 3.  It must fail, and the run must still end
# with the command's status (a stopped init never reaps the command: a run that hangs).
out=$(timeout -k 5 20 "$NR" run --rm --net=none -v "$TOOLS:/tools:ro" sh -c '/tools/ptrace_attach 1; exit 3' 2>&1)
rc=$?
t_eq "ptrace(PTRACE_ATTACH, 1) from inside fails with EPERM" "$out" EPERM
t_eq "... and the run ends with the command's status" $rc 3
"$NR" run -d --net=none --user 1000 -v "$TOOLS:/tools:ro" --name "$P-u" sleep 60 >/dev/null
t_eq "... also by root (exec) beside a --user command, whose setuid shared the init's memory" \
	"$(timeout -k 5 20 "$NR" exec -u 0 "$P-u" /tools/ptrace_attach 1 2>&1)" EPERM
"$NR" rm -f "$P-u" >/dev/null

# A stopped init (here by the host's attach; in a container given CAP_SYS_PTRACE, by its
# root) never reaps the command: the run must still end, with the command's status, once
# the command is gone (START_INIT_GRACE_MS later).
mkfifo /run/ready /run/go
(timeout -k 5 20 "$NR" run --rm --net=none --name "$P-st" -v /run/ready:/ready -v /run/go:/go \
	sh -c 'echo >/ready; read x </go; exit 3' >/dev/null; echo $? >/run/st.rc) &
read -r _ </run/ready
t_eq "(host) the host's root can still attach to the init" "$("$TOOLS/ptrace_attach" "$(state .pid "$P-st")")" attached
echo >/run/go
wait
t_eq "... and the run of a stopped init ends with the command's status" "$(cat /run/st.rc)" 3

# From the host, where the init's memory and descriptors are readable: nothing there either.
BIG=$(head -c 100000 /dev/zero | tr '\0' x)
NR_SECRET=hunter2 NR_BIG=$BIG "$NR" run -d --net=none --name "$P-d" sleep 60 >/dev/null
pid=$(state .pid "$P-d")
t_eq "(host) the init's environ holds no byte of the caller's environment" \
	"$(tr -d '\0' </proc/$pid/environ | wc -c)" 0
t_eq "(host) its cmdline is its name" "$(tr '\0' '\n' </proc/$pid/cmdline)" netns-run-init
t_eq "(host) its descriptors: the status pipe only" \
	"$(for f in /proc/$pid/fd/*; do readlink "$f"; done | sed 's/:.*//')" pipe
t_eq "exec still joins the container" "$("$NR" exec "$P-d" cat /proc/1/comm)" netns-run-init
"$NR" rm -f "$P-d" >/dev/null

# --userns: the init's memory belongs to the host's user namespace, not the container's.
B=$((400000 + ($$ % 1000) * 65536))
t_eq "--userns: cmdline is the init's name" "$(run --userns $B cat /proc/1/cmdline | tr '\0' '\n')" netns-run-init
t_eq "--userns: the attach fails too" "$(timeout -k 5 20 "$NR" run --rm --net=none --userns $B \
	-v "$TOOLS:/tools:ro" /tools/ptrace_attach 1 2>&1)" EPERM

t_eq "nothing left" "$(nr_leftovers)" ""
t_done
