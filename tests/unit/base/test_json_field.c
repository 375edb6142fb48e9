/* json_field: typed member access and its error codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "base/json_field.h"

static const char *doc = "{\"s\":\"str\",\"b\":true,\"i\":42,\"neg\":-3,\"f\":1.5,\"o\":{\"k\":1},\"a\":[1],"
			 "\"n\":null}";

static int load(void **state)
{
	json_t *o = NULL;
	assert_int_equal(json_parse_object(doc, strlen(doc), "doc", &o, NULL), 0);
	*state = o;
	return 0;
}

static int unload(void **state)
{
	json_decref(*state);
	return 0;
}

static void expect_err(int r, const struct nr_error *err, int code, const char *needle)
{
	assert_true(r < 0);
	assert_int_equal(err->code, code);
	assert_non_null(strstr(err->msg, needle));
}

static void test_string(void **state)
{
	json_t *o = *state;
	struct nr_error err = { 0 };
	const char *v = "default";

	assert_int_equal(jfield_string(o, "s", "cfg", true, &v, &err), 0);
	assert_string_equal(v, "str");
	v = "default";
	assert_int_equal(jfield_string(o, "missing", "cfg", false, &v, &err), 0);
	assert_string_equal(v, "default");
	assert_int_equal(jfield_string(o, "n", "cfg", false, &v, &err), 0); /* null = absent */
	assert_string_equal(v, "default");
	expect_err(jfield_string(o, "missing", "cfg", true, &v, &err), &err, CNI_ERR_INVALID_CONFIG, "missing");
	assert_non_null(strstr(err.msg, "cfg"));
	expect_err(jfield_string(o, "n", "cfg", true, &v, &err), &err, CNI_ERR_INVALID_CONFIG, "'n'");
	expect_err(jfield_string(o, "i", "cfg", false, &v, &err), &err, CNI_ERR_DECODE, "'i'");
	expect_err(jfield_string(o, "o", "cfg", true, &v, &err), &err, CNI_ERR_DECODE, "'o'");
	assert_string_equal(v, "default");
}

static void test_bool(void **state)
{
	json_t *o = *state;
	struct nr_error err = { 0 };
	bool b = false;

	assert_int_equal(jfield_bool(o, "b", "cfg", &b, &err), 0);
	assert_true(b);
	b = false;
	assert_int_equal(jfield_bool(o, "missing", "cfg", &b, &err), 0);
	assert_false(b);
	expect_err(jfield_bool(o, "s", "cfg", &b, &err), &err, CNI_ERR_DECODE, "'s'");
	expect_err(jfield_bool(o, "i", "cfg", &b, &err), &err, CNI_ERR_DECODE, "'i'");
	assert_false(b);
}

static void test_int(void **state)
{
	json_t *o = *state;
	struct nr_error err = { 0 };
	long long x = 7;

	assert_int_equal(jfield_int(o, "i", "cfg", 0, 100, &x, &err), 0);
	assert_int_equal(x, 42);
	assert_int_equal(jfield_int(o, "i", "cfg", 42, 42, &x, &err), 0); /* inclusive bounds */
	assert_int_equal(jfield_int(o, "neg", "cfg", -3, 0, &x, &err), 0);
	assert_int_equal(x, -3);
	x = 7;
	assert_int_equal(jfield_int(o, "missing", "cfg", 0, 1, &x, &err), 0);
	assert_int_equal(x, 7);
	expect_err(jfield_int(o, "i", "cfg", 0, 41, &x, &err), &err, CNI_ERR_INVALID_CONFIG, "'i'");
	assert_non_null(strstr(err.msg, "42"));
	expect_err(jfield_int(o, "i", "cfg", 43, 100, &x, &err), &err, CNI_ERR_INVALID_CONFIG, "'i'");
	expect_err(jfield_int(o, "neg", "cfg", 0, 10, &x, &err), &err, CNI_ERR_INVALID_CONFIG, "'neg'");
	expect_err(jfield_int(o, "f", "cfg", 0, 10, &x, &err), &err, CNI_ERR_DECODE, "'f'");
	expect_err(jfield_int(o, "s", "cfg", 0, 10, &x, &err), &err, CNI_ERR_DECODE, "'s'");
	assert_int_equal(x, 7);
}

static void test_object_array(void **state)
{
	json_t *o = *state;
	struct nr_error err = { 0 };
	json_t *v = NULL;

	assert_int_equal(jfield_object(o, "o", "cfg", true, &v, &err), 0);
	assert_true(json_is_object(v));
	v = NULL;
	assert_int_equal(jfield_object(o, "missing", "cfg", false, &v, &err), 0);
	assert_null(v);
	expect_err(jfield_object(o, "missing", "cfg", true, &v, &err), &err, CNI_ERR_INVALID_CONFIG, "missing");
	expect_err(jfield_object(o, "a", "cfg", false, &v, &err), &err, CNI_ERR_DECODE, "'a'");
	assert_int_equal(jfield_array(o, "a", "cfg", &v, &err), 0);
	assert_true(json_is_array(v));
	v = NULL;
	assert_int_equal(jfield_array(o, "missing", "cfg", &v, &err), 0);
	assert_null(v);
	expect_err(jfield_array(o, "o", "cfg", &v, &err), &err, CNI_ERR_DECODE, "'o'");
}

static void test_reject_unknown(void **state)
{
	json_t *o = *state;
	struct nr_error err = { 0 };
	const char *const all[] = { "s", "b", "i", "neg", "f", "o", "a", "n", NULL };
	const char *const some[] = { "s", "b", "i", "neg", "f", "a", "n", NULL };

	assert_int_equal(jfield_reject_unknown(o, all, "cfg", &err), 0);
	expect_err(jfield_reject_unknown(o, some, "cfg", &err), &err, CNI_ERR_UNSUPPORTED_FIELD, "'o'");
	assert_non_null(strstr(err.msg, "cfg"));
}

static void test_parse_object(void **state)
{
	struct nr_error err = { 0 };
	json_t *o = NULL;

	expect_err(json_parse_object("", 0, "doc", &o, &err), &err, CNI_ERR_DECODE, "doc");
	expect_err(json_parse_object("[]", 2, "doc", &o, &err), &err, CNI_ERR_DECODE, "doc");
	expect_err(json_parse_object("{\"a\":1,\"a\":2}", 13, "doc", &o, &err), &err, CNI_ERR_DECODE, "doc");
	expect_err(json_parse_object("{\n\"a\":}", 7, "doc", &o, &err), &err, CNI_ERR_DECODE, "line 2");
	assert_null(o);
	assert_int_equal(json_parse_object("{} ", 3, "doc", &o, &err), 0);
	assert_true(json_is_object(o));
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_string, load, unload),
		cmocka_unit_test_setup_teardown(test_bool, load, unload),
		cmocka_unit_test_setup_teardown(test_int, load, unload),
		cmocka_unit_test_setup_teardown(test_object_array, load, unload),
		cmocka_unit_test_setup_teardown(test_reject_unknown, load, unload),
		cmocka_unit_test(test_parse_object),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
