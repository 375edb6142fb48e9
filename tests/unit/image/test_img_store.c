/* The image store (runtime/image/store*.c, derive.c) in a temporary state directory:
 * its lock, blobs (verified, nothing left by a mismatch or an abort), layers (unpacked
 * once, shared), records and names (find as Docker, tag moves), removal of what only the
 * removed image used, gc (dead writers' scratch, unused content; a live writer's kept),
 * and commit/import.  Layer tars are made with layer_pack from small trees.  No
 * privileges needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/rt_error.h"
#include "fixture.h"
#include "image/derive.h"
#include "image/layer.h"
#include "image/store.h"
#include "image/store_int.h"

#define LAYER_TAR "application/vnd.oci.image.layer.v1.tar"

static char dir[64];
static char images[128];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/nr-img-store.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(images, sizeof(images), "%s/images", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fixture_rm_tree(dir);
	return 0;
}

static struct img_store *open_store(enum img_lock mode)
{
	struct img_store *st = NULL;
	struct nr_error err = { 0 };

	if (img_store_open(dir, mode, &st, &err) != 0)
		fail_msg("img_store_open: %s", err.msg);
	return st;
}

/* Entries under images/SUB, recursively, not counting directories or tmp's lock files. */
static int count_files(const char *sub)
{
	char path[512], cmd[600];
	FILE *p;
	int n = -1;

	snprintf(path, sizeof(path), "%s/%s", images, sub);
	snprintf(cmd, sizeof(cmd), "find '%s' ! -type d ! -name lock | wc -l", path);
	p = popen(cmd, "r");
	if (!p || fscanf(p, "%d", &n) != 1)
		n = -1;
	if (p)
		pclose(p);
	return n;
}

static void put(struct img_store *st, const char *text, img_digest ret)
{
	struct nr_error err = { 0 };

	if (img_blob_put(st, text, strlen(text), ret, &err) != 0)
		fail_msg("img_blob_put: %s", err.msg);
}

