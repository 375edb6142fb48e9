/* Exclusive locks on files under /run/netns-run, which serialise the plugins' nftables
 * read-then-write steps across processes (flock: released by the kernel when the holder
 * dies, so a crashed plugin never leaves a lock behind). */
#ifndef NETNS_RUN_LOCKFILE_H
#define NETNS_RUN_LOCKFILE_H

#include "error.h"

#define LOCKFILE_DIR "/run/netns-run"

/* Open (creating LOCKFILE_DIR and path when missing) and flock(LOCK_EX) path, waiting for
 * the holder.  *ret_fd holds the lock until it is closed. */
int lockfile_take(const char *path, int *ret_fd, struct nr_error *err);

#endif
