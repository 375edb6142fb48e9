/* The daemon's side of monitor.sock (monitor.h): one connection per command, its answer
 * line read byte by byte (after an attach's "ok" the stream begins). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "container.h"
#include "monitor_internal.h"
#include "rt.h"
#include "rt_error.h"

/* How long an answer may take: a start sets up cgroups, the network and the root. */
#define START_TIMEOUT_S 120
#define ANSWER_TIMEOUT_S 10

static int not_running(const char *name, struct nr_error *err)
{
	return nr_error_set(err, RT_ERR_CONFLICT, ESRCH, "container %s is not running", name);
}

/* Connected to name's monitor, with the command sent; the record in *ret_rec. */
static int monitor_connect(const char *name, const char *cmd, int timeout_s, struct ctr_record **ret_rec,
			   struct nr_error *err)
{
	_cleanup_record_ struct ctr_record *rec = NULL;
	_cleanup_close_ int fd = -1, dirfd = -1;
	struct timeval tv = { .tv_sec = timeout_s };
	struct sockaddr_un sa;
	char dir[512];
	socklen_t len;
	int r;

	if ((r = ctr_store_load(name, &rec, err)) < 0)
		return r;
	rt_ctr_path(dir, sizeof(dir), rec->name, NULL);
	if (!ctr_monitor_alive(rec))
		return -ESRCH;
	if ((r = monitor_sock_addr(dir, &sa, &len, &dirfd)) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, -r, "%s: %s", dir, strerror(-r));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	/* No socket, or nobody listening: a monitor of the CLI's (no socket), or one that is
	 * ending. */
	if (connect(fd, (struct sockaddr *)&sa, len) < 0)
		return errno == ENOENT || errno == ECONNREFUSED
			       ? -ESRCH
			       : nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot reach the monitor of %s: %s", name,
					      strerror(errno));
	if (send(fd, cmd, strlen(cmd), MSG_NOSIGNAL) != (ssize_t)strlen(cmd))
		return -ESRCH;
	*ret_rec = TAKE_PTR(rec);
	return TAKE_FD(fd);
}

/* The answer line, without its newline; -ESRCH when the monitor closed without one. */
static int answer(int fd, char *buf, size_t len, const char *name, struct nr_error *err)
{
	size_t n = 0;

	while (n + 1 < len) {
		ssize_t r = recv(fd, buf + n, 1, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return nr_error_set(err, RT_ERR_SYSTEM, ETIMEDOUT, "the monitor of %s did not answer", name);
		if (r <= 0)
			return -ESRCH;
		if (buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = '\0';
	return 0;
}

/* "ok" -> 0; "err MESSAGE" -> kind with MESSAGE. */
static int verdict(const char *line, int kind, struct nr_error *err)
{
	if (!strcmp(line, "ok"))
		return 0;
	if (!strncmp(line, "err ", 4))
		return nr_error_set(err, kind, EIO, "%s", line + 4);
	return nr_error_set(err, RT_ERR_SYSTEM, EPROTO, "unexpected answer from the monitor: %.200s", line);
}

int ctr_monitor_start(const char *name, struct nr_error *err)
{
	_cleanup_record_ struct ctr_record *rec = NULL;
	_cleanup_close_ int fd = monitor_connect(name, "start\n", START_TIMEOUT_S, &rec, err);
	char line[NR_ERROR_MSG_MAX + 8];
	int r;

	if (fd == -ESRCH) {
		/* No monitor waiting: it runs (a start came first), or it is not created. */
		_cleanup_record_ struct ctr_record *now = NULL;
		if (ctr_store_load(name, &now, err) < 0)
			return -ENOENT;
		if (ctr_running(now))
			return nr_error_set(err, RT_ERR_CONFLICT, EBUSY, "container %s is already running", name);
		return nr_error_set(err, RT_ERR_CONFLICT, ESRCH,
				    "container %s has no monitor waiting to start it (it is not created)", name);
	}
	if (fd < 0)
		return fd;
	if ((r = answer(fd, line, sizeof(line), name, err)) == -ESRCH)
		return nr_error_set(err, RT_ERR_SYSTEM, EPIPE, "the monitor of %s ended without an answer", name);
	if (r < 0)
		return r;
	/* A second start finds it running: Docker's 304, a conflict here. */
	if (!strncmp(line, "err ", 4) && strstr(line, " is already running"))
		return verdict(line, RT_ERR_CONFLICT, err);
	return verdict(line, RT_ERR_SYSTEM, err);
}

int ctr_monitor_attach(const char *name, bool in, bool out, bool errs, struct nr_error *err)
{
	_cleanup_record_ struct ctr_record *rec = NULL;
	char cmd[32], line[NR_ERROR_MSG_MAX + 8];
	struct timeval none = { 0 };
	int r;

	snprintf(cmd, sizeof(cmd), "attach %d %d %d\n", in, out, errs);
	_cleanup_close_ int fd = monitor_connect(name, cmd, ANSWER_TIMEOUT_S, &rec, err);
	if (fd == -ESRCH)
		return not_running(name, err);
	if (fd < 0)
		return fd;
	if ((r = answer(fd, line, sizeof(line), name, err)) == -ESRCH)
		return not_running(name, err);
	if (r < 0 || (r = verdict(line, RT_ERR_CONFLICT, err)) < 0)
		return r;
	/* The stream waits as long as the command runs. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof(none));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &none, sizeof(none));
	return TAKE_FD(fd);
}

int ctr_monitor_resize(const char *name, unsigned rows, unsigned cols, struct nr_error *err)
{
	_cleanup_record_ struct ctr_record *rec = NULL;
	char cmd[48], line[NR_ERROR_MSG_MAX + 8];
	int r;

	if (rows > 65535 || cols > 65535)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "resize %ux%u: out of range", rows, cols);
	snprintf(cmd, sizeof(cmd), "resize %u %u\n", rows, cols);
	_cleanup_close_ int fd = monitor_connect(name, cmd, ANSWER_TIMEOUT_S, &rec, err);
	if (fd == -ESRCH)
		return not_running(name, err);
	if (fd < 0)
		return fd;
	if ((r = answer(fd, line, sizeof(line), name, err)) == -ESRCH)
		return not_running(name, err);
	return r < 0 ? r : verdict(line, RT_ERR_CONFLICT, err);
}
