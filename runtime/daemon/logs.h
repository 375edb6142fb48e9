/* A container's log as Docker's clients read it (GET /containers/{id}/logs, and attach's
 * logs=1): each entry raw (a tty) or as a multiplexed frame, optionally after its time. */
#ifndef NETNS_RUN_DAEMON_LOGS_H
#define NETNS_RUN_DAEMON_LOGS_H

#include <stdbool.h>

#include "base/error.h"
#include "engine/log_json.h"

struct logs_out {
	int fd;
	bool tty;        /* entries as they are; else framed with their stream's number */
	bool out, errs;  /* the streams wanted */
	bool timestamps; /* "2026-12-04T11:00:00.123456789Z " before each entry */
};

/* Container name's log entries matching q to lo->fd.  A container of `netns-run run -d`
 * (a plain <dir>/log, no JSON log) has its plain log served as stdout, without times.
 * -EPIPE when the reader went away. */
int logs_write(const char *name, const struct ctr_log_query *q, const struct logs_out *lo, struct nr_error *err);

/* Docker's fixed-width RFC 3339 time with nanoseconds and the trailing space into buf
 * (at least 32 bytes); returns its length. */
int logs_timestamp(long long time_ns, char *buf, size_t len);

/* A unix time with an optional fraction ("1733310000", "1733310000.5") to nanoseconds;
 * -EINVAL on garbage. */
int logs_parse_time(const char *s, long long *ret_ns);

#endif
