/* `netns-run rm [-f] NAME...` */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "engine/ctr.h"

static int rm_opt(int c, const char *arg, void *ctx)
{
	(void)arg;
	if (c != 'f')
		return -1;
	*(bool *)ctx = true;
	return 0;
}

static int rm_one(const char *name, void *ctx, struct nr_error *err)
{
	struct nr_error warning = { 0 };
	bool force = *(bool *)ctx;
	int r = ctr_remove(name, force, &warning, err);

	if (warning.msg[0])
		cli_warn(&warning, "; removing it anyway");
	/* As docker rm -f: a container already gone is said on stderr, not a failure. */
	if (r < 0 && force && err->code == RT_ERR_NOT_FOUND) {
		rt_print_error(err);
		return 1;
	}
	return r;
}

int cmd_rm(int argc, char **argv)
{
	static const struct option extra[] = { { "force", no_argument, NULL, 'f' }, { 0 } };
	bool force = false;
	int r = cli_small_opts(argc, argv,
			       "Usage: netns-run rm [-f] NAME...\n\nRemove stopped containers: their record and writable "
			       "layer.\n\n  -f, --force   kill a running one first, and remove the record even when\n"
			       "                the network's DEL fails (saying so)\n",
			       "+hf", extra, rm_opt, &force, 1);

	return r <= 0 ? -r : cli_each_name(argc, argv, rm_one, &force);
}
