/* The remotes diff (plugins/overlay/plan.c): the kernel's entries on the VXLAN device
 * against the remotes the agent wants, without a kernel. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "overlay/ovl.h"

static struct overlay_subnet self(void)
{
	struct overlay_subnet s = { .mtu = 1450, .vni = 42, .device = "nv-x", .bridge = "nr-x" };

	assert_int_equal(ip_prefix_parse("10.20.0.0/16", &s.network), 0);
	assert_int_equal(ip_prefix_parse("10.20.1.0/24", &s.subnet), 0);
	assert_int_equal(ip_addr_parse("192.0.2.11", &s.vtep), 0);
	return s;
}

static struct overlay_remote remote(const char *subnet, const char *vtep, uint8_t mac_last)
{
	struct overlay_remote r = { .mac = { 0x02, 0, 0, 0, 0, mac_last } };

	assert_int_equal(ip_prefix_parse(subnet, &r.subnet), 0);
	assert_int_equal(ip_addr_parse(vtep, &r.vtep), 0);
	return r;
}

/* The entries remotes r[0..n) make on an empty device. */
static void wanted(const struct overlay_subnet *s, const struct overlay_remote *r, size_t n, struct ovl_entries *ret)
{
	struct ovl_entries empty = { 0 }, del = { 0 };

	assert_int_equal(ovl_plan(s, r, n, &empty, ret, &del), 0);
	assert_int_equal(del.n_routes + del.n_neighs + del.n_fdbs, 0);
}

static void test_layout(void **state)
{
	struct overlay_subnet s = self();
	struct overlay_remote r[] = { remote("10.20.2.0/24", "192.0.2.12", 2) };
	struct ovl_entries set = { 0 };
	char buf[IP_PREFIX_STRLEN];

	wanted(&s, r, 1, &set);
	assert_int_equal(set.n_routes, 1);
	assert_int_equal(set.n_neighs, 1);
	assert_int_equal(set.n_fdbs, 1);
	/* route S via S.0 (onlink), neigh S.0 -> M, fdb M -> U */
	assert_string_equal(ip_prefix_format(&set.routes[0].dst, buf, sizeof(buf)), "10.20.2.0/24");
	assert_string_equal(ip_addr_format(&set.routes[0].gw, buf, sizeof(buf)), "10.20.2.0");
	assert_string_equal(ip_addr_format(&set.neighs[0].ip, buf, sizeof(buf)), "10.20.2.0");
	assert_memory_equal(set.neighs[0].mac, r[0].mac, 6);
	assert_memory_equal(set.fdbs[0].mac, r[0].mac, 6);
	assert_string_equal(ip_addr_format(&set.fdbs[0].dst, buf, sizeof(buf)), "192.0.2.12");
	ovl_entries_free(&set);
}

static void test_idempotent(void **state)
{
	struct overlay_subnet s = self();
	struct overlay_remote r[] = { remote("10.20.2.0/24", "192.0.2.12", 2),
				      remote("10.20.3.0/24", "192.0.2.13", 3) };
	struct ovl_entries cur = { 0 }, set = { 0 }, del = { 0 };

	wanted(&s, r, 2, &cur);
	assert_int_equal(ovl_plan(&s, r, 2, &cur, &set, &del), 0);
	assert_int_equal(set.n_routes + set.n_neighs + set.n_fdbs + del.n_routes + del.n_neighs + del.n_fdbs, 0);
	ovl_entries_free(&cur);
}

