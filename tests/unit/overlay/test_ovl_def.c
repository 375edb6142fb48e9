/* runtime/overlay's pure pieces: the subnet choice within a CIDR, subnet keys, durations,
 * and the definition and holder values read back from the (shared, so untrusted) store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rt_error.h"
#include "overlay/ovl_def.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define DEF(extra)                                                                                                    \
	"{\"id\": \"" ID "\", \"created\": \"2026-12-04T18:00:00Z\", \"network\": \"10.20.0.0/16\", \"subnet_len\": " \
	"24, \"vni\": 42, \"port\": 4789, \"mtu\": 0, \"lease_ttl\": 60" extra "}"

static struct ovl_def def_of(const char *net, int subnet_len)
{
	struct ovl_def d = { .subnet_len = subnet_len, .vni = 1, .port = 4789, .lease_ttl = 60 };

	assert_int_equal(ip_prefix_parse(net, &d.network), 0);
	return d;
}

static struct ip_prefix pfx(const char *s)
{
	struct ip_prefix p;

	assert_int_equal(ip_prefix_parse(s, &p), 0);
	return p;
}

static const char *fmt(const struct ip_prefix *p)
{
	static char buf[IP_PREFIX_STRLEN];

	return ip_prefix_format(p, buf, sizeof(buf));
}

static void test_subnet_count_and_nth(void **state)
{
	struct ovl_def d = def_of("10.20.0.0/16", 24);
	struct ip_prefix p;

	assert_int_equal(ovl_subnet_count(&d), 256);
	p = ovl_subnet_nth(&d, 0);
	assert_string_equal(fmt(&p), "10.20.0.0/24");
	p = ovl_subnet_nth(&d, 255);
	assert_string_equal(fmt(&p), "10.20.255.0/24");
	d = def_of("192.168.4.0/22", 26);
	assert_int_equal(ovl_subnet_count(&d), 16);
	p = ovl_subnet_nth(&d, 5);
	assert_string_equal(fmt(&p), "192.168.5.64/26");
}

static void test_subnet_pick(void **state)
{
	struct ovl_def d = def_of("10.20.0.0/23", 24); /* two subnets */
	struct ip_prefix taken[2] = { pfx("10.20.0.0/24") }, got, prefer = pfx("10.20.1.0/24");

	/* Free, preferred: taken whatever the random start. */
	assert_int_equal(ovl_subnet_pick(&d, NULL, 0, &prefer, 0, &got), 0);
	assert_string_equal(fmt(&got), "10.20.1.0/24");
	/* The random start picks among the free ones. */
	assert_int_equal(ovl_subnet_pick(&d, NULL, 0, NULL, 1, &got), 0);
	assert_string_equal(fmt(&got), "10.20.1.0/24");
	assert_int_equal(ovl_subnet_pick(&d, NULL, 0, NULL, 2, &got), 0);
	assert_string_equal(fmt(&got), "10.20.0.0/24");
	/* A taken one is skipped, preferred or drawn. */
	prefer = pfx("10.20.0.0/24");
	assert_int_equal(ovl_subnet_pick(&d, taken, 1, &prefer, 0, &got), 0);
	assert_string_equal(fmt(&got), "10.20.1.0/24");
	/* A preference outside the CIDR, of another length or with host bits is ignored. */
	prefer = pfx("10.99.0.0/24");
	assert_int_equal(ovl_subnet_pick(&d, taken, 1, &prefer, 0, &got), 0);
	assert_string_equal(fmt(&got), "10.20.1.0/24");
	prefer = pfx("10.20.1.0/25");
	assert_int_equal(ovl_subnet_pick(&d, NULL, 0, &prefer, 2, &got), 0);
	assert_string_equal(fmt(&got), "10.20.0.0/24");
	prefer = pfx("10.20.1.7/24");
	assert_int_equal(ovl_subnet_pick(&d, NULL, 0, &prefer, 2, &got), 0);
	assert_string_equal(fmt(&got), "10.20.0.0/24");
	/* All taken. */
	taken[1] = pfx("10.20.1.0/24");
	assert_int_equal(ovl_subnet_pick(&d, taken, 2, NULL, 7, &got), -EADDRNOTAVAIL);
}

