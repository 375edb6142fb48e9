/* The daemon's container monitor (monitor.h) inside: one process, one poll loop (its own
 * before the start, ctr_run_wait's through a hook after it), these objects. */
#ifndef NETNS_RUN_MONITOR_INTERNAL_H
#define NETNS_RUN_MONITOR_INTERNAL_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "log_json.h"
#include "monitor.h"
#include "opts.h"
#include "run.h"

/* Connections served at once (each one a slot of ctr_run_wait's hook, with the listening
 * socket and the command's pipes); more are refused with "err". */
#define MON_CONN_MAX (CTR_RUN_HOOK_NFDS - 8)
/* Output an attacher may have unread beyond its socket's buffer before it is dropped:
 * the command never waits for an attacher. */
#define MON_BACKLOG_MAX (1 << 20)
#define MON_LINE_MAX 128

enum mon_conn_kind {
	MON_CONN_CMD,    /* reading its one command line */
	MON_CONN_ATTACH, /* "attach" answered: the stream */
};

struct mon_conn {
	int fd; /* non-blocking; -1: dropped (the slot is freed at the next round) */
	enum mon_conn_kind kind;
	char line[MON_LINE_MAX];
	size_t line_len;
	bool in, out, err; /* attach IN OUT ERR */
	bool in_eof;       /* its input ended (half-close) */
	char *obuf;        /* output its socket has not taken yet */
	size_t olen, ocap;
	char ibuf[4096]; /* input not yet taken by the command's stdin */
	size_t ilen, ioff;
};

enum mon_state { MON_CREATED, MON_RUNNING, MON_ENDED };

struct monitor {
	struct run_opts o; /* a copy: a resize before the start becomes the pty's first size */
	const struct monitor_opts *mo;
	struct ctr_run *run;
	struct ctr_jlog *log;
	enum mon_state state;
	bool start_failed;
	char dir[512];
	int lfd;            /* monitor.sock, listening, non-blocking */
	int sfd;            /* the signalfd */
	int out_rd, err_rd; /* the command's stdout and stderr pipes, our ends */
	int in_wr;          /* its stdin (or, with -t, the pty relay's input): -1 when closed */
	int in_rd;          /* -t: the relay's input, read by run.c's relay; ours to close */
	int child_fd[3];    /* what becomes the command's 0, 1, 2 at the start */
	bool close_in;      /* stdin_once: close in_wr once the pending input is written */
	struct mon_conn conns[MON_CONN_MAX];
	size_t n_conns;
	/* The last round's pollfds, what each was: */
	struct {
		int what; /* MON_SLOT_* or a connection's index */
	} slots[CTR_RUN_HOOK_NFDS];
	size_t n_slots;
};
#define MON_SLOT_LISTEN -1
#define MON_SLOT_OUT -2
#define MON_SLOT_ERR -3
#define MON_SLOT_IN -4

/* monitor_relay.c: the hook (run.h), also the pre-start loop's. */
size_t monitor_pollfds(void *ctx, struct pollfd *p, size_t max);
void monitor_handle(void *ctx, const struct pollfd *p, size_t n);
/* Output of the command to the log and every attacher. */
void monitor_output(struct monitor *m, enum ctr_stream s, const char *b, size_t n);
/* -t: the pty relay's sink (struct tty_stdio). */
void monitor_tty_sink(void *ctx, const char *b, size_t n);
/* The command ended: read its pipes to their end, then give attachers what they have
 * not taken (a bounded while) and close them. */
void monitor_finish(struct monitor *m);
void monitor_conn_drop(struct mon_conn *c);

/* monitor_cmd.c: one command line of a connection. */
void monitor_command(struct monitor *m, struct mon_conn *c);
/* The start (single-threaded: ctr_run_start clones). */
int monitor_start_command(struct monitor *m, struct nr_error *err);

/* monitor_sock.c: the address of dir/monitor.sock; a path longer than sun_path goes
 * through /proc/self/fd/N of *ret_dirfd (closed by the caller, -1 when unused). */
int monitor_sock_addr(const char *dir, struct sockaddr_un *sa, socklen_t *ret_len, int *ret_dirfd);

#endif
