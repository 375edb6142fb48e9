/* --userns: the container's root is an unprivileged uid range of the host.  The runtime
 * (host root) writes the id maps and makes idmapped clones of the lower layers, so the
 * host's files keep their owners inside (root's files belong to the container's root)
 * while every write lands in the upper layer owned by the mapped range; the clones reach
 * the child over a socket (SCM_RIGHTS) because its mount namespace is already its own. */
#ifndef NETNS_RUN_USERNS_H
#define NETNS_RUN_USERNS_H

#include <sys/types.h>

#include "error.h"

/* uid_map and gid_map of pid: "0 base count". */
int userns_write_maps(pid_t pid, unsigned long base, unsigned long count, struct nr_error *err);

/* A detached clone of the mount at path, idmapped through pid's user namespace. */
int userns_idmapped_tree(const char *path, pid_t pid, int *ret_fd, struct nr_error *err);

/* Pass n descriptors over a unix socket, and receive at most max of them. */
int fds_send(int sock, const int *fds, int n);
int fds_recv(int sock, int *fds, int max);

#endif
