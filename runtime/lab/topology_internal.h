/* Inside the topology parser (topology*.c): the libyaml document walked by key tables,
 * node settings collected per section (defaults, kinds, nodes) before inheritance, and
 * the whole-lab checks run once everything is read. */
#ifndef NETNS_RUN_LAB_TOPOLOGY_INTERNAL_H
#define NETNS_RUN_LAB_TOPOLOGY_INTERNAL_H

#include <yaml.h>

#include "lab/topology.h"

/* A parse in progress. */
struct tp {
	const char *name; /* the file's name, first in every message */
	yaml_document_t *doc;
	struct nr_error *err;
	struct lab_topo *t;
	/* Each endpoint's node as written (links[i].a then .b), resolved by tp_check. */
	char **ep_nodes;
	int *ep_lines;
	size_t links_cap;
	size_t merge_steps; /* pairs brought in by '<<' so far (bounded) */
	bool mgmt_given;    /* a mgmt section: eth0 of linux nodes is the management interface */
};

/* "NAME:LINE: message" (the line of N, 1-based; none when N is NULL); -EINVAL. */
int tp_fail(struct tp *p, const yaml_node_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int tp_fail_line(struct tp *p, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int tp_nomem(struct tp *p);
static inline int tp_line(const yaml_node_t *n)
{
	return n ? (int)n->start_mark.line + 1 : 0;
}
yaml_node_t *tp_node(struct tp *p, int index);
/* A plain null: absent value (`key:`, `~`, `null`). */
bool tp_is_null(const yaml_node_t *n);
/* A scalar's text (NUL-terminated by libyaml); -EINVAL naming WHAT if N is not a scalar or
 * holds a NUL byte. */
int tp_scalar(struct tp *p, yaml_node_t *n, const char *what, const char **ret);
/* A sequence of scalars as a new NULL-ended array (an empty one for an empty list). */
int tp_strv(struct tp *p, yaml_node_t *n, const char *what, lab_strv *ret);
/* A mapping of scalars as "KEY=VALUE" strings appended to *v (a key already there is
 * replaced: a later section overrides an earlier one), at most MAX in all. */
int tp_kv_merge(struct tp *p, yaml_node_t *n, const char *what, int max, lab_strv *v);

/* Walk mapping N (a null counts as empty): each key must be one of KEYS (its index goes to
 * FN) or is refused, by name, as one of containerlab's we do not support (REFUSED), or as
 * unknown.  A key given twice is an error.  WHERE names the mapping in messages. */
struct tp_keys {
	const char *const *keys;    /* NULL-ended; at most 32 */
	const char *const *refused; /* NULL-ended; may be NULL */
};
int tp_map_walk(struct tp *p, yaml_node_t *n, const char *where, const struct tp_keys *keys,
		int (*fn)(struct tp *p, int key, yaml_node_t *k, yaml_node_t *v, void *arg), void *arg);

/* strv helpers (NULL-ended arrays of malloc'd strings). */
size_t lab_strv_len(const lab_strv v);
void lab_strv_free(lab_strv v);
int lab_strv_push(lab_strv *v, char *s); /* takes s (freed on failure) */

/* Node settings as one section gives them (defaults, a kinds entry, a node). */
enum tp_node_key {
	NK_KIND,
	NK_IMAGE,
	NK_CMD,
	NK_EXEC,
	NK_ENV,
	NK_BINDS,
	NK_LABELS,
	NK_NETWORK_MODE,
	NK_MGMT_IPV4,
	NK_CAP_ADD,
	NK_CAP_DROP,
	NK_SYSCTL_NET,
	NK_COUNT,
};
struct tp_cfg {
	yaml_node_t *v[NK_COUNT]; /* NULL: not given here */
	yaml_node_t *map;         /* the section's own mapping (for its line) */
};
int tp_cfg_read(struct tp *p, yaml_node_t *n, const char *where, struct tp_cfg *ret);
/* Lay SECTION's settings over NODE (scalars replace, env/labels merge by key, binds
 * replace by container path, capabilities add up, exec replaces); WHERE for messages. */
int tp_cfg_apply(struct tp *p, const struct tp_cfg *section, const char *where, struct lab_node *node);
/* Keys a section for kind K may hold: bridge and host nodes are no containers. */
int tp_cfg_fits_kind(struct tp *p, const struct tp_cfg *c, const char *where, enum lab_kind k);
void lab_node_clear(struct lab_node *n);

/* topology_link.c: topology.links. */
int tp_links_read(struct tp *p, yaml_node_t *n);
void lab_link_clear(struct lab_link *l);

/* topology_check.c: names, endpoints, interfaces, bridge cycles, management addresses. */
int tp_check(struct tp *p);

#endif
