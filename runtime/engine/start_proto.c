#include "start_proto.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdio.h"
#include "rt.h"
#include "rt_error.h"

static void close_end(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int start_channel_open(struct start_channel *ch, struct nr_error *err)
{
	if (pipe2(ch->go, O_CLOEXEC) < 0 || pipe2(ch->err, O_CLOEXEC) < 0 || pipe2(ch->status, O_CLOEXEC) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "pipe: %s", strerror(errno));
	return 0;
}

void start_channel_parent_side(struct start_channel *ch)
{
	close_end(&ch->go[0]);
	close_end(&ch->err[1]);
	close_end(&ch->status[1]);
}

void start_channel_close(struct start_channel *ch)
{
	for (int i = 0; i < 2; i++) {
		close_end(&ch->go[i]);
		close_end(&ch->err[i]);
		close_end(&ch->status[i]);
	}
}

bool start_send(int go_wr, enum start_msg m)
{
	char c = (char)m;

	return write(go_wr, &c, 1) == 1;
}

bool start_expect(int go_rd, enum start_msg m)
{
	char c;

	return read(go_rd, &c, 1) == 1 && c == (char)m;
}

void start_report_error(int err_wr, const struct nr_error *err)
{
	dprintf(err_wr, "%s", err->msg[0] ? err->msg : "the container's setup failed");
}

int start_wait_setup(int err_rd, struct nr_error *err)
{
	_cleanup_free_ char *msg = NULL;
	size_t len = 0;
	int r = fd_read_all(err_rd, 4096, &msg, &len);

	if (r < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, r, "lost the container during its setup: %s", strerror(-r));
	if (len > 0)
		return nr_error_set(err, RT_ERR_SYSTEM, EIO, "%s", msg);
	return 0;
}

void start_send_status(int status_wr, int code)
{
	(void)!write(status_wr, &code, sizeof(code));
}

bool start_read_status(int status_rd, int *code)
{
	return read(status_rd, code, sizeof(*code)) == (ssize_t)sizeof(*code);
}

int start_watch_command(pid_t init)
{
	char path[64], buf[32];
	_cleanup_close_ int fd = -1;
	ssize_t n;
	long pid;

	/* The init's children, as host pids: the command alone right after the start.  Its
	 * pid cannot be another process's by the pidfd_open: the init reaps it only after
	 * its exit, and the kernel reuses a pid only once the pid space has wrapped. */
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)init, (int)init);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	if ((n = read(fd, buf, sizeof(buf) - 1)) <= 0)
		return n < 0 ? -errno : -ESRCH;
	buf[n] = '\0';
	if ((pid = strtol(buf, NULL, 10)) <= 0)
		return -ESRCH;
	int pidfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
	return pidfd < 0 ? -errno : pidfd;
}

/* The pid a pidfd refers to (its fdinfo's "Pid:" line); 0 if unknown. */
static pid_t pidfd_pid(int pidfd)
{
	char path[64], buf[512], *p;
	_cleanup_close_ int fd = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || (n = read(fd, buf, sizeof(buf) - 1)) <= 0)
		return 0;
	buf[n] = '\0';
	p = strstr(buf, "\nPid:");
	return p ? (pid_t)strtol(p + 5, NULL, 10) : 0;
}

int start_status_unreaped(int init_pidfd, int cmd_pidfd)
{
	pid_t pid = pidfd_pid(cmd_pidfd);
	unsigned long long st;
	char state;
	int code = RT_EXIT_RUNTIME;

	/* proc(5) field 52, exit_code: the wait status, kept until the zombie is reaped. */
	if (pid > 0 && rt_proc_stat(pid, 52, 1, &st, &state) == 0 && state == 'Z')
		code = WIFEXITED((int)st) ? WEXITSTATUS((int)st) : 128 + WTERMSIG((int)st);
	syscall(SYS_pidfd_send_signal, init_pidfd, SIGKILL, NULL, 0);
	return code;
}
