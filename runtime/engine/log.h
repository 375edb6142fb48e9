/* A detached container's log, <dir>/log, with a size cap as Docker's json-file driver
 * has (max-size, max-file): so one noisy container cannot fill the state directory.
 *
 * The cap is enforced by the one writer: the container's stdout and stderr are a pipe
 * (ctr_log_writer_fd) that its monitor relays into the file (ctr_log_pump), not the file
 * itself — a process writing straight into a file cannot be stopped at a size short of
 * RLIMIT_FSIZE, whose SIGXFSZ kills it.  When the file would pass max_size it is rotated
 * (log -> log.1 -> … -> log.<max_files-1>, the oldest dropped; with max_files 1 the log
 * starts again empty), cut after the last whole line that fits.  What the file system
 * refuses (a full disk) is dropped, never waited for: the container does not stall on a
 * full disk, only on a monitor that is slower than it. */
#ifndef NETNS_RUN_LOG_H
#define NETNS_RUN_LOG_H

#include "base/cleanup.h"
#include "base/error.h"

struct ctr_log;

/* Open (append to) dir/log and make the pipe. */
int ctr_log_open(const char *dir, long long max_size, int max_files, struct ctr_log **ret, struct nr_error *err);
/* The pipe's write end, for the container's stdout and stderr (and its monitor's). */
int ctr_log_writer_fd(const struct ctr_log *l);
/* The pipe's read end (non-blocking), to poll for POLLIN. */
int ctr_log_reader_fd(const struct ctr_log *l);
/* Move what the pipe holds into the file (up to a bound per call, so a flood cannot
 * starve the caller's other work). */
void ctr_log_pump(struct ctr_log *l);
/* Bytes the monitor itself has for the log (a -t pty's output), capped as the pipe's are;
 * the signature of struct tty_stdio's sink. */
void ctr_log_sink(void *l, const char *b, size_t n);
/* Pump what is left, then close all. */
void ctr_log_free(struct ctr_log *l);
DEFINE_PTR_CLEANUP(ctr_log_freep, struct ctr_log *, ctr_log_free)

#endif
