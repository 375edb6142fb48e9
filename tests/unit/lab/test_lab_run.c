/* A lab's life without a kernel: the state's JSON and back (and what is refused), a linux
 * node's container options (privileges, narrowing, network, binds, command), container
 * names, and the units of `tools link`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/container.h"
#include "engine/opts.h"
#include "engine/rt_error.h"
#include "lab/lab_link.h"
#include "lab/lab_node.h"
#include "lab/lab_state.h"
#include "lab/topology.h"

#define CAP_NET_ADMIN_BIT (1ULL << 12)
#define CAP_NET_RAW_BIT (1ULL << 13)
#define CAP_SYS_ADMIN_BIT (1ULL << 21)

static struct lab_topo *topo(const char *yaml)
{
	struct nr_error err = { 0 };
	struct lab_topo *t = NULL;

	if (lab_topo_parse_buf(yaml, strlen(yaml), "t.yml", &t, &err) < 0)
		fail_msg("topology refused: %s", err.msg);
	return t;
}

static void state_roundtrip(void **ctx)
{
	_cleanup_lab_state_ struct lab_state *st = lab_state_new("ospf3"), *back = NULL;
	_cleanup_free_ char *text = NULL, *again = NULL;
	struct nr_error err = { 0 };
	struct lab_state_node *n;
	struct lab_state_link *l;

	(void)ctx;
	st->created = 1733300000;
	st->topology = strdup("/labs/ospf3/topo.yml");
	st->mgmt_network = strdup("lab-mgmt");
	st->mgmt_made = true;
	n = lab_state_add_node(st, "r1", LAB_KIND_LINUX);
	snprintf(n->container, sizeof(n->container), "lab-ospf3-r1");
	assert_int_equal(rt_strv_push(&n->labels, "role=router"), 0);
	n = lab_state_add_node(st, "sw", LAB_KIND_BRIDGE);
	n->made = true;
	lab_state_add_node(st, "host", LAB_KIND_HOST);
	l = lab_state_add_link(st, "r1:eth1", "sw:p1");
	assert_int_equal(rt_strv_push(&l->host, "p1"), 0);
	assert_int_equal(lab_state_to_json(st, &text, &err), 0);
	assert_int_equal(lab_state_from_json(text, "t", &back, &err), 0);
	assert_string_equal(back->name, "ospf3");
	assert_string_equal(back->topology, "/labs/ospf3/topo.yml");
	assert_string_equal(back->mgmt_network, "lab-mgmt");
	assert_true(back->mgmt_made);
	assert_int_equal(back->created, 1733300000);
	assert_int_equal(back->n_nodes, 3);
	assert_string_equal(lab_state_node(back, "r1")->container, "lab-ospf3-r1");
	assert_string_equal(lab_state_node(back, "r1")->labels[0], "role=router");
	assert_true(lab_state_node(back, "sw")->made);
	assert_int_equal(lab_state_node(back, "sw")->kind, LAB_KIND_BRIDGE);
	assert_int_equal(lab_state_node(back, "host")->kind, LAB_KIND_HOST);
	assert_null(lab_state_node(back, "r9"));
	/* A link is found from either end. */
	assert_non_null(lab_state_link(back, "sw:p1", "r1:eth1"));
	assert_string_equal(lab_state_link(back, "r1:eth1", "sw:p1")->host[0], "p1");
	/* And it writes back the same. */
	assert_int_equal(lab_state_to_json(back, &again, &err), 0);
	assert_string_equal(text, again);
}

static void state_refused(void **ctx)
{
	static const char *const bad[] = {
		"[]",
		"{\"version\": 1}",
		"{\"version\": 1, \"name\": \"../x\"}",
		"{\"version\": 9, \"name\": \"x\"}",
		"{\"version\": 1, \"name\": \"x\", \"nodes\": [{\"name\": \"a\", \"kind\": \"router\"}]}",
		"{\"version\": 1, \"name\": \"x\", \"nodes\": [{\"kind\": \"linux\"}]}",
		"{\"version\": 1, \"name\": \"x\", \"nodes\": [{\"name\": \"a\", \"kind\": \"linux\", \"labels\": {\"k\": 1}}]}",
		"{\"version\": 1, \"name\": \"x\", \"links\": [{\"a\": \"r1:eth1\"}]}",
		"{\"version\": 1, \"name\": \"x\", \"links\": [{\"a\": \"r1:eth1\", \"b\": \"r2:eth1\", \"host\": [3]}]}",
		"not json",
	};

	(void)ctx;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct lab_state *st = NULL;
		struct nr_error err = { 0 };
		if (lab_state_from_json(bad[i], "state", &st, &err) >= 0)
			fail_msg("accepted: %s", bad[i]);
		assert_null(st);
		assert_int_equal(err.code, RT_ERR_CORRUPT);
	}
}

