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
#include "rt_error.h"

#define DNS_BIN_NAME "netns-run-dns"
/* How long the responder gets to say it listens (it binds a few sockets and reads two
 * small files: milliseconds), and to end after SIGTERM before SIGKILL. */
#define SPAWN_TIMEOUT_MS 5000
#define STOP_TIMEOUT_MS 2000
#define KILL_TIMEOUT_MS 1000
/* The responder's stderr kept for the message. */
#define STDERR_MAX 400

int dns_proc_binary(char *buf, size_t len, struct nr_error *err)
{
	const char *env = getenv("NETNS_RUN_DNS_BIN");
	char exe[PATH_MAX];
	ssize_t n;

	if (env && *env) {
		if ((size_t)snprintf(buf, len, "%s", env) >= len)
			return nr_error_set(err, RT_ERR_USAGE, ENAMETOOLONG, "NETNS_RUN_DNS_BIN is too long");
		return 0;
	}
	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot read /proc/self/exe: %s", strerror(errno));
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	if ((size_t)snprintf(buf, len, "%s/%s", slash ? exe : ".", DNS_BIN_NAME) >= len)
		return nr_error_set(err, RT_ERR_SYSTEM, ENAMETOOLONG, "the path of %s is too long", DNS_BIN_NAME);
	return 0;
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

/* In the child, between fork and exec: only async-signal-safe calls. */
static void __attribute__((noreturn))
child_exec(const char *bin, char *const *argv, char *const *envp, int devnull, int errfd, const sigset_t *none)
{
	static const char msg[] = ": cannot execute it\n";

	/* A new session: ^C on the caller's terminal must not reach the responder. */
	setsid();
	if (dup2(devnull, 0) < 0 || dup2(devnull, 1) < 0 || dup2(errfd, 2) < 0)
		_exit(127);
	/* Ignored signals stay ignored across exec, blocked ones blocked: the caller (run's
	 * monitor) blocks SIGHUP and SIGTERM for its signalfd, which the responder needs. */
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			signal(s, SIG_DFL);
	sigprocmask(SIG_SETMASK, none, NULL);
	/* Everything is O_CLOEXEC already; this is for what a library opened without it. */
	syscall(SYS_close_range, 3U, ~0U, 0U);
	if (chdir("/") < 0)
		_exit(127);
	execve(bin, argv, envp);
	if (write(2, bin, strlen(bin)) < 0 || write(2, msg, sizeof(msg) - 1) < 0)
		_exit(127);
	_exit(127);
}

/* What the child wrote so far on fd (non-blocking) appended to buf (len used of size). */
static bool drain(int fd, char *buf, size_t *len, size_t size)
{
	for (;;) {
		char chunk[256];
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0; /* EOF */
		size_t take = (size_t)n < size - 1 - *len ? (size_t)n : size - 1 - *len;
		memcpy(buf + *len, chunk, take);
		*len += take;
		buf[*len] = '\0';
	}
}

/* Wait for the direct child (it exits once the responder listens), gathering its stderr;
 * the daemon may keep the pipe open, so its exit, not the pipe's EOF, ends the wait. */
static int child_wait(pid_t pid, int rd, int *ret_status, char *out, size_t size)
{
	_cleanup_close_ int pidfd = pidfd_open(pid);
	long long deadline = now_ms() + SPAWN_TIMEOUT_MS;
	size_t len = 0;
	bool eof = false;
	int st;

	out[0] = '\0';
	for (;;) {
		struct pollfd p[2] = { { .fd = eof ? -1 : rd, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
		long long left = deadline - now_ms();
		/* Without pidfds (before Linux 5.3): look at the child every 20 ms. */
		int slice = pidfd < 0 ? 20 : (int)(left > 0 ? left : 0);
		int n = poll(p, 2, slice);
		if (n < 0 && errno != EINTR)
			break;
		if (n > 0 && p[0].revents)
			eof = drain(rd, out, &len, size);
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid) {
			drain(rd, out, &len, size);
			*ret_status = st;
			return 0;
		}
		if (now_ms() >= deadline)
			break;
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return -ETIMEDOUT;
}

/* The child's message on one line: trailing newlines gone, inner ones as "; ". */
static void one_line(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
	for (char *c = s; *c; c++)
		if (*c == '\n')
			*c = ';';
}

int dns_proc_spawn(const char *dir, bool internal, struct nr_error *err)
{
	char bin[PATH_MAX], env_resolv[PATH_MAX + 32], out[STDERR_MAX];
	const char *resolv = getenv("NETNS_RUN_RESOLV_CONF");
	char *argv[4], *envp[2] = { NULL, NULL };
	_cleanup_close_ int devnull = -1;
	int pipefd[2], status, r, i = 0;
	sigset_t none;
	pid_t pid;

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
	sigemptyset(&none);
	if ((devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot open /dev/null: %s", strerror(errno));
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot make a pipe: %s", strerror(errno));
	_cleanup_close_ int rd = pipefd[0];
	_cleanup_close_ int wr = pipefd[1];
	if ((pid = fork()) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot start the DNS responder: %s", strerror(errno));
	if (pid == 0)
		child_exec(bin, argv, envp, devnull, wr, &none);
	close(TAKE_FD(wr));
	fcntl(rd, F_SETFL, O_NONBLOCK);
	if (child_wait(pid, rd, &status, out, sizeof(out)) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, ETIMEDOUT,
				    "the DNS responder %s did not report that it listens within %d s", bin,
				    SPAWN_TIMEOUT_MS / 1000);
	one_line(out);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (out[0])
			return nr_error_set(err, RT_ERR_SYSTEM, EIO, "%s", out);
		if (WIFSIGNALED(status))
			return nr_error_set(err, RT_ERR_SYSTEM, EIO, "the DNS responder %s was killed by signal %d",
					    bin, WTERMSIG(status));
		return nr_error_set(err, RT_ERR_SYSTEM, EIO, "the DNS responder %s failed (exit status %d)", bin,
				    WEXITSTATUS(status));
	}
	if (!dns_proc_alive(dir))
		return nr_error_set(err, RT_ERR_SYSTEM, EIO,
				    "the DNS responder %s said it started but does not hold %s/pid (see %s/log)", bin,
				    dir, dir);
	return 0;
}
