/* Source NAT (masquerade) for container addresses, in one nftables table of ours
 * (inet netns-run) with a constant number of rules; the design: docs/masquerade.md.
 * Every call opens its own socket, so it works in the calling thread's current network
 * namespace. */
#ifndef NETNS_RUN_NFT_MASQ_H
#define NETNS_RUN_NFT_MASQ_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "base/ipaddr.h"
#include "base/lockfile.h"

struct nft_close_list; /* nft.h */

#define NFT_MASQ_TABLE "netns-run"
#define NFT_MASQ_CHAIN "postrouting"
/* Serialises changes: a DEL removes a subnet's element with its last container. */
#define NFT_MASQ_LOCK LOCKFILE_DIR "/masq.lock"

/* Every element carries its owner as an nft comment, "<network> <container id> <ifname>"
 * (a part longer than NFT_MASQ_OWNER_PART_MAX is replaced by a hash), so DEL without the
 * addresses (netns gone, no prevResult) and GC can find an attachment's entries. */
#define NFT_MASQ_OWNER_PART_MAX 64
#define NFT_MASQ_OWNER_MAX (3 * (NFT_MASQ_OWNER_PART_MAX + 1))
void nft_masq_owner(char buf[NFT_MASQ_OWNER_MAX], const char *network, const char *container_id, const char *ifname);

/* Masquerade traffic from each ps[i].addr, except to its own subnet ps[i].addr/ps[i].len
 * and to multicast, in one transaction (which also creates the table, chain, sets and
 * rules when missing, and the subnet's element, shared by its containers).  Stale entries
 * of these addresses (an owner that crashed) are replaced.  Idempotent.  A subnet that
 * partly overlaps another masqueraded subnet is CNI_ERR_INVALID_CONFIG. */
int nft_masq_add(const struct ip_prefix *ps, size_t n, const char *owner, struct nr_error *err);

/* Remove, in one transaction, every entry whose owner is owner, and every entry whose
 * address is one of ps[] and whose owner is of owner's network (or has none; with no
 * owner given, of any network).  Either may be empty.  Succeeds when the table, sets or
 * entries are gone.  A subnet's element goes with its last container address (here and
 * in nft_masq_del_if). */
int nft_masq_del(const struct ip_prefix *ps, size_t n, const char *owner, struct nr_error *err);
/* The same, leaving the socket's close (which waits for the kernel to free the removed
 * elements) to the caller's list when closes is not NULL: see struct nft_close_list. */
int nft_masq_del_defer(const struct ip_prefix *ps, size_t n, const char *owner, struct nft_close_list *closes,
		       struct nr_error *err);

/* Remove every container entry for which match(address, owner, data) is true
 * (address->len is -1: not known per element), and the subnet entries left with no
 * container.  One transaction. */
typedef bool (*nft_masq_match_fn)(const struct ip_prefix *addr, const char *owner, void *data);
int nft_masq_del_if(nft_masq_match_fn match, void *data, struct nr_error *err);

/* *ret = whether p->addr is masqueraded with exactly the subnet p->addr/p->len. */
int nft_masq_contains(const struct ip_prefix *p, bool *ret, struct nr_error *err);

/* Call cb for every masqueraded address (with the length of its subnet, -1 if none is
 * recorded, and its owner, "" if none); a
 * negative return of cb stops the walk and is returned.  No table: no calls, success. */
typedef int (*nft_masq_list_fn)(const struct ip_prefix *p, const char *owner, void *data);
int nft_masq_list(nft_masq_list_fn cb, void *data, struct nr_error *err);

#endif
