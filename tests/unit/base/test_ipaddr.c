/* ipaddr: prefixes, networks, containment and arithmetic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "base/ipaddr.h"

static void assert_prefix_roundtrip(const char *in, const char *want, int family, int len)
{
	struct ip_prefix p;
	char buf[IP_PREFIX_STRLEN];

	assert_int_equal(ip_prefix_parse(in, &p), 0);
	assert_int_equal(p.addr.family, family);
	assert_int_equal(p.len, len);
	assert_string_equal(ip_prefix_format(&p, buf, sizeof(buf)), want);
}

static void test_prefix_parse_format(void **state)
{
	assert_prefix_roundtrip("10.1.0.5/24", "10.1.0.5/24", AF_INET, 24);
	assert_prefix_roundtrip("0.0.0.0/0", "0.0.0.0/0", AF_INET, 0);
	assert_prefix_roundtrip("255.255.255.255/32", "255.255.255.255/32", AF_INET, 32);
	assert_prefix_roundtrip("fd00::1/64", "fd00::1/64", AF_INET6, 64);
	assert_prefix_roundtrip("FD00:0:0::1/128", "fd00::1/128", AF_INET6, 128);
	assert_prefix_roundtrip("::/0", "::/0", AF_INET6, 0);
	assert_prefix_roundtrip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128",
				"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", AF_INET6, 128);
}

static void test_prefix_parse_bad(void **state)
{
	const char *bad[] = { "10.0.0.1/33",   "fd00::/129",   "10.0.0.1",     "x/24", "10.0.0.1/-1",
			      "10.0.0.1/",     "10.0.0.1/24x", "10.0.0.1/ 24", "/24",  "10.0.0/24",
			      "10.0.0.256/24", "fd00::1",      "10.0.0.1/+8",  "",     NULL };
	struct ip_prefix p = { .len = 77 };

	for (const char **b = bad; *b; b++) {
		assert_true(ip_prefix_parse(*b, &p) < 0);
		assert_int_equal(p.len, 77);
	}
	assert_true(ip_prefix_parse(NULL, &p) < 0);
}

static void test_addr_parse_format(void **state)
{
	struct ip_addr a, b;
	char buf[IP_PREFIX_STRLEN];

	assert_int_equal(ip_addr_parse("192.168.1.1", &a), 0);
	assert_int_equal(a.family, AF_INET);
	assert_string_equal(ip_addr_format(&a, buf, sizeof(buf)), "192.168.1.1");
	assert_int_equal(ip_addr_bits(&a), 32);
	assert_int_equal(ip_addr_parse("2001:db8::1", &b), 0);
	assert_int_equal(b.family, AF_INET6);
	assert_int_equal(ip_addr_bits(&b), 128);
	assert_string_equal(ip_addr_format(&b, buf, sizeof(buf)), "2001:db8::1");
	assert_false(ip_addr_equal(&a, &b));
	assert_true(ip_addr_parse("10.0.0.1/24", &a) < 0);
	assert_true(ip_addr_parse("nope", &a) < 0);
	assert_true(ip_addr_parse(NULL, &a) < 0);
}

static void assert_network(const char *in, const char *want)
{
	struct ip_prefix p, n;
	char buf[IP_PREFIX_STRLEN];

	assert_int_equal(ip_prefix_parse(in, &p), 0);
	n = ip_prefix_network(&p);
	assert_string_equal(ip_prefix_format(&n, buf, sizeof(buf)), want);
}

static void test_prefix_network(void **state)
{
	assert_network("10.1.2.3/24", "10.1.2.0/24");
	assert_network("10.1.2.3/8", "10.0.0.0/8");
	assert_network("10.1.2.3/32", "10.1.2.3/32");
	assert_network("10.1.2.3/0", "0.0.0.0/0");
	assert_network("10.1.2.255/25", "10.1.2.128/25");
	assert_network("172.31.255.255/12", "172.16.0.0/12");
	assert_network("10.1.2.3/23", "10.1.2.0/23");
	assert_network("10.1.3.3/23", "10.1.2.0/23");
	assert_network("fd00:1:2:3::5/64", "fd00:1:2:3::/64");
	assert_network("fd00:1:2:3::5/48", "fd00:1:2::/48");
	assert_network("fd00:1:2:3::5/127", "fd00:1:2:3::4/127");
	assert_network("fd00:1:2:3::5/128", "fd00:1:2:3::5/128");
	assert_network("ffff::1/1", "8000::/1");
}

static bool contains(const char *net, const char *addr)
{
	struct ip_prefix p;
	struct ip_addr a;

	assert_int_equal(ip_prefix_parse(net, &p), 0);
	assert_int_equal(ip_addr_parse(addr, &a), 0);
	return ip_prefix_contains(&p, &a);
}

static void test_prefix_contains(void **state)
{
	assert_true(contains("10.1.0.0/16", "10.1.255.255"));
	assert_true(contains("10.1.0.5/16", "10.1.0.0"));
	assert_false(contains("10.1.0.0/16", "10.2.0.0"));
	assert_false(contains("10.1.0.0/16", "10.0.255.255"));
	assert_true(contains("0.0.0.0/0", "1.2.3.4"));
	assert_true(contains("10.1.2.3/32", "10.1.2.3"));
	assert_false(contains("10.1.2.3/32", "10.1.2.4"));
	assert_true(contains("10.1.2.128/25", "10.1.2.200"));
	assert_false(contains("10.1.2.128/25", "10.1.2.127"));
	assert_true(contains("fd00::/64", "fd00::ffff"));
	assert_false(contains("fd00::/64", "fd00:0:0:1::1"));
	/* Families never mix. */
	assert_false(contains("0.0.0.0/0", "::1"));
	assert_false(contains("::/0", "10.0.0.1"));
}

