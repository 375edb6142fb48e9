/* `netns-run lab destroy (-t FILE | --name LAB) [--cleanup]` */
#include <getopt.h>
#include <stdio.h>

#include "lab/cmd.h"
#include "lab/cmd_util.h"
#include "lab/lab.h"

static const char usage[] = "Usage: netns-run lab destroy (-t FILE | --name LAB) [--cleanup]\n"
			    "\n"
			    "Remove everything the lab's deploys made: links, containers, bridges, the management\n"
			    "network, the state.  A lab that is gone already is no error.\n"
			    "\n"
			    "  -t, --topo FILE  the lab of this topology file\n"
			    "  -n, --name LAB   the lab of this name (no file needed)\n"
			    "      --cleanup    also the lab's directory with any other file in it\n"
			    "  -h, --help       this help\n";

int lab_cmd_destroy(int argc, char **argv)
{
	static const struct option longopts[] = { { "topo", required_argument, NULL, 't' },
						  { "name", required_argument, NULL, 'n' },
						  { "cleanup", no_argument, NULL, 'C' },
						  { "help", no_argument, NULL, 'h' },
						  { 0 } };
	struct nr_error err = { 0 };
	const char *file = NULL, *name = NULL;
	char lab[LAB_NAME_MAX];
	bool cleanup = false;
	int c;

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
		case 'C':
			cleanup = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fprintf(stderr, "netns-run lab destroy: bad option %s\n%s", argv[optind - 1], usage);
			return LAB_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "netns-run lab destroy: unexpected arguments\n%s", usage);
		return LAB_EXIT_USAGE;
	}
	if (lab_cmd_lab_name(file, name, lab, NULL, &err) < 0 || lab_destroy(lab, cleanup, &err) < 0)
		return lab_cmd_fail(&err);
	printf("lab %s destroyed\n", lab);
	return 0;
}
