/* The responder process (dns_proc.h).  "Alive" is "DIR/pid's flock is taken": the kernel
 * drops the lock when the responder dies, so a stale pid file never names a stranger.
 * A signal goes through a pidfd opened while the lock is seen taken, so it reaches the
 * process that held it even if that pid were reused right after. */
#include "dns_proc.h"

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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "proc_spawn.h"
#include "rt_error.h"

#define DNS_BIN_NAME "netns-run-dns"
/* How long the responder gets to say it listens (it binds a few sockets and reads two
 * small files: milliseconds), and to end after SIGTERM before SIGKILL. */
#define SPAWN_TIMEOUT_MS 5000
#define STOP_TIMEOUT_MS 2000
#define KILL_TIMEOUT_MS 1000

int dns_proc_binary(char *buf, size_t len, struct nr_error *err)
{
	return proc_sibling_binary("NETNS_RUN_DNS_BIN", DNS_BIN_NAME, buf, len, err);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

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

bool dns_proc_alive(const char *dir)
{
	_cleanup_close_ int fd = pid_file_open(dir);

	return fd >= 0 && lock_taken(fd);
}

/* The pid in the file; the responder writes it right after taking the lock, so a lock
 * seen taken with no pid yet is a responder starting: give it a moment (bounded). */
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

/* The responder holding a pid file's lock: a pidfd to signal it by, or, without pidfds
 * (before Linux 5.3, or under valgrind), its pid. */
struct responder {
	int pidfd;
	pid_t pid;
};

static void responder_close(struct responder *r)
{
	if (r->pidfd >= 0)
		close(r->pidfd);
}

/* The responder holding fd's lock into *ret: 0 when none is alive. */
static int responder_find(int fd, struct responder *ret, struct nr_error *err)
{
	pid_t pid;
	int pidfd;

	if (!lock_taken(fd))
		return 0;
	if ((pid = pid_read(fd)) <= 0)
		return nr_error_set(err, RT_ERR_SYSTEM, EIO,
				    "the DNS responder holds its pid file but wrote no pid in it");
	pidfd = pidfd_open(pid);
	if (pidfd < 0 && errno != ESRCH && errno != ENOSYS)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot open the DNS responder's pid %d: %s", (int)pid,
				    strerror(errno));
	bool gone = pidfd < 0 && errno == ESRCH;
	/* Still locked after the pidfd was made: the pidfd is the holder's (no other
	 * responder starts while the caller holds DIR/lock). */
	if (!lock_taken(fd)) {
		if (pidfd >= 0)
			close(pidfd);
		return 0;
	}
	if (gone)
		return nr_error_set(err, RT_ERR_SYSTEM, ESRCH,
				    "the DNS responder's pid file names pid %d, which is gone", (int)pid);
	*ret = (struct responder){ pidfd, pid };
	return 1;
}

static int responder_kill(const struct responder *r, int sig)
{
	if (r->pidfd >= 0)
		return (int)syscall(SYS_pidfd_send_signal, r->pidfd, sig, NULL, 0);
	return kill(r->pid, sig);
}

int dns_proc_signal(const char *dir, int sig, struct nr_error *err)
{
	_cleanup_close_ int fd = pid_file_open(dir);
	_cleanup_(responder_close) struct responder rsp = { -1, 0 };
	int r;

	if (fd < 0)
		return 0;
	if ((r = responder_find(fd, &rsp, err)) <= 0)
		return r;
	if (responder_kill(&rsp, sig) < 0 && errno != ESRCH)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot signal the DNS responder (pid %d): %s",
				    (int)rsp.pid, strerror(errno));
	return 1;
}

/* Wait until the responder ends, at most ms; whether it did.  Without a pidfd, its lock
 * is looked at every 10 ms (the kernel drops it as the process exits). */
static bool wait_gone(const struct responder *rsp, int fd, int ms)
{
	long long deadline = now_ms() + ms;
	struct pollfd p = { .fd = rsp->pidfd, .events = POLLIN };

	for (;;) {
		long long left = deadline - now_ms();
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

int dns_proc_stop(const char *dir, struct nr_error *err)
{
	_cleanup_close_ int fd = pid_file_open(dir);
	_cleanup_(responder_close) struct responder rsp = { -1, 0 };
	int r;

	if (fd < 0)
		return 0;
	if ((r = responder_find(fd, &rsp, err)) <= 0)
		return r;
	if (responder_kill(&rsp, SIGTERM) < 0 && errno != ESRCH)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot stop the DNS responder (pid %d): %s",
				    (int)rsp.pid, strerror(errno));
	if (wait_gone(&rsp, fd, STOP_TIMEOUT_MS))
		return 1;
	responder_kill(&rsp, SIGKILL);
	if (!wait_gone(&rsp, fd, KILL_TIMEOUT_MS))
		return nr_error_set(err, RT_ERR_SYSTEM, ETIMEDOUT,
				    "the DNS responder (pid %d) does not end, even killed", (int)rsp.pid);
	return 1;
}

int dns_proc_spawn(const char *dir, bool internal, struct nr_error *err)
{
	char bin[PATH_MAX], env_resolv[PATH_MAX + 32];
	const char *resolv = getenv("NETNS_RUN_RESOLV_CONF");
	char *argv[4], *envp[2] = { NULL, NULL };
	int r, i = 0;

	if ((r = dns_proc_binary(bin, sizeof(bin), err)) < 0)
		return r;
	if (access(bin, X_OK) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno,
				    "cannot run the DNS responder %s: %s (NETNS_RUN_DNS_BIN names another)", bin,
				    strerror(errno));
	argv[i++] = bin;
	if (internal)
		argv[i++] = (char *)"--internal";
	argv[i++] = (char *)dir;
	argv[i] = NULL;
	/* A clean environment: the responder is long-lived and shared by every container
	 * of the network; only where its upstreams come from is passed on (tests). */
	if (resolv && *resolv) {
		snprintf(env_resolv, sizeof(env_resolv), "NETNS_RUN_RESOLV_CONF=%s", resolv);
		envp[0] = env_resolv;
	}
	if ((r = proc_spawn_wait("the DNS responder", argv, envp, SPAWN_TIMEOUT_MS, err)) < 0)
		return r;
	if (!dns_proc_alive(dir))
		return nr_error_set(err, RT_ERR_SYSTEM, EIO,
				    "the DNS responder %s said it started but does not hold %s/pid (see %s/log)", bin,
				    dir, dir);
	return 0;
}
