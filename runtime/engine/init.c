#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "container.h"
#include "pty.h"
#include "rt.h"
#include "rt_error.h"
#include "start_proto.h"

/* "UID[:GID]" numbers, or names looked up in the container's own /etc/passwd. */
static int resolve_user(const char *spec, uid_t *ret_uid, gid_t *ret_gid)
{
	char buf[128], *colon, *end;
	uid_t uid;
	gid_t gid;

	snprintf(buf, sizeof(buf), "%s", spec);
	colon = strchr(buf, ':');
	if (colon)
		*colon++ = '\0';
	errno = 0;
	uid = (uid_t)strtoul(buf, &end, 10);
	if (errno || end == buf || *end) {
		struct passwd *pw = getpwnam(buf);
		if (!pw) {
			fprintf(stderr, "netns-run: --user %s: no such user in the container's /etc/passwd\n", buf);
			return -ENOENT;
		}
		uid = pw->pw_uid;
		gid = pw->pw_gid;
	} else {
		struct passwd *pw = getpwuid(uid);
		gid = pw ? pw->pw_gid : (gid_t)uid;
	}
	if (colon) {
		errno = 0;
		gid = (gid_t)strtoul(colon, &end, 10);
		if (errno || end == colon || *end) {
			struct group *gr = getgrnam(colon);
			if (!gr) {
				fprintf(stderr, "netns-run: --user: no such group %s in the container\n", colon);
				return -ENOENT;
			}
			gid = gr->gr_gid;
		}
	}
	*ret_uid = uid;
	*ret_gid = gid;
	return 0;
}

/* What the command's process does between its creation and its exec: only system calls
 * (init_run starts it with CLONE_VM|CLONE_VFORK, sharing init's memory until the exec). */
struct cmd_start {
	/* -i, -t's size and the seccomp filter; the strings below are copies of the option
	 * strings, which point into the caller's argv (forgotten: init_forget.c). */
	const struct run_opts *o;
	char **argv;
	const char *workdir; /* NULL = "/" */
	const char *user;    /* for messages: the ids are resolved already */
	char **envp;
	bool set_ids;
	uid_t uid;
	gid_t gid;
	sigset_t mask;
	int console_sock; /* -t: the pty's master goes to the runtime here; -1 otherwise */
	bool exec_client; /* exec's: dies with the client (its parent 0) and leaves its session */
};

/* A caller's ignored signals survive fork and exec (a script's background job starts
 * with SIGINT and SIGQUIT ignored), and a command must not start that way: every
 * disposition back to its default, as Docker's runc does. */
static void signals_default(void)
{
	/* The kernel's struct sigaction: glibc's sigaction() refuses its two reserved signals
	 * (32, 33), which a caller may still have ignored (a Go parent does) and which the
	 * command's exec would carry over; the system call takes them. */
	struct {
		void (*handler)(int);
		unsigned long flags;
		void (*restorer)(void);
		uint64_t mask;
	} dfl = { .handler = SIG_DFL };

	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			syscall(SYS_rt_sigaction, s, &dfl, NULL, sizeof(dfl.mask));
}

/* stdin, stdout, stderr: the pty's slave with -t; /dev/null for stdin without -i (as
 * Docker's: input reaches a command only when asked for); the caller's otherwise. */
static void command_stdio(const struct cmd_start *c)
{
	const char *what;
	int r, fd;

	if (c->console_sock >= 0) {
		struct winsize ws = { .ws_row = c->o->tty_rows, .ws_col = c->o->tty_cols };
		if ((r = pty_console_setup(c->console_sock, &ws, &what)) < 0) {
			dprintf(2, "netns-run: -t: cannot %s: %s\n", what, strerror(-r));
			_exit(RT_EXIT_RUNTIME);
		}
		return;
	}
	/* Not in the exec client's session, whose controlling terminal may be the caller's:
	 * with it, a command could push input into the caller's shell (TIOCSTI) and would
	 * get a terminal's ^C directly, besides the client's passing it on.  (run's command
	 * is in the init's session, which has no terminal.) */
	if (c->exec_client)
		setsid();
	if (c->o->interactive)
		return;
	fd = open("/dev/null", O_RDONLY);
	if (fd < 0 || dup2(fd, 0) < 0) {
		dprintf(2, "netns-run: cannot open /dev/null for stdin: %s\n", strerror(errno));
		_exit(RT_EXIT_RUNTIME);
	}
	if (fd > 0)
		close(fd);
}

/* Not instrumented: on init's borrowed stack AddressSanitizer cannot follow its
 * no-return bookkeeping (it warns "ignoring requested __asan_handle_no_return"). */
__attribute__((no_sanitize_address)) static int command_exec(void *arg)
{
	extern char **environ;
	const struct cmd_start *c = arg;
	const char *arg0 = c->argv[0];
	int e;

	signals_default();
	sigprocmask(SIG_SETMASK, &c->mask, NULL);
	if (c->set_ids && (setgroups(0, NULL) < 0 || setgid(c->gid) < 0 || setuid(c->uid) < 0)) {
		dprintf(2, "netns-run: --user %s: %s\n", c->user, strerror(errno));
		_exit(RT_EXIT_RUNTIME);
	}
	/* After the ids: a change of credentials clears the parent-death signal.  Then the
	 * race: a client that died before the prctl left us to the container's init. */
	if (c->exec_client && (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != 0))
		_exit(RT_EXIT_RUNTIME);
	command_stdio(c);
	if (chdir(c->workdir ? c->workdir : "/") < 0) {
		dprintf(2, "netns-run: -w %s: %s\n", c->workdir, strerror(errno));
		_exit(RT_EXIT_RUNTIME);
	}
	/* execvp searches the PATH of environ, so the container's must be in place (shared
	 * with init until the exec: init does not read its environment again). */
	environ = c->envp;
	security_before_exec(c->o);
	execvp(arg0, c->argv);
	e = errno;
	if (e == ENOENT && !strchr(arg0, '/'))
		dprintf(2, "netns-run: %s: executable file not found in $PATH\n", arg0);
	else
		dprintf(2, "netns-run: %s: %s\n", arg0, strerror(e));
	_exit(e == ENOENT ? RT_EXIT_NOT_FOUND : RT_EXIT_CANNOT_EXEC);
}

