/* ?filters= as Docker's clients send it (runtime/daemon/query_filter.c): the current map
 * form, the old array form, false entries, and what is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static void test_time(void **state)
{
	const long long now = 1700000000LL * 1000000000LL;
	long long t;

	setenv("TZ", "UTC", 1);
	tzset();
	assert_int_equal(qfilters_time("10m", now, &t), 0);
	assert_true(t == now - 600LL * 1000000000LL);
	assert_int_equal(qfilters_time("1h30m", now, &t), 0);
	assert_true(t == now - 5400LL * 1000000000LL);
	assert_int_equal(qfilters_time("1.5h", now, &t), 0);
	assert_true(t == now - 5400LL * 1000000000LL);
	assert_int_equal(qfilters_time("500ms", now, &t), 0);
	assert_true(t == now - 500000000LL);
	assert_int_equal(qfilters_time("1699999000", now, &t), 0);
	assert_true(t == 1699999000LL * 1000000000LL);
	assert_int_equal(qfilters_time("1699999000.25", now, &t), 0);
	assert_true(t == 1699999000LL * 1000000000LL + 250000000LL);
	/* "0" is the epoch, not a zero duration (Docker's rule). */
	assert_int_equal(qfilters_time("0", now, &t), 0);
	assert_true(t == 0);
	assert_int_equal(qfilters_time("2023-11-14T22:13:20Z", now, &t), 0);
	assert_true(t == now);
	assert_int_equal(qfilters_time("2023-11-15T00:13:20+02:00", now, &t), 0);
	assert_true(t == now);
	assert_int_equal(qfilters_time("2023-11-14T22:13:20.5Z", now, &t), 0);
	assert_true(t == now + 500000000LL);
	/* Without a zone: local time (UTC here). */
	assert_int_equal(qfilters_time("2023-11-14T22:13:20", now, &t), 0);
	assert_true(t == now);
	assert_int_equal(qfilters_time("2023-11-14T22:13", now, &t), 0);
	assert_true(t == now - 20LL * 1000000000LL);
	assert_int_equal(qfilters_time("2023-11-14", now, &t), 0);
	assert_true(t == 1699920000LL * 1000000000LL);
	/* Far years and long durations do not overflow (UBSan found year 0001). */
	assert_int_equal(qfilters_time("0001-01-01T00:00:00Z", now, &t), 0);
	assert_true(t < 0);
	assert_int_equal(qfilters_time("9999-12-31T23:59:59Z", now, &t), 0);
	assert_true(t > now);
	assert_int_equal(qfilters_time("-100000h", now, &t), 0);
	assert_true(t > now);
	assert_int_not_equal(qfilters_time("-99999999999h", now, &t), 0);
	static const char *const bad[] = { "",
					   "10",
					   "x",
					   "10x",
					   "h",
					   "1h-",
					   "2023-13-01",
					   "2023-11-14T",
					   "2023-11-14T22:",
					   "2023-11-14T22:13:20+2",
					   "12a",
					   "1.2.3",
					   "-",
					   "--1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (!strcmp(bad[i], "10"))
			continue; /* unix seconds: accepted */
		assert_true(qfilters_time(bad[i], now, &t) < 0);
	}
}

static void test_label_match(void **state)
{
	json_t *l = json_pack("{s:s, s:s}", "a", "1", "b", "");

	assert_true(qfilters_label_match(l, "a"));
	assert_true(qfilters_label_match(l, "a=1"));
	assert_false(qfilters_label_match(l, "a=2"));
	assert_true(qfilters_label_match(l, "b="));
	assert_true(qfilters_label_match(l, "b"));
	assert_false(qfilters_label_match(l, "c"));
	assert_false(qfilters_label_match(NULL, "a"));
	json_decref(l);
}

static void test_prune(void **state)
{
	const long long now = 1700000000LL * 1000000000LL, hour = 3600LL * 1000000000LL;
	json_t *l = json_pack("{s:s}", "keep", "yes");
	struct qfilters f;
	struct qprune p;
	struct nr_error err = { 0 };

	assert_int_equal(qfilters_parse("{\"until\":{\"1h\":true}}", &f, &err), 0);
	assert_int_equal(qprune_get(&f, now, &p, &err), 0);
	assert_true(qprune_match(&p, now - 2 * hour, NULL));
	assert_false(qprune_match(&p, now - hour / 2, NULL));
	qfilters_release(&f);

	assert_int_equal(qfilters_parse("{\"label!\":[\"keep\"]}", &f, &err), 0);
	assert_int_equal(qprune_get(&f, now, &p, &err), 0);
	assert_false(qprune_match(&p, now, l));
	assert_true(qprune_match(&p, now, NULL));
	qfilters_release(&f);

	assert_int_equal(qfilters_parse("{\"label!\":[\"keep=no\"],\"label\":[\"keep\"]}", &f, &err), 0);
	assert_int_equal(qprune_get(&f, now, &p, &err), 0);
	assert_true(qprune_match(&p, now, l));
	assert_false(qprune_match(&p, now, NULL));
	qfilters_release(&f);

	assert_int_equal(qfilters_parse("{\"until\":[\"1h\",\"2h\"]}", &f, &err), 0);
	assert_true(qprune_get(&f, now, &p, &err) < 0);
	assert_string_equal(err.msg, "more than one until filter specified");
	qfilters_release(&f);
	assert_int_equal(qfilters_parse("{\"until\":[\"soon\"]}", &f, &err), 0);
	assert_true(qprune_get(&f, now, &p, &err) < 0);
	assert_non_null(strstr(err.msg, "failed to parse value as time or duration"));
	qfilters_release(&f);
	json_decref(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_absent),  cmocka_unit_test(test_map_form),    cmocka_unit_test(test_array_form),
		cmocka_unit_test(test_refused), cmocka_unit_test(test_too_many),    cmocka_unit_test(test_check_keys),
		cmocka_unit_test(test_time),    cmocka_unit_test(test_label_match), cmocka_unit_test(test_prune),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