static void container_names(void **ctx)
{
	char buf[RT_NAME_MAX], node[80];
	struct nr_error err = { 0 };

	(void)ctx;
	assert_int_equal(lab_container_name("ospf3", "r1", buf, &err), 0);
	assert_string_equal(buf, "lab-ospf3-r1");
	memset(node, 'n', 60);
	node[60] = '\0';
	assert_int_equal(lab_container_name("ospf3", node, buf, &err), -ENAMETOOLONG);
	assert_int_equal(err.code, RT_ERR_USAGE);
	assert_non_null(strstr(err.msg, "node nnn"));
}

static const char lab_yaml[] = "name: ospf3\n"
			       "mgmt: { network: lab-mgmt, ipv4-subnet: 172.30.30.0/24 }\n"
			       "topology:\n"
			       "  nodes:\n"
			       "    r1:\n"
			       "      binds: [\"r1.conf:/etc/frr/frr.conf:ro\", \"/srv/data:/data\"]\n"
			       "      env: { A: b }\n"
			       "      mgmt-ipv4: 172.30.30.11\n"
			       "    r2: { cmd: \"zebra -d; sleep 1000\", cap-add: [SYS_ADMIN] }\n"
			       "    r3: { cap-drop: [NET_ADMIN], sysctl-net: ro, network-mode: host }\n"
			       "  links:\n"
			       "    - endpoints: [\"r1:eth1\", \"r2:eth1\"]\n";

static void node_default_privileges(void **ctx)
{
	_cleanup_(lab_topo_freep) struct lab_topo *t = topo(lab_yaml);
	struct lab_node_opts no;
	struct nr_error err = { 0 };

	char conf[4200];

	(void)ctx;
	snprintf(conf, sizeof(conf), "%s/r1.conf", t->dir);
	assert_int_equal(lab_node_opts_build(t, &t->nodes[lab_topo_node(t, "r1")], "lab-ospf3-r1", &no, &err), 0);
	/* NET_ADMIN, NET_RAW and SYS_ADMIN (FRR's) on top of Docker's set, /proc/sys/net
	 * writable; seccomp stays, and it is not privileged. */
	assert_true((no.o.sec.cap_add & CAP_NET_ADMIN_BIT) && (no.o.sec.cap_add & CAP_NET_RAW_BIT));
	assert_true(no.o.sec.cap_add & CAP_SYS_ADMIN_BIT);
	assert_int_equal(no.o.sec.cap_drop, 0);
	assert_true(no.o.sysctl_net_rw);
	assert_false(no.o.privileged);
	assert_false(no.o.sec.seccomp_unconfined);
	/* Its own namespaces: the management network on eth0, with the fixed address. */
	assert_string_equal(no.o.net, "lab-mgmt");
	assert_string_equal(no.o.nets[0].ip, "172.30.30.11");
	assert_int_equal(no.o.userns_base, 0);
	assert_string_equal(no.o.name, "lab-ospf3-r1");
	assert_string_equal(no.o.hostname, "r1");
	assert_true(no.o.detach);
	/* Binds: a relative host path from the topology's directory. */
	assert_int_equal(no.o.n_vols, 2);
	assert_string_equal(no.o.vols[0].host, conf);
	assert_string_equal(no.o.vols[0].cont, "/etc/frr/frr.conf");
	assert_true(no.o.vols[0].ro);
	assert_string_equal(no.o.vols[1].host, "/srv/data");
	assert_false(no.o.vols[1].ro);
	assert_int_equal(no.o.n_env, 1);
	assert_string_equal(no.o.env[0], "A=b");
	/* No cmd: a node lives until it is destroyed. */
	assert_string_equal(no.o.argv[0], "sleep");
	assert_string_equal(no.o.argv[1], "infinity");
	assert_null(no.o.argv[2]);
	lab_node_opts_free(&no);
}

