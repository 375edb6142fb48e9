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
/* route_localnet=1 on the host interfaces of prevResult, so the host reaches published
 * IPv4 ports over 127.0.0.1 (masqueraded through nft_portmap's snat4 elements). */
int pm_route_localnet(const struct cni_result *prev, struct nr_error *err);
/* Drop the UDP conntrack entries to the newly published host ports: without it a client
 * that sent before the port was published keeps going to the host, not the container. */
int pm_flush_udp(const struct pm_attach *a, struct nr_error *err);

#endif
