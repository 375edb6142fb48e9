/* The verbs of netns-run-lab (`netns-run lab VERB …`), one file each.  Each parses its own
 * options, returns the program's exit code (0; 1 for a failed operation; 125 for bad usage,
 * as the CLI) and prints its own error through lab_print_error. */
#ifndef NETNS_RUN_LAB_CMD_H
#define NETNS_RUN_LAB_CMD_H

#include "base/error.h"

#define LAB_EXIT_FAIL 1
#define LAB_EXIT_USAGE 125

int lab_cmd_deploy(int argc, char **argv);  /* cmd_deploy.c */
int lab_cmd_destroy(int argc, char **argv); /* cmd_destroy.c */
int lab_cmd_inspect(int argc, char **argv); /* cmd_inspect.c */
int lab_cmd_exec(int argc, char **argv);    /* cmd_exec.c */
int lab_cmd_save(int argc, char **argv);    /* cmd_save.c */
int lab_cmd_graph(int argc, char **argv);   /* cmd_graph.c */
int lab_cmd_tools(int argc, char **argv);   /* cmd_tools.c: `tools link …` */

/* main.c: "netns-run lab: <msg>" (and its details) on stderr; the one printer. */
void lab_print_error(const struct nr_error *err);

#endif
