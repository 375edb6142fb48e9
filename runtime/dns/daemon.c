#include "daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdio.h"
#include "engine/rt_error.h"

int dns_pidfile_lock(int dirfd, int *ret_fd, struct nr_error *err)
{
	_cleanup_close_ int fd = openat(dirfd, "pid", O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot open the pid file: %s", strerror(errno));
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK)
			return nr_error_set(err, RT_ERR_CONFLICT, EWOULDBLOCK,
					    "already running (the pid file is locked)");
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot lock the pid file: %s", strerror(errno));
	}
	*ret_fd = TAKE_FD(fd);
	return 0;
}

int dns_pidfile_write(int fd, pid_t pid, struct nr_error *err)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d\n", (int)pid);

	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot write the pid file: %s", strerror(errno));
	return 0;
}

int dns_daemonize(int *ret_report_fd, struct nr_error *err)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "pipe: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "fork: %s", strerror(errno));
	}
	if (pid > 0) {
		/* The parent: the child's first byte is 'R' (ready) or 'E' and a message; EOF
		 * without a word means it died. */
		_cleanup_free_ char *msg = NULL;
		size_t len = 0;

		close(p[1]);
		fd_read_all(p[0], 4096, &msg, &len);
		if (len >= 1 && msg[0] == 'R')
			_exit(0);
		fprintf(stderr, "netns-run-dns: %s\n", len > 1 ? msg + 1 : "the responder died while starting");
		_exit(1);
	}
	close(p[0]);
	/* Out of the caller's directory (it may be a mount to undo); DIR is held by fd. */
	if (setsid() < 0 || chdir("/") < 0) {
		dns_daemon_report(p[1], "setsid failed");
		_exit(1);
	}
	*ret_report_fd = p[1];
	return 0;
}

void dns_daemon_report(int fd, const char *msg)
{
	char buf[1024];
	int n = snprintf(buf, sizeof(buf), "%c%s", msg ? 'E' : 'R', msg ? msg : "");

	if (n > (int)sizeof(buf) - 1)
		n = (int)sizeof(buf) - 1;
	fd_write_all(fd, buf, (size_t)n);
	close(fd);
}
