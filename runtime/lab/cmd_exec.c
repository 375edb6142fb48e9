/* `netns-run lab exec (-t FILE | --name LAB) (--node N | --label K=V) -- CMD...` */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "engine/rt_error.h"
#include "lab/cmd.h"
#include "lab/cmd_util.h"
#include "lab/lab_node.h"
#include "lab/lab_state.h"

static const char usage[] = "Usage: netns-run lab exec (-t FILE | --name LAB) (--node N | --label K=V) -- CMD...\n"
			    "\n"
			    "Run CMD in the lab's linux node N (or in each node with the label K=V, in turn, each\n"
			    "one's output after a line '== NODE'), as `netns-run exec` does.  The exit status is\n"
			    "CMD's (with several nodes: the first that is not 0).\n"
			    "\n"
			    "  -t, --topo FILE    the lab of this topology file\n"
			    "  -n, --name LAB     the lab of this name\n"
			    "      --node N       the node (repeatable)\n"
			    "      --label K=V    every node with this label\n"
			    "  -h, --help         this help\n";

static bool has_label(const struct lab_state_node *n, const char *kv)
{
	for (size_t i = 0; n->labels && n->labels[i]; i++)
		if (!strcmp(n->labels[i], kv))
			return true;
	return false;
}

static bool named(const struct lab_state_node *n, char **nodes, size_t n_nodes)
{
	for (size_t i = 0; i < n_nodes; i++)
		if (!strcmp(nodes[i], n->name))
			return true;
	return false;
}

/* The nodes a command runs on: --node N (repeatable) or --label K=V. */
struct targets {
	char *nodes[64];
	size_t n_nodes;
	const char *label;
};

static int target_opt(int c, const char *arg, void *ctx)
{
	struct targets *tg = ctx;

	if (c == 'l') {
		tg->label = arg;
		return 0;
	}
	if (tg->n_nodes == sizeof(tg->nodes) / sizeof(tg->nodes[0])) {
		fprintf(stderr, "netns-run lab exec: too many --node\n");
		return -1;
	}
	tg->nodes[tg->n_nodes++] = (char *)arg;
	return 0;
}

int lab_cmd_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "topo", required_argument, NULL, 't' }, { "name", required_argument, NULL, 'n' },
		{ "node", required_argument, NULL, 'N' }, { "label", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },       { 0 }
	};
	_cleanup_lab_state_ struct lab_state *st = NULL;
	struct nr_error err = { 0 };
	struct lab_cmd_common co;
	struct targets tg = { 0 };
	char lab[LAB_NAME_MAX];
	int status = 0,
	    r = lab_cmd_options(argc, argv, 1, "exec", usage, "+t:n:h", longopts, target_opt, &tg, true, &co);

	if (r <= 0)
		return -r;
	if (optind >= argc || (!tg.n_nodes && !tg.label) || (tg.n_nodes && tg.label)) {
		fprintf(stderr, "netns-run lab exec: %s\n%s",
			optind >= argc ? "no command given" : "give --node N or --label K=V", usage);
		return LAB_EXIT_USAGE;
	}
	if (lab_cmd_lab_name(co.file, co.name, lab, NULL, &err) < 0 || lab_state_load(lab, &st, &err) < 0)
		return lab_cmd_fail(&err);
	for (size_t i = 0; i < tg.n_nodes; i++)
		if (!lab_state_node(st, tg.nodes[i])) {
			nr_error_set(&err, RT_ERR_NOT_FOUND, 0, "lab %s has no node %s", lab, tg.nodes[i]);
			return lab_cmd_fail(&err);
		}
	size_t matched = 0;
	for (size_t i = 0; i < st->n_nodes; i++) {
		const struct lab_state_node *n = &st->nodes[i];
		if (tg.label ? !has_label(n, tg.label) : !named(n, tg.nodes, tg.n_nodes))
			continue;
		if (n->kind != LAB_KIND_LINUX) {
			nr_error_set(&err, RT_ERR_USAGE, 0, "node %s is a %s node: only linux nodes run commands",
				     n->name, lab_kind_name(n->kind));
			return lab_cmd_fail(&err);
		}
		if (tg.label) {
			printf("== %s\n", n->name);
			fflush(stdout);
		}
		int s;
		if (lab_node_exec(n->container, argv + optind, -1, &s, &err) < 0) {
			nr_error_wrap(&err, -1, "node %s", n->name);
			return lab_cmd_fail(&err);
		}
		if (!status)
			status = s;
		matched++;
	}
	if (!matched) {
		nr_error_set(&err, RT_ERR_NOT_FOUND, 0, "lab %s has no node with the label %s", lab, tg.label);
		return lab_cmd_fail(&err);
	}
	return status;
}
