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
/* The attachment of ctx's container: addresses from prevResult (the first of each family on
 * a container interface).  a->maps borrows from c. */
int pm_attach_of(const struct cni_plugin_ctx *ctx, const struct pm_conf *c, struct pm_attach *a,
		 struct nr_error *err);

/* host.c */
/* route_localnet=1 on the host interfaces of prevResult, so the host reaches published
 * IPv4 ports over 127.0.0.1 (masqueraded through nft_portmap's snat4 elements). */
int pm_route_localnet(const struct cni_result *prev, struct nr_error *err);
/* Drop the UDP conntrack entries to the newly published host ports: without it a client
 * that sent before the port was published keeps going to the host, not the container. */
int pm_flush_udp(const struct pm_attach *a, struct nr_error *err);

#endif
