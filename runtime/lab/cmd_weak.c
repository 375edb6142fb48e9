/* Until each verb's file lands: a weak stand-in that says so, so the program links. */
#include <stdio.h>

#include "lab/cmd.h"

#define LAB_WEAK_VERB(fn, verb)                                                    \
	__attribute__((weak)) int fn(int argc, char **argv)                        \
	{                                                                          \
		fprintf(stderr, "netns-run lab: %s: not implemented yet\n", verb); \
		return LAB_EXIT_USAGE;                                             \
	}

LAB_WEAK_VERB(lab_cmd_deploy, "deploy")
LAB_WEAK_VERB(lab_cmd_destroy, "destroy")
LAB_WEAK_VERB(lab_cmd_inspect, "inspect")
LAB_WEAK_VERB(lab_cmd_exec, "exec")
LAB_WEAK_VERB(lab_cmd_save, "save")
LAB_WEAK_VERB(lab_cmd_graph, "graph")
LAB_WEAK_VERB(lab_cmd_tools, "tools")
