/* netns-run-lab: network labs from a topology file (issue 19, docs/labs.md).  Its own
 * program, so that only it links libyaml and Graphviz; `netns-run lab ARGS` execs it. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "lab/cmd.h"

static const char usage[] = "Usage: netns-run lab VERB [OPTIONS]\n"
			    "\n"
			    "  deploy   -t FILE [--reconfigure]          nodes, links, then each node's exec list\n"
			    "  inspect  [-t FILE | --name LAB] [--format json]\n"
			    "  graph    -t FILE -o FILE.svg|.png|.dot    the topology as a picture\n"
			    "  exec     -t FILE (--node N | --label K=V) -- CMD...\n"
			    "  save     -t FILE                          each node's config; linux nodes as images\n"
			    "  destroy  (-t FILE | --name LAB) [--cleanup]\n"
			    "  tools link --node N --iface I --rate RATE  impair a link (tc)\n";

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} verbs[] = {
	{ "deploy", lab_cmd_deploy }, { "destroy", lab_cmd_destroy }, { "inspect", lab_cmd_inspect },
	{ "exec", lab_cmd_exec },     { "save", lab_cmd_save },       { "graph", lab_cmd_graph },
	{ "tools", lab_cmd_tools },
};

int main(int argc, char **argv)
{
	signal(SIGCHLD, SIG_DFL);
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? LAB_EXIT_USAGE : 0;
	}
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(argv[1], verbs[i].name))
			return verbs[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "netns-run lab: unknown verb '%s'\n%s", argv[1], usage);
	return LAB_EXIT_USAGE;
}
