#!/bin/bash
# netns-run --userns: the container's root is an unprivileged id range of the host
# (container 0 = host BASE); the host's / is still its lower layer through an idmapped
# mount, so files keep their owners inside while writes belong to the range.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/runtime.sh"

B=$((400000 + ($$ % 1000) * 65536)) # a range of its own per run
run() { "$NR" run --rm --net=none --userns $B "$@"; }

t_eq "root inside" "$(run id -u)" 0
t_eq "mapped to the host range" "$(run cat /proc/self/uid_map | tr -s ' ' | sed 's/^ //')" "0 $B 65536"
t_eq "host files keep their owners inside (idmapped lower layer)" "$(run stat -c '%u:%g' /etc/passwd)" "0:0"
"$NR" run -d --net=none --userns $B --name "$P-u" sleep 60 >/dev/null
pid=$(state .pid "$P-u")
t_eq "on the host the init runs as $B" "$(awk '/^Uid/ {print $2}' /proc/$pid/status)" $B
t_eq "... and so does the command" "$(awk '/^Uid/ {print $2}' /proc/$(pgrep -P $pid)/status)" $B
"$NR" exec "$P-u" sh -c "echo x > /etc/nr-userns-$P"
t_eq "exec joins the user namespace" "$("$NR" exec "$P-u" id -u)" 0
t_eq "a write lands in the upper layer owned by $B" \
	"$(stat -c %u "$NETNS_RUN_STATE_DIR/containers/$P-u/upper/etc/nr-userns-$P")" $B
t_check "... and not in the host's /etc" test ! -e /etc/nr-userns-$P
"$NR" rm -f "$P-u" >/dev/null
secret=$(mktemp /run/secret.XXXX); echo s3cret >"$secret"; chmod 600 "$secret"
out=$(run -v "$secret:/secret" cat /secret 2>&1)
t_check "host root's 0600 file is unreadable to the container's root" grep -q "Permission denied" <<<"$out"
t_check "mount is refused" sh -c "! '$NR' run --rm --net=none --userns $B mount -t tmpfs x /mnt 2>/dev/null"
t_check "the default bridge works in a user namespace" \
	sh -c "'$NR' run --rm --userns $B sh -c 'ping -c 1 -W 2 \$(ip route show default | cut -d\" \" -f3)' >/dev/null"
t_eq "/dev is usable (host nodes, bind-mounted)" "$(run sh -c 'head -c 4 /dev/zero | wc -c; echo x > /dev/null && echo ok')" "4
ok"
t_eq "--userns with --net=host: 125" "$("$NR" run --rm --net=host --userns $B true 2>/dev/null; echo $?)" 125
t_eq "a bad --userns: 125" "$("$NR" run --rm --userns 0 true 2>/dev/null; echo $?)" 125
t_eq "nothing left" "$(nr_leftovers)" ""
t_done
