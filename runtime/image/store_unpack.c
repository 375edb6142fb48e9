/* Adding a layer: its blob unpacked (layer_unpack) into tmp/, checked, described in
 * layer.json and renamed into layers/ under its chain id, once for every image that
 * has it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdio.h"
#include "base/json_field.h"
#include "image/layer.h"
#include "image/store_int.h"

static void fill_given(struct img_layer *l, const struct img_store *st, const char *blob, const char *media_type)
{
	char path[PATH_MAX];
	struct stat sb;

	memcpy(l->blob, blob, IMG_DIGEST_LEN + 1);
	snprintf(l->media_type, sizeof(l->media_type), "%s", media_type ? media_type : "");
	l->blob_size = stat(img_blob_path(st, blob, path, sizeof(path)), &sb) == 0 ? (long long)sb.st_size : 0;
}

static int write_layer_json(const char *path, const struct img_layer *l, const char *parent, struct nr_error *err)
{
	_cleanup_json_ json_t *o = json_pack("{s:s, s:s, s:s?, s:s, s:s, s:I}", "chain_id", l->chain_id, "diff_id",
					     l->diff_id, "parent", parent, "blob", l->blob, "media_type", l->media_type,
					     "size", (json_int_t)l->size);
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int fd = -1;
	int r;

	if (!o || !(text = json_dumps(o, JSON_COMPACT)))
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "creating %s: %m", path);
	r = fd_write_all(fd, text, strlen(text));
	if (r < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, -r, "writing %s: %s", path, strerror(-r));
	return 0;
}

int img_layer_add(struct img_store *st, const char *parent_chain, const char *blob, const char *media_type,
		  const char *expect_diff_id, struct img_layer *ret, struct nr_error *err)
{
	char blob_path[PATH_MAX], tmp[PATH_MAX], diff[PATH_MAX + 8], json[PATH_MAX + 16], dest[PATH_MAX];
	_cleanup_close_ int fd = -1, tfd = -1;
	struct img_layer l = { 0 };
	int r;

	if (!img_digest_valid(blob) || !img_blob_has(st, blob))
		return nr_error_set(err, RT_ERR_NOT_FOUND, ENOENT, "layer blob %s is not in the store", blob);
	if (parent_chain && parent_chain[0] && !img_layer_has(st, parent_chain))
		return nr_error_set(err, RT_ERR_NOT_FOUND, ENOENT, "parent layer %s is not in the store", parent_chain);
	fill_given(&l, st, blob, media_type);
	/* Known diff id and the chain already there: nothing to unpack. */
	if (expect_diff_id) {
		if (!img_digest_valid(expect_diff_id))
			return nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "not a layer digest: %s", expect_diff_id);
		img_chain_id(parent_chain, expect_diff_id, l.chain_id);
		if (img_layer_has(st, l.chain_id)) {
			struct img_layer have;

			r = img_layer_load(st, l.chain_id, &have, err);
			if (r < 0)
				return r;
			memcpy(l.diff_id, have.diff_id, sizeof(l.diff_id));
			l.size = have.size;
			*ret = l;
			return 0;
		}
	}
	fd = open(img_blob_path(st, blob, blob_path, sizeof(blob_path)), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "opening %s: %m", blob_path);
	r = img_tmp_path(st, "layer", tmp, sizeof(tmp), err);
	if (r < 0)
		return r;
	snprintf(diff, sizeof(diff), "%s/diff", tmp);
	/* 0711: a --userns container's root must traverse to diff/, an overlay lower. */
	if (mkdir(tmp, 0711) < 0 || chmod(tmp, 0711) < 0 || mkdir(diff, 0755) < 0 || chmod(diff, 0755) < 0) {
		r = nr_error_set(err, RT_ERR_SYSTEM, errno, "creating %s: %m", diff);
		goto fail;
	}
	r = layer_unpack(fd, diff, l.diff_id, &l.size, err);
	if (r < 0) {
		nr_error_wrap(err, r, "unpacking layer %s", blob);
		goto fail;
	}
	if (expect_diff_id && strcmp(expect_diff_id, l.diff_id) != 0) {
		r = nr_error_set(err, RT_ERR_CORRUPT, EBADMSG, "layer %s: diff id mismatch: expected %s, got %s", blob,
				 expect_diff_id, l.diff_id);
		goto fail;
	}
	img_chain_id(parent_chain, l.diff_id, l.chain_id);
	snprintf(json, sizeof(json), "%s/layer.json", tmp);
	r = write_layer_json(json, &l, parent_chain && parent_chain[0] ? parent_chain : NULL, err);
	if (r < 0)
		goto fail;
	/* One syncfs for the whole tree (rather than an fsync per file): the layer's files
	 * are on disk before its name appears in layers/. */
	tfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (tfd < 0 || syncfs(tfd) < 0) {
		r = nr_error_set(err, RT_ERR_SYSTEM, errno, "syncing %s: %m", tmp);
		goto fail;
	}
	snprintf(dest, sizeof(dest), "%s/layers/%s", st->root, img_digest_hex(l.chain_id));
	if (rename(tmp, dest) < 0) {
		/* Another writer unpacked the same chain meanwhile: theirs is the same content. */
		if (errno != EEXIST && errno != ENOTEMPTY) {
			r = nr_error_set(err, RT_ERR_SYSTEM, errno, "storing layer %s: %m", l.chain_id);
			goto fail;
		}
		img_fs_rm_tree(tmp, NULL);
	} else {
		snprintf(dest, sizeof(dest), "%s/layers", st->root);
		img_fs_sync_dir(dest);
	}
	*ret = l;
	return 0;
fail:
	img_fs_rm_tree(tmp, NULL);
	return r;
}
