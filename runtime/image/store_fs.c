/* File system steps of the store: atomic writes, directory syncs, tree removal. */
#include <dirent.h>
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

int img_fs_sync_dir(const char *dir)
{
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	return fsync(fd) < 0 ? -errno : 0;
}

int img_fs_write_atomic(const char *tmp, const char *path, const void *buf, size_t len)
{
	int fd, r;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	/* Flushed before the rename, or a crash could leave the new name on an empty file. */
	r = fd_write_all(fd, buf, len);
	if (r >= 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r >= 0)
		r = -errno;
	if (r >= 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r < 0 ? r : 0;
}

int img_fs_read(const char *path, size_t max, char **ret_buf, size_t *ret_len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	return fd_read_all(fd, max, ret_buf, ret_len);
}

/* Empty the directory open as dfd (device dev), then nothing: the caller removes it.  A
 * layer may hold directories without write or search permission (a tar says 0555 or
 * 0000): they are opened up before their entries go, which root needs not but a
 * rootless store does.  Mount points (another st_dev) are left alone: a layer's diff
 * is never a mount, so one there is someone else's. */
static int empty_dir(int dfd, dev_t dev, long long *bytes)
{
	DIR *d;
	struct dirent *de;
	int r = 0;

	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -errno;
	}
	while ((errno = 0, de = readdir(d))) {
		struct stat st;
		int fd;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno != ENOENT && r == 0)
				r = -errno;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (bytes && S_ISREG(st.st_mode))
				*bytes += st.st_size;
			if (unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT && r == 0)
				r = -errno;
			continue;
		}
		if (st.st_dev != dev) {
			if (r == 0)
				r = -EBUSY;
			continue;
		}
		if ((st.st_mode & 0700) != 0700)
			fchmodat(dirfd(d), de->d_name, 0700, 0);
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			if (errno != ENOENT && r == 0)
				r = -errno;
			continue;
		}
		int q = empty_dir(fd, dev, bytes);
		if (q < 0 && r == 0)
			r = q;
		if (unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) < 0 && errno != ENOENT && r == 0)
			r = -errno;
	}
	if (errno && r == 0)
		r = -errno;
	closedir(d);
	return r;
}

int img_fs_rm_tree(const char *path, long long *bytes)
{
	struct stat st;
	int fd, r;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode)) {
		if (bytes && S_ISREG(st.st_mode))
			*bytes += st.st_size;
		return unlink(path) < 0 && errno != ENOENT ? -errno : 0;
	}
	if ((st.st_mode & 0700) != 0700)
		chmod(path, 0700);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	r = empty_dir(fd, st.st_dev, bytes);
	if (rmdir(path) < 0 && errno != ENOENT && r == 0)
		r = -errno;
	return r;
}

void img_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}