static void test_subnet_pick_spread(void **state)
{
	struct ovl_def d = def_of("10.0.0.0/16", 24);
	struct ip_prefix *taken = calloc(256, sizeof(*taken)), got;

	/* Filling the CIDR from random starts hands out each subnet once, then none. */
	for (uint32_t i = 0; i < 256; i++) {
		assert_int_equal(ovl_subnet_pick(&d, taken, i, NULL, i * 2654435761u, &got), 0);
		for (uint32_t j = 0; j < i; j++)
			assert_false(ip_addr_equal(&taken[j].addr, &got.addr));
		assert_true(ip_prefix_contains(&d.network, &got.addr));
		taken[i] = got;
	}
	assert_int_equal(ovl_subnet_pick(&d, taken, 256, NULL, 3, &got), -EADDRNOTAVAIL);
	free(taken);
}

static void test_layout(void **state)
{
	struct nr_error err = { 0 };
	struct ip_prefix n = pfx("10.20.0.0/16");

	assert_int_equal(ovl_def_check_layout(&n, 17, &err), 0); /* two subnets: the least */
	assert_int_equal(ovl_def_check_layout(&n, 29, &err), 0);
	assert_int_equal(ovl_def_check_layout(&n, 16, &err), -EINVAL);
	assert_int_equal(err.code, RT_ERR_USAGE);
	assert_non_null(strstr(err.msg, "must be longer than the network's /16"));
	assert_int_equal(ovl_def_check_layout(&n, 15, &err), -EINVAL);
	assert_int_equal(ovl_def_check_layout(&n, 30, &err), -EINVAL);
	n = pfx("10.0.0.0/8");
	assert_int_equal(ovl_def_check_layout(&n, 24, &err), 0); /* 2^16 */
	assert_int_equal(ovl_def_check_layout(&n, 25, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "more than 65536 subnets"));
}

static void test_subnet_key(void **state)
{
	struct ovl_def d = def_of("10.20.0.0/16", 24);
	struct ip_prefix p = pfx("10.20.3.0/24"), got;
	char key[64];
	const char *bad[] = { "10.20.3.0",
			      "10.20.3.0-25",
			      "10.21.3.0-24",
			      "10.20.3.1-24",
			      "fd00::-24",
			      "10.20.3.0-24x",
			      "-24",
			      "",
			      "10.20.3.0/24",
			      "10.20.3.0-024-24",
			      NULL };

	ovl_subnet_key(&p, key, sizeof(key));
	assert_string_equal(key, "10.20.3.0-24");
	assert_int_equal(ovl_subnet_from_key(&d, key, &got), 0);
	assert_string_equal(fmt(&got), "10.20.3.0/24");
	for (const char **b = bad; *b; b++)
		if (ovl_subnet_from_key(&d, *b, &got) == 0)
			fail_msg("key '%s' taken", *b);
}

static void test_duration(void **state)
{
	int v = 0;
	const char *bad[] = { "", "s", "-5s", "5x", "5ss", "5 s", "1.5m", " 5", "0x10", NULL };

	assert_int_equal(ovl_duration_parse("30s", &v), 0);
	assert_int_equal(v, 30);
	assert_int_equal(ovl_duration_parse("5m", &v), 0);
	assert_int_equal(v, 300);
	assert_int_equal(ovl_duration_parse("1h", &v), 0);
	assert_int_equal(v, 3600);
	assert_int_equal(ovl_duration_parse("90", &v), 0);
	assert_int_equal(v, 90);
	assert_int_equal(ovl_duration_parse("2s", &v), 0);
	assert_int_equal(ovl_duration_parse("24h", &v), 0);
	assert_int_equal(ovl_duration_parse("1s", &v), -ERANGE);
	assert_int_equal(ovl_duration_parse("0", &v), -ERANGE);
	assert_int_equal(ovl_duration_parse("25h", &v), -ERANGE);
	assert_int_equal(ovl_duration_parse("99999999999999999999s", &v), -ERANGE);
	for (const char **b = bad; *b; b++)
		if (ovl_duration_parse(*b, &v) != -EINVAL)
			fail_msg("'%s' taken", *b);
	assert_int_equal(ovl_duration_parse(NULL, &v), -EINVAL);
}

