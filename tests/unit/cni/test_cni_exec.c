/* cni_plugin_find and cni_exec_plugin against small shell-script "plugins". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/json_field.h"
#include "cni/cni_exec.h"
#include "fixture.h"

struct fixture {
	char dir[64];  /* first CNI_PATH dir */
	char dir2[80]; /* second one, inside dir */
	char path[200];
};

static void write_script(const char *dir, const char *name, const char *body)
{
	char p[PATH_MAX];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(p, 0755), 0);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	strcpy(fx->dir, "/tmp/nr-test-exec-XXXXXX");
	if (!mkdtemp(fx->dir))
		return -1;
	snprintf(fx->dir2, sizeof(fx->dir2), "%s/second", fx->dir);
	if (mkdir(fx->dir2, 0755) < 0)
		return -1;
	snprintf(fx->path, sizeof(fx->path), "%s:%s", fx->dir, fx->dir2);

	write_script(fx->dir, "ok",
		     "cat >/dev/null\n"
		     "printf '{\"cniVersion\":\"1.1.0\",\"cmd\":\"%s\",\"cid\":\"%s\",\"ifname\":\"%s\"}\\n' "
		     "\"$CNI_COMMAND\" \"$CNI_CONTAINERID\" \"$CNI_IFNAME\"");
	write_script(fx->dir, "fail",
		     "echo '{\"cniVersion\":\"1.1.0\",\"code\":7,\"msg\":\"bad\",\"details\":\"d\"}'\nexit 1");
	write_script(fx->dir, "garbage", "echo 'something exploded' >&2\necho 'not json'\nexit 3");
	write_script(fx->dir, "echo", "printf '{\"stdin\":\"'\ncat\nprintf '\"}'");
	write_script(fx->dir, "slow", "exec sleep 10");
	write_script(fx->dir, "quiet", "exit 0");
	write_script(fx->dir, "blank", "printf ' \\n\\t\\n'");
	write_script(fx->dir, "huge",
		     "printf '{\\\"x\\\":\\\"'\nhead -c 5000000 /dev/zero | tr '\\\\0' a\nprintf '\\\"}'");
	write_script(fx->dir, "badjson", "echo '{\"a\":'");
	write_script(fx->dir2, "only2", "echo '{\"where\":\"second\"}'");
	write_script(fx->dir, "sigign",
		     "cat >/dev/null\nprintf '{\"sigign\":\"%s\"}' \"$(awk '/^SigIgn/ {print $2}' /proc/$$/status)\"");
	/* Present but not executable. */
	write_script(fx->dir, "noexec", "exit 0");
	{
		char p[PATH_MAX];
		snprintf(p, sizeof(p), "%s/noexec", fx->dir);
		chmod(p, 0644);
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	fixture_rm_tree(fx->dir);
	free(fx);
	return 0;
}

static struct cni_exec_req req_for(const struct fixture *fx)
{
	struct cni_exec_req req = {
		.command = "ADD",
		.container_id = "ctr42",
		.netns = "/var/run/netns/x",
		.ifname = "eth7",
		.path = fx->path,
		.timeout_ms = 10000,
	};
	return req;
}

static void test_plugin_find(void **state)
{
	struct fixture *fx = *state;
	char buf[PATH_MAX], want[PATH_MAX];
	struct nr_error err = { 0 };

	assert_int_equal(cni_plugin_find("ok", fx->path, buf, sizeof(buf), &err), 0);
	snprintf(want, sizeof(want), "%s/ok", fx->dir);
	assert_string_equal(buf, want);

	assert_int_equal(cni_plugin_find("only2", fx->path, buf, sizeof(buf), &err), 0);
	snprintf(want, sizeof(want), "%s/only2", fx->dir2);
	assert_string_equal(buf, want);

	memset(&err, 0, sizeof(err));
	assert_int_equal(cni_plugin_find("nonexistent", fx->path, buf, sizeof(buf), &err), -ENOENT);
	assert_true(err.code != 0);
	assert_non_null(strstr(err.msg, "nonexistent"));

	memset(&err, 0, sizeof(err));
	assert_true(cni_plugin_find("noexec", fx->path, buf, sizeof(buf), &err) < 0);
	assert_true(err.code != 0);

	memset(&err, 0, sizeof(err));
	assert_true(cni_plugin_find("second/only2", fx->dir, buf, sizeof(buf), &err) < 0);
	assert_int_equal(err.code, CNI_ERR_INVALID_CONFIG);
	memset(&err, 0, sizeof(err));
	assert_true(cni_plugin_find("../bin/sh", fx->path, buf, sizeof(buf), &err) < 0);
	assert_int_equal(err.code, CNI_ERR_INVALID_CONFIG);
	memset(&err, 0, sizeof(err));
	assert_true(cni_plugin_find("", fx->path, buf, sizeof(buf), &err) < 0);
	assert_int_equal(err.code, CNI_ERR_INVALID_CONFIG);

	memset(&err, 0, sizeof(err));
	assert_true(cni_plugin_find("ok", "", buf, sizeof(buf), &err) < 0);
	assert_non_null(strstr(err.msg, "CNI_PATH"));
	assert_true(cni_plugin_find("ok", NULL, buf, sizeof(buf), &err) < 0);
}