static void command_prepare(const struct run_opts *o, char **envp, int console_sock, struct cmd_start *c)
{
	memset(c, 0, sizeof(*c));
	c->o = o;
	c->argv = o->argv;
	c->workdir = o->workdir;
	c->user = o->user;
	c->envp = envp;
	c->console_sock = console_sock;
	sigemptyset(&c->mask);
	if (o->user) {
		if (resolve_user(o->user, &c->uid, &c->gid) < 0)
			_exit(RT_EXIT_RUNTIME);
		c->set_ids = true;
	}
}

void exec_command(const struct run_opts *o, char **envp, int console_sock)
{
	struct cmd_start c;

	command_prepare(o, envp, console_sock, &c);
	/* The exec client stays in the pid namespace above the container's, where its
	 * child sees it as pid 0; once reparented, to the container's init, it would not. */
	c.exec_client = true;
	command_exec(&c);
	_exit(RT_EXIT_RUNTIME); /* not reached: command_exec execs or exits */
}

/* The command's strings out of the caller's argv block, which caller_block_forget wipes;
 * the environment is the container's record's already.  Never freed: the init ends with
 * _exit. */
static int command_own_strings(struct cmd_start *c)
{
	char **argv = rt_strv_copy(c->argv);
	char *workdir = c->workdir ? strdup(c->workdir) : NULL;
	char *user = c->user ? strdup(c->user) : NULL;

	if (!argv || (c->workdir && !workdir) || (c->user && !user))
		return -ENOMEM;
	c->argv = argv;
	c->workdir = workdir;
	c->user = user;
	return 0;
}

static void init_fail(const struct child_cfg *c, int e, const char *what)
{
	struct nr_error err = { 0 };

	nr_error_set(&err, RT_ERR_SYSTEM, e, "%s: %s", what, strerror(e));
	start_report_error(c->err_fd, &err);
	_exit(RT_EXIT_RUNTIME);
}

/* The command has its own descriptor table now: the init keeps the status pipe only.
 * Closing the setup error pipe with the rest tells the runtime the command runs, so
 * the start returns once the init holds nothing else of the caller's. */
static void close_all_but(int keep)
{
	if (keep > 0)
		close_range(0, (unsigned int)keep - 1, 0);
	close_range((unsigned int)keep + 1, ~0U, 0);
}

void init_run(const struct child_cfg *c, const struct caller_block *caller)
{
	struct cmd_start start;
	sigset_t all;
	pid_t cmd;
	int r;

	/* Named before the command exists, so the command never sees pid 1 by another name. */
	prctl(PR_SET_NAME, INIT_NAME, 0, 0, 0);
	/* A caller's ignored SIGCHLD would have the kernel reap our children itself: the
	 * command's status would be lost and the init wait forever. */
	signal(SIGCHLD, SIG_DFL);
	/* Not dumpable: its memory, environ, descriptors and ptrace are then for holders
	 * of CAP_SYS_PTRACE over the runtime's user namespace only, which the container's
	 * root lacks by default; a traced init could keep the command's exit from the
	 * runtime forever (docs/security.md).  Set here, after the setup's last change of
	 * credentials, which resets it to fs.suid_dumpable. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	sigfillset(&all);
	/* Blocked, every signal waits for sigwaitinfo: even as pid 1, which the kernel
	 * otherwise shields from signals it has no handler for. */
	sigprocmask(SIG_BLOCK, &all, NULL);
	command_prepare(c->o, c->envp, c->console_sock, &start);
	if ((r = command_own_strings(&start)) < 0)
		init_fail(c, -r, "cannot start the command");
	/* What /proc/1/cmdline and environ would show the container (init_forget.c). */
	caller_block_forget(caller);
	/* vfork-style: no copy of init's page tables (a fork here was a sizeable part of a
	 * run: docs/benchmarks.md), and init has nothing to do until the command has exec'd
	 * anyway.  A static stack is fine: only this process, the container's init, uses it. */
	static char stack[64 * 1024] __attribute__((aligned(16)));
	cmd = clone(command_exec, stack + sizeof(stack), CLONE_VM | CLONE_VFORK | SIGCHLD, &start);
	if (cmd < 0)
		init_fail(c, errno, "cannot start the command");
	/* The command's --user changed its credentials while it shared our memory, which
	 * sets the memory's dumpable flag to fs.suid_dumpable: clear it again. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	close_all_but(c->status_fd);
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&all, &si);

		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			kill(cmd, sig);
			continue;
		}
		/* Reap everything: orphans in the container are ours to bury. */
		for (;;) {
			int st;
			pid_t p = waitpid(-1, &st, WNOHANG);
			if (p <= 0)
				break;
			if (p != cmd)
				continue;
			/* Our exit kills whatever is left in the namespace, as docker's does; the
			 * runtime hears the status first, so it need not wait for that. */
			int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			start_send_status(c->status_fd, code);
			_exit(code);
		}
	}
}
