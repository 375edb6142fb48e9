#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "rt.h"

/* "UID[:GID]" numbers, or names looked up in the container's own /etc/passwd. */
static int switch_user(const char *spec)
{
	char buf[128], *colon, *end;
	uid_t uid;
	gid_t gid;
	bool have_gid = false;

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
		have_gid = true;
	} else {
		gid = (gid_t)uid;
		struct passwd *pw = getpwuid(uid);
		if (pw) {
			gid = pw->pw_gid;
			have_gid = true;
		}
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
		have_gid = true;
	}
	(void)have_gid;
	if (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0) {
		fprintf(stderr, "netns-run: --user %s: %s\n", spec, strerror(errno));
		return -errno;
	}
	return 0;
}

void exec_command(const struct run_opts *o, char **envp)
{
	extern char **environ;
	char *const *argv = o->argv;
	int e;

	if (o->user && switch_user(o->user) < 0)
		_exit(RT_EXIT_RUNTIME);
	if (chdir(o->workdir ? o->workdir : "/") < 0) {
		fprintf(stderr, "netns-run: -w %s: %s\n", o->workdir, strerror(errno));
		_exit(RT_EXIT_RUNTIME);
	}
	/* execvp searches the PATH of environ, so the container's PATH must be in place. */
	environ = envp;
	execvp(argv[0], argv);
	e = errno;
	if (e == ENOENT && !strchr(argv[0], '/'))
		fprintf(stderr, "netns-run: %s: executable file not found in $PATH\n", argv[0]);
	else
		fprintf(stderr, "netns-run: %s: %s\n", argv[0], strerror(e));
	_exit(e == ENOENT ? RT_EXIT_NOT_FOUND : RT_EXIT_CANNOT_EXEC);
}

void init_run(const struct child_cfg *c)
{
	sigset_t all, none;
	pid_t cmd;

	sigfillset(&all);
	sigemptyset(&none);
	/* Blocked, every signal waits for sigwaitinfo: even as pid 1, which the kernel
	 * otherwise shields from signals it has no handler for. */
	sigprocmask(SIG_BLOCK, &all, NULL);
	cmd = fork();
	if (cmd < 0) {
		dprintf(c->err_fd, "cannot start the command: %s", strerror(errno));
		_exit(RT_EXIT_RUNTIME);
	}
	if (cmd == 0) {
		sigprocmask(SIG_SETMASK, &none, NULL);
		exec_command(c->o, c->envp);
	}
	close(c->err_fd);
	prctl(PR_SET_NAME, "netns-run-init", 0, 0, 0);
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
			/* Our exit kills whatever is left in the namespace, as docker's does. */
			_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
		}
	}
}
