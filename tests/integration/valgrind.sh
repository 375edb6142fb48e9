#!/bin/bash
# valgrind memcheck over every plugin's ADD, CHECK, STATUS, GC and DEL (make valgrind):
# any invalid access, use of uninitialised memory or definite leak fails, in the plugin and
# in the IPAM plugin it runs (--trace-children).  A plugin is one line of PLUGINS below.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"

DATA=$(mktemp -d -p /var/lib/cni vg.XXXXXX)
HL='{"type":"host-local","dataDir":"'$DATA'","ranges":[[{"subnet":"198.51.100.0/24"}],[{"subnet":"2001:db8:9::/64"}]]}'
# name | config (cniVersion, name and the valid-attachments for GC are added)
PLUGINS=(
	'none|{"type":"none"}'
	'host-local|{"type":"host-local","ipam":'"$HL"'}'
	'bridge|{"type":"bridge","bridge":"vg0","isGateway":true,"ipMasq":true,"ipam":'"$HL"'}'
)

if [ -n "${NR_SANITIZED:-}" ]; then
	t_skip "memcheck" "sanitized build"
	t_done
	exit
fi

# vg PLUGIN CMD CONF: run under memcheck; the output goes to $out, the report to $log.
vg() {
	log="$NR_BUILD/tests/valgrind-$1-$2.log"
	out=$(CNI_COMMAND=$2 CNI_CONTAINERID=vgctr CNI_NETNS=/run/netns/vg CNI_IFNAME=eth0 CNI_PATH=$CNI_BIN \
		valgrind -q --trace-children=yes --leak-check=full --show-leak-kinds=definite \
		--errors-for-leak-kinds=definite --error-exitcode=99 "$CNI_BIN/$1" <<<"$3" 2>"$log")
}
# valgrind's notes about syscalls and ioctls it does not model are not findings.
report() { grep -vE 'unhandled|README_MISSING|could cause spurious|your own handler|consider this a bug|bug_reports' "$log" | head -n 30; }

ip netns add vg
for entry in "${PLUGINS[@]}"; do
	p=${entry%%|*}
	conf=$(jq -c '{cniVersion:"1.1.0", name:"vgnet"} + . + {"cni.dev/valid-attachments":[]}' <<<"${entry#*|}")
	vg "$p" ADD "$conf"; rc=$?
	if [ $rc = 0 ]; then t_ok "$p ADD is clean under memcheck"; else t_fail "$p ADD is clean under memcheck" "rc=$rc $(report)"; fi
	conf_prev=$(jq -c --argjson p "${out:-null}" '. + {prevResult:$p}' <<<"$conf")
	for cmd in CHECK STATUS GC DEL; do
		c=$conf
		[ $cmd = CHECK ] && c=$conf_prev
		# GC with no valid attachment collects this one: DEL afterwards must still be clean.
		vg "$p" $cmd "$c"; rc=$?
		if [ $rc = 0 ]; then t_ok "$p $cmd is clean under memcheck"; else t_fail "$p $cmd is clean under memcheck" "rc=$rc $(report)"; fi
	done
	# An error path too: a config that is refused after parsing.
	vg "$p" ADD "$(jq -c '.cniVersion="0.1.0"' <<<"$conf")"; rc=$?
	t_eq "$p error path is clean under memcheck (exit 1, no report)" "$rc" 1
done
t_eq "no lease is left" "$(find "$DATA" -name .nr-index -prune -o -type f ! -name lock ! -name 'last_reserved_ip*' -print | wc -l)" 0
ip netns del vg
t_done