/* A layer tar holding the file NAME with CONTENT, stored as a blob. */
static void layer_blob(struct img_store *st, const char *name, const char *content, img_digest ret)
{
	char tree[128], path[256], tar[128];
	struct img_blob_writer *w = NULL;
	struct nr_error err = { 0 };
	img_digest packed;
	long long size;
	char buf[65536];
	ssize_t n;
	int fd;

	snprintf(tree, sizeof(tree), "%s/tree-XXXXXX", dir);
	assert_non_null(mkdtemp(tree));
	snprintf(path, sizeof(path), "%s/%s", tree, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	close(fd);
	snprintf(tar, sizeof(tar), "%s/tar-XXXXXX", dir);
	fd = mkstemp(tar);
	assert_true(fd >= 0);
	if (layer_pack(tree, fd, 0, packed, &size, &err) != 0)
		fail_msg("layer_pack: %s", err.msg);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(img_blob_begin(st, &w, &err), 0);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		assert_int_equal(img_blob_write(w, buf, (size_t)n, &err), 0);
	close(fd);
	/* layer_pack's digest is of what it wrote: the blob must have the same. */
	if (img_blob_commit(w, packed, ret, &err) != 0)
		fail_msg("img_blob_commit: %s", err.msg);
	unlink(tar);
	fixture_rm_tree(tree);
}

static void add_layer(struct img_store *st, const char *parent, const char *blob, struct img_layer *ret)
{
	struct nr_error err = { 0 };

	if (img_layer_add(st, parent, blob, LAYER_TAR, NULL, ret, &err) != 0)
		fail_msg("img_layer_add: %s", err.msg);
}

/* A config naming the layers' diff ids; extra is spliced into the object ("" or ",\"k\":…"). */
static void add_image(struct img_store *st, const struct img_layer *layers, size_t n, const char *extra, img_digest ret)
{
	char text[4096];
	size_t used;
	struct nr_error err = { 0 };

	used = (size_t)snprintf(text, sizeof(text), "{\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[");
	for (size_t i = 0; i < n; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used, "%s\"%s\"", i ? "," : "", layers[i].diff_id);
	snprintf(text + used, sizeof(text) - used, "]}%s}", extra);
	put(st, text, ret);
	if (img_image_add(st, ret, layers, n, NULL, &err) != 0)
		fail_msg("img_image_add: %s", err.msg);
}

static void assert_finds(struct img_store *st, const char *what, const char *id)
{
	struct img_image *im = NULL;
	struct nr_error err = { 0 };

	if (img_image_find(st, what, &im, &err) != 0)
		fail_msg("find %s: %s", what, err.msg);
	assert_string_equal(im->id, id);
	img_image_free(im);
}

static void assert_find_fails(struct img_store *st, const char *what, int kind, const char *msg)
{
	struct img_image *im = NULL;
	struct nr_error err = { 0 };

	if (img_image_find(st, what, &im, &err) >= 0)
		fail_msg("found %s", what);
	assert_null(im);
	assert_int_equal(err.code, kind);
	if (!strstr(err.msg, msg))
		fail_msg("find %s: \"%s\" lacks \"%s\"", what, err.msg, msg);
}

static void test_open_and_lock(void **state)
{
	struct img_store *st = open_store(IMG_LOCK_EXCLUSIVE);
	char path[256];
	struct stat sb;
	int fd;

	(void)state;
	assert_string_equal(img_store_root(st), images);
	for (const char *const *s = (const char *const[]){ "blobs/sha256", "layers", "images", "tmp", NULL }; *s; s++) {
		snprintf(path, sizeof(path), "%s/%s", images, *s);
		assert_int_equal(stat(path, &sb), 0);
	}
	/* Traversable where a --userns root must reach a layer, private elsewhere. */
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700); /* mkdtemp's, left alone */
	assert_int_equal(stat(images, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0711);
	snprintf(path, sizeof(path), "%s/layers", images);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0711);
	snprintf(path, sizeof(path), "%s/blobs", images);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	snprintf(path, sizeof(path), "%s/lock", images);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	/* A writer excludes readers ... */
	assert_int_equal(flock(fd, LOCK_SH | LOCK_NB), -1);
	assert_int_equal(errno, EWOULDBLOCK);
	img_store_close(st);
	/* ... readers share, and exclude writers. */
	st = open_store(IMG_LOCK_SHARED);
	assert_int_equal(flock(fd, LOCK_SH | LOCK_NB), 0);
	assert_int_equal(flock(fd, LOCK_UN), 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), -1);
	img_store_close(st);
	close(fd);
	/* Records change only under the exclusive lock. */
	st = open_store(IMG_LOCK_SHARED);
	struct nr_error err = { 0 };
	img_digest id;
	put(st, "{}", id);
	assert_int_equal(img_image_add(st, id, NULL, 0, NULL, &err), -EBADF);
	assert_int_equal(err.code, RT_ERR_USAGE);
	assert_int_equal(img_store_gc(st, NULL, &err), -EBADF);
	img_store_close(st);
	/* A state directory made here is traversable as the engine makes it (rt_mkdir_p). */
	snprintf(path, sizeof(path), "%s/new/state", dir);
	assert_int_equal(img_store_open(path, IMG_LOCK_SHARED, &st, &err), 0);
	img_store_close(st);
	assert_int_equal(stat(path, &sb), 0);
	mode_t um = umask(0);
	umask(um);
	assert_int_equal(sb.st_mode & 0777, 0755 & ~um);
}

static void test_blob_put_read(void **state)
{
	struct img_store *st = open_store(IMG_LOCK_EXCLUSIVE);
	img_digest d, want;
	char *buf = NULL;
	size_t len = 0;

	(void)state;
	put(st, "hello", d);
	img_digest_buf("hello", 5, want);
	assert_string_equal(d, want);
	assert_true(img_blob_has(st, d));
	assert_int_equal(img_blob_read(st, d, &buf, &len, NULL), 0);
	assert_int_equal(len, 5);
	assert_memory_equal(buf, "hello", 5);
	free(buf);
	put(st, "hello", d); /* again: the same blob, no second copy */
	assert_int_equal(count_files("blobs"), 1);
	assert_int_equal(count_files("tmp"), 0);
	img_store_close(st);
}

