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
	struct lab_cmd_common co;
	char lab[LAB_NAME_MAX];
	bool cleanup = false;
	int r = lab_cmd_options(argc, argv, 1, "destroy", usage, "+t:n:h", longopts, lab_cmd_flag, &cleanup, false,
				&co);

	if (r <= 0)
		return -r;
	if (lab_cmd_lab_name(co.file, co.name, lab, NULL, &err) < 0 || lab_destroy(lab, cleanup, &err) < 0)
		return lab_cmd_fail(&err);
	printf("lab %s destroyed\n", lab);
	return 0;
}
