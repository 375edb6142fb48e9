/* `netns-run stop [-t SECONDS] NAME...` */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "engine/ctr.h"

static int stop_opt(int c, const char *arg, void *ctx)
{
	int *timeout = ctx;
	char *end;

	if (c != 't')
		return -1;
	*timeout = (int)strtol(arg, &end, 10);
	return *end || *timeout < 0 ? -1 : 0;
}

static int stop_one(const char *name, void *ctx, struct nr_error *err)
{
	return ctr_stop(name, *(int *)ctx, err);
}

int cmd_stop(int argc, char **argv)
{
	static const struct option extra[] = { { "time", required_argument, NULL, 't' }, { 0 } };
	int timeout = 10;
	int r = cli_small_opts(argc, argv,
			       "Usage: netns-run stop [-t SECONDS] NAME...\n\nSend SIGTERM to the container's init (which "
			       "passes it to the command),\nSIGKILL after -t seconds (default 10), and wait until its network "
			       "and\ncgroups are gone.\n",
			       "+ht:", extra, stop_opt, &timeout, 1);

	return r <= 0 ? -r : cli_each_name(argc, argv, stop_one, &timeout);
}
