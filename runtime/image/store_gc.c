/* Removing images, and collecting what nothing uses.  References are derived: a layer
 * or blob is in use while an image record names it, so removal is "drop the record (and
 * its names), then whatever no record names any more"; a crash in between leaves only
 * unnamed content, which gc finds the same way. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/json_field.h"
#include "image/store_int.h"

/* A .new- scratch directory is renamed to w- within microseconds of its making; one this
 * old belongs to a writer that died in between. */
#define NEW_DIR_GRACE_SECONDS 3600

/* The digests (configs, manifests, layer blobs, chain ids) that the records name, as the
 * keys of a JSON object used as a set. */
static int used_set(const struct img_store *st, json_t **ret, struct nr_error *err)
{
	_cleanup_strv_ char **ids = NULL;
	_cleanup_json_ json_t *set = json_object();
	int r;

	if (!set)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	if ((r = img_image_ids(st, &ids, err)) < 0)
		return r;
	for (char **p = ids; *p; p++) {
		_cleanup_(img_record_clear) struct img_record rec = { 0 };

		/* A record that cannot be read keeps nothing alive we could know of; refusing
		 * to collect is safer than removing what it may name. */
		if ((r = img_record_read(st, *p, &rec, err)) < 0)
			return nr_error_wrap(err, r, "collecting unused image data");
		json_object_set_new(set, rec.id, json_true());
		json_object_set_new(set, rec.manifest, json_true());
		for (char **l = rec.layers; *l; l++)
			json_object_set_new(set, *l, json_true());
		for (char **b = rec.blobs; *b; b++)
			json_object_set_new(set, *b, json_true());
	}
	*ret = TAKE_PTR(set);
	return 0;
}

static int blob_remove(const struct img_store *st, const char *digest, long long *bytes, struct nr_error *err)
{
	char path[PATH_MAX];
	struct stat sb;

	img_blob_path(st, digest, path, sizeof(path));
	if (bytes && stat(path, &sb) == 0)
		*bytes += sb.st_size;
	if (unlink(path) < 0 && errno != ENOENT)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "removing blob %s: %m", digest);
	return 0;
}

int img_image_remove(struct img_store *st, const char *id, struct nr_error *err)
{
	_cleanup_(img_record_clear) struct img_record rec = { 0 };
	_cleanup_json_ json_t *names = NULL, *used = NULL;
	char path[PATH_MAX], dir[PATH_MAX];
	const char *k;
	json_t *v;
	void *tmp;
	bool renamed = false;
	size_t n = 0;
	int r;

	if ((r = img_store_need_writer(st, "removing an image", err)) < 0)
		return r;
	if (!img_digest_valid(id))
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "not an image id: %s", id);
	if ((r = img_record_read(st, id, &rec, err)) < 0 || (r = img_names_load(st, &names, err)) < 0)
		return r;
	json_object_foreach_safe(names, tmp, k, v) {
		if (strcmp(json_string_value(v), id) == 0) {
			json_object_del(names, k);
			renamed = true;
		}
	}
	if (renamed && (r = img_names_save(st, names, err)) < 0)
		return r;
	snprintf(dir, sizeof(dir), "%s/images", st->root);
	snprintf(path, sizeof(path), "%s/%s.json", dir, img_digest_hex(id));
	if (unlink(path) < 0 && errno != ENOENT)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "removing %s: %m", path);
	img_fs_sync_dir(dir);
	if ((r = used_set(st, &used, err)) < 0)
		return r;
	while (rec.layers[n])
		n++;
	/* Top first: a layer's parent is never removed while it is still there. */
	for (size_t i = n; i-- > 0;) {
		if (json_object_get(used, rec.layers[i]))
			continue;
		if ((r = img_layer_delete(st, rec.layers[i], NULL, err)) < 0)
			return r;
	}
	for (char **b = rec.blobs; *b; b++)
		if (!json_object_get(used, *b) && (r = blob_remove(st, *b, NULL, err)) < 0)
			return r;
	if (!json_object_get(used, rec.manifest) && (r = blob_remove(st, rec.manifest, NULL, err)) < 0)
		return r;
	if (!json_object_get(used, rec.id) && (r = blob_remove(st, rec.id, NULL, err)) < 0)
		return r;
	return 0;
}

