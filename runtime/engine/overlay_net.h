/* Overlay networks (issue 20) as the engine sees them: a conflist whose metadata driver is
 * "overlay" (written by netns-run-overlay, runtime/overlay) whose host agent must run for
 * its containers to get addresses.  The engine never talks to etcd: it starts the agent
 * that died (`netns-run-overlay agent NAME`, found as netns-run-dns is) and reads what the
 * agent writes (hosts.json) for inspect. */
#ifndef NETNS_RUN_OVERLAY_NET_H
#define NETNS_RUN_OVERLAY_NET_H

#include <jansson.h>
#include <stdbool.h>

#include "base/error.h"
#include "cni/cni_chain.h"

/* Whether conf is an overlay network of ours. */
bool overlay_net_is(const struct cni_netconf *conf);

/* Start the agent of network name when it is not alive, and wait until it holds its
 * subnet (or says why not: RT_ERR_SYSTEM with the agent's message).  Under
 * <state>/overlay/NAME/lock. */
int overlay_net_start(const char *name, struct nr_error *err);

/* Whether the agent of network name runs. */
bool overlay_net_agent_alive(const char *name);

/* overlay_net_start for conf when it is an overlay network; 0 for any other. */
int overlay_net_ensure(const struct cni_netconf *conf, struct nr_error *err);

/* What inspect adds for an overlay network to net (netdef_inspect_json's object): Scope
 * "global", the CIDR in IPAM.Config, Peers [{Name, IP}] as Docker's overlay shows them, and
 * Hosts [{Name, IP, Subnet, MAC, Since, LeaseAge (s), Self}] and AgentRunning from the
 * agent's hosts.json. */
void overlay_net_inspect(const struct cni_netconf *conf, json_t *net);

#endif
