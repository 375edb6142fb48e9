#!/bin/bash
# Lab topology files through the CLI (issue 19, docs/labs.md): `netns-run lab graph` draws
# the issue's example lab and a bridge with four hosts (a whole SVG, PNG or DOT whose nodes
# and edges are the topology's); each of the issue's bad files (a link to an unknown node,
# an interface used twice, a name too long for a netdev, a cycle of bridges, YAML syntax
# errors, 10,000 nodes) and a few more exit 125 with a message naming the problem and its
# line, and nothing is made: no picture (an old one stays whole), no link, no lab state —
# through `lab deploy` too, once this build has it.  Runs in the sandbox's namespaces.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/runtime.sh"

if [ ! -x "$NR_BUILD/bin/netns-run-lab" ]; then
	t_fail "netns-run-lab is built" "no $NR_BUILD/bin/netns-run-lab"
	t_done
	exit
fi
W=$(mktemp -d /run/lab-topology.XXXX)
trap 'nr_cleanup; rm -rf "$W"' EXIT
lab() { "$NR" lab "$@"; }

# The deploy verb of this build, or nothing while it is a stand-in.
DEPLOY=
lab deploy -t /nonexistent.yml >/dev/null 2>"$W/probe"
grep -q "not implemented yet" "$W/probe" || DEPLOY=yes

cat >"$W/ospf3.clab.yml" <<'EOF'
name: ospf3
mgmt: { network: lab-mgmt, ipv4-subnet: 172.30.30.0/24 }      # optional management bridge
topology:
  defaults: { kind: linux }
  kinds: { linux: { image: busybox } }                         # image optional: host root when absent
  nodes:
    r1: { exec: ["ip addr add 10.0.12.1/30 dev eth1"], binds: ["r1.conf:/etc/frr/frr.conf:ro"] }
    r2: {}
    sw: { kind: bridge }                                        # a Linux bridge, not a container
  links:
    - endpoints: ["r1:eth1", "r2:eth1"]
    - endpoints: ["r2:eth2", "sw:p1"]
EOF
cat >"$W/br4.clab.yml" <<'EOF'
name: br4
topology:
  nodes:
    br0: { kind: bridge }
    h1: {}
    h2: {}
    h3: {}
    h4: {}
  links:
    - endpoints: ["h1:eth1", "br0:br0-h1"]
    - endpoints: ["h2:eth1", "br0:br0-h2"]
    - endpoints: ["h3:eth1", "br0:br0-h3"]
    - endpoints: ["h4:eth1", "br0:br0-h4"]
EOF

# svg_count FILE node|edge: Graphviz's SVG has one <g class="node"> per node, one
# <g class="edge"> per edge.
svg_count() { grep -c "<g id=\"[a-z]*[0-9]*\" class=\"$2\">" "$1"; }
svg_valid() {
	if command -v xmllint >/dev/null; then
		xmllint --noout "$1"
	else
		python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$1"
	fi
}
svg_node_titles() { awk '/class="node"/ { n = 1; next } n && /<title>/ { gsub(/<\/?title>/, ""); print; n = 0 }' "$1" | sort | tr '\n' ' '; }

# --- good files -------------------------------------------------------------------------
out=$(lab graph -t "$W/ospf3.clab.yml" -o "$W/ospf3.svg" 2>&1)
t_eq "graph of the issue's example: exit 0" "$?" 0
t_check "the SVG is there and well-formed XML" svg_valid "$W/ospf3.svg"
t_eq "its nodes: the lab's three" "$(svg_count "$W/ospf3.svg" node)" 3
t_eq "its edges: the lab's two links" "$(svg_count "$W/ospf3.svg" edge)" 2
t_eq "its nodes are named as the lab's" "$(svg_node_titles "$W/ospf3.svg")" "r1 r2 sw "
t_check "links are labelled with their interface names" grep -q '>p1<' "$W/ospf3.svg"
t_check "the bridge is drawn as a bridge" grep -q '>bridge<' "$W/ospf3.svg"
t_eq "nothing said on success" "$out" ""

