/* Records in a fixed-size slot (runtime/engine/record_file.c): the first save makes the
 * file and its spare of one size, later saves that fit allocate nothing (the sizes stay),
 * a text that outgrows the slot grows both, a record from before slots is made whole.
 * In a temporary directory; no privileges needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/record_file.h"
#include "engine/rt.h"

static char dir[] = "/tmp/nr-record-file.XXXXXX";

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/nr-record-file.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rt_rm_rf(dir) < 0 ? -1 : 0;
}

static long long size_of(const char *name)
{
	char path[600];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

/* The text read back, as a JSON parser sees it (the padding skipped). */
static void assert_reads(const char *want)
{
	char *buf = NULL;
	size_t len = 0;
	json_t *got, *exp = json_loads(want, 0, NULL);

	assert_int_equal(record_file_read(dir, "state.json", 1 << 20, &buf, &len), 0);
	got = json_loadb(buf, len, 0, NULL);
	assert_non_null(got);
	assert_true(json_equal(got, exp));
	json_decref(got);
	json_decref(exp);
	free(buf);
}

static char *text_of(size_t n)
{
	char *t = malloc(n + 16);

	assert_non_null(t);
	int k = snprintf(t, n + 16, "{\"pad\":\"");
	memset(t + k, 'x', n);
	strcpy(t + k + n, "\"}");
	return t;
}

static void test_first_save(void **state)
{
	(void)state;
	assert_int_equal(record_file_replace(dir, "state.json", "{\"status\":\"created\"}"), 0);
	assert_reads("{\"status\":\"created\"}");
	long long size = size_of("state.json");
	assert_true(size >= RECORD_FILE_HEADROOM);
	assert_int_equal(size % 4096, 0);
	assert_int_equal(size_of("state.json.spare"), size);
	assert_int_equal(size_of("state.json.new"), -1);
}

static void test_saves_in_place(void **state)
{
	(void)state;
	assert_int_equal(record_file_replace(dir, "state.json", "{\"status\":\"created\"}"), 0);
	long long size = size_of("state.json");
	for (int i = 0; i < 5; i++) {
		char t[128];
		snprintf(t, sizeof(t), "{\"status\":\"running\",\"pid\":%d,\"exit_code\":137}", 1000 + i);
		assert_int_equal(record_file_replace(dir, "state.json", t), 0);
		assert_reads(t);
		assert_int_equal(size_of("state.json"), size);
		assert_int_equal(size_of("state.json.spare"), size);
	}
}

static void test_grows(void **state)
{
	char *small = text_of(10), *big = text_of(10000);

	(void)state;
	assert_int_equal(record_file_replace(dir, "state.json", small), 0);
	long long size = size_of("state.json");
	assert_int_equal(record_file_replace(dir, "state.json", big), 0);
	assert_reads(big);
	assert_true(size_of("state.json") >= (long long)strlen(big) + RECORD_FILE_HEADROOM);
	assert_true(size_of("state.json") > size);
	assert_int_equal(size_of("state.json.spare"), size_of("state.json"));
	/* Back to a small text: the slot stays (no shrinking and growing again). */
	size = size_of("state.json");
	assert_int_equal(record_file_replace(dir, "state.json", small), 0);
	assert_reads(small);
	assert_int_equal(size_of("state.json"), size);
	free(small);
	free(big);
}

static void test_record_before_slots(void **state)
{
	char path[600];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/state.json", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("{\"status\":\"running\"}", f);
	fclose(f);
	assert_reads("{\"status\":\"running\"}");
	assert_int_equal(record_file_replace(dir, "state.json", "{\"status\":\"exited\"}"), 0);
	assert_reads("{\"status\":\"exited\"}");
	assert_true(size_of("state.json") >= RECORD_FILE_HEADROOM);
	assert_int_equal(size_of("state.json.spare"), size_of("state.json"));
}

static void test_missing(void **state)
{
	char *buf = NULL;
	size_t len;

	(void)state;
	assert_int_equal(record_file_read(dir, "state.json", 1 << 20, &buf, &len), -ENOENT);
	assert_int_equal(record_file_read("/nonexistent-dir", "state.json", 1 << 20, &buf, &len), -ENOENT);
	assert_int_equal(record_file_replace("/nonexistent-dir", "state.json", "{}"), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_first_save, setup, teardown),
		cmocka_unit_test_setup_teardown(test_saves_in_place, setup, teardown),
		cmocka_unit_test_setup_teardown(test_grows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_record_before_slots, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
