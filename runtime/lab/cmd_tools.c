/* `netns-run lab tools link [-t FILE | --name LAB] --node N --iface I [--rate R]
 * [--delay D] [--jitter J] [--loss P] [--clear]`: impair one end of a link (link_tc.c). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/container.h"
#include "engine/rt_error.h"
#include "lab/cmd.h"
#include "lab/cmd_util.h"
#include "lab/lab_link.h"
#include "lab/lab_state.h"

static const char usage[] = "Usage: netns-run lab tools link [-t FILE | --name LAB] --node N --iface I [--rate R]\n"
			    "                                [--delay D] [--jitter J] [--loss P] [--clear]\n"
			    "\n"
			    "Impair the interface I of node N (tc through rtnetlink): a rate is a token bucket (tbf);\n"
			    "delay, jitter and loss need the kernel's netem.  Without -t or --name, N is a node's\n"
			    "container (lab-LAB-NODE) or a node name only one lab has.\n"
			    "\n"
			    "  -t, --topo FILE   the lab of this topology file\n"
			    "  -n, --name LAB    the lab of this name\n"
			    "      --node N      the node\n"
			    "      --iface I     its interface\n"
			    "      --rate R      10mbit, 1gbit, 500kbit, 1mbps (bytes), ... (tc's units)\n"
			    "      --delay D     10ms, 100us, 1s (netem)\n"
			    "      --jitter J    as --delay (netem)\n"
			    "      --loss P      percent, 0.1 or 1% (netem)\n"
			    "      --clear       remove the impairment (the link's default qdisc again)\n"
			    "  -h, --help        this help\n";

struct tools_args {
	const char *file, *name, *node, *iface;
	struct lab_impair im;
};

static int bad(const char *what, const char *v)
{
	fprintf(stderr, "netns-run lab tools link: bad %s: %s\n", what, v);
	return -1;
}

/* link's options of its own. */
static int link_opt(int c, const char *arg, void *ctx)
{
	struct tools_args *a = ctx;
	char *end;

	switch (c) {
	case 'N':
		a->node = arg;
		return 0;
	case 'i':
		a->iface = arg;
		return 0;
	case 'r':
		return lab_rate_parse(arg, &a->im.rate) < 0 ? bad("--rate", arg) : 0;
	case 'd':
		return lab_time_parse(arg, &a->im.delay) < 0 ? bad("--delay", arg) : 0;
	case 'j':
		return lab_time_parse(arg, &a->im.jitter) < 0 ? bad("--jitter", arg) : 0;
	case 'l':
		a->im.loss = strtod(arg, &end);
		if (end == arg || (*end && strcmp(end, "%")) || a->im.loss < 0 || a->im.loss > 100)
			return bad("--loss", arg);
		return 0;
	default: /* 'c' */
		a->im.clear = true;
		return 0;
	}
}

