/* `network create` without a kernel (runtime/engine/netdef_plan.h): the subnet pool
 * (Docker's default pools, the ULA /64), and every check of the options, against routes
 * and other networks passed in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine/netdef_plan.h"
#include "engine/rt_error.h"

#define ID "3fa2c1d4e5b60718293a4b5c6d7e8f90112233445566778899aabbccddeeff00"

static struct ip_prefix P(const char *s) {
	struct ip_prefix p;

	assert_int_equal(ip_prefix_parse(s, &p), 0);
	return p;
}

static const char *
fmt(const struct ip_prefix *p)
{
	static char buf[4][IP_PREFIX_STRLEN];
	static int i;

	i = (i + 1) % 4;
	return ip_prefix_format(p, buf[i], sizeof(buf[i]));
}

static const char *addr(const struct ip_addr *a)
{
	static char buf[4][IP_PREFIX_STRLEN];
	static int i;

	i = (i + 1) % 4;
	return ip_addr_format(a, buf[i], sizeof(buf[i]));
}

static void test_overlap(void **state)
{
	struct ip_prefix a = P("10.1.0.0/16"), b = P("10.1.5.0/24"), c = P("10.2.0.0/24"), d = P("fd00::/8");

	assert_true(netdef_overlap(&a, &b));
	assert_true(netdef_overlap(&b, &a));
	assert_false(netdef_overlap(&a, &c));
	assert_false(netdef_overlap(&a, &d));       /* families never overlap */
	struct ip_prefix host = P("10.1.200.7/16"); /* host bits ignored */
	assert_true(netdef_overlap(&host, &b));
}

static void test_pool_first(void **state)
{
	struct netdef_env env = { 0 };
	struct ip_prefix p;

	assert_int_equal(netdef_pool_pick4(&env, &p), 0);
	assert_string_equal(fmt(&p), "172.17.0.0/16");
}

static void test_pool_skips_routes_and_networks(void **state)
{
	struct ip_prefix routes[] = { P("172.17.5.0/24"), P("172.19.0.0/17") };
	struct ip_prefix nets[] = { P("172.18.0.0/16") };
	struct netdef_env env = { .routes = routes, .n_routes = 2, .nets = nets, .n_nets = 1 };
	struct ip_prefix p;

	assert_int_equal(netdef_pool_pick4(&env, &p), 0);
	assert_string_equal(fmt(&p), "172.20.0.0/16");
	/* A wide route (172.16.0.0/12) takes every /16: then 192.168.0.0/20, 192.168.16.0/20. */
	struct ip_prefix wide[] = { P("172.16.0.0/12"), P("192.168.1.0/24") };
	env = (struct netdef_env){ .routes = wide, .n_routes = 2 };
	assert_int_equal(netdef_pool_pick4(&env, &p), 0);
	assert_string_equal(fmt(&p), "192.168.16.0/20");
}

static void test_pool_exhausted(void **state)
{
	struct ip_prefix routes[] = { P("172.16.0.0/12"), P("192.168.0.0/16") };
	struct netdef_env env = { .routes = routes, .n_routes = 2 };
	struct ip_prefix p;

	assert_int_equal(netdef_pool_pick4(&env, &p), -EADDRINUSE);
}

static void test_ula(void **state)
{
	struct netdef_env env = { 0 };
	struct ip_prefix p;

	assert_int_equal(netdef_pool_pick_ula(ID, &env, &p), 0);
	assert_string_equal(fmt(&p), "fd3f:a2c1:d4e5::/64");
	struct ip_prefix nets[] = { P("fd3f:a2c1:d4e5::/64"), P("fd3f:a2c1:d4e5:1::/64") };
	env = (struct netdef_env){ .nets = nets, .n_nets = 2 };
	assert_int_equal(netdef_pool_pick_ula(ID, &env, &p), 0);
	assert_string_equal(fmt(&p), "fd3f:a2c1:d4e5:2::/64");
	assert_int_equal(netdef_pool_pick_ula("xyz", &env, &p), -EINVAL);
}

