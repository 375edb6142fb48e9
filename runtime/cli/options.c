/* The option loop the small verbs share. */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"

int cli_small_opts(int argc, char **argv, const char *usage, const char *optstr, const struct option *extra,
		   int (*on_opt)(int c, const char *arg, void *ctx), void *ctx, int min_args)
{
	struct option longopts[8] = { { "help", no_argument, NULL, 'h' } };
	int c, n = 1;

	for (const struct option *o = extra; o && o->name && n < 7; o++)
		longopts[n++] = *o;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, optstr, longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			return 0;
		}
		if (c == '?' || c == ':' || !on_opt || on_opt(c, optarg, ctx) < 0) {
			return -cli_usage_error(argv[0], "bad option %s (see --help)", argv[optind - 1]);
		}
	}
	if (argc - optind < min_args) {
		return -cli_usage_error(argv[0], "missing arguments (see --help)");
	}
	return 1;
}

int cli_each_name(int argc, char **argv, int (*fn)(const char *name, void *ctx, struct nr_error *err), void *ctx)
{
	int status = 0;

	for (int i = optind; i < argc; i++) {
		struct nr_error err = { 0 };
		int r = fn(argv[i], ctx, &err);
		if (r < 0) {
			status = cli_error(&err);
			continue;
		}
		if (r == 0)
			printf("%s\n", argv[i]);
	}
	return status;
}
