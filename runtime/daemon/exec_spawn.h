/* Running an exec instance (exec_store.h): its stdio as the daemon holds it, the helper
 * process (`netns-run-daemon --exec`, exec_main.c) and its end. */
#ifndef NETNS_RUN_DAEMON_EXEC_SPAWN_H
#define NETNS_RUN_DAEMON_EXEC_SPAWN_H

#include <stdbool.h>
#include <sys/types.h>

#include "base/error.h"
#include "exec_store.h"

/* The helper's descriptors 0, 1, 2 (child) and the daemon's ends (ours, -1 where none):
 * pipes without a tty (stdin's write end, stdout's and stderr's read ends; /dev/null for
 * what is not attached), the one pty master with a tty (the child's are its slave, raw,
 * rows x cols when given).  Detached: /dev/null for all. */
struct exec_stdio {
	int child[3];
	int ours[3];
};
int exec_stdio_open(const struct exec_inst *e, bool detach, unsigned short rows, unsigned short cols,
		    struct exec_stdio *s, struct nr_error *err);
/* Close what is still open (an fd shared by several slots once). */
void exec_stdio_close(struct exec_stdio *s);

/* Start the helper with s->child as its stdio. */
int exec_spawn(const struct exec_inst *e, const struct exec_stdio *s, pid_t *ret_pid, struct nr_error *err);

/* Reap the helper: its exit status (128+N for a signal; -1 if lost). */
int exec_wait(pid_t pid);
/* Reap it in a thread of its own and then call finish with its status (the client is
 * gone, or the exec is detached). */
typedef void (*exec_finish_fn)(struct exec_inst *e, int code);
void exec_reap_async(struct exec_inst *e, pid_t pid, exec_finish_fn finish);
/* The same for a tty's exec its client detached from: the thread also reads and drops
 * what the command writes to its pty (master, which it then owns and closes once the
 * command has ended; e->master until then, for resizes), so the command neither blocks on
 * a full pty nor sees the hangup of a closed one. */
void exec_reap_async_draining(struct exec_inst *e, pid_t pid, int master, exec_finish_fn finish);

#endif
