/* The JSON log's reader (log_json.h): every file of the log, oldest first, each line an
 * entry (a line that is not one of ours, or a last line the writer has not finished, is
 * skipped); --tail needs the count first, so the files are read into memory once (their
 * size is capped: max_size * max_files).  follow then keeps reading the current file,
 * following it through rotations, until the container's monitor is gone. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "container.h"
#include "log_json.h"
#include "log_json_internal.h"
#include "rt.h"
#include "rt_error.h"

/* The most rotated files looked for (ctr.log.1 …). */
#define JLOG_FILES_MAX 100
/* While following, how often the monitor is looked at when nothing is written. */
#define FOLLOW_CHECK_MS 200

struct reader {
	const struct ctr_log_query *q;
	ctr_log_fn fn;
	void *ctx;
	long skip;  /* entries matching q still to pass over (--tail) */
	long count; /* counting pass: entries matching q */
	bool counting;
	int verdict; /* fn's nonzero answer */
};

bool ctr_jlog_parse_time(const char *s, long long *ret_ns)
{
	struct tm tm = { 0 };
	long long frac = 0;
	int n = 0, digits = 0;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
		   &tm.tm_sec, &n) != 6)
		return false;
	s += n;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++, digits++)
			if (digits < 9)
				frac = frac * 10 + (*s - '0');
	for (; digits < 9; digits++)
		frac *= 10;
	long off = 0;
	if (*s == '+' || *s == '-') {
		int hh, mm;
		if (sscanf(s + 1, "%2d:%2d", &hh, &mm) != 2)
			return false;
		off = (*s == '+' ? 1 : -1) * (hh * 3600L + mm * 60L);
	} else if (*s != 'Z') {
		return false;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	time_t t = timegm(&tm);
	if (t == (time_t)-1)
		return false;
	*ret_ns = ((long long)t - off) * 1000000000LL + frac;
	return true;
}

/* One line (without its newline): to fn when it is an entry that matches q. */
static void one_line(struct reader *rd, const char *line, size_t len)
{
	json_t *j = json_loadb(line, len, JSON_ALLOW_NUL, NULL);
	json_t *log = json_object_get(j, "log"), *stream = json_object_get(j, "stream");
	const char *t = json_string_value(json_object_get(j, "time")), *s = json_string_value(stream);
	struct ctr_log_entry e;

	if (!json_is_string(log) || !s || !t || !ctr_jlog_parse_time(t, &e.time_ns))
		goto out; /* not an entry of ours: skipped */
	if (!strcmp(s, "stdout"))
		e.stream = CTR_STDOUT;
	else if (!strcmp(s, "stderr"))
		e.stream = CTR_STDERR;
	else
		goto out;
	if ((rd->q->since_ns && e.time_ns < rd->q->since_ns) || (rd->q->until_ns && e.time_ns > rd->q->until_ns))
		goto out;
	if (rd->counting) {
		rd->count++;
	} else if (rd->skip > 0) {
		rd->skip--;
	} else {
		e.text = json_string_value(log);
		e.len = json_string_length(log);
		rd->verdict = rd->fn(rd->ctx, &e);
	}
out:
	json_decref(j);
}

/* The whole lines of buf; returns how many bytes they took (a last, unfinished line is
 * left). */
static size_t lines(struct reader *rd, const char *buf, size_t n)
{
	size_t done = 0;

	while (done < n && !rd->verdict) {
		const char *nl = memchr(buf + done, '\n', n - done);
		if (!nl)
			break;
		one_line(rd, buf + done, (size_t)(nl - (buf + done)));
		done = (size_t)(nl - buf) + 1;
	}
	return done;
}

struct jfile {
	char *buf;
	size_t len;
};

