/* References (runtime/image/ref.c) against Docker's normalisation (distribution/reference
 * normalize_test.go, reference_test.go): what each form means, what is refused and with
 * which message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine/rt_error.h"
#include "image/ref.h"

#define D64 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

struct ok_case {
	const char *in, *name, *tag, *digest;
};

static void test_normalise(void **state)
{
	static const struct ok_case cases[] = {
		{ "busybox", "docker.io/library/busybox", "latest", "" },
		{ "bb:1", "docker.io/library/bb", "1", "" },
		{ "team/app", "docker.io/team/app", "latest", "" },
		{ "team/app:v2", "docker.io/team/app", "v2", "" },
		{ "docker.io/bb", "docker.io/library/bb", "latest", "" },
		{ "index.docker.io/bb:x", "docker.io/library/bb", "x", "" },
		{ "docker.io/library/bb", "docker.io/library/bb", "latest", "" },
		{ "localhost:5000/a/b:c", "localhost:5000/a/b", "c", "" },
		{ "localhost/x", "localhost/x", "latest", "" },
		{ "reg.example:5000/team/app:v2", "reg.example:5000/team/app", "v2", "" },
		{ "reg.example/app", "reg.example/app", "latest", "" },
		{ "[::1]:5000/x:y", "[::1]:5000/x", "y", "" },
		{ "a@sha256:" D64, "docker.io/library/a", "", "sha256:" D64 },
		{ "a:1@sha256:" D64, "docker.io/library/a", "1", "sha256:" D64 },
		{ "x/a.b_c__d-e--f", "docker.io/x/a.b_c__d-e--f", "latest", "" },
		{ "a_b/c", "docker.io/a_b/c", "latest", "" },
		{ "bb:V_1.2-rc", "docker.io/library/bb", "V_1.2-rc", "" },
		/* Docker: an uppercase first component cannot be a path, so it is a registry. */
		{ "Foo/bar", "Foo/bar", "latest", "" },
		{ "abc", "docker.io/library/abc", "latest", "" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct img_ref r;
		struct nr_error err = { 0 };

		if (img_ref_parse(cases[i].in, &r, &err) != 0)
			fail_msg("%s: %s", cases[i].in, err.msg);
		assert_string_equal(r.name, cases[i].name);
		assert_string_equal(r.tag, cases[i].tag);
		assert_string_equal(r.digest, cases[i].digest);
	}
}

struct bad_case {
	const char *in, *msg;
};

static void test_invalid(void **state)
{
	char long_tag[200], long_name[300];
	const struct bad_case cases[] = {
		{ "", "invalid reference format" },
		{ "Bb", "invalid reference format: repository name must be lowercase" },
		{ "bb/Cc:1", "invalid reference format: repository name must be lowercase" },
		{ "bb:", "invalid reference format" },
		{ "bb:-x", "invalid reference format" },
		{ "bb:.x", "invalid reference format" },
		{ ":x", "invalid reference format" },
		{ "a//b", "invalid reference format" },
		{ "a/", "invalid reference format" },
		{ "-a", "invalid reference format" },
		{ "a-", "invalid reference format" },
		{ "a..b", "invalid reference format" },
		{ "a___b", "invalid reference format" },
		{ "a b", "invalid reference format" },
		{ "bb@sha256:abc", "invalid reference format" },
		{ "bb@md5:" D64, "invalid reference format" },
		{ D64, "cannot specify 64-byte hexadecimal strings" },
		{ "reg-.x/a", "invalid reference format" },
		{ "a.b_c/g", "invalid reference format" }, /* a registry: "_" is not in host names */
		{ "reg.x:po/a", "invalid reference format" },
		{ long_tag, "invalid reference format" },
		{ long_name, "must not be more than 255 characters" },
	};

	(void)state;
	snprintf(long_tag, sizeof(long_tag), "bb:%0129d", 0);
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct img_ref r;
		struct nr_error err = { 0 };

		if (img_ref_parse(cases[i].in, &r, &err) != -EINVAL)
			fail_msg("accepted: \"%s\" as %s:%s", cases[i].in, r.name, r.tag);
		assert_int_equal(err.code, RT_ERR_USAGE);
		if (!strstr(err.msg, cases[i].msg))
			fail_msg("\"%s\": message \"%s\" lacks \"%s\"", cases[i].in, err.msg, cases[i].msg);
	}
}

/* The longest tag (128) is fine; one more is not (above). */
static void test_limits(void **state)
{
	char s[200];
	struct img_ref r;

	(void)state;
	snprintf(s, sizeof(s), "bb:%0128d", 0);
	assert_int_equal(img_ref_parse(s, &r, NULL), 0);
	assert_int_equal(strlen(r.tag), 128);
}

static void test_format_familiar(void **state)
{
	struct img_ref r;
	char buf[512];

	(void)state;
	assert_int_equal(img_ref_parse("bb:1", &r, NULL), 0);
	assert_int_equal(img_ref_format(&r, buf, sizeof(buf)), (int)strlen("docker.io/library/bb:1"));
	assert_string_equal(buf, "docker.io/library/bb:1");
	assert_int_equal(img_ref_format(&r, buf, 5), -ENOSPC);
	assert_int_equal(img_ref_parse("a@sha256:" D64, &r, NULL), 0);
	assert_true(img_ref_format(&r, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "docker.io/library/a@sha256:" D64);
	assert_string_equal(img_ref_familiar("docker.io/library/bb"), "bb");
	assert_string_equal(img_ref_familiar("docker.io/team/app"), "team/app");
	assert_string_equal(img_ref_familiar("docker.io/library/a/b"), "library/a/b");
	assert_string_equal(img_ref_familiar("localhost:5000/a"), "localhost:5000/a");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalise),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_format_familiar),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
