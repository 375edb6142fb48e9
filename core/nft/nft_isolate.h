/* Isolation between our networks in one nftables table of ours, inet
 * netns-run-isolation, with a constant number of rules: a network is its bridge's name
 * in sets.  (icc: false is the bridge's port isolation flag, set by the bridge plugin.)
 * See docs/isolation.md. */
#ifndef NETNS_RUN_NFT_ISOLATE_H
#define NETNS_RUN_NFT_ISOLATE_H

#include <stdbool.h>

#include "base/error.h"

#define NFT_ISOLATE_TABLE "netns-run-isolation"

struct nft_isolation {
	const char *bridge;
	bool isolate;  /* no forwarding between this bridge and any other of ours */
	bool internal; /* no forwarding in or out of this bridge at all */
};

/* Record the bridge's settings (replacing earlier ones) and write the rules, in one
 * transaction.  Idempotent. */
int nft_isolate_apply(const struct nft_isolation *n, struct nr_error *err);

/* Forget the bridge (its network is removed); the table goes with the last bridge.
 * An unknown bridge is success. */
int nft_isolate_forget(const char *bridge, struct nr_error *err);

#endif
