/* Records replaced in a fixed-size slot by exchanging two names (record_file.h). */
#include "record_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdio.h"

#define SLOT_ALIGN 4096

static void unlockp(int *fd)
{
	if (*fd >= 0) {
		flock(*fd, LOCK_UN);
		close(*fd);
	}
}

/* close, whose error is the last word of a write-back file system (NFS). */
static int close_checked(int *fd)
{
	int r = close(*fd) < 0 ? -errno : 0;

	*fd = -1;
	return r;
}

/* The directory, locked (LOCK_EX or LOCK_SH) until the returned fd is closed. */
static int dir_lock(const char *dir, int how)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (flock(fd, how) < 0) {
		if (errno == EINTR)
			continue;
		int r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

static size_t slot_for(size_t len)
{
	return (len + 2 * RECORD_FILE_HEADROOM + SLOT_ALIGN - 1) / SLOT_ALIGN * SLOT_ALIGN;
}

static int size_of(int fd, size_t *ret)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	*ret = (size_t)st.st_size;
	return 0;
}

static int pwrite_all(int fd, const char *buf, size_t len, off_t off)
{
	while (len) {
		ssize_t n = pwrite(fd, buf, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

/* fd's first size bytes: text, then spaces ending in a newline; flushed.  Over a file
 * of size bytes already this allocates nothing. */
static int fill(int fd, const char *text, size_t len, size_t size)
{
	_cleanup_free_ char *buf = malloc(size);
	int r;

	if (!buf)
		return -ENOMEM;
	memcpy(buf, text, len);
	memset(buf + len, ' ', size - len);
	buf[size - 1] = '\n';
	if ((r = pwrite_all(fd, buf, size, 0)) < 0)
		return r;
	return fdatasync(fd) < 0 ? -errno : 0;
}

/* Extend fd to size with spaces, in place: its text stays whole whatever happens. */
static int grow(int fd, size_t size)
{
	size_t have = 0;
	int r;

	if ((r = size_of(fd, &have)) < 0 || have >= size)
		return r;
	_cleanup_free_ char *pad = malloc(size - have);
	if (!pad)
		return -ENOMEM;
	memset(pad, ' ', size - have);
	return pwrite_all(fd, pad, size - have, (off_t)have);
}

/* The first text: written beside the slot's spare, then renamed into place, so a failure
 * (no space for the slot) leaves nothing. */
static int create_first(int dfd, const char *name, const char *spare, const char *text, size_t len)
{
	char tmp[NAME_MAX + 1];
	size_t size = slot_for(len);
	_cleanup_close_ int fd = -1, sp = -1;
	int r;

	snprintf(tmp, sizeof(tmp), "%s.new", name);
	fd = openat(dfd, tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	sp = openat(dfd, spare, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || sp < 0)
		r = -errno;
	else if ((r = fill(fd, text, len, size)) >= 0 && (r = fill(sp, "", 0, size)) >= 0 &&
		 ((r = close_checked(&fd)) < 0 || (r = close_checked(&sp)) < 0 || renameat(dfd, tmp, dfd, name) < 0))
		r = r < 0 ? r : -errno;
	if (r < 0) {
		unlinkat(dfd, tmp, 0);
		unlinkat(dfd, spare, 0);
	}
	return r;
}

int record_file_replace(const char *dir, const char *name, const char *text)
{
	_cleanup_(unlockp) int dfd = dir_lock(dir, LOCK_EX);
	_cleanup_close_ int cur = -1, sp = -1;
	char spare[NAME_MAX + 1];
	size_t len = strlen(text), size = 0, sp_size = 0;
	int r;

	if (dfd < 0)
		return dfd;
	snprintf(spare, sizeof(spare), "%s.spare", name);
	cur = openat(dfd, name, O_RDWR | O_CLOEXEC);
	if (cur < 0 && errno == ENOENT)
		r = create_first(dfd, name, spare, text, len);
	else if (cur < 0)
		r = -errno;
	else {
		/* A record written before slots existed (or a slot a crash left uneven) is made
		 * whole first: both files of one size, with room for this text. */
		sp = openat(dfd, spare, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (sp < 0 || (r = size_of(cur, &size)) < 0 || (r = size_of(sp, &sp_size)) < 0)
			return sp < 0 ? -errno : r;
		size = size > sp_size ? size : sp_size;
		if (size < len + RECORD_FILE_HEADROOM)
			size = slot_for(len);
		if ((r = grow(cur, size)) < 0 || (r = fill(sp, text, len, size)) < 0 || (r = close_checked(&cur)) < 0 ||
		    (r = close_checked(&sp)) < 0)
			return r;
		if (renameat2(dfd, spare, dfd, name, RENAME_EXCHANGE) == 0)
			r = 0;
		else if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
			r = -errno;
		else if (renameat(dfd, spare, dfd, name) < 0)
			r = -errno;
		else {
			/* A file system without RENAME_EXCHANGE (NFS): the text landed by a plain
			 * rename; a new spare is allocated, which a full disk may refuse: then the
			 * next replace allocates, and may fail, with the old text kept. */
			_cleanup_close_ int fresh = openat(dfd, spare, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
			if (fresh < 0 || fill(fresh, "", 0, size) < 0)
				unlinkat(dfd, spare, 0);
			r = 0;
		}
	}
	/* No fsync of the directory: the text was flushed before the exchange, so after a
	 * power cut either name holds a whole text (the old or the new), which is all a
	 * record needs; a directory flush would cost a journal commit per save. */
	return r;
}

int record_file_read(const char *dir, const char *name, size_t max, char **ret_buf, size_t *ret_len)
{
	_cleanup_(unlockp) int dfd = dir_lock(dir, LOCK_SH);
	_cleanup_close_ int fd = -1;

	if (dfd < 0)
		return dfd;
	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return fd_read_all(fd, max, ret_buf, ret_len);
}
