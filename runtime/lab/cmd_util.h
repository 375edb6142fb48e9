/* What the lab's verbs share: the lab a command names (-t FILE or --name LAB). */
#ifndef NETNS_RUN_LAB_CMD_UTIL_H
#define NETNS_RUN_LAB_CMD_UTIL_H

#include <getopt.h>
#include <stdbool.h>

#include "base/error.h"
#include "lab/topology.h"

/* The options most verbs share: -t/--topo FILE and -n/--name LAB. */
struct lab_cmd_common {
	const char *file, *name;
};

/* A verb's option loop, getopt_long over optstr and longopts from argv[first]: -t and -n
 * fill common, -h prints usage; every other option goes to on_opt (with ctx), which returns
 * < 0 after saying what is wrong with it.  A bad option, or arguments left when the verb
 * takes none (!takes_args), is said with the usage, "netns-run lab VERB: …".  1 to go on
 * (optind at the first argument left), 0 after the help, -LAB_EXIT_USAGE for a usage error. */
int lab_cmd_options(int argc, char **argv, int first, const char *verb, const char *usage, const char *optstr,
		    const struct option *longopts, int (*on_opt)(int c, const char *arg, void *ctx), void *ctx,
		    bool takes_args, struct lab_cmd_common *common);
/* The on_opt of a verb whose one option of its own is a flag: *(bool *)ctx set. */
int lab_cmd_flag(int c, const char *arg, void *ctx);

/* The lab's name into buf (LAB_NAME_MAX): --name's, or the topology file's "name" (the
 * file parsed; *ret_topo keeps it when ret_topo is not NULL).  RT_ERR_USAGE when neither
 * or both are given. */
int lab_cmd_lab_name(const char *file, const char *name, char *buf, struct lab_topo **ret_topo, struct nr_error *err);

/* Print err and return LAB_EXIT_USAGE for a usage error, LAB_EXIT_FAIL otherwise. */
int lab_cmd_fail(const struct nr_error *err);

#endif
