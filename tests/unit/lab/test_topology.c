/* The topology parser (runtime/lab/topology.h) without a kernel: containerlab files that
 * parse, inheritance down defaults -> kinds -> node, and every file refused, each with the
 * line and the words a person needs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/rt_error.h"
#include "lab/cmd.h"
#include "lab/topology.h"

static struct lab_topo *ok(const char *yaml)
{
	struct nr_error err = { 0 };
	struct lab_topo *t = NULL;
	int r = lab_topo_parse_buf(yaml, strlen(yaml), "t.yml", &t, &err);

	if (r != 0)
		fail_msg("unexpected error: %s", err.msg);
	assert_non_null(t);
	return t;
}

/* Refused, with a message holding each of the NULL-ended WORDS. */
static void bad_words(const char *yaml, size_t len, const char *const *words)
{
	struct nr_error err = { 0 };
	struct lab_topo *t = NULL;
	int r = lab_topo_parse_buf(yaml, len, "t.yml", &t, &err);

	if (r >= 0)
		fail_msg("accepted, expected an error with '%s':\n%s", words[0], yaml);
	assert_int_equal(r, -EINVAL);
	assert_null(t);
	assert_int_equal(err.code, RT_ERR_USAGE);
	for (; *words; words++)
		if (!strstr(err.msg, *words))
			fail_msg("message '%s' lacks '%s'", err.msg, *words);
}
#define bad(yaml, ...) bad_words(yaml, strlen(yaml), (const char *const[]){ __VA_ARGS__, NULL })

static const struct lab_node *node(const struct lab_topo *t, const char *name)
{
	long i = lab_topo_node(t, name);

	if (i < 0)
		fail_msg("no node %s", name);
	return &t->nodes[i];
}

static bool has(lab_strv v, const char *s)
{
	for (; v && *v; v++)
		if (!strcmp(*v, s))
			return true;
	return false;
}

