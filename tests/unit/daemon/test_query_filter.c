/* ?filters= as Docker's clients send it (runtime/daemon/query_filter.c): the current map
 * form, the old array form, false entries, and what is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "daemon/query_filter.h"

static void test_absent(void **state)
{
	struct qfilters f;
	struct nr_error err = { 0 };

	assert_int_equal(qfilters_parse(NULL, &f, &err), 0);
	assert_int_equal(f.n, 0);
	assert_int_equal(qfilters_parse("", &f, &err), 0);
	assert_int_equal(f.n, 0);
	assert_int_equal(qfilters_parse("{}", &f, &err), 0);
	assert_int_equal(f.n, 0);
	qfilters_release(&f);
}

static void test_map_form(void **state)
{
	struct qfilters f;
	struct nr_error err = { 0 };
	const char *v[4];

	assert_int_equal(qfilters_parse("{\"name\":{\"n1\":true,\"n2\":true,\"n3\":false},\"driver\":{\"bridge\":true}}",
					&f, &err),
			 0);
	assert_int_equal(f.n, 3);
	assert_int_equal(qfilters_get(&f, "name", v, 4), 2);
	assert_string_equal(v[0], "n1");
	assert_string_equal(v[1], "n2");
	assert_int_equal(qfilters_get(&f, "driver", v, 4), 1);
	assert_string_equal(v[0], "bridge");
	assert_int_equal(qfilters_get(&f, "label", v, 4), 0);
	qfilters_release(&f);
}

static void test_array_form(void **state)
{
	struct qfilters f;
	struct nr_error err = { 0 };
	const char *v[4];

	assert_int_equal(qfilters_parse("{\"label\":[\"a=b\",\"c\"]}", &f, &err), 0);
	assert_int_equal(qfilters_get(&f, "label", v, 4), 2);
	assert_string_equal(v[0], "a=b");
	assert_string_equal(v[1], "c");
	/* max bounds what is returned */
	assert_int_equal(qfilters_get(&f, "label", v, 1), 1);
	qfilters_release(&f);
}

static void test_refused(void **state)
{
	static const char *const bad[] = {
		"not json", "[]", "{\"name\":\"n1\"}", "{\"name\":{\"n1\":\"yes\"}}", "{\"name\":[1]}", "{\"a\":1}",
	};
	struct qfilters f;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct nr_error err = { 0 };
		assert_true(qfilters_parse(bad[i], &f, &err) < 0);
		assert_non_null(strstr(err.msg, "invalid filter"));
		assert_null(f.doc);
		assert_int_equal(f.n, 0);
	}
}

static void test_too_many(void **state)
{
	char text[4096] = "{\"name\":[";
	struct qfilters f;
	struct nr_error err = { 0 };

	for (int i = 0; i <= QFILTER_MAX; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s\"n%d\"", i ? "," : "", i);
	strcat(text, "]}");
	assert_true(qfilters_parse(text, &f, &err) < 0);
	assert_null(f.doc);
}

static void test_check_keys(void **state)
{
	static const char *const keys[] = { "name", "id", NULL };
	struct qfilters f;
	struct nr_error err = { 0 };

	assert_int_equal(qfilters_parse("{\"name\":{\"x\":true},\"id\":[\"ab\"]}", &f, &err), 0);
	assert_int_equal(qfilters_check_keys(&f, keys, &err), 0);
	qfilters_release(&f);
	assert_int_equal(qfilters_parse("{\"name\":{\"x\":true},\"color\":[\"red\"]}", &f, &err), 0);
	assert_true(qfilters_check_keys(&f, keys, &err) < 0);
	assert_string_equal(err.msg, "invalid filter 'color'");
	qfilters_release(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_absent),  cmocka_unit_test(test_map_form), cmocka_unit_test(test_array_form),
		cmocka_unit_test(test_refused), cmocka_unit_test(test_too_many), cmocka_unit_test(test_check_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