static void test_ifname(void **state)
{
	assert_true(netdef_ifname_valid("br-front"));
	assert_true(netdef_ifname_valid("123456789012345"));
	assert_false(netdef_ifname_valid("1234567890123456"));
	assert_false(netdef_ifname_valid(""));
	assert_false(netdef_ifname_valid("a/b"));
	assert_false(netdef_ifname_valid("a:b"));
	assert_false(netdef_ifname_valid("a b"));
	assert_false(netdef_ifname_valid(".."));
}

/* One plan against an environment with a network "used" on 10.50.0.0/16 (bridge br-used). */
static char *names[] = { "bridge", "host", "none", "used", NULL };
static char *bridges[] = { "nr0", "br-used", NULL };
static struct ip_prefix used_nets[1];
static const char *owners[] = { "used" };

static int plan(const struct netdef_opts *o, struct netdef_plan *p, struct nr_error *err)
{
	struct netdef_env env = {
		.nets = used_nets, .net_owner = owners, .n_nets = 1, .names = names, .bridges = bridges
	};

	used_nets[0] = P("10.50.0.0/16");
	memset(err, 0, sizeof(*err));
	return netdef_plan_make(o, &env, ID, "2026-01-02T03:04:05.000000006Z", p, err);
}

static void expect_refused(const struct netdef_opts *o, int code, const char *msg)
{
	struct netdef_plan p;
	struct nr_error err;

	assert_true(plan(o, &p, &err) < 0);
	assert_int_equal(err.code, code);
	if (!strstr(err.msg, msg))
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, msg);
}

static void test_plan_defaults(void **state)
{
	struct netdef_opts o = { .name = "front" };
	struct netdef_plan p;
	struct nr_error err;

	assert_int_equal(plan(&o, &p, &err), 0);
	assert_string_equal(p.name, "front");
	assert_string_equal(p.id, ID);
	assert_string_equal(p.bridge, "nr-3fa2c1d4e5b6");
	assert_int_equal(p.n, 1);
	assert_string_equal(fmt(&p.v[0].subnet), "172.17.0.0/16");
	assert_string_equal(addr(&p.v[0].gateway), "172.17.0.1");
	assert_false(p.v[0].has_range);
	assert_true(p.masq);
	assert_true(p.icc);
	assert_false(p.internal);
	assert_int_equal(p.mtu, 0);
}

static void test_plan_everything(void **state)
{
	struct netdef_opts o = {
		.name = "back.end_1",
		.driver = "bridge",
		/* Docker's pairing: the gateway and the range go to the subnet holding them,
		 * whatever the order they came in. */
		.subnets = { { "10.10.0.0/24", "fd00:1::fe", "fd00:1::/120" },
			     { "fd00:1::/64", "10.10.0.254", "10.10.0.128/25" } },
		.n_subnets = 2,
		.ipv6 = true,
		.opts = { "com.docker.network.bridge.name=br-back", "com.docker.network.bridge.enable_icc=false",
			  "com.docker.network.driver.mtu=1400", "com.docker.network.bridge.enable_ip_masquerade=0",
			  "com.example.unknown=kept" },
		.n_opts = 5,
	};
	struct netdef_plan p;
	struct nr_error err;

	assert_int_equal(plan(&o, &p, &err), 0);
	assert_int_equal(p.n, 2); /* no pool subnet: both families given */
	assert_string_equal(fmt(&p.v[0].subnet), "10.10.0.0/24");
	assert_string_equal(addr(&p.v[0].gateway), "10.10.0.254");
	assert_true(p.v[0].has_range);
	assert_string_equal(addr(&p.v[0].start), "10.10.0.128");
	assert_string_equal(addr(&p.v[0].end), "10.10.0.254"); /* the broadcast is never handed out */
	assert_string_equal(addr(&p.v[1].gateway), "fd00:1::fe");
	assert_string_equal(addr(&p.v[1].start), "fd00:1::1"); /* nor the network address */
	assert_string_equal(addr(&p.v[1].end), "fd00:1::ff");
	assert_string_equal(p.bridge, "br-back");
	assert_false(p.icc);
	assert_false(p.masq);
	assert_int_equal(p.mtu, 1400);
}

