/* A container whose monitor is a process of its own that waits between create and start:
 * Docker's create/start split, for the daemon (issue 18).  The daemon never runs a
 * container in its own (threaded) process: for each create it starts a fresh process
 * (its binary re-executed, daemon/monitor_main.c), which calls ctr_monitor_main.  The
 * monitor outlives the daemon: a daemon restarted later finds it through the record and
 * its socket.
 *
 * The monitor serves <dir>/monitor.sock (a stream socket, 0600), one command per
 * connection, as one line:
 *   "start\n"                -> "ok\n" once the command runs, or "err MESSAGE\n"
 *                               (the container is then removed, as a failed run's is)
 *   "attach IN OUT ERR\n"    -> "ok\n", then the connection is the attach stream: IN, OUT,
 *                               ERR are 0/1.  Without a tty, output comes as Docker's
 *                               multiplexed frames (8-byte header: stream 1 stdout, 2
 *                               stderr, 0 0 0, size big-endian); with one, raw.  What the
 *                               attacher writes goes to the command's stdin (IN=1 and
 *                               open_stdin); its half-close (EOF) closes that stdin when
 *                               stdin_once.  The monitor closes the connection when the
 *                               command has ended and its output is all sent.  Attaching
 *                               before "start" sees all output from the start on.
 *   "resize ROWS COLS\n"     -> "ok\n" (the pty's window; "err no tty" without -t)
 * Output is also written to the container's log (log_json.h) whether or not anyone is
 * attached; the command never waits for a slow attacher (an attacher that falls more than
 * a pipe's worth behind is dropped). */
#ifndef NETNS_RUN_MONITOR_H
#define NETNS_RUN_MONITOR_H

#include <stdbool.h>

#include "base/error.h"
#include "opts.h"

#define CTR_MONITOR_SOCK "monitor.sock"

struct monitor_opts {
	bool open_stdin; /* OpenStdin: attachers' input reaches the command */
	bool stdin_once; /* StdinOnce: the first attacher's EOF closes the command's stdin */
	/* Start again a container that exists and has exited (Docker's start of a stopped
	 * container, restart): o->name names it; its id, directory and writable layer are
	 * kept, its record becomes created again.  false: a new container (the name must be
	 * free). */
	bool again;
	/* With o->rm: called with the command's exit status just before the teardown removes
	 * the container (the daemon keeps it for wait?condition=removed); NULL: none. */
	void (*ended)(const char *name, int status);
};

/* In the monitor process (single-threaded until the command runs): create the container
 * (ctr_run_create; the record says created, this process its monitor), write
 * "ok ID NAME\n" or "err MESSAGE\n" to ready_fd and close it, then serve monitor.sock as
 * above until the command has ended and the container is torn down (removed with o->rm,
 * Docker's AutoRemove).  A container never started stays created while the monitor lives;
 * SIGTERM to a monitor whose container never started removes it.  Returns the process's
 * exit status. */
int ctr_monitor_main(const struct run_opts *o, const struct monitor_opts *mo, int ready_fd);

/* The daemon's side.  Each connects to name's monitor.sock; a container without a live
 * monitor: RT_ERR_CONFLICT "container NAME is not running" (attach, resize) or, for
 * start, RT_ERR_CONFLICT when it already runs. */
int ctr_monitor_start(const char *name, struct nr_error *err);
/* The attach stream's descriptor (owned by the caller), after the "ok". */
int ctr_monitor_attach(const char *name, bool in, bool out, bool errs, struct nr_error *err);
int ctr_monitor_resize(const char *name, unsigned rows, unsigned cols, struct nr_error *err);

#endif
