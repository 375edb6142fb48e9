/* The freezer of the cgroup manager (runtime/engine/cgroup*.c), on directories standing
 * in for cgroupfs: v2's cgroup.freeze where the container's v2 cgroup has one (unified and
 * hybrid machines), else v1's freezer.state (legacy), else a clear refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fdio.h"
#include "engine/cgroup.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_cgroup_freeze.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void put(const char *file, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static const char *get(const char *file)
{
	static char buf[64];
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	assert_true(file_read_line(path, buf, sizeof(buf)) >= 0);
	return buf;
}

/* v2: "1" asked, then done when cgroup.events says frozen 1 (the kernel's part, written
 * here beforehand). */
static void test_v2(void **state)
{
	struct cgroup_set *cg = cgroup_set_new(CGROUP_LAYOUT_HYBRID);
	struct nr_error err = { 0 };

	(void)state;
	cgroup_set_put(cg, CGROUP_UNIFIED, dir);
	put("cgroup.freeze", "0\n");
	put("cgroup.events", "populated 1\nfrozen 1\n");
	assert_true(cgroup_frozen(cg));
	assert_false(cgroup_freeze_requested(cg));
	assert_int_equal(cgroup_freeze(cg, true, &err), 0);
	assert_string_equal(get("cgroup.freeze"), "1");
	assert_true(cgroup_freeze_requested(cg));
	put("cgroup.events", "populated 1\nfrozen 0\n");
	assert_int_equal(cgroup_freeze(cg, false, &err), 0);
	assert_string_equal(get("cgroup.freeze"), "0");
	assert_false(cgroup_frozen(cg));
	cgroup_set_free(cg);
}

/* v1 (legacy): freezer.state takes FROZEN / THAWED and reads back the state. */
static void test_v1(void **state)
{
	struct cgroup_set *cg = cgroup_set_new(CGROUP_LAYOUT_LEGACY);
	struct nr_error err = { 0 };

	(void)state;
	cgroup_set_put(cg, CGROUP_FREEZER, dir);
	put("freezer.state", "THAWED\n");
	assert_false(cgroup_frozen(cg));
	assert_false(cgroup_freeze_requested(cg));
	assert_int_equal(cgroup_freeze(cg, true, &err), 0);
	assert_string_equal(get("freezer.state"), "FROZEN");
	assert_true(cgroup_freeze_requested(cg));
	assert_true(cgroup_frozen(cg));
	assert_int_equal(cgroup_freeze(cg, false, &err), 0);
	assert_string_equal(get("freezer.state"), "THAWED");
	cgroup_set_free(cg);
}

/* No freezer: refused, saying so; a NULL set (no cgroups) too. */
static void test_none(void **state)
{
	struct cgroup_set *cg = cgroup_set_new(CGROUP_LAYOUT_HYBRID);
	struct nr_error err = { 0 };

	(void)state;
	cgroup_set_put(cg, CGROUP_MEMORY, dir);
	assert_true(cgroup_freeze(cg, true, &err) < 0);
	assert_non_null(strstr(err.msg, "no freezer cgroup"));
	assert_false(cgroup_frozen(cg));
	assert_true(cgroup_freeze(NULL, true, NULL) < 0);
	cgroup_set_free(cg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_v2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_none, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
