/* Isolation in nftables, built with nft_build.h.  The ruleset, and why icc: false is not
 * in it: docs/isolation.md. */
#include "nft_isolate.h"

#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <net/if.h>
#include <string.h>

#include "nft_build.h"

static const struct nftb_table T = { NFPROTO_INET, NFT_ISOLATE_TABLE };

enum { S_BRIDGES = 1, S_ISOLATED, S_INTERNAL, S_SAME };

static int put_sets(struct nft_batch *b, struct nr_error *err)
{
	static const uint8_t pair[2] = { IFNAMSIZ, IFNAMSIZ };
	const struct nftb_set_spec specs[] = {
		{ .name = "bridges",
		  .id = S_BRIDGES,
		  .key_type = NFTB_TYPE_IFNAME,
		  .key_len = IFNAMSIZ,
		  .key_host_order = true },
		{ .name = "isolated",
		  .id = S_ISOLATED,
		  .key_type = NFTB_TYPE_IFNAME,
		  .key_len = IFNAMSIZ,
		  .key_host_order = true },
		{ .name = "internal",
		  .id = S_INTERNAL,
		  .key_type = NFTB_TYPE_IFNAME,
		  .key_len = IFNAMSIZ,
		  .key_host_order = true },
		{ .name = "same",
		  .id = S_SAME,
		  .key_type = NFTB_TYPE_IFNAME << NFTB_TYPE_BITS | NFTB_TYPE_IFNAME,
		  .key_len = 2 * IFNAMSIZ,
		  .fields = pair,
		  .n_fields = 2 },
	};

	return nftb_sets(b, &T, specs, sizeof(specs) / sizeof(specs[0]), err);
}

/* KEY @set (KEY: NFT_META_IIFNAME or NFT_META_OIFNAME) */
static bool in_set(struct nftnl_rule *r, uint32_t key, const char *set, uint32_t id)
{
	return nftb_meta(r, key, NFT_REG_1) && nftb_lookup(r, set, id, NFT_REG_1, -1, false);
}

static int put_rules(struct nft_batch *b, struct nr_error *err)
{
	static const struct {
		const char *set1, *set2; /* iifname @set1 oifname @set2 */
		uint32_t id1, id2;
	} cross[2] = {
		{ "isolated", "bridges", S_ISOLATED, S_BRIDGES },
		{ "bridges", "isolated", S_BRIDGES, S_ISOLATED },
	};
	_cleanup_nftnl_rule_ struct nftnl_rule *dnat = nftb_rule_new(&T, "forward");
	_cleanup_nftnl_rule_ struct nftnl_rule *same = nftb_rule_new(&T, "forward");
	_cleanup_nftnl_rule_ struct nftnl_rule *in = nftb_rule_new(&T, "forward");
	_cleanup_nftnl_rule_ struct nftnl_rule *out = nftb_rule_new(&T, "forward");
	int r;

	/* Frames between two ports of one bridge pass: with br_netfilter loaded they come
	 * through this chain too, as iifname == oifname == the bridge, and the internal rules
	 * below would drop them (containers of one internal network talk to each other). */
	if (!dnat || !nftb_ct_dnat(dnat) || !nftb_verdict(dnat, NF_ACCEPT, NULL) || !same ||
	    !nftb_meta(same, NFT_META_IIFNAME, NFT_REG_1) || !nftb_meta(same, NFT_META_OIFNAME, NFT_REG_2) ||
	    !nftb_lookup(same, "same", S_SAME, NFT_REG_1, -1, false) || !nftb_verdict(same, NF_ACCEPT, NULL) || !in ||
	    !in_set(in, NFT_META_IIFNAME, "internal", S_INTERNAL) || !nftb_verdict(in, NF_DROP, NULL) || !out ||
	    !in_set(out, NFT_META_OIFNAME, "internal", S_INTERNAL) || !nftb_verdict(out, NF_DROP, NULL))
		return nftb_oom(err);
	if ((r = nftb_put_rule(b, dnat, "adding the published-ports rule", err)) < 0 ||
	    (r = nftb_put_rule(b, same, "adding the same-bridge rule", err)) < 0 ||
	    (r = nftb_put_rule(b, in, "adding the internal-network rule", err)) < 0 ||
	    (r = nftb_put_rule(b, out, "adding the internal-network rule", err)) < 0)
		return r;
	for (int i = 0; i < 2; i++) {
		_cleanup_nftnl_rule_ struct nftnl_rule *x = nftb_rule_new(&T, "forward");
		if (!x || !in_set(x, NFT_META_IIFNAME, cross[i].set1, cross[i].id1) ||
		    !in_set(x, NFT_META_OIFNAME, cross[i].set2, cross[i].id2) ||
		    !nftb_meta(x, NFT_META_IIFNAME, NFT_REG_1) || !nftb_meta(x, NFT_META_OIFNAME, NFT_REG_2) ||
		    !nftb_lookup(x, "same", S_SAME, NFT_REG_1, -1, true) || !nftb_verdict(x, NF_DROP, NULL))
			return nftb_oom(err);
		if ((r = nftb_put_rule(b, x, "adding an isolation rule", err)) < 0)
			return r;
	}
	return 0;
}

struct keys {
	uint8_t name[IFNAMSIZ];
	uint8_t pair[2 * IFNAMSIZ];
};

