/* `netns-run lab graph -t FILE -o OUT.svg|.png|.dot`: the topology as a picture; once the
 * lab is deployed, with the addresses its nodes have on each link. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "engine/rt_error.h"
#include "lab/cmd.h"
#include "lab/cmd_util.h"
#include "lab/graph.h"
#include "lab/lab.h"

/* lab.c's, when linked: the picture of a file that was never deployed needs none. */
extern int lab_read_addresses(struct lab_topo *t, struct nr_error *err) __attribute__((weak));

static const char graph_usage[] = "Usage: netns-run lab graph -t FILE -o FILE.svg|.png|.dot\n"
				  "\n"
				  "Draw the lab of topology FILE (Graphviz): nodes by kind, links with their\n"
				  "interface names and, once the lab is deployed, their addresses.\n"
				  "\n"
				  "  -t, --topo FILE     the topology file\n"
				  "  -o, --output FILE   the picture; its format from its name: .svg, .png or .dot\n";

/* -o FILE. */
static int output_opt(int c, const char *arg, void *ctx)
{
	(void)c;
	*(const char **)ctx = arg;
	return 0;
}

int lab_cmd_graph(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "topo", required_argument, NULL, 't' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	_cleanup_(lab_topo_freep) struct lab_topo *t = NULL;
	struct nr_error err = { 0 };
	struct lab_cmd_common co;
	const char *out = NULL;
	int r = lab_cmd_options(argc, argv, 1, "graph", graph_usage, "+t:o:h", opts, output_opt, &out, false, &co);

	if (r <= 0)
		return -r;
	if (!co.file || !out) {
		fprintf(stderr, "netns-run lab graph: -t FILE and -o FILE are required\n%s", graph_usage);
		return LAB_EXIT_USAGE;
	}
	if (lab_topo_parse_file(co.file, &t, &err) < 0) {
		lab_print_error(&err);
		return LAB_EXIT_USAGE;
	}
	/* A lab not deployed (or gone) has no addresses to read: its picture is the file's. */
	if (lab_read_addresses)
		(void)lab_read_addresses(t, &(struct nr_error){ 0 });
	if (lab_graph_write(t, out, &err) < 0) {
		lab_print_error(&err);
		/* A name without .svg, .png or .dot is the caller's mistake. */
		return err.code == RT_ERR_USAGE ? LAB_EXIT_USAGE : LAB_EXIT_FAIL;
	}
	return 0;
}
