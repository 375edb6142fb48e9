/* cni_version: parsing, comparing and the supported set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "cni/cni_version.h"

static void test_parse_good(void **state)
{
	struct cni_version v;

	assert_int_equal(cni_version_parse("1.0.0", &v), 0);
	assert_int_equal(v.major, 1);
	assert_int_equal(v.minor, 0);
	assert_int_equal(v.patch, 0);
	assert_int_equal(cni_version_parse("0.3.1", &v), 0);
	assert_int_equal(v.major, 0);
	assert_int_equal(v.minor, 3);
	assert_int_equal(v.patch, 1);
	assert_int_equal(cni_version_parse("10.20.30", &v), 0);
	assert_int_equal(v.major, 10);
	assert_int_equal(v.minor, 20);
	assert_int_equal(v.patch, 30);
}

static void test_parse_bad(void **state)
{
	const char *bad[] = { "1.0",  "1.0.0.0", "a.b.c",  "",       "1.0.0-rc1", " 1.0.0", "1.0.0 ",          "1..0",
			      ".1.0", "1.0.",    "-1.0.0", "+1.0.0", "1",         "v1.0.0", "99999999999.0.0", NULL };
	struct cni_version v = { 7, 7, 7 };

	for (const char **b = bad; *b; b++) {
		assert_true(cni_version_parse(*b, &v) < 0);
		/* Left untouched on failure. */
		assert_int_equal(v.major, 7);
		assert_int_equal(v.minor, 7);
		assert_int_equal(v.patch, 7);
	}
	assert_true(cni_version_parse(NULL, &v) < 0);
}

static void test_compare(void **state)
{
	struct cni_version a, b;

	assert_int_equal(cni_version_parse("0.3.1", &a), 0);
	assert_int_equal(cni_version_parse("0.4.0", &b), 0);
	assert_true(cni_version_cmp(&a, &b) < 0);
	assert_true(cni_version_cmp(&b, &a) > 0);
	assert_int_equal(cni_version_cmp(&a, &a), 0);

	assert_int_equal(cni_version_parse("1.0.0", &a), 0);
	assert_int_equal(cni_version_parse("0.10.0", &b), 0); /* numeric, not lexical */
	assert_true(cni_version_cmp(&a, &b) > 0);
	assert_int_equal(cni_version_parse("0.3.10", &a), 0);
	assert_int_equal(cni_version_parse("0.3.9", &b), 0);
	assert_true(cni_version_cmp(&a, &b) > 0);
	assert_int_equal(cni_version_parse("1.1.0", &a), 0);
	assert_int_equal(cni_version_parse("1.0.9", &b), 0);
	assert_true(cni_version_cmp(&a, &b) > 0);
}

static void test_at_least(void **state)
{
	struct cni_version v;

	assert_int_equal(cni_version_parse("0.4.0", &v), 0);
	assert_true(cni_version_at_least(&v, 0, 4, 0));
	assert_true(cni_version_at_least(&v, 0, 3, 1));
	assert_false(cni_version_at_least(&v, 0, 4, 1));
	assert_false(cni_version_at_least(&v, 1, 0, 0));
	assert_int_equal(cni_version_parse("1.1.0", &v), 0);
	assert_true(cni_version_at_least(&v, 1, 0, 0));
	assert_true(cni_version_at_least(&v, 1, 1, 0));
	assert_false(cni_version_at_least(&v, 1, 2, 0));
	assert_false(cni_version_at_least(&v, 2, 0, 0));
}

static void test_supported(void **state)
{
	const char *yes[] = { "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0", NULL };
	const char *no[] = { "0.2.0", "1.2.0", "0.1.0", "2.0.0", "1.0", "1.1.0 ", "", NULL };
	size_t n = 0;

	for (const char **y = yes; *y; y++)
		assert_true(cni_version_is_supported(*y));
	for (const char **x = no; *x; x++)
		assert_false(cni_version_is_supported(*x));
	/* The advertised list is exactly these, oldest first, and each parses. */
	for (const char *const *p = cni_supported_versions; *p; p++, n++) {
		struct cni_version v;
		assert_non_null(yes[n]);
		assert_string_equal(*p, yes[n]);
		assert_int_equal(cni_version_parse(*p, &v), 0);
	}
	assert_int_equal(n, 5);
	assert_true(cni_version_is_supported(CNI_VERSION_LATEST));
	assert_string_equal(CNI_VERSION_LATEST, "1.1.0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good), cmocka_unit_test(test_parse_bad), cmocka_unit_test(test_compare),
		cmocka_unit_test(test_at_least),   cmocka_unit_test(test_supported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
