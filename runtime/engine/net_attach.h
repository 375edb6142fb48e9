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

#include "base/error.h"
#include "opts.h"

/* Attach container (name or id prefix) to e->network as the next ethN.  Already attached
 * to it: RT_ERR_CONFLICT ("container X is already connected to network N"). */
int net_connect(const char *container, const struct net_endpoint_opts *e, struct nr_error *err);

/* Detach container from network (DEL, record, names).  Not attached: RT_ERR_NOT_FOUND;
 * force: success when the container or its attachment is already gone.  Any network may
 * go, the first too (as Docker allows); the default route then goes with it. */
int net_disconnect(const char *network, const char *container, bool force, struct nr_error *err);

#endif
