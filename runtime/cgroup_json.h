/* TEMPORARY: a cgroup set in the container record's JSON, until the typed record's one
 * serialisation file takes this over (and this file goes).  The format:
 *   {"mode": "hybrid", "paths": {"unified": …, "memory": …}, "dirs": [ … ]}
 * "dirs" (the distinct directories in creation order) is written for readers of the
 * record and ignored on reading: it follows from "paths". */
#ifndef NETNS_RUN_CGROUP_JSON_H
#define NETNS_RUN_CGROUP_JSON_H

#include <jansson.h>

#include "cgroup.h"

/* A new JSON object for cg; NULL when out of memory. */
json_t *cgroup_set_to_json(const struct cgroup_set *cg);

/* A new set from j; NULL when j is NULL or not an object, or out of memory.  Unknown
 * controller names and a missing or unknown mode are skipped (CGROUP_LAYOUT_NONE). */
struct cgroup_set *cgroup_set_from_json(json_t *j);

#endif