static size_t len(lab_strv v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

static const char issue_example[] = "name: ospf3\n"
				    "mgmt: { network: lab-mgmt, ipv4-subnet: 172.30.30.0/24 }\n"
				    "topology:\n"
				    "  defaults: { kind: linux }\n"
				    "  kinds: { linux: { image: busybox } }\n"
				    "  nodes:\n"
				    "    r1: { exec: [\"ip addr add 10.0.12.1/30 dev eth1\"], binds: "
				    "[\"r1.conf:/etc/frr/frr.conf:ro\"] }\n"
				    "    r2: { binds: [\"~/.ssh/id_rsa:/root/.ssh/id_rsa:ro\"] }\n"
				    "    sw: { kind: bridge }\n"
				    "  links:\n"
				    "    - endpoints: [\"r1:eth1\", \"r2:eth1\"]\n"
				    "    - endpoints: [\"r2:eth2\", \"sw:p1\"]\n";

static void test_issue_example(void **state)
{
	struct lab_topo *t;

	setenv("HOME", "/home/lab", 1);
	t = ok(issue_example);
	char cwd[4096], bind[4200];
	const struct lab_node *r1;

	assert_string_equal(t->name, "ospf3");
	assert_string_equal(t->mgmt.network, "lab-mgmt");
	assert_string_equal(t->mgmt.ipv4_subnet, "172.30.30.0/24");
	assert_int_equal(t->n_nodes, 3);
	r1 = node(t, "r1");
	assert_int_equal(r1->kind, LAB_KIND_LINUX);
	assert_string_equal(r1->image, "busybox");
	assert_string_equal(r1->network_mode, "none");
	assert_int_equal(r1->line, 7);
	assert_int_equal(len(r1->exec), 1);
	assert_string_equal(r1->exec[0], "ip addr add 10.0.12.1/30 dev eth1");
	/* A relative bind is the file's neighbour (parse_buf: the current directory). */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(bind, sizeof(bind), "%s/r1.conf:/etc/frr/frr.conf:ro", cwd);
	assert_string_equal(r1->binds[0], bind);
	assert_string_equal(node(t, "r2")->image, "busybox");
	assert_null(node(t, "r2")->exec);
	assert_string_equal(node(t, "r2")->binds[0], "/home/lab/.ssh/id_rsa:/root/.ssh/id_rsa:ro");
	assert_int_equal(node(t, "sw")->kind, LAB_KIND_BRIDGE);
	assert_null(node(t, "sw")->image);
	assert_int_equal(t->n_links, 2);
	assert_int_equal(t->links[0].a.node, lab_topo_node(t, "r1"));
	assert_string_equal(t->links[0].a.ifname, "eth1");
	assert_int_equal(t->links[0].b.node, lab_topo_node(t, "r2"));
	assert_int_equal(t->links[1].b.node, lab_topo_node(t, "sw"));
	assert_string_equal(t->links[1].b.ifname, "p1");
	assert_int_equal(t->links[0].mtu, LAB_DEFAULT_MTU);
	assert_int_equal(t->links[1].line, 12);
	assert_null(t->links[0].a.mac);
	assert_string_equal(lab_kind_name(LAB_KIND_HOST), "host");
	assert_int_equal(lab_topo_node(t, "r9"), -1);
	lab_topo_free(t);
}

/* From a file: binds are taken from the file's directory, messages name the file. */
static void test_parse_file(void **state)
{
	char dir[] = "/tmp/nr-labtopo.XXXXXX", path[128], path2[128], bind[256];
	struct nr_error err = { 0 };
	struct lab_topo *t = NULL;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/lab.clab.yml", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs(issue_example, f);
	fclose(f);
	assert_int_equal(lab_topo_parse_file(path, &t, &err), 0);
	snprintf(bind, sizeof(bind), "%s/r1.conf:/etc/frr/frr.conf:ro", dir);
	assert_string_equal(node(t, "r1")->binds[0], bind);
	assert_string_equal(t->dir, dir);
	assert_string_equal(t->path, path);
	lab_topo_free(t);
	t = NULL;
	assert_non_null(f = fopen(path, "w"));
	fputs("name: x\ntopology:\n  nodes: {a: {}}\n  links: [{endpoints: [\"a:e1\", \"b:e1\"]}]\n", f);
	fclose(f);
	assert_int_equal(lab_topo_parse_file(path, &t, &err), -EINVAL);
	assert_null(t);
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, ":4: "));
	unlink(path);
	assert_int_equal(lab_topo_parse_file(path, &t, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "cannot read"));
	/* containerlab's -t DIR: the one *.clab.yml in it. */
	assert_int_equal(lab_topo_parse_file(dir, &t, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "no *.clab.yml file"));
	assert_non_null(f = fopen(path, "w"));
	fputs(issue_example, f);
	fclose(f);
	assert_int_equal(lab_topo_parse_file(dir, &t, &err), 0);
	assert_string_equal(t->path, path);
	assert_string_equal(t->name, "ospf3");
	lab_topo_free(t);
	t = NULL;
	snprintf(path2, sizeof(path2), "%s/other.clab.yaml", dir);
	assert_non_null(f = fopen(path2, "w"));
	fclose(f);
	assert_int_equal(lab_topo_parse_file(dir, &t, &err), -EEXIST);
	assert_non_null(strstr(err.msg, "more than one"));
	assert_null(t);
	unlink(path2);
	unlink(path);
	snprintf(path2, sizeof(path2), "%s/sub.clab.yml", dir);
	assert_int_equal(mkdir(path2, 0700), 0);
	assert_int_equal(lab_topo_parse_file(dir, &t, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "not a topology file"));
	rmdir(path2);
	rmdir(dir);
}

/* containerlab's order: defaults, then the node's kind, then the node. */
static void test_inheritance(void **state)
{
	struct lab_topo *t = ok("name: inh\n"
				"topology:\n"
				"  defaults:\n"
				"    image: alpine\n"
				"    env: {A: d, B: d}\n"
				"    labels: {team: net}\n"
				"    binds: [/d:/data, /x:/x]\n"
				"    exec: [echo defaults]\n"
				"    cap-add: [SYS_TIME]\n"
				"  kinds:\n"
				"    linux: {image: frr, env: {B: k, C: k}, binds: [/k:/data], cap-add: [sys_time, "
				"NET_BIND_SERVICE]}\n"
				"    bridge: {labels: {role: switch}}\n"
				"  nodes:\n"
				"    a: {env: {C: n, D: 4}, exec: [echo a], binds: [\"/n:/x:ro\"]}\n"
				"    b: {image: null, exec: null, cmd: sleep 1d, network-mode: host}\n"
				"    c: {image: debian, cap-drop: [NET_ADMIN], sysctl-net: ro, labels: {team: lab}}\n"
				"    s: {kind: bridge}\n");
	const struct lab_node *a = node(t, "a"), *b = node(t, "b"), *c = node(t, "c"), *s = node(t, "s");

	assert_string_equal(a->image, "frr");
	assert_int_equal(len(a->env), 4);
	assert_true(has(a->env, "A=d") && has(a->env, "B=k") && has(a->env, "C=n") && has(a->env, "D=4"));
	assert_true(has(a->labels, "team=net"));
	assert_int_equal(len(a->binds), 2);
	assert_true(has(a->binds, "/k:/data") && has(a->binds, "/n:/x:ro"));
	assert_int_equal(len(a->exec), 1);
	assert_string_equal(a->exec[0], "echo a");
	assert_int_equal(len(a->cap_add), 2);
	assert_null(a->cap_drop);
	assert_false(a->sysctl_net_ro);
	/* null clears what was inherited: no image is the host's root. */
	assert_null(b->image);
	assert_null(b->exec);
	assert_string_equal(b->cmd, "sleep 1d");
	assert_string_equal(b->network_mode, "host");
	assert_string_equal(c->image, "debian");
	assert_true(has(c->cap_drop, "NET_ADMIN"));
	assert_true(c->sysctl_net_ro);
	assert_true(has(c->labels, "team=lab"));
	assert_int_equal(len(c->exec), 1);
	assert_string_equal(c->exec[0], "echo defaults");
	/* A bridge takes labels only, from every section. */
	assert_null(s->image);
	assert_null(s->env);
	assert_true(has(s->labels, "team=net") && has(s->labels, "role=switch"));
	lab_topo_free(t);
}

