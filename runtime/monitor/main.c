/* build/bin/netns-run-monitor: a container's monitor for the daemon, alone.
 *
 *   netns-run-monitor --monitor --ready-fd N (--body-fd N [--name NAME] | --again NAME)
 *
 * The same as `netns-run-daemon --monitor` (runtime/daemon/monitor_main.c), in a program
 * of its own that links the engine and nothing of the daemon's server: no libmicrohttpd,
 * no GnuTLS (whose loading and global initialisation at each exec cost a container's
 * create more than the rest of its monitor's start-up).  The daemon spawns this program
 * when it lies beside its own binary (container_create.c), itself with --monitor when not. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "daemon/modes.h"

int main(int argc, char **argv)
{
	sigset_t set;

	/* The daemon's signal mask and ignored SIGPIPE survive exec: a monitor and the
	 * containers it starts get the defaults. */
	sigfillset(&set);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (argc > 1 && !strcmp(argv[1], "--monitor"))
		return daemon_monitor_main(argc, argv);
	fprintf(stderr,
		"usage: %s --monitor --ready-fd N (--body-fd N [--name NAME] | --again NAME)\n"
		"(a container's monitor: the daemon, netns-run-daemon, starts it)\n",
		argv[0]);
	return 2;
}
