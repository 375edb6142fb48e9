/* `diff CONTAINER`: a container's changes against what it runs on (docs/cli.md). */
#ifndef NETNS_RUN_DIFF_H
#define NETNS_RUN_DIFF_H

#include "base/error.h"
#include "image/layer.h"
#include "image/store.h"

/* The overlay lowers of image id: its layers' directories, top first; a NULL-ended strv
 * (rt_strv_free).  RT_ERR_NOT_FOUND when the image is gone. */
int image_lowers(const struct img_store *st, const char *id, char ***ret, struct nr_error *err);

/* fn for each path the container name changed (layer_diff's order and kinds): against its
 * image's layers, or the host's / for a host-root container.  (--rootfs layers are not in
 * the record: such a container is compared with / as well.)  The runtime's mount targets
 * (/dev, /proc, /sys, /etc/hostname, /etc/hosts, /etc/resolv.conf, when the image lacks
 * them) are left out, and a directory listed only for them, as Docker's init layer hides
 * its own. */
int ctr_diff(const char *name, int (*fn)(enum layer_change kind, const char *path, void *arg), void *arg,
	     struct nr_error *err);

#endif