static void test_blob_mismatch_leaves_nothing(void **state)
{
	struct img_store *st = open_store(IMG_LOCK_EXCLUSIVE);
	struct img_blob_writer *w = NULL;
	struct nr_error err = { 0 };
	img_digest wrong, got;

	(void)state;
	img_digest_buf("other", 5, wrong);
	assert_int_equal(img_blob_begin(st, &w, &err), 0);
	assert_int_equal(img_blob_write(w, "hello", 5, &err), 0);
	assert_int_equal(img_blob_commit(w, wrong, got, &err), -EBADMSG);
	assert_int_equal(err.code, RT_ERR_CORRUPT);
	assert_non_null(strstr(err.msg, wrong));
	img_digest_buf("hello", 5, got);
	assert_false(img_blob_has(st, got));
	assert_false(img_blob_has(st, wrong));
	assert_int_equal(count_files("blobs"), 0);
	assert_int_equal(count_files("tmp"), 0);
	/* An abort leaves nothing either. */
	assert_int_equal(img_blob_begin(st, &w, &err), 0);
	assert_int_equal(img_blob_write(w, "partial", 7, &err), 0);
	img_blob_abort(w);
	img_blob_abort(NULL);
	assert_int_equal(count_files("blobs"), 0);
	assert_int_equal(count_files("tmp"), 0);
	img_store_close(st);
}

static void test_blob_tampered(void **state)
{
	struct img_store *st = open_store(IMG_LOCK_EXCLUSIVE);
	struct nr_error err = { 0 };
	char path[512], *buf = NULL;
	img_digest d;
	FILE *f;

	(void)state;
	put(st, "{\"a\":1}", d);
	f = fopen(img_blob_path(st, d, path, sizeof(path)), "w");
	assert_non_null(f);
	fputs("{\"a\":2}", f);
	fclose(f);
	assert_int_equal(img_blob_read(st, d, &buf, NULL, &err), -EBADMSG);
	assert_int_equal(err.code, RT_ERR_CORRUPT);
	assert_null(buf);
	/* Storing the content again repairs it. */
	put(st, "{\"a\":1}", d);
	assert_int_equal(img_blob_read(st, d, &buf, NULL, &err), 0);
	free(buf);
	buf = NULL;
	img_digest_buf("x", 1, d);
	assert_int_equal(img_blob_read(st, d, &buf, NULL, &err), -ENOENT);
	assert_int_equal(err.code, RT_ERR_NOT_FOUND);
	img_store_close(st);
}

static void test_names_and_find(void **state)
{
	struct img_store *st = open_store(IMG_LOCK_EXCLUSIVE);
	struct nr_error err = { 0 };
	struct img_image *im = NULL;
	img_digest a, b;
	char what[128];

	(void)state;
	add_image(st, NULL, 0, ",\"created\":\"2024-01-02T03:04:05.123456789Z\"", a);
	add_image(st, NULL, 0, ",\"created\":\"2024-01-02T04:04:05+01:00\",\"x\":1", b);
	assert_int_equal(img_tag_set(st, "bb:1", a, &err), 0);
	assert_int_equal(img_tag_set(st, "localhost:5000/team/app:v2", a, &err), 0);
	assert_finds(st, "bb:1", a);
	assert_finds(st, "docker.io/library/bb:1", a);
	assert_finds(st, "localhost:5000/team/app:v2", a);
	assert_finds(st, a, a);
	assert_finds(st, img_digest_hex(a), a);
	snprintf(what, sizeof(what), "%.12s", img_digest_hex(a));
	assert_finds(st, what, a);
	snprintf(what, sizeof(what), "sha256:%.6s", img_digest_hex(a));
	assert_finds(st, what, a);
	/* No tag means latest, which nothing has yet. */
	assert_find_fails(st, "bb", RT_ERR_NOT_FOUND, "No such image: bb");
	assert_find_fails(st, "bb:2", RT_ERR_NOT_FOUND, "No such image: bb:2");
	assert_find_fails(st, "Bb", RT_ERR_USAGE, "invalid reference format: repository name must be lowercase");
	assert_int_equal(img_tag_set(st, "bb", a, &err), 0);
	assert_finds(st, "bb", a);

	/* The record: created from the config, names sorted, a manifest made. */
	assert_int_equal(img_image_find(st, "bb:1", &im, &err), 0);
	assert_int_equal(im->created, 1704164645);
	assert_non_null(im->tags);
	assert_string_equal(im->tags[0], "docker.io/library/bb:1");
	assert_string_equal(im->tags[1], "docker.io/library/bb:latest");
	assert_string_equal(im->tags[2], "localhost:5000/team/app:v2");
	assert_null(im->tags[3]);
	assert_true(img_blob_has(st, im->manifest));
	snprintf(what, sizeof(what), "bb@%s", im->manifest);
	assert_finds(st, what, a);
	img_image_free(im);

	/* A tag moves, as docker tag. */
	assert_int_equal(img_tag_set(st, "bb:1", b, &err), 0);
	assert_finds(st, "bb:1", b);
	assert_int_equal(img_image_find(st, a, &im, &err), 0);
	assert_string_equal(im->tags[0], "docker.io/library/bb:latest");
	img_image_free(im);
	assert_int_equal(img_tag_remove(st, "bb:1", &err), 0);
	assert_find_fails(st, "bb:1", RT_ERR_NOT_FOUND, "No such image: bb:1");
	assert_int_equal(img_tag_remove(st, "bb:1", &err), -ENOENT);
	assert_int_equal(err.code, RT_ERR_NOT_FOUND);
	img_digest_buf("nothing", 7, b);
	assert_int_equal(img_tag_set(st, "bb:3", b, &err), -ENOENT);
	assert_int_equal(img_tag_set(st,
				     "bb@sha256:"
				     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
				     a, &err),
			 -EINVAL);
	img_store_close(st);
}

