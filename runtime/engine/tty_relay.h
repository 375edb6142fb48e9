/* Copying between a pty's master and the caller's side (a terminal, pipes, or the
 * daemon's attach streams): input from in_fd to the master, the master's output to
 * out_fd.  The relay adds its descriptors to the caller's poll loop (run.c's supervise,
 * exec.c's wait), so one loop also watches the process and the signals. */
#ifndef NETNS_RUN_TTY_RELAY_H
#define NETNS_RUN_TTY_RELAY_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/ioctl.h>

#define TTY_RELAY_NFDS 2

/* The caller's side of a command's stdio, for -t: in (-1: no input), out, and term, the
 * caller's terminal whose window size the pty follows (-1: none).  Without -t the
 * command uses the caller's descriptors 0, 1, 2 directly. */
struct tty_stdio {
	int in, out, term;
	/* Instead of out: where the master's output goes (a detached container's capped log,
	 * which the same poll loop relays: a blocking write into its pipe could wait on that
	 * loop forever).  NULL: out. */
	void (*sink)(void *ctx, const char *b, size_t n);
	void *sink_ctx;
};

struct tty_relay {
	int master;                 /* owned: closed by tty_relay_close; -1: no pty */
	int in_fd, out_fd, term_fd; /* struct tty_stdio's */
	void (*sink)(void *ctx, const char *b, size_t n);
	void *sink_ctx;
	char buf[4096]; /* input read but not yet written to the master */
	size_t len, off;
	bool hup; /* the master reported that no slave is open */
};

/* Takes master. */
void tty_relay_init(struct tty_relay *r, int master, const struct tty_stdio *io);
/* Fill p[0..TTY_RELAY_NFDS-1] for poll. */
void tty_relay_pollfds(const struct tty_relay *r, struct pollfd *p);
/* Act on what poll reported in p. */
void tty_relay_handle(struct tty_relay *r, const struct pollfd *p);
/* The command ended: copy what the master still holds to out_fd (waiting a little for
 * what the kernel has not handed over yet, while some slave is still open). */
void tty_relay_drain(struct tty_relay *r);
/* The window size: from term_fd (after SIGWINCH), or given (the daemon's resize); the
 * kernel then sends SIGWINCH to the pty's foreground process group. */
void tty_relay_sync_size(struct tty_relay *r);
void tty_relay_resize(struct tty_relay *r, const struct winsize *ws);
void tty_relay_close(struct tty_relay *r);

#endif
