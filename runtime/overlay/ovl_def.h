/* The pure pieces of overlay networks (docs/multihost.md, "The model"): the definition
 * kept in etcd, a subnet holder's value, subnet keys, the choice of a free subnet, and
 * durations.  No files, no kernel, no etcd: tests/unit/overlay drives these directly. */
#ifndef NETNS_RUN_OVL_DEF_H
#define NETNS_RUN_OVL_DEF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/ipaddr.h"

#define OVL_PREFIX "/netns-run/overlay/"
#define OVL_VNI_MAX 16777215u
#define OVL_DEFAULT_SUBNET_LEN 24
#define OVL_DEFAULT_TTL 60
#define OVL_TTL_MIN 2
#define OVL_TTL_MAX 86400
/* The smallest subnet a host can lease: .0 is the VXLAN device's, .1 the bridge's, and at
 * least a few containers. */
#define OVL_SUBNET_LEN_MAX 29
/* At most 2^16 subnets, so a free one is found by a scan of the set. */
#define OVL_SUBNET_BITS_MAX 16

/* The definition: /netns-run/overlay/networks/NAME. */
struct ovl_def {
	char id[65];
	char created[40];
	struct ip_prefix network; /* IPv4, host bits clear */
	int subnet_len;
	uint32_t vni;
	int port;
	int mtu;       /* 0: the underlay's - 50 */
	int lease_ttl; /* seconds */
};

/* The definition's JSON (new string, NULL on ENOMEM) and back.  The parse refuses
 * anything but the exact shape with values in range (RT_ERR_CORRUPT naming the field):
 * the store is shared and anything may have been written there. */
char *ovl_def_format(const struct ovl_def *d);
int ovl_def_parse(const char *buf, size_t len, struct ovl_def *ret, struct nr_error *err);
/* Whether network and subnet_len give at least 2 and at most 2^16 subnets (RT_ERR_USAGE). */
int ovl_def_check_layout(const struct ip_prefix *network, int subnet_len, struct nr_error *err);

/* One host holding a subnet: /netns-run/overlay/subnets/NAME/A.B.C.D-LEN. */
struct ovl_host {
	struct ip_prefix subnet;
	char host[64];
	struct ip_addr vtep;
	uint8_t mac[6];
	bool has_mac; /* false while the holder has not made its device yet */
	char since[40];
	int64_t lease;
};
char *ovl_host_format(const struct ovl_host *h);
/* The value (the subnet and lease come from the key and the kv). */
int ovl_host_parse(const char *buf, size_t len, struct ovl_host *ret, struct nr_error *err);

/* "10.20.3.0-24" <-> 10.20.3.0/24 (must be a subnet of d: -EINVAL otherwise). */
void ovl_subnet_key(const struct ip_prefix *p, char *buf, size_t len);
int ovl_subnet_from_key(const struct ovl_def *d, const char *key, struct ip_prefix *ret);

/* How many subnets d has; the i-th. */
uint32_t ovl_subnet_count(const struct ovl_def *d);
struct ip_prefix ovl_subnet_nth(const struct ovl_def *d, uint32_t i);

/* A free subnet of d (none of the n taken): prefer when it is a subnet of d and free, else
 * the first free one from a random index rnd (random, so that a host that lost its lease
 * while cut off is unlikely to collide with a newcomer).  -EADDRNOTAVAIL when all are
 * taken. */
int ovl_subnet_pick(const struct ovl_def *d, const struct ip_prefix *taken, size_t n, const struct ip_prefix *prefer,
		    uint32_t rnd, struct ip_prefix *ret);

/* "30s", "5m", "1h", "90" (seconds) -> seconds in [OVL_TTL_MIN, OVL_TTL_MAX]; -EINVAL / -ERANGE. */
int ovl_duration_parse(const char *s, int *ret);

/* "aa:bb:cc:dd:ee:ff" <-> bytes. */
int ovl_mac_parse(const char *s, uint8_t mac[6]);
void ovl_mac_format(const uint8_t mac[6], char buf[18]);

#endif