static void node_narrowed_and_widened(void **ctx)
{
	_cleanup_(lab_topo_freep) struct lab_topo *t = topo(lab_yaml);
	struct lab_node_opts no;
	struct nr_error err = { 0 };

	(void)ctx;
	assert_int_equal(lab_node_opts_build(t, &t->nodes[lab_topo_node(t, "r2")], "lab-ospf3-r2", &no, &err), 0);
	assert_true(no.o.sec.cap_add & CAP_SYS_ADMIN_BIT);
	assert_true(no.o.sec.cap_add & CAP_NET_ADMIN_BIT);
	assert_string_equal(no.o.argv[0], "sh");
	assert_string_equal(no.o.argv[1], "-c");
	assert_string_equal(no.o.argv[2], "zebra -d; sleep 1000");
	assert_string_equal(no.o.net, "lab-mgmt");
	assert_null(no.o.nets[0].ip);
	lab_node_opts_free(&no);

	assert_int_equal(lab_node_opts_build(t, &t->nodes[lab_topo_node(t, "r3")], "lab-ospf3-r3", &no, &err), 0);
	/* cap-drop narrows the lab's default; sysctl-net: ro keeps /proc/sys/net read-only. */
	assert_false(no.o.sec.cap_add & CAP_NET_ADMIN_BIT);
	assert_true(no.o.sec.cap_add & CAP_NET_RAW_BIT);
	assert_true(no.o.sec.cap_drop & CAP_NET_ADMIN_BIT);
	assert_false(no.o.sysctl_net_rw);
	/* network-mode host: no management network. */
	assert_string_equal(no.o.net, "host");
	lab_node_opts_free(&no);
}

static void node_bad_inputs(void **ctx)
{
	_cleanup_(lab_topo_freep) struct lab_topo *t = topo(lab_yaml);
	struct lab_node_opts no;
	struct nr_error err = { 0 };
	struct lab_node *r1 = &t->nodes[lab_topo_node(t, "r1")];

	(void)ctx;
	/* A bind into /proc is refused as -v refuses it, naming the node. */
	free(r1->binds[1]);
	r1->binds[1] = strdup("/srv:/proc/sys");
	assert_true(lab_node_opts_build(t, r1, "lab-ospf3-r1", &no, &err) < 0);
	assert_int_equal(err.code, RT_ERR_USAGE);
	assert_non_null(strstr(err.msg, "node r1"));
}

static void rates_and_times(void **ctx)
{
	static const struct {
		const char *s;
		uint64_t bits;
	} rates[] = { { "10mbit", 10000000 }, { "1gbit", 1000000000 }, { "500kbit", 500000 }, { "64000", 64000 },
		      { "1mbps", 8000000 },   { "10Mbit", 10000000 },  { "1.5mbit", 1500000 } };
	static const char *const bad_rates[] = { "", "fast", "-1mbit", "0", "10 mbit", "10furlongs", "1bit" };
	uint64_t b;
	unsigned int us;

	(void)ctx;
	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		assert_int_equal(lab_rate_parse(rates[i].s, &b), 0);
		assert_int_equal(b, rates[i].bits);
	}
	for (size_t i = 0; i < sizeof(bad_rates) / sizeof(bad_rates[0]); i++)
		if (lab_rate_parse(bad_rates[i], &b) == 0)
			fail_msg("rate accepted: '%s'", bad_rates[i]);
	assert_int_equal(lab_time_parse("10ms", &us), 0);
	assert_int_equal(us, 10000);
	assert_int_equal(lab_time_parse("100us", &us), 0);
	assert_int_equal(us, 100);
	assert_int_equal(lab_time_parse("1s", &us), 0);
	assert_int_equal(us, 1000000);
	assert_int_equal(lab_time_parse("5", &us), 0);
	assert_int_equal(us, 5000);
	assert_int_equal(lab_time_parse("-5ms", &us), -EINVAL);
	assert_int_equal(lab_time_parse("5 minutes", &us), -EINVAL);
	assert_int_equal(lab_time_parse("1000s", &us), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(state_roundtrip),           cmocka_unit_test(state_refused),
		cmocka_unit_test(container_names),           cmocka_unit_test(node_default_privileges),
		cmocka_unit_test(node_narrowed_and_widened), cmocka_unit_test(node_bad_inputs),
		cmocka_unit_test(rates_and_times),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
