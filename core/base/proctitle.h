/* A forked child's own name in ps and /proc/PID/cmdline. */
#ifndef NETNS_RUN_PROCTITLE_H
#define NETNS_RUN_PROCTITLE_H

/* Name the calling process `name` (comm, and its command line as /proc shows it) and blank
 * its environment as /proc shows it, by overwriting the argument and environment strings
 * in place (the range /proc/self/stat gives), as setproctitle does.  For a child forked
 * from a program, which is otherwise a copy of it there and counted by tools that look
 * for that program's processes.  Async-signal-safe (system calls only): fit for a child
 * of a threaded process.  The process must not read its arguments or environment
 * afterwards.  Best effort: returns 0 or -errno. */
int proctitle_set(const char *name);

#endif
