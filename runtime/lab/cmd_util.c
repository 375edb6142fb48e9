/* The verbs' shared bits (cmd_util.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine/rt_error.h"
#include "lab/cmd.h"
#include "lab/cmd_util.h"

int lab_cmd_lab_name(const char *file, const char *name, char *buf, struct lab_topo **ret_topo, struct nr_error *err)
{
	struct lab_topo *t = NULL;
	int r;

	if ((file && name) || (!file && !name))
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "give either -t FILE or --name LAB");
	if (name) {
		if (strlen(name) >= LAB_NAME_MAX)
			return nr_error_set(err, RT_ERR_USAGE, ENAMETOOLONG, "lab name too long: %s", name);
		snprintf(buf, LAB_NAME_MAX, "%s", name);
		return 0;
	}
	if ((r = lab_topo_parse_file(file, &t, err)) < 0)
		return r;
	snprintf(buf, LAB_NAME_MAX, "%s", t->name);
	if (ret_topo)
		*ret_topo = t;
	else
		lab_topo_free(t);
	return 0;
}

int lab_cmd_fail(const struct nr_error *err)
{
	lab_print_error(err);
	return err->code == RT_ERR_USAGE ? LAB_EXIT_USAGE : LAB_EXIT_FAIL;
}

int lab_cmd_options(int argc, char **argv, int first, const char *verb, const char *usage, const char *optstr,
		    const struct option *longopts, int (*on_opt)(int c, const char *arg, void *ctx), void *ctx,
		    bool takes_args, struct lab_cmd_common *common)
{
	int c;

	*common = (struct lab_cmd_common){ 0 };
	optind = first;
	opterr = 0;
	while ((c = getopt_long(argc, argv, optstr, longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			common->file = optarg;
			break;
		case 'n':
			common->name = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case '?':
		case ':':
			fprintf(stderr, "netns-run lab %s: bad option %s\n%s", verb, argv[optind - 1], usage);
			return -LAB_EXIT_USAGE;
		default:
			if (!on_opt || on_opt(c, optarg, ctx) < 0)
				return -LAB_EXIT_USAGE;
		}
	}
	if (!takes_args && optind < argc) {
		fprintf(stderr, "netns-run lab %s: unexpected arguments\n%s", verb, usage);
		return -LAB_EXIT_USAGE;
	}
	return 1;
}

int lab_cmd_flag(int c, const char *arg, void *ctx)
{
	(void)c, (void)arg;
	*(bool *)ctx = true;
	return 0;
}
