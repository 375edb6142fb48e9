/* The portmap plugin's internal interfaces: configuration and the host-side settings a
 * published port needs besides its nftables elements. */
#ifndef NETNS_RUN_PM_H
#define NETNS_RUN_PM_H

#include <stdbool.h>

#include "cni/cni_plugin.h"
#include "nft/nft_portmap.h"

struct pm_conf {
	bool snat, masq_all;
	struct pm_map maps[NFT_PORTMAP_MAX];
	size_t n_maps;
	char owner[CNI_IFNAME_MAX + 256];
};

/* config.c: the reference portmap's fields and runtimeConfig.portMappings. */
int pm_conf_parse(const struct cni_plugin_ctx *ctx, struct pm_conf *ret, struct nr_error *err);
/* The defaults and the attachment's owner only (no mappings): what DEL falls back to when
 * the configuration does not parse, since the elements are found by owner. */
void pm_conf_owner(const char *container_id, const char *ifname, struct pm_conf *c);
/* What pm_conf_parse reads besides its refusals of fields (snat, masqAll, the mappings of
 * runtime_config, which may be NULL), with the same defaults; the owner is the
 * attachment's.  For the host operations, which have the object but no CNI command. */
int pm_conf_fields(json_t *root, json_t *runtime_config, const char *container_id, const char *ifname,
		   struct pm_conf *ret, struct nr_error *err);
/* The attachment a publishes: c's mappings (borrowed) to the addresses of res (the
 * first of each family on a container interface; none when res is NULL). */
void pm_attach_of(const struct pm_conf *c, const struct cni_result *res, struct pm_attach *a);

/* host_state.c: the maintenance of what ADD leaves on the host (cni_plugin.h). */
extern const struct cni_host_ops pm_host_state_ops;

/* host.c */
/* route_localnet (host.c, core/nft/nft_localnet.h): the host reaches a published IPv4
 * port over 127.0.0.1 (masqueraded through nft_portmap's snat4 elements) only with
 * route_localnet=1 on the interface its packets leave by, which without a guard lets
 * containers reach the host's loopback services.  Needed when a maps a port on every
 * IPv4 address or on a 127.0.0.0/8 one, with snat on and an IPv4 container address. */
bool pm_localnet_needed(const struct pm_attach *a);
/* The guard and a's entries, then route_localnet=1, on the routed host-side interfaces
 * of prev (the bridge; not its ports). */
int pm_localnet_hold(const struct pm_attach *a, const struct cni_result *prev, struct nr_error *err);
/* a's entries go (looked up by key with prev, else read); route_localnet=0 on an
 * interface no attachment needs any more, and the guard goes with the last entry. */
int pm_localnet_release(const struct pm_attach *a, const struct cni_result *prev, struct nr_error *err);
/* When a needs it: the guard and a's entries are there (CHECK). */
int pm_localnet_check(const struct pm_attach *a, const struct cni_result *prev, struct nr_error *err);
int pm_localnet_gc(bool (*valid)(const char *owner, void *data), void *data, struct nr_error *err);
/* Drop the UDP conntrack entries to the newly published host ports: without it a client
 * that sent before the port was published keeps going to the host, not the container. */
int pm_flush_udp(const struct pm_attach *a, struct nr_error *err);

#endif
