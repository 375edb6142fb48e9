/* Entry names of a layer tar (runtime/image/layer_path.c): cleaned to a relative path,
 * refused when absolute or with a ".." component; directories opened without following
 * symbolic links.  In a temporary directory; no privileges needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/rt.h"
#include "image/layer_internal.h"

static void assert_clean(const char *name, const char *want)
{
	char *got = NULL;

	assert_int_equal(layer_path_clean(name, &got), 0);
	assert_string_equal(got, want);
	free(got);
}

static void assert_refused(const char *name)
{
	char *got = NULL;

	assert_int_equal(layer_path_clean(name, &got), -EINVAL);
	assert_null(got);
}

static void test_clean(void **state)
{
	(void)state;
	assert_clean("a/b", "a/b");
	assert_clean("./a//b/", "a/b");
	assert_clean("./", "");
	assert_clean(".", "");
	assert_clean("", "");
	assert_clean("a/./b/.", "a/b");
	assert_clean("..a/b..", "..a/b..");
	assert_clean(".wh..wh..opq", ".wh..wh..opq");
}

static void test_refused(void **state)
{
	(void)state;
	assert_refused("/etc/passwd");
	assert_refused("//x");
	assert_refused("..");
	assert_refused("../x");
	assert_refused("a/../../x");
	assert_refused("a/..");
	assert_refused("./../x");
	assert_refused(NULL);
}

static void test_split(void **state)
{
	char buf[32];
	const char *dir, *base;

	(void)state;
	layer_path_split("a/b/c", buf, &dir, &base);
	assert_string_equal(dir, "a/b");
	assert_string_equal(base, "c");
	layer_path_split("c", buf, &dir, &base);
	assert_string_equal(dir, "");
	assert_string_equal(base, "c");
}

static char dir[] = "/tmp/nr-layer-path.XXXXXX";

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/nr-layer-path.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rt_rm_rf(dir) < 0 ? -1 : 0;
}

/* A symbolic link on the way is never followed, even to a directory inside the layer. */
static void test_dir_open(void **state)
{
	char path[256];
	int root, fd;
	struct stat st;

	(void)state;
	root = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(root >= 0);
	fd = layer_dir_open(root, "a/b", true);
	assert_true(fd >= 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/a/b", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	snprintf(path, sizeof(path), "%s/l", dir);
	assert_int_equal(symlink("a", path), 0);
	/* O_DIRECTORY|O_NOFOLLOW on a link: ENOTDIR (ELOOP without O_DIRECTORY). */
	fd = layer_dir_open(root, "l/b", true);
	assert_true(fd == -ENOTDIR || fd == -ELOOP);
	fd = layer_dir_open(root, "l", false);
	assert_true(fd == -ENOTDIR || fd == -ELOOP);
	assert_int_equal(layer_dir_open(root, "none", false), -ENOENT);
	close(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_split),
		cmocka_unit_test_setup_teardown(test_dir_open, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
