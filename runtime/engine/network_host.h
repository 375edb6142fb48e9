/* What our plugins left on the host for networks, kept through their host operations
 * (cni_plugin.h's struct cni_host_ops, reached by type through one table of our
 * plugins): removing a network's host state (`network rm`, `prune`) and putting back
 * what running containers' ADDs made (`network reload`).  The engine decides which
 * network or container is concerned; each plugin knows what its config made. */
#ifndef NETNS_RUN_NETWORK_HOST_H
#define NETNS_RUN_NETWORK_HOST_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

/* One outcome: name (a network, or for reload a container) and err when it failed
 * (NULL: success). */
typedef void (*nethost_report_fn)(const char *name, const struct nr_error *err, void *data);
struct cni_netconf;
/* Which networks a prune takes (the daemon's until/label filters); NULL: all it may. */
typedef bool (*nethost_pick_fn)(const struct cni_netconf *conf, void *data);

/* Remove the host state of each of the n networks names: its plugins' objects (a bridge
 * without ports, its isolation entry), then what every plugin keeps under the network's
 * name (masquerade entries) and tables left empty.  A network a container of ours uses
 * (attached to it or to another network on the same host object, not exited) is refused,
 * as is a name that is no network and a pre-defined one (the built-in bridge, host, none).
 * A network `network create` wrote (netdef.h) loses its conflist and DNS directory too,
 * and one in use is refused with Docker's "has active endpoints".  Every attachment of a
 * container counts (rec->net and rec->more).  Stale containers are reconciled first (as by gc) and
 * the rest runs under the state lock.  report(name, NULL) for each network removed or
 * already clean, report(name, err) for each refused or failed.  Returns the number that
 * failed, or a negative errno (err) when nothing could start. */
int nethost_rm(char *const *names, size_t n, nethost_report_fn report, void *data, struct nr_error *err);

/* nethost_rm of one network (netdef_remove()): 0, or a negative errno with err. */
int nethost_rm_one(const char *name, struct nr_error *err);

/* nethost_rm for every known network no container of ours uses, skipping the others
 * silently (the pre-defined ones lose their host state only, as do hand-written ones);
 * report(name, NULL) for each network of ours removed and each other one that had
 * something to remove; with pick, only those it takes. */
int nethost_prune(nethost_pick_fn pick, nethost_report_fn report, void *data, struct nr_error *err);

/* For every running container of ours, from its recorded chain, cached result and cached
 * capability args, each plugin puts back what its ADD left on the host (after `nft flush
 * ruleset`); what is there is kept.  report(container, err) for each that failed. */
int nethost_reload(nethost_report_fn report, void *data, struct nr_error *err);

#endif