static void test_links_forms(void **state)
{
	struct lab_topo *t = ok("name: l\n"
				"topology:\n"
				"  nodes: {a: , b: , c: {}}\n"
				"  links:\n"
				"    - endpoints: [a:eth1, b:eth1]\n"
				"      mtu: 1500\n"
				"    - type: veth\n"
				"      mtu: 9000\n"
				"      endpoints:\n"
				"        - {node: a, interface: eth2, mac: \"02:AA:bb:cc:dd:01\"}\n"
				"        - node: c\n"
				"          interface: eth2\n"
				"    - endpoints: [\"c:eth3\", \"host:veth-lab1\"]\n"
				"    - endpoints: [\"a:eth3\", \"a:eth4\"]\n");

	assert_int_equal(t->n_links, 4);
	assert_int_equal(t->links[0].mtu, 1500);
	assert_int_equal(t->links[1].mtu, 9000);
	assert_string_equal(t->links[1].a.mac, "02:aa:bb:cc:dd:01");
	assert_null(t->links[1].b.mac);
	assert_int_equal(t->links[1].b.node, lab_topo_node(t, "c"));
	/* host:IFNAME needs no node of its own: one of kind host is made. */
	assert_int_equal(t->n_nodes, 4);
	assert_int_equal(node(t, "host")->kind, LAB_KIND_HOST);
	assert_int_equal(t->links[2].b.node, lab_topo_node(t, "host"));
	assert_string_equal(t->links[2].b.ifname, "veth-lab1");
	assert_int_equal(t->links[3].a.node, t->links[3].b.node);
	lab_topo_free(t);
}

/* The bridge and four hosts of the issue; a chain of bridges is no cycle. */
static void test_bridge_lab(void **state)
{
	struct lab_topo *t = ok("name: br4\n"
				"topology:\n"
				"  nodes:\n"
				"    sw: {kind: bridge}\n"
				"    sw2: {kind: bridge}\n"
				"    h1: {}\n    h2: {}\n    h3: {}\n    h4: {}\n"
				"  links:\n"
				"    - endpoints: [h1:eth1, sw:sw-h1]\n"
				"    - endpoints: [h2:eth1, sw:sw-h2]\n"
				"    - endpoints: [h3:eth1, sw:sw-h3]\n"
				"    - endpoints: [h4:eth1, sw2:sw2-h4]\n"
				"    - endpoints: [sw:sw-up, sw2:sw2-down]\n");

	assert_int_equal(t->n_nodes, 6);
	assert_int_equal(t->n_links, 5);
	assert_null(t->mgmt.network);
	lab_topo_free(t);
}

static void test_yaml_anchor_refused_top(void **state)
{
	/* An x- key is no containerlab key either: refused by name. */
	bad("name: y\nx-common: &c {image: frr}\ntopology:\n  nodes: {a: *c}\n", "t.yml:2:", "unknown key 'x-common'");
}

