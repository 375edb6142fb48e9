/* The bridge plugin's internal interfaces: configuration, host side, container side,
 * IPAM delegation and masquerade, each in its own file. */
#ifndef NETNS_RUN_BR_H
#define NETNS_RUN_BR_H

#include <stdbool.h>

#include "base/ipaddr.h"
#include "cni/cni_plugin.h"
#include "nl/link.h"
#include "nl/nlsock.h"

struct nft_close_list; /* nft/nft.h */

struct br_conf {
	const char *bridge;
	bool is_gw, is_default_gw, force_address, ip_masq;
	bool hairpin, promisc, enable_dad, disable_ctr_iface, port_isolation;
	bool isolate, internal; /* isolation.c; icc: false sets port_isolation */
	unsigned int mtu;
	const char *mac;       /* container MAC or NULL */
	const char *ipam_type; /* NULL: L2 only */
	json_t *dns;           /* borrowed from the config; NULL when absent */
};

/* config.c */
int br_conf_parse(const struct cni_plugin_ctx *ctx, struct br_conf *ret, struct nr_error *err);
/* The bridge a plugin object names ("cni0" when it names none); an invalid one is code 7. */
int br_conf_bridge(json_t *root, const char **ret, struct nr_error *err);
/* Of a plugin object, the fields the host state depends on (bridge, ipMasq, isolate, icc,
 * internal), checked and defaulted as br_conf_parse does; the others are left at their
 * defaults.  For the host operations, which have the object but no CNI command. */
int br_conf_host(json_t *root, struct br_conf *ret, struct nr_error *err);

/* host.c */
struct br_host {
	int br_index;
	bool br_created; /* this ADD made the bridge: its rollback may remove it */
	char veth[CNI_IFNAME_MAX + 1];
	char br_mac[LINK_MAC_STRLEN];
	char veth_mac[LINK_MAC_STRLEN];
};
int br_host_setup(struct nlsock *s, const struct br_conf *c, int nsfd, const char *ifname, struct br_host *ret,
		  struct nr_error *err);
int br_host_gateways(struct nlsock *s, const struct br_conf *c, int br_index, const struct cni_result *res,
		     struct nr_error *err);
int br_host_macs(struct nlsock *s, const char *bridge, struct br_host *h, struct nr_error *err);
int br_host_check(struct nlsock *s, const char *bridge, int peer_index, struct nr_error *err);

/* container.c (each runs inside the namespace nsfd) */
int br_ctr_exists(int nsfd, const char *ifname, bool *ret, struct nr_error *err);
int br_ctr_configure(int nsfd, const char *ifname, const struct br_conf *c, const struct cni_result *res,
		     struct nr_error *err);
int br_ctr_mac(int nsfd, const char *ifname, char mac[LINK_MAC_STRLEN], struct nr_error *err);
/* The global addresses ifname has (for masquerade teardown), as a malloc'd array; a
 * missing link has none. */
int br_ctr_addrs(int nsfd, const char *ifname, struct ip_prefix **ret_addrs, size_t *ret_n, struct nr_error *err);
/* Delete ifname; a missing link is success. */
/* Returns once the link is gone from the namespace; the kernel's reclaim of it goes on in
 * a child process, which also holds linger[] (see nl/link_unlist.h). */
int br_ctr_delete(int nsfd, const char *ifname, const int *linger, size_t n_linger, struct nr_error *err);
/* The link exists, is a veth, has the prevResult addresses; *ret_peer is its peer's index. */
int br_ctr_check(int nsfd, const char *ifname, const struct cni_result *prev, int *ret_peer, struct nr_error *err);

/* ipam.c */
int br_ipam(const struct cni_plugin_ctx *ctx, const struct br_conf *c, const char *cmd, struct cni_result **ret,
	    struct nr_error *err);
/* IPAM DEL for rolling back: errors are dropped, the caller's err is kept. */
void br_ipam_undo(const struct cni_plugin_ctx *ctx, const struct br_conf *c);

/* result.c */
/* Copy ipam's IPs (on interface 2, with gateways computed when isGateway) and routes
 * (plus the default routes of isDefaultGateway) into res. */
int br_result_l3(const struct br_conf *c, const struct cni_result *ipam, struct cni_result *res, struct nr_error *err);
/* The config's dns when it sets anything, else ipam's (may be NULL). */
int br_result_dns(const struct br_conf *c, struct cni_result *ipam, struct cni_result *res, struct nr_error *err);
int br_result_ifaces(const struct br_host *h, const char *bridge, const char *ifname, const char *ctr_mac,
		     const char *netns, struct cni_result *res, struct nr_error *err);

/* masq.c */
/* With ipMasq, every address of a's result, owned by the attachment: ADD's and the
 * runtime's reapply alike. */
int br_masq_add(const struct br_conf *c, const struct cni_host_attach *a, struct nr_error *err);
/* Every entry of this attachment, and of addrs[] and prev's addresses in this network. */
/* closes: NULL, or the caller's list for the nft socket's close (nft/nft.h). */
int br_masq_del(const struct cni_plugin_ctx *ctx, const struct ip_prefix *addrs, size_t n_addrs,
		const struct cni_result *prev, struct nft_close_list *closes, struct nr_error *err);
/* With ipMasq, every prevResult address is masqueraded with its subnet. */
int br_masq_check(const struct br_conf *c, const struct cni_result *prev, struct nr_error *err);
/* Entries of this network whose attachment is not in the GC's valid list. */
int br_masq_gc(const struct cni_plugin_ctx *ctx, struct nr_error *err);

/* isolation.c */
int br_isolation_apply(const struct br_conf *c, struct nr_error *err);

/* host_state.c: the maintenance of what ADD leaves on the host (cni_plugin.h). */
extern const struct cni_host_ops br_host_state_ops;

#endif
