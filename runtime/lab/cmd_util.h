/* What the lab's verbs share: the lab a command names (-t FILE or --name LAB). */
#ifndef NETNS_RUN_LAB_CMD_UTIL_H
#define NETNS_RUN_LAB_CMD_UTIL_H

#include "base/error.h"
#include "lab/topology.h"

/* The lab's name into buf (LAB_NAME_MAX): --name's, or the topology file's "name" (the
 * file parsed; *ret_topo keeps it when ret_topo is not NULL).  RT_ERR_USAGE when neither
 * or both are given. */
int lab_cmd_lab_name(const char *file, const char *name, char *buf, struct lab_topo **ret_topo, struct nr_error *err);

/* Print err and return LAB_EXIT_USAGE for a usage error, LAB_EXIT_FAIL otherwise. */
int lab_cmd_fail(const struct nr_error *err);

#endif
