/* monitor.sock's address, for the monitor's bind and the daemon's connect. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "monitor_internal.h"

int monitor_sock_addr(const char *dir, struct sockaddr_un *sa, socklen_t *ret_len, int *ret_dirfd)
{
	int n;

	*ret_dirfd = -1;
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	n = snprintf(sa->sun_path, sizeof(sa->sun_path), "%s/%s", dir, CTR_MONITOR_SOCK);
	if (n >= (int)sizeof(sa->sun_path)) {
		/* A deep state dir and a long name pass sun_path's 108 bytes: the kernel resolves
		 * the path like any other, so a directory descriptor's /proc link shortens it. */
		int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		n = snprintf(sa->sun_path, sizeof(sa->sun_path), "/proc/self/fd/%d/%s", fd, CTR_MONITOR_SOCK);
		*ret_dirfd = fd;
	}
	*ret_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + (size_t)n + 1);
	return 0;
}