static void test_prefix_ambiguous(void **state)
{
	struct img_store *st = open_store(IMG_LOCK_EXCLUSIVE);
	struct nr_error err = { 0 };
	char text[2][64], extra[2][64], prefix[8];
	img_digest seen[65536 / 16] = { { 0 } }, d, a, b;
	unsigned i, j = 0;

	(void)state;
	/* Configs until two ids share their first four hex digits (a few hundred tries). */
	for (i = 0;; i++) {
		snprintf(text[0], sizeof(text[0]), "{\"os\":\"linux\",\"n\":%u}", i);
		img_digest_buf(text[0], strlen(text[0]), d);
		for (j = 0; j < i && strncmp(seen[j], d, 11) != 0; j++)
			;
		if (j < i)
			break;
		assert_true(i < sizeof(seen) / sizeof(seen[0]));
		memcpy(seen[i], d, sizeof(d));
	}
	snprintf(extra[0], sizeof(extra[0]), ",\"n\":%u", j);
	snprintf(extra[1], sizeof(extra[1]), ",\"n\":%u", i);
	/* add_image writes {"os":"linux","rootfs":…,"n":N}: other ids, but the test wants
	 * these exact texts, so store them as they are. */
	for (int k = 0; k < 2; k++) {
		snprintf(text[k], sizeof(text[k]), "{\"os\":\"linux\",\"n\":%u}", k ? i : j);
		put(st, text[k], k ? b : a);
		assert_int_equal(img_image_add(st, k ? b : a, NULL, 0, NULL, &err), 0);
	}
	snprintf(prefix, sizeof(prefix), "%.4s", img_digest_hex(a));
	assert_find_fails(st, prefix, RT_ERR_USAGE, "multiple IDs found with provided prefix");
	assert_finds(st, img_digest_hex(a), a);
	assert_finds(st, img_digest_hex(b), b);
	/* Three digits are a name, not a prefix. */
	snprintf(prefix, sizeof(prefix), "%.3s", img_digest_hex(a));
	assert_find_fails(st, prefix, RT_ERR_NOT_FOUND, "No such image");
	(void)extra;
	img_store_close(st);
}

static void test_list_newest_first(void **state)
{
	struct img_store *st = open_store(IMG_LOCK_EXCLUSIVE);
	struct img_image **list = NULL;
	img_digest old, new, none;

	(void)state;
	add_image(st, NULL, 0, ",\"created\":\"2020-01-01T00:00:00Z\"", old);
	add_image(st, NULL, 0, ",\"created\":\"2023-01-01T00:00:00Z\"", new);
	add_image(st, NULL, 0, "", none);
	assert_int_equal(img_image_list(st, &list, NULL), 0);
	assert_string_equal(list[0]->id, new);
	assert_string_equal(list[1]->id, old);
	assert_string_equal(list[2]->id, none);
	assert_null(list[3]);
	img_image_list_free(list);
	img_store_close(st);
}

