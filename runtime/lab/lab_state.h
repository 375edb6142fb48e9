/* What deploy made for a lab, kept in <state_dir>/labs/<name>/state.json so that destroy,
 * inspect, exec and save work from it alone (no topology file needed).  Written whole and
 * atomically; changed only under the labs' lock (lab_state_lock), read without it.
 *
 *   {"version": 1, "name": "ospf3", "topology": "/abs/topo.yml", "created": 1733300000,
 *    "mgmt": {"network": "lab-mgmt", "made": true},
 *    "nodes": [{"name": "r1", "kind": "linux", "container": "lab-ospf3-r1", "configured": true,
 *               "labels": {"K": "V"}},
 *              {"name": "sw", "kind": "bridge", "made": true}],
 *    "links": [{"a": "r1:eth1", "b": "sw:p1", "host": ["p1"]}]}
 *
 * A node's "made" says the lab created its host object (a bridge it found is kept at
 * destroy); a link's "host" lists its ends in the host's namespace (bridge ports, host
 * endpoints), which destroy deletes (the others go with their node's namespace). */
#ifndef NETNS_RUN_LAB_STATE_H
#define NETNS_RUN_LAB_STATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/cleanup.h"
#include "base/error.h"
#include "engine/rt.h"
#include "lab/topology.h"

#define LAB_STATE_VERSION 1
#define LAB_ENDPOINT_MAX (LAB_NAME_MAX + LAB_IFNAME_MAX + 1) /* "node:ifname" */

struct lab_state_node {
	char name[LAB_NAME_MAX];
	enum lab_kind kind;
	char container[RT_NAME_MAX]; /* linux: the container's name; "" otherwise */
	bool made;                   /* bridge: created by this lab */
	bool configured;             /* linux: its exec list ran to its end (a deploy killed before
				      * leaves it to the next deploy) */
	char **labels;               /* "K=V", NULL-ended or NULL */
};

struct lab_state_link {
	char a[LAB_ENDPOINT_MAX], b[LAB_ENDPOINT_MAX];
	char **host; /* interface names in the host's namespace, NULL-ended or NULL */
};

struct lab_state {
	char name[LAB_NAME_MAX];
	char *topology; /* the topology file, absolute; NULL when unknown */
	long long created;
	char *mgmt_network; /* NULL: none */
	bool mgmt_made;     /* the lab created it (destroy removes it) */
	struct lab_state_node *nodes;
	size_t n_nodes;
	struct lab_state_link *links;
	size_t n_links;
};

struct lab_state *lab_state_new(const char *name);
void lab_state_free(struct lab_state *st);
DEFINE_PTR_CLEANUP(lab_state_freep, struct lab_state *, lab_state_free)
#define _cleanup_lab_state_ _cleanup_(lab_state_freep)

/* "lab-<lab>-<node>" into buf (RT_NAME_MAX): the container of a linux node.  Named as
 * containerlab names its containers ("clab-<lab>-<node>"), with our own prefix, so that
 * `netns-run ps` shows which lab and node each belongs to and two labs never collide.
 * RT_ERR_USAGE when it would be too long or not a valid container name. */
int lab_container_name(const char *lab, const char *node, char buf[RT_NAME_MAX], struct nr_error *err);

/* The labs' lock (<state_dir>/labs/lock, flock): held by deploy and destroy from start to
 * end, so that two of them never interleave their changes of the same objects.  One lock
 * for every lab: a lab's own directory goes away with it.  Returns the fd to close. */
int lab_state_lock(struct nr_error *err);

/* -ENOENT (RT_ERR_NOT_FOUND "no such lab: NAME") when there is none; RT_ERR_CORRUPT for a
 * state that does not read back. */
int lab_state_load(const char *name, struct lab_state **ret, struct nr_error *err);
int lab_state_save(const struct lab_state *st, struct nr_error *err);
/* The lab's state file, and its directory when that is empty then; with all, the
 * directory with whatever else is in it (destroy --cleanup).  Gone already is success. */
int lab_state_remove(const char *name, bool all, struct nr_error *err);
/* The names of the labs with a state, sorted (rt_strv_free). */
int lab_state_names(char ***ret, struct nr_error *err);

/* The JSON text of st, and back (for the store and its unit test). */
int lab_state_to_json(const struct lab_state *st, char **ret, struct nr_error *err);
int lab_state_from_json(const char *text, const char *what, struct lab_state **ret, struct nr_error *err);

/* Labels ("K=V" strings) as a JSON object {K: V}; NULL on ENOMEM. */
json_t *lab_labels_json(char *const *labels);

/* Lookups and appends; appends copy their arguments and fail only on ENOMEM. */
struct lab_state_node *lab_state_node(const struct lab_state *st, const char *name);
struct lab_state_link *lab_state_link(const struct lab_state *st, const char *a, const char *b);
struct lab_state_node *lab_state_add_node(struct lab_state *st, const char *name, enum lab_kind kind);
struct lab_state_link *lab_state_add_link(struct lab_state *st, const char *a, const char *b);

#endif
