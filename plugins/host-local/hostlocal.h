/* host-local IPAM: the plugin's face to other programs.  The bridge (plugins/bridge/ipam.c)
 * runs these operations in process; the rest of the IPAM is private to this folder:
 *   config.[ch]  the ipam object -> struct hl_conf (ranges, routes, requested IPs, dataDir)
 *   range.[ch]   one range and one range set: canonical form, membership, overlap
 *   store.[ch]   the on-disk lease store of the reference plugin, under flock; owns the index
 *   index.[ch]   attachment -> addresses, beside the lease files (a part of the store)
 *   alloc.[ch]   picking addresses round-robin from a range set
 *   dns.[ch]     resolv.conf -> result dns
 *   ops.c        the CNI operations (hostlocal_ops)
 * See docs/plugin-host-local.md. */
#ifndef NETNS_RUN_HOST_LOCAL_H
#define NETNS_RUN_HOST_LOCAL_H

#include "cni/cni_plugin.h"

/* The CNI operations of host-local. */
extern const struct cni_plugin_ops hostlocal_ops;
/* Its host operations (host_state.c): a network's empty lease store goes with the network. */
extern const struct cni_host_ops hl_host_state_ops;

/* A full range set or an exhausted range is not a broken config (7) and no retry helps
 * until a DEL frees an address (so not 11): it is the condition STATUS reports as "cannot
 * service ADD requests", 50, and ADD says the same so a runtime can tell it apart. */
#define HL_ERR_EXHAUSTED CNI_ERR_NOT_AVAILABLE
/* An address (or the attachment) is already leased: plugin-specific. */
#define HL_ERR_IN_USE CNI_ERR_INTERNAL

#endif
