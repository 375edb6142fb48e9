/* Further networks of a running container (issue 17): `network connect` and `disconnect`,
 * as Docker's.  A container on none, host or container:NAME is refused (its network
 * namespace is not its own to extend); the container's first network keeps the default
 * route, a further one adds only its own subnets' routes (the plugins' default route on
 * that interface is removed), as Docker does.  The record, /etc/hosts and resolv.conf and
 * the DNS responders (dns_net.h) follow each change.  Everything happens under the
 * container store's lock; a failed connect leaves nothing behind. */
#ifndef NETNS_RUN_NET_ATTACH_H
#define NETNS_RUN_NET_ATTACH_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "opts.h"

/* Attach container (name or id prefix) to e->network as the next ethN.  Already attached
 * to it: RT_ERR_CONFLICT ("container X is already connected to network N").  A container
 * created and not yet started (its monitor waiting, as the daemon's create leaves it) gets
 * the attachment recorded only (done: nothing to DEL), as Docker records the endpoint; its
 * start ADDs it (net_connect_adopt). */
int net_connect(const char *container, const struct net_endpoint_opts *e, struct nr_error *err);

struct net_plan;
struct ctr_record;
/* The start's side of a connect before it, under the store's lock, before the start's
 * first save: the further networks the saved record of rec has and rec (the start's own,
 * from the create) lacks move into rec->more, each with its plan from what was recorded
 * appended to plans (*n_plans of max, in rec->more's order), not done, for the start to
 * ADD.  A record gone or of another id: nothing to adopt. */
int net_connect_adopt(struct ctr_record *rec, struct net_plan *plans, size_t *n_plans, size_t max,
		      struct nr_error *err);

/* Detach container from network (DEL, record, names).  Not attached: RT_ERR_NOT_FOUND;
 * force: success when the container or its attachment is already gone.  Any network may
 * go, the first too (as Docker allows); the default route then goes with it. */
int net_disconnect(const char *network, const char *container, bool force, struct nr_error *err);

#endif
