/* The networks of a container's create body (CTR_CONFIG_FILE), which its next start reads:
 * Docker keeps a container's networks across its starts, those connected and disconnected
 * after its creation included, and lets a stopped container be connected and disconnected
 * (the change takes effect at its next start). */
#ifndef NETNS_RUN_DAEMON_CTR_BODY_NET_H
#define NETNS_RUN_DAEMON_CTR_BODY_NET_H

#include <jansson.h>

#include "base/error.h"

/* Add net, with endpoint (an EndpointConfig; NULL: {}), to the body's EndpointsConfig.
 * -ENOENT: no body (a container of `netns-run run`); -EEXIST: it has net already;
 * -EPERM: its NetworkMode is none, host or container:X (err filled for each). */
int ctr_body_net_add(const char *name, const char *net, json_t *endpoint, struct nr_error *err);

/* Take net out of the body.  The first network (NetworkMode's) going, the next one in
 * EndpointsConfig takes its place, or none when there is no other: a container
 * disconnected from every network starts with a loopback only, as Docker's.  -ENOENT: no
 * body, or net is not in it. */
int ctr_body_net_remove(const char *name, const char *net, struct nr_error *err);

#endif
