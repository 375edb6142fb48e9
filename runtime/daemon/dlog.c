/* The daemon's log (dlog.h). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "daemon/dlog.h"

static pthread_mutex_t dlog_lock = PTHREAD_MUTEX_INITIALIZER;
static int dlog_fd = -1; /* the --log-file; under dlog_lock */
static volatile bool dlog_debug_on;

static const char *const level_names[] = { "debug", "info", "warning", "error" };

int dlog_open_file(const char *path, struct nr_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0640);

	if (fd < 0)
		return nr_error_set(err, CNI_ERR_IO, errno, "--log-file %s: %s", path, strerror(errno));
	pthread_mutex_lock(&dlog_lock);
	if (dlog_fd >= 0)
		close(dlog_fd);
	dlog_fd = fd;
	pthread_mutex_unlock(&dlog_lock);
	return 0;
}

void dlog_set_debug(bool on)
{
	dlog_debug_on = on;
}

bool dlog_debug_enabled(void)
{
	return dlog_debug_on;
}

void dlog(enum dlog_level level, const char *fmt, ...)
{
	char line[2048];
	struct timespec ts;
	struct tm tm;
	va_list ap;
	int n;

	if (level == DLOG_DEBUG && !dlog_debug_on)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ level=%s ", tm.tm_year + 1900,
		     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
		     level_names[level]);
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(line) - 1)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	/* One write per destination: a line is never split between two writers. */
	pthread_mutex_lock(&dlog_lock);
	if (write(STDERR_FILENO, line, (size_t)n) < 0) {
		/* stderr gone (a closed terminal): the file still gets the line */
	}
	if (dlog_fd >= 0 && write(dlog_fd, line, (size_t)n) < 0) {
		/* nowhere left to say so */
	}
	pthread_mutex_unlock(&dlog_lock);
}

void dlog_close(void)
{
	pthread_mutex_lock(&dlog_lock);
	if (dlog_fd >= 0)
		close(dlog_fd);
	dlog_fd = -1;
	pthread_mutex_unlock(&dlog_lock);
}
