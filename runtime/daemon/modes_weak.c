/* Stand-ins for the daemon's two other modes (modes.h) until monitor_main.c and
 * exec_main.c land: the binary links, and says what is missing. */
#include <stdio.h>

#include "daemon/modes.h"

__attribute__((weak)) int daemon_monitor_main(int argc, char **argv)
{
	fprintf(stderr, "netns-run-daemon: --monitor: not built into this binary\n");
	return 125;
}

__attribute__((weak)) int daemon_exec_main(int argc, char **argv)
{
	fprintf(stderr, "netns-run-daemon: --exec: not built into this binary\n");
	return 125;
}
