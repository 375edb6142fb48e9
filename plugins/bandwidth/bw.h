/* The bandwidth plugin's internal interfaces: its configuration (config.c) and the
 * shaping of one attachment's host veth (shape.c). */
#ifndef NETNS_RUN_BW_H
#define NETNS_RUN_BW_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "cni/cni_plugin.h"

/* The reference's queueing allowance in each token bucket. */
#define BW_LATENCY_MS 25

/* Rates in bits per second, bursts in bits; 0 = unset.  Ingress is traffic to the
 * container, egress traffic from it. */
struct bw_limits {
	uint64_t ingress_rate, ingress_burst;
	uint64_t egress_rate, egress_burst;
};

struct bw_conf {
	struct bw_limits lim;
	char ifb[IF_NAMESIZE]; /* the attachment's ifb device: "bwp" + 12 hex digits */
};

/* The reference's fields: ingressRate, ingressBurst, egressRate, egressBurst at the top
 * level (any of them present: these are the limits) or else in runtimeConfig.bandwidth
 * (the capability), keys matched as Go's decoder does; rate and burst set together;
 * bursts under 4 GB.  Wrong types are code 6, the rest code 7. */
int bw_conf_parse(const struct cni_plugin_ctx *ctx, struct bw_conf *ret, struct nr_error *err);
/* The limits alone from a configuration object and its runtimeConfig (which may be NULL). */
int bw_limits_parse(json_t *root, json_t *runtime_config, struct bw_limits *ret, struct nr_error *err);
/* "bwp" + the first 12 hex digits of SHA-512(network + container id), as the reference (-ENOMEM). */
int bw_ifb_name(const char *network, const char *container_id, char buf[IF_NAMESIZE]);

static inline bool bw_ingress(const struct bw_limits *l)
{
	return l->ingress_rate > 0 && l->ingress_burst > 0;
}
static inline bool bw_egress(const struct bw_limits *l)
{
	return l->egress_rate > 0 && l->egress_burst > 0;
}

/* shape.c.  The attachment: the host end of the container interface's veth, as the
 * reference finds it (the peer of CNI_IFNAME in CNI_NETNS, which prev must list as a host
 * interface). */
struct bw_host {
	int ifindex;
	char name[IF_NAMESIZE];
	unsigned int mtu, txqlen;
};
int bw_host_find(const struct cni_plugin_ctx *ctx, const struct cni_result *prev, struct bw_host *ret,
		 struct nr_error *err);
/* Shape h as c says; the ifb's MAC into mac (when egress is shaped).  On failure nothing
 * of it is left. */
int bw_shape(const struct bw_conf *c, const struct bw_host *h, char mac[18], struct nr_error *err);
/* The ifb goes; with h (may be NULL), the qdiscs c put on it too.  Idempotent. */
int bw_unshape(const struct bw_conf *c, const struct bw_host *h, struct nr_error *err);
/* Everything c asks for is in place with c's parameters. */
int bw_check(const struct bw_conf *c, const struct bw_host *h, struct nr_error *err);

#endif
