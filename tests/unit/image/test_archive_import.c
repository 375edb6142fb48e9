/* img_archive_import: a root file system tar (plain, gzip) as a one-layer image, the blob
 * stored as given with the media type its bytes say, changes applied, created_by
 * "import"; an empty input, xz, a bad name and a tar the unpacker refuses leave the
 * store as it was.  In a temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive_fixture.h"
#include "engine/rt_error.h"
#include "fixture.h"
#include "image/manifest.h"

static char dir[] = "/tmp/nr-archive-import.XXXXXX";
static struct img_store *st;

static int setup(void **state)
{
	return fx_store_open(dir, "/tmp/nr-archive-import.XXXXXX", &st);
}

static int teardown(void **state)
{
	img_store_close(st);
	fixture_rm_tree(dir);
	return 0;
}

static int import(const struct fx_buf *b, const char *ref, const char *const *changes, img_digest id,
		  struct nr_error *err)
{
	int fd = fx_fd(dir, b);
	int r = img_archive_import(st, fd, ref, changes, NULL, id, err);

	close(fd);
	return r;
}

static void test_plain_with_changes(void **state)
{
	struct fx_buf b = fx_layer("etc/hello", "imported\n", 0);
	const char *changes[] = { "CMD [\"sh\"]", "ENV A=b", NULL };
	struct nr_error err = { 0 };
	struct img_image *im = NULL;
	img_digest id, blob;

	if (import(&b, "imp:1", changes, id, &err) < 0)
		fail_msg("import: %s", err.msg);
	assert_int_equal(img_image_find(st, "imp:1", &im, &err), 0);
	assert_string_equal(im->id, id);
	assert_int_equal(im->n_layers, 1);
	fx_digest(&b, blob);
	assert_string_equal(im->layers[0].blob, blob);
	assert_string_equal(im->layers[0].diff_id, blob);
	assert_string_equal(im->layers[0].media_type, IMG_MT_OCI_LAYER);
	assert_string_equal(fx_layer_file(st, im->layers[0].chain_id, "etc/hello"), "imported\n");
	char *text = json_dumps(im->config, JSON_COMPACT);
	assert_non_null(strstr(text, "\"Cmd\":[\"sh\"]"));
	assert_non_null(strstr(text, "A=b"));
	assert_non_null(strstr(text, "\"created_by\":\"import\""));
	free(text);
	img_image_free(im);
	free(b.p);
}

static void test_gzip_unnamed(void **state)
{
	struct fx_buf b = fx_layer("x", "gz\n", 1), plain = fx_layer("x", "gz\n", 0);
	struct nr_error err = { 0 };
	struct img_image *im = NULL;
	img_digest id, blob, diff;

	if (import(&b, NULL, NULL, id, &err) < 0)
		fail_msg("import: %s", err.msg);
	assert_int_equal(img_image_find(st, id, &im, &err), 0);
	fx_digest(&b, blob);
	fx_digest(&plain, diff);
	assert_string_equal(im->layers[0].blob, blob);
	assert_string_equal(im->layers[0].diff_id, diff);
	assert_string_equal(im->layers[0].media_type, IMG_MT_OCI_LAYER_GZIP);
	assert_null(im->tags ? im->tags[0] : NULL);
	img_image_free(im);
	free(b.p);
	free(plain.p);
}

static void refused(const struct fx_buf *b, const char *ref, const char *want)
{
	struct nr_error err = { 0 };
	img_digest id;
	char *before = fx_listing(st), *after;

	assert_true(import(b, ref, NULL, id, &err) < 0);
	if (!strstr(err.msg, want))
		fprintf(stderr, "msg=%s (wanted %s)\n", err.msg, want);
	assert_non_null(strstr(err.msg, want));
	after = fx_listing(st);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

static void test_refusals(void **state)
{
	struct fx_buf empty = { .p = NULL, .len = 0 };
	struct fx_buf xz = { .p = (char *)"\xfd"
					  "7zXZ\0rest of it",
			     .len = 16 };
	struct fx_buf ok = fx_layer("a", "a", 0);
	struct fx_entry evil_e[] = { { "../escape", "x", 1, NULL, NULL } };
	struct fx_buf evil = fx_tar(evil_e, 1, 0);

	refused(&empty, NULL, "empty");
	refused(&xz, NULL, "xz");
	refused(&ok, "Bad Name!", "Bad Name!");
	refused(&evil, "evil:1", "import");
	free(ok.p);
	free(evil.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_plain_with_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gzip_unnamed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
