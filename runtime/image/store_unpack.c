/* Adding a layer: its blob unpacked (layer_unpack) into tmp/, checked, described in
 * layer.json and renamed into layers/ under its chain id, once for every image that
 * has it. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
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

/* Mark dir as the top of its own tree (chattr +T): ext4 then places diff/, and with it
 * the layer's files, in a block group of its own choosing (the Orlov allocator) rather
 * than in tmp/'s.  Creating thousands of inodes in a group where thousands were just
 * freed (the layers of an image removed moments before) is slow there: each allocation
 * steps over every recently deleted inode (ext4's recently_deleted(), 60% of a load's
 * CPU time in perf).  A hint: other file systems refuse or ignore it. */
static void topdir(const char *dir)
{
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int flags;

	if (fd >= 0 && ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0 && !(flags & FS_TOPDIR_FL)) {
		flags |= FS_TOPDIR_FL;
		(void)ioctl(fd, FS_IOC_SETFLAGS, &flags);
	}
}

/* Everything but the publication: the layer unpacked into tmp (a fresh img_tmp_path)
 * with its layer.json, not synced.  The parent is the caller's to have checked (a load's
 * may be waiting in tmp/ itself).  Safe to run on several threads at once: it changes
 * nothing in st. */
int img_layer_unpack_tmp(const struct img_store *st, const char *tmp, const char *parent_chain, const char *blob,
			 const char *media_type, const char *expect_diff_id, bool plain, struct img_layer *ret,
			 struct nr_error *err)
{
	/* An uncompressed layer's diff id is its blob's digest: the bytes unpacked are the
	 * bytes hashed when the blob was stored. */
	bool known = plain && expect_diff_id && strcmp(expect_diff_id, blob) == 0;
	char blob_path[PATH_MAX], diff[PATH_MAX + 8], json[PATH_MAX + 16];
	_cleanup_close_ int fd = -1;
	struct img_layer l = { 0 };
	int r;

	if (!img_digest_valid(blob) || !img_blob_has(st, blob))
		return nr_error_set(err, RT_ERR_NOT_FOUND, ENOENT, "layer blob %s is not in the store", blob);
	if (expect_diff_id && !img_digest_valid(expect_diff_id))
		return nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "not a layer digest: %s", expect_diff_id);
	fill_given(&l, st, blob, media_type);
	fd = open(img_blob_path(st, blob, blob_path, sizeof(blob_path)), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "opening %s: %m", blob_path);
	snprintf(diff, sizeof(diff), "%s/diff", tmp);
	/* 0711: a --userns container's root must traverse to diff/, an overlay lower. */
	if (mkdir(tmp, 0711) < 0 || chmod(tmp, 0711) < 0 || (topdir(tmp), mkdir(diff, 0755) < 0) ||
	    chmod(diff, 0755) < 0) {
		r = nr_error_set(err, RT_ERR_SYSTEM, errno, "creating %s: %m", diff);
		goto fail;
	}
	r = layer_unpack(fd, diff, known ? NULL : l.diff_id, &l.size, err);
	if (r < 0) {
		nr_error_wrap(err, r, "unpacking layer %s", blob);
		goto fail;
	}
	if (known)
		memcpy(l.diff_id, blob, IMG_DIGEST_LEN + 1);
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
	*ret = l;
	return 0;
fail:
	img_fs_rm_tree(tmp, NULL);
	return r;
}

int img_layer_publish(struct img_store *st, const char *tmp, const char *chain_id, struct nr_error *err)
{
	char dest[PATH_MAX];

	snprintf(dest, sizeof(dest), "%s/layers/%s", st->root, img_digest_hex(chain_id));
	if (rename(tmp, dest) < 0) {
		int e = errno;

		/* Another writer unpacked the same chain meanwhile: theirs is the same content. */
		if (e != EEXIST && e != ENOTEMPTY) {
			img_fs_rm_tree(tmp, NULL);
			return nr_error_set(err, RT_ERR_SYSTEM, e, "storing layer %s: %s", chain_id, strerror(e));
		}
		img_fs_rm_tree(tmp, NULL);
	}
	return 0;
}

int img_store_syncfs(struct img_store *st, struct nr_error *err)
{
	_cleanup_close_ int fd = open(st->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || syncfs(fd) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "syncing %s: %m", st->root);
	return 0;
}

int img_layer_add(struct img_store *st, const char *parent_chain, const char *blob, const char *media_type,
		  const char *expect_diff_id, struct img_layer *ret, struct nr_error *err)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	struct img_layer l = { 0 };
	int r;

	if (!img_digest_valid(blob) || !img_blob_has(st, blob))
		return nr_error_set(err, RT_ERR_NOT_FOUND, ENOENT, "layer blob %s is not in the store", blob);
	if (parent_chain && parent_chain[0] && !img_layer_has(st, parent_chain))
		return nr_error_set(err, RT_ERR_NOT_FOUND, ENOENT, "parent layer %s is not in the store", parent_chain);
	/* Known diff id and the chain already there: nothing to unpack. */
	if (expect_diff_id) {
		if (!img_digest_valid(expect_diff_id))
			return nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "not a layer digest: %s", expect_diff_id);
		fill_given(&l, st, blob, media_type);
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
	r = img_tmp_path(st, "layer", tmp, sizeof(tmp), err);
	if (r < 0)
		return r;
	r = img_layer_unpack_tmp(st, tmp, parent_chain, blob, media_type, expect_diff_id, false, &l, err);
	if (r < 0)
		return r;
	/* One syncfs for the whole tree (rather than an fsync per file): the layer's files
	 * are on disk before its name appears in layers/.  (A load unpacks all its layers
	 * first and syncs once: archive_load.c.) */
	r = img_store_syncfs(st, err);
	if (r < 0) {
		img_fs_rm_tree(tmp, NULL);
		return r;
	}
	r = img_layer_publish(st, tmp, l.chain_id, err);
	if (r < 0)
		return r;
	snprintf(dir, sizeof(dir), "%s/layers", st->root);
	img_fs_sync_dir(dir);
	*ret = l;
	return 0;
}
