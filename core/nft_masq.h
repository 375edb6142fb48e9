/* Source NAT (masquerade) for container addresses, in one nftables table of ours
 * (inet netns-run) with a constant number of rules; see nft_masq.c for the design.
 * Every call opens its own socket, so it works in the calling thread's current network
 * namespace. */
#ifndef NETNS_RUN_NFT_MASQ_H
#define NETNS_RUN_NFT_MASQ_H

#include <stdbool.h>

#include "error.h"
#include "ipaddr.h"

#define NFT_MASQ_TABLE "netns-run"
#define NFT_MASQ_CHAIN "postrouting"

/* Masquerade traffic from p->addr, except to its own subnet p->addr/p->len and to
 * multicast.  Creates the table, chain, sets and rules when missing, in the same
 * transaction.  Idempotent: adding the same prefix again succeeds. */
int nft_masq_add(const struct ip_prefix *p, struct nr_error *err);

/* Stop masquerading p->addr (p->len is not needed: every entry of the address goes).
 * Succeeds when the table, the sets or the entry are already gone. */
int nft_masq_del(const struct ip_prefix *p, struct nr_error *err);

/* *ret = whether p->addr is masqueraded with exactly the subnet p->addr/p->len. */
int nft_masq_contains(const struct ip_prefix *p, bool *ret, struct nr_error *err);

/* Call cb for every masqueraded address (with its subnet length); a negative return of
 * cb stops the walk and is returned.  No table: no calls, success. */
int nft_masq_list(int (*cb)(const struct ip_prefix *p, void *data), void *data, struct nr_error *err);

#endif