static void test_plan_pools_fill_missing_families(void **state)
{
	/* Only a v6 subnet: IPv4 comes from the pool (Docker's networks always have IPv4);
	 * --ipv6 without a v6 subnet: the ULA /64. */
	struct netdef_opts o = { .name = "n", .subnets = { { "fd00:2::/64" } }, .n_subnets = 1, .ipv6 = true };
	struct netdef_opts o2 = { .name = "n", .ipv6 = true, .internal = true };
	struct netdef_plan p;
	struct nr_error err;

	assert_int_equal(plan(&o, &p, &err), 0);
	assert_int_equal(p.n, 2);
	assert_string_equal(fmt(&p.v[0].subnet), "fd00:2::/64");
	assert_string_equal(fmt(&p.v[1].subnet), "172.17.0.0/16");
	assert_int_equal(plan(&o2, &p, &err), 0);
	assert_int_equal(p.n, 2);
	assert_string_equal(fmt(&p.v[1].subnet), "fd3f:a2c1:d4e5::/64");
	assert_string_equal(addr(&p.v[1].gateway), "fd3f:a2c1:d4e5::1");
	assert_true(p.internal);
	assert_false(p.masq); /* internal: nothing leaves, nothing is masqueraded */
}

static void test_plan_refusals(void **state)
{
	struct netdef_opts o;

#define REFUSE(code, msg, ...)                           \
	do {                                             \
		o = (struct netdef_opts){ __VA_ARGS__ }; \
		o.name = o.name ? o.name : "x";          \
		expect_refused(&o, code, msg);           \
	} while (0)
	REFUSE(RT_ERR_USAGE, "invalid network name \"bad name\"", .name = "bad name");
	REFUSE(RT_ERR_USAGE, "invalid network name \"-x\"", .name = "-x");
	REFUSE(RT_ERR_USAGE, "invalid network name \"\"", .name = "");
	REFUSE(RT_ERR_CONFLICT, "network with name used already exists", .name = "used");
	REFUSE(RT_ERR_CONFLICT, "network with name host already exists", .name = "host");
	REFUSE(RT_ERR_USAGE, "plugin \"overlay\" not found", .driver = "overlay");
	REFUSE(RT_ERR_USAGE, "invalid subnet \"10.1.0.0\"", .subnets = { { "10.1.0.0" } }, .n_subnets = 1);
	REFUSE(RT_ERR_USAGE, "invalid subnet \"nope/8\"", .subnets = { { "nope/8" } }, .n_subnets = 1);
	REFUSE(RT_ERR_USAGE, "invalid subnet 10.1.0.5/24: it should be 10.1.0.0/24", .subnets = { { "10.1.0.5/24" } },
	       .n_subnets = 1);
	REFUSE(RT_ERR_USAGE, "too small", .subnets = { { "10.1.0.0/31" } }, .n_subnets = 1);
	REFUSE(RT_ERR_USAGE, "is IPv6: add --ipv6", .subnets = { { "fd00::/64" } }, .n_subnets = 1);
	REFUSE(RT_ERR_CONFLICT, "subnet 10.50.3.0/24 overlaps 10.50.0.0/16 of network used",
	       .subnets = { { "10.50.3.0/24" } }, .n_subnets = 1);
	REFUSE(RT_ERR_USAGE, "subnet 10.1.2.0/24: the bridge driver takes one IPv4 subnet per network",
	       .subnets = { { "10.1.0.0/16" }, { "10.1.2.0/24" } }, .n_subnets = 2);
	REFUSE(RT_ERR_USAGE, "subnet 10.3.0.0/24: the bridge driver takes one IPv4 subnet per network",
	       .subnets = { { "10.1.0.0/24" }, { "10.3.0.0/24" } }, .n_subnets = 2);
	REFUSE(RT_ERR_USAGE, "subnet fd00:2::/64: the bridge driver takes one IPv6 subnet per network",
	       .subnets = { { "fd00:1::/64" }, { "fd00:2::/64" } }, .n_subnets = 2, .ipv6 = true);
	REFUSE(RT_ERR_USAGE, "gateway 10.2.0.1 is outside every --subnet", .subnets = { { "10.1.0.0/24", "10.2.0.1" } },
	       .n_subnets = 1);
	REFUSE(RT_ERR_USAGE, "invalid gateway \"10.1.0.300\"", .subnets = { { "10.1.0.0/24", "10.1.0.300" } },
	       .n_subnets = 1);
	REFUSE(RT_ERR_USAGE, "subnet 10.1.0.0/24 has two gateways",
	       .subnets = { { "10.1.0.0/24", "10.1.0.1" }, { "fd00:3::/64", "10.1.0.2" } }, .n_subnets = 2,
	       .ipv6 = true);
	REFUSE(RT_ERR_USAGE, "network address", .subnets = { { "10.1.0.0/24", "10.1.0.0" } }, .n_subnets = 1);
	REFUSE(RT_ERR_USAGE, "ip-range 10.1.0.0/23 is outside every --subnet",
	       .subnets = { { "10.1.0.0/24", NULL, "10.1.0.0/23" } }, .n_subnets = 1);
	REFUSE(RT_ERR_USAGE, "ip-range 10.9.0.0/25 is outside", .subnets = { { "10.1.0.0/24", NULL, "10.9.0.0/25" } },
	       .n_subnets = 1);
	REFUSE(RT_ERR_USAGE, "invalid ip-range \"garbage\"", .subnets = { { "10.1.0.0/24", NULL, "garbage" } },
	       .n_subnets = 1);
	REFUSE(RT_ERR_USAGE, "invalid option \"novalue\"", .opts = { "novalue" }, .n_opts = 1);
	REFUSE(RT_ERR_USAGE, "invalid bridge name \"this-is-too-long0\"",
	       .opts = { "com.docker.network.bridge.name=this-is-too-long0" }, .n_opts = 1);
	REFUSE(RT_ERR_CONFLICT, "bridge name br-used is already used",
	       .opts = { "com.docker.network.bridge.name=br-used" }, .n_opts = 1);
	REFUSE(RT_ERR_USAGE, "invalid value \"maybe\" for com.docker.network.bridge.enable_icc",
	       .opts = { "com.docker.network.bridge.enable_icc=maybe" }, .n_opts = 1);
	REFUSE(RT_ERR_USAGE, "invalid MTU \"9x\"", .opts = { "com.docker.network.driver.mtu=9x" }, .n_opts = 1);
	REFUSE(RT_ERR_USAGE, "invalid MTU \"67\"", .opts = { "com.docker.network.driver.mtu=67" }, .n_opts = 1);
	REFUSE(RT_ERR_USAGE, "invalid label \"=v\"", .labels = { "=v" }, .n_labels = 1);
#undef REFUSE
}