static void test_host_left(void **state)
{
	struct overlay_subnet s = self();
	struct overlay_remote r[] = { remote("10.20.2.0/24", "192.0.2.12", 2),
				      remote("10.20.3.0/24", "192.0.2.13", 3) };
	struct ovl_entries cur = { 0 }, set = { 0 }, del = { 0 };
	char buf[IP_PREFIX_STRLEN];

	wanted(&s, r, 2, &cur);
	assert_int_equal(ovl_plan(&s, r, 1, &cur, &set, &del), 0);
	assert_int_equal(set.n_routes + set.n_neighs + set.n_fdbs, 0);
	assert_int_equal(del.n_routes, 1);
	assert_int_equal(del.n_neighs, 1);
	assert_int_equal(del.n_fdbs, 1);
	assert_string_equal(ip_prefix_format(&del.routes[0].dst, buf, sizeof(buf)), "10.20.3.0/24");
	assert_string_equal(ip_addr_format(&del.fdbs[0].dst, buf, sizeof(buf)), "192.0.2.13");
	/* Nobody left: everything goes. */
	ovl_entries_free(&del);
	assert_int_equal(ovl_plan(&s, NULL, 0, &cur, &set, &del), 0);
	assert_int_equal(del.n_routes * 100 + del.n_neighs * 10 + del.n_fdbs, 222);
	ovl_entries_free(&del);
	ovl_entries_free(&cur);
}

/* A host that came back with a new device (new MAC) or a new underlay address: the
 * neighbour and route are replaced in place, never deleted after (that would delete the
 * new ones); the FDB entry of the old MAC or remote goes. */
static void test_changed(void **state)
{
	struct overlay_subnet s = self();
	struct overlay_remote old = remote("10.20.2.0/24", "192.0.2.12", 2);
	struct overlay_remote moved[] = { remote("10.20.2.0/24", "192.0.2.22", 0x22) };
	struct ovl_entries cur = { 0 }, set = { 0 }, del = { 0 };

	wanted(&s, &old, 1, &cur);
	assert_int_equal(ovl_plan(&s, moved, 1, &cur, &set, &del), 0);
	assert_int_equal(set.n_routes, 0); /* the same route */
	assert_int_equal(set.n_neighs, 1);
	assert_int_equal(set.fdbs[0].mac[5], 0x22);
	assert_int_equal(del.n_routes, 0);
	assert_int_equal(del.n_neighs, 0);
	assert_int_equal(del.n_fdbs, 1);
	assert_int_equal(del.fdbs[0].mac[5], 2);
	ovl_entries_free(&set);
	ovl_entries_free(&del);
	ovl_entries_free(&cur);
}

/* Entries nobody asked for on our device (a crashed agent's, a hand-made one) go. */
static void test_strays(void **state)
{
	struct overlay_subnet s = self();
	struct overlay_remote r[] = { remote("10.20.2.0/24", "192.0.2.12", 2) };
	struct ovl_entries cur = { 0 }, set = { 0 }, del = { 0 };
	struct ip_prefix p;
	struct ip_addr a;
	const uint8_t m[6] = { 2, 0, 0, 0, 0, 9 };

	wanted(&s, r, 1, &cur);
	assert_int_equal(ip_prefix_parse("10.20.9.0/24", &p), 0);
	assert_int_equal(ip_addr_parse("10.20.9.0", &a), 0);
	assert_int_equal(ovl_entries_add_route(&cur, &p, &a), 0);
	assert_int_equal(ovl_entries_add_neigh(&cur, &a, m), 0);
	assert_int_equal(ip_addr_parse("192.0.2.19", &a), 0);
	assert_int_equal(ovl_entries_add_fdb(&cur, m, &a), 0);
	assert_int_equal(ovl_plan(&s, r, 1, &cur, &set, &del), 0);
	assert_int_equal(set.n_routes + set.n_neighs + set.n_fdbs, 0);
	assert_int_equal(del.n_routes * 100 + del.n_neighs * 10 + del.n_fdbs, 111);
	ovl_entries_free(&del);
	ovl_entries_free(&cur);
}

static size_t usable(const struct overlay_subnet *s, const struct overlay_remote *r, size_t n)
{
	struct ovl_entries set = { 0 };
	size_t k;

	wanted(s, r, n, &set);
	k = set.n_routes;
	assert_int_equal(set.n_neighs, k);
	assert_int_equal(set.n_fdbs, k);
	ovl_entries_free(&set);
	return k;
}