static void test_def_roundtrip(void **state)
{
	struct nr_error err = { 0 };
	struct ovl_def d = def_of("10.20.0.0/16", 24), back;
	char *s;

	memcpy(d.id, ID, 65);
	strcpy(d.created, "2026-12-04T18:00:00Z");
	d.vni = 16777215;
	d.mtu = 1400;
	s = ovl_def_format(&d);
	assert_non_null(s);
	assert_int_equal(ovl_def_parse(s, strlen(s), &back, &err), 0);
	free(s);
	assert_string_equal(back.id, ID);
	assert_string_equal(fmt(&back.network), "10.20.0.0/16");
	assert_int_equal(back.vni, 16777215);
	assert_int_equal(back.mtu, 1400);
	assert_int_equal(back.lease_ttl, 60);
	assert_int_equal(ovl_def_parse(DEF(""), strlen(DEF("")), &back, &err), 0);
}

static void test_def_hostile(void **state)
{
	const char *bad[] = {
		"",
		"this is not json",
		"[]",
		"null",
		"{}",
		DEF(", \"extra\": 1"),
		DEF(", \"vni\": 43"), /* a duplicate key */
		"{\"id\": \"" ID
		"\", \"created\": \"x\", \"network\": \"10.20.0.0/16\", \"subnet_len\": 24, \"vni\": 0, "
		"\"port\": 4789, \"mtu\": 0, \"lease_ttl\": 60}",
		"{\"id\": \"" ID "\", \"created\": \"x\", \"network\": \"10.20.0.0/16\", \"subnet_len\": 24, \"vni\": "
		"16777216, \"port\": 4789, \"mtu\": 0, \"lease_ttl\": 60}",
		"{\"id\": \"" ID
		"\", \"created\": \"x\", \"network\": \"10.20.0.0/16\", \"subnet_len\": 24, \"vni\": \"42\", "
		"\"port\": 4789, \"mtu\": 0, \"lease_ttl\": 60}",
		"{\"id\": \"" ID
		"\", \"created\": \"x\", \"network\": \"10.20.0.0/16\", \"subnet_len\": 24.5, \"vni\": 42, "
		"\"port\": 4789, \"mtu\": 0, \"lease_ttl\": 60}",
		"{\"id\": \"" ID
		"\", \"created\": \"x\", \"network\": \"10.20.0.0/16\", \"subnet_len\": 16, \"vni\": 42, "
		"\"port\": 4789, \"mtu\": 0, \"lease_ttl\": 60}",
		"{\"id\": \"" ID "\", \"created\": \"x\", \"network\": \"fd00::/48\", \"subnet_len\": 64, \"vni\": 42, "
		"\"port\": 4789, \"mtu\": 0, \"lease_ttl\": 60}",
		"{\"id\": \"" ID
		"\", \"created\": \"x\", \"network\": \"10.20.0.0/99\", \"subnet_len\": 24, \"vni\": 42, "
		"\"port\": 4789, \"mtu\": 0, \"lease_ttl\": 60}",
		"{\"id\": \"" ID
		"\", \"created\": \"x\", \"network\": \"10.20.0.0/16\", \"subnet_len\": 24, \"vni\": 42, "
		"\"port\": 0, \"mtu\": 0, \"lease_ttl\": 60}",
		"{\"id\": \"" ID
		"\", \"created\": \"x\", \"network\": \"10.20.0.0/16\", \"subnet_len\": 24, \"vni\": 42, "
		"\"port\": 4789, \"mtu\": 100, \"lease_ttl\": 60}",
		"{\"id\": \"" ID
		"\", \"created\": \"x\", \"network\": \"10.20.0.0/16\", \"subnet_len\": 24, \"vni\": 42, "
		"\"port\": 4789, \"mtu\": 0, \"lease_ttl\": 1}",
		"{\"id\": \"" ID
		"\", \"created\": \"x\", \"network\": \"10.20.0.0/16\", \"subnet_len\": 24, \"vni\": 42, "
		"\"port\": 4789, \"mtu\": 0, \"lease_ttl\": 99999999999999999999}",
		"{\"id\": \"0123\", \"created\": \"x\", \"network\": \"10.20.0.0/16\", \"subnet_len\": 24, \"vni\": 42, "
		"\"port\": 4789, \"mtu\": 0, \"lease_ttl\": 60}",
		"{\"id\": \"" ID
		"\", \"created\": null, \"network\": \"10.20.0.0/16\", \"subnet_len\": 24, \"vni\": 42, "
		"\"port\": 4789, \"mtu\": 0, \"lease_ttl\": 60}",
		"{\"id\": \"" ID
		"\", \"created\": \"x\", \"network\": \"10.20.0.0/16\", \"subnet_len\": 24, \"vni\": 42, "
		"\"port\": 4789, \"mtu\": 0}",
		NULL,
	};
	static const char huge_created[] = "{\"id\": \"" ID "\", \"created\": \""
					   "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
					   "\", \"network\": \"10.20.0.0/16\", \"subnet_len\": 24, \"vni\": 42, "
					   "\"port\": 4789, \"mtu\": 0, \"lease_ttl\": 60}";
	struct ovl_def d;

	for (const char **b = bad; *b; b++) {
		struct nr_error err = { 0 };
		if (ovl_def_parse(*b, strlen(*b), &d, &err) >= 0)
			fail_msg("taken: %s", *b);
		if (err.code != RT_ERR_CORRUPT || !err.msg[0])
			fail_msg("code %d '%s' for %s", err.code, err.msg, *b);
	}
	struct nr_error err = { 0 };
	assert_true(ovl_def_parse(huge_created, strlen(huge_created), &d, &err) < 0);
	/* Embedded NUL: the length is the value's, not strlen's. */
	const char nul[] = "{\"id\": \"x\0\"}";
	assert_true(ovl_def_parse(nul, sizeof(nul) - 1, &d, &err) < 0);
}

