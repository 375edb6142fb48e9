#include "userns.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "cgroup.h"
#include "rt.h"
#include "rt_error.h"

int userns_write_maps(pid_t pid, unsigned long base, unsigned long count, struct nr_error *err)
{
	static const char *const files[] = { "uid_map", "gid_map" };
	char path[64], map[64];
	int r;

	snprintf(map, sizeof(map), "0 %lu %lu\n", base, count);
	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, files[i]);
		if ((r = rt_write_str(path, map)) < 0)
			return nr_error_set(err, RT_ERR_SYSTEM, r, "cannot write %s (%s): %s", path, map, strerror(-r));
	}
	return 0;
}

int userns_idmapped_tree(const char *path, pid_t pid, int *ret_fd, struct nr_error *err)
{
	char ns[64];
	_cleanup_close_ int tree = -1, userns = -1;
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP };

	snprintf(ns, sizeof(ns), "/proc/%d/ns/user", (int)pid);
	userns = open(ns, O_RDONLY | O_CLOEXEC);
	if (userns < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot open %s: %s", ns, strerror(errno));
	tree = (int)syscall(SYS_open_tree, AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot clone the mount of %s: %s", path,
				    strerror(errno));
	attr.userns_fd = (uint64_t)userns;
	if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno,
				    "--userns: cannot make an idmapped mount of %s (its file system or this kernel "
				    "does not support it): %s",
				    path, strerror(errno));
	*ret_fd = TAKE_FD(tree);
	return 0;
}

int fds_send(int sock, const int *fds, int n)
{
	char byte = 'f';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int) * RT_LAYERS_MAX)];
		struct cmsghdr align;
	} u;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (n > RT_LAYERS_MAX)
		return -E2BIG;
	memset(&u, 0, sizeof(u));
	if (n > 0) {
		msg.msg_control = u.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * n);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * n);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	}
	return sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

int fds_recv(int sock, int *fds, int max)
{
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int) * RT_LAYERS_MAX)];
		struct cmsghdr align;
	} u;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	ssize_t r;
	int n = 0;

	while ((r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	if (r <= 0)
		return r < 0 ? -errno : -EPIPE;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		for (int i = 0; i < k; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (n < max)
				fds[n++] = fd;
			else
				close(fd);
		}
	}
	return n;
}

/* --userns: map the ids, move the child into its cgroups (it may not itself), give the
 * upper layer to the container's root, and hand over idmapped clones of the lowers. */
int userns_prepare(pid_t pid, const char *ctr_dir, const struct run_opts *o, const struct cgroup_set *cg, int sock,
		   struct nr_error *err)
{
	const char *one_root[] = { "/" };
	const char *const *layers = o->n_rootfs ? o->rootfs : one_root;
	size_t n = o->n_rootfs ? o->n_rootfs : 1;
	int fds[RT_LAYERS_MAX], nfd = 0, r;
	char p[700];

	if ((r = userns_write_maps(pid, o->userns_base, o->userns_count, err)) < 0 ||
	    (r = cgroup_attach(cg, pid, CG_JOIN_V1 | CG_JOIN_DEVICES, err)) < 0)
		return r;
	static const char *const own[] = { "upper", "work" };
	for (size_t i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s/%s", ctr_dir, own[i]);
		if (chown(p, (uid_t)o->userns_base, (gid_t)o->userns_base) < 0)
			return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot chown %s: %s", p, strerror(errno));
	}
	for (size_t i = 0; i < n && r >= 0; i++) {
		snprintf(p, sizeof(p), "%s/lower%zu", ctr_dir, i);
		if (mkdir(p, 0755) < 0)
			r = nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot create %s: %s", p, strerror(errno));
		else if ((r = userns_idmapped_tree(layers[i], pid, &fds[nfd], err)) >= 0)
			nfd++;
	}
	if (r >= 0 && (r = fds_send(sock, fds, nfd)) < 0)
		nr_error_set(err, RT_ERR_SYSTEM, r, "cannot pass the layers to the container: %s", strerror(-r));
	for (int i = 0; i < nfd; i++)
		close(fds[i]);
	return r;
}
