/* `network create` as pure functions (no kernel, no files): the options checked and
 * resolved into a plan against what the host and the other networks use (passed in),
 * the subnet pool, and the conflist the plan writes.  netdef.c gathers the environment
 * and writes; tests/unit/engine/test_netdef*.c drive these directly. */
#ifndef NETNS_RUN_NETDEF_PLAN_H
#define NETNS_RUN_NETDEF_PLAN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "base/ipaddr.h"
#include "netdef.h"

/* One range set of the host-local IPAM: a subnet, its gateway, and the addresses handed
 * out (from --ip-range; the whole subnet when none). */
struct netdef_range {
	struct ip_prefix subnet; /* network address, host bits clear */
	struct ip_addr gateway;
	bool has_range;
	struct ip_prefix range;
	struct ip_addr start, end; /* has_range: rangeStart/rangeEnd */
};

struct netdef_plan {
	char name[64];
	char id[65];
	char created[40];
	struct netdef_range v[NETDEF_SUBNETS_MAX + 1]; /* + the ULA /64 of --ipv6 */
	size_t n;
	bool ipv6, internal, masq, icc;
	long mtu; /* 0: the kernel's default */
	char bridge[16];
};

/* What is taken, as netdef.c found it.  routes: the host's routes (default routes and
 * the local table left out); nets: the subnets of every other network (our conflists,
 * hand-written ones, the built-in bridge).  names: every network name in use (NULL-ended,
 * the built-in ones included); bridges: every bridge name a network names (NULL-ended). */
struct netdef_env {
	const struct ip_prefix *routes;
	size_t n_routes;
	const struct ip_prefix *nets;
	const char *const *net_owner; /* nets[i] belongs to network net_owner[i]; may be NULL */
	size_t n_nets;
	char *const *names;
	char *const *bridges;
};

/* Whether a and b share any address (same family). */
bool netdef_overlap(const struct ip_prefix *a, const struct ip_prefix *b);

/* Docker's default address pools: 172.17.0.0/16 … 172.31.0.0/16, then 192.168.0.0/16 in
 * /20s; the first that overlaps no route and no other network.  -EADDRINUSE when all do. */
int netdef_pool_pick4(const struct netdef_env *env, struct ip_prefix *ret);

/* A unique local /64 (RFC 4193) for --ipv6 without a v6 --subnet: fd00::/8, then the
 * first 40 bits of the network's id (hex digits 0-9) as the global id, then a subnet id
 * from 0 up, the first /64 that overlaps nothing.  The id is random (rt_random_id), which
 * is what RFC 4193 asks of the global id; deriving it from the id keeps it stable and
 * visible: id 3fa2c1…  -> fd3f:a2c1:…::/64. */
int netdef_pool_pick_ula(const char *id, const struct netdef_env *env, struct ip_prefix *ret);

/* Whether s can be a Linux interface name (1-15 bytes, no '/', ':', whitespace, not "."
 * or ".."). */
bool netdef_ifname_valid(const char *s);

/* Check o against env and resolve it: the subnets (given or from the pool), gateways,
 * ranges, the bridge and its options.  RT_ERR_USAGE for a bad option or value,
 * RT_ERR_CONFLICT for a name, subnet or bridge another network has; the message names
 * what and why. */
int netdef_plan_make(const struct netdef_opts *o, const struct netdef_env *env, const char *id, const char *created,
		     struct netdef_plan *ret, struct nr_error *err);

/* Whether a network of another driver (overlay) may take name and subnet: a valid name no
 * network has, a subnet that overlaps no other network's and no route of the host. */
int netdef_plan_check_free(const char *name, const struct ip_prefix *subnet, const struct netdef_env *env,
			   struct nr_error *err);

/* The conflist of p (netdef.h's layout), its metadata carrying o's labels and options.
 * portmap: chain the portmap plugin.  New reference; NULL on ENOMEM. */
json_t *netdef_conflist(const struct netdef_plan *p, const struct netdef_opts *o, bool portmap);

/* The subnets a conflist's IPAM names (host-local "ranges" or the legacy "subnet", as
 * the CNI convention writes them, in every plugin's "ipam"), at most max; how many. */
size_t netdef_conf_subnets(const struct cni_netconf *conf, struct ip_prefix *ret, size_t max);

#endif
