/* A helper process that holds DIR/pid (its pid, under an exclusive flock, for as long as it
 * lives): the DNS responder, the overlay agent.  Is it alive, signal it, stop it.  what
 * names the process in messages ("the DNS responder"). */
#ifndef NETNS_RUN_PROC_PIDFILE_H
#define NETNS_RUN_PROC_PIDFILE_H

#include <stdbool.h>

#include "base/error.h"

/* Whether a process holds DIR/pid's lock.  The probe takes that lock for an instant: a
 * process starting then would refuse to run, so callers start theirs under a lock of
 * their own (DIR/lock). */
bool proc_pidfile_alive(const char *dir);

/* Send sig to it; 0 when none is alive, 1 when sent. */
int proc_pidfile_signal(const char *dir, const char *what, int sig, struct nr_error *err);

/* SIGTERM it and wait until it is gone (SIGKILL after 2 s); 0 when none was alive, 1 when
 * stopped. */
int proc_pidfile_stop(const char *dir, const char *what, struct nr_error *err);

#endif
