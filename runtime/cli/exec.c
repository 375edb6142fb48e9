/* `netns-run exec [OPTIONS] NAME COMMAND [ARG...]` */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "engine/ctr.h"

static const char usage[] = "Usage: netns-run exec [OPTIONS] NAME COMMAND [ARG...]\n"
			    "\n"
			    "Run COMMAND inside the running container NAME (its namespaces, cgroups, capabilities).\n"
			    "\n"
			    "  -e, --env K=V | K     set a variable (repeatable)\n"
			    "  -w, --workdir DIR     working directory inside\n"
			    "  -u, --user UID[:GID]  run as this user\n"
			    "  -h, --help            this help\n";

int cmd_exec(int argc, char **argv)
{
	static const struct option longopts[] = { { "env", required_argument, NULL, 'e' },
						  { "workdir", required_argument, NULL, 'w' },
						  { "user", required_argument, NULL, 'u' },
						  { "help", no_argument, NULL, 'h' },
						  { 0 } };
	struct run_opts o = { 0 };
	struct nr_error err = { 0 };
	int c, status;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:e:w:u:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'e':
			if (o.n_env < sizeof(o.env) / sizeof(o.env[0]))
				o.env[o.n_env++] = optarg;
			break;
		case 'w':
			o.workdir = optarg;
			break;
		case 'u':
			o.user = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return cli_usage_error("exec", "bad option %s (see --help)", argv[optind - 1]);
		}
	}
	if (argc - optind < 2)
		return cli_usage_error("exec", "expected NAME COMMAND [ARG...] (see --help)");
	o.argv = argv + optind + 1;
	if (ctr_exec(argv[optind], &o, &status, &err) < 0)
		return cli_error(&err);
	return status;
}
