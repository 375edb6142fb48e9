/* A detached container's capped log, relayed from a pipe (log.h). */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log_file.h"
#include "rt.h"
#include "rt_error.h"

#define PUMP_CHUNK (64 << 10)
#define PUMP_MAX_PER_CALL (1 << 20)

struct ctr_log {
	struct log_file file;
	int pipe[2]; /* [0] non-blocking, ours; [1] the container's stdout and stderr */
};

int ctr_log_open(const char *dir, long long max_size, int max_files, struct ctr_log **ret, struct nr_error *err)
{
	struct ctr_log *l = calloc(1, sizeof(*l));
	char path[512];
	int r;

	if (!l)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	*l = (struct ctr_log){ .file = { .fd = -1 }, .pipe = { -1, -1 } };
	snprintf(path, sizeof(path), "%s/log", dir);
	if ((r = log_file_open(&l->file, path, max_size, max_files)) < 0) {
		ctr_log_free(l);
		return nr_error_set(err, RT_ERR_SYSTEM, -r, "cannot open %s: %s", path, strerror(-r));
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
		log_file_write(&l->file, buf, (size_t)n);
		moved += (size_t)n;
	}
}

void ctr_log_sink(void *l, const char *b, size_t n)
{
	if (l)
		log_file_write(&((struct ctr_log *)l)->file, b, n);
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
	log_file_close(&l->file);
	free(l);
}
