/* cni_args_parse: CNI_ARGS "K=V;K=V" (CONVENTIONS.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cni/cni_args.h"

static const char *const known_ip_mac[] = { "IP", "MAC", NULL };

static void expect_args_error(const char *s, const char *const *known, const char *needle)
{
	struct cni_args a = { 0 };
	struct nr_error err = { 0 };

	assert_true(cni_args_parse(s, known, &a, &err) < 0);
	assert_int_equal(err.code, CNI_ERR_INVALID_ENV);
	assert_non_null(strstr(err.msg, "CNI_ARGS"));
	if (needle)
		assert_non_null(strstr(err.msg, needle));
}

static void test_empty_and_null(void **state)
{
	struct cni_args a;
	struct nr_error err = { 0 };

	memset(&a, 0xff, sizeof(a));
	assert_int_equal(cni_args_parse(NULL, known_ip_mac, &a, &err), 0);
	assert_int_equal(a.n, 0);
	assert_false(a.ignore_unknown);
	assert_null(cni_args_get(&a, "IP"));
	cni_args_free(&a);

	memset(&a, 0xff, sizeof(a));
	assert_int_equal(cni_args_parse("", known_ip_mac, &a, &err), 0);
	assert_int_equal(a.n, 0);
	cni_args_free(&a);
}

static void test_known_pairs(void **state)
{
	struct cni_args a = { 0 };
	struct nr_error err = { 0 };

	assert_int_equal(cni_args_parse("IP=10.0.0.5;MAC=aa:bb:cc:dd:ee:ff", known_ip_mac, &a, &err), 0);
	assert_int_equal(a.n, 2);
	assert_string_equal(cni_args_get(&a, "IP"), "10.0.0.5");
	assert_string_equal(cni_args_get(&a, "MAC"), "aa:bb:cc:dd:ee:ff");
	assert_null(cni_args_get(&a, "ip"));
	cni_args_free(&a);
	assert_int_equal(a.n, 0);

	/* A value may contain '='. */
	assert_int_equal(cni_args_parse("IP=a=b", known_ip_mac, &a, &err), 0);
	assert_string_equal(cni_args_get(&a, "IP"), "a=b");
	cni_args_free(&a);

	/* NULL known list accepts anything. */
	assert_int_equal(cni_args_parse("Foo=1;Bar=2", NULL, &a, &err), 0);
	assert_string_equal(cni_args_get(&a, "Bar"), "2");
	cni_args_free(&a);
}

static void test_unknown_rejected(void **state)
{
	expect_args_error("IP=10.0.0.5;K8S_POD_NAME=x", known_ip_mac, "K8S_POD_NAME");
	expect_args_error("Zed=1", known_ip_mac, "Zed");
	expect_args_error("IgnoreUnknown=0;Zed=1", known_ip_mac, "Zed");
	expect_args_error("IgnoreUnknown=false;Zed=1", known_ip_mac, "Zed");
}

static void test_ignore_unknown(void **state)
{
	const char *inputs[] = { "IgnoreUnknown=1;Zed=1", "Zed=1;IgnoreUnknown=true", "IgnoreUnknown=TRUE;Zed=1",
				 "IgnoreUnknown=True;IP=1.2.3.4;Zed=1", NULL };

	for (const char **s = inputs; *s; s++) {
		struct cni_args a = { 0 };
		struct nr_error err = { 0 };
		assert_int_equal(cni_args_parse(*s, known_ip_mac, &a, &err), 0);
		assert_true(a.ignore_unknown);
		assert_string_equal(cni_args_get(&a, "Zed"), "1");
		cni_args_free(&a);
	}
	/* IgnoreUnknown alone, with no known keys at all. */
	{
		static const char *const none[] = { NULL };
		struct cni_args a = { 0 };
		struct nr_error err = { 0 };
		assert_int_equal(cni_args_parse("IgnoreUnknown=1", none, &a, &err), 0);
		assert_true(a.ignore_unknown);
		cni_args_free(&a);
	}
	expect_args_error("IgnoreUnknown=banana;Zed=1", known_ip_mac, "IgnoreUnknown");
	expect_args_error("IgnoreUnknown=", known_ip_mac, "IgnoreUnknown");
}

static void test_malformed_pairs(void **state)
{
	expect_args_error("novalue", known_ip_mac, "novalue");
	expect_args_error("=x", known_ip_mac, "=x");
	expect_args_error("IP=1.2.3.4;novalue", known_ip_mac, "novalue");
	expect_args_error("IP=1.2.3.4;=x;MAC=y", known_ip_mac, NULL);
}

static void test_repeated_and_empty(void **state)
{
	struct cni_args a = { 0 };
	struct nr_error err = { 0 };

	assert_int_equal(cni_args_parse("IP=1;IP=2;IP=3", known_ip_mac, &a, &err), 0);
	assert_string_equal(cni_args_get(&a, "IP"), "3");
	cni_args_free(&a);

	assert_int_equal(cni_args_parse("IP=;MAC=m", known_ip_mac, &a, &err), 0);
	assert_non_null(cni_args_get(&a, "IP"));
	assert_string_equal(cni_args_get(&a, "IP"), "");
	assert_string_equal(cni_args_get(&a, "MAC"), "m");
	cni_args_free(&a);

	/* Stray separators are tolerated. */
	assert_int_equal(cni_args_parse(";IP=1;;", known_ip_mac, &a, &err), 0);
	assert_int_equal(a.n, 1);
	cni_args_free(&a);
}

static char *make_pairs(int n)
{
	size_t cap = (size_t)n * 16 + 1;
	char *s = malloc(cap);
	size_t len = 0;

	assert_non_null(s);
	s[0] = '\0';
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, cap - len, "%sK%d=v", i ? ";" : "", i);
	return s;
}

static void test_too_many_pairs(void **state)
{
	struct cni_args a = { 0 };
	struct nr_error err = { 0 };
	char *ok = make_pairs(CNI_ARGS_MAX);
	char *over = make_pairs(CNI_ARGS_MAX + 1);

	assert_int_equal(cni_args_parse(ok, NULL, &a, &err), 0);
	assert_int_equal(a.n, CNI_ARGS_MAX);
	cni_args_free(&a);
	expect_args_error(over, NULL, NULL);
	free(ok);
	free(over);
}

static void test_error_paths_exercised(void **state)
{
	/* Errors after some pairs were allocated must free them (checked under ASan builds). */
	struct cni_args a = { 0 };
	struct nr_error err = { 0 };

	for (int i = 0; i < 100; i++) {
		assert_true(cni_args_parse("IP=1;MAC=2;Bogus=3", known_ip_mac, &a, &err) < 0);
		assert_true(cni_args_parse("IP=1;MAC=2;IgnoreUnknown=maybe", known_ip_mac, &a, &err) < 0);
		assert_true(cni_args_parse("IP=1;MAC=2;bad", known_ip_mac, &a, &err) < 0);
	}
	/* NULL err is tolerated. */
	assert_true(cni_args_parse("bad", known_ip_mac, &a, NULL) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_and_null),   cmocka_unit_test(test_known_pairs),
		cmocka_unit_test(test_unknown_rejected), cmocka_unit_test(test_ignore_unknown),
		cmocka_unit_test(test_malformed_pairs),  cmocka_unit_test(test_repeated_and_empty),
		cmocka_unit_test(test_too_many_pairs),   cmocka_unit_test(test_error_paths_exercised),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
