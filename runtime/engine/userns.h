/* --userns: the container's root is an unprivileged uid range of the host.  The runtime
 * (host root) writes the id maps and makes idmapped clones of the lower layers, so the
 * host's files keep their owners inside (root's files belong to the container's root)
 * while every write lands in the upper layer owned by the mapped range; the clones reach
 * the child over a socket (SCM_RIGHTS) because its mount namespace is already its own. */
#ifndef NETNS_RUN_USERNS_H
#define NETNS_RUN_USERNS_H

#include <jansson.h>
#include <sys/types.h>

#include "base/error.h"
#include "cgroup.h"
#include "opts.h"

/* uid_map and gid_map of pid: "0 base count". */
int userns_write_maps(pid_t pid, unsigned long base, unsigned long count, struct nr_error *err);

/* A detached clone of the mount at path, idmapped through pid's user namespace. */
int userns_idmapped_tree(const char *path, pid_t pid, int *ret_fd, struct nr_error *err);

/* Everything the runtime does for a --userns child before it may go on: map the ids,
 * move it into its cgroups (it may not itself), give upper/ and work/ to the container's
 * root, and send idmapped clones of the lower layers over sock. */
int userns_prepare(pid_t pid, const char *ctr_dir, const struct run_opts *o, const struct cgroup_set *cg, int sock,
		   struct nr_error *err);

/* Pass n descriptors over a unix socket, and receive at most max of them. */
int fds_send(int sock, const int *fds, int n);
int fds_recv(int sock, int *fds, int max);

#endif