static void test_yaml_merge(void **state)
{
	struct lab_topo *t = ok("name: y\n"
				"topology:\n"
				"  defaults: &d {image: frr, env: {A: 1}}\n"
				"  nodes:\n"
				"    a: {<<: *d, image: alpine}\n"
				"    b: *d\n"
				"    c:\n"
				"      <<: [*d]\n"
				"      cmd: sleep 1\n");

	assert_string_equal(node(t, "a")->image, "alpine");
	assert_string_equal(node(t, "b")->image, "frr");
	assert_string_equal(node(t, "c")->image, "frr");
	assert_string_equal(node(t, "c")->cmd, "sleep 1");
	assert_true(has(node(t, "a")->env, "A=1"));
	lab_topo_free(t);
}

static void test_mgmt(void **state)
{
	struct lab_topo *t = ok("name: m\n"
				"mgmt: {ipv4-subnet: 10.9.0.0/24}\n"
				"topology:\n"
				"  nodes: {a: {mgmt-ipv4: 10.9.0.11}, b: {mgmt_ipv4: 10.9.0.12}, c: }\n");

	assert_string_equal(t->mgmt.network, "clab");
	assert_string_equal(node(t, "a")->mgmt_ipv4, "10.9.0.11");
	assert_string_equal(node(t, "b")->mgmt_ipv4, "10.9.0.12");
	assert_null(node(t, "c")->mgmt_ipv4);
	lab_topo_free(t);
}

#define NODES2 "name: x\ntopology:\n  nodes: {a: {}, b: {}}\n  links:\n"

/* The issue's bad files: each refused, naming what is wrong and where. */
static void test_bad_links(void **state)
{
	bad(NODES2 "    - endpoints: [\"a:eth1\", \"r9:eth1\"]\n", "t.yml:5: ", "unknown node 'r9'");
	bad(NODES2 "    - endpoints: [\"a:eth1\", \"b:eth1\"]\n    - endpoints: [\"b:eth2\", \"a:eth1\"]\n",
	    "t.yml:6: ", "a:eth1 is used twice", "line 5");
	bad(NODES2 "    - endpoints: [\"a:eth1\", \"a:eth1\"]\n", "t.yml:5: ", "used twice");
	bad(NODES2 "    - endpoints: [\"a:ethernet01234567\", \"b:eth1\"]\n", "t.yml:5:", "16 characters",
	    "at most 15");
	bad(NODES2 "    - endpoints: [\"a:eth 1\", \"b:eth1\"]\n", "t.yml:5:", "not valid");
	bad(NODES2 "    - endpoints: [\"a:..\", \"b:eth1\"]\n", "not valid");
	bad(NODES2 "    - endpoints: [\"a:lo\", \"b:eth1\"]\n", "t.yml:5: ", "loopback");
	bad(NODES2 "    - endpoints: [\"aeth1\", \"b:eth1\"]\n", "t.yml:5:", "expected NODE:INTERFACE");
	bad(NODES2 "    - endpoints: [\"a:x:y\", \"b:eth1\"]\n", "expected NODE:INTERFACE");
	bad(NODES2 "    - endpoints: [\":eth1\", \"b:eth1\"]\n", "without a node name");
	bad(NODES2 "    - endpoints: [\"a:\", \"b:eth1\"]\n", "not valid");
	bad(NODES2 "    - endpoints: [\"a:eth1\", \"b:eth1\", \"b:eth2\"]\n", "t.yml:5:", "a list of two");
	bad(NODES2 "    - endpoints: [\"a:eth1\"]\n", "a list of two");
	bad(NODES2 "    - endpoints: \"a:eth1\"\n", "a list of two");
	bad(NODES2 "    - {}\n", "needs endpoints");
	bad(NODES2 "    - \"a:eth1 b:eth1\"\n", "each link is a map");
	bad(NODES2 "    - endpoints: [\"a:eth1\", \"b:eth1\"]\n      mtu: 50\n", "t.yml:6:", "mtu '50'");
	bad(NODES2 "    - endpoints: [\"a:eth1\", \"b:eth1\"]\n      mtu: 9k\n", "mtu '9k'");
	bad(NODES2 "    - endpoints: [\"a:eth1\", \"b:eth1\"]\n      vars: {x: 1}\n",
	    "t.yml:6:", "'vars' of containerlab is not supported");
	bad(NODES2 "    - endpoints: [\"a:eth1\", \"b:eth1\"]\n      color: red\n", "unknown key 'color'");
	bad(NODES2 "    - type: macvlan\n      endpoint: {node: a, interface: eth1}\n", "link type 'macvlan'");
	bad(NODES2 "    - endpoints: [\"a:eth1\", \"mgmt-net:a-eth1\"]\n", "mgmt-net links are not supported");
	bad(NODES2 "    - endpoints: [\"a:eth1\", \"macvlan:enp0s3\"]\n", "macvlan links are not supported");
	bad(NODES2 "    - endpoints: [{node: a, interface: eth1}, {node: b}]\n", "needs node and interface");
	bad(NODES2 "    - endpoints: [{node: a, interface: eth1, mac: \"01:00:5e:00:00:01\"}, b:eth1]\n", "multicast");
	bad(NODES2 "    - endpoints: [{node: a, interface: eth1, mac: \"02:00:5e:00:00\"}, b:eth1]\n", "six hex bytes");
	bad(NODES2 "    - endpoints: [{node: a, interface: eth1, mac: \"00:00:00:00:00:00\"}, b:eth1]\n", "all zeros");
	bad(NODES2 "    - endpoints: [{node: a, interface: eth1, mac: \"02:00:00:00:00:01\"}, "
		   "{node: b, interface: eth1, mac: \"02:00:00:00:00:01\"}]\n",
	    "given to two interfaces");
	bad(NODES2 "    - endpoints: [{node: a, interface: eth1, speed: 10}, b:eth1]\n", "unknown key 'speed'");
	bad("name: x\ntopology:\n  nodes: {a: {}}\n  links: {a: b}\n", "expected a list of links");
}

