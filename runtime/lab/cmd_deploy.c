/* `netns-run lab deploy -t FILE [--reconfigure]` */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "lab/cmd.h"
#include "lab/cmd_util.h"
#include "lab/inspect.h"
#include "lab/lab.h"
#include "lab/lab_state.h"

static const char usage[] = "Usage: netns-run lab deploy -t FILE [--reconfigure]\n"
			    "\n"
			    "Make the lab FILE describes: its nodes (in parallel), its links, then each new node's\n"
			    "exec list.  Run again, it keeps what is there and adds what is missing.\n"
			    "\n"
			    "  -t, --topo FILE    the topology file (containerlab's format, docs/labs.md)\n"
			    "  -c, --reconfigure  destroy the lab first, then deploy it afresh\n"
			    "  -h, --help         this help\n";

/* What is there now, as inspect shows it (the lab is made: a failure here is no
 * failure of the deploy). */
static void print_lab(const char *name)
{
	_cleanup_lab_state_ struct lab_state *st = NULL;
	_cleanup_free_ struct lab_node_view *v = NULL;

	if (lab_state_load(name, &st, NULL) >= 0 && lab_inspect_nodes(st, &v, NULL) >= 0)
		lab_inspect_print(st, v);
}

int lab_cmd_deploy(int argc, char **argv)
{
	static const struct option longopts[] = { { "topo", required_argument, NULL, 't' },
						  { "reconfigure", no_argument, NULL, 'c' },
						  { "help", no_argument, NULL, 'h' },
						  { 0 } };
	_cleanup_(lab_topo_freep) struct lab_topo *t = NULL;
	struct nr_error err = { 0 };
	struct lab_cmd_common co;
	bool reconfigure = false;
	int r = lab_cmd_options(argc, argv, 1, "deploy", usage, "+t:ch", longopts, lab_cmd_flag, &reconfigure, false,
				&co);

	if (r <= 0)
		return -r;
	if (!co.file) {
		fprintf(stderr, "netns-run lab deploy: -t FILE is required\n%s", usage);
		return LAB_EXIT_USAGE;
	}
	/* A monitor's write to a closed pipe must fail, not kill it. */
	signal(SIGPIPE, SIG_IGN);
	if (lab_topo_parse_file(co.file, &t, &err) < 0)
		return lab_cmd_fail(&err);
	/* The file was fine: whatever fails now (a node, a link) is the deploy's failure. */
	if (lab_deploy(t, reconfigure, &err) < 0) {
		lab_print_error(&err);
		return LAB_EXIT_FAIL;
	}
	printf("lab %s deployed: %zu nodes, %zu links\n", t->name, t->n_nodes, t->n_links);
	print_lab(t->name);
	return 0;
}
