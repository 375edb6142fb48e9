/* cni_env_load and the CNI_* validation rules (SPEC.md 1.1, section 2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cni/cni_env.h"

static const char *const all_vars[] = { "CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME",
					"CNI_ARGS",    "CNI_PATH",        NULL };

static int reset_env(void **state)
{
	(void)state;
	for (const char *const *v = all_vars; *v; v++)
		unsetenv(*v);
	return 0;
}

static void set_full(const char *cmd)
{
	setenv("CNI_COMMAND", cmd, 1);
	setenv("CNI_CONTAINERID", "ctr1", 1);
	setenv("CNI_NETNS", "/var/run/netns/x", 1);
	setenv("CNI_IFNAME", "eth0", 1);
	setenv("CNI_PATH", "/opt/cni/bin", 1);
}

static void expect_env_error(const char *var)
{
	struct cni_env env;
	struct nr_error err = { 0 };

	assert_true(cni_env_load(&env, &err) < 0);
	assert_int_equal(err.code, CNI_ERR_INVALID_ENV);
	assert_non_null(strstr(err.msg, var));
}

static void expect_ok(enum cni_cmd want)
{
	struct cni_env env;
	struct nr_error err = { 0 };

	assert_int_equal(cni_env_load(&env, &err), 0);
	assert_int_equal(env.cmd, want);
}

/* For cmd, each variable in `required` must be needed; the others must not. */
static void check_required(const char *cmd, enum cni_cmd want, const char *const *required, const char *const *optional)
{
	set_full(cmd);
	expect_ok(want);
	for (const char *const *v = required; *v; v++) {
		reset_env(NULL);
		set_full(cmd);
		unsetenv(*v);
		expect_env_error(*v);
		/* An empty value counts as missing. */
		setenv(*v, "", 1);
		expect_env_error(*v);
	}
	for (const char *const *v = optional; *v; v++) {
		reset_env(NULL);
		set_full(cmd);
		unsetenv(*v);
		expect_ok(want);
	}
	/* Only CNI_COMMAND plus the required variables suffices. */
	reset_env(NULL);
	set_full(cmd);
	for (const char *const *v = optional; *v; v++)
		unsetenv(*v);
	expect_ok(want);
}

static void test_add_required(void **state)
{
	const char *const req[] = { "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", NULL };
	const char *const opt[] = { "CNI_PATH", NULL };
	check_required("ADD", CNI_CMD_ADD, req, opt);
}

static void test_del_required(void **state)
{
	const char *const req[] = { "CNI_CONTAINERID", "CNI_IFNAME", NULL };
	const char *const opt[] = { "CNI_NETNS", "CNI_PATH", NULL };
	check_required("DEL", CNI_CMD_DEL, req, opt);
}

static void test_check_required(void **state)
{
	const char *const req[] = { "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_PATH", NULL };
	const char *const opt[] = { NULL };
	check_required("CHECK", CNI_CMD_CHECK, req, opt);
}

static void test_status_required(void **state)
{
	const char *const req[] = { NULL };
	const char *const opt[] = { "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_PATH", NULL };
	check_required("STATUS", CNI_CMD_STATUS, req, opt);
}

static void test_gc_required(void **state)
{
	const char *const req[] = { "CNI_PATH", NULL };
	const char *const opt[] = { "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", NULL };
	check_required("GC", CNI_CMD_GC, req, opt);
}

static void test_version_required(void **state)
{
	const char *const req[] = { NULL };
	const char *const opt[] = { "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_PATH", NULL };
	check_required("VERSION", CNI_CMD_VERSION, req, opt);
}

static void test_env_values_borrowed(void **state)
{
	struct cni_env env;
	struct nr_error err = { 0 };

	set_full("ADD");
	setenv("CNI_ARGS", "K=V", 1);
	assert_int_equal(cni_env_load(&env, &err), 0);
	assert_string_equal(env.container_id, "ctr1");
	assert_string_equal(env.netns, "/var/run/netns/x");
	assert_string_equal(env.ifname, "eth0");
	assert_string_equal(env.args, "K=V");
	assert_string_equal(env.path, "/opt/cni/bin");
	unsetenv("CNI_ARGS");
	unsetenv("CNI_PATH");
	assert_int_equal(cni_env_load(&env, &err), 0);
	assert_null(env.args);
	assert_null(env.path);
}

static void test_command_missing_or_unknown(void **state)
{
	set_full("ADD");
	unsetenv("CNI_COMMAND");
	expect_env_error("CNI_COMMAND");
	setenv("CNI_COMMAND", "", 1);
	expect_env_error("CNI_COMMAND");
	setenv("CNI_COMMAND", "FROB", 1);
	expect_env_error("CNI_COMMAND");
	setenv("CNI_COMMAND", "add", 1); /* case matters */
	expect_env_error("CNI_COMMAND");
	setenv("CNI_COMMAND", "ADD ", 1);
	expect_env_error("CNI_COMMAND");
}

