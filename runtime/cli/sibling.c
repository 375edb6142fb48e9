/* Verbs served by programs of their own, found next to this binary: `netns-run daemon`
 * (netns-run-daemon, which alone links libmicrohttpd and TLS) and `netns-run lab`
 * (netns-run-lab, which alone links libyaml and Graphviz).  Each verb execs its program
 * with the remaining arguments, so the CLI pays none of their libraries' start-up. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

/* Exec PROGRAM (next to /proc/self/exe, or $ENV_VAR when set) with argv[1..]; argv[0]
 * becomes the program's path.  Returns only on failure, with the CLI's exit code. */
static int exec_sibling(const char *verb, const char *program, const char *env_var, char **argv)
{
	char self[PATH_MAX], bin[PATH_MAX + 32];
	const char *env = getenv(env_var);
	ssize_t n;

	if (env && *env) {
		snprintf(bin, sizeof(bin), "%s", env);
	} else {
		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n < 0)
			return cli_usage_error(verb, "cannot find this binary (/proc/self/exe): %s", strerror(errno));
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash)
			*slash = '\0';
		snprintf(bin, sizeof(bin), "%s/%s", self, program);
	}
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
