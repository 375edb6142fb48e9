/* Building blocks for nftables transactions of our own tables (libnftnl over core/nft.h):
 * tables, chains, sets and maps, rules from expressions, set elements with an owner
 * comment, and reading set elements back.
 *
 * Rules are built expression by expression, as `nft --debug=netlink` prints them:
 *
 *	struct nftnl_rule *r = nftb_rule_new(&table, "dnat");
 *	ok = nftb_nfproto(r, NFPROTO_IPV4) && nftb_payload(r, NFT_PAYLOAD_NETWORK_HEADER, 16, 4, NFT_REG32_00)
 *	     && ...;
 *	nftb_put_rule(b, r, "adding the IPv4 DNAT rule", err);
 *
 * Each expression helper returns false only when out of memory.
 */
#ifndef NETNS_RUN_NFT_BUILD_H
#define NETNS_RUN_NFT_BUILD_H

#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <stdbool.h>
#include <stdint.h>

#include "nft_cleanup.h"

/* nft's datatype ids (nftables src/datatype.h); a concatenation is its fields' ids, the
 * first field in the most significant bits, NFTB_TYPE_BITS each. */
enum {
	NFTB_TYPE_IPADDR = 7,
	NFTB_TYPE_IP6ADDR = 8,
	NFTB_TYPE_INET_PROTO = 12,
	NFTB_TYPE_INET_SERVICE = 13,
	NFTB_TYPE_IFNAME = 41,
};
#define NFTB_TYPE_BITS 6

/* Longest element comment (the owner), with its NUL: a userdata length is one byte.
 * nft shows 128 bytes of it (NFTNL_UDATA_COMMENT_MAXLEN). */
#define NFTB_COMMENT_MAX 255

/* One of our tables: its family (NFPROTO_INET, NFPROTO_BRIDGE) and name. */
struct nftb_table {
	uint16_t family;
	const char *name;
};

int nftb_oom(struct nr_error *err);

int nftb_table(struct nft_batch *b, const struct nftb_table *t, struct nr_error *err);
int nftb_del_table(struct nft_batch *b, const struct nftb_table *t, struct nr_error *err);
/* Delete table t now, in a transaction of its own; a missing table is fine. */
int nftb_drop_table(struct nft_sock *s, const struct nftb_table *t, struct nr_error *err);

/* A base chain when type is not NULL (hook, priority, policy accept), else a regular one. */
int nftb_chain(struct nft_batch *b, const struct nftb_table *t, const char *chain, const char *type, int hook, int prio,
	       struct nr_error *err);
/* Delete every rule of the chain. */
int nftb_flush_chain(struct nft_batch *b, const struct nftb_table *t, const char *chain, struct nr_error *err);

struct nftb_set_spec {
	const char *name;
	uint32_t id; /* ties rules to a set created in the same transaction */
	uint32_t key_type, key_len;
	uint32_t flags;        /* NFT_SET_INTERVAL, NFT_SET_MAP, ... (NFT_SET_CONCAT is added for fields) */
	const uint8_t *fields; /* concatenation field lengths in bytes, or NULL */
	uint8_t n_fields;
	uint32_t data_type, data_len; /* maps only */
	bool key_host_order;          /* strings (ifname): tells nft how to print the keys */
};
int nftb_set(struct nft_batch *b, const struct nftb_table *t, const struct nftb_set_spec *spec, struct nr_error *err);
/* nftb_set for each of n specs, in order; the first failure stops. */
int nftb_sets(struct nft_batch *b, const struct nftb_table *t, const struct nftb_set_spec *specs, size_t n,
	      struct nr_error *err);

/* An element (type NFT_MSG_NEWSETELEM or NFT_MSG_DELSETELEM).  key_end for intervals of
 * concatenations, data for maps, comment (the owner) or NULL; NULLs are left out.
 * excl: adding an existing key fails with EEXIST. */
struct nftb_elem {
	const void *key, *key_end, *data;
	uint32_t key_len, data_len;
	const char *comment;
};
int nftb_elem(struct nft_batch *b, uint16_t type, const struct nftb_table *t, const char *set,
	      const struct nftb_elem *e, bool excl, const char *what, struct nr_error *err);

