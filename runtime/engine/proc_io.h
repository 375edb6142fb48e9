/* What every process that carries a container (the CLI's run and exec, a container's
 * monitor, the daemon's exec, a lab's node) does with its signals and standard streams,
 * once here. */
#ifndef NETNS_RUN_PROC_IO_H
#define NETNS_RUN_PROC_IO_H

#include <stddef.h>

/* Block sigs and read them from the returned signalfd (sfd_flags: SFD_NONBLOCK and the
 * like; SFD_CLOEXEC always), their dispositions reset to the default after the block, so
 * the default action cannot happen in between and a process cloned from us starts from
 * them.  -errno on failure. */
int rt_signals_take(const int *sigs, size_t n, int sfd_flags);

/* A detached container's streams: stdin from /dev/null, stdout and stderr to log_fd (its
 * capped log, engine/log.h), so nothing keeps the caller's terminal or pipe open. */
void rt_stdio_to_log(int log_fd);

#endif
