/* Deleting a link without waiting for the kernel's memory reclaim.
 *
 * The kernel takes a link out of its namespace (its name free, its addresses, routes and
 * bridge port gone, both ends of a veth pair) and announces RTM_DELLINK within a
 * millisecond or so of an RTM_DELLINK request; the request's system call then goes on
 * waiting for an RCU barrier before the device's memory is freed (netdev_run_todo), which
 * is 10-20 ms on this kind of machine and a full grace period on any.  A CNI DEL on a
 * container's way out only needs the first part.  link_delete_unlisted hands the request
 * to a short-lived child process and returns once the kernel has announced the link gone;
 * the child waits out the barrier on its own and exits. */
#ifndef NETNS_RUN_LINK_UNLIST_H
#define NETNS_RUN_LINK_UNLIST_H

#include <stddef.h>

#include "base/error.h"
#include "nlsock.h"

/* Delete the link `name` of the calling thread's network namespace and return once it is
 * gone from it.  A link already gone counts as deleted (0).  linger: descriptors whose
 * last close may wait on the kernel as well (an nfnetlink socket after a commit waits for
 * the commit's grace period): the child holds them until it exits, so that the caller's
 * own close of them returns at once.  When no child can be made, the deletion is done
 * here and waits. */
int link_delete_unlisted(struct nlsock *s, const char *name, const int *linger, size_t n_linger, struct nr_error *err);

#endif