t_eq "graph of a bridge and four hosts: exit 0" "$(lab graph -t "$W/br4.clab.yml" -o "$W/br4.svg" >/dev/null 2>&1; echo $?)" 0
t_check "its SVG is well-formed" svg_valid "$W/br4.svg"
t_eq "its nodes: a bridge and four hosts" "$(svg_count "$W/br4.svg" node)" 5
t_eq "its edges: four links" "$(svg_count "$W/br4.svg" edge)" 4
t_eq "the same lab as PNG: exit 0" "$(lab graph -t "$W/br4.clab.yml" -o "$W/br4.png" >/dev/null 2>&1; echo $?)" 0
t_eq "the PNG has PNG's signature" "$(head -c 8 "$W/br4.png" | od -An -tx1 | tr -d ' \n')" "89504e470d0a1a0a"
t_eq "the same lab as DOT: exit 0" "$(lab graph -t "$W/br4.clab.yml" -o "$W/br4.dot" >/dev/null 2>&1; echo $?)" 0
t_eq "the DOT source has its four links" "$(grep -c -- ' -- ' "$W/br4.dot")" 4
t_check "the DOT source is an undirected graph named after the lab" grep -q '^graph br4 {' "$W/br4.dot"
t_eq "no temporary file left beside the pictures" "$(ls "$W" | grep -cE '\.(svg|png|dot)\.')" 0
t_eq "the picture is readable by others (umask 022)" "$(stat -c %a "$W/br4.svg")" 644
t_check "graph --help" lab graph --help
mkdir "$W/labdir" && cp "$W/br4.clab.yml" "$W/labdir/"
t_eq "-t DIR takes the directory's one *.clab.yml" \
	"$(lab graph -t "$W/labdir" -o "$W/labdir/br4.svg" >/dev/null 2>&1; svg_count "$W/labdir/br4.svg" node)" 5

# --- bad usage --------------------------------------------------------------------------
err=$(lab graph -t "$W/br4.clab.yml" -o "$W/br4.jpg" 2>&1)
t_eq "a picture named .jpg: exit 125" "$?" 125
t_check "... saying which names work" grep -q '.svg, .png or .dot' <<<"$err"
t_eq "... and no file" "$(ls "$W"/br4.jpg* 2>/dev/null | wc -l)" 0
lab graph -o "$W/x.svg" >/dev/null 2>&1
t_eq "graph without -t: exit 125" "$?" 125
lab graph -t "$W/br4.clab.yml" >/dev/null 2>&1
t_eq "graph without -o: exit 125" "$?" 125
err=$(lab graph -t "$W/none.yml" -o "$W/x.svg" 2>&1)
t_eq "a topology file that is not there: exit 125" "$?" 125
t_check "... naming it" grep -q "cannot read the topology file $W/none.yml" <<<"$err"
err=$(lab graph -t "$W/br4.clab.yml" -o "$W/no/such/dir.svg" 2>&1)
t_eq "a picture in a directory that is not there: exit 1" "$?" 1
t_check "... saying it cannot write it" grep -q "cannot write $W/no/such/dir.svg" <<<"$err"

# --- bad files --------------------------------------------------------------------------
links_before=$(ip -o link show | awk -F': ' '{print $2}' | sort | tr '\n' ' ')
cp "$W/br4.svg" "$W/old.svg"
old_sum=$(md5sum <"$W/old.svg")

# bad NAME "WORDS" < FILE: graph (and deploy, when built) refuse it with exit 125 and a
# message holding WORDS; nothing drawn over old.svg, nothing made.
bad() {
	local name=$1 words=$2 f="$W/bad-$1.yml" rc
	cat >"$f"
	err=$(lab graph -t "$f" -o "$W/old.svg" 2>&1)
	rc=$?
	if [ $rc = 125 ] && grep -qF -- "$words" <<<"$err"; then
		t_ok "$name: graph refuses it (125: $(head -n 1 <<<"$err" | cut -c1-110))"
	else
		t_fail "$name: graph refuses it with exit 125 and '$words'" "rc=$rc: $err"
	fi
	t_eq "$name: the old picture is untouched" "$(md5sum <"$W/old.svg")" "$old_sum"
	[ -n "$DEPLOY" ] || return 0
	err=$(lab deploy -t "$f" 2>&1)
	rc=$?
	if [ $rc = 125 ] && grep -qF -- "$words" <<<"$err"; then t_ok "$name: deploy refuses it (125)"; else
		t_fail "$name: deploy refuses it with exit 125 and '$words'" "rc=$rc: $err"; fi
	t_eq "$name: no link made" "$(ip -o link show | awk -F': ' '{print $2}' | sort | tr '\n' ' ')" "$links_before"
	t_eq "$name: no lab state, no container" \
		"$(ls "$NETNS_RUN_STATE_DIR/labs" "$NETNS_RUN_STATE_DIR/containers" 2>/dev/null | grep -v ':$' | grep -c .)" 0
}