static void test_bad_host_namespace(void **state)
{
	/* Bridges, their ports and host endpoints share the host's namespace. */
	bad("name: x\ntopology:\n  nodes: {a: {}, b: {}, sw: {kind: bridge}}\n  links:\n"
	    "    - endpoints: [\"a:eth1\", \"sw:p1\"]\n    - endpoints: [\"b:eth1\", \"host:p1\"]\n",
	    "t.yml:6: ", "'p1' is used twice in the host's namespace");
	bad("name: x\ntopology:\n  nodes: {a: {}, sw: {kind: bridge}}\n  links:\n"
	    "    - endpoints: [\"a:eth1\", \"host:sw\"]\n",
	    "'sw' is used twice in the host's namespace");
	bad("name: x\ntopology:\n  nodes: {a: {}, h: {network-mode: host}}\n  links:\n"
	    "    - endpoints: [\"a:eth1\", \"h:x1\"]\n    - endpoints: [\"a:eth2\", \"host:x1\"]\n",
	    "'x1' is used twice in the host's namespace");
	bad("name: x\ntopology:\n  nodes: {a: {}, host: {}}\n  links:\n    - endpoints: [\"a:eth1\", \"host:x1\"]\n",
	    "t.yml:5: ", "node 'host' (line 3) is of kind linux");
	bad("name: x\ntopology:\n  nodes: {verylongbridge01: {kind: bridge}}\n",
	    "t.yml:3: ", "bridge node 'verylongbridge01' names a network interface");
}

static void test_bad_bridge_cycles(void **state)
{
	bad("name: x\ntopology:\n  nodes: {s1: {kind: bridge}, s2: {kind: bridge}, s3: {kind: bridge}}\n"
	    "  links:\n"
	    "    - endpoints: [\"s1:s1-2\", \"s2:s2-1\"]\n"
	    "    - endpoints: [\"s2:s2-3\", \"s3:s3-2\"]\n"
	    "    - endpoints: [\"s3:s3-1\", \"s1:s1-3\"]\n",
	    "t.yml:7: ", "s3:s3-1 -- s1:s1-3 closes a cycle of bridges");
	bad("name: x\ntopology:\n  nodes: {s1: {kind: bridge}, s2: {kind: bridge}}\n  links:\n"
	    "    - endpoints: [\"s1:a1\", \"s2:b1\"]\n    - endpoints: [\"s2:b2\", \"s1:a2\"]\n",
	    "t.yml:6: ", "cycle of bridges");
	bad("name: x\ntopology:\n  nodes: {s1: {kind: bridge}}\n  links:\n    - endpoints: [\"s1:a1\", \"s1:a2\"]\n",
	    "cycle of bridges");
}

