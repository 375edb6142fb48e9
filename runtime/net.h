/* A container's network: which mode, which conflist, and the plugin calls around it.
 *   none            a new netns with only lo, through plugins/none (ifname lo)
 *   host            the host's netns; plugins/host reports it when installed
 *   container:NAME  NAME's netns, joined; plugins/container reports it when installed,
 *                   else NAME's cached result is shown; DEL never touches NAME's network
 *   bridge          a conflist named "bridge" from the config dirs, else the built-in one
 *   <network>       that conflist from the config dirs
 * The conflist used for ADD is kept in the container's state, so DEL and CHECK run the
 * very same chain even after the files changed. */
#ifndef NETNS_RUN_NET_H
#define NETNS_RUN_NET_H

#include <jansson.h>
#include <stdbool.h>

#include "cni/cni_chain.h"
#include "cni/cni_result.h"
#include "base/error.h"
#include "rt.h"

struct net_plan {
	char mode[16];             /* "none" | "host" | "container" | "cni" */
	char owner[RT_NAME_MAX];   /* container mode */
	char ifname[16];           /* "eth0", "lo" for none */
	struct cni_netconf *conf;  /* NULL: no plugins run */
};

/* Resolve --net; bad names and unknown networks are clear errors.  For container:NAME,
 * NAME must be running with a network namespace of its own. */
int net_plan_make(const char *spec, struct net_plan *p, struct nr_error *err);
/* The plan a container was started with, from its state's "network" object. */
int net_plan_from_state(json_t *st, struct net_plan *p, struct nr_error *err);
/* The state's "network" object for p. */
json_t *net_plan_to_json(const struct net_plan *p);
void net_plan_clear(struct net_plan *p);

/* Plugin calls for container id with netns path; caps may be NULL. */
int net_add(const struct net_plan *p, const char *id, const char *netns, json_t *caps, struct cni_result **ret,
	    struct nr_error *err);
int net_del(const struct net_plan *p, const char *id, const char *netns, struct nr_error *err);
int net_check(const struct net_plan *p, const char *id, const char *netns, struct nr_error *err);
/* The cached result of the container's attachment (NULL when none). */
int net_result(const struct net_plan *p, const char *id, struct cni_result **ret, struct nr_error *err);

/* The built-in "bridge" network (bridge nr0 + host-local + masquerade) on a subnet that
 * no route of this host overlaps, chosen once and kept in <state>/default-bridge.subnet. */
int net_default_bridge(struct cni_netconf **ret, struct nr_error *err);

/* Every network a user can name: the config dirs' conflists plus the built-in ones. */
int net_list(struct cni_netconf ***ret, size_t *ret_n, struct nr_error *err);

void net_rtconf(struct cni_rtconf *rt, const char *id, const char *netns, const char *ifname, json_t *caps);

#endif
