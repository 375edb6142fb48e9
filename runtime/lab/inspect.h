/* What a lab's nodes are doing now (inspect.c), from its state and what is observed:
 * the containers' records, the host's bridges. */
#ifndef NETNS_RUN_LAB_INSPECT_H
#define NETNS_RUN_LAB_INSPECT_H

#include <jansson.h>
#include <sys/types.h>

#include "base/error.h"
#include "lab/lab_state.h"

struct lab_node_view {
	const struct lab_state_node *n;
	const char *state; /* running, exited, missing (linux); up, down, missing (bridge); host */
	char mgmt[64];     /* the management address (CIDR), "" when none */
	pid_t pid;         /* the container's init, 0 when none */
};

/* One view per node of st (st->n_nodes of them, freed with free()). */
int lab_inspect_nodes(const struct lab_state *st, struct lab_node_view **ret, struct nr_error *err);

/* The lab as JSON: {"name", "topology", "mgmt", "nodes": [{name, kind, state, container,
 * mgmt_ipv4, pid, labels}], "links": [{a, b}]}. */
json_t *lab_inspect_json(const struct lab_state *st, const struct lab_node_view *v);

/* The table on stdout: the lab, its nodes (NODE KIND STATE MGMT-IPV4 PID CONTAINER), its
 * links. */
void lab_inspect_print(const struct lab_state *st, const struct lab_node_view *v);

#endif
