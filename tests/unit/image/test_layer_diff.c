/* layer_diff (runtime/image/layer_diff.c): an upper against two lowers, the changes as
 * `docker diff` prints them.  Needs root for the whiteouts (mknod): skips without it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "image/layer.h"
#include "layer_fixture.h"

static int collect(enum layer_change kind, const char *path, void *arg)
{
	char *out = arg;
	size_t len = strlen(out);

	snprintf(out + len, 1024 - len, "%c %s\n", (char)kind, path);
	return 0;
}

static void mk(const char *rel)
{
	assert_int_equal(rt_mkdir_p(lf_path(rel), 0755), 0);
}

static void test_diff(void **state)
{
	struct nr_error err = { 0 };
	char out[1024] = "";
	char l1[512], l2[512];
	const char *lowers[2] = { l1, l2 };

	(void)state;
	if (geteuid() != 0)
		skip();
	snprintf(l1, sizeof(l1), "%s", lf_path("l1"));
	snprintf(l2, sizeof(l2), "%s", lf_path("l2"));
	mk("l2/etc");
	mk("l2/var/old");
	mk("l1/etc");
	mk("up/etc");
	mk("up/var/old");
	mk("up/new");
	lf_write("l2/etc/passwd", "a");
	lf_write("l2/etc/shadow", "a");
	lf_write("l2/var/old/y", "a");
	assert_int_equal(mknod(lf_path("l1/etc/shadow"), S_IFCHR, makedev(0, 0)), 0); /* deleted below */
	lf_write("up/etc/passwd", "b");
	lf_write("up/etc/shadow", "b");
	assert_int_equal(mknod(lf_path("up/etc/group"), S_IFCHR, makedev(0, 0)), 0);
	lf_write("up/new/f", "n");
	lf_write("up/var/old/y", "n");
	assert_int_equal(setxattr(lf_path("up/var/old"), "trusted.overlay.opaque", "y", 1, 0), 0);
	assert_int_equal(layer_diff(lf_path("up"), lowers, 2, collect, out, &err), 0);
	assert_string_equal(out, "C /etc\n"
				 "D /etc/group\n"
				 "C /etc/passwd\n"
				 "A /etc/shadow\n"
				 "A /new\n"
				 "A /new/f\n"
				 "C /var\n"
				 "C /var/old\n"
				 "A /var/old/y\n");
}

static int stop(enum layer_change kind, const char *path, void *arg)
{
	(void)kind;
	(void)path;
	(void)arg;
	return -EINTR;
}

static void test_callback_error(void **state)
{
	struct nr_error err = { 0 };

	(void)state;
	mk("up/a");
	assert_int_equal(layer_diff(lf_path("up"), NULL, 0, stop, NULL, &err), -EINTR);
}

#define T(f) cmocka_unit_test_setup_teardown(f, lf_setup, lf_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_diff),
		T(test_callback_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
