/* User networks (issue 17): `network create` writes a conflist into the first config
 * directory ($NETNS_RUN_CONFIG_DIR, else /etc/netns-run/net.d) as NAME.conflist:
 *   bridge (isGateway, ipMasq unless --internal, the bridge name, mtu, icc/internal/isolate)
 *   → host-local (one range set per --subnet, routes: the default route unless internal)
 *   + portmap (capabilities portMappings),
 * with our metadata under the conflist's top-level key "netns-run" (CNI runtimes ignore
 * unknown top-level keys; plugins never see it):
 *   "netns-run": {"id": "<64 hex>", "created": "<RFC 3339, UTC, nanoseconds>",
 *                 "driver": "bridge", "dns": true, "internal": false, "ipv6": false,
 *                 "labels": {K: V…}, "options": {K: V…} (every --opt as given)}
 * A conflist without that key is a hand-written one: listed and usable, never DNS-enabled,
 * never removed by `network rm` (only its host state, as before).
 * The built-in "bridge" network has no DNS (as Docker's default bridge). */
#ifndef NETNS_RUN_NETDEF_H
#define NETNS_RUN_NETDEF_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "cni/cni_chain.h"

#define NETDEF_SUBNETS_MAX 8
#define NETDEF_KV_MAX 64

/* One --subnet with the --gateway and --ip-range that follow it (Docker's pairing: the
 * n-th --gateway belongs to the subnet that contains it). NULL = not given. */
struct netdef_subnet {
	const char *subnet, *gateway, *ip_range;
};

struct netdef_opts {
	const char *name;
	const char *driver; /* NULL or "bridge" (anything else is refused, naming the drivers we have) */
	struct netdef_subnet subnets[NETDEF_SUBNETS_MAX];
	size_t n_subnets; /* 0: one IPv4 /24 (or per the pool) allocated; with ipv6 and no v6 subnet, a ULA /64 too */
	bool ipv6, internal;
	const char *opts
		[NETDEF_KV_MAX]; /* --opt K=V as given (com.docker.network.bridge.name, …enable_icc, …driver.mtu, …) */
	size_t n_opts;
	const char *labels[NETDEF_KV_MAX]; /* --label K=V (or K) */
	size_t n_labels;
};

/* Validate everything, then write the conflist (O_EXCL, under the config dir's lock):
 * a bad name, an existing name, an overlapping subnet, a bad option is refused with a
 * clear message (RT_ERR_USAGE / RT_ERR_CONFLICT) and nothing written.  *ret (may be NULL)
 * gets the network as written. */
int netdef_create(const struct netdef_opts *o, struct cni_netconf **ret, struct nr_error *err);

/* For networks of another driver (overlay, runtime/overlay), which make their conflist
 * themselves: whether name and subnet are free (netdef_plan_check_free), and the conflist
 * list written as NAME.conflist after the same check, under the lock create takes. */
struct ip_prefix;
int netdef_check_free(const char *name, const struct ip_prefix *subnet, struct nr_error *err);
int netdef_write(const char *name, const struct ip_prefix *subnet, json_t *list, struct nr_error *err);

/* `network rm NAME`: refused (RT_ERR_CONFLICT, "network NAME has active endpoints") while a
 * container of ours is attached; otherwise its host state goes (engine/network_host.h) and,
 * when we wrote it (metadata present), the conflist file and the network's DNS directory. */
int netdef_remove(const char *name, struct nr_error *err);

/* Our metadata, read from a conflist. */
struct netdef_meta {
	char id[65];      /* 64 hex; for a network without metadata: sha256 of its name (stable) */
	char created[40]; /* RFC 3339; "" when unknown */
	char driver[16];  /* "bridge" */
	bool ours;        /* made by network create */
	bool dns, internal, ipv6;
};
/* Fill m from conf (never fails for a conflist without metadata: ours=false). */
void netdef_meta_get(const struct cni_netconf *conf, struct netdef_meta *m);

/* The metadata's "labels" and "options" objects from K=V (or K) strings as given; a later
 * K replaces an earlier one, as Docker's map does.  NULL on ENOMEM. */
json_t *netdef_kv_object(const char *const *kv, size_t n);

#endif
