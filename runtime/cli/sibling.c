/* Verbs served by programs of their own, found next to this binary: `netns-run daemon`
 * (netns-run-daemon, which alone links libmicrohttpd and TLS), `netns-run lab`
 * (netns-run-lab, which alone links libyaml and Graphviz) and the overlay network verbs
 * (netns-run-overlay, which alone links libcurl for etcd).  Each verb execs its program
 * with the remaining arguments, so the CLI pays none of their libraries' start-up. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"

/* PROGRAM's path (next to /proc/self/exe, or $ENV_VAR when set) into bin. */
static int sibling_path(const char *verb, const char *program, const char *env_var, char *bin, size_t len)
{
	char self[PATH_MAX];
	const char *env = getenv(env_var);
	ssize_t n;

	if (env && *env) {
		snprintf(bin, len, "%s", env);
	} else {
		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n < 0)
			return cli_usage_error(verb, "cannot find this binary (/proc/self/exe): %s", strerror(errno));
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash)
			*slash = '\0';
		snprintf(bin, len, "%s/%s", self, program);
	}
	return 0;
}

/* Exec PROGRAM with argv[1..]; argv[0] becomes the program's path.  Returns only on
 * failure, with the CLI's exit code. */
static int exec_sibling(const char *verb, const char *program, const char *env_var, char **argv)
{
	char bin[PATH_MAX + 32];
	int r;

	if ((r = sibling_path(verb, program, env_var, bin, sizeof(bin))) != 0)
		return r;
	argv[0] = bin;
	execv(bin, argv);
	fprintf(stderr, "netns-run %s: cannot run %s: %s (set %s?)\n", verb, bin, strerror(errno), env_var);
	return RT_EXIT_RUNTIME;
}

int cmd_daemon(int argc, char **argv)
{
	return exec_sibling("daemon", "netns-run-daemon", "NETNS_RUN_DAEMON_BIN", argv);
}

int cmd_lab(int argc, char **argv)
{
	return exec_sibling("lab", "netns-run-lab", "NETNS_RUN_LAB_BIN", argv);
}

/* netns-run-overlay VERB argv[1..] (argv[0] is the CLI's verb, replaced by the overlay's). */
static char **overlay_argv(const char *verb, int argc, char **argv)
{
	char **v = calloc((size_t)argc + 2, sizeof(*v));

	if (!v)
		return NULL;
	v[1] = (char *)verb;
	for (int i = 1; i < argc; i++)
		v[i + 1] = argv[i];
	return v;
}

int cli_exec_overlay(const char *verb, int argc, char **argv)
{
	char **v = overlay_argv(verb, argc, argv);

	if (!v)
		return cli_usage_error("network", "out of memory");
	int r = exec_sibling("network", "netns-run-overlay", "NETNS_RUN_OVERLAY_BIN", v);
	free(v);
	return r;
}

int cli_run_overlay(const char *verb, int argc, char **argv)
{
	char bin[PATH_MAX + 32];
	int r, st;
	pid_t pid;

	if ((r = sibling_path("network", "netns-run-overlay", "NETNS_RUN_OVERLAY_BIN", bin, sizeof(bin))) != 0)
		return r;
	fflush(stdout);
	if ((pid = fork()) < 0)
		return cli_usage_error("network", "cannot start %s: %s", bin, strerror(errno));
	if (pid == 0) {
		char **v = overlay_argv(verb, argc, argv);
		if (v) {
			v[0] = bin;
			execv(bin, v);
		}
		fprintf(stderr, "netns-run network: cannot run %s: %s (set NETNS_RUN_OVERLAY_BIN?)\n", bin,
			strerror(errno));
		_exit(RT_EXIT_RUNTIME);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return RT_EXIT_RUNTIME;
	return WIFEXITED(st) ? WEXITSTATUS(st) : RT_EXIT_RUNTIME;
}