static void test_exec_ok(void **state)
{
	struct fixture *fx = *state;
	struct cni_exec_req req = req_for(fx);
	struct nr_error err = { 0 };
	json_t *out = NULL;

	assert_int_equal(cni_exec_plugin("ok", &req, &out, &err), 0);
	assert_non_null(out);
	assert_string_equal(json_string_value(json_object_get(out, "cniVersion")), "1.1.0");
	assert_string_equal(json_string_value(json_object_get(out, "cmd")), "ADD");
	assert_string_equal(json_string_value(json_object_get(out, "cid")), "ctr42");
	assert_string_equal(json_string_value(json_object_get(out, "ifname")), "eth7");
	json_decref(out);

	/* The request's values replace any CNI_* of our own environment. */
	setenv("CNI_CONTAINERID", "leaked", 1);
	req.command = "DEL";
	out = NULL;
	assert_int_equal(cni_exec_plugin("ok", &req, &out, &err), 0);
	assert_string_equal(json_string_value(json_object_get(out, "cmd")), "DEL");
	assert_string_equal(json_string_value(json_object_get(out, "cid")), "ctr42");
	json_decref(out);
	unsetenv("CNI_CONTAINERID");

	/* Found in the second directory. */
	out = NULL;
	assert_int_equal(cni_exec_plugin("only2", &req, &out, &err), 0);
	assert_string_equal(json_string_value(json_object_get(out, "where")), "second");
	json_decref(out);
}

static void test_exec_error_object(void **state)
{
	struct fixture *fx = *state;
	struct cni_exec_req req = req_for(fx);
	struct nr_error err = { 0 };
	json_t *out = NULL;

	assert_true(cni_exec_plugin("fail", &req, &out, &err) < 0);
	assert_null(out);
	assert_int_equal(err.code, 7);
	assert_string_equal(err.msg, "bad");
	assert_string_equal(err.details, "d");
}

static void test_exec_garbage(void **state)
{
	struct fixture *fx = *state;
	struct cni_exec_req req = req_for(fx);
	struct nr_error err = { 0 };
	json_t *out = NULL;

	assert_true(cni_exec_plugin("garbage", &req, &out, &err) < 0);
	assert_null(out);
	assert_int_equal(err.code, CNI_ERR_INTERNAL);
	assert_non_null(strstr(err.msg, "3"));
	assert_non_null(strstr(err.details, "something exploded"));
}

static void test_exec_bad_json_on_success(void **state)
{
	struct fixture *fx = *state;
	struct cni_exec_req req = req_for(fx);
	struct nr_error err = { 0 };
	json_t *out = NULL;

	assert_true(cni_exec_plugin("badjson", &req, &out, &err) < 0);
	assert_null(out);
	assert_int_equal(err.code, CNI_ERR_DECODE);
	assert_non_null(strstr(err.msg, "badjson"));
}

static void test_exec_big_stdin(void **state)
{
	struct fixture *fx = *state;
	struct cni_exec_req req = req_for(fx);
	struct nr_error err = { 0 };
	size_t len = 1u << 20;
	char *buf = malloc(len);
	json_t *out = NULL;
	const char *got;

	assert_non_null(buf);
	for (size_t i = 0; i < len; i++)
		buf[i] = (char)('a' + i % 26);
	req.stdin_buf = buf;
	req.stdin_len = len;
	assert_int_equal(cni_exec_plugin("echo", &req, &out, &err), 0);
	assert_non_null(out);
	got = json_string_value(json_object_get(out, "stdin"));
	assert_non_null(got);
	assert_int_equal(json_string_length(json_object_get(out, "stdin")), len);
	assert_memory_equal(got, buf, len);
	json_decref(out);
	free(buf);
}

