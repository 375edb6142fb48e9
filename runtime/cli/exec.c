/* `netns-run exec [OPTIONS] NAME COMMAND [ARG...]` */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/term.h"
#include "engine/ctr.h"

static const char usage[] = "Usage: netns-run exec [OPTIONS] NAME COMMAND [ARG...]\n"
			    "\n"
			    "Run COMMAND inside the running container NAME (its namespaces, cgroups, capabilities).\n"
			    "\n"
			    "  -i, --interactive     keep stdin open: the caller's stdin reaches COMMAND\n"
			    "  -t, --tty             run COMMAND on a terminal (a pty in the container)\n"
			    "  -e, --env K=V | K     set a variable (repeatable)\n"
			    "  -w, --workdir DIR     working directory inside\n"
			    "  -u, --user UID[:GID]  run as this user\n"
			    "  -h, --help            this help\n";

int cmd_exec(int argc, char **argv)
{
	static const struct option longopts[] = { { "interactive", no_argument, NULL, 'i' },
						  { "tty", no_argument, NULL, 't' },
						  { "env", required_argument, NULL, 'e' },
						  { "workdir", required_argument, NULL, 'w' },
						  { "user", required_argument, NULL, 'u' },
						  { "help", no_argument, NULL, 'h' },
						  { 0 } };
	struct run_opts o = { 0 };
	struct nr_error err = { 0 };
	struct tty_stdio io;
	int c, r, status, sfd;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:ite:w:u:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o.interactive = true;
			break;
		case 't':
			o.tty = true;
			break;
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
	if ((status = cli_term_prepare("exec", &o, &io)) != 0)
		return status;
	/* The relay's writes to a closed output must fail, not kill us (and the command). */
	signal(SIGPIPE, SIG_IGN);
	sfd = cli_signals_take();
	cli_term_raw(&o);
	r = ctr_exec(argv[optind], &o, &io, sfd, &status, &err);
	cli_term_restore();
	if (sfd >= 0)
		close(sfd);
	return r < 0 ? cli_error(&err) : status;
}
