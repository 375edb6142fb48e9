/* The runtime's value parsers (runtime/engine/util.c): decimal numbers only (no nan,
 * inf, hex or exponent, which strtod takes), sizes, RFC 1123 host names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "engine/rt.h"

static void test_decimal(void **state)
{
	double v;
	const char *end;

	(void)state;
	assert_int_equal(rt_parse_decimal("2", &v, NULL), 0);
	assert_true(v == 2);
	assert_int_equal(rt_parse_decimal("0.5", &v, NULL), 0);
	assert_true(v == 0.5);
	assert_int_equal(rt_parse_decimal(".25", &v, NULL), 0);
	assert_true(v == 0.25);
	assert_int_equal(rt_parse_decimal("3.", &v, NULL), 0);
	assert_true(v == 3);
	const char *bad[] = {
		"", ".", "nan", "NAN", "inf", "infinity", "0x10", "1e1", "-1", "+1", " 1", "1 ", "1.2.3"
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_not_equal(rt_parse_decimal(bad[i], &v, NULL), 0);
	assert_int_equal(rt_parse_decimal("1.5g", &v, &end), 0);
	assert_string_equal(end, "g");
}

static void test_bytes(void **state)
{
	long long b;

	(void)state;
	assert_int_equal(rt_parse_bytes("64m", &b), 0);
	assert_int_equal(b, 64LL << 20);
	assert_int_equal(rt_parse_bytes("1.5k", &b), 0);
	assert_int_equal(b, 1536);
	assert_int_equal(rt_parse_bytes("10MB", &b), 0);
	assert_int_equal(b, 10LL << 20);
	const char *bad[] = { "0x10m", "1e3m", "nan", "inf", "0", "0.1", "-1m", "1x", "m", "" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_not_equal(rt_parse_bytes(bad[i], &b), 0);
}

static void test_hostname(void **state)
{
	char long_name[80];

	(void)state;
	const char *good[] = { "web", "web-1", "a.b.c", "1host", "WEB.Example", "x" };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(rt_hostname_valid(good[i]));
	const char *bad[] = { "", "-web", "web-", "a..b", ".a", "a.", "a b", "a_b", "web\n1.2.3.4 x", "a/b", "a.-b" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(rt_hostname_valid(bad[i]));
	memset(long_name, 'a', RT_HOSTNAME_MAX);
	long_name[RT_HOSTNAME_MAX] = '\0';
	assert_true(rt_hostname_valid(long_name));
	strcat(long_name, "a");
	assert_false(rt_hostname_valid(long_name));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decimal),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_hostname),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
