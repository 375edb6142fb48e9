/* layer_pack (runtime/image/layer_pack.c), and back through layer_unpack: an upper with
 * both whiteout kinds, a hard link, a symbolic link, a user xattr and overlay's own
 * xattrs is packed, unpacked and packed again: the same digest, the same tree (overlay's
 * bookkeeping left out).  Needs root (whiteouts, trusted.* xattrs): skips without it. */
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

static void make_upper(void)
{
	assert_int_equal(mkdir(lf_path("upper"), 0755), 0);
	assert_int_equal(mkdir(lf_path("upper/etc"), 0755), 0);
	assert_int_equal(mkdir(lf_path("upper/opq"), 0700), 0);
	lf_write("upper/etc/f", "hello\n");
	lf_write("upper/opq/x", "x\n");
	assert_int_equal(link(lf_path("upper/etc/f"), lf_path("upper/etc/hard")), 0);
	assert_int_equal(symlink("/etc/f", lf_path("upper/etc/sym")), 0);
	assert_int_equal(mknod(lf_path("upper/etc/gone"), S_IFCHR | 0000, makedev(0, 0)), 0);
	assert_int_equal(chown(lf_path("upper/etc/f"), 100005, 100006), 0);
	assert_int_equal(setxattr(lf_path("upper/etc/f"), "user.k", "v", 1, 0), 0);
	assert_int_equal(setxattr(lf_path("upper/etc/f"), "trusted.overlay.origin", "o", 1, 0), 0);
	assert_int_equal(setxattr(lf_path("upper/opq"), "trusted.overlay.opaque", "y", 1, 0), 0);
}

static int pack_to(const char *upper, const char *file, unsigned long shift, img_digest ret)
{
	struct nr_error err = { 0 };
	int fd = open(lf_path(file), O_RDWR | O_CREAT | O_TRUNC, 0644), r;
	long long size;

	assert_true(fd >= 0);
	r = layer_pack(lf_path(upper), fd, shift, ret, &size, &err);
	if (r < 0)
		fail_msg("pack: %s", err.msg);
	close(fd);
	return r;
}

static void test_round_trip(void **state)
{
	struct nr_error err = { 0 };
	img_digest d1, d2, id, file;
	long long size;
	struct stat st, st2;
	char val[8];
	int fd;

	(void)state;
	if (geteuid() != 0)
		skip();
	make_upper();
	pack_to("upper", "l1.tar", 100000, d1);
	fd = open(lf_path("l1.tar"), O_RDONLY);
	assert_int_equal(img_digest_file(fd, file), 0);
	assert_string_equal(d1, file);
	lseek(fd, 0, SEEK_SET);
	assert_int_equal(mkdir(lf_path("layer"), 0755), 0);
	if (layer_unpack(fd, lf_path("layer"), id, &size, &err) < 0)
		fail_msg("unpack: %s", err.msg);
	close(fd);
	assert_string_equal(id, d1);
	assert_int_equal(size, 8); /* "hello\n" and "x\n" */

	assert_int_equal(lstat(lf_path("layer/etc/f"), &st), 0);
	assert_int_equal(st.st_uid, 5); /* shifted down */
	assert_int_equal(st.st_gid, 6);
	assert_int_equal(lstat(lf_path("layer/etc/hard"), &st2), 0);
	assert_int_equal(st.st_ino, st2.st_ino);
	assert_int_equal(getxattr(lf_path("layer/etc/f"), "user.k", val, sizeof(val)), 1);
	assert_int_equal(getxattr(lf_path("layer/etc/f"), "trusted.overlay.origin", val, sizeof(val)), -1);
	assert_int_equal(lstat(lf_path("layer/etc/gone"), &st), 0);
	assert_true(S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0));
	assert_int_equal(getxattr(lf_path("layer/opq"), "trusted.overlay.opaque", val, sizeof(val)), 1);
	assert_int_equal(lstat(lf_path("layer/opq"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(lstat(lf_path("layer/opq/.wh..wh..opq"), &st), -1);

	/* The unpacked layer (ids already shifted) packs to the same bytes. */
	assert_int_equal(removexattr(lf_path("layer/opq"), "user.overlay.opaque"), 0);
	pack_to("layer", "l2.tar", 0, d2);
	assert_string_equal(d1, d2);
}

static void test_deterministic(void **state)
{
	img_digest d1, d2;

	(void)state;
	assert_int_equal(mkdir(lf_path("upper"), 0755), 0);
	for (int i = 0; i < 50; i++) {
		char name[32];

		snprintf(name, sizeof(name), "upper/f%02d", (i * 37) % 50);
		lf_write(name, name);
	}
	pack_to("upper", "a.tar", 0, d1);
	/* Reading the files changes their atime, never the tar. */
	pack_to("upper", "b.tar", 0, d2);
	assert_string_equal(d1, d2);
}

#define T(f) cmocka_unit_test_setup_teardown(f, lf_setup, lf_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_round_trip),
		T(test_deterministic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
