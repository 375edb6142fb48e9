/* `netns-run daemon [OPTIONS]`: the Docker Engine API server (runtime/daemon) is a
 * program of its own, netns-run-daemon, so that only it links libmicrohttpd and TLS;
 * this verb execs it, found next to this binary (or at $NETNS_RUN_DAEMON_BIN). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

int cmd_daemon(int argc, char **argv)
{
	char self[PATH_MAX], bin[PATH_MAX + 32];
	const char *env = getenv("NETNS_RUN_DAEMON_BIN");
	ssize_t n;

	if (env && *env) {
		snprintf(bin, sizeof(bin), "%s", env);
	} else {
		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n < 0)
			return cli_usage_error("daemon", "cannot find this binary (/proc/self/exe): %s",
					       strerror(errno));
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash)
			*slash = '\0';
		snprintf(bin, sizeof(bin), "%s/netns-run-daemon", self);
	}
	/* argv[0] "daemon" becomes the program's name; the options pass through. */
	argv[0] = bin;
	execv(bin, argv);
	fprintf(stderr, "netns-run daemon: cannot run %s: %s (set NETNS_RUN_DAEMON_BIN?)\n", bin, strerror(errno));
	return RT_EXIT_RUNTIME;
}
