/* img_archive_save: the Docker 25 layout (what docker and podman load) and the OCI one,
 * entries sorted and bytes the same on every save, names as docker writes them, a round
 * trip into a second store, and `--since` (diff-only) with its refusal where the base
 * is missing.  Two stores in a temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive_fixture.h"
#include "engine/rt_error.h"
#include "fixture.h"
#include "image/manifest.h"

static char dir[] = "/tmp/nr-archive-save.XXXXXX";
static struct img_store *st, *st2;
static struct fx_image base, app;

static struct img_store *open_store(const char *name)
{
	struct nr_error err = { 0 };
	struct img_store *s = NULL;
	char sd[600];

	snprintf(sd, sizeof(sd), "%s/%s", dir, name);
	mkdir(sd, 0700);
	if (img_store_open(sd, IMG_LOCK_EXCLUSIVE, &s, &err) < 0)
		fail_msg("open: %s", err.msg);
	return s;
}

static void load_ok(struct img_store *s, const struct fx_buf *b)
{
	struct nr_error err = { 0 };
	struct img_loaded l = { 0 };

	if (fx_load(s, dir, b, &l, &err) < 0)
		fail_msg("load: %s", err.msg);
	img_loaded_free(&l);
}

/* base:1 has one layer; app:1 has base's layer and one more. */
static int setup(void **state)
{
	static const int gz[] = { 0, 1 };

	strcpy(dir, "/tmp/nr-archive-save.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	st = open_store("one");
	st2 = open_store("two");
	fx_image_make(&base, 1, NULL, "base");
	fx_image_make(&app, 2, gz, "base"); /* layer 0 the same bytes as base's */
	assert_string_equal(app.diff[0], base.diff[0]);
	struct fx_buf b1 = fx_docker25(&base, "base:1", "");
	struct fx_buf b2 = fx_docker25(&app, "app:1", "");
	load_ok(st, &b1);
	load_ok(st, &b2);
	free(b1.p);
	free(b2.p);
	return 0;
}

static int teardown(void **state)
{
	img_store_close(st);
	img_store_close(st2);
	fx_image_free(&base);
	fx_image_free(&app);
	fixture_rm_tree(dir);
	return 0;
}

/* Save into a buffer. */
static int save(const char *const *what, size_t n, enum img_archive_format f, const char *since, struct fx_buf *ret,
		struct nr_error *err)
{
	char path[600];
	FILE *fp;
	int fd, r;

	snprintf(path, sizeof(path), "%s/out.tar", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	r = img_archive_save(st, what, n, f, since, fd, err);
	close(fd);
	fp = fopen(path, "r");
	fseek(fp, 0, SEEK_END);
	ret->len = ftell(fp);
	rewind(fp);
	ret->p = malloc(ret->len + 1);
	assert_int_equal(fread(ret->p, 1, ret->len, fp), ret->len);
	fclose(fp);
	return r;
}

/* The archive's entry names, one a line, and the content of one of them. */
static char *entries(const struct fx_buf *b, const char *want, char **ret_content)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	char *names = calloc(1, 1);

	archive_read_support_format_tar(a);
	assert_int_equal(archive_read_open_memory(a, b->p, b->len), ARCHIVE_OK);
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		const char *n = archive_entry_pathname(e);

		names = realloc(names, strlen(names) + strlen(n) + 2);
		strcat(strcat(names, n), "\n");
		assert_int_equal(archive_entry_mtime(e), 0);
		if (want && ret_content && strcmp(n, want) == 0) {
			size_t len = archive_entry_size(e);

			*ret_content = calloc(1, len + 1);
			assert_int_equal(archive_read_data(a, *ret_content, len), (la_ssize_t)len);
		}
	}
	archive_read_free(a);
	return names;
}

static void test_docker_layout(void **state)
{
	const char *what[] = { "app:1" };
	struct nr_error err = { 0 };
	struct fx_buf b, again;
	char *mj = NULL, *ix = NULL, *names;
	struct img_docker_manifest m = { 0 };
	struct img_oci_index oi = { 0 };

	assert_int_equal(save(what, 1, IMG_ARCHIVE_DOCKER, NULL, &b, &err), 0);
	names = entries(&b, "manifest.json", &mj);
	free(entries(&b, "index.json", &ix));
	/* blobs/, config, two layers, one manifest; then the four files, sorted. */
	char *p = names;
	const char *order[] = { "blobs/\n",        "blobs/sha256/\n", "blobs/sha256/", "index.json\n",
				"manifest.json\n", "oci-layout\n",    "repositories\n" };
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		p = strstr(p, order[i]);
		assert_non_null(p);
		p += strlen(order[i]);
	}
	assert_int_equal(img_docker_manifest_parse(mj, strlen(mj), &m, &err), 0);
	assert_int_equal(m.n, 1);
	assert_int_equal(m.entries[0].n_tags, 1);
	assert_string_equal(m.entries[0].repo_tags[0], "app:1");
	assert_int_equal(m.entries[0].n_layers, 2);
	assert_string_equal(m.entries[0].layers[1], fx_blob_name(app.blob[1]));
	assert_string_equal(m.entries[0].config, fx_blob_name(app.config_digest));
	assert_int_equal(img_oci_index_parse(ix, strlen(ix), &oi, &err), 0);
	assert_int_equal(oi.n, 1);
	assert_string_equal(oi.manifests[0].image_name, "docker.io/library/app:1");
	assert_string_equal(oi.manifests[0].ref_name, "1");
	/* Deterministic: the same bytes again. */
	assert_int_equal(save(what, 1, IMG_ARCHIVE_DOCKER, NULL, &again, &err), 0);
	assert_int_equal(again.len, b.len);
	assert_memory_equal(again.p, b.p, b.len);
	/* And it loads: the same image in another store. */
	struct img_loaded l = { 0 };
	assert_int_equal(fx_load(st2, dir, &b, &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.refs[0], "docker.io/library/app:1");
	assert_string_equal(l.ids[0], app.config_digest);
	img_loaded_free(&l);
	img_docker_manifest_clear(&m);
	img_oci_index_clear(&oi);
	free(names);
	free(mj);
	free(ix);
	free(b.p);
	free(again.p);
}