static void assert_add(const char *in, int64_t delta, const char *want)
{
	struct ip_addr a;
	char buf[IP_PREFIX_STRLEN];

	assert_int_equal(ip_addr_parse(in, &a), 0);
	assert_int_equal(ip_addr_add(&a, delta), 0);
	assert_string_equal(ip_addr_format(&a, buf, sizeof(buf)), want);
}

static void assert_add_range(const char *in, int64_t delta)
{
	struct ip_addr a, before;

	assert_int_equal(ip_addr_parse(in, &a), 0);
	before = a;
	assert_int_equal(ip_addr_add(&a, delta), -ERANGE);
	assert_true(ip_addr_equal(&a, &before)); /* untouched */
}

static void test_addr_add(void **state)
{
	assert_add("10.0.0.1", 1, "10.0.0.2");
	assert_add("10.0.0.1", 0, "10.0.0.1");
	assert_add("10.0.0.255", 1, "10.0.1.0");
	assert_add("10.0.255.255", 1, "10.1.0.0");
	assert_add("10.0.0.0", 256, "10.0.1.0");
	assert_add("10.0.0.0", 65536 + 257, "10.1.1.1");
	assert_add("10.0.1.0", -1, "10.0.0.255");
	assert_add("10.1.0.0", -1, "10.0.255.255");
	assert_add("10.0.0.5", -5, "10.0.0.0");
	assert_add("0.0.0.0", 0xffffffffLL, "255.255.255.255");
	assert_add("255.255.255.255", -0xffffffffLL, "0.0.0.0");
	assert_add("fd00::ffff", 1, "fd00::1:0");
	assert_add("fd00::1:0", -1, "fd00::ffff");
	assert_add("::", INT64_MAX, "::7fff:ffff:ffff:ffff");
	assert_add("::ffff:ffff:ffff:ffff", INT64_MIN, "::7fff:ffff:ffff:ffff");

	assert_add_range("255.255.255.255", 1);
	assert_add_range("0.0.0.0", -1);
	assert_add_range("10.0.0.0", 0x100000000LL);
	assert_add_range("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 1);
	assert_add_range("::", -1);
	assert_add_range("::", INT64_MIN);
}

static void test_addr_cmp(void **state)
{
	struct ip_addr a, b;

	assert_int_equal(ip_addr_parse("10.0.0.2", &a), 0);
	assert_int_equal(ip_addr_parse("10.0.0.10", &b), 0);
	assert_true(ip_addr_cmp(&a, &b) < 0);
	assert_true(ip_addr_cmp(&b, &a) > 0);
	assert_int_equal(ip_addr_cmp(&a, &a), 0);
	assert_true(ip_addr_equal(&a, &a));
	assert_false(ip_addr_equal(&a, &b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix_parse_format),
		cmocka_unit_test(test_prefix_parse_bad),
		cmocka_unit_test(test_addr_parse_format),
		cmocka_unit_test(test_prefix_network),
		cmocka_unit_test(test_prefix_contains),
		cmocka_unit_test(test_addr_add),
		cmocka_unit_test(test_addr_cmp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
