/* The overlay folder's internal interfaces: the subnet file's parser, the pure diff
 * between the kernel's forwarding entries and the wanted remotes, the plugin's
 * configuration, attachment copies, masquerading and host maintenance. */
#ifndef NETNS_RUN_OVL_H
#define NETNS_RUN_OVL_H

#include "cni/cni_plugin.h"
#include "overlay.h"
#include "plugin_overlay.h"

/* subnet.c: parse a subnet file's text (what overlay_subnet_read checks; code 6 for JSON
 * of the wrong shape, 7 for values out of range).  what names it in messages. */
int ovl_subnet_parse(const char *buf, size_t len, const char *what, struct overlay_subnet *ret, struct nr_error *err);
/* Read the subnet file at path (the plugin's subnetFile); -ENOENT when missing. */
int ovl_subnet_read_file(const char *path, struct overlay_subnet *ret, struct nr_error *err);

/* Write text to path atomically (a temporary file renamed over it), making the parent
 * directories when missing. */
int ovl_file_write(const char *path, const char *text, struct nr_error *err);

/* plan.c: the per-remote entries on the VXLAN device (overlay.h's kernel layout). */
struct ovl_route {
	struct ip_prefix dst; /* S_R */
	struct ip_addr gw;    /* S_R.0 */
};
struct ovl_neigh {
	struct ip_addr ip; /* S_R.0 */
	uint8_t mac[6];
};
struct ovl_fdb {
	uint8_t mac[6];
	struct ip_addr dst; /* U_R */
};
struct ovl_entries {
	struct ovl_route *routes;
	size_t n_routes;
	struct ovl_neigh *neighs;
	size_t n_neighs;
	struct ovl_fdb *fdbs;
	size_t n_fdbs;
};
void ovl_entries_free(struct ovl_entries *e);
/* Append one entry each (malloc'd arrays); -ENOMEM. */
int ovl_entries_add_route(struct ovl_entries *e, const struct ip_prefix *dst, const struct ip_addr *gw);
int ovl_entries_add_neigh(struct ovl_entries *e, const struct ip_addr *ip, const uint8_t mac[6]);
int ovl_entries_add_fdb(struct ovl_entries *e, const uint8_t mac[6], const struct ip_addr *dst);

/* Whether remote r may be in s's set: an IPv4 subnet (/30 or wider) inside s's network
 * not overlapping ours, a VTEP that is not ours, a unicast MAC.  Garbage from the store
 * is skipped, not applied. */
bool ovl_remote_valid(const struct overlay_subnet *s, const struct overlay_remote *r);

/* What to change so that cur (the device's entries now) becomes exactly the entries of
 * the valid remotes (of several that collide in subnet, VTEP or MAC, the first): *set
 * gets the wanted entries missing or different in cur (to add or replace), *del those of
 * cur that are not wanted and that no replace overwrites.  Pure: no kernel. */
int ovl_plan(const struct overlay_subnet *s, const struct overlay_remote *r, size_t n, const struct ovl_entries *cur,
	     struct ovl_entries *set, struct ovl_entries *del);

/* config.c: the plugin's configuration and the bridge configuration it runs. */
struct ovl_conf {
	const char *subnet_file; /* absolute; borrowed from the config */
};
int ovl_conf_parse(json_t *root, struct ovl_conf *ret, struct nr_error *err);
/* The bridge plugin's object for the lease s (docs/multihost.md), without the per-command
 * members (ovl_bridge_conf_complete adds them). */
json_t *ovl_bridge_conf(const struct overlay_subnet *s);
/* Add cniVersion, name, type and the runtime's per-command members of ctx's config
 * (prevResult, runtimeConfig, args, the GC lists) to a bridge object. */
int ovl_bridge_conf_complete(json_t *bc, const struct cni_plugin_ctx *ctx, struct nr_error *err);

/* attach.c: the bridge configuration an ADD used, kept per attachment beside the subnet
 * file (attachments/ID.IFNAME.json), so DEL releases the address even after the agent
 * removed the subnet file (a lost lease, `network leave`). */
int ovl_attach_save(const struct ovl_conf *c, const struct cni_plugin_ctx *ctx, json_t *bc, struct nr_error *err);
/* *ret = NULL when there is no copy. */
int ovl_attach_load(const struct ovl_conf *c, const struct cni_plugin_ctx *ctx, json_t **ret, struct nr_error *err);
void ovl_attach_remove(const struct ovl_conf *c, const struct cni_plugin_ctx *ctx);
/* Remove the copies of attachments not in GC's valid list. */
void ovl_attach_gc(const struct ovl_conf *c, json_t *valid);

/* masq.c: the container's IPv4 addresses (of res, inside s's subnet) with the overlay
 * CIDR's length, into v (at most max): masqueraded except to the whole overlay. */
int ovl_masq_prefixes(const struct overlay_subnet *s, const struct cni_result *res, struct ip_prefix *v, size_t max);
/* Masquerade them, owned by owner (nft_masq_owner()). */
int ovl_masq_add(const struct overlay_subnet *s, const struct cni_result *res, const char *owner, struct nr_error *err);

/* host.c: the host maintenance (cni_plugin.h): the bridge's, on the lease's bridge, and
 * the VXLAN device on network rm. */
extern const struct cni_host_ops ovl_host_ops;

#endif
