/* Published ports (DNAT) in one nftables table of ours, inet netns-run-portmap, with a
 * constant number of rules: every mapping is a map element, never a rule.  See
 * docs/portmap.md for the ruleset and its design.
 *
 * Every element carries its owner ("<container id>/<ifname>") as its comment, so DEL and
 * GC need nothing but the kernel's state; the masquerade elements of a subnet
 * ("net:<subnet>") are shared and go with the table.  Calls are serialised by a lock
 * file (NFT_PORTMAP_LOCK) so that "is this port free?" and "take it" are one step.
 *
 * `netns-run network reload`: nft_portmap_add() with each attachment's cached mappings
 * re-creates whatever is missing (table, rules, elements) and keeps what is there. */
#ifndef NETNS_RUN_NFT_PORTMAP_H
#define NETNS_RUN_NFT_PORTMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/ipaddr.h"
#include "base/lockfile.h"

#define NFT_PORTMAP_TABLE "netns-run-portmap"
#define NFT_PORTMAP_LOCK LOCKFILE_DIR "/portmap.lock"
/* Per attachment: keeps one ADD within one nftables transaction. */
#define NFT_PORTMAP_MAX 100

struct pm_map {
	uint8_t proto; /* IPPROTO_TCP, IPPROTO_UDP or IPPROTO_SCTP */
	uint16_t host_port, ctr_port;
	/* family 0: every local address of both families; the unspecified address of a
	 * family (0.0.0.0, ::): every local address of that family; else that address. */
	struct ip_addr host_ip;
};

struct pm_attach {
	const char *owner;           /* "<container id>/<ifname>", at most 127 bytes */
	struct ip_prefix ctr4, ctr6; /* the container's addresses with their subnet; family 0 = none */
	bool snat;                   /* masquerade hairpin and localhost-sourced traffic (per subnet) */
	bool masq_all;               /* masquerade all DNATed traffic to the container */
	const struct pm_map *maps;
	size_t n_maps;
};

/* Publish a's ports in one transaction: nothing changes when any host port is already
 * published by another owner on the same address and protocol (or on every address),
 * which is EADDRINUSE naming the owner.  Elements a's owner already has are kept, so
 * calling this again (after `nft flush ruleset`, say) re-applies the rules and elements. */
int nft_portmap_add(const struct pm_attach *a, struct nr_error *err);

/* Remove every element of owner (the table too when nothing else is left in it), reading
 * every element of the table to find them.  Nothing of owner's there is success. */
int nft_portmap_del(const char *owner, struct nr_error *err);

/* The same when a's mappings and addresses are those of the ADD (the spec has the runtime
 * resend them): each element is looked up by key, so the cost does not grow with the
 * number of mappings in the table.  Falls back to nft_portmap_del() without mappings or
 * addresses.  An element a does not name (mappings changed between ADD and DEL) stays
 * until GC. */
int nft_portmap_del_attach(const struct pm_attach *a, struct nr_error *err);

/* Every element a asks for is there, with a's owner and target. */
int nft_portmap_check(const struct pm_attach *a, struct nr_error *err);

/* Remove the elements of every owner for which valid(owner) is false. */
int nft_portmap_gc(bool (*valid)(const char *owner, void *data), void *data, struct nr_error *err);

#endif