/* Rules. */
struct nftnl_rule *nftb_rule_new(const struct nftb_table *t, const char *chain);
int nftb_put_rule(struct nft_batch *b, struct nftnl_rule *r, const char *what, struct nr_error *err);
bool nftb_meta(struct nftnl_rule *r, uint32_t key, uint32_t dreg);
bool nftb_cmp(struct nftnl_rule *r, uint32_t sreg, uint32_t op, const void *data, uint32_t len);
bool nftb_nfproto(struct nftnl_rule *r, uint8_t nfproto); /* meta nfproto == nfproto */
bool nftb_payload(struct nftnl_rule *r, uint32_t base, uint32_t off, uint32_t len, uint32_t dreg);
/* dreg < 0: a set lookup; else a map lookup into dreg.  inv: "!= @set". */
bool nftb_lookup(struct nftnl_rule *r, const char *set, uint32_t set_id, uint32_t sreg, int dreg, bool inv);
/* A verdict (NF_ACCEPT, NF_DROP, NFT_RETURN, NFT_JUMP, NFT_GOTO with chain). */
bool nftb_verdict(struct nftnl_rule *r, int verdict, const char *chain);
/* reg = (reg & mask) ^ xor, len bytes. */
bool nftb_bitwise(struct nftnl_rule *r, uint32_t reg, const void *mask, const void * xor, uint32_t len);
/* ct KEY & mask != 0 (any) or == 0 (!any), for the bitmask keys NFT_CT_STATE
 * (NF_CT_STATE_BIT(...), NF_CT_STATE_INVALID_BIT, NF_CT_STATE_UNTRACKED_BIT) and
 * NFT_CT_STATUS (IPS_*).  Without a conntrack entry the state is INVALID or UNTRACKED,
 * and any other key ends the rule without a match (nft_ct_get_eval). */
bool nftb_ct_bits(struct nftnl_rule *r, uint32_t key, uint32_t mask, bool any);
bool nftb_ct_dnat(struct nftnl_rule *r); /* ct status dnat */
bool nftb_counter(struct nftnl_rule *r);
bool nftb_fib_local(struct nftnl_rule *r); /* fib daddr type local */
bool nftb_masq(struct nftnl_rule *r);
/* dnat to the address in addr_reg and the port in proto_reg (nfproto NFPROTO_IPV4/6). */
bool nftb_dnat(struct nftnl_rule *r, uint8_t nfproto, uint32_t addr_reg, uint32_t proto_reg);

/* Walk a set's elements; a missing table or set is an empty set.  cb gets the element
 * with NULLs for absent parts and comment "" when it has none; a negative return stops
 * the walk and is returned (cb fills err). */
typedef int (*nftb_elem_cb)(const struct nftb_elem *e, void *data);
int nftb_walk(struct nft_sock *s, const struct nftb_table *t, const char *set, nftb_elem_cb cb, void *data,
	      struct nr_error *err);

/* The same on a socket of its own, where cb may also return 1 to stop early: the kernel
 * builds a dump one batch per read, so stopping after the first batch costs one batch,
 * not the set's size.  For "is there anything else in this set?". */
int nftb_probe(const struct nftb_table *t, const char *set, nftb_elem_cb cb, void *data, struct nr_error *err);

/* One element looked up by key, copied out. */
struct nftb_found {
	bool found;
	bool has_end;
	uint8_t key_end[64];
	uint8_t data[64];
	uint32_t data_len;
	char comment[NFTB_COMMENT_MAX];
};
int nftb_lookup_elem(struct nft_sock *s, const struct nftb_table *t, const char *set, const void *key, uint32_t key_len,
		     struct nftb_found *ret, struct nr_error *err);

/* The number of rules in table t (0 when it does not exist).  Reading is cheap; a
 * transaction that touches rules costs an RCU grace period (docs/benchmarks.md), so callers
 * rewrite their rules only when the count is not what they expect. */
int nftb_rule_count(struct nft_sock *s, const struct nftb_table *t, unsigned *ret, struct nr_error *err);

/* Whether chain holds exactly the n rules want[] (built with nftb_rule_new and not put),
 * in order, compared by what they match and do: one read of the chain.  Any doubt, a read
 * error included, is false.  For "are our rules all there, untouched?". */
bool nftb_chain_holds(struct nft_sock *s, const struct nftb_table *t, const char *chain, struct nftnl_rule *const *want,
		      unsigned n);

/* Look one key up: *found, and the element's data and comment when found (data into
 * data_buf of data_cap bytes, comment into a NFTB_COMMENT_MAX buffer; either may be NULL). */
int nftb_get(struct nft_sock *s, const struct nftb_table *t, const char *set, const void *key, uint32_t key_len,
	     bool *found, void *data_buf, uint32_t data_cap, char *comment, struct nr_error *err);

#endif
