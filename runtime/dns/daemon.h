/* The responder's process: its pid file and lock, and going into the background only once
 * it listens.  DIR/pid is held with an exclusive flock for the whole life of the process
 * (the engine reads "alive" as "the lock is taken": no pid-reuse race) and holds its pid. */
#ifndef NETNS_RUN_DNS_DAEMON_H
#define NETNS_RUN_DNS_DAEMON_H

#include <sys/types.h>

#include "base/error.h"

/* Open and lock DIR/pid without waiting; -EWOULDBLOCK (and "already running") when
 * another responder holds it. */
int dns_pidfile_lock(int dirfd, int *ret_fd, struct nr_error *err);
/* Replace its content with pid. */
int dns_pidfile_write(int fd, pid_t pid, struct nr_error *err);

/* Fork.  The parent waits for the child's word and exits: 0 once the child says ready,
 * 1 with the child's message on stderr otherwise.  In the child (a new session) this
 * returns 0 and the fd to report on. */
int dns_daemonize(int *ret_report_fd, struct nr_error *err);
/* From the child: ready (msg NULL) or failed with msg; closes fd. */
void dns_daemon_report(int fd, const char *msg);

#endif
