/* An exec instance's process (exec_spawn.h): the daemon's binary re-executed with
 * `--exec`, never a fork of the daemon's threads (posix_spawn: a vfork and an exec). */
#include "exec_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "engine/rt_error.h"
#include "exec_store.h"
#include "modes.h"

extern char **environ;

void exec_stdio_close(struct exec_stdio *s)
{
	for (int i = 0; i < 3; i++) {
		if (s->child[i] >= 0 && (i == 0 || s->child[i] != s->child[i - 1]))
			close(s->child[i]);
		s->child[i] = -1;
	}
	for (int i = 0; i < 3; i++) {
		if (s->ours[i] >= 0 && (i == 0 || s->ours[i] != s->ours[i - 1]))
			close(s->ours[i]);
		s->ours[i] = -1;
	}
}

/* The pty the daemon holds for a tty exec: raw on the helper's side (the container's own
 * pty, made by ctr_exec, does the line discipline), its size the client's. */
static int stdio_pty(unsigned short rows, unsigned short cols, struct exec_stdio *s, struct nr_error *err)
{
	struct termios t;
	int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (master < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot open /dev/ptmx: %s", strerror(errno));
	int slave = unlockpt(master) < 0 ? -1 : ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0) {
		int e2 = errno;
		close(master);
		return nr_error_set(err, RT_ERR_SYSTEM, e2, "cannot open a pty: %s", strerror(e2));
	}
	if (tcgetattr(slave, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(slave, TCSANOW, &t);
	}
	if (rows && cols) {
		struct winsize ws = { .ws_row = rows, .ws_col = cols };
		ioctl(master, TIOCSWINSZ, &ws);
	}
	for (int i = 0; i < 3; i++) {
		s->child[i] = slave;
		s->ours[i] = master;
	}
	return 0;
}

int exec_stdio_open(const struct exec_inst *e, bool detach, unsigned short rows, unsigned short cols,
		    struct exec_stdio *s, struct nr_error *err)
{
	const bool want[3] = { e->attach_in, e->attach_out, e->attach_err };

	for (int i = 0; i < 3; i++)
		s->child[i] = s->ours[i] = -1;
	if (e->tty && !detach)
		return stdio_pty(rows, cols, s, err);
	for (int i = 0; i < 3; i++) {
		int p[2];
		if (!detach && want[i]) {
			if (pipe2(p, O_CLOEXEC) < 0)
				goto fail;
			s->child[i] = i == 0 ? p[0] : p[1];
			s->ours[i] = i == 0 ? p[1] : p[0];
		} else if ((s->child[i] = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0) {
			goto fail;
		}
	}
	return 0;
fail:
	exec_stdio_close(s);
	return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot make the exec's stdio: %s", strerror(errno));
}

int exec_spawn(const struct exec_inst *e, const struct exec_stdio *s, pid_t *ret_pid, struct nr_error *err)
{
	_cleanup_free_ char *args = json_dumps(e->args, JSON_COMPACT);
	char *argv[] = { (char *)"netns-run-daemon", (char *)"--exec", args, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	pid_t pid;
	int r;

	if (!args)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	posix_spawn_file_actions_init(&fa);
	for (int i = 0; i < 3; i++)
		posix_spawn_file_actions_adddup2(&fa, s->child[i], i);
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigfillset(&all);
	sigdelset(&all, SIGKILL);
	sigdelset(&all, SIGSTOP);
	/* Not the daemon's thread's mask or ignored signals (SIGPIPE): the helper and the
	 * command start as from a shell.  A tty's helper leads a session of its own, to take
	 * the pty as its controlling terminal (and its SIGWINCH). */
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setflags(&at,
				 POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | (e->tty ? POSIX_SPAWN_SETSID : 0));
	r = posix_spawn(&pid, daemon_self_path(), &fa, &at, argv, environ);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0)
		return nr_error_set(err, RT_ERR_SYSTEM, r, "cannot start the exec process: %s", strerror(r));
	*ret_pid = pid;
	return 0;
}

int exec_wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1; /* someone else reaped it: the status is lost */
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

struct reaper {
	struct exec_inst *e;
	pid_t pid;
	int master; /* -1: nothing to drain */
	exec_finish_fn finish;
};

/* Drop the pty's output until the command ends (its pidfd), then close the pty. */
static void drain(struct reaper *rp)
{
	int pidfd = (int)syscall(SYS_pidfd_open, rp->pid, 0);
	bool open = true;
	char buf[4096];

	while (pidfd >= 0) {
		struct pollfd p[2] = { { pidfd, POLLIN, 0 }, { open ? rp->master : -1, POLLIN, 0 } };
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents)
			break;
		if (p[1].revents) {
			ssize_t n = read(rp->master, buf, sizeof(buf));
			if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
				open = false; /* EIO: every end of the pty closed; the command's end next */
		}
	}
	if (pidfd >= 0)
		close(pidfd);
	exec_store_lock();
	rp->e->master = -1;
	exec_store_unlock();
	close(rp->master);
}

static void *reaper_main(void *p)
{
	struct reaper *rp = p;

	if (rp->master >= 0)
		drain(rp);
	rp->finish(rp->e, exec_wait(rp->pid));
	exec_inst_unref(rp->e);
	free(rp);
	return NULL;
}

static void reap_async(struct exec_inst *e, pid_t pid, int master, exec_finish_fn finish)
{
	struct reaper *rp = malloc(sizeof(*rp));
	pthread_attr_t a;
	pthread_t t;

	if (!rp) {
		if (master >= 0)
			close(master);
		finish(e, exec_wait(pid));
		return;
	}
	*rp = (struct reaper){ .e = exec_inst_ref(e), .pid = pid, .master = master, .finish = finish };
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &a, reaper_main, rp) != 0)
		reaper_main(rp); /* no thread: wait here */
	pthread_attr_destroy(&a);
}

void exec_reap_async(struct exec_inst *e, pid_t pid, exec_finish_fn finish)
{
	reap_async(e, pid, -1, finish);
}

void exec_reap_async_draining(struct exec_inst *e, pid_t pid, int master, exec_finish_fn finish)
{
	reap_async(e, pid, master, finish);
}