static void test_plan_pool_exhausted(void **state)
{
	struct ip_prefix routes[] = { P("172.16.0.0/12"), P("192.168.0.0/16") };
	struct netdef_env env = { .routes = routes, .n_routes = 2 };
	struct netdef_opts o = { .name = "x" };
	struct netdef_plan p;
	struct nr_error err = { 0 };

	assert_true(netdef_plan_make(&o, &env, ID, "", &p, &err) < 0);
	assert_int_equal(err.code, RT_ERR_CONFLICT);
	assert_non_null(strstr(err.msg, "give one with --subnet"));
	/* A given subnet is not checked against routes (Docker does not either), only
	 * against other networks. */
	o.subnets[0].subnet = "192.168.7.0/24";
	o.n_subnets = 1;
	assert_int_equal(netdef_plan_make(&o, &env, ID, "", &p, &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_pool_first),
		cmocka_unit_test(test_pool_skips_routes_and_networks),
		cmocka_unit_test(test_pool_exhausted),
		cmocka_unit_test(test_ula),
		cmocka_unit_test(test_ifname),
		cmocka_unit_test(test_plan_defaults),
		cmocka_unit_test(test_plan_everything),
		cmocka_unit_test(test_plan_pools_fill_missing_families),
		cmocka_unit_test(test_plan_refusals),
		cmocka_unit_test(test_plan_pool_exhausted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
