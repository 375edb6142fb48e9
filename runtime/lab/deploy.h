/* Between the files of a deploy (deploy.c, deploy_exec.c) and destroy (destroy.c). */
#ifndef NETNS_RUN_LAB_DEPLOY_H
#define NETNS_RUN_LAB_DEPLOY_H

#include <stdbool.h>

#include "base/error.h"
#include "engine/rt.h"
#include "lab/lab_link.h"
#include "lab/lab_state.h"
#include "lab/topology.h"

/* One deploy: the lab's state as it grows, and what this call made (for the undo). */
struct deploy {
	const struct lab_topo *t;
	struct lab_state *st;
	char *orig; /* the state before this call, as JSON; NULL: there was none */
	bool mgmt_made;
	char (*ctrs)[RT_NAME_MAX]; /* per node: its container's name (linux) */
	bool *node_made;           /* per node: its container started, its bridge created by this call */
	bool *link_made;           /* per link */
	struct lab_ns *ns;         /* per node */
};

/* The exec lists of the nodes this call started, and of those whose list a killed
 * deploy left unfinished (not "configured" in the state), in parallel, each list in
 * order; a command's output is printed after it, each line prefixed with the node's
 * name.  A command that fails (status not 0) fails the deploy, naming the node and
 * command.  Then every node of the lab is configured. */
int deploy_exec_lists(struct deploy *d, struct nr_error *err);

/* lab_destroy under the labs' lock (taken by the caller). */
int lab_destroy_locked(const char *name, bool cleanup, struct nr_error *err);

#endif