static bool layer_present(struct img_store *st, const struct img_layer *l, const char *file)
{
	char path[512];

	img_layer_dir(st, l->chain_id, path, sizeof(path));
	strncat(path, "/", sizeof(path) - strlen(path) - 1);
	strncat(path, file, sizeof(path) - strlen(path) - 1);
	return access(path, F_OK) == 0 && img_layer_has(st, l->chain_id);
}

static void test_layers_shared_and_removed(void **state)
{
	struct img_store *st = open_store(IMG_LOCK_EXCLUSIVE);
	struct nr_error err = { 0 };
	img_digest blob1, blob2, a, b, chain;
	struct img_layer l[2], again, bad;
	char manifest_a[IMG_DIGEST_LEN + 1];
	struct img_image *im = NULL;

	(void)state;
	layer_blob(st, "one", "1", blob1);
	layer_blob(st, "two", "22", blob2);
	add_layer(st, NULL, blob1, &l[0]);
	assert_string_equal(l[0].chain_id, l[0].diff_id); /* the bottom layer's chain is its diff */
	assert_string_equal(l[0].blob, blob1);
	assert_int_equal(l[0].size, 1);
	add_layer(st, l[0].chain_id, blob2, &l[1]);
	img_chain_id(l[0].chain_id, l[1].diff_id, chain);
	assert_string_equal(l[1].chain_id, chain);
	assert_true(layer_present(st, &l[0], "one"));
	assert_true(layer_present(st, &l[1], "two"));
	struct stat sb;
	char ldir[512];
	img_layer_dir(st, l[0].chain_id, ldir, sizeof(ldir));
	*strrchr(ldir, '/') = '\0';
	assert_int_equal(stat(ldir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0711);
	/* Once: the same chain again is not unpacked a second time. */
	add_layer(st, NULL, blob1, &again);
	assert_string_equal(again.chain_id, l[0].chain_id);
	assert_int_equal(img_layer_add(st, NULL, blob1, LAYER_TAR, l[0].diff_id, &again, &err), 0);
	assert_int_equal(count_files("layers"), 4); /* two files and two layer.json */
	assert_int_equal(count_files("tmp"), 0);
	/* A diff id that does not match: refused, nothing kept.  (An uncompressed layer's blob
	 * digest is its diff id, so another blob's would be found as an existing chain.) */
	img_digest wrong_diff;
	img_digest_buf("not this layer", 14, wrong_diff);
	assert_int_equal(img_layer_add(st, l[0].chain_id, blob1, LAYER_TAR, wrong_diff, &bad, &err), -EBADMSG);
	assert_int_equal(err.code, RT_ERR_CORRUPT);
	assert_int_equal(count_files("layers"), 4);
	assert_int_equal(count_files("tmp"), 0);

	add_image(st, l, 1, "", a);
	add_image(st, l, 2, "", b);
	/* A config that does not list the layers given is refused. */
	assert_int_equal(img_image_add(st, b, l, 1, NULL, &err), 0); /* b is recorded: kept as is */
	img_digest c;
	put(st, "{\"rootfs\":{\"diff_ids\":[]}}", c);
	assert_int_equal(img_image_add(st, c, l, 1, NULL, &err), -EINVAL);
	assert_int_equal(err.code, RT_ERR_CORRUPT);

	assert_int_equal(img_image_find(st, b, &im, &err), 0);
	assert_int_equal(im->n_layers, 2);
	assert_string_equal(im->layers[1].chain_id, l[1].chain_id);
	assert_string_equal(im->layers[1].diff_id, l[1].diff_id);
	assert_string_equal(im->layers[1].blob, blob2);
	assert_string_equal(im->layers[1].media_type, LAYER_TAR);
	assert_true(im->layers[1].blob_size > 0);
	assert_int_equal(im->size, 3);
	img_image_free(im);
	assert_int_equal(img_image_find(st, a, &im, &err), 0);
	memcpy(manifest_a, im->manifest, sizeof(manifest_a));
	img_image_free(im);

	/* b's own layer and blob go; the shared ones stay for a. */
	assert_int_equal(img_image_remove(st, b, &err), 0);
	assert_find_fails(st, b, RT_ERR_NOT_FOUND, "No such image");
	assert_false(img_layer_has(st, l[1].chain_id));
	assert_false(img_blob_has(st, blob2));
	assert_false(img_blob_has(st, b));
	assert_true(layer_present(st, &l[0], "one"));
	assert_true(img_blob_has(st, blob1));
	assert_true(img_blob_has(st, a));
	assert_true(img_blob_has(st, manifest_a));
	assert_int_equal(img_image_remove(st, b, &err), -ENOENT);
	assert_int_equal(err.code, RT_ERR_NOT_FOUND);
	/* The last user gone, everything goes but the config nobody recorded (c: gc's job). */
	assert_int_equal(img_tag_set(st, "a:1", a, &err), 0);
	assert_int_equal(img_image_remove(st, a, &err), 0);
	assert_find_fails(st, "a:1", RT_ERR_NOT_FOUND, "No such image: a:1");
	assert_int_equal(count_files("layers"), 0);
	assert_int_equal(count_files("images"), 0);
	assert_int_equal(count_files("blobs"), 1);
	assert_int_equal(count_files("tmp"), 0);
	img_store_close(st);
}

static void test_gc(void **state)
{
	struct img_store *st = open_store(IMG_LOCK_EXCLUSIVE);
	struct nr_error err = { 0 };
	char path[512];
	img_digest kept_blob, loose_blob, layer_only, id;
	struct img_layer kept, loose;
	long long bytes = -1;
	int live;

	(void)state;
	layer_blob(st, "k", "kept", kept_blob);
	layer_blob(st, "l", "loose", layer_only);
	add_layer(st, NULL, kept_blob, &kept);
	add_layer(st, NULL, layer_only, &loose);
	add_image(st, &kept, 1, "", id);
	put(st, "unused", loose_blob);
	/* A dead writer's scratch (its lock free) and a live one's (locked). */
	snprintf(path, sizeof(path), "%s/tmp/w-dead", images);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/tmp/w-dead/lock", images);
	close(open(path, O_CREAT | O_WRONLY, 0600));
	snprintf(path, sizeof(path), "%s/tmp/w-dead/blob-0", images);
	close(open(path, O_CREAT | O_WRONLY, 0600));
	snprintf(path, sizeof(path), "%s/tmp/w-live", images);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/tmp/w-live/lock", images);
	live = open(path, O_CREAT | O_RDWR, 0600);
	assert_int_equal(flock(live, LOCK_EX), 0);
	snprintf(path, sizeof(path), "%s/tmp/w-live/blob-0", images);
	close(open(path, O_CREAT | O_WRONLY, 0600));
	/* A just-made scratch dir, not yet renamed to w-: young, kept. */
	snprintf(path, sizeof(path), "%s/tmp/.new-abc", images);
	assert_int_equal(mkdir(path, 0700), 0);

	assert_int_equal(img_store_gc(st, &bytes, &err), 0);
	assert_true(bytes >= (long long)strlen("unused") + 5);
	snprintf(path, sizeof(path), "%s/tmp/w-dead", images);
	assert_int_equal(access(path, F_OK), -1);
	snprintf(path, sizeof(path), "%s/tmp/w-live/blob-0", images);
	assert_int_equal(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/tmp/.new-abc", images);
	assert_int_equal(access(path, F_OK), 0);
	assert_false(img_blob_has(st, loose_blob));
	assert_false(img_blob_has(st, layer_only));
	assert_false(img_layer_has(st, loose.chain_id));
	assert_true(img_layer_has(st, kept.chain_id));
	assert_true(img_blob_has(st, kept_blob));
	assert_true(img_blob_has(st, id));
	assert_finds(st, id, id);
	close(live);
	/* The writer gone, its scratch goes too. */
	assert_int_equal(img_store_gc(st, NULL, &err), 0);
	snprintf(path, sizeof(path), "%s/tmp/w-live", images);
	assert_int_equal(access(path, F_OK), -1);
	img_store_close(st);
}

/* A writer killed mid-blob leaves its scratch in tmp/, never a blob; gc removes it. */
static void test_killed_writer(void **state)
{
	struct img_store *st;
	struct nr_error err = { 0 };
	int status;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct img_blob_writer *w = NULL;

		st = open_store(IMG_LOCK_EXCLUSIVE);
		if (img_blob_begin(st, &w, NULL) == 0 && img_blob_write(w, "half a blob", 11, NULL) == 0)
			kill(getpid(), SIGKILL);
		_exit(1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(count_files("tmp"), 1);
	assert_int_equal(count_files("blobs"), 0);
	st = open_store(IMG_LOCK_EXCLUSIVE);
	assert_int_equal(img_store_gc(st, NULL, &err), 0);
	assert_int_equal(count_files("tmp"), 0);
	img_store_close(st);
}

static void test_derive(void **state)
{
	struct img_store *st = open_store(IMG_LOCK_EXCLUSIVE);
	struct nr_error err = { 0 };
	img_digest blob1, blob2, base, top;
	struct img_image *im = NULL, *parent = NULL;
	const char *changes[] = { "CMD [\"sh\"]", "ENV A=1", NULL };
	char *text = NULL;
	json_t *m, *h;
	size_t len;

	(void)state;
	layer_blob(st, "etc-hello", "hi", blob1);
	struct img_derive imp = { .layer_blob = blob1,
				  .media_type = LAYER_TAR,
				  .changes = changes,
				  .created_by = "import",
				  .comment = "imported",
				  .ref = "imp:1" };
	if (img_image_derive(st, &imp, base, &err) != 0)
		fail_msg("import: %s", err.msg);
	assert_int_equal(img_image_find(st, "imp:1", &parent, &err), 0);
	assert_string_equal(parent->id, base);
	assert_int_equal(parent->n_layers, 1);
	assert_string_equal(json_string_value(json_object_get(parent->config, "os")), "linux");
	assert_string_equal(json_string_value(json_array_get(json_object_get(json_object_get(parent->config, "rootfs"),
									     "diff_ids"),
							     0)),
			    parent->layers[0].diff_id);
	h = json_object_get(parent->config, "history");
	assert_int_equal(json_array_size(h), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(h, 0), "comment")), "imported");
	assert_string_equal(json_string_value(json_object_get(json_array_get(h, 0), "created_by")), "import");
	assert_true(parent->created > 1700000000);

	layer_blob(st, "two", "more", blob2);
	struct img_derive com = { .parent = base,
				  .layer_blob = blob2,
				  .media_type = LAYER_TAR,
				  .changes = (const char *[]){ "WORKDIR /w", NULL },
				  .comment = "msg",
				  .author = "me",
				  .ref = "imp:2" };
	if (img_image_derive(st, &com, top, &err) != 0)
		fail_msg("commit: %s", err.msg);
	assert_int_equal(img_image_find(st, "imp:2", &im, &err), 0);
	assert_int_equal(im->n_layers, 2);
	assert_string_equal(im->layers[0].chain_id, parent->layers[0].chain_id);
	h = json_object_get(im->config, "history");
	assert_int_equal(json_array_size(h), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(h, 1), "author")), "me");
	assert_string_equal(json_string_value(json_object_get(im->config, "author")), "me");
	json_t *cfg = json_object_get(im->config, "config");
	assert_string_equal(json_string_value(json_array_get(json_object_get(cfg, "Cmd"), 0)), "sh");
	assert_string_equal(json_string_value(json_array_get(json_object_get(cfg, "Env"), 0)), "A=1");
	assert_string_equal(json_string_value(json_object_get(cfg, "WorkingDir")), "/w");
	/* The manifest names the config and both layer blobs with their sizes. */
	assert_int_equal(img_blob_read(st, im->manifest, &text, &len, &err), 0);
	m = json_loadb(text, len, 0, NULL);
	free(text);
	assert_string_equal(json_string_value(json_object_get(m, "mediaType")),
			    "application/vnd.oci.image.manifest.v1+json");
	assert_string_equal(json_string_value(json_object_get(json_object_get(m, "config"), "digest")), top);
	assert_int_equal(json_array_size(json_object_get(m, "layers")), 2);
	for (size_t i = 0; i < 2; i++) {
		json_t *l = json_array_get(json_object_get(m, "layers"), i);

		assert_string_equal(json_string_value(json_object_get(l, "digest")), im->layers[i].blob);
		assert_string_equal(json_string_value(json_object_get(l, "mediaType")), LAYER_TAR);
		assert_int_equal(json_integer_value(json_object_get(l, "size")), im->layers[i].blob_size);
	}
	json_decref(m);
	/* A bad change or name is refused before anything is stored. */
	struct img_derive bad = { .parent = base, .layer_blob = blob2, .changes = (const char *[]){ "RUN x", NULL } };
	assert_int_equal(img_image_derive(st, &bad, top, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "RUN"));
	bad.changes = NULL;
	bad.ref = "Bad";
	assert_int_equal(img_image_derive(st, &bad, top, &err), -EINVAL);
	img_image_free(im);
	img_image_free(parent);
	img_store_close(st);
}