static void test_garbage_skipped(void **state)
{
	struct overlay_subnet s = self();
	struct overlay_remote r;

	r = remote("10.20.1.0/24", "192.0.2.77", 1); /* our subnet */
	assert_int_equal(usable(&s, &r, 1), 0);
	r = remote("10.20.1.128/25", "192.0.2.77", 1); /* inside ours */
	assert_int_equal(usable(&s, &r, 1), 0);
	r = remote("10.20.0.0/23", "192.0.2.77", 1); /* around ours */
	assert_int_equal(usable(&s, &r, 1), 0);
	r = remote("10.20.7.0/24", "192.0.2.11", 1); /* our VTEP */
	assert_int_equal(usable(&s, &r, 1), 0);
	r = remote("10.30.7.0/24", "192.0.2.77", 1); /* outside the network */
	assert_int_equal(usable(&s, &r, 1), 0);
	r = remote("10.20.7.1/24", "192.0.2.77", 1); /* host bits */
	assert_int_equal(usable(&s, &r, 1), 0);
	r = remote("10.20.7.0/31", "192.0.2.77", 1); /* no gateway and host */
	assert_int_equal(usable(&s, &r, 1), 0);
	r = remote("10.20.7.0/24", "2001:db8::7", 1); /* IPv6 VTEP */
	assert_int_equal(usable(&s, &r, 1), 0);
	r = remote("10.20.7.0/24", "192.0.2.77", 1);
	r.mac[0] = 0x01; /* multicast */
	assert_int_equal(usable(&s, &r, 1), 0);
	memset(r.mac, 0, 6); /* all zeros: the default destination */
	assert_int_equal(usable(&s, &r, 1), 0);
}

/* Of two remotes that collide, the first one counts; a garbage one does not shadow a
 * good one after it. */
static void test_collisions(void **state)
{
	struct overlay_subnet s = self();
	struct overlay_remote same_subnet[] = { remote("10.20.2.0/24", "192.0.2.12", 2),
						remote("10.20.2.0/25", "192.0.2.13", 3) };
	struct overlay_remote same_vtep[] = { remote("10.20.2.0/24", "192.0.2.12", 2),
					      remote("10.20.3.0/24", "192.0.2.12", 3) };
	struct overlay_remote same_mac[] = { remote("10.20.2.0/24", "192.0.2.12", 2),
					     remote("10.20.3.0/24", "192.0.2.13", 2) };
	struct overlay_remote bad_first[] = { remote("10.20.2.0/24", "192.0.2.11", 2),
					      remote("10.20.2.0/24", "192.0.2.12", 2) };

	assert_int_equal(usable(&s, same_subnet, 2), 1);
	assert_int_equal(usable(&s, same_vtep, 2), 1);
	assert_int_equal(usable(&s, same_mac, 2), 1);
	assert_int_equal(usable(&s, bad_first, 2), 1);
}

static void test_many(void **state)
{
	struct overlay_subnet s = self();
	struct overlay_remote r[200];
	struct ovl_entries cur = { 0 }, set = { 0 }, del = { 0 };
	char sub[32], vtep[32];

	for (int i = 0; i < 200; i++) {
		snprintf(sub, sizeof(sub), "10.20.%d.0/24", i + 2);
		snprintf(vtep, sizeof(vtep), "198.51.100.%d", i + 1);
		r[i] = remote(sub, vtep, (uint8_t)(i + 1));
		r[i].mac[4] = (uint8_t)(i >> 8);
	}
	wanted(&s, r, 200, &cur);
	assert_int_equal(cur.n_routes, 200);
	assert_int_equal(ovl_plan(&s, r + 100, 100, &cur, &set, &del), 0);
	assert_int_equal(set.n_routes + set.n_neighs + set.n_fdbs, 0);
	assert_int_equal(del.n_routes, 100);
	ovl_entries_free(&del);
	ovl_entries_free(&cur);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),     cmocka_unit_test(test_idempotent),
		cmocka_unit_test(test_host_left),  cmocka_unit_test(test_changed),
		cmocka_unit_test(test_strays),     cmocka_unit_test(test_garbage_skipped),
		cmocka_unit_test(test_collisions), cmocka_unit_test(test_many),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
