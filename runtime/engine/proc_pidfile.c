/* A helper process's pid file (proc_pidfile.h).  "Alive" is "DIR/pid's flock is taken":
 * the kernel drops the lock when the process dies, so a stale pid file never names a
 * stranger.  A signal goes through a pidfd opened while the lock is seen taken, so it
 * reaches the process that held it even if that pid were reused right after. */
#include "proc_pidfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/clock.h"
#include "proc_spawn.h"
#include "rt_error.h"

/* How long a process gets to end after SIGTERM before SIGKILL, and after SIGKILL. */
#define STOP_TIMEOUT_MS 2000
#define KILL_TIMEOUT_MS 1000

/* DIR/pid opened; -1 when there is none. */
static int pid_file_open(const char *dir)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/pid", dir);
	return open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
}

/* Whether someone holds fd's file lock.  Our own probe is released at once. */
static bool lock_taken(int fd)
{
	int r;

	while ((r = flock(fd, LOCK_EX | LOCK_NB)) < 0 && errno == EINTR)
		;
	if (r == 0) {
		flock(fd, LOCK_UN);
		return false;
	}
	return errno == EWOULDBLOCK;
}

bool proc_pidfile_alive(const char *dir)
{
	_cleanup_close_ int fd = pid_file_open(dir);

	return fd >= 0 && lock_taken(fd);
}

/* The pid in the file; the process writes it right after taking the lock, so a lock
 * seen taken with no pid yet is a process starting: give it a moment (bounded). */
static pid_t pid_read(int fd)
{
	for (int tries = 0; tries < 50; tries++) {
		char buf[32];
		ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
		if (n > 0) {
			buf[n] = '\0';
			char *end;
			long v = strtol(buf, &end, 10);
			if (v > 0 && v <= INT_MAX && (*end == '\n' || *end == '\0'))
				return (pid_t)v;
		}
		poll(NULL, 0, 10);
	}
	return 0;
}

/* The process holding a pid file's lock: a pidfd to signal it by, or, without pidfds
 * (before Linux 5.3, or under valgrind), its pid. */
struct holder {
	int pidfd;
	pid_t pid;
};

static void holder_close(struct holder *r)
{
	if (r->pidfd >= 0)
		close(r->pidfd);
}

/* The process holding fd's lock into *ret: 0 when none is alive. */
static int holder_find(int fd, const char *what, struct holder *ret, struct nr_error *err)
{
	pid_t pid;
	int pidfd;

	if (!lock_taken(fd))
		return 0;
	if ((pid = pid_read(fd)) <= 0)
		return nr_error_set(err, RT_ERR_SYSTEM, EIO, "%s holds its pid file but wrote no pid in it", what);
	pidfd = proc_pidfd_open(pid);
	if (pidfd < 0 && errno != ESRCH && errno != ENOSYS)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot open the pid %d of %s: %s", (int)pid, what,
				    strerror(errno));
	bool gone = pidfd < 0 && errno == ESRCH;
	/* Still locked after the pidfd was made: the pidfd is the holder's (no other
	 * process starts while the caller holds DIR/lock). */
	if (!lock_taken(fd)) {
		if (pidfd >= 0)
			close(pidfd);
		return 0;
	}
	if (gone)
		return nr_error_set(err, RT_ERR_SYSTEM, ESRCH, "the pid file of %s names pid %d, which is gone", what,
				    (int)pid);
	*ret = (struct holder){ pidfd, pid };
	return 1;
}

static int holder_kill(const struct holder *r, int sig)
{
	if (r->pidfd >= 0)
		return (int)syscall(SYS_pidfd_send_signal, r->pidfd, sig, NULL, 0);
	return kill(r->pid, sig);
}

/* The holder of fd's lock found (into *rsp) and sent sig: 0 when none is alive, 1 when
 * sent; verb names the act in messages. */
static int send_to_holder(int fd, const char *what, const char *verb, int sig, struct holder *rsp, struct nr_error *err)
{
	int r;

	if (fd < 0)
		return 0;
	if ((r = holder_find(fd, what, rsp, err)) <= 0)
		return r;
	if (holder_kill(rsp, sig) < 0 && errno != ESRCH)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot %s %s (pid %d): %s", verb, what, (int)rsp->pid,
				    strerror(errno));
	return 1;
}

int proc_pidfile_signal(const char *dir, const char *what, int sig, struct nr_error *err)
{
	_cleanup_close_ int fd = pid_file_open(dir);
	_cleanup_(holder_close) struct holder rsp = { -1, 0 };

	return send_to_holder(fd, what, "signal", sig, &rsp, err);
}

/* Wait until the process ends, at most ms; whether it did.  Without a pidfd, its lock
 * is looked at every 10 ms (the kernel drops it as the process exits). */
static bool wait_gone(const struct holder *rsp, int fd, int ms)
{
	long long deadline = clock_now_ms() + ms;
	struct pollfd p = { .fd = rsp->pidfd, .events = POLLIN };

	for (;;) {
		long long left = deadline - clock_now_ms();
		if (rsp->pidfd < 0) {
			if (!lock_taken(fd))
				return true;
			if (left <= 0)
				return false;
			poll(NULL, 0, 10);
			continue;
		}
		int n = poll(&p, 1, left > 0 ? (int)left : 0);
		if (n > 0)
			return true;
		if (n == 0 || errno != EINTR)
			return false;
	}
}

int proc_pidfile_stop(const char *dir, const char *what, struct nr_error *err)
{
	_cleanup_close_ int fd = pid_file_open(dir);
	_cleanup_(holder_close) struct holder rsp = { -1, 0 };
	int r;

	if ((r = send_to_holder(fd, what, "stop", SIGTERM, &rsp, err)) <= 0)
		return r;
	if (wait_gone(&rsp, fd, STOP_TIMEOUT_MS))
		return 1;
	holder_kill(&rsp, SIGKILL);
	if (!wait_gone(&rsp, fd, KILL_TIMEOUT_MS))
		return nr_error_set(err, RT_ERR_SYSTEM, ETIMEDOUT, "%s (pid %d) does not end, even killed", what,
				    (int)rsp.pid);
	return 1;
}
