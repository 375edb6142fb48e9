/* The daemon's own log: one line per event on stderr, and in the --log-file when one is
 * given ("2026-12-04T11:40:00.123Z level=info msg"), serialised by a mutex so lines from
 * concurrent requests never interleave.  Debug lines (one per request) only with --debug. */
#ifndef NETNS_RUN_DAEMON_DLOG_H
#define NETNS_RUN_DAEMON_DLOG_H

#include <stdbool.h>

#include "base/error.h"

enum dlog_level { DLOG_DEBUG, DLOG_INFO, DLOG_WARN, DLOG_ERROR };

/* Open path for appending (0640) as the second destination; -errno when it cannot be. */
int dlog_open_file(const char *path, struct nr_error *err);
void dlog_set_debug(bool on);
bool dlog_debug_enabled(void);
void dlog(enum dlog_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void dlog_close(void);

#define dlog_debug(...) dlog(DLOG_DEBUG, __VA_ARGS__)
#define dlog_info(...) dlog(DLOG_INFO, __VA_ARGS__)
#define dlog_warn(...) dlog(DLOG_WARN, __VA_ARGS__)
#define dlog_error(...) dlog(DLOG_ERROR, __VA_ARGS__)

#endif
