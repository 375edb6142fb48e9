/* The copying under Docker's hijacked streams (attach, exec start): the client's bytes
 * to the command's input, the command's outputs to the client, raw or framed Docker's
 * way (api_write_frame), until the outputs end or the client goes away. */
#ifndef NETNS_RUN_DAEMON_RELAY_H
#define NETNS_RUN_DAEMON_RELAY_H

#include <stdbool.h>
#include <stddef.h>

#define RELAY_OUTS_MAX 2
/* The longest detach sequence taken. */
#define RELAY_DETACH_MAX 16

/* What the client's end of input (its half-close) does to in_fd. */
enum relay_in_eof {
	RELAY_EOF_NONE,    /* nothing: in_fd is also an output (a pty master) */
	RELAY_EOF_SHUT_WR, /* shutdown(in_fd, SHUT_WR): in_fd is a socket (a monitor's attach) */
	RELAY_EOF_CLOSE,   /* close(in_fd), which the relay then owns: a pipe's write end */
};

struct relay_out {
	int fd;
	int stream; /* 0: copied as it is; 1 (stdout), 2 (stderr): each read framed */
};

struct relay {
	int sock;  /* the hijacked connection */
	int in_fd; /* where the client's bytes go; -1: read and dropped */
	enum relay_in_eof in_eof;
	struct relay_out out[RELAY_OUTS_MAX];
	int n_out;
	/* Readable when the command has ended (a pidfd; -1: none): what the outputs still
	 * hold is then copied and the relay ends, even if a process the command left
	 * behind keeps an output open. */
	int done_fd;
	/* Docker's detach keys (a tty's attach): the client's input is watched for them, and
	 * the relay ends (RELAY_DETACHED) once they come, the command left running.  A prefix
	 * of them is held back until the next byte tells; the keys themselves never reach the
	 * command.  n_detach 0: not watched. */
	char detach[RELAY_DETACH_MAX];
	size_t n_detach;
};

enum relay_end {
	RELAY_OUTPUT_DONE, /* every output ended (or done_fd fired): relay_finish next */
	RELAY_CLIENT_GONE, /* the client closed the connection or a write to it failed */
	RELAY_DETACHED,    /* the client typed the detach keys: relay_finish next */
};

/* Docker's detach keys (its term.ToBytes): comma-separated, each "ctrl-X" (X a letter or
 * one of @ [ \ ] ^ _) or a single character; NULL or "": ctrl-p,ctrl-q, Docker's default.
 * -EINVAL for anything else or more than RELAY_DETACH_MAX keys. */
int relay_detach_keys(const char *spec, char ret[RELAY_DETACH_MAX], size_t *ret_len);

/* Descriptors are made non-blocking (sock blocking, for whole writes).  The caller
 * keeps its descriptors, but for in_fd with RELAY_EOF_CLOSE once the client's input
 * ended (r->in_fd is then -1). */
enum relay_end relay_run(struct relay *r);

/* Docker's end of a stream: half-close towards the client, then read what it still
 * sends (bounded in time) so that closing does not reset a connection with unread
 * data. */
void relay_finish(int sock);

/* Whether container name runs on a tty: its create body's "Tty" (config.json in its
 * directory; "Config"."Tty" as inspect shows it is understood too).  No body (a
 * container of `netns-run run`): false. */
bool relay_ctr_tty(const char *name);

#endif
