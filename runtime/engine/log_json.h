/* The log of a container run by a monitor (monitor.h): <dir>/ctr.log, one JSON object
 * per line as Docker's json-file driver writes them,
 *   {"log":"hello\n","stream":"stdout","time":"2026-12-04T11:00:00.123456789Z"}
 * so that the daemon can give each stream, timestamps, --tail and --since (issue 18).
 * Capped as the plain log is (log.h): ctr.log is rotated to ctr.log.1 … at max_size,
 * at most max_files files.  One writer (the monitor); readers any time, also while it
 * writes (a line is written with one write(2), so a reader sees whole lines). */
#ifndef NETNS_RUN_LOG_JSON_H
#define NETNS_RUN_LOG_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "base/cleanup.h"
#include "base/error.h"

#define CTR_JLOG_FILE "ctr.log"

enum ctr_stream { CTR_STDOUT = 1, CTR_STDERR = 2 };

struct ctr_jlog;

int ctr_jlog_open(const char *dir, long long max_size, int max_files, struct ctr_jlog **ret, struct nr_error *err);
/* Output of one stream: an entry per line (a line's end included in its text); a last
 * part without a newline waits for more, or for ctr_jlog_flush / a 16 KiB cap (Docker
 * splits long lines too).  With a tty the stream is CTR_STDOUT. */
void ctr_jlog_write(struct ctr_jlog *l, enum ctr_stream s, const char *buf, size_t n);
void ctr_jlog_flush(struct ctr_jlog *l);
/* Flushes, then frees. */
void ctr_jlog_free(struct ctr_jlog *l);
DEFINE_PTR_CLEANUP(ctr_jlog_freep, struct ctr_jlog *, ctr_jlog_free)

struct ctr_log_entry {
	enum ctr_stream stream;
	const char *text; /* not NUL-terminated */
	size_t len;
	long long time_ns; /* unix time in nanoseconds */
};

/* fn's verdict: 0 go on, nonzero stop (ctr_jlog_read returns it). */
typedef int (*ctr_log_fn)(void *ctx, const struct ctr_log_entry *e);

struct ctr_log_query {
	long long since_ns, until_ns; /* 0: no bound */
	long tail;                    /* the last tail entries only; -1: all */
	/* Keep reading new entries as they come until the container's monitor is gone and
	 * all is read, or fn stops. */
	bool follow;
	/* follow: called with fn's ctx whenever nothing new has come for a while (about every
	 * 200 ms), so a reader whose client went away notices without an entry to write;
	 * nonzero stops (ctr_jlog_read returns it).  NULL: none. */
	int (*idle)(void *ctx);
};

/* Container name's log (all its files, oldest first), entries matching q to fn.  A
 * container without a log (made by `netns-run run`, or never started): no entries. */
int ctr_jlog_read(const char *name, const struct ctr_log_query *q, ctr_log_fn fn, void *ctx, struct nr_error *err);

#endif