static void test_host_value(void **state)
{
	struct nr_error err = { 0 };
	struct ovl_host h = { .vtep = { .family = AF_INET } }, back;
	const char *bad[] = {
		"{}",
		"{\"host\": \"a\", \"vtep\": \"fd00::1\", \"mac\": \"\", \"since\": \"\"}",
		"{\"host\": \"a\", \"vtep\": \"192.0.2.1\", \"mac\": \"02:00:00:00:00\", \"since\": \"\"}",
		"{\"host\": \"a\", \"vtep\": \"192.0.2.1\", \"mac\": \"02:00:00:00:00:zz\", \"since\": \"\"}",
		"{\"host\": 7, \"vtep\": \"192.0.2.1\", \"mac\": \"\", \"since\": \"\"}",
		"[1]",
		NULL,
	};
	char *s;

	strcpy(h.host, "h1");
	assert_int_equal(ip_addr_parse("192.0.2.11", &h.vtep), 0);
	strcpy(h.since, "2026-12-04T18:00:00Z");
	s = ovl_host_format(&h);
	assert_int_equal(ovl_host_parse(s, strlen(s), &back, &err), 0);
	free(s);
	assert_false(back.has_mac); /* claimed, device not made yet */
	assert_string_equal(back.host, "h1");
	assert_int_equal(ovl_mac_parse("aa:bb:cc:dd:ee:0f", h.mac), 0);
	h.has_mac = true;
	s = ovl_host_format(&h);
	assert_non_null(strstr(s, "\"aa:bb:cc:dd:ee:0f\""));
	assert_int_equal(ovl_host_parse(s, strlen(s), &back, &err), 0);
	free(s);
	assert_true(back.has_mac);
	assert_memory_equal(back.mac, h.mac, 6);
	for (const char **b = bad; *b; b++)
		if (ovl_host_parse(*b, strlen(*b), &back, &err) >= 0)
			fail_msg("taken: %s", *b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_subnet_count_and_nth), cmocka_unit_test(test_subnet_pick),
		cmocka_unit_test(test_subnet_pick_spread),   cmocka_unit_test(test_layout),
		cmocka_unit_test(test_subnet_key),           cmocka_unit_test(test_duration),
		cmocka_unit_test(test_def_roundtrip),        cmocka_unit_test(test_def_hostile),
		cmocka_unit_test(test_host_value),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