/* Whether a w- scratch directory's writer is gone (its lock file free, or removed). */
static bool writer_gone(int dfd, const char *name)
{
	char path[NAME_MAX + 8];
	_cleanup_close_ int fd = -1;

	snprintf(path, sizeof(path), "%s/lock", name);
	fd = openat(dfd, path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT;
	return flock(fd, LOCK_EX | LOCK_NB) == 0;
}

static int tmp_collect(struct img_store *st, long long *bytes, struct nr_error *err)
{
	char dir[PATH_MAX], path[PATH_MAX + NAME_MAX + 2];
	const char *mine = st->tmp_dir[0] ? strrchr(st->tmp_dir, '/') + 1 : "";
	struct dirent *de;
	DIR *d;
	int r = 0;

	snprintf(dir, sizeof(dir), "%s/tmp", st->root);
	d = opendir(dir);
	if (!d)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "reading %s: %m", dir);
	while ((de = readdir(d))) {
		struct stat sb;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") || !strcmp(de->d_name, mine))
			continue;
		if (fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (!strncmp(de->d_name, "w-", 2) && S_ISDIR(sb.st_mode) && !writer_gone(dirfd(d), de->d_name))
			continue; /* a live writer's partial blobs and layers */
		if (!strncmp(de->d_name, ".new-", 5) && sb.st_mtime > time(NULL) - NEW_DIR_GRACE_SECONDS)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		int q = img_fs_rm_tree(path, bytes);
		if (q < 0 && r == 0)
			r = nr_error_set(err, RT_ERR_SYSTEM, -q, "removing %s: %s", path, strerror(-q));
	}
	closedir(d);
	return r;
}

/* Remove the entries of dir (blobs/sha256 or layers) whose "sha256:NAME" is not in used. */
static int unused_collect(struct img_store *st, const char *sub, bool layers, json_t *used, long long *bytes,
			  struct nr_error *err)
{
	char dir[PATH_MAX], digest[NAME_MAX + 8], path[PATH_MAX + NAME_MAX + 2];
	struct dirent *de;
	DIR *d;
	int r = 0, q;

	snprintf(dir, sizeof(dir), "%s/%s", st->root, sub);
	d = opendir(dir);
	if (!d)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "reading %s: %m", dir);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(digest, sizeof(digest), "sha256:%s", de->d_name);
		if (img_digest_valid(digest) && json_object_get(used, digest))
			continue;
		if (layers && img_digest_valid(digest)) {
			q = img_layer_delete(st, digest, bytes, err);
		} else {
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			q = img_fs_rm_tree(path, bytes);
			if (q < 0)
				nr_error_set(err, RT_ERR_SYSTEM, -q, "removing %s: %s", path, strerror(-q));
		}
		if (q < 0 && r == 0)
			r = q;
	}
	closedir(d);
	return r;
}

int img_store_gc(struct img_store *st, long long *ret_bytes, struct nr_error *err)
{
	_cleanup_json_ json_t *used = NULL;
	long long bytes = 0;
	int r;

	if ((r = img_store_need_writer(st, "collecting unused image data", err)) < 0)
		return r;
	if ((r = tmp_collect(st, &bytes, err)) < 0 || (r = used_set(st, &used, err)) < 0 ||
	    (r = unused_collect(st, "layers", true, used, &bytes, err)) < 0 ||
	    (r = unused_collect(st, "blobs/sha256", false, used, &bytes, err)) < 0)
		return r;
	/* What the layer removals above left in our own scratch directory. */
	if (st->tmp_dir[0]) {
		char path[PATH_MAX + NAME_MAX + 2];
		DIR *d = opendir(st->tmp_dir);
		struct dirent *de;

		while (d && (de = readdir(d)))
			if (strncmp(de->d_name, "rm-", 3) == 0) {
				snprintf(path, sizeof(path), "%s/%s", st->tmp_dir, de->d_name);
				img_fs_rm_tree(path, &bytes);
			}
		if (d)
			closedir(d);
	}
	if (ret_bytes)
		*ret_bytes = bytes;
	return 0;
}
