/* Network namespaces: open one by path, run a function inside it and come back. */
#ifndef NETNS_RUN_NETNS_H
#define NETNS_RUN_NETNS_H

#include "base/error.h"

/* Open path as a network namespace.  A path that does not exist is code 3 (the container
 * is unknown); one that is not a network namespace is code 4 naming CNI_NETNS. */
int netns_open(const char *path, int *ret_fd, struct nr_error *err);

/* Run fn(arg) with the calling thread inside the namespace nsfd, then switch back.
 * Returns fn's value.  If switching back fails the process aborts: continuing in the
 * wrong namespace would configure the wrong network. */
int netns_run(int nsfd, int (*fn)(void *arg, struct nr_error *err), void *arg, struct nr_error *err);

/* Same, by path. */
int netns_run_path(const char *path, int (*fn)(void *arg, struct nr_error *err), void *arg, struct nr_error *err);

#endif
