/* Image configs (runtime/image/config.c, config_change.c): the typed view `run` applies,
 * wrong types refused by key, and the change lines of commit -c / import -c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rt_error.h"
#include "image/config.h"

static void assert_strv(char **got, const char *const *want)
{
	size_t i = 0;

	assert_non_null(got);
	for (; want[i]; i++) {
		assert_non_null(got[i]);
		assert_string_equal(got[i], want[i]);
	}
	assert_null(got[i]);
}

static int parse(const char *text, struct img_config *c, struct nr_error *err)
{
	return img_config_parse(text, strlen(text), c, err);
}

static void test_parse_full(void **state)
{
	const char *doc =
		"{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{"
		"\"Entrypoint\":[\"/bin/app\"],\"Cmd\":[\"-v\",\"x y\"],\"Env\":[\"PATH=/bin\",\"A=1\"],"
		"\"WorkingDir\":\"/srv\",\"User\":\"1000:1000\",\"ExposedPorts\":{\"80/tcp\":{},\"53/udp\":{}},"
		"\"Labels\":{\"b\":\"2\",\"a\":\"1\"},\"StopSignal\":\"SIGINT\",\"Unknown\":[1]},"
		"\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";
	struct img_config c;

	(void)state;
	assert_int_equal(parse(doc, &c, NULL), 0);
	assert_strv(c.entrypoint, (const char *const[]){ "/bin/app", NULL });
	assert_strv(c.cmd, (const char *const[]){ "-v", "x y", NULL });
	assert_strv(c.env, (const char *const[]){ "PATH=/bin", "A=1", NULL });
	assert_string_equal(c.working_dir, "/srv");
	assert_string_equal(c.user, "1000:1000");
	assert_strv(c.exposed, (const char *const[]){ "53/udp", "80/tcp", NULL });
	assert_strv(c.labels, (const char *const[]){ "a=1", "b=2", NULL });
	assert_string_equal(c.stop_signal, "SIGINT");
	img_config_clear(&c);
	img_config_clear(&c); /* cleared twice is fine */
}

static void test_parse_defaults(void **state)
{
	struct img_config c;

	(void)state;
	assert_int_equal(parse("{}", &c, NULL), 0);
	assert_null(c.cmd);
	assert_null(c.working_dir);
	img_config_clear(&c);
	assert_int_equal(parse("{\"config\":null}", &c, NULL), 0);
	img_config_clear(&c);
	/* Docker's StrSlice: a lone string is a one-element list; null and "" are unset. */
	assert_int_equal(parse("{\"config\":{\"Cmd\":\"sh\",\"Entrypoint\":null,\"WorkingDir\":\"\"}}", &c, NULL), 0);
	assert_strv(c.cmd, (const char *const[]){ "sh", NULL });
	assert_null(c.entrypoint);
	assert_null(c.working_dir);
	img_config_clear(&c);
}

struct bad {
	const char *doc, *key;
};

