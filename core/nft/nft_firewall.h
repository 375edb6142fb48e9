/* The firewall plugin's state: containers whose traffic a host with a dropping forward
 * policy lets through, in one nftables table of ours, inet netns-run-firewall, with a
 * constant number of rules: a container address is a set element, never a rule.  The
 * ruleset, and why it marks packets: docs/plugin-firewall.md.
 *
 *	chain forward (filter hook forward, priority NFT_FIREWALL_PRIO, policy accept)
 *	  iifname @iso oifname @iso iifname . oifname != @same   drop        (same-bridge)
 *	  ip saddr @ctr4                                        mark|M accept
 *	  ct state established,related ip daddr @ctr4           mark|M accept
 *	  ct status dnat ip daddr @ctr4                         mark|M accept  (published ports)
 *	  (the same three for IPv6 with @ctr6)
 *
 * An accept in our table does not override a drop in another table (nftables evaluates
 * every base chain of a hook; only drop is final), so every other forward base chain whose
 * policy is drop gets one rule of ours at its head, `meta mark & M == M accept`, tagged
 * with the comment NFT_FIREWALL_TAG: the equivalent of the reference's jump to CNI-FORWARD
 * in the iptables FORWARD chain.  It goes with our table, when the last container goes.
 *
 * Address elements carry their owner ("<container id>/<ifname>") as comment, so DEL
 * without prevResult and GC need nothing but the kernel's state.  Calls are serialised
 * by NFT_FIREWALL_LOCK. */
#ifndef NETNS_RUN_NFT_FIREWALL_H
#define NETNS_RUN_NFT_FIREWALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/ipaddr.h"
#include "base/lockfile.h"

#define NFT_FIREWALL_TABLE "netns-run-firewall"
#define NFT_FIREWALL_LOCK LOCKFILE_DIR "/firewall.lock"
#define NFT_FIREWALL_TAG "netns-run-firewall"
/* The packet mark bit our chain sets and the rules in other tables accept on. */
#define NFT_FIREWALL_MARK 0x00200000u
/* Before the filter priority (0), where iptables-nft's FORWARD, firewalld and most
 * hand-written tables hook, so that their chains see the mark. */
#define NFT_FIREWALL_PRIO (-200)
/* Addresses per attachment: keeps one ADD within one transaction. */
#define NFT_FIREWALL_MAX_ADDRS 64

struct nft_fw_attach {
	const char *owner; /* "<container id>/<ifname>", 1..127 bytes */
	const struct ip_addr *addrs;
	size_t n_addrs;
	const char *iso_bridge; /* ingressPolicy same-bridge: the bridge to isolate; NULL: open */
};

/* Let a's addresses through (and isolate its bridge), in one transaction that also
 * writes what is missing of the table, its rules and the rules in other tables.  An
 * address held by another owner (one that crashed before its DEL) is taken over.
 * Idempotent: calling it again re-applies whatever is missing. */
int nft_firewall_add(const struct nft_fw_attach *a, struct nr_error *err);

/* Remove a's elements: each looked up by key when a has addresses, else every element of
 * the owner, read from the sets.  With the last element go the table and our rules in
 * other tables.  Nothing there is success. */
int nft_firewall_del(const struct nft_fw_attach *a, struct nr_error *err);

/* Every address of a is there with a's owner, the bridge is isolated when a asks for it,
 * our chain holds exactly its rules and every dropping forward chain has our rule. */
int nft_firewall_check(const struct nft_fw_attach *a, struct nr_error *err);

/* Remove the elements of every owner for which valid(owner) is false (then as DEL). */
int nft_firewall_gc(bool (*valid)(const char *owner, void *data), void *data, struct nr_error *err);

#endif
