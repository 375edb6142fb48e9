/* layer_unpack (runtime/image/layer_unpack.c): tars built in memory, unpacked into a
 * scratch directory.  Escapes are refused naming the entry and leave the canary beside
 * the layer alone; whiteouts become overlay's; the diff_id is the tar's sha256.
 * Whiteouts and owners need root: those tests skip without it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "engine/rt_error.h"
#include "image/layer.h"
#include "layer_fixture.h"

#define N(v) (sizeof(v) / sizeof(*(v)))

/* Unpack into lf_dir/layer; the canary lf_dir/canary must stay "canary". */
static int unpack(const struct lf_entry *v, size_t n, struct nr_error *err, img_digest ret)
{
	char buf[16] = "";
	int fd = lf_tar(v, n), r, cfd;
	long long size;

	lf_write("canary", "canary");
	assert_int_equal(mkdir(lf_path("layer"), 0755), 0);
	r = layer_unpack(fd, lf_path("layer"), ret, &size, err);
	close(fd);
	cfd = open(lf_path("canary"), O_RDONLY);
	assert_true(cfd >= 0);
	assert_true(read(cfd, buf, sizeof(buf) - 1) >= 0);
	close(cfd);
	assert_string_equal(buf, "canary");
	return r;
}

static void assert_refused(const struct lf_entry *v, size_t n, const char *entry)
{
	struct nr_error err = { 0 };
	char want[256];

	assert_true(unpack(v, n, &err, NULL) < 0);
	assert_int_equal(err.code, RT_ERR_CORRUPT);
	snprintf(want, sizeof(want), "\"%s\"", entry);
	if (!strstr(err.msg, want))
		fail_msg("message \"%s\" does not name %s", err.msg, want);
}

static void test_dotdot(void **state)
{
	static const struct lf_entry v[] = { { 'f', "../canary", "pwn" } };

	(void)state;
	assert_refused(v, N(v), "../canary");
}

static void test_nested_dotdot(void **state)
{
	static const struct lf_entry v[] = { { 'd', "a", "" }, { 'f', "a/../../canary", "pwn" } };

	(void)state;
	assert_refused(v, N(v), "a/../../canary");
}

static void test_absolute(void **state)
{
	struct lf_entry v[] = { { 'f', lf_path("canary"), "pwn" } };

	(void)state;
	assert_refused(v, N(v), v[0].name);
}

static void test_symlink_escape(void **state)
{
	static const struct lf_entry v[] = { { 'l', "l", ".." }, { 'f', "l/canary", "pwn" } };

	(void)state;
	assert_refused(v, N(v), "l/canary");
}

static void test_hardlink_escape(void **state)
{
	static const struct lf_entry v[] = { { 'h', "h", "../canary" } };

	(void)state;
	assert_refused(v, N(v), "h");
}

static void test_hardlink_through_symlink(void **state)
{
	static const struct lf_entry v[] = { { 'l', "l", ".." }, { 'h', "h", "l/canary" } };

	(void)state;
	assert_refused(v, N(v), "h");
}

static void test_whiteout_through_symlink(void **state)
{
	static const struct lf_entry v[] = { { 'l', "l", ".." }, { 'f', "l/.wh.canary", "" } };

	(void)state;
	assert_refused(v, N(v), "l/.wh.canary");
}

