/* Helper programs started and waited for (proc_spawn.h). */
#include "proc_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/clock.h"
#include "rt_error.h"

/* The program's stderr kept for the message. */
#define STDERR_MAX 400

int proc_sibling_binary(const char *env_var, const char *name, char *buf, size_t len, struct nr_error *err)
{
	const char *env = getenv(env_var);
	char exe[PATH_MAX];
	ssize_t n;

	if (env && *env) {
		if ((size_t)snprintf(buf, len, "%s", env) >= len)
			return nr_error_set(err, RT_ERR_USAGE, ENAMETOOLONG, "%s is too long", env_var);
		return 0;
	}
	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot read /proc/self/exe: %s", strerror(errno));
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	if ((size_t)snprintf(buf, len, "%s/%s", slash ? exe : ".", name) >= len)
		return nr_error_set(err, RT_ERR_SYSTEM, ENAMETOOLONG, "the path of %s is too long", name);
	return 0;
}

int proc_pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* In the child, between fork and exec: only async-signal-safe calls. */
static void __attribute__((noreturn))
child_exec(const char *bin, char *const *argv, char *const *envp, int devnull, int errfd, const sigset_t *none)
{
	static const char msg[] = ": cannot execute it\n";

	/* A new session: ^C on the caller's terminal must not reach the program. */
	setsid();
	if (dup2(devnull, 0) < 0 || dup2(devnull, 1) < 0 || dup2(errfd, 2) < 0)
		_exit(127);
	/* Ignored signals stay ignored across exec, blocked ones blocked: the caller (run's
	 * monitor) blocks SIGHUP and SIGTERM for its signalfd, which the program needs. */
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

/* Wait for the direct child (it exits once the program listens), gathering its stderr;
 * the daemon may keep the pipe open, so its exit, not the pipe's EOF, ends the wait. */
static int child_wait(pid_t pid, int rd, int timeout_ms, int *ret_status, char *out, size_t size)
{
	_cleanup_close_ int pidfd = proc_pidfd_open(pid);
	long long deadline = clock_now_ms() + timeout_ms;
	size_t len = 0;
	bool eof = false;
	int st;

	out[0] = '\0';
	for (;;) {
		struct pollfd p[2] = { { .fd = eof ? -1 : rd, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
		long long left = deadline - clock_now_ms();
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
		if (clock_now_ms() >= deadline)
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

int proc_spawn_wait(const char *what, char *const *argv, char *const *envp, int timeout_ms, struct nr_error *err)
{
	const char *bin = argv[0];
	char out[STDERR_MAX];
	_cleanup_close_ int devnull = -1;
	int pipefd[2], status;
	sigset_t none;
	pid_t pid;

	sigemptyset(&none);
	if ((devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot open /dev/null: %s", strerror(errno));
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot make a pipe: %s", strerror(errno));
	_cleanup_close_ int rd = pipefd[0];
	_cleanup_close_ int wr = pipefd[1];
	if ((pid = fork()) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot start %s: %s", what, strerror(errno));
	if (pid == 0)
		child_exec(bin, argv, envp, devnull, wr, &none);
	close(TAKE_FD(wr));
	fcntl(rd, F_SETFL, O_NONBLOCK);
	if (child_wait(pid, rd, timeout_ms, &status, out, sizeof(out)) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, ETIMEDOUT, "%s %s did not report that it is ready within %d s",
				    what, bin, timeout_ms / 1000);
	one_line(out);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (out[0])
			return nr_error_set(err, RT_ERR_SYSTEM, EIO, "%s", out);
		if (WIFSIGNALED(status))
			return nr_error_set(err, RT_ERR_SYSTEM, EIO, "%s %s was killed by signal %d", what, bin,
					    WTERMSIG(status));
		return nr_error_set(err, RT_ERR_SYSTEM, EIO, "%s %s failed (exit status %d)", what, bin,
				    WEXITSTATUS(status));
	}
	return 0;
}
