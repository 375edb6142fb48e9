#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "base/cleanup.h"

int netns_open(const char *path, int *ret_fd, struct nr_error *err)
{
	_cleanup_close_ int fd = -1;
	int type;

	if (!path || !*path)
		return nr_error_set(err, CNI_ERR_INVALID_ENV, EINVAL, "CNI_NETNS is empty");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		if (e == ENOENT)
			return nr_error_set(err, CNI_ERR_UNKNOWN_CONTAINER, e,
					    "network namespace %s does not exist (CNI_NETNS)", path);
		return nr_error_set(err, CNI_ERR_INVALID_ENV, e, "cannot open network namespace %s (CNI_NETNS): %s",
				    path, strerror(e));
	}
	/* NS_GET_NSTYPE answers only on nsfs files (Linux 4.11+); anything else is not a
	 * namespace at all. */
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type < 0 || type != CLONE_NEWNET)
		return nr_error_set(err, CNI_ERR_INVALID_ENV, EINVAL, "CNI_NETNS %s is not a network namespace", path);
	*ret_fd = TAKE_FD(fd);
	return 0;
}

int netns_run(int nsfd, int (*fn)(void *arg, struct nr_error *err), void *arg, struct nr_error *err)
{
	_cleanup_close_ int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	int r;

	if (self < 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, errno, "cannot open the current network namespace: %s",
				    strerror(errno));
	if (setns(nsfd, CLONE_NEWNET) < 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, errno, "cannot enter the network namespace: %s",
				    strerror(errno));
	r = fn(arg, err);
	if (setns(self, CLONE_NEWNET) < 0) {
		fprintf(stderr, "netns-run: cannot return to the original network namespace: %s\n", strerror(errno));
		abort();
	}
	return r;
}

int netns_run_path(const char *path, int (*fn)(void *arg, struct nr_error *err), void *arg, struct nr_error *err)
{
	_cleanup_close_ int fd = -1;
	int r = netns_open(path, &fd, err);

	if (r < 0)
		return r;
	return netns_run(fd, fn, arg, err);
}