static int read_fd(int fd, struct jfile *f)
{
	size_t cap = 0;

	for (;;) {
		if (cap - f->len < 65536) {
			char *nb = realloc(f->buf, cap + (cap < 65536 ? 65536 : cap));
			if (!nb)
				return -ENOMEM;
			f->buf = nb;
			cap += cap < 65536 ? 65536 : cap;
		}
		ssize_t r = read(fd, f->buf + f->len, cap - f->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return 0;
		f->len += (size_t)r;
	}
}

struct jlog_files {
	struct jfile f[JLOG_FILES_MAX + 1]; /* [0] the oldest … [n-1] the current */
	size_t n;
	int cur_fd; /* the current file, read to its end; -1 when there is none */
	ino_t cur_ino;
};

static void files_free(struct jlog_files *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		free(fs->f[i].buf);
	if (fs->cur_fd >= 0)
		close(fs->cur_fd);
}

/* Every file into memory.  The current one is opened first and older ones after: a
 * rotation in between shows as an older file we hold already (same inode), skipped. */
static int files_load(const char *path, struct jlog_files *fs, struct nr_error *err)
{
	int fds[JLOG_FILES_MAX + 1], nfd = 0, r = 0;
	ino_t inos[JLOG_FILES_MAX + 1];
	char p[PATH_MAX];
	struct stat st;

	fs->n = 0;
	fs->cur_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fs->cur_fd < 0)
		return errno == ENOENT
			       ? 0
			       : nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot open %s: %s", path, strerror(errno));
	fstat(fs->cur_fd, &st);
	fs->cur_ino = st.st_ino;
	for (int i = 1; i <= JLOG_FILES_MAX; i++) {
		snprintf(p, sizeof(p), "%s.%d", path, i);
		int fd = open(p, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			break;
		bool dup = fstat(fd, &st) < 0 || st.st_ino == fs->cur_ino;
		for (int k = 0; k < nfd && !dup; k++)
			dup = inos[k] == st.st_ino;
		if (dup) {
			close(fd);
			continue;
		}
		inos[nfd] = st.st_ino;
		fds[nfd++] = fd;
	}
	for (int k = nfd - 1; k >= 0; k--) { /* the oldest first */
		if (r >= 0)
			r = read_fd(fds[k], &fs->f[fs->n++]);
		close(fds[k]);
	}
	if (r >= 0)
		r = read_fd(fs->cur_fd, &fs->f[fs->n++]);
	if (r < 0)
		return nr_error_set(err, r == -ENOMEM ? RT_ERR_NOMEM : RT_ERR_SYSTEM, -r, "cannot read %s: %s", path,
				    strerror(-r));
	return 0;
}

/* follow: what comes after the files read, through rotations, until the monitor is gone
 * (its pid and start time as the record said when the read began). */
struct follow {
	int fd;
	ino_t ino;
	off_t off;
	char *part; /* an unfinished last line */
	size_t len, cap;
};

/* Read what fd has beyond f->off; > 0 when something came. */
static int follow_read(struct reader *rd, struct follow *f)
{
	char buf[65536];
	int got = 0;

	while (f->fd >= 0) {
		ssize_t n = pread(f->fd, buf, sizeof(buf), f->off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return got;
		got = 1;
		f->off += n;
		if (f->len + (size_t)n > f->cap) {
			size_t cap = f->len + (size_t)n + 65536;
			char *np = realloc(f->part, cap);
			if (!np)
				return -ENOMEM;
			f->part = np;
			f->cap = cap;
		}
		memcpy(f->part + f->len, buf, (size_t)n);
		f->len += (size_t)n;
		size_t used = lines(rd, f->part, f->len);
		memmove(f->part, f->part + used, f->len - used);
		f->len -= used;
		if (rd->verdict)
			return got;
	}
	return got;
}

/* The file at path is another than ours (rotated) or shorter (emptied, max-file 1):
 * go on from its start. */
static void follow_reopen(const char *path, struct follow *f)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return;
	if (f->fd < 0 || st.st_ino != f->ino) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return;
		if (f->fd >= 0)
			close(f->fd);
		f->fd = fd;
		f->ino = st.st_ino;
	} else if (st.st_size >= f->off) {
		return;
	}
	f->off = 0;
	f->len = 0; /* a cut line of the old file: not an entry */
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int follow(const char *dir, const char *path, const struct ctr_record *rec, struct reader *rd, struct follow *f)
{
	_cleanup_close_ int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	bool last = false;

	if (in >= 0)
		inotify_add_watch(in, dir, IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE);
	for (;;) {
		int got = follow_read(rd, f);
		if (got < 0)
			return got;
		if (rd->verdict)
			return 0;
		if (got)
			continue;
		struct stat st;
		if (stat(path, &st) == 0 && (f->fd < 0 || st.st_ino != f->ino || st.st_size < f->off)) {
			/* What the writer added to the old file before it rotated, first: our
			 * descriptor still reads it after the rename (even after its removal). */
			if ((got = follow_read(rd, f)) < 0)
				return got;
			if (rd->verdict)
				return 0;
			follow_reopen(path, f);
			continue;
		}
		/* The writer gone, everything it wrote is read, through its last rotation too. */
		if (last)
			return 0;
		if (rd->q->until_ns && now_ns() > rd->q->until_ns)
			return 0;
		/* Gone: once more round, for what it wrote last. */
		if (!ctr_monitor_alive(rec)) {
			last = true;
			continue;
		}
		struct pollfd p = { .fd = in, .events = POLLIN };
		if (poll(&p, 1, FOLLOW_CHECK_MS) > 0) {
			char ev[4096];
			while (read(in, ev, sizeof(ev)) > 0)
				;
		} else if (rd->q->idle && (rd->verdict = rd->q->idle(rd->ctx))) {
			return 0;
		}
	}
}

int ctr_jlog_read(const char *name, const struct ctr_log_query *q, ctr_log_fn fn, void *ctx, struct nr_error *err)
{
	_cleanup_record_ struct ctr_record *rec = NULL;
	struct jlog_files fs = { .cur_fd = -1 };
	struct reader rd = { .q = q, .fn = fn, .ctx = ctx };
	char dir[512], path[600];
	int r;

	if ((r = ctr_store_load(name, &rec, err)) < 0)
		return r;
	rt_ctr_path(dir, sizeof(dir), rec->name, NULL);
	snprintf(path, sizeof(path), "%s/%s", dir, CTR_JLOG_FILE);
	if ((r = files_load(path, &fs, err)) < 0)
		goto out;
	if (q->tail >= 0) {
		rd.counting = true;
		for (size_t i = 0; i < fs.n; i++)
			lines(&rd, fs.f[i].buf, fs.f[i].len);
		rd.counting = false;
		rd.skip = rd.count > q->tail ? rd.count - q->tail : 0;
	}
	for (size_t i = 0; i < fs.n && !rd.verdict; i++)
		lines(&rd, fs.f[i].buf, fs.f[i].len);
	/* No log: a container of the CLI's (its monitor may live on, writing none). */
	if (rd.verdict || !q->follow || fs.cur_fd < 0 || !ctr_monitor_alive(rec)) {
		r = rd.verdict;
		goto out;
	}
	/* What follows the current file's last whole line is read again by follow. */
	struct jfile *cur = &fs.f[fs.n - 1];
	const char *lastnl = cur->len ? memrchr(cur->buf, '\n', cur->len) : NULL;
	struct follow f = { .fd = fs.cur_fd, .ino = fs.cur_ino, .off = lastnl ? lastnl - cur->buf + 1 : 0 };
	fs.cur_fd = -1;
	r = follow(dir, path, rec, &rd, &f);
	if (f.fd >= 0)
		close(f.fd);
	free(f.part);
	if (r < 0)
		r = nr_error_set(err, RT_ERR_NOMEM, -r, "out of memory");
	else
		r = rd.verdict;
out:
	files_free(&fs);
	return r;
}
