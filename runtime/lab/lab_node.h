/* A lab's linux nodes as containers of the engine: their options (node_opts.c), their
 * start as detached containers with a monitor each (node_start.c), commands run in them
 * (node_exec.c) and their removal (node_remove.c). */
#ifndef NETNS_RUN_LAB_NODE_H
#define NETNS_RUN_LAB_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/error.h"
#include "engine/opts.h"
#include "engine/rt.h"
#include "lab/lab_jobs.h"
#include "lab/topology.h"

/* The capabilities a linux node gets besides Docker's default set (docs/labs.md):
 * routing software programs its node's network, and FRR's daemons will not start without
 * CAP_SYS_ADMIN in their permitted set. */
#define LAB_NODE_CAPS \
	((1ULL << 12) /* CAP_NET_ADMIN */ | (1ULL << 13) /* CAP_NET_RAW */ | (1ULL << 21) /* CAP_SYS_ADMIN */)

/* A node's run options and the strings they point to. */
struct lab_node_opts {
	struct run_opts o;
	char **own; /* strings o points into (binds, argv) */
	char **argv;
};

/* The container of node n of lab t, named ctr: the host's root or n->image, n->cmd
 * through sh (or sleep forever), env, binds (relative to the topology's directory),
 * network mode none or the lab's management network on eth0 (n->mgmt_ipv4), hostname
 * the node's name, LAB_NODE_CAPS and a writable /proc/sys/net unless narrowed
 * (cap_drop, sysctl_net_ro), detached (its output in its log).  RT_ERR_USAGE naming the
 * node for a bad bind, capability or image.  *ret is freed with lab_node_opts_free. */
int lab_node_opts_build(const struct lab_topo *t, const struct lab_node *n, const char *ctr, struct lab_node_opts *ret,
			struct nr_error *err);
void lab_node_opts_free(struct lab_node_opts *no);

/* Start the containers of the linux nodes idx[0..n) of t, named names[i], in parallel
 * (lab_jobs.h): each gets a monitor process of its own (this program, forked) that
 * outlives the caller.  results[i] says how each went; returns how many failed. */
int lab_nodes_start(const struct lab_topo *t, const size_t *idx, char (*names)[RT_NAME_MAX], size_t n,
		    struct lab_job_result *results, struct nr_error *err);

/* Run argv in the running container ctr as `netns-run exec` does, on our stdin, with out
 * as its stdout and stderr (-1: ours); *ret_status its exit status.  In a child of ours:
 * ctr_exec joins the container's namespaces. */
int lab_node_exec(const char *ctr, char *const *argv, int out, int *ret_status, struct nr_error *err);

/* Remove the containers names[0..n): every init killed first, so that their monitors
 * tear down side by side, then each record; one already gone counts as removed.
 * Returns how many failed (results[i]). */
int lab_nodes_remove(char (*names)[RT_NAME_MAX], size_t n, struct lab_job_result *results, struct nr_error *err);

#endif