bad unknown-node "bad-unknown-node.yml:7: link r1:eth1 -- r9:eth1: unknown node 'r9'" <<'EOF'
name: bad1
topology:
  nodes:
    r1: {}
    r2: {}
  links:
    - endpoints: ["r1:eth1", "r9:eth1"]
EOF
bad iface-twice "bad-iface-twice.yml:8: interface r1:eth1 is used twice (also at line 7)" <<'EOF'
name: bad2
topology:
  nodes:
    r1: {}
    r2: {}
  links:
    - endpoints: ["r1:eth1", "r2:eth1"]
    - endpoints: ["r2:eth2", "r1:eth1"]
EOF
bad name-too-long "interface name 'eth-to-the-core1' of node 'r1' is 16 characters long" <<'EOF'
name: bad3
topology:
  nodes: { r1: {}, r2: {} }
  links:
    - endpoints: ["r1:eth-to-the-core1", "r2:eth1"]
EOF
bad bridge-name-too-long "bridge node 'core-switch-0001' names a network interface" <<'EOF'
name: bad3b
topology:
  nodes: { core-switch-0001: { kind: bridge }, h1: {} }
  links:
    - endpoints: ["h1:eth1", "core-switch-0001:p1"]
EOF
bad bridge-cycle "bad-bridge-cycle.yml:11: link s3:s3-s1 -- s1:s1-s3 closes a cycle of bridges" <<'EOF'
name: bad4
topology:
  nodes:
    s1: { kind: bridge }
    s2: { kind: bridge }
    s3: { kind: bridge }
    h1: {}
  links:
    - endpoints: ["s1:s1-s2", "s2:s2-s1"]
    - endpoints: ["s2:s2-s3", "s3:s3-s2"]
    - endpoints: ["s3:s3-s1", "s1:s1-s3"]
    - endpoints: ["h1:eth1", "s1:s1-h1"]
EOF
bad yaml-syntax "bad-yaml-syntax.yml:5:8: YAML syntax error" <<'EOF'
name: bad5
topology:
  nodes:
    r1: { image: busybox
  links: []
EOF
bad yaml-tab "bad-yaml-tab.yml:3:1: YAML syntax error" <<'EOF'
name: bad5b
topology:
	nodes: { r1: {} }
EOF
bad unknown-key "bad-unknown-key.yml:5: node 'r1': unknown key 'imgae'" <<'EOF'
name: bad6
topology:
  nodes:
    r1:
      imgae: busybox
EOF
bad refused-key "bad-refused-key.yml:5: node 'r1': key 'ports' of containerlab is not supported" <<'EOF'
name: bad7
topology:
  nodes:
    r1:
      ports: ["8080:80"]
EOF
bad refused-kind "kind 'nokia_srlinux' is not supported (linux, bridge or host)" <<'EOF'
name: bad8
topology:
  nodes: { srl: { kind: nokia_srlinux, image: ghcr.io/nokia/srlinux } }
EOF

python3 -c '
print("name: big\ntopology:\n  nodes:")
for i in range(10000): print("    n%d: {}" % i)
print("  links:")
for i in range(1, 10000): print("    - endpoints: [\"n%d:e1\", \"n%d:e2\"]" % (i - 1, i))' >"$W/big.in"
t0=$(date +%s%N)
bad ten-thousand-nodes "bad-ten-thousand-nodes.yml:4: topology.nodes: 10000 nodes; a lab has at most 4096" <"$W/big.in"
ms=$((($(date +%s%N) - t0) / 1000000))
if [ $ms -lt 3000 ]; then t_ok "10,000 nodes refused fast (${ms} ms${DEPLOY:+, deploy included})"; else t_fail "10,000 nodes refused fast" "${ms} ms"; fi

t_eq "after all the bad files: no link made" "$(ip -o link show | awk -F': ' '{print $2}' | sort | tr '\n' ' ')" "$links_before"
t_eq "... and no picture but the good ones" "$(ls "$W" "$W/labdir" | grep -cE '\.(svg|png|dot)$')" 6

t_done
