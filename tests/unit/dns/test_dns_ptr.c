/* dns/ptr: reverse names to addresses and back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "dns/names.h"
#include "dns/ptr.h"

static int to_addr(const char *name, char *buf)
{
	uint8_t wire[256];
	int len = dns_name_to_wire(name, strlen(name), wire);
	struct ip_addr a;
	int r;

	assert_true(len > 0);
	if ((r = dns_ptr_to_addr(wire, (size_t)len, &a)) == 0)
		ip_addr_format(&a, buf, INET6_ADDRSTRLEN);
	return r;
}

static void test_ptr_v4(void **state)
{
	char buf[INET6_ADDRSTRLEN];

	assert_int_equal(to_addr("2.0.89.10.in-addr.arpa", buf), 0);
	assert_string_equal(buf, "10.89.0.2");
	assert_int_equal(to_addr("255.0.0.0.IN-ADDR.ARPA.", buf), 0);
	assert_string_equal(buf, "0.0.0.255");
	assert_int_equal(to_addr("0.89.10.in-addr.arpa", buf), -EINVAL);
	assert_int_equal(to_addr("1.2.0.89.10.in-addr.arpa", buf), -EINVAL);
	assert_int_equal(to_addr("256.0.89.10.in-addr.arpa", buf), -EINVAL);
	assert_int_equal(to_addr("02.0.89.10.in-addr.arpa", buf), -EINVAL);
	assert_int_equal(to_addr("x.0.89.10.in-addr.arpa", buf), -EINVAL);
	assert_int_equal(to_addr("2.0.89.10.in-addr.arpa.com", buf), -EINVAL);
	assert_int_equal(to_addr("2.0.89.10", buf), -EINVAL);
	assert_int_equal(to_addr("web", buf), -EINVAL);
}

static void test_ptr_v6(void **state)
{
	char buf[INET6_ADDRSTRLEN];

	assert_int_equal(to_addr("2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.d.f.ip6.arpa", buf), 0);
	assert_string_equal(buf, "fd10::2");
	assert_int_equal(to_addr("F.E.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.D.F.IP6.Arpa.", buf), 0);
	assert_string_equal(buf, "fd10::ef");
	/* 31 nibbles, a two-character label (twice), a bad digit, another suffix. */
	assert_int_equal(to_addr("0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.d.f.ip6.arpa", buf),
			 -EINVAL);
	assert_int_equal(to_addr("22.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.d.f.ip6.arpa", buf),
			 -EINVAL);
	assert_int_equal(to_addr("02.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.d.f.ip6.arpa", buf),
			 -EINVAL);
	assert_int_equal(to_addr("g.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.d.f.ip6.arpa", buf),
			 -EINVAL);
	assert_int_equal(to_addr("2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.d.f.ip6.int", buf),
			 -EINVAL);
}

static void test_ptr_roundtrip(void **state)
{
	const char *addrs[] = { "10.89.0.2", "0.0.0.0", "255.255.255.255",      "1.20.200.3",
				"fd10::2",   "::",      "2001:db8:ffff::abcd:1" };

	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		uint8_t wire[80];
		struct ip_addr a, b;
		size_t len;

		assert_int_equal(ip_addr_parse(addrs[i], &a), 0);
		len = dns_ptr_from_addr(&a, wire);
		assert_true(len <= 74);
		assert_int_equal(dns_ptr_to_addr(wire, len, &b), 0);
		assert_true(ip_addr_equal(&a, &b));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ptr_v4),
		cmocka_unit_test(test_ptr_v6),
		cmocka_unit_test(test_ptr_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
