/* Naming and selecting networks as Docker does, for `network inspect/rm/ls -f` and the
 * daemon's /networks paths (one lookup, one set of filters for both front ends). */
#ifndef NETNS_RUN_NETDEF_QUERY_H
#define NETNS_RUN_NETDEF_QUERY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "cni/cni_chain.h"

/* Every network (netdef_list_all) and, when asked, the containers on them
 * (netdef_containers), read once for a command or a request. */
struct netdef_set {
	struct cni_netconf **v;
	size_t n;
	json_t *ctrs; /* NULL unless with_ctrs */
};
int netdef_set_load(struct netdef_set *s, bool with_ctrs, struct nr_error *err);
void netdef_set_release(struct netdef_set *s); /* zeroes s; a zeroed set is fine */

/* Docker's lookup order among v (netdef_list_all's): a name, then a full id, then a
 * unique id prefix.  NULL when arg names none (or an ambiguous prefix). */
const struct cni_netconf *netdef_find(struct cni_netconf *const *v, size_t n, const char *arg);

/* One `network ls` filter: key is name (substring), id (prefix), driver, label
 * (KEY or KEY=VALUE), scope (local), type (custom|builtin) or dangling (true: a user
 * network without containers; false: the others). */
struct netdef_filter {
	const char *key, *value;
};

/* Whether key=value is a filter we know: RT_ERR_USAGE naming it otherwise (Docker's
 * "invalid filter 'KEY'" and, for type, its values). */
int netdef_filter_check(const char *key, const char *value, struct nr_error *err);

/* Whether the network passes the filters: one key given several times matches any of
 * its values, different keys must all match.  net is conf's netdef_inspect_json() (with
 * the containers, for dangling). */
bool netdef_filters_match(const struct netdef_filter *f, size_t n, const struct cni_netconf *conf, json_t *net);

#endif
