#!/bin/bash
# The 1024-port limit of a Linux bridge: the attachment that does not fit gets a clear
# error (code 50, as an exhausted range) and leaves nothing behind; STATUS says the same
# before anyone tries; freeing a port makes ADD work again.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"

DATA=$(mktemp -d -p /var/lib/cni full.XXXXXX)
BR=nrfull0
C=$(jq -nc --arg b "$BR" --arg d "$DATA" '{cniVersion:"1.1.0", name:"full", type:"bridge", bridge:$b,
	ipam:{type:"host-local", dataDir:$d, ranges:[[{subnet:"10.80.0.0/16"}]]}}')
br() { CNI_CONTAINERID=$2 cni bridge "$1" "/run/netns/$2" eth0 "$3"; }

# Fill the bridge with 1023 ports (veth pairs whose other ends stay here).
ip link add "$BR" type bridge
{
	for i in $(seq 1 1023); do echo "link add f$i type veth peer name g$i"; done
	for i in $(seq 1 1023); do echo "link set f$i master $BR"; done
} | ip -batch -
t_eq "the bridge holds 1023 ports" "$(ip -o link show master "$BR" | wc -l)" 1023

ip netns add c
links0=$(ip -o link show | wc -l)
out=$(br ADD c "$C"); rc=$?
t_eq "ADD to a full bridge fails with code 50" "$rc $(jq -r .code <<<"$out")" "1 50"
t_check "... saying the bridge is full and why" grep -q "bridge $BR is full: a Linux bridge takes at most 1023 ports" <<<"$out"
t_eq "... leaving no host link" "$(ip -o link show | wc -l)" "$links0"
t_eq "... nothing in the container" "$(ip -n c -o link show | wc -l)" 1
t_eq "... and no lease" "$(nr_leases "$DATA/full")" 0
out=$(CNI_COMMAND=STATUS CNI_PATH=$CNI_BIN "$CNI_BIN/bridge" <<<"$C"); rc=$?
t_eq "STATUS on the full bridge is code 50" "$rc $(jq -r .code <<<"$out")" "1 50"

ip link del f1
out=$(br ADD c "$C"); rc=$?
t_eq "with one port freed, ADD succeeds" "$rc" 0
out=$(CNI_COMMAND=STATUS CNI_PATH=$CNI_BIN "$CNI_BIN/bridge" <<<"$C"); rc=$?
t_eq "... and STATUS is full again" "$(jq -r .code <<<"$out")" 50
br DEL c "$C" >/dev/null
out=$(CNI_COMMAND=STATUS CNI_PATH=$CNI_BIN "$CNI_BIN/bridge" <<<"$C"); rc=$?
t_eq "after the DEL, STATUS succeeds" "$rc" 0

# The 1022 remaining pairs go with this test's private namespace when it exits (the
# kernel tears a namespace down in one batch; deleting them one by one takes seconds).
ip netns del c
t_done