static void test_container_id_pattern(void **state)
{
	const char *good[] = { "abc", "a1_b.c-d", "0", "Z", "abc-", NULL };
	const char *bad[] = { "-x", "_x", ".x", "a b", "a/b", "a:b", "", NULL };

	for (const char **g = good; *g; g++)
		assert_true(cni_container_id_valid(*g));
	for (const char **b = bad; *b; b++)
		assert_false(cni_container_id_valid(*b));
	assert_false(cni_container_id_valid(NULL));

	set_full("ADD");
	setenv("CNI_CONTAINERID", "a1_b.c-d", 1);
	expect_ok(CNI_CMD_ADD);
	for (const char **b = bad; *b; b++) {
		if (!**b)
			continue; /* empty is "missing", covered above */
		setenv("CNI_CONTAINERID", *b, 1);
		expect_env_error("CNI_CONTAINERID");
	}
	/* Validated even where optional. */
	reset_env(NULL);
	setenv("CNI_COMMAND", "VERSION", 1);
	setenv("CNI_CONTAINERID", "-x", 1);
	expect_env_error("CNI_CONTAINERID");
}

static void test_ifname_rules(void **state)
{
	const char *bad[] = { "0123456789abcdef", ".", "..", "a/b", "eth:0", "a b", "a\tb", "a\nb", "", NULL };
	struct nr_error err = { 0 };

	assert_int_equal(cni_ifname_validate("0123456789abcde", &err), 0); /* 15 chars */
	assert_int_equal(cni_ifname_validate("eth0", &err), 0);
	assert_int_equal(cni_ifname_validate("...", &err), 0);
	assert_int_equal(cni_ifname_validate("a.b", &err), 0);
	for (const char **b = bad; *b; b++) {
		memset(&err, 0, sizeof(err));
		assert_true(cni_ifname_validate(*b, &err) < 0);
		assert_int_equal(err.code, CNI_ERR_INVALID_ENV);
		assert_non_null(strstr(err.msg, "CNI_IFNAME"));
	}
	assert_true(cni_ifname_validate(NULL, &err) < 0);

	set_full("ADD");
	setenv("CNI_IFNAME", "0123456789abcde", 1);
	expect_ok(CNI_CMD_ADD);
	for (const char **b = bad; *b; b++) {
		if (!**b)
			continue;
		setenv("CNI_IFNAME", *b, 1);
		expect_env_error("CNI_IFNAME");
	}
	/* Also validated for DEL and when optional (GC). */
	setenv("CNI_COMMAND", "DEL", 1);
	setenv("CNI_IFNAME", "a/b", 1);
	expect_env_error("CNI_IFNAME");
	setenv("CNI_COMMAND", "GC", 1);
	expect_env_error("CNI_IFNAME");
}

static void test_cmd_round_trip(void **state)
{
	const enum cni_cmd cmds[] = { CNI_CMD_ADD,    CNI_CMD_DEL, CNI_CMD_CHECK,
				      CNI_CMD_STATUS, CNI_CMD_GC,  CNI_CMD_VERSION };
	const char *names[] = { "ADD", "DEL", "CHECK", "STATUS", "GC", "VERSION" };

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		enum cni_cmd c = (enum cni_cmd) - 1;
		assert_string_equal(cni_cmd_name(cmds[i]), names[i]);
		assert_int_equal(cni_cmd_parse(names[i], &c), 0);
		assert_int_equal(c, cmds[i]);
		assert_int_equal(cni_cmd_parse(cni_cmd_name(c), &c), 0);
		assert_int_equal(c, cmds[i]);
	}
	enum cni_cmd c;
	assert_true(cni_cmd_parse("del", &c) < 0);
	assert_true(cni_cmd_parse("", &c) < 0);
	assert_true(cni_cmd_parse("?", &c) < 0);
	assert_string_equal(cni_cmd_name((enum cni_cmd)99), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_add_required, reset_env),
		cmocka_unit_test_setup(test_del_required, reset_env),
		cmocka_unit_test_setup(test_check_required, reset_env),
		cmocka_unit_test_setup(test_status_required, reset_env),
		cmocka_unit_test_setup(test_gc_required, reset_env),
		cmocka_unit_test_setup(test_version_required, reset_env),
		cmocka_unit_test_setup(test_env_values_borrowed, reset_env),
		cmocka_unit_test_setup(test_command_missing_or_unknown, reset_env),
		cmocka_unit_test_setup(test_container_id_pattern, reset_env),
		cmocka_unit_test_setup(test_ifname_rules, reset_env),
		cmocka_unit_test_setup(test_cmd_round_trip, reset_env),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
