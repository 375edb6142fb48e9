/* The start protocol between the runtime (the parent, which becomes the container's
 * monitor) and the container's first process (the child, which becomes its init):
 *
 *   go      parent -> child   START_CGROUPS_READY ('c') once the cgroups are made and
 *                             limited: the child joins them; START_NETWORK_READY ('g')
 *                             once the network is up: the child starts the command.
 *                             EOF instead: the parent gave up; the child exits.
 *   err     child -> parent   a setup error's text; EOF without text: the command runs
 *   status  init -> parent    the command's exit status (an int), just before init exits,
 *                             so the parent can DEL the network while the kernel tears
 *                             the namespaces down
 *
 * Each side keeps its ends (close-on-exec, all of them) and closes the other's after
 * the clone; a process that dies closes its ends, which the other side sees. */
#ifndef NETNS_RUN_START_PROTO_H
#define NETNS_RUN_START_PROTO_H

#include <stdbool.h>
#include <sys/types.h>

#include "base/error.h"

enum start_msg {
	START_CGROUPS_READY = 'c',
	START_NETWORK_READY = 'g',
};

struct start_channel {
	int go[2], err[2], status[2]; /* [0] read end, [1] write end; -1 when closed */
};

#define START_CHANNEL_INIT              \
	{                               \
		{ -1, -1 }, { -1, -1 }, \
		{                       \
			-1, -1          \
		}                       \
	}

int start_channel_open(struct start_channel *ch, struct nr_error *err);
/* In the parent after the clone: close the child's ends (go[0], err[1], status[1]). */
void start_channel_parent_side(struct start_channel *ch);
void start_channel_close(struct start_channel *ch);
static inline void start_channel_closep(struct start_channel *ch)
{
	start_channel_close(ch);
}
#define _cleanup_start_channel_ __attribute__((cleanup(start_channel_closep)))

/* Parent: send a step; false when the child has gone (its read end closed). */
bool start_send(int go_wr, enum start_msg m);
/* Child: wait for step m; false when the parent gave up (EOF) or said otherwise. */
bool start_expect(int go_rd, enum start_msg m);
/* Child: report the setup error (the parent's start_wait_setup returns it). */
void start_report_error(int err_wr, const struct nr_error *err);
/* Parent: wait for the child's setup to end: EOF without text means the command runs;
 * text is the child's error. */
int start_wait_setup(int err_rd, struct nr_error *err);
/* Parent, once the command runs: a pidfd on it (the init's one child then), to notice a
 * command that ended while its init says nothing — stopped by a tracer or SIGSTOP, it
 * cannot reap it; -errno when there is none (it ended already: the status comes), which
 * poll skips. */
int start_watch_command(pid_t init);
/* How long the parent waits for the status after the command's end before it gives up
 * on the init: start_status_unreaped. */
#define START_INIT_GRACE_MS 2000
/* Parent: the command's exit status from its unreaped zombie (RT_EXIT_RUNTIME when
 * unreadable), and the init killed (SIGKILL ends a stopped or traced task too). */
int start_status_unreaped(int init_pidfd, int cmd_pidfd);
/* Init: the command's exit status; a failed write leaves the parent the pidfd's. */
void start_send_status(int status_wr, int code);
/* Parent: read it; false at EOF (the init died without a word). */
bool start_read_status(int status_rd, int *code);

#endif
