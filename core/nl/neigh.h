/* Permanent neighbours (ARP entries) and forwarding-database entries of one device, as
 * an overlay's control plane programs them on a VXLAN link instead of letting it learn:
 *   neigh IP lladdr MAC dev D nud permanent
 *   fdb MAC dev D dst REMOTE self permanent */
#ifndef NETNS_RUN_NEIGH_H
#define NETNS_RUN_NEIGH_H

#include <stdint.h>

#include "base/error.h"
#include "base/ipaddr.h"
#include "nlsock.h"

/* Add or replace the permanent neighbour ip -> mac on the link ifindex. */
int neigh_replace(struct nlsock *s, int ifindex, const struct ip_addr *ip, const uint8_t mac[6], struct nr_error *err);
/* Delete the neighbour ip of the link ifindex; one that is not there counts as deleted. */
int neigh_del(struct nlsock *s, int ifindex, const struct ip_addr *ip, struct nr_error *err);

/* Called for each permanent neighbour with a 6-byte address; a non-zero return stops the
 * walk and becomes the list's value. */
typedef int (*neigh_list_fn)(const struct ip_addr *ip, const uint8_t mac[6], void *arg);
/* The permanent IPv4 and IPv6 neighbours of the link ifindex. */
int neigh_list(struct nlsock *s, int ifindex, neigh_list_fn fn, void *arg, struct nr_error *err);

/* Add or replace the device's own (NTF_SELF) permanent FDB entry mac -> remote dst on the
 * link ifindex (a VXLAN link: frames to mac are sent to dst). */
int fdb_replace(struct nlsock *s, int ifindex, const uint8_t mac[6], const struct ip_addr *dst, struct nr_error *err);
/* Delete that entry (dst NULL: every remote of mac); one that is not there counts as
 * deleted. */
int fdb_del(struct nlsock *s, int ifindex, const uint8_t mac[6], const struct ip_addr *dst, struct nr_error *err);

/* Called for each FDB entry of the device that has a remote (NDA_DST). */
typedef int (*fdb_list_fn)(const uint8_t mac[6], const struct ip_addr *dst, void *arg);
int fdb_list(struct nlsock *s, int ifindex, fdb_list_fn fn, void *arg, struct nr_error *err);

#endif
