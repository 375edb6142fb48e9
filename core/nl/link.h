/* Links by name in the current network namespace: look up, bring up or down. */
#ifndef NETNS_RUN_LINK_H
#define NETNS_RUN_LINK_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "nlsock.h"

/* Set IFF_UP on or off.  -ENODEV (with err filled) when there is no such link. */
int link_set_up(struct nlsock *s, const char *name, bool up, struct nr_error *err);

/* *ret_up = whether IFF_UP is set; -ENODEV when there is no such link. */
int link_is_up(struct nlsock *s, const char *name, bool *ret_up, struct nr_error *err);

/* The interface index, or -ENODEV. */
int link_index(struct nlsock *s, const char *name, struct nr_error *err);

/* Textual MAC "aa:bb:cc:dd:ee:ff" plus NUL. */
#define LINK_MAC_STRLEN 18

/* Parse "aa:bb:cc:dd:ee:ff" (either case); -EINVAL when it is not one. */
int link_mac_parse(const char *text, unsigned char ret[6]);
/* Six bytes as "aa:bb:cc:dd:ee:ff". */
void link_mac_format(const unsigned char b[6], char buf[LINK_MAC_STRLEN]);

/* Enslave name to the link with index master_ifindex (0 releases it from its master). */
int link_set_master(struct nlsock *s, const char *name, int master_ifindex, struct nr_error *err);

int link_set_mtu(struct nlsock *s, const char *name, unsigned int mtu, struct nr_error *err);

/* mac as "aa:bb:cc:dd:ee:ff"; -EINVAL (err filled) when it does not parse. */
int link_set_mac(struct nlsock *s, const char *name, const char *mac, struct nr_error *err);

/* The link's hardware address as lower-case "aa:bb:cc:dd:ee:ff"; -EAFNOSUPPORT when the
 * link has no 6-byte Ethernet address. */
int link_get_mac(struct nlsock *s, const char *name, char buf[LINK_MAC_STRLEN], struct nr_error *err);

/* Delete the link.  A link that is already gone counts as deleted (returns 0). */
int link_delete(struct nlsock *s, const char *name, struct nr_error *err);

/* Turn the bridge-port hairpin flag of name on or off; name must already be a bridge port. */
int link_set_hairpin(struct nlsock *s, const char *name, bool on, struct nr_error *err);

/* Bridge port isolation (`bridge link set dev NAME isolated on`): isolated ports do not
 * talk to each other, only to non-isolated ones (the bridge itself, uplinks). */
int link_set_isolated(struct nlsock *s, const char *name, bool on, struct nr_error *err);

int link_set_promisc(struct nlsock *s, const char *name, struct nr_error *err);

/* Set (on) or clear one IFF_* flag that userspace may change: IFF_PROMISC, IFF_ALLMULTI
 * (the kernel counts them; this is `ip link set NAME promisc on|off`). */
int link_set_flag(struct nlsock *s, const char *name, unsigned int flag, bool on, struct nr_error *err);

/* The transmit queue length (`ip link set NAME txqueuelen N`). */
int link_set_txqlen(struct nlsock *s, const char *name, unsigned int qlen, struct nr_error *err);

/* What one lookup of a link tells: flags (IFF_*), MTU, transmit queue length, MAC. */
struct link_attrs {
	int ifindex;
	unsigned int flags, mtu, txqlen;
	bool has_mac; /* a 6-byte Ethernet address, in mac */
	char mac[LINK_MAC_STRLEN];
};
/* -ENODEV (err filled) when there is no such link. */
int link_get_attrs(struct nlsock *s, const char *name, struct link_attrs *ret, struct nr_error *err);

/* IFLA_LINK of name: for a veth, the peer's ifindex (in the peer's namespace). */
int link_peer_index(struct nlsock *s, const char *name, int *ret, struct nr_error *err);

/* *ret = name is a veth whose peer is in another namespace (IFLA_LINK_NETNSID). */
int link_veth_peer_elsewhere(struct nlsock *s, const char *name, bool *ret, struct nr_error *err);

/* The master ifindex (0 = none) of the link with index ifindex. */
int link_master_of(struct nlsock *s, int ifindex, int *ret, struct nr_error *err);

/* The link's kind (IFLA_INFO_KIND: "bridge", "veth", ...) into buf; "" for a link that has
 * none (a physical device, lo).  -ENODEV when there is no such link. */
int link_kind(struct nlsock *s, const char *name, char *buf, size_t len, struct nr_error *err);

#endif
