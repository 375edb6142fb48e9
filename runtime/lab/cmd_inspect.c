/* `netns-run lab inspect [-t FILE | --name LAB] [--format json]` */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_field.h"
#include "engine/container.h"
#include "engine/rt_error.h"
#include "lab/cmd.h"
#include "lab/cmd_util.h"
#include "lab/inspect.h"
#include "lab/lab_state.h"

static const char usage[] = "Usage: netns-run lab inspect [-t FILE | --name LAB] [--format json]\n"
			    "\n"
			    "The lab's nodes (name, kind, state, management address, pid) and links; every lab\n"
			    "without -t or --name.\n"
			    "\n"
			    "  -t, --topo FILE      the lab of this topology file\n"
			    "  -n, --name LAB       the lab of this name\n"
			    "  -f, --format FORMAT  table (default) or json\n"
			    "  -h, --help           this help\n";

static int inspect_one(const char *lab, bool json, json_t *all, struct nr_error *err)
{
	_cleanup_lab_state_ struct lab_state *st = NULL;
	_cleanup_free_ struct lab_node_view *v = NULL;
	int r;

	if ((r = lab_state_load(lab, &st, err)) < 0 || (r = lab_inspect_nodes(st, &v, err)) < 0)
		return r;
	if (!json) {
		lab_inspect_print(st, v);
		return 0;
	}
	json_t *o = lab_inspect_json(st, v);
	if (!o || json_array_append_new(all, o) < 0)
		return nr_error_set(err, RT_ERR_NOMEM, 12, "out of memory");
	return 0;
}

int lab_cmd_inspect(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "topo", required_argument, NULL, 't' },   { "name", required_argument, NULL, 'n' },
		{ "format", required_argument, NULL, 'f' }, { "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },         { 0 }
	};
	_cleanup_json_ json_t *all = json_array();
	_cleanup_strv_ char **labs = NULL;
	struct nr_error err = { 0 };
	const char *file = NULL, *name = NULL;
	char lab[LAB_NAME_MAX];
	bool json = false;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+t:n:f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			file = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "json") && strcmp(optarg, "table")) {
				fprintf(stderr, "netns-run lab inspect: --format is table or json, not %s\n", optarg);
				return LAB_EXIT_USAGE;
			}
			json = !strcmp(optarg, "json");
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fprintf(stderr, "netns-run lab inspect: bad option %s\n%s", argv[optind - 1], usage);
			return LAB_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "netns-run lab inspect: unexpected arguments\n%s", usage);
		return LAB_EXIT_USAGE;
	}
	if (file || name) {
		if (lab_cmd_lab_name(file, name, lab, NULL, &err) < 0 || inspect_one(lab, json, all, &err) < 0)
			return lab_cmd_fail(&err);
	} else {
		if (lab_state_names(&labs, &err) < 0)
			return lab_cmd_fail(&err);
		for (size_t i = 0; labs[i]; i++)
			if (inspect_one(labs[i], json, all, &err) < 0)
				return lab_cmd_fail(&err);
	}
	if (json) {
		/* One lab named: its object; all labs: an array of them. */
		json_t *out = (file || name) ? json_array_get(all, 0) : all;
		if (json_dumpf(out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0)
			return LAB_EXIT_FAIL;
		putchar('\n');
	}
	return 0;
}
