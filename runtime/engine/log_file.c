/* A capped, rotated log file (log_file.h): the code the plain log (log.c) and the JSON
 * log (log_json.c) share. */
#include "log_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int reopen(struct log_file *f, bool truncate)
{
	struct stat st;
	int fd = open(f->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0), 0600);

	if (fd < 0)
		return -errno;
	if (f->fd >= 0)
		close(f->fd);
	f->fd = fd;
	f->size = fstat(fd, &st) == 0 ? (size_t)st.st_size : 0;
	return 0;
}

int log_file_open(struct log_file *f, const char *path, long long max_size, int max_files)
{
	*f = (struct log_file){ .fd = -1,
				.max = max_size > 0 ? (size_t)max_size : SIZE_MAX,
				.max_files = max_files > 0 ? max_files : 1 };
	if (snprintf(f->path, sizeof(f->path), "%s", path) >= (int)sizeof(f->path))
		return -ENAMETOOLONG;
	return reopen(f, false);
}

/* path.<n-2> -> path.<n-1>, …, path -> path.1, then a new path; with one file, the log
 * is emptied.  A failure (the disk is full) keeps writing where it can. */
static void rotate(struct log_file *f)
{
	char from[600], to[600];

	if (f->max_files <= 1) {
		if (ftruncate(f->fd, 0) == 0)
			f->size = 0;
		return;
	}
	for (int i = f->max_files - 1; i >= 1; i--) {
		snprintf(to, sizeof(to), "%s.%d", f->path, i);
		if (i == 1)
			snprintf(from, sizeof(from), "%s", f->path);
		else
			snprintf(from, sizeof(from), "%s.%d", f->path, i - 1);
		rename(from, to);
	}
	if (reopen(f, true) < 0 && ftruncate(f->fd, 0) == 0)
		f->size = 0;
}

void log_file_write(struct log_file *f, const char *buf, size_t n)
{
	while (n && f->fd >= 0) {
		size_t room = f->size < f->max ? f->max - f->size : 0, take = n;
		if (n > room) {
			const char *nl = room ? memrchr(buf, '\n', room) : NULL;
			if (nl)
				take = (size_t)(nl - buf) + 1;
			else if (f->size > 0) {
				rotate(f);
				if (f->size > 0)
					return; /* could not start a new file: drop */
				continue;
			} else
				take = room;
		}
		ssize_t w = write(f->fd, buf, take);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* ENOSPC and the like: dropped, the container goes on */
		f->size += (size_t)w;
		buf += w;
		n -= (size_t)w;
	}
}

void log_file_close(struct log_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}
