/* Starting a helper program that forks into the background once ready (the DNS responder,
 * the overlay agent): found next to this binary, run in a session of its own, waited for
 * until its first process exits, its stderr kept for the message. */
#ifndef NETNS_RUN_PROC_SPAWN_H
#define NETNS_RUN_PROC_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

#include "base/error.h"

/* $env_var when set, else name in the directory of this process's executable
 * (/proc/self/exe: make install puts them all in BINDIR, the build in build/bin). */
int proc_sibling_binary(const char *env_var, const char *name, char *buf, size_t len, struct nr_error *err);

/* Run argv[0] with argv and envp (stdin and stdout /dev/null, stderr kept), and wait at
 * most timeout_ms for that process to exit.  0 when it exits 0; else RT_ERR_SYSTEM with its
 * stderr on one line, or what ended it; what names the program in messages. */
int proc_spawn_wait(const char *what, char *const *argv, char *const *envp, int timeout_ms, struct nr_error *err);

/* A pidfd for pid (-1 with errno; ENOSYS before Linux 5.3). */
int proc_pidfd_open(pid_t pid);

#endif