static void test_oci_layout(void **state)
{
	const char *what[] = { "app:1", "base:1" };
	struct nr_error err = { 0 };
	struct fx_buf b;
	char *names;
	struct img_loaded l = { 0 };

	assert_int_equal(save(what, 2, IMG_ARCHIVE_OCI, NULL, &b, &err), 0);
	names = entries(&b, NULL, NULL);
	assert_null(strstr(names, "manifest.json"));
	assert_null(strstr(names, "repositories"));
	assert_non_null(strstr(names, "oci-layout\n"));
	assert_int_equal(fx_load(st2, dir, &b, &l, &err), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.refs[0], "docker.io/library/app:1");
	assert_string_equal(l.refs[1], "docker.io/library/base:1");
	img_loaded_free(&l);
	free(names);
	free(b.p);
}

static void test_by_id_unnamed(void **state)
{
	const char *what[] = { app.config_digest };
	struct nr_error err = { 0 };
	struct fx_buf b;
	char *mj = NULL;
	struct img_loaded l = { 0 };

	assert_int_equal(save(what, 1, IMG_ARCHIVE_DOCKER, NULL, &b, &err), 0);
	free(entries(&b, "manifest.json", &mj));
	assert_non_null(strstr(mj, "\"RepoTags\":null"));
	assert_int_equal(fx_load(st2, dir, &b, &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_null(l.refs[0]);
	img_loaded_free(&l);
	free(mj);
	free(b.p);
}

static void test_since(void **state)
{
	const char *what[] = { "app:1" }, *bwhat[] = { "base:1" };
	struct nr_error err = { 0 };
	struct fx_buf diff, full;
	char *names, *mj = NULL;
	struct img_loaded l = { 0 };

	assert_int_equal(save(what, 1, IMG_ARCHIVE_DOCKER, "base:1", &diff, &err), 0);
	names = entries(&diff, "manifest.json", &mj);
	assert_null(strstr(names, img_digest_hex(app.blob[0])));
	assert_non_null(strstr(names, img_digest_hex(app.blob[1])));
	assert_non_null(strstr(mj, "\"netns-run.since\":{\"ref\":\"base:1\",\"id\":\""));
	/* Where base is missing: refused, naming it; nothing kept. */
	char *before = fx_listing(st2);
	assert_true(fx_load(st2, dir, &diff, &l, &err) < 0);
	assert_non_null(strstr(err.msg, "saved with --since base:1 (sha256:"));
	assert_non_null(strstr(err.msg, "load base:1 first"));
	char *after = fx_listing(st2);
	assert_string_equal(before, after);
	/* With base loaded first, it loads. */
	assert_int_equal(save(bwhat, 1, IMG_ARCHIVE_DOCKER, NULL, &full, &err), 0);
	assert_int_equal(fx_load(st2, dir, &full, &l, &err), 0);
	img_loaded_free(&l);
	assert_int_equal(fx_load(st2, dir, &diff, &l, &err), 0);
	assert_string_equal(l.refs[0], "docker.io/library/app:1");
	img_loaded_free(&l);
	struct img_image *got = NULL;
	assert_int_equal(img_image_find(st2, "app:1", &got, &err), 0);
	assert_int_equal(got->n_layers, 2);
	img_image_free(got);
	free(before);
	free(after);
	free(names);
	free(mj);
	free(diff.p);
	free(full.p);
}

static void test_oci_since(void **state)
{
	const char *what[] = { "app:1" };
	struct nr_error err = { 0 };
	struct fx_buf diff;
	char *ix = NULL;
	struct img_loaded l = { 0 };

	assert_int_equal(save(what, 1, IMG_ARCHIVE_OCI, base.config_digest, &diff, &err), 0);
	free(entries(&diff, "index.json", &ix));
	assert_non_null(strstr(ix, "\"io.netns-run.since\":\"base:1@sha256:"));
	assert_true(fx_load(st2, dir, &diff, &l, &err) < 0);
	assert_non_null(strstr(err.msg, "load base:1 first"));
	free(ix);
	free(diff.p);
}

static void test_unknown(void **state)
{
	const char *what[] = { "nope:1" };
	struct nr_error err = { 0 };
	struct fx_buf b;

	assert_true(save(what, 1, IMG_ARCHIVE_DOCKER, NULL, &b, &err) < 0);
	assert_int_equal(err.code, RT_ERR_NOT_FOUND);
	free(b.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_docker_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oci_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_by_id_unnamed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_since, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oci_since, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