/* A plain layer: files, links; the diff_id is the sha256 of the tar, padding included. */
static void test_plain(void **state)
{
	static const struct lf_entry v[] = { { 'd', "./etc", "" },
					     { 'f', "etc/hosts", "127.0.0.1 localhost\n" },
					     { 'l', "etc/l", "/etc/hosts" },
					     { 'h', "etc/h", "etc/hosts" } };
	struct nr_error err = { 0 };
	img_digest id, want;
	struct stat a, b;
	int fd;

	(void)state;
	assert_int_equal(unpack(v, N(v), &err, id), 0);
	fd = lf_tar(v, N(v));
	assert_int_equal(img_digest_file(fd, want), 0);
	close(fd);
	assert_string_equal(id, want);
	assert_int_equal(lstat(lf_path("layer/etc/hosts"), &a), 0);
	assert_int_equal(lstat(lf_path("layer/etc/h"), &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(lstat(lf_path("layer/etc/l"), &a), 0);
	assert_true(S_ISLNK(a.st_mode));
}

static void test_whiteouts(void **state)
{
	static const struct lf_entry v[] = {
		{ 'd', "d", "" }, { 'f', "d/.wh.gone", "" }, { 'f', "o/.wh..wh..opq", "" }, { 'f', ".wh..wh.plnk", "" }
	};
	struct nr_error err = { 0 };
	char val[4];
	struct stat st;

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(unpack(v, N(v), &err, NULL), 0);
	assert_int_equal(lstat(lf_path("layer/d/gone"), &st), 0);
	assert_true(S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0));
	assert_int_equal(lstat(lf_path("layer/d/.wh.gone"), &st), -1);
	assert_int_equal(getxattr(lf_path("layer/o"), "trusted.overlay.opaque", val, sizeof(val)), 1);
	assert_int_equal(getxattr(lf_path("layer/o"), "user.overlay.opaque", val, sizeof(val)), 1);
	assert_int_equal(val[0], 'y');
	assert_int_equal(lstat(lf_path("layer/o/.wh..wh..opq"), &st), -1);
	assert_int_equal(lstat(lf_path("layer/.wh..wh.plnk"), &st), -1);
}

static void test_not_tar(void **state)
{
	struct nr_error err = { 0 };
	int fd = memfd_create("junk", MFD_CLOEXEC);

	(void)state;
	assert_int_equal(write(fd, "this is not a tar archive, not at all\n", 38), 38);
	lseek(fd, 0, SEEK_SET);
	assert_int_equal(mkdir(lf_path("layer"), 0755), 0);
	assert_true(layer_unpack(fd, lf_path("layer"), NULL, NULL, &err) < 0);
	assert_int_equal(err.code, RT_ERR_CORRUPT);
	close(fd);
}

/* A file of zeros with one byte of data, in a plain (not sparse-format) tar, as Go's
 * archive/tar writes them: the zero blocks become holes, the bytes are all there, and
 * with ret_diff_id NULL (a caller that knows it) the unpack is the same. */
static void test_zero_runs_become_holes(void **state)
{
	const size_t len = (2u << 20) + 1 + (64u << 10);
	char *data = calloc(1, len), *back = malloc(len);
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	struct nr_error err = { 0 };
	int fd = memfd_create("tar", MFD_CLOEXEC), in;
	struct stat st;

	(void)state;
	assert_non_null(data);
	assert_non_null(back);
	data[2u << 20] = 'x';
	assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_fd(a, fd), ARCHIVE_OK);
	archive_entry_copy_pathname(e, "z");
	archive_entry_set_perm(e, 0644);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_size(e, (la_int64_t)len);
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	assert_true(archive_write_data(a, data, len) == (la_ssize_t)len);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	archive_entry_free(e);
	lseek(fd, 0, SEEK_SET);
	assert_int_equal(mkdir(lf_path("layer"), 0755), 0);
	assert_int_equal(layer_unpack(fd, lf_path("layer"), NULL, NULL, &err), 0);
	close(fd);
	assert_int_equal(stat(lf_path("layer/z"), &st), 0);
	assert_int_equal(st.st_size, (off_t)len);
	assert_true(st.st_blocks * 512 < (64 << 10)); /* the 2 MiB and 64 KiB of zeros: holes */
	in = open(lf_path("layer/z"), O_RDONLY);
	assert_true(in >= 0);
	assert_true(read(in, back, len) == (ssize_t)len);
	close(in);
	assert_memory_equal(back, data, len);
	free(data);
	free(back);
}

#define T(f) cmocka_unit_test_setup_teardown(f, lf_setup, lf_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_dotdot),
		T(test_nested_dotdot),
		T(test_absolute),
		T(test_symlink_escape),
		T(test_hardlink_escape),
		T(test_hardlink_through_symlink),
		T(test_whiteout_through_symlink),
		T(test_plain),
		T(test_whiteouts),
		T(test_not_tar),
		T(test_zero_runs_become_holes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
