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

int lab_cmd_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "topo", required_argument, NULL, 't' }, { "name", required_argument, NULL, 'n' },
		{ "node", required_argument, NULL, 'N' }, { "label", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },       { 0 }
	};
	_cleanup_lab_state_ struct lab_state *st = NULL;
	struct nr_error err = { 0 };
	const char *file = NULL, *name = NULL, *label = NULL;
	char *nodes[64];
	size_t n_nodes = 0;
	char lab[LAB_NAME_MAX];
	int c, status = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+t:n:h", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			file = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'N':
			if (n_nodes == sizeof(nodes) / sizeof(nodes[0])) {
				fprintf(stderr, "netns-run lab exec: too many --node\n");
				return LAB_EXIT_USAGE;
			}
			nodes[n_nodes++] = optarg;
			break;
		case 'l':
			label = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fprintf(stderr, "netns-run lab exec: bad option %s\n%s", argv[optind - 1], usage);
			return LAB_EXIT_USAGE;
		}
	}
	if (optind >= argc || (!n_nodes && !label) || (n_nodes && label)) {
		fprintf(stderr, "netns-run lab exec: %s\n%s",
			optind >= argc ? "no command given" : "give --node N or --label K=V", usage);
		return LAB_EXIT_USAGE;
	}
	if (lab_cmd_lab_name(file, name, lab, NULL, &err) < 0 || lab_state_load(lab, &st, &err) < 0)
		return lab_cmd_fail(&err);
	for (size_t i = 0; i < n_nodes; i++)
		if (!lab_state_node(st, nodes[i])) {
			nr_error_set(&err, RT_ERR_NOT_FOUND, 0, "lab %s has no node %s", lab, nodes[i]);
			return lab_cmd_fail(&err);
		}
	size_t matched = 0;
	for (size_t i = 0; i < st->n_nodes; i++) {
		const struct lab_state_node *n = &st->nodes[i];
		if (label ? !has_label(n, label) : !named(n, nodes, n_nodes))
			continue;
		if (n->kind != LAB_KIND_LINUX) {
			nr_error_set(&err, RT_ERR_USAGE, 0, "node %s is a %s node: only linux nodes run commands",
				     n->name, lab_kind_name(n->kind));
			return lab_cmd_fail(&err);
		}
		if (label) {
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
		nr_error_set(&err, RT_ERR_NOT_FOUND, 0, "lab %s has no node with the label %s", lab, label);
		return lab_cmd_fail(&err);
	}
	return status;
}