static long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_exec_timeout(void **state)
{
	struct fixture *fx = *state;
	struct cni_exec_req req = req_for(fx);
	struct nr_error err = { 0 };
	json_t *out = NULL;
	long t0, dt;

	req.timeout_ms = 300;
	t0 = mono_ms();
	assert_true(cni_exec_plugin("slow", &req, &out, &err) < 0);
	dt = mono_ms() - t0;
	assert_null(out);
	assert_true(dt >= 250);
	assert_true(dt < 2000);
	assert_int_equal(err.code, CNI_ERR_IO);
	assert_non_null(strstr(err.msg, "300 ms"));
}

static void test_exec_quiet(void **state)
{
	struct fixture *fx = *state;
	struct cni_exec_req req = req_for(fx);
	struct nr_error err = { 0 };
	json_t *out = (json_t *)&req; /* must be overwritten */

	req.command = "DEL";
	assert_int_equal(cni_exec_plugin("quiet", &req, &out, &err), 0);
	assert_null(out);

	/* A plugin that ignores a large stdin and exits must not hurt us (SIGPIPE). */
	{
		size_t len = 1u << 20;
		char *buf = calloc(1, len);
		assert_non_null(buf);
		memset(buf, ' ', len);
		req.stdin_buf = buf;
		req.stdin_len = len;
		out = (json_t *)&req;
		assert_int_equal(cni_exec_plugin("quiet", &req, &out, &err), 0);
		assert_null(out);
		free(buf);
	}
}

static void test_exec_blank_and_huge(void **state)
{
	struct fixture *fx = *state;
	struct cni_exec_req req = req_for(fx);
	struct nr_error err = { 0 };
	json_t *out = (json_t *)&req;

	/* White space only counts as printing nothing. */
	assert_int_equal(cni_exec_plugin("blank", &req, &out, &err), 0);
	assert_null(out);

	/* More output than the bound is refused, not parsed. */
	out = NULL;
	assert_true(cni_exec_plugin("huge", &req, &out, &err) < 0);
	assert_null(out);
	assert_int_equal(err.code, CNI_ERR_DECODE);
	assert_non_null(strstr(err.msg, "more than"));
}

/* We ignore SIGPIPE around the call; the plugin must start with the default. */
static void test_exec_sigpipe_default(void **state)
{
	struct fixture *fx = *state;
	struct cni_exec_req req = req_for(fx);
	struct nr_error err = { 0 };
	json_t *out = NULL;

	assert_int_equal(cni_exec_plugin("sigign", &req, &out, &err), 0);
	assert_non_null(out);
	const char *mask = json_string_value(json_object_get(out, "sigign"));
	assert_non_null(mask);
	assert_int_equal(strtoull(mask, NULL, 16) >> (SIGPIPE - 1) & 1, 0);
	json_decref(out);
}

static void test_exec_not_found(void **state)
{
	struct fixture *fx = *state;
	struct cni_exec_req req = req_for(fx);
	struct nr_error err = { 0 };
	json_t *out = NULL;

	assert_true(cni_exec_plugin("missing", &req, &out, &err) < 0);
	assert_null(out);
	assert_non_null(strstr(err.msg, "missing"));
	memset(&err, 0, sizeof(err));
	assert_true(cni_exec_plugin("a/b", &req, &out, &err) < 0);
	assert_int_equal(err.code, CNI_ERR_INVALID_CONFIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plugin_find),
		cmocka_unit_test(test_exec_ok),
		cmocka_unit_test(test_exec_error_object),
		cmocka_unit_test(test_exec_garbage),
		cmocka_unit_test(test_exec_bad_json_on_success),
		cmocka_unit_test(test_exec_big_stdin),
		cmocka_unit_test(test_exec_timeout),
		cmocka_unit_test(test_exec_quiet),
		cmocka_unit_test(test_exec_blank_and_huge),
		cmocka_unit_test(test_exec_not_found),
		cmocka_unit_test(test_exec_sigpipe_default),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
