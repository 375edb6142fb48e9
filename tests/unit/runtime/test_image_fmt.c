/* What the image verbs print (runtime/cli/image_fmt.c): go-units' sizes and durations,
 * Go tabwriter's layout, --format templates, RFC 3339 times, familiar names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/image_fmt.c"

static void test_size(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(fmt_size(0, 3, b, sizeof(b)), "0B");
	assert_string_equal(fmt_size(999, 3, b, sizeof(b)), "999B");
	assert_string_equal(fmt_size(1000, 3, b, sizeof(b)), "1kB");
	assert_string_equal(fmt_size(4860000, 3, b, sizeof(b)), "4.86MB");
	assert_string_equal(fmt_size(1982296, 3, b, sizeof(b)), "1.98MB");
	assert_string_equal(fmt_size(1982296, 4, b, sizeof(b)), "1.982MB");
	assert_string_equal(fmt_size(72900000, 3, b, sizeof(b)), "72.9MB");
	assert_string_equal(fmt_size(1500000000LL, 3, b, sizeof(b)), "1.5GB");
}

static void test_duration(void **state)
{
	static const struct {
		long long s;
		const char *want;
	} cases[] = {
		{ 0, "Less than a second" }, { 1, "1 second" },          { 59, "59 seconds" },
		{ 60, "About a minute" },    { 119, "About a minute" },  { 120, "2 minutes" },
		{ 3599, "59 minutes" },      { 3600, "About an hour" },  { 5399, "About an hour" },
		{ 5400, "2 hours" },         { 47 * 3600, "47 hours" },  { 48 * 3600, "2 days" },
		{ 14 * 86400, "2 weeks" },   { 60 * 86400, "2 months" }, { 800 * 86400LL, "2 years" },
	};
	char b[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(fmt_duration(cases[i].s, b, sizeof(b)), cases[i].want);
	assert_string_equal(fmt_since(0, b, sizeof(b)), "N/A");
}

static void test_time(void **state)
{
	(void)state;
	assert_int_equal(fmt_parse_rfc3339("2026-01-01T00:00:00Z"), 1767225600LL);
	assert_int_equal(fmt_parse_rfc3339("2026-01-01T00:00:00.123456789Z"), 1767225600LL);
	assert_int_equal(fmt_parse_rfc3339("2026-01-01T02:00:00+02:00"), 1767225600LL);
	assert_int_equal(fmt_parse_rfc3339("yesterday"), 0);
	assert_int_equal(fmt_parse_rfc3339(NULL), 0);
}

static void test_names(void **state)
{
	char b[300];

	(void)state;
	assert_string_equal(fmt_image_id("sha256:a665a719d9c2a05ce50fc4360252acfad0976a8a04ef0cafcf7deb4068b0d2a3",
					 false, b, sizeof(b)),
			    "a665a719d9c2");
	assert_string_equal(fmt_ref_familiar("docker.io/library/bb:1", b, sizeof(b)), "bb:1");
	assert_string_equal(fmt_ref_familiar("docker.io/team/app:v2", b, sizeof(b)), "team/app:v2");
	assert_string_equal(fmt_ref_familiar("reg.example:5000/x:1", b, sizeof(b)), "reg.example:5000/x:1");
}

/* Run fn with stdout going to a buffer; return what it printed. */
static char *capture(void (*fn)(void *), void *arg)
{
	char path[] = "/tmp/test_image_fmt.XXXXXX";
	int fd = mkstemp(path), saved = dup(STDOUT_FILENO);
	static char buf[4096];
	ssize_t n;

	fflush(stdout);
	dup2(fd, STDOUT_FILENO);
	fn(arg);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	buf[n < 0 ? 0 : n] = '\0';
	close(fd);
	unlink(path);
	return buf;
}

static void print_table(void *arg)
{
	fmt_table_print(arg);
}

/* docker images' layout: tabwriter minwidth 10, padding 3, the last column unpadded. */
static void test_table(void **state)
{
	struct fmt_table t;
	const char *h[] = { "REPOSITORY", "TAG", "IMAGE ID", "SIZE" }, *r[] = { "bb", "1", "a665a719d9c2", "1.98MB" };

	(void)state;
	fmt_table_init(&t, 4);
	assert_int_equal(fmt_table_add(&t, h), 0);
	assert_int_equal(fmt_table_add(&t, r), 0);
	assert_string_equal(capture(print_table, &t), "REPOSITORY   TAG       IMAGE ID       SIZE\n"
						      "bb           1         a665a719d9c2   1.98MB\n");
	fmt_table_clear(&t);
}

struct rows_call {
	const char *format;
	json_t *rows;
};

static void print_rows(void *arg)
{
	struct rows_call *c = arg;
	static const char *const keys[] = { "Repository", "Tag", NULL };
	static const char *const headers[] = { "Repository", "REPOSITORY", "Tag", "TAG", NULL };

	fmt_rows(c->format, c->rows, keys, headers);
}

static void test_rows(void **state)
{
	json_t *rows = json_pack("[{s:s,s:s},{s:s,s:s}]", "Repository", "<none>", "Tag", "<none>", "Repository",
				 "team/app", "Tag", "v2");
	struct rows_call c = { NULL, rows };

	(void)state;
	assert_string_equal(capture(print_rows, &c), "REPOSITORY   TAG\n<none>       <none>\nteam/app     v2\n");
	c.format = "json";
	assert_string_equal(capture(print_rows, &c),
			    "{\"Repository\":\"\\u003cnone\\u003e\",\"Tag\":\"\\u003cnone\\u003e\"}\n"
			    "{\"Repository\":\"team/app\",\"Tag\":\"v2\"}\n");
	c.format = "{{.Repository}}:{{ .Tag }}";
	assert_string_equal(capture(print_rows, &c), "<none>:<none>\nteam/app:v2\n");
	c.format = "table {{.Tag}}\\t{{.Repository}}";
	assert_string_equal(capture(print_rows, &c), "TAG       REPOSITORY\n<none>    <none>\nv2        team/app\n");
	json_decref(rows);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size),  cmocka_unit_test(test_duration), cmocka_unit_test(test_time),
		cmocka_unit_test(test_names), cmocka_unit_test(test_table),    cmocka_unit_test(test_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
