/* A lab's life (issue 19): deploy, inspect, exec, save, destroy and link impairments, on
 * the engine (containers, netlink).  A lab's state lives in <state_dir>/labs/<name>/
 * (lab_state.c): what deploy made, so destroy and inspect work from it alone. */
#ifndef NETNS_RUN_LAB_LAB_H
#define NETNS_RUN_LAB_LAB_H

#include <stdbool.h>

#include "base/error.h"
#include "lab/topology.h"

/* Nodes in parallel, then links, then each node's exec list.  Idempotent: what is already
 * there as the file says is kept; with RECONFIGURE the lab is destroyed first.  On any
 * failure everything this call made is removed and the error names the node or link. */
int lab_deploy(const struct lab_topo *t, bool reconfigure, struct nr_error *err);

/* Remove everything deploy made: links, bridges, containers, the management network, the
 * state (CLEANUP: also the lab's directory of files).  Succeeds when nothing is left. */
int lab_destroy(const char *lab_name, bool cleanup, struct nr_error *err);

/* Fill each link endpoint's addrs from the running nodes (for the picture). */
int lab_read_addresses(struct lab_topo *t, struct nr_error *err);

#endif
