/* Blobs: written into tmp/ while hashed, checked against the digest they must have,
 * fsync'd, and renamed into blobs/sha256/ whole. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdio.h"
#include "image/store_int.h"

/* Configs and manifests are small; a larger one is not what img_blob_read is for. */
#define BLOB_READ_MAX (64u << 20)

struct img_blob_writer {
	struct img_store *st;
	int fd;
	char path[PATH_MAX];
	struct img_hasher h;
};

const char *img_blob_path(const struct img_store *st, const char *digest, char *buf, size_t len)
{
	snprintf(buf, len, "%s/blobs/sha256/%s", st->root, img_digest_hex(digest));
	return buf;
}

bool img_blob_has(const struct img_store *st, const char *digest)
{
	char path[PATH_MAX];

	if (!img_digest_valid(digest))
		return false;
	return access(img_blob_path(st, digest, path, sizeof(path)), F_OK) == 0;
}

int img_blob_begin(struct img_store *st, struct img_blob_writer **ret, struct nr_error *err)
{
	_cleanup_free_ struct img_blob_writer *w = calloc(1, sizeof(*w));
	int r;

	if (!w)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	r = img_tmp_path(st, "blob", w->path, sizeof(w->path), err);
	if (r < 0)
		return r;
	w->fd = open(w->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (w->fd < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "creating %s: %m", w->path);
	w->st = st;
	img_hasher_init(&w->h);
	*ret = TAKE_PTR(w);
	return 0;
}

int img_blob_write(struct img_blob_writer *w, const void *buf, size_t len, struct nr_error *err)
{
	int r = fd_write_all(w->fd, buf, len);

	if (r < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, -r, "writing a blob: %s", strerror(-r));
	img_hasher_update(&w->h, buf, len);
	return 0;
}

void img_blob_abort(struct img_blob_writer *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	unlink(w->path);
	free(w);
}

int img_blob_commit(struct img_blob_writer *w, const char *expect, img_digest ret_digest, struct nr_error *err)
{
	img_digest got;
	char dest[PATH_MAX], dir[PATH_MAX];
	int r = 0;

	img_hasher_final(&w->h, got);
	if (expect && strcmp(expect, got) != 0) {
		r = nr_error_set(err, RT_ERR_CORRUPT, EBADMSG, "blob digest mismatch: expected %s, got %s", expect,
				 got);
		goto out;
	}
	img_blob_path(w->st, got, dest, sizeof(dest));
	/* The data reaches the disk before the name does: after a crash a blob under its
	 * digest is that blob, never a prefix of it.  During a load (defer_sync) a new blob
	 * waits for the load's one syncfs instead, which comes before any layer or record
	 * refers to it: until then a power loss can leave at worst an unreferenced blob with
	 * wrong bytes, which every use checks (its digest on read, the diff id on unpack)
	 * and the next store of that digest replaces.  A blob already there may be an
	 * image's: the new copy replacing it is synced first, always (docs/images-perf.md). */
	bool sync = !w->st->defer_sync || access(dest, F_OK) == 0;

	r = sync && fsync(w->fd) < 0 ? -errno : 0;
	/* Not waited for: the write-back starts now, while the load goes on unpacking, so
	 * that its syncfs finds less to do. */
	if (!sync)
		sync_file_range(w->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
	if (close(TAKE_FD(w->fd)) < 0 && r == 0)
		r = -errno;
	if (r < 0) {
		r = nr_error_set(err, RT_ERR_SYSTEM, -r, "writing blob %s: %s", got, strerror(-r));
		goto out;
	}
	/* Already there (another load of the same content): renamed over all the same, as
	 * these bytes are verified and those may have been damaged since; a reader that has
	 * the old file open keeps its inode. */
	if (rename(w->path, dest) < 0) {
		r = nr_error_set(err, RT_ERR_SYSTEM, errno, "storing blob %s: %m", got);
		goto out;
	}
	if (sync) {
		snprintf(dir, sizeof(dir), "%s/blobs/sha256", w->st->root);
		img_fs_sync_dir(dir);
	}
out:
	if (r >= 0 && ret_digest)
		memcpy(ret_digest, got, sizeof(img_digest));
	img_blob_abort(w);
	return r;
}

int img_blob_put(struct img_store *st, const void *buf, size_t len, img_digest ret_digest, struct nr_error *err)
{
	struct img_blob_writer *w = NULL;
	int r = img_blob_begin(st, &w, err);

	if (r < 0)
		return r;
	r = img_blob_write(w, buf, len, err);
	if (r < 0) {
		img_blob_abort(w);
		return r;
	}
	return img_blob_commit(w, NULL, ret_digest, err);
}

int img_blob_read(const struct img_store *st, const char *digest, char **ret_buf, size_t *ret_len, struct nr_error *err)
{
	char path[PATH_MAX];
	_cleanup_free_ char *buf = NULL;
	img_digest got;
	size_t len = 0;
	int r;

	if (!img_digest_valid(digest))
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "not a digest: %s", digest);
	r = img_fs_read(img_blob_path(st, digest, path, sizeof(path)), BLOB_READ_MAX, &buf, &len);
	if (r == -ENOENT)
		return nr_error_set(err, RT_ERR_NOT_FOUND, ENOENT, "blob %s is not in the store", digest);
	if (r < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, -r, "reading blob %s: %s", digest, strerror(-r));
	img_digest_buf(buf, len, got);
	if (strcmp(got, digest) != 0)
		return nr_error_set(err, RT_ERR_CORRUPT, EBADMSG, "blob %s is corrupt: its content's digest is %s",
				    digest, got);
	*ret_buf = TAKE_PTR(buf);
	if (ret_len)
		*ret_len = len;
	return 0;
}
