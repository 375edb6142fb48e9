/* The host's secrets hidden from a container whose lower layer is the host's own /
 * (docs/security.md, "Host secrets: masked paths of the default root"): shadow files,
 * SSH private host keys, /root, /home, the state of netns-run, CNI and other runtimes.
 * A directory is covered by an empty read-only tmpfs, a file by a read-only bind of
 * /dev/null (as runc masks /proc paths).  A volume (-v) on a masked path replaces the
 * mask; one under a masked directory gets its mount point in the empty tmpfs, which
 * turns read-only once the volumes are in (masks_seal).  --privileged and --rootfs
 * trees of the user's own are not masked. */
#ifndef NETNS_RUN_MASKS_H
#define NETNS_RUN_MASKS_H

#include <stddef.h>

#include "base/error.h"
#include "opts.h"

struct masks {
	int unsealed[16]; /* mounts of masked directories that hold volumes' mount points */
	size_t n;
};

/* Before the volumes, on the tree at merged (not yet the root). */
int masks_apply(const struct run_opts *o, const char *merged, struct masks *m, struct nr_error *err);
/* After them: the rest read-only.  Closes what masks_apply left open, also on failure. */
int masks_seal(struct masks *m, struct nr_error *err);

#endif
