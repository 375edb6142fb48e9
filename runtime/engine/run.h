/* Running a container: this process is its monitor — it creates the container, networks
 * it before the command starts, waits for the command, and tears everything down when
 * it ends.  A front end calls, in order: ctr_run_create, ctr_run_start, ctr_run_wait,
 * then ctr_run_free; a step that fails has undone what it made.  Several containers
 * may run in one process (each with its own struct ctr_run). */
#ifndef NETNS_RUN_RUN_H
#define NETNS_RUN_RUN_H

#include <poll.h>
#include <stddef.h>

#include "base/error.h"
#include "container.h"
#include "opts.h"
#include "tty_relay.h"

struct ctr_run;

/* Reserve the name and create the container's directory and record (created).  o must
 * outlive the ctr_run.  The calling process is the record's monitor. */
int ctr_run_create(const struct run_opts *o, struct ctr_run **ret, struct nr_error *err);
/* The same for the exited container o->name, made ready to start again (Docker's start
 * of a stopped container): its id, created time, directory, writable layer and log are
 * kept; the rest of the record is o's, as a new one's.  RT_ERR_NOT_FOUND without it,
 * RT_ERR_CONFLICT while it runs or has a monitor.  A start that fails then (or a
 * ctr_run_free before the start) leaves it exited, not removed (unless o->rm). */
int ctr_run_create_again(const struct run_opts *o, struct ctr_run **ret, struct nr_error *err);

/* Everything between created and running: cgroups, the namespaces and the child that
 * becomes the init, the network, the command's start.  On failure the child is killed
 * and the container torn down and removed. */
int ctr_run_start(struct ctr_run *c, struct nr_error *err);

/* With -t: the caller's side of the pty (default: in 0 with -i, out 1, no terminal). */
void ctr_run_set_stdio(struct ctr_run *c, const struct tty_stdio *io);

/* More descriptors for ctr_run_wait's loop, besides the init's and the pty's: the
 * daemon's monitor (monitor.h) relays the command's pipes, its attachers and its socket
 * there, in the one thread that also forwards signals.  A hook and not a thread of its
 * own: the relay's state (attachers, the pty's output sink) is then touched by one
 * thread only, before and after the start alike, with no locks.  Each round, pollfds
 * fills at most CTR_RUN_HOOK_NFDS entries and returns how many; handle gets them back
 * with poll's revents. */
#define CTR_RUN_HOOK_NFDS 64
struct ctr_run_hook {
	size_t (*pollfds)(void *ctx, struct pollfd *p, size_t max);
	void (*handle)(void *ctx, const struct pollfd *p, size_t n);
	/* The command's exit status, once known and saved, before the teardown (which with
	 * --rm takes the record and its status away); NULL: none. */
	void (*ended)(void *ctx, int status);
	void *ctx;
};
/* h (NULL: none) must outlive the ctr_run_wait. */
void ctr_run_set_hook(struct ctr_run *c, const struct ctr_run_hook *h);
/* -t, during ctr_run_wait (from the hook): the pty's window size; -ENOTTY without one. */
int ctr_run_resize(struct ctr_run *c, unsigned short rows, unsigned short cols);

/* Forward the signals that arrive on sigfd (a signalfd; -1: none) to the init until the
 * command ends, then tear the container down (removing it with --rm).  *ret_status is the
 * command's exit status (137 after an OOM kill: rec->oom).  A failed teardown is
 * returned, with *ret_status still set. */
int ctr_run_wait(struct ctr_run *c, int sigfd, int *ret_status, struct nr_error *err);

const struct ctr_record *ctr_run_record(const struct ctr_run *c);
const char *ctr_run_dir(const struct ctr_run *c);
/* -d (o->detach): the write end of the pipe the monitor relays into the capped log
 * (log.h); the front end makes it the stdout and stderr the container inherits, and
 * its own.  -1 without -d. */
int ctr_run_log_fd(const struct ctr_run *c);

/* Frees; a container not yet started (or whose start failed) is removed. */
void ctr_run_free(struct ctr_run *c);
DEFINE_PTR_CLEANUP(ctr_run_freep, struct ctr_run *, ctr_run_free)
#define _cleanup_ctr_run_ _cleanup_(ctr_run_freep)

#endif
