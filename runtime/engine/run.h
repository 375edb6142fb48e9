/* Running a container: this process is its monitor — it creates the container, networks
 * it before the command starts, waits for the command, and tears everything down when
 * it ends.  A front end calls, in order: ctr_run_create, ctr_run_start, ctr_run_wait,
 * then ctr_run_free; a step that fails has undone what it made.  Several containers
 * may run in one process (each with its own struct ctr_run). */
#ifndef NETNS_RUN_RUN_H
#define NETNS_RUN_RUN_H

#include "base/error.h"
#include "container.h"
#include "opts.h"
#include "tty_relay.h"

struct ctr_run;

/* Reserve the name and create the container's directory and record (created).  o must
 * outlive the ctr_run.  The calling process is the record's monitor. */
int ctr_run_create(const struct run_opts *o, struct ctr_run **ret, struct nr_error *err);

/* Everything between created and running: cgroups, the namespaces and the child that
 * becomes the init, the network, the command's start.  On failure the child is killed
 * and the container torn down and removed. */
int ctr_run_start(struct ctr_run *c, struct nr_error *err);

/* With -t: the caller's side of the pty (default: in 0 with -i, out 1, no terminal). */
void ctr_run_set_stdio(struct ctr_run *c, const struct tty_stdio *io);

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
