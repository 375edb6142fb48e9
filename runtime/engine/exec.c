/* Exec: join a running container's namespaces and cgroups and run a command there with
 * the container's environment and security settings.  The calling process joins the
 * container (setns) and forks the command: a long-running front end calls ctr_exec in a
 * process of its own. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "cgroup.h"
#include "child.h"
#include "ctr.h"
#include "pty.h"
#include "rt.h"
#include "rt_error.h"
#include "tty_relay.h"

/* A container with --userns: enter its user namespace first (the others belong to it),
 * as its root, once the cgroups, which need host root, are joined. */
static int join_userns(pid_t pid, struct nr_error *err)
{
	char path[64];
	struct stat ours, theirs;
	_cleanup_close_ int fd = -1;

	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	if (stat(path, &theirs) < 0 || stat("/proc/self/ns/user", &ours) < 0)
		return nr_error_set(err, RT_ERR_NOT_FOUND, errno, "cannot read %s: %s", path, strerror(errno));
	if (ours.st_ino == theirs.st_ino && ours.st_dev == theirs.st_dev)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWUSER) < 0 || setresgid(0, 0, 0) < 0 || setgroups(0, NULL) < 0 ||
	    setresuid(0, 0, 0) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot join the user namespace: %s", strerror(errno));
	return 0;
}

static int join(pid_t pid, unsigned long long start, const struct cgroup_set *cg, struct nr_error *err)
{
	static const struct {
		const char *name;
		int type;
	} ns[] = { { "cgroup", CLONE_NEWCGROUP }, { "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS },
		   { "net", CLONE_NEWNET },       { "pid", CLONE_NEWPID }, { "mnt", CLONE_NEWNS } };
	int fds[6];
	int r = 0;

	/* Open all first: once in the container's mount namespace, /proc is the container's. */
	for (size_t i = 0; i < 6; i++) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns[i].name);
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0 && r == 0)
			r = nr_error_set(err, RT_ERR_NOT_FOUND, errno, "cannot open %s: %s", path, strerror(errno));
	}
	if (r == 0 && !rt_pid_is(pid, start))
		r = nr_error_set(err, RT_ERR_NOT_FOUND, ESRCH, "the container stopped");
	if (r == 0 && cg)
		r = cgroup_attach(cg, 0, CG_JOIN_ALL, err);
	if (r == 0)
		r = join_userns(pid, err);
	for (size_t i = 0; r == 0 && i < 6; i++)
		if (setns(fds[i], ns[i].type) < 0)
			r = nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot join the %s namespace: %s", ns[i].name,
					 strerror(errno));
	for (size_t i = 0; i < 6; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return r;
}

/* LeakSanitizer's check at exit reads /proc/self and stops the process with a tracer
 * task it clones: once joined to the container's mount and pid namespaces this process
 * has neither (the container's /proc does not show it; the tracer would be born in the
 * container's pid namespace), and the check hangs.  A sanitized build checks for leaks
 * here instead, before the join; the check at exit is then skipped. */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
static void leak_check_before_join(void)
{
	__lsan_do_leak_check();
}
#else
static void leak_check_before_join(void)
{
}
#endif

/* In the forked command: a failure is reported on its stderr, the command's. */
static void exec_child(struct run_opts *o, char **envp, int console_sock)
{
	struct nr_error err = { 0 };

	/* Visible in the container's pid namespace from here on, with the client's memory
	 * (its environment) until the exec: not for the container's root to read or trace
	 * (the exec resets the flag for the command itself). */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (security_apply(o, &err) < 0) {
		dprintf(2, "netns-run: %s\n", err.msg);
		_exit(RT_EXIT_RUNTIME);
	}
	exec_command(o, envp, console_sock);
}

/* Until the command ends: signals from sigfd passed on to it (SIGWINCH as the pty's new
 * size with -t), the pty relayed.  The command is our child, unreaped until the end, so
 * its pid cannot name another process meanwhile. */
static int exec_wait(pid_t pid, int sigfd, struct tty_relay *tr, struct nr_error *err)
{
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct pollfd p[2 + TTY_RELAY_NFDS];
	int status;

	for (;;) {
		p[0] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
		tty_relay_pollfds(tr, p + 2);
		if (pidfd < 0 || poll(p, 2 + TTY_RELAY_NFDS, -1) < 0) {
			if (pidfd >= 0 && errno == EINTR)
				continue;
			break; /* no pidfd (before Linux 5.3): just wait */
		}
		if (p[0].revents)
			break;
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sigfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
				continue;
			if (si.ssi_signo == SIGWINCH && tr->master >= 0)
				tty_relay_sync_size(tr);
			else
				kill(pid, (int)si.ssi_signo);
		}
		tty_relay_handle(tr, p + 2);
	}
	tty_relay_drain(tr);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return nr_error_set(err, RT_ERR_SYSTEM, errno, "waitpid: %s", strerror(errno));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int ctr_exec(const char *name, struct run_opts *o, const struct tty_stdio *io, int sigfd, int *ret_status,
	     struct nr_error *err)
{
	_cleanup_record_ struct ctr_record *rec = NULL;
	_cleanup_close_ int console = -1, console_child = -1;
	struct tty_relay tr;
	int r, sv[2];

	if ((r = ctr_store_load(name, &rec, err)) < 0)
		return r;
	if (rec->status != CTR_RUNNING || !ctr_init_alive(rec))
		return nr_error_set(err, RT_ERR_CONFLICT, ESRCH, "container %s is not running", name);
	_cleanup_strv_ char **envp = rec->env ? rt_strv_copy(rec->env) : calloc(1, sizeof(char *));
	if (!envp || env_extend(&envp, o) < 0)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	if (!o->user && rec->user)
		o->user = rec->user;
	if ((r = security_prepare_exec(o, rec, err)) < 0)
		return r;
	leak_check_before_join();
	if ((r = join(rec->pid, rec->pid_start, rec->cgroup, err)) < 0)
		return r;
	if (o->tty) {
		if ((r = pty_socket_pair(sv)) < 0)
			return nr_error_set(err, RT_ERR_SYSTEM, r, "socketpair: %s", strerror(-r));
		console = sv[0];
		console_child = sv[1];
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "fork: %s", strerror(errno));
	if (pid == 0)
		exec_child(o, envp, console_child);
	close(TAKE_FD(console_child));
	/* The master, or EOF: the child failed before (and said why on its stderr). */
	tty_relay_init(&tr, console >= 0 ? pty_master_recv(console) : -1, io);
	if (tr.master < 0)
		tr.master = -1;
	r = exec_wait(pid, sigfd, &tr, err);
	tty_relay_close(&tr);
	if (r < 0)
		return r;
	*ret_status = r;
	return 0;
}
