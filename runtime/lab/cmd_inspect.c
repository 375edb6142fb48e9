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

/* --format json|table; --all, every lab (what no -t or --name means anyway). */
static int format_opt(int c, const char *arg, void *ctx)
{
	if (c == 'a')
		return 0;
	if (strcmp(arg, "json") && strcmp(arg, "table")) {
		fprintf(stderr, "netns-run lab inspect: --format is table or json, not %s\n", arg);
		return -1;
	}
	*(bool *)ctx = !strcmp(arg, "json");
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
	struct lab_cmd_common co;
	char lab[LAB_NAME_MAX];
	bool json = false;
	int r = lab_cmd_options(argc, argv, 1, "inspect", usage, "+t:n:f:h", longopts, format_opt, &json, false, &co);

	if (r <= 0)
		return -r;
	if (co.file || co.name) {
		if (lab_cmd_lab_name(co.file, co.name, lab, NULL, &err) < 0 || inspect_one(lab, json, all, &err) < 0)
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
		json_t *out = (co.file || co.name) ? json_array_get(all, 0) : all;
		if (json_dumpf(out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0)
			return LAB_EXIT_FAIL;
		putchar('\n');
	}
	return 0;
}
