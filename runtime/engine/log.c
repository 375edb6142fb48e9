/* A detached container's capped log, relayed from a pipe (log.h). */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rt.h"
#include "rt_error.h"

#define PUMP_CHUNK (64 << 10)
#define PUMP_MAX_PER_CALL (1 << 20)

struct ctr_log {
	char path[512];
	int fd;        /* the current file, O_APPEND */
	int pipe[2];   /* [0] non-blocking, ours; [1] the container's stdout and stderr */
	size_t size;   /* of the current file */
	size_t max;    /* max-size */
	int max_files; /* max-file */
};

static int open_file(struct ctr_log *l, bool truncate)
{
	struct stat st;
	int fd = open(l->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0), 0600);

	if (fd < 0)
		return -errno;
	if (l->fd >= 0)
		close(l->fd);
	l->fd = fd;
	l->size = fstat(fd, &st) == 0 ? (size_t)st.st_size : 0;
	return 0;
}

/* log.<n-2> -> log.<n-1>, …, log -> log.1, then a new log; with one file, the log is
 * emptied.  A failure (the disk is full) keeps writing where it can. */
static void rotate(struct ctr_log *l)
{
	char from[600], to[600];

	if (l->max_files <= 1) {
		if (ftruncate(l->fd, 0) == 0)
			l->size = 0;
		return;
	}
	for (int i = l->max_files - 1; i >= 1; i--) {
		snprintf(to, sizeof(to), "%s.%d", l->path, i);
		if (i == 1)
			snprintf(from, sizeof(from), "%s", l->path);
		else
			snprintf(from, sizeof(from), "%s.%d", l->path, i - 1);
		rename(from, to);
	}
	if (open_file(l, true) < 0 && ftruncate(l->fd, 0) == 0)
		l->size = 0;
}

/* Within the cap: whole lines while they fit, then rotate; a line longer than the cap
 * is cut.  What the file system refuses is dropped. */
static void log_write(struct ctr_log *l, const char *buf, size_t n)
{
	while (n) {
		size_t room = l->size < l->max ? l->max - l->size : 0, take = n;
		if (n > room) {
			const char *nl = room ? memrchr(buf, '\n', room) : NULL;
			if (nl)
				take = (size_t)(nl - buf) + 1;
			else if (l->size > 0) {
				rotate(l);
				if (l->size > 0)
					return; /* could not start a new file: drop */
				continue;
			} else
				take = room;
		}
		ssize_t w = write(l->fd, buf, take);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* ENOSPC and the like: dropped, the container goes on */
		l->size += (size_t)w;
		buf += w;
		n -= (size_t)w;
	}
}

int ctr_log_open(const char *dir, long long max_size, int max_files, struct ctr_log **ret, struct nr_error *err)
{
	struct ctr_log *l = calloc(1, sizeof(*l));
	int r;

	if (!l)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	*l = (struct ctr_log){ .fd = -1, .pipe = { -1, -1 }, .max = (size_t)max_size, .max_files = max_files };
	snprintf(l->path, sizeof(l->path), "%s/log", dir);
	if ((r = open_file(l, false)) < 0) {
		ctr_log_free(l);
		return nr_error_set(err, RT_ERR_SYSTEM, -r, "cannot open %s: %s", l->path, strerror(-r));
	}
	if (pipe2(l->pipe, O_CLOEXEC) < 0 || fcntl(l->pipe[0], F_SETFL, O_NONBLOCK) < 0) {
		r = errno;
		ctr_log_free(l);
		return nr_error_set(err, RT_ERR_SYSTEM, r, "cannot make the log's pipe: %s", strerror(r));
	}
	*ret = l;
	return 0;
}

int ctr_log_writer_fd(const struct ctr_log *l)
{
	return l ? l->pipe[1] : -1;
}

int ctr_log_reader_fd(const struct ctr_log *l)
{
	return l ? l->pipe[0] : -1;
}

void ctr_log_pump(struct ctr_log *l)
{
	char buf[PUMP_CHUNK];

	for (size_t moved = 0; l && moved < PUMP_MAX_PER_CALL;) {
		ssize_t n = read(l->pipe[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* EAGAIN: empty for now; 0: every writer is gone */
		log_write(l, buf, (size_t)n);
		moved += (size_t)n;
	}
}

void ctr_log_sink(void *l, const char *b, size_t n)
{
	if (l)
		log_write(l, b, n);
}

void ctr_log_free(struct ctr_log *l)
{
	if (!l)
		return;
	if (l->pipe[1] >= 0)
		close(l->pipe[1]);
	if (l->pipe[0] >= 0) {
		ctr_log_pump(l);
		close(l->pipe[0]);
	}
	if (l->fd >= 0)
		close(l->fd);
	free(l);
}