/* A layer's tree goes whole: whiteout devices, fifos, read-only and closed directories;
 * a symbolic link goes, not what it points to. */
static void test_rm_tree(void **state)
{
	char root[256], path[512], outside[256];
	long long bytes = 0;

	(void)state;
	snprintf(root, sizeof(root), "%s/tree", dir);
	snprintf(outside, sizeof(outside), "%s/outside", dir);
	assert_int_equal(mkdir(outside, 0755), 0);
	assert_int_equal(mkdir(root, 0755), 0);
	snprintf(path, sizeof(path), "%s/ro", root);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/ro/file", root);
	close(open(path, O_CREAT | O_WRONLY, 0444));
	snprintf(path, sizeof(path), "%s/ro/deep", root);
	assert_int_equal(mkdir(path, 0), 0);
	snprintf(path, sizeof(path), "%s/ro", root);
	assert_int_equal(chmod(path, 0555), 0);
	snprintf(path, sizeof(path), "%s/fifo", root);
	assert_int_equal(mkfifo(path, 0600), 0);
	snprintf(path, sizeof(path), "%s/link", root);
	assert_int_equal(symlink(outside, path), 0);
	snprintf(path, sizeof(path), "%s/data", root);
	int fd = open(path, O_CREAT | O_WRONLY, 0644);
	assert_int_equal(write(fd, "12345", 5), 5);
	close(fd);
	/* An overlay whiteout, where we may make one (root, or CAP_MKNOD). */
	snprintf(path, sizeof(path), "%s/wh", root);
	if (mknod(path, S_IFCHR | 0, makedev(0, 0)) < 0)
		print_message("no whiteout device (%s): that case skipped\n", strerror(errno));
	assert_int_equal(img_fs_rm_tree(root, &bytes), 0);
	assert_int_equal(access(root, F_OK), -1);
	assert_int_equal(access(outside, F_OK), 0);
	assert_int_equal(bytes, 5);
	assert_int_equal(img_fs_rm_tree(root, NULL), 0); /* gone already: fine */
}

static void test_time(void **state)
{
	long long t;

	(void)state;
	assert_int_equal(img_time_parse("1970-01-01T00:00:00Z", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(img_time_parse("2024-01-02T03:04:05.999999999Z", &t), 0);
	assert_int_equal(t, 1704164645);
	assert_int_equal(img_time_parse("2024-01-02T05:34:05+02:30", &t), 0);
	assert_int_equal(t, 1704164645);
	assert_int_equal(img_time_parse("2024-01-01T23:04:05-04:00", &t), 0);
	assert_int_equal(t, 1704164645);
	assert_int_equal(img_time_parse("2024-01-02", &t), -EINVAL);
	assert_int_equal(img_time_parse("2024-13-02T03:04:05Z", &t), -EINVAL);
	assert_int_equal(img_time_parse("2024-01-02T03:04:05", &t), -EINVAL);
	assert_int_equal(img_time_parse("2024-01-02T03:04:05.Z", &t), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_and_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blob_put_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blob_mismatch_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blob_tampered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_and_find, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prefix_ambiguous, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_newest_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_layers_shared_and_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_killed_writer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_derive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rm_tree, setup, teardown),
		cmocka_unit_test(test_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
