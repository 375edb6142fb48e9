/* netns-run-overlay: overlay networks across hosts (issue 20, docs/multihost.md).  Its own
 * program, so that only it links libcurl (the etcd client); `netns-run network create
 * --driver overlay`, `network join`, `leave` and `rm` of an overlay network exec it, and the
 * engine runs `netns-run-overlay agent NAME` when an agent died. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "engine/rt_error.h"
#include "ovl.h"

static const char usage[] = "Usage: netns-run-overlay VERB [OPTIONS] NAME\n"
			    "\n"
			    "  create --store URLS [--subnet CIDR] [-o K=V]... [--label K=V]... NAME\n"
			    "  join   --store URLS [-o underlay=IFACE|ADDR] NAME\n"
			    "  leave  NAME\n"
			    "  rm     [--store URLS] NAME\n"
			    "  agent  [--foreground] NAME     the host agent (join starts it)\n"
			    "\n"
			    "`netns-run-overlay VERB --help` describes each; docs/multihost.md the model.\n";

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} verbs[] = {
	{ "create", ovl_cmd_create }, { "join", ovl_cmd_join },   { "leave", ovl_cmd_leave },
	{ "rm", ovl_cmd_rm },         { "agent", ovl_cmd_agent },
};

int main(int argc, char **argv)
{
	signal(SIGCHLD, SIG_DFL);
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? OVL_EXIT_FAIL : 0;
	}
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(argv[1], verbs[i].name))
			return verbs[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "netns-run-overlay: unknown verb '%s'\n%s", argv[1], usage);
	return OVL_EXIT_FAIL;
}