static int keys_of(const char *bridge, struct keys *k, struct nr_error *err)
{
	size_t n = bridge ? strlen(bridge) : 0;

	if (n == 0 || n >= IFNAMSIZ)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "isolation: invalid bridge name \"%s\"",
				    bridge ? bridge : "");
	memset(k, 0, sizeof(*k));
	memcpy(k->name, bridge, n);
	memcpy(k->pair, bridge, n);
	memcpy(k->pair + IFNAMSIZ, bridge, n);
	return 0;
}

/* Add or remove key in set so that membership is `want`, when it is not already: reads
 * first, since deleting a missing element would fail the whole transaction. */
static int put_membership_in(const struct nftb_table *t, struct nft_sock *s, struct nft_batch *b, const char *set,
			     const void *key, uint32_t len, bool want, struct nr_error *err)
{
	struct nftb_elem e = { .key = key, .key_len = len };
	bool found = false;
	int r;

	if ((r = nftb_get(s, t, set, key, len, &found, NULL, 0, NULL, err)) < 0 || found == want)
		return r;
	if (want)
		return nftb_elem(b, NFT_MSG_NEWSETELEM, t, set, &e, false, "adding a bridge to an isolation set", err);
	return nftb_elem(b, NFT_MSG_DELSETELEM, t, set, &e, false, "removing a bridge from an isolation set", err);
}

static int put_membership(struct nft_sock *s, struct nft_batch *b, const char *set, const void *key, uint32_t len,
			  bool want, struct nr_error *err)
{
	return put_membership_in(&T, s, b, set, key, len, want, err);
}

#define RULES 6

static int isolate_apply_once(const struct nft_isolation *n, struct nr_error *err)
{
	_cleanup_nft_sock_ struct nft_sock *s = NULL;
	_cleanup_nft_batch_ struct nft_batch *b = NULL;
	unsigned rules;
	struct keys k;
	int r;

	if ((r = keys_of(n->bridge, &k, err)) < 0)
		return r;
	/* Rules are rewritten only when they are not all there (a rule change costs the
	 * transaction an RCU grace period); a bridge whose membership is already
	 * right costs no transaction at all: every ADD on it after the first. */
	if ((r = nft_sock_open(&s, err)) < 0 || (r = nftb_rule_count(s, &T, &rules, err)) < 0 ||
	    (r = nft_batch_new(&b, err)) < 0)
		goto fail;
	if (rules != RULES &&
	    ((r = nftb_table(b, &T, err)) < 0 ||
	     (r = nftb_chain(b, &T, "forward", "filter", NF_INET_FORWARD, 0, err)) < 0 || (r = put_sets(b, err)) < 0 ||
	     (r = nftb_flush_chain(b, &T, "forward", err)) < 0 || (r = put_rules(b, err)) < 0))
		goto fail;
	if ((r = put_membership(s, b, "bridges", k.name, IFNAMSIZ, true, err)) < 0 ||
	    (r = put_membership(s, b, "same", k.pair, 2 * IFNAMSIZ, true, err)) < 0 ||
	    (r = put_membership(s, b, "isolated", k.name, IFNAMSIZ, n->isolate, err)) < 0 ||
	    (r = put_membership(s, b, "internal", k.name, IFNAMSIZ, n->internal, err)) < 0 ||
	    (r = nft_batch_commit(s, b, err)) < 0)
		goto fail;
	return 0;
fail:
	return nr_error_wrap(err, r, "isolating bridge %s", n->bridge);
}

int nft_isolate_apply(const struct nft_isolation *n, struct nr_error *err)
{
	int r;

	/* The rules and memberships are read, then written: a concurrent ADD on another
	 * bridge changing them in between makes this transaction fail (a set element or rule
	 * it read is gone or already there, or a dump is interrupted).  Reading again settles it. */
	for (int attempt = 0;; attempt++) {
		r = isolate_apply_once(n, err);
		if (r >= 0 || attempt == 4 || (r != -ENOENT && r != -EEXIST && r != -EBUSY && r != -EINTR))
			return r;
		nr_error_clear(err);
	}
}

static int count_elem(const struct nftb_elem *e, void *data)
{
	(*(unsigned *)data)++;
	return 0;
}

int nft_isolate_forget(const char *bridge, struct nr_error *err)
{
	_cleanup_nft_sock_ struct nft_sock *s = NULL;
	_cleanup_nft_batch_ struct nft_batch *b = NULL;
	unsigned n = 0;
	bool found = false;
	struct keys k;
	int r;

	if ((r = keys_of(bridge, &k, err)) < 0 || (r = nft_sock_open(&s, err)) < 0 ||
	    (r = nftb_walk(s, &T, "bridges", count_elem, &n, err)) < 0 ||
	    (r = nftb_get(s, &T, "bridges", k.name, IFNAMSIZ, &found, NULL, 0, NULL, err)) < 0)
		goto fail;
	if (!found)
		return 0;
	if (n == 1) {
		if ((r = nftb_drop_table(s, &T, err)) < 0)
			goto fail;
		return 0;
	}
	if ((r = nft_batch_new(&b, err)) < 0 ||
	    (r = put_membership(s, b, "bridges", k.name, IFNAMSIZ, false, err)) < 0 ||
	    (r = put_membership(s, b, "same", k.pair, 2 * IFNAMSIZ, false, err)) < 0 ||
	    (r = put_membership(s, b, "isolated", k.name, IFNAMSIZ, false, err)) < 0 ||
	    (r = put_membership(s, b, "internal", k.name, IFNAMSIZ, false, err)) < 0 ||
	    (r = nft_batch_commit(s, b, err)) < 0)
		goto fail;
	return 0;
fail:
	return nr_error_wrap(err, r, "forgetting the isolation of bridge %s", bridge);
}
