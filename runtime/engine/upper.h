/* The container's writable layer: upper/ and work/ in its directory.  They are plain
 * directories of the state dir, except where the state dir cannot hold an overlay's
 * upper layer (on overlayfs: netns-run inside another container); there they live on a
 * size-limited tmpfs mounted at <dir>/rw, and upper/ and work/ are symbolic links into
 * it (docs/runtime.md, "The writable layer on overlayfs"). */
#ifndef NETNS_RUN_UPPER_H
#define NETNS_RUN_UPPER_H

#include <stddef.h>

#include "base/error.h"

/* The tmpfs's size when NETNS_RUN_UPPER_TMPFS_SIZE does not say. */
#define UPPER_TMPFS_SIZE_DEFAULT "1g"

/* upper/ and work/ in the container's directory dir (which exists). */
int upper_create(const char *dir, struct nr_error *err);

/* Why an overlay with its upper layer in dir may have been refused, for an error
 * message: "" when nothing is known. */
const char *upper_hint(const char *dir, char *buf, size_t len);

/* Remove the container's directory dir, its writable layer's tmpfs first. */
int upper_remove_dir(const char *dir);

#endif
