/* The guard that makes route_localnet safe, in one nftables table of ours, inet
 * netns-run-localnet, and the record of who needs route_localnet where.
 *
 * Publishing a port on the host's 127.0.0.1 needs route_localnet=1 on the host interface
 * the container sits behind (the bridge): the host's packets leave it from 127.0.0.1 after
 * DNAT, and the replies come back to 127.0.0.1.  With it alone, the kernel also routes a
 * container's own packets to 127.0.0.0/8 to the host's loopback services (CVE-2020-8558).
 * The guard drops what kube-proxy's KUBE-FIREWALL drops: packets to 127.0.0.0/8 that did
 * not arrive on lo and belong to no connection the host made or we DNATed:
 *
 *	chain input { type filter hook input priority filter;
 *	  iifname != "lo" ip daddr 127.0.0.0/8 ct state & (established|related) == 0
 *	      ct status & dnat == 0 counter drop
 *	  iifname != "lo" ip daddr 127.0.0.0/8 ct state invalid,untracked counter drop }
 *
 * Set `users` (interface . container IPv4 address, comment "<container id>/<ifname>") holds
 * one entry per attachment and interface that needs route_localnet; the caller's hook
 * turns route_localnet on after its entry and the guard are committed, and off before the
 * last entry of an interface goes, so the setting never outlives the guard.  The table is
 * created with the first entry and removed with the last.  Calls are serialised by
 * NFT_LOCALNET_LOCK.  See docs/portmap.md and docs/security.md. */
#ifndef NETNS_RUN_NFT_LOCALNET_H
#define NETNS_RUN_NFT_LOCALNET_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "base/ipaddr.h"
#include "base/lockfile.h"

#define NFT_LOCALNET_TABLE "netns-run-localnet"
#define NFT_LOCALNET_LOCK LOCKFILE_DIR "/localnet.lock"

/* set(ifname, on): route_localnet of ifname on or off (the caller's sysctl write), called
 * with the table's lock held. */
struct nft_localnet_hook {
	int (*set)(const char *ifname, bool on, void *data, struct nr_error *err);
	void *data;
};

/* owner needs route_localnet on ifnames[0..n) for its container address ctr4 (IPv4): the
 * table and guard when they are not all there (after `nft flush ruleset` too), an entry
 * per interface, then h->set(ifname, true) for each.  Idempotent. */
int nft_localnet_hold(const char *owner, const struct ip_addr *ctr4, const char *const *ifnames, size_t n,
		      const struct nft_localnet_hook *h, struct nr_error *err);

/* Remove owner's entries: looked up by key when ctr4 (family AF_INET) and ifnames are
 * given, else found by reading the set.  For each interface no entry needs any more,
 * h->set(ifname, false) first; the table goes with the last entry.  Nothing of owner's
 * there is success.  Each of off[0..n_off) that no entry needs is turned off too, though
 * owner had none there (an attachment whose ADD predates the guard, or whose entry
 * `nft flush ruleset` took): a read of the set up to the first entry on it that stays. */
int nft_localnet_release(const char *owner, const struct ip_addr *ctr4, const char *const *ifnames, size_t n,
			 const char *const *off, size_t n_off, const struct nft_localnet_hook *h, struct nr_error *err);

/* The same for every owner for which valid(owner, data) is false; an empty table is
 * removed. */
int nft_localnet_gc(bool (*valid)(const char *owner, void *data), void *data, const struct nft_localnet_hook *h,
		    struct nr_error *err);

/* The guard is all there and each of ifnames[0..n) has owner's entry. */
int nft_localnet_check(const char *owner, const struct ip_addr *ctr4, const char *const *ifnames, size_t n,
		       struct nr_error *err);

#endif
