/* Opening the store: its layout, its lock, and this opening's scratch directory in tmp/. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "image/store_int.h"

static int mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int img_store_open(const char *state_dir, enum img_lock mode, struct img_store **ret, struct nr_error *err)
{
	/* A --userns container's root reaches its lowers through images/ and layers/:
	 * traversable (not listable) as the engine's containers/ is; the rest is private. */
	static const struct {
		const char *name;
		mode_t mode;
	} subdirs[] = { { "", 0711 },       { "layers", 0711 }, { "blobs", 0700 }, { "blobs/sha256", 0700 },
			{ "images", 0700 }, { "tmp", 0700 } };
	_cleanup_free_ struct img_store *st = calloc(1, sizeof(*st));
	char path[PATH_MAX + 32];
	int r;

	if (!st)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	st->lock_fd = st->tmp_lock_fd = -1;
	st->mode = mode;
	if (snprintf(st->root, sizeof(st->root), "%s/images", state_dir) >= (int)sizeof(st->root))
		return nr_error_set(err, RT_ERR_USAGE, ENAMETOOLONG, "state directory path too long: %s", state_dir);
	/* The lock file is made after the directories, so when it opens the layout is there:
	 * `run` pays one open, not a dozen mkdirs. */
	snprintf(path, sizeof(path), "%s/lock", st->root);
	st->lock_fd = open(path, O_RDWR | O_CLOEXEC);
	for (size_t i = 0; st->lock_fd < 0 && i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		snprintf(path, sizeof(path), "%s%s%s", st->root, subdirs[i].name[0] ? "/" : "", subdirs[i].name);
		r = mkdir_p(path, subdirs[i].mode);
		if (r >= 0 && chmod(path, subdirs[i].mode) < 0) /* the umask's, or an older store's */
			r = -errno;
		if (r < 0)
			return nr_error_set(err, RT_ERR_SYSTEM, -r, "creating the image store %s: %s", path,
					    strerror(-r));
	}
	snprintf(path, sizeof(path), "%s/lock", st->root);
	if (st->lock_fd < 0)
		st->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (st->lock_fd < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "opening the image store lock %s: %m", path);
	/* flock: the kernel drops it when the holder dies, so a crash leaves no stale lock. */
	while (flock(st->lock_fd, mode == IMG_LOCK_EXCLUSIVE ? LOCK_EX : LOCK_SH) < 0) {
		if (errno == EINTR)
			continue;
		r = -errno;
		close(st->lock_fd);
		return nr_error_set(err, RT_ERR_SYSTEM, -r, "locking the image store %s: %s", path, strerror(-r));
	}
	*ret = TAKE_PTR(st);
	return 0;
}

void img_store_close(struct img_store *st)
{
	if (!st)
		return;
	/* Our scratch directory is empty when every writer finished; leftovers (an abort that
	 * could not remove) stay for gc, which will see the lock released. */
	if (st->tmp_dir[0]) {
		char path[PATH_MAX + 8];

		snprintf(path, sizeof(path), "%s/lock", st->tmp_dir);
		/* A w- directory without its lock file has no owner: gc removes it. */
		unlink(path);
		rmdir(st->tmp_dir);
	}
	if (st->tmp_lock_fd >= 0)
		close(st->tmp_lock_fd);
	if (st->lock_fd >= 0)
		close(st->lock_fd);
	free(st);
}

const char *img_store_root(const struct img_store *st)
{
	return st->root;
}

/* tmp/w-XXXXXX with a flock'd "lock" inside.  It is made as tmp/.new-XXXXXX and renamed
 * once locked, so gc never finds a w- directory whose owner has not locked it yet. */
static int tmp_dir_make(struct img_store *st, struct nr_error *err)
{
	char tmpl[PATH_MAX], path[PATH_MAX + 16];
	int fd;

	if (snprintf(tmpl, sizeof(tmpl), "%s/tmp/.new-XXXXXX", st->root) >= (int)sizeof(tmpl))
		return nr_error_set(err, RT_ERR_SYSTEM, ENAMETOOLONG, "image store path too long");
	if (!mkdtemp(tmpl))
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "creating a directory in %s/tmp: %m", st->root);
	snprintf(path, sizeof(path), "%s/lock", tmpl);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		unlink(path);
		rmdir(tmpl);
		return nr_error_set(err, RT_ERR_SYSTEM, e, "locking %s: %s", path, strerror(e));
	}
	snprintf(st->tmp_dir, sizeof(st->tmp_dir), "%s/tmp/w-%s", st->root, strrchr(tmpl, '-') + 1);
	if (rename(tmpl, st->tmp_dir) < 0) {
		int e = errno;

		close(fd);
		unlink(path);
		rmdir(tmpl);
		st->tmp_dir[0] = '\0';
		return nr_error_set(err, RT_ERR_SYSTEM, e, "renaming %s: %s", tmpl, strerror(e));
	}
	st->tmp_lock_fd = fd;
	return 0;
}

int img_tmp_path(struct img_store *st, const char *what, char *buf, size_t len, struct nr_error *err)
{
	int r;

	if (!st->tmp_dir[0] && (r = tmp_dir_make(st, err)) < 0)
		return r;
	if (snprintf(buf, len, "%s/%s-%u", st->tmp_dir, what, st->tmp_seq++) >= (int)len)
		return nr_error_set(err, RT_ERR_SYSTEM, ENAMETOOLONG, "image store path too long");
	return 0;
}

int img_store_write_record(struct img_store *st, const char *path, const char *text, struct nr_error *err)
{
	char tmp[PATH_MAX];
	int r = img_tmp_path(st, "rec", tmp, sizeof(tmp), err);

	if (r < 0)
		return r;
	r = img_fs_write_atomic(tmp, path, text, strlen(text));
	if (r < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, -r, "writing %s: %s", path, strerror(-r));
	/* The rename itself reaches the disk with its directory. */
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	img_fs_sync_dir(dir);
	return 0;
}

int img_store_need_writer(const struct img_store *st, const char *what, struct nr_error *err)
{
	if (st->mode != IMG_LOCK_EXCLUSIVE)
		return nr_error_set(err, RT_ERR_USAGE, EBADF, "%s: the image store is open for reading only", what);
	return 0;
}
