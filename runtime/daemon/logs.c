/* GET /containers/{id}/logs (logs.h): the JSON log through ctr_jlog_read, or the plain
 * log of a container that `netns-run run -d` made. */
#include "logs.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "engine/container.h"
#include "engine/rt_error.h"
#include "relay.h"
#include "routes.h"

/* How often a followed plain log is looked at again. */
#define PLAIN_FOLLOW_MS 200
/* Rotated plain logs: log.1 … at most this many are read. */
#define PLAIN_FILES_MAX 100

int logs_timestamp(long long time_ns, char *buf, size_t len)
{
	struct tm tm;
	time_t s = (time_t)(time_ns / 1000000000LL);
	char date[32];

	/* Entries without a time (the plain log): Go's zero time, as Docker shows it. */
	if (time_ns <= 0)
		return snprintf(buf, len, "0001-01-01T00:00:00.000000000Z ");
	gmtime_r(&s, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	return snprintf(buf, len, "%s.%09lldZ ", date, time_ns % 1000000000LL);
}

int logs_parse_time(const char *s, long long *ret_ns)
{
	long long sec = 0, frac = 0;
	int digits = 0;
	const char *p = s;

	if (!*p)
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (sec > (long long)9e9)
			return -EINVAL;
		sec = sec * 10 + (*p - '0');
	}
	if (p == s)
		return -EINVAL;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++)
			if (digits < 9) {
				frac = frac * 10 + (*p - '0');
				digits++;
			}
		for (; digits < 9; digits++)
			frac *= 10;
	}
	if (*p)
		return -EINVAL;
	*ret_ns = sec * 1000000000LL + frac;
	return 0;
}

/* One entry to the reader: nonzero stops (the reader is gone). */
static int write_entry(void *ctx, const struct ctr_log_entry *e)
{
	const struct logs_out *lo = ctx;
	char ts[48];
	int n = 0;

	if ((e->stream == CTR_STDOUT && !lo->out) || (e->stream == CTR_STDERR && !lo->errs))
		return 0;
	if (lo->timestamps)
		n = logs_timestamp(e->time_ns, ts, sizeof(ts));
	if (lo->tty)
		return (n && api_write_all(lo->fd, ts, (size_t)n) < 0) || api_write_all(lo->fd, e->text, e->len) < 0;
	if (!n)
		return api_write_frame(lo->fd, (int)e->stream, e->text, e->len) < 0;
	/* One frame per entry, the time inside it, as Docker's. */
	_cleanup_free_ char *b = malloc((size_t)n + e->len);
	if (!b)
		return 1;
	memcpy(b, ts, (size_t)n);
	memcpy(b + n, e->text, e->len);
	return api_write_frame(lo->fd, (int)e->stream, b, (size_t)n + e->len) < 0;
}

static bool file_exists(const char *dir, const char *file)
{
	char path[600];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return access(path, F_OK) == 0;
}

/* Lines of buf[0..len) from line `skip` on, as stdout entries; a last line without its
 * newline too when `partial`.  Returns the bytes used, or -EPIPE. */
static long plain_emit(const struct logs_out *lo, const char *buf, size_t len, size_t skip, bool partial)
{
	size_t off = 0, line = 0;

	while (off < len) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t end = nl ? (size_t)(nl - buf) + 1 : len;
		if (!nl && !partial)
			break;
		if (line++ >= skip) {
			struct ctr_log_entry e = { .stream = CTR_STDOUT, .text = buf + off, .len = end - off };
			if (write_entry((void *)lo, &e))
				return -EPIPE;
		}
		off = end;
	}
	return (long)off;
}

static int read_file(const char *path, char **buf, size_t *len)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char chunk[65536];
	size_t n;

	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		char *b = realloc(*buf, *len + n);
		if (!b)
			return -ENOMEM;
		memcpy(b + *len, chunk, n);
		*buf = b;
		*len += n;
	}
	return 0;
}

/* Whether the reader of out has gone (a pipe's reader closed: POLLERR; a socket: POLLHUP);
 * waits up to ms for it. */
static bool reader_gone(int out, int ms)
{
	struct pollfd p = { .fd = out, .events = 0 };

	return poll(&p, 1, ms) > 0 && (p.revents & (POLLERR | POLLHUP));
}

static bool ctr_still_running(const char *name)
{
	_cleanup_record_ struct ctr_record *rec = NULL;

	return ctr_store_load(name, &rec, NULL) == 0 && ctr_running(rec);
}

/* The plain log (log.N … log.1, log), as stdout; following: what is appended to log
 * while the container runs.  Its lines carry no time: since/until do not apply. */
