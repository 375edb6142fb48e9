#include "dns_log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int log_dirfd = -1;

static int log_open(void)
{
	int fd = openat(log_dirfd, "log", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

	if (fd < 0)
		return -errno;
	if (dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	close(fd);
	return 0;
}

int dns_log_to_dir(int dirfd)
{
	log_dirfd = dirfd;
	return log_open();
}

static void log_rotate(void)
{
	struct stat st;

	if (log_dirfd < 0 || fstat(STDERR_FILENO, &st) < 0 || st.st_size < (off_t)DNS_LOG_MAX)
		return;
	if (renameat(log_dirfd, "log", log_dirfd, "log.1") == 0)
		log_open();
}

void dns_log(const char *fmt, ...)
{
	char line[1024];
	struct timespec ts;
	struct tm tm;
	va_list ap;
	int n;

	log_rotate();
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = (int)strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%SZ ", &tm);
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	/* One write per line, so that lines from a reload and a query never interleave. */
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}