/* The arguments of `tools link` into a: -1 to go on, else the exit code. */
static int parse(int argc, char **argv, struct tools_args *a)
{
	static const struct option longopts[] = {
		{ "topo", required_argument, NULL, 't' },
		{ "name", required_argument, NULL, 'n' },
		{ "node", required_argument, NULL, 'N' },
		{ "iface", required_argument, NULL, 'i' },
		{ "rate", required_argument, NULL, 'r' },
		{ "delay", required_argument, NULL, 'd' },
		{ "jitter", required_argument, NULL, 'j' },
		{ "loss", required_argument, NULL, 'l' },
		{ "clear", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct lab_cmd_common co;
	int r;

	if (argc < 2 || strcmp(argv[1], "link")) {
		fprintf(stderr, "netns-run lab tools: the one tool is `link`\n%s", usage);
		return LAB_EXIT_USAGE;
	}
	if ((r = lab_cmd_options(argc, argv, 2, "tools link", usage, "+t:n:h", longopts, link_opt, a, false, &co)) <= 0)
		return -r;
	a->file = co.file;
	a->name = co.name;
	if (!a->node || !a->iface) {
		fprintf(stderr, "netns-run lab tools link: --node and --iface are required\n%s", usage);
		return LAB_EXIT_USAGE;
	}
	if (!a->im.clear && !a->im.rate && !a->im.delay && !a->im.jitter && !(a->im.loss > 0)) {
		fprintf(stderr,
			"netns-run lab tools link: nothing to set (--rate, --delay, --jitter, --loss or --clear)\n");
		return LAB_EXIT_USAGE;
	}
	return -1;
}

/* The node's namespace: a linux node's container's, else the host's. */
static int open_node(const struct lab_state_node *n, const char *ctr, struct lab_ns *ns, struct nr_error *err)
{
	_cleanup_record_ struct ctr_record *rec = NULL;
	int r;

	if (n && n->kind != LAB_KIND_LINUX)
		return lab_ns_open(NULL, ns, err);
	if ((r = ctr_store_load(ctr, &rec, err)) < 0)
		return r;
	if (!ctr_running(rec) || !rec->netns_path)
		return nr_error_set(err, RT_ERR_CONFLICT, ESRCH, "container %s is not running", ctr);
	return lab_ns_open(rec->net.mode == CTR_NET_HOST ? NULL : rec->netns_path, ns, err);
}

/* Without a lab: the only lab with a node of that name. */
static int find_lab(const char *node, char *lab, struct nr_error *err)
{
	_cleanup_strv_ char **labs = NULL;
	int found = 0, r;

	if ((r = lab_state_names(&labs, err)) < 0)
		return r;
	for (size_t i = 0; labs[i]; i++) {
		_cleanup_lab_state_ struct lab_state *st = NULL;
		if (lab_state_load(labs[i], &st, NULL) < 0 || !lab_state_node(st, node))
			continue;
		if (found++)
			return nr_error_set(err, RT_ERR_USAGE, EINVAL,
					    "node %s is in labs %s and %s: say which with -t FILE or --name LAB", node,
					    lab, labs[i]);
		snprintf(lab, LAB_NAME_MAX, "%s", labs[i]);
	}
	if (!found)
		return nr_error_set(err, RT_ERR_NOT_FOUND, ENOENT, "no lab has a node or container %s", node);
	return 0;
}

int lab_cmd_tools(int argc, char **argv)
{
	struct tools_args a = { 0 };
	_cleanup_lab_state_ struct lab_state *st = NULL;
	struct lab_ns ns = { .fd = -1 };
	struct nr_error err = { 0 };
	const struct lab_state_node *n = NULL;
	const char *ctr = NULL;
	char lab[LAB_NAME_MAX];
	int r;

	if ((r = parse(argc, argv, &a)) >= 0)
		return r;
	_cleanup_record_ struct ctr_record *rec = NULL;
	if (!a.file && !a.name && ctr_store_load(a.node, &rec, NULL) >= 0) {
		ctr = a.node; /* a container: lab-LAB-NODE */
	} else {
		if (a.file || a.name)
			r = lab_cmd_lab_name(a.file, a.name, lab, NULL, &err);
		else
			r = find_lab(a.node, lab, &err);
		if (r < 0 || lab_state_load(lab, &st, &err) < 0)
			return lab_cmd_fail(&err);
		if (!(n = lab_state_node(st, a.node))) {
			nr_error_set(&err, RT_ERR_NOT_FOUND, ENOENT, "lab %s has no node %s", lab, a.node);
			return lab_cmd_fail(&err);
		}
		ctr = n->container;
	}
	if ((r = open_node(n, ctr, &ns, &err)) >= 0)
		r = lab_link_impair(&ns, a.iface, &a.im, &err);
	lab_ns_close(&ns);
	if (r < 0) {
		nr_error_wrap(&err, r, "%s:%s", a.node, a.iface);
		return lab_cmd_fail(&err);
	}
	return 0;
}