static int plain_write(const char *name, const char *dir, const struct ctr_log_query *q, const struct logs_out *lo)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, lines = 0, skip = 0;
	char path[600];
	int n_old = 0, r;
	struct stat st;

	while (n_old < PLAIN_FILES_MAX &&
	       (snprintf(path, sizeof(path), "%s/log.%d", dir, n_old + 1), access(path, F_OK) == 0))
		n_old++;
	for (int i = n_old; i >= 1; i--) {
		snprintf(path, sizeof(path), "%s/log.%d", dir, i);
		if ((r = read_file(path, &buf, &len)) < 0)
			return r;
	}
	snprintf(path, sizeof(path), "%s/log", dir);
	size_t before = len;
	if ((r = read_file(path, &buf, &len)) < 0)
		return r;
	long long offset = (long long)(len - before); /* how far into log we have read */
	for (size_t i = 0; i < len; i++)
		lines += buf[i] == '\n';
	if (len && buf[len - 1] != '\n')
		lines++;
	if (q->tail >= 0 && (size_t)q->tail < lines)
		skip = lines - (size_t)q->tail;
	long used = plain_emit(lo, buf, len, skip, !q->follow);
	if (used < 0)
		return (int)used;
	if (!q->follow)
		return 0;
	/* What was not emitted (a line still being written) is read again below. */
	offset -= (long long)(len - (size_t)used);
	for (bool last = false; !last;) {
		last = !ctr_still_running(name);
		if (!last && reader_gone(lo->fd, PLAIN_FOLLOW_MS))
			return -EPIPE;
		_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) < 0)
			continue;
		if (st.st_size < offset)
			offset = 0; /* rotated: the new log from its start */
		if (st.st_size == offset)
			continue;
		_cleanup_free_ char *more = malloc((size_t)(st.st_size - offset));
		ssize_t got = more ? pread(fd, more, (size_t)(st.st_size - offset), offset) : -1;
		if (got <= 0)
			continue;
		if ((used = plain_emit(lo, more, (size_t)got, 0, last)) < 0)
			return (int)used;
		offset += used;
	}
	return 0;
}

int logs_write(const char *name, const struct ctr_log_query *q, const struct logs_out *lo, struct nr_error *err)
{
	char dir[512];

	rt_ctr_path(dir, sizeof(dir), name, NULL);
	if (!file_exists(dir, CTR_JLOG_FILE) && !file_exists(dir, CTR_JLOG_FILE ".1") && file_exists(dir, "log"))
		return plain_write(name, dir, q, lo);
	int r = ctr_jlog_read(name, q, write_entry, (void *)lo, err);
	return r > 0 ? -EPIPE : r;
}

struct logs_ctx {
	char name[RT_NAME_MAX];
	struct ctr_log_query q;
	struct logs_out lo;
};

static void logs_stream(int out, void *ctx)
{
	struct logs_ctx *c = ctx;
	struct nr_error err = { 0 };

	c->lo.fd = out;
	/* The headers are gone: a failure can only end the stream early. */
	logs_write(c->name, &c->q, &c->lo, &err);
}

int h_container_logs(struct api_req *r)
{
	char name[RT_NAME_MAX];
	struct nr_error err = { 0 };
	struct logs_ctx c = { .q = { .tail = -1 } };
	const char *v;
	int ret;

	if ((ret = ctr_store_resolve(r->params[0], name, &err)) < 0)
		return api_reply_nr_error(r, &err);
	if (api_query_bool(r, "follow", false, &c.q.follow) < 0 || api_query_bool(r, "stdout", false, &c.lo.out) < 0 ||
	    api_query_bool(r, "stderr", false, &c.lo.errs) < 0 ||
	    api_query_bool(r, "timestamps", false, &c.lo.timestamps) < 0)
		return api_reply_error(r, 400, "bad boolean parameter");
	if (!c.lo.out && !c.lo.errs)
		return api_reply_error(r, 400, "Bad parameters: you must choose at least one stream");
	if ((v = api_query(r, "since")) && *v && logs_parse_time(v, &c.q.since_ns) < 0)
		return api_reply_error(r, 400, "invalid value for \"since\": %s", v);
	if ((v = api_query(r, "until")) && *v && logs_parse_time(v, &c.q.until_ns) < 0)
		return api_reply_error(r, 400, "invalid value for \"until\": %s", v);
	/* Docker: "all", or anything that is not a count, means every line. */
	if ((v = api_query(r, "tail")) && *v && strcmp(v, "all") != 0) {
		char *end;
		long n = strtol(v, &end, 10);
		if (!*end && n >= 0)
			c.q.tail = n;
	}
	snprintf(c.name, sizeof(c.name), "%s", name);
	c.lo.tty = relay_ctr_tty(name);
	struct logs_ctx *heap = malloc(sizeof(*heap));
	if (!heap)
		return api_reply_error(r, 500, "out of memory");
	*heap = c;
	return api_reply_stream(r, 200,
				c.lo.tty ? "application/vnd.docker.raw-stream"
					 : "application/vnd.docker.multiplexed-stream",
				logs_stream, heap, free);
}