static void test_bad_names(void **state)
{
	char yaml[512];

	bad("name: x\ntopology:\n  nodes: {r 1: {}}\n", "t.yml:3: ", "node name 'r 1' is not valid");
	bad("name: x\ntopology:\n  nodes: {r/1: {}}\n", "is not valid");
	bad("name: x\ntopology:\n  nodes: {-r1: {}}\n", "is not valid");
	snprintf(yaml, sizeof(yaml), "name: x\ntopology:\n  nodes: {%s: {}}\n",
		 "n123456789012345678901234567890123456789012345678901234567890123");
	bad(yaml, "t.yml:3:", "64 characters long", "at most 63");
	snprintf(yaml, sizeof(yaml), "name: %s\ntopology:\n  nodes: {a: {}}\n",
		 "lab12345678901234567890123456789012345678901234567890123456789012");
	bad(yaml, "t.yml:1:", "lab name", "at most 63");
	bad("name: my lab\ntopology:\n  nodes: {a: {}}\n", "lab name 'my lab' is not valid");
	bad("name: x\ntopology:\n  nodes:\n    a: {}\n    a: {image: y}\n", "t.yml:5: ", "node 'a' is defined twice",
	    "line 4");
	bad("topology:\n  nodes: {a: {}}\n", "needs a name");
	bad("name: [x]\ntopology:\n  nodes: {a: {}}\n", "name: expected a string, not a list");
	bad("name: x\n", "needs a topology section");
	bad("name: x\ntopology: {}\n", "at least one node");
	bad("name: x\ntopology:\n  nodes: {}\n", "at least one node");
	bad("name: x\ntopology:\n  nodes: [a, b]\n", "expected a map of NAME: settings");
}

static void test_bad_keys(void **state)
{
	bad("name: x\ntopology:\n  nodes:\n    a:\n      image: y\n      imgae: z\n",
	    "t.yml:6:", "node 'a': unknown key 'imgae'");
	bad("name: x\ntopology:\n  nodes:\n    a:\n      ports: [\"80:80\"]\n",
	    "t.yml:5:", "key 'ports' of containerlab is not supported");
	bad("name: x\ntopology:\n  nodes:\n    a:\n      startup-config: a.cfg\n", "'startup-config'", "not supported");
	bad("name: x\nprefix: \"\"\ntopology:\n  nodes: {a: {}}\n",
	    "t.yml:2:", "'prefix' of containerlab is not supported");
	bad("name: x\ntopology:\n  groups: {g: {}}\n  nodes: {a: {}}\n", "'groups'", "not supported");
	bad("name: x\nnodes: {a: {}}\n", "t.yml:2:", "unknown key 'nodes'");
	bad("name: x\ntopology:\n  nodes: {a: {}}\n  link: []\n", "unknown key 'link'");
	bad("name: x\nmgmt: {network: m, ipv6-subnet: \"fd00::/64\"}\ntopology:\n  nodes: {a: {}}\n",
	    "'ipv6-subnet' of containerlab is not supported");
	bad("name: x\ntopology:\n  nodes:\n    a: {image: y, image: z}\n", "key 'image' given twice");
	bad("name: x\nname: y\ntopology:\n  nodes: {a: {}}\n", "t.yml:2:", "given twice");
	bad("name: x\ntopology:\n  nodes: {a: {kind: nokia_srlinux}}\n",
	    "t.yml:3:", "kind 'nokia_srlinux' is not supported");
	bad("name: x\ntopology:\n  defaults: {kind: ovs-bridge}\n  nodes: {a: {}}\n",
	    "kind 'ovs-bridge' is not supported");
	bad("name: x\ntopology:\n  kinds: {ceos: {image: c}}\n  nodes: {a: {}}\n", "kind 'ceos' is not supported");
	bad("name: x\ntopology:\n  kinds: {linux: {kind: bridge}}\n  nodes: {a: {}}\n", "cannot change its kind");
	bad("name: x\ntopology:\n  kinds: {bridge: {image: b}}\n  nodes: {a: {}}\n",
	    "'image' does not apply to a bridge");
	bad("name: x\ntopology:\n  nodes: {s: {kind: bridge, exec: [x]}}\n", "'exec' does not apply to a bridge node");
	bad("name: x\ntopology:\n  nodes: {a: {kind: host, image: x}}\n", "does not apply to a host node");
	bad("name: x\ntopology:\n  nodes: {a: {exec: echo hi}}\n", "exec: expected a list of strings, not a string");
	bad("name: x\ntopology:\n  nodes: {a: {exec: [[echo]]}}\n", "expected a string, not a list");
	bad("name: x\ntopology:\n  nodes: {a: {env: [A=1]}}\n", "env: expected a map of NAME: VALUE");
	bad("name: x\ntopology:\n  nodes: {a: {env: {\"A=B\": 1}}}\n", "invalid name 'A=B'");
	bad("name: x\ntopology:\n  nodes: {a: {image: \"\"}}\n", "image: empty");
	bad("name: x\ntopology:\n  nodes: {a: {image: {x: 1}}}\n", "expected a string, not a map");
	bad("name: x\ntopology:\n  nodes: {a: {network-mode: bridge}}\n", "'bridge' is not supported (none or host)");
	bad("name: x\ntopology:\n  nodes: {a: {network-mode: \"container:b\"}}\n", "not supported");
	bad("name: x\ntopology:\n  nodes: {a: {cap-add: [NET_WIZARD]}}\n",
	    "t.yml:3:", "NET_WIZARD: unknown capability");
	bad("name: x\ntopology:\n  defaults: {cap-drop: [FOO]}\n  nodes: {a: {}}\n", "unknown capability");
	bad("name: x\ntopology:\n  nodes: {a: {sysctl-net: readonly}}\n", "expected ro or rw");
	bad("name: x\ntopology:\n  nodes: {a: {binds: [\"/etc/hosts\"]}}\n", "not HOST:CONTAINER");
	bad("name: x\ntopology:\n  nodes: {a: {binds: [\"/a:rel/path\"]}}\n", "binds");
	bad("name: x\ntopology:\n  nodes: {a: {binds: [\"/a:/proc/sys\"]}}\n", "/proc");
	bad("name: x\ntopology:\n  nodes: {a: {binds: [\"/a:/b:rx\"]}}\n", "ro or rw");
	bad("name: x\ntopology:\n  nodes:\n    a:\n      binds: [/1:/1, /2:/2, /3:/3, /4:/4, /5:/5, /6:/6, /7:/7, /8:/8, "
	    "/9:/9, /10:/10, /11:/11, /12:/12, /13:/13, /14:/14, /15:/15, /16:/16, /17:/17, /18:/18, /19:/19, /20:/20, "
	    "/21:/21, /22:/22, /23:/23, /24:/24, /25:/25, /26:/26, /27:/27, /28:/28, /29:/29, /30:/30, /31:/31, "
	    "/32:/32, /33:/33]\n",
	    "t.yml:5:", "more than 32 binds");
	/* A section no node uses is still checked. */
	bad("name: x\ntopology:\n  kinds: {linux: {exec: oops}}\n  nodes: {s: {kind: bridge}}\n",
	    "t.yml:3:", "topology.kinds: exec");
}

