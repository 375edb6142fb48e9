/* `network ls` and `network inspect` of every network a user can name (user networks,
 * hand-written conflists, the built-in bridge, host and none), in Docker's shape; and the
 * lock `network create` and `rm` take. */
#ifndef NETNS_RUN_NETDEF_LIST_H
#define NETNS_RUN_NETDEF_LIST_H

#include <jansson.h>

#include "base/error.h"
#include "cni/cni_chain.h"

/* The lock over the set of user networks (<state>/network.lock): held while a create
 * checks and writes, and while rm deletes a conflist.  *ret_fd: close it to release. */
int netdef_lock(int *ret_fd, struct nr_error *err);

/* Every network (net_list() plus "host"), sorted by name. */
int netdef_list_all(struct cni_netconf ***ret, size_t *ret_n, struct nr_error *err);
void netdef_list_free(struct cni_netconf **v, size_t n);

/* The running containers of ours by network: {NETWORK: {CONTAINER ID: {Name, EndpointID,
 * MacAddress, IPv4Address, IPv6Address}}}, every attachment of each (rec->net and
 * rec->more; host and none count for "host" and "none").  Records are read without the
 * store's lock: a snapshot. */
int netdef_containers(json_t **ret, struct nr_error *err);

/* Docker's NetworkResource for conf: Name, Id, Created, Scope, Driver, EnableIPv6, IPAM,
 * Internal, Attachable, Ingress, ConfigFrom, ConfigOnly, Containers (from ctrs, the
 * netdef_containers() object; may be NULL), Options, Labels.  New reference; NULL on
 * ENOMEM. */
json_t *netdef_inspect_json(const struct cni_netconf *conf, json_t *ctrs);

/* Whether conf is one of the pre-defined networks: the built-in bridge (no file), host
 * or none. */
bool netdef_is_builtin(const struct cni_netconf *conf);

#endif
