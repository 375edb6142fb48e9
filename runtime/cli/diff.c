/* `netns-run diff CONTAINER`: "A /path", "C /path", "D /path", as docker diff. */
#include <stdio.h>

#include "cli/cli.h"
#include "engine/diff.h"

static int diff_line(enum layer_change kind, const char *path, void *arg)
{
	(void)arg;
	printf("%c %s\n", (char)kind, path);
	return 0;
}

int cmd_diff(int argc, char **argv)
{
	struct nr_error err = { 0 };
	int r = cli_small_opts(argc, argv,
			       "Usage: netns-run diff CONTAINER\n\nInspect changes to files or directories on a container's "
			       "filesystem:\nA added, C changed, D deleted, against its image (or the host's / for a\n"
			       "container without one).\n",
			       "+h", NULL, NULL, NULL, 1);

	if (r <= 0)
		return -r;
	if (argc - optind != 1)
		return cli_usage_error("diff", "requires exactly 1 argument (see --help)");
	if (ctr_diff(argv[optind], diff_line, NULL, &err) < 0)
		return cli_error(&err);
	return 0;
}