static void test_bad_mgmt(void **state)
{
	bad("name: x\nmgmt: {network: m, ipv4-subnet: 10.0.0.0/24}\ntopology:\n  nodes: {a: {mgmt-ipv4: 10.0.1.5}}\n",
	    "t.yml:4: ", "not a host address of 10.0.0.0/24");
	bad("name: x\nmgmt: {network: m, ipv4-subnet: 10.0.0.0/24}\ntopology:\n  nodes: {a: {mgmt-ipv4: 10.0.0.0}}\n",
	    "not a host address");
	bad("name: x\nmgmt: {network: m, ipv4-subnet: 10.0.0.0/24}\ntopology:\n  nodes: {a: {mgmt-ipv4: 10.0.0.x}}\n",
	    "not an IPv4 address");
	bad("name: x\nmgmt: {network: m, ipv4-subnet: 10.0.0.0/24}\ntopology:\n"
	    "  nodes: {a: {mgmt-ipv4: 10.0.0.5}, b: {mgmt-ipv4: 10.0.0.5}}\n",
	    "10.0.0.5 is given to two nodes");
	bad("name: x\nmgmt: {network: m}\ntopology:\n  nodes: {a: {mgmt-ipv4: 10.0.0.5}}\n", "needs mgmt.ipv4-subnet");
	bad("name: x\ntopology:\n  nodes: {a: {mgmt-ipv4: 10.0.0.5}}\n", "needs mgmt.ipv4-subnet");
	bad("name: x\nmgmt: {network: m, ipv4-subnet: 10.0.0.0/24}\ntopology:\n"
	    "  defaults: {mgmt-ipv4: 10.0.0.5}\n  nodes: {a: {}}\n",
	    "belongs to one node");
	bad("name: x\nmgmt: {network: m, ipv4-subnet: 10.0.0.0/24}\ntopology:\n"
	    "  nodes: {a: {network-mode: host, mgmt-ipv4: 10.0.0.5}}\n",
	    "exclude each other");
	bad("name: x\nmgmt: {network: m, ipv4-subnet: 10.0.0.0/31}\ntopology:\n  nodes: {a: {}}\n", "/30 or larger");
	bad("name: x\nmgmt: {network: m, ipv4-subnet: \"fd00::/64\"}\ntopology:\n  nodes: {a: {}}\n", "IPv4 subnet");
	bad("name: x\nmgmt: {network: \"m n\"}\ntopology:\n  nodes: {a: {}}\n", "not a valid network name");
	bad("name: x\nmgmt: {network: m}\ntopology:\n  nodes: {a: {}, b: {}}\n  links:\n"
	    "    - endpoints: [\"a:eth0\", \"b:eth1\"]\n",
	    "t.yml:6: ", "a:eth0 is the management interface");
	bad("name: x\nmgmt: [m]\ntopology:\n  nodes: {a: {}}\n", "mgmt: expected a map");
}