static void test_parse_wrong_types(void **state)
{
	static const struct bad cases[] = {
		{ "{\"config\":{\"Cmd\":5}}", "'Cmd'" },
		{ "{\"config\":{\"Cmd\":[\"a\",1]}}", "'Cmd'" },
		{ "{\"config\":{\"Entrypoint\":{}}}", "'Entrypoint'" },
		{ "{\"config\":{\"Env\":\"A=1\"}}", "'Env'" },
		{ "{\"config\":{\"WorkingDir\":[]}}", "'WorkingDir'" },
		{ "{\"config\":{\"User\":0}}", "'User'" },
		{ "{\"config\":{\"ExposedPorts\":[\"80/tcp\"]}}", "'ExposedPorts'" },
		{ "{\"config\":{\"ExposedPorts\":{\"80/tcp\":1}}}", "'80/tcp'" },
		{ "{\"config\":{\"Labels\":{\"a\":1}}}", "'a'" },
		{ "{\"config\":{\"StopSignal\":15}}", "'StopSignal'" },
		{ "{\"config\":[]}", "'config'" },
		{ "[]", "not a JSON object" },
		{ "{\"config\":", "line 1" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct img_config c = { 0 };
		struct nr_error err = { 0 };

		if (parse(cases[i].doc, &c, &err) >= 0)
			fail_msg("accepted %s", cases[i].doc);
		assert_int_equal(err.code, RT_ERR_CORRUPT);
		if (!strstr(err.msg, cases[i].key))
			fail_msg("%s: \"%s\" does not name %s", cases[i].doc, err.msg, cases[i].key);
		assert_null(c.cmd);
	}
}

/* Applies the lines to {"config":{"Env":["PATH=/bin","A=0"]}} and parses the result. */
static void changed(const char *const *lines, struct img_config *c)
{
	json_t *doc = json_loads("{\"config\":{\"Env\":[\"PATH=/bin\",\"A=0\"]}}", 0, NULL);
	struct nr_error err = { 0 };
	char *text;

	for (const char *const *l = lines; *l; l++)
		if (img_config_change(doc, *l, &err) != 0)
			fail_msg("%s: %s", *l, err.msg);
	text = json_dumps(doc, 0);
	assert_int_equal(parse(text, c, NULL), 0);
	free(text);
	json_decref(doc);
}

static void test_change(void **state)
{
	static const char *const lines[] = {
		"CMD [\"sh\", \"-c\", \"echo hi\"]",
		"ENTRYPOINT /bin/app --flag",
		"ENV A=1 B=\"x y\" C='$z' D=a\\ b",
		"env E f g",
		"WORKDIR /srv",
		"WORKDIR data/../www/.",
		"USER nobody",
		"EXPOSE 80 53/UDP 7000-7001/tcp",
		"LABEL version=1.0 \"the name\"=\"x\"",
		"STOPSIGNAL SIGQUIT",
		"  CMD   top  ",
		NULL,
	};
	struct img_config c;

	(void)state;
	changed(lines, &c);
	assert_strv(c.cmd, (const char *const[]){ "/bin/sh", "-c", "top", NULL });
	assert_strv(c.entrypoint, (const char *const[]){ "/bin/sh", "-c", "/bin/app --flag", NULL });
	assert_strv(c.env, (const char *const[]){ "PATH=/bin", "A=1", "B=x y", "C=$z", "D=a b", "E=f g", NULL });
	assert_string_equal(c.working_dir, "/srv/www");
	assert_string_equal(c.user, "nobody");
	assert_strv(c.exposed, (const char *const[]){ "53/udp", "7000/tcp", "7001/tcp", "80/tcp", NULL });
	assert_strv(c.labels, (const char *const[]){ "the name=x", "version=1.0", NULL });
	assert_string_equal(c.stop_signal, "SIGQUIT");
	img_config_clear(&c);
}

static void test_change_exec_form(void **state)
{
	struct img_config c;

	(void)state;
	changed((const char *const[]){ "CMD [\"echo\", \"a b\"]", "ENTRYPOINT [\"tini\"]", "ENTRYPOINT []", NULL }, &c);
	assert_strv(c.cmd, (const char *const[]){ "echo", "a b", NULL });
	assert_null(c.entrypoint);
	img_config_clear(&c);
	/* Not a JSON array of strings: the shell form, as Docker. */
	changed((const char *const[]){ "CMD [1, 2]", NULL }, &c);
	assert_strv(c.cmd, (const char *const[]){ "/bin/sh", "-c", "[1, 2]", NULL });
	img_config_clear(&c);
}

static void test_change_refused(void **state)
{
	static const struct bad cases[] = {
		{ "RUN apt-get install x", "RUN is not a valid change command" },
		{ "FROM bb", "FROM is not a valid change command" },
		{ "", "empty change" },
		{ "CMD", "CMD requires at least one argument" },
		{ "ENV", "ENV" },
		{ "ENV A", "ENV" },
		{ "ENV A=1 B", "can't find =" },
		{ "ENV =1", "blank" },
		{ "ENV A=\"x", "unterminated" },
		{ "LABEL a='x", "unterminated" },
		{ "WORKDIR", "WORKDIR" },
		{ "USER", "USER" },
		{ "EXPOSE", "EXPOSE" },
		{ "EXPOSE 0", "invalid port" },
		{ "EXPOSE 70000", "invalid port" },
		{ "EXPOSE 80/icmp", "invalid port" },
		{ "EXPOSE 90-80", "invalid port" },
		{ "EXPOSE 1-65535", "too large" },
		{ "STOPSIGNAL", "STOPSIGNAL" },
		{ "STOPSIGNAL 99", "invalid signal" },
		{ "STOPSIGNAL SIG TERM", "invalid signal" },
		{ "CMD \xff", "UTF-8" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *doc = json_object();
		struct nr_error err = { 0 };

		if (img_config_change(doc, cases[i].doc, &err) >= 0)
			fail_msg("accepted \"%s\"", cases[i].doc);
		assert_int_equal(err.code, RT_ERR_USAGE);
		if (!strstr(err.msg, cases[i].key))
			fail_msg("\"%s\": \"%s\" lacks \"%s\"", cases[i].doc, err.msg, cases[i].key);
		json_decref(doc);
	}
	/* A document whose config is not an object is refused, not overwritten. */
	json_t *doc = json_loads("{\"config\":[]}", 0, NULL);
	assert_int_equal(img_config_change(doc, "USER x", NULL), -EINVAL);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_full),        cmocka_unit_test(test_parse_defaults),
		cmocka_unit_test(test_parse_wrong_types), cmocka_unit_test(test_change),
		cmocka_unit_test(test_change_exec_form),  cmocka_unit_test(test_change_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
