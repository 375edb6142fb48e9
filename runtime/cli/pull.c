/* `netns-run pull | push | login`: refused, clearly.  netns-run keeps images locally and
 * moves them as archives; it never talks to a registry (issue 16: none is reachable). */
#include <stdio.h>

#include "cli/cli.h"

int cmd_pull(int argc, char **argv)
{
	(void)argc;
	fprintf(stderr,
		"netns-run %s: netns-run does not reach registries: pull and push are not supported; use netns-run "
		"load / save (archives from docker save, podman save or skopeo copy ... docker-archive:)\n",
		argv[0]);
	return RT_EXIT_RUNTIME;
}