static void test_bad_yaml(void **state)
{
	static const char nul[] = "name: \"a\\0b\"\ntopology:\n  nodes: {a: {}}\n";

	bad("name: x\ntopology:\n  nodes: {a: {}\n  links: [\n", "t.yml:4:3: YAML syntax error");
	bad("name: x\n\ttopology:\n", "t.yml:2:1: YAML syntax error");
	bad("name: x\ntopology:\n  nodes:\n    a: {image: \"unterminated}\n", "YAML syntax error");
	bad("name: *nowhere\n", "YAML syntax error");
	bad("", "empty topology file");
	bad("# only a comment\n", "empty topology file");
	bad("- a\n- b\n", "the topology file: expected a map, not a list");
	bad("name: x\ntopology:\n  nodes: {a: {}}\n---\nname: y\n", "more than one YAML document");
	bad_words(nul, sizeof(nul) - 1, (const char *const[]){ "NUL", NULL });
	bad_words("name: x\0\ntopology:\n", 18, (const char *const[]){ "YAML", NULL });
	/* A map key that is no string. */
	bad("name: x\ntopology:\n  nodes:\n    [a, b]: {}\n", "expected a string, not a list");
	bad("name: x\ntopology:\n  nodes:\n    a: &a {<<: *a}\n", "merge keys");
}

/* 10,000 nodes: refused from their count, before any is read, at once. */
static void test_too_many_nodes(void **state)
{
	size_t cap = 64 + 16 * 10000, n = 0;
	char *yaml = malloc(cap);
	struct timespec t0, t1;

	assert_non_null(yaml);
	n += (size_t)snprintf(yaml + n, cap - n, "name: big\ntopology:\n  nodes:\n");
	for (int i = 0; i < 10000; i++)
		n += (size_t)snprintf(yaml + n, cap - n, "    n%d: {}\n", i);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	bad(yaml, "t.yml:4:", "10000 nodes", "at most 4096");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec < 2);
	free(yaml);
}

/* LAB_NODES_MAX itself is fine, with a link each. */
static void test_max_nodes(void **state)
{
	size_t cap = 128 + 64 * LAB_NODES_MAX, n = 0;
	char *yaml = malloc(cap);
	struct lab_topo *t;

	assert_non_null(yaml);
	n += (size_t)snprintf(yaml + n, cap - n, "name: big\ntopology:\n  nodes:\n");
	for (int i = 0; i < LAB_NODES_MAX; i++)
		n += (size_t)snprintf(yaml + n, cap - n, "    n%d:\n", i);
	n += (size_t)snprintf(yaml + n, cap - n, "  links:\n");
	for (int i = 1; i < LAB_NODES_MAX; i++)
		n += (size_t)snprintf(yaml + n, cap - n, "    - endpoints: [n%d:e1, n%d:e2]\n", i - 1, i);
	t = ok(yaml);
	assert_int_equal(t->n_nodes, LAB_NODES_MAX);
	assert_int_equal(t->n_links, LAB_NODES_MAX - 1);
	assert_int_equal(t->links[LAB_NODES_MAX - 2].b.node, lab_topo_node(t, "n4095"));
	lab_topo_free(t);
	free(yaml);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_issue_example),     cmocka_unit_test(test_parse_file),
		cmocka_unit_test(test_inheritance),       cmocka_unit_test(test_links_forms),
		cmocka_unit_test(test_bridge_lab),        cmocka_unit_test(test_yaml_anchor_refused_top),
		cmocka_unit_test(test_yaml_merge),        cmocka_unit_test(test_mgmt),
		cmocka_unit_test(test_bad_links),         cmocka_unit_test(test_bad_host_namespace),
		cmocka_unit_test(test_bad_bridge_cycles), cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_bad_keys),          cmocka_unit_test(test_bad_mgmt),
		cmocka_unit_test(test_bad_yaml),          cmocka_unit_test(test_too_many_nodes),
		cmocka_unit_test(test_max_nodes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
