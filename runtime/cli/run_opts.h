/* `netns-run run` options, parsed with getopt_long in Docker's spelling. */
#ifndef NETNS_RUN_CLI_RUN_OPTS_H
#define NETNS_RUN_CLI_RUN_OPTS_H

#include <jansson.h>

#include "base/error.h"
#include "engine/opts.h"
#include "engine/ports.h" /* parse_port_spec, once here */

/* 1 after printing help (exit 0), 0 when parsed, negative with err (exit 125). */
int run_opts_parse(int argc, char **argv, struct run_opts *o, struct nr_error *err);
/* What the parser allocated (caps); after any outcome of run_opts_parse. */
void run_opts_free(struct run_opts *o);

#endif
