/* The firewall plugin's internal interfaces: its configuration and the attachment it
 * lets through. */
#ifndef NETNS_RUN_FW_H
#define NETNS_RUN_FW_H

#include <jansson.h>
#include <net/if.h>
#include <stdbool.h>

#include "base/error.h"
#include "cni/cni_plugin.h"
#include "nft/nft_firewall.h"

enum fw_ingress { FW_INGRESS_OPEN, FW_INGRESS_SAME_BRIDGE };

struct fw_conf {
	enum fw_ingress ingress;
	/* The attachment: its owner, the addresses of prevResult and, for same-bridge, the
	 * bridge (prevResult's first interface, as the reference takes it). */
	char owner[256];
	struct ip_addr addrs[NFT_FIREWALL_MAX_ADDRS];
	size_t n_addrs;
	char bridge[IFNAMSIZ];
};

/* config.c: the reference's fields (backend, iptablesAdminChainName, firewalldZone:
 * strings, accepted and not used; ingressPolicy: "", "open" or "same-bridge") of root,
 * and the attachment of result (may be NULL: no addresses).  Wrong types are code 6,
 * an unknown ingressPolicy code 7, same-bridge without a bridge name in result code 7
 * when need_bridge (ADD), else no bridge to isolate (DEL, CHECK, as the reference). */
int fw_conf_fields(json_t *root, const struct cni_result *result, const char *container_id, const char *ifname,
		   bool need_bridge, struct fw_conf *ret, struct nr_error *err);

/* The attachment c describes (borrowing c). */
void fw_attach_of(const struct fw_conf *c, struct nft_fw_attach *ret);

/* host_state.c */
extern const struct cni_host_ops fw_host_state_ops;

#endif
