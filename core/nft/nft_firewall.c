/* The firewall plugin's nftables table and its hooks in other tables, built with
 * nft_build.h (never the nft binary).  See nft_firewall.h and docs/plugin-firewall.md. */
#include "nft_firewall.h"

#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nft_build.h"

static const struct nftb_table T = { NFPROTO_INET, NFT_FIREWALL_TABLE };
#define CHAIN "forward"

enum { S_CTR4 = 1, S_CTR6, S_ISO, S_SAME };

struct fw_fam {
	int af;
	uint8_t nfproto;
	const char *set;
	uint32_t set_id, alen, addr_type, saddr_off, daddr_off;
};

static const struct fw_fam FAM[2] = {
	{ AF_INET, NFPROTO_IPV4, "ctr4", S_CTR4, 4, NFTB_TYPE_IPADDR, 12, 16 },
	{ AF_INET6, NFPROTO_IPV6, "ctr6", S_CTR6, 16, NFTB_TYPE_IP6ADDR, 8, 24 },
};

static const struct fw_fam *fam_of(int af)
{
	return af == AF_INET ? &FAM[0] : af == AF_INET6 ? &FAM[1] : NULL;
}

/* --- the skeleton ------------------------------------------------------------------------ */

static int put_sets(struct nft_batch *b, struct nr_error *err)
{
	static const uint8_t pair[2] = { IFNAMSIZ, IFNAMSIZ };
	const struct nftb_set_spec specs[] = {
		{ .name = "ctr4", .id = S_CTR4, .key_type = NFTB_TYPE_IPADDR, .key_len = 4 },
		{ .name = "ctr6", .id = S_CTR6, .key_type = NFTB_TYPE_IP6ADDR, .key_len = 16 },
		{ .name = "iso",
		  .id = S_ISO,
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

/* meta mark set meta mark | NFT_FIREWALL_MARK */
static bool mark_set(struct nftnl_rule *r)
{
	const uint32_t mask = ~NFT_FIREWALL_MARK, xor = NFT_FIREWALL_MARK;
	struct nftnl_expr *e;

	if (!nftb_meta(r, NFT_META_MARK, NFT_REG_1) || !nftb_bitwise(r, NFT_REG_1, &mask, &xor, 4) ||
	    !(e = nftnl_expr_alloc("meta")))
		return false;
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, NFT_META_MARK);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_SREG, NFT_REG_1);
	nftnl_rule_add_expr(r, e);
	return true;
}

/* The seven rules of our chain, in order, into want[7] (allocated; the caller frees). */
#define RULES 7

static bool build_rules(struct nftnl_rule *want[RULES])
{
	const uint32_t est = NF_CT_STATE_BIT(IP_CT_ESTABLISHED) | NF_CT_STATE_BIT(IP_CT_RELATED);
	struct nftnl_rule *iso;
	int n = 0;

	for (int i = 0; i < RULES; i++)
		if (!(want[i] = nftb_rule_new(&T, CHAIN)))
			return false;
	/* iifname @iso oifname @iso iifname . oifname != @same drop */
	iso = want[n++];
	if (!nftb_meta(iso, NFT_META_IIFNAME, NFT_REG_1) || !nftb_lookup(iso, "iso", S_ISO, NFT_REG_1, -1, false) ||
	    !nftb_meta(iso, NFT_META_OIFNAME, NFT_REG_1) || !nftb_lookup(iso, "iso", S_ISO, NFT_REG_1, -1, false) ||
	    !nftb_meta(iso, NFT_META_IIFNAME, NFT_REG_1) || !nftb_meta(iso, NFT_META_OIFNAME, NFT_REG_2) ||
	    !nftb_lookup(iso, "same", S_SAME, NFT_REG_1, -1, true) || !nftb_verdict(iso, NF_DROP, NULL))
		return false;
	for (int fi = 0; fi < 2; fi++) {
		const struct fw_fam *f = &FAM[fi];
		struct nftnl_rule *from = want[n++], *to = want[n++], *dnat = want[n++];

		/* ip saddr @ctr4 meta mark set mark | M accept */
		if (!nftb_nfproto(from, f->nfproto) ||
		    !nftb_payload(from, NFT_PAYLOAD_NETWORK_HEADER, f->saddr_off, f->alen, NFT_REG_1) ||
		    !nftb_lookup(from, f->set, f->set_id, NFT_REG_1, -1, false) || !mark_set(from) ||
		    !nftb_verdict(from, NF_ACCEPT, NULL))
			return false;
		/* ct state established,related ip daddr @ctr4 meta mark set mark | M accept */
		if (!nftb_nfproto(to, f->nfproto) || !nftb_ct_bits(to, NFT_CT_STATE, est, true) ||
		    !nftb_payload(to, NFT_PAYLOAD_NETWORK_HEADER, f->daddr_off, f->alen, NFT_REG_1) ||
		    !nftb_lookup(to, f->set, f->set_id, NFT_REG_1, -1, false) || !mark_set(to) ||
		    !nftb_verdict(to, NF_ACCEPT, NULL))
			return false;
		/* ct status dnat ip daddr @ctr4 meta mark set mark | M accept: a port published
		 * to the container (portmap) */
		if (!nftb_nfproto(dnat, f->nfproto) || !nftb_ct_dnat(dnat) ||
		    !nftb_payload(dnat, NFT_PAYLOAD_NETWORK_HEADER, f->daddr_off, f->alen, NFT_REG_1) ||
		    !nftb_lookup(dnat, f->set, f->set_id, NFT_REG_1, -1, false) || !mark_set(dnat) ||
		    !nftb_verdict(dnat, NF_ACCEPT, NULL))
			return false;
	}
	return true;
}

static void free_rules(struct nftnl_rule *want[RULES])
{
	for (int i = 0; i < RULES; i++)
		if (want[i])
			nftnl_rule_free(want[i]);
}

static bool skeleton_intact(struct nft_sock *s)
{
	struct nftnl_rule *want[RULES] = { 0 };
	bool ok = build_rules(want) && nftb_chain_holds(s, &T, CHAIN, want, RULES);

	free_rules(want);
	return ok;
}

static int put_skeleton(struct nft_batch *b, struct nr_error *err)
{
	struct nftnl_rule *want[RULES] = { 0 };
	int r;

	if ((r = nftb_table(b, &T, err)) < 0 ||
	    (r = nftb_chain(b, &T, CHAIN, "filter", NF_INET_FORWARD, NFT_FIREWALL_PRIO, err)) < 0 ||
	    (r = put_sets(b, err)) < 0 || (r = nftb_flush_chain(b, &T, CHAIN, err)) < 0)
		return r;
	if (!build_rules(want))
		r = nftb_oom(err);
	for (int i = 0; i < RULES && r >= 0; i++)
		r = nftb_put_rule(b, want[i], "adding a firewall rule", err);
	free_rules(want);
	return r < 0 ? r : 0;
}

/* --- our rule in other tables' dropping forward chains --------------------------------- */

struct hook_chain {
	uint16_t family;
	char table[256], chain[256];
	uint64_t handle; /* of our rule in it; 0: none */
};

struct hooks {
	struct hook_chain v[16];
	size_t n;
};

static void build_chain_dump(struct nlmsghdr *nlh, void *data)
{
}

static int on_chain(const struct nlmsghdr *nlh, void *data)
{
	_cleanup_nftnl_chain_ struct nftnl_chain *c = nftnl_chain_alloc();
	struct hooks *h = data;
	uint32_t family;
	const char *table, *name;

	if (!c || nftnl_chain_nlmsg_parse(nlh, c) < 0)
		return MNL_CB_OK;
	family = nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY);
	table = nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE);
	name = nftnl_chain_get_str(c, NFTNL_CHAIN_NAME);
	if (!table || !name || !nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM) ||
	    !nftnl_chain_is_set(c, NFTNL_CHAIN_POLICY))
		return MNL_CB_OK;
	if (nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM) != NF_INET_FORWARD ||
	    nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY) != NF_DROP)
		return MNL_CB_OK;
	if (family != NFPROTO_IPV4 && family != NFPROTO_IPV6 && family != NFPROTO_INET)
		return MNL_CB_OK;
	if (family == T.family && !strcmp(table, T.name))
		return MNL_CB_OK;
	if (h->n == sizeof(h->v) / sizeof(h->v[0]))
		return MNL_CB_OK; /* more than sixteen dropping forward chains: the first sixteen */
	h->v[h->n].family = (uint16_t)family;
	snprintf(h->v[h->n].table, sizeof(h->v[0].table), "%s", table);
	snprintf(h->v[h->n].chain, sizeof(h->v[0].chain), "%s", name);
	h->v[h->n].handle = 0;
	h->n++;
	return MNL_CB_OK;
}

static int on_comment(const struct nftnl_udata *attr, void *data)
{
	if (nftnl_udata_type(attr) == NFTNL_UDATA_RULE_COMMENT && nftnl_udata_len(attr) == sizeof(NFT_FIREWALL_TAG) &&
	    !memcmp(nftnl_udata_get(attr), NFT_FIREWALL_TAG, sizeof(NFT_FIREWALL_TAG)))
		*(bool *)data = true;
	return 0;
}

static void build_rule_dump(struct nlmsghdr *nlh, void *data)
{
	struct hook_chain *c = data;
	_cleanup_nftnl_rule_ struct nftnl_rule *r = nftnl_rule_alloc();

	if (!r)
		return;
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, c->table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, c->chain);
	nftnl_rule_nlmsg_build_payload(nlh, r);
}

static int on_rule(const struct nlmsghdr *nlh, void *data)
{
	_cleanup_nftnl_rule_ struct nftnl_rule *r = nftnl_rule_alloc();
	struct hook_chain *c = data;
	const void *u;
	uint32_t len;
	bool ours = false;

	if (!r || nftnl_rule_nlmsg_parse(nlh, r) < 0 || !nftnl_rule_is_set(r, NFTNL_RULE_USERDATA))
		return MNL_CB_OK;
	if (strcmp(nftnl_rule_get_str(r, NFTNL_RULE_CHAIN) ?: "", c->chain) ||
	    strcmp(nftnl_rule_get_str(r, NFTNL_RULE_TABLE) ?: "", c->table))
		return MNL_CB_OK;
	u = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &len);
	nftnl_udata_parse(u, len, on_comment, &ours);
	if (ours)
		c->handle = nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE);
	return MNL_CB_OK;
}

struct owner_q {
	const struct hook_chain *c;
	bool owned;
};

static void build_owner_get(struct nlmsghdr *nlh, void *data)
{
	_cleanup_nftnl_table_ struct nftnl_table *t = nftnl_table_alloc();

	if (!t)
		return;
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, ((struct owner_q *)data)->c->table);
	nftnl_table_nlmsg_build_payload(nlh, t);
}

static int on_owner_table(const struct nlmsghdr *nlh, void *data)
{
	_cleanup_nftnl_table_ struct nftnl_table *t = nftnl_table_alloc();

	if (t && nftnl_table_nlmsg_parse(nlh, t) >= 0 && nftnl_table_is_set(t, NFTNL_TABLE_FLAGS) &&
	    (nftnl_table_get_u32(t, NFTNL_TABLE_FLAGS) & NFT_TABLE_F_OWNER))
		((struct owner_q *)data)->owned = true;
	return MNL_CB_OK;
}

/* A table its owner process holds (NFT_TABLE_F_OWNER) refuses rules of anyone else: left
 * alone (docs/plugin-firewall.md, "Limits"). */
static bool owned_table(struct nft_sock *s, const struct hook_chain *c)
{
	struct nr_error ignored = { 0 };
	struct owner_q q = { .c = c };

	return nft_query(s, NFT_MSG_GETTABLE, c->family, 0, build_owner_get, on_owner_table, &q,
			 "reading a table's flags", &ignored) >= 0 &&
	       q.owned;
}

/* Every dropping forward chain of another table, with the handle of our rule in it. */
static int find_hooks(struct nft_sock *s, struct hooks *h, struct nr_error *err)
{
	size_t kept = 0;
	int r;

	h->n = 0;
	if ((r = nft_dump(s, NFT_MSG_GETCHAIN, NFPROTO_UNSPEC, build_chain_dump, on_chain, h,
			  "reading the nftables chains", err)) < 0)
		return r;
	for (size_t i = 0; i < h->n; i++)
		if (!owned_table(s, &h->v[i]))
			h->v[kept++] = h->v[i];
	h->n = kept;
	for (size_t i = 0; i < h->n; i++) {
		r = nft_dump(s, NFT_MSG_GETRULE, h->v[i].family, build_rule_dump, on_rule, &h->v[i],
			     "reading a forward chain's rules", err);
		if (r == -ENOENT) { /* gone since */
			nr_error_clear(err);
			continue;
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* meta mark & M == M accept, at the head of c, with our comment. */
static int put_hook_rule(struct nft_batch *b, const struct hook_chain *c, struct nr_error *err)
{
	const uint32_t mask = NFT_FIREWALL_MARK, zero = 0;
	_cleanup_nftnl_rule_ struct nftnl_rule *r = nftnl_rule_alloc();
	_cleanup_nftnl_udata_buf_ struct nftnl_udata_buf *u = nftnl_udata_buf_alloc(64);
	struct nlmsghdr *nlh;

	if (!r || !u || !nftnl_udata_put_strz(u, NFTNL_UDATA_RULE_COMMENT, NFT_FIREWALL_TAG))
		return nftb_oom(err);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, c->table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, c->chain);
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, c->family);
	nftnl_rule_set_data(r, NFTNL_RULE_USERDATA, nftnl_udata_buf_data(u), nftnl_udata_buf_len(u));
	if (!nftb_meta(r, NFT_META_MARK, NFT_REG_1) || !nftb_bitwise(r, NFT_REG_1, &mask, &zero, 4) ||
	    !nftb_cmp(r, NFT_REG_1, NFT_CMP_EQ, &mask, 4) || !nftb_verdict(r, NF_ACCEPT, NULL))
		return nftb_oom(err);
	/* Without NLM_F_APPEND and a position the kernel puts the rule first. */
	if (!(nlh = nft_batch_msg(b, NFT_MSG_NEWRULE, c->family, NLM_F_CREATE,
				  "adding the firewall's rule to a dropping forward chain")))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOBUFS, "nftables transaction too large");
	nftnl_rule_nlmsg_build_payload(nlh, r);
	return 0;
}

static int del_hook_rule(struct nft_batch *b, const struct hook_chain *c, struct nr_error *err)
{
	_cleanup_nftnl_rule_ struct nftnl_rule *r = nftnl_rule_alloc();
	struct nlmsghdr *nlh;

	if (!r)
		return nftb_oom(err);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, c->table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, c->chain);
	nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, c->handle);
	if (!(nlh = nft_batch_msg(b, NFT_MSG_DELRULE, c->family, 0,
				  "removing the firewall's rule from a forward chain")))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOBUFS, "nftables transaction too large");
	nftnl_rule_nlmsg_build_payload(nlh, r);
	return 0;
}

/* --- elements ----------------------------------------------------------------------------- */

static int check_attach(const struct nft_fw_attach *a, struct nr_error *err)
{
	size_t n = a->owner ? strlen(a->owner) : 0;

	if (n == 0 || n >= 128)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				    "firewall: the owner (container id/ifname) must be 1 to 127 bytes");
	if (a->n_addrs > NFT_FIREWALL_MAX_ADDRS)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, E2BIG, "firewall: at most %d addresses, not %zu",
				    NFT_FIREWALL_MAX_ADDRS, a->n_addrs);
	for (size_t i = 0; i < a->n_addrs; i++)
		if (!fam_of(a->addrs[i].family))
			return nr_error_set(err, CNI_ERR_INTERNAL, EAFNOSUPPORT,
					    "firewall: not an IPv4 or IPv6 address");
	if (a->iso_bridge && (!*a->iso_bridge || strlen(a->iso_bridge) >= IFNAMSIZ))
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "firewall: invalid bridge name \"%s\"",
				    a->iso_bridge);
	return 0;
}

struct iso_keys {
	uint8_t name[IFNAMSIZ], pair[2 * IFNAMSIZ];
};

static void iso_keys_of(const char *bridge, struct iso_keys *k)
{
	size_t n = strlen(bridge);

	memset(k, 0, sizeof(*k));
	memcpy(k->name, bridge, n);
	memcpy(k->pair, bridge, n);
	memcpy(k->pair + IFNAMSIZ, bridge, n);
}

static int put_addr(struct nft_batch *b, uint16_t type, const struct ip_addr *ad, const char *owner, bool excl,
		    struct nr_error *err)
{
	const struct fw_fam *f = fam_of(ad->family);
	struct nftb_elem e = { .key = ad->bytes, .key_len = f->alen, .comment = owner };

	return nftb_elem(b, type, &T, f->set, &e, excl,
			 type == NFT_MSG_NEWSETELEM ? "adding a container address" : "removing a container address",
			 err);
}

/* Writes what is missing (sets survive a hand-flushed chain: elements are looked up even
 * with the skeleton); skeleton: write the table, sets and rules too. */
static int add_once(struct nft_sock *s, const struct nft_fw_attach *a, bool skeleton, struct nr_error *err)
{
	_cleanup_nft_batch_ struct nft_batch *b = NULL;
	struct hooks h;
	int r;

	if ((r = nft_batch_new(&b, err)) < 0 || (skeleton && (r = put_skeleton(b, err)) < 0))
		return r;
	for (size_t i = 0; i < a->n_addrs; i++) {
		const struct ip_addr *ad = &a->addrs[i];
		const struct fw_fam *f = fam_of(ad->family);
		char owner[NFTB_COMMENT_MAX];
		bool found = false;

		if ((r = nftb_get(s, &T, f->set, ad->bytes, f->alen, &found, NULL, 0, owner, err)) < 0)
			return r;
		if (found && !strcmp(owner, a->owner))
			continue;
		/* Another owner's (it crashed before its DEL, and the address was given again):
		 * ours now. */
		if (found && (r = put_addr(b, NFT_MSG_DELSETELEM, ad, NULL, false, err)) < 0)
			return r;
		if ((r = put_addr(b, NFT_MSG_NEWSETELEM, ad, a->owner, true, err)) < 0)
			return r;
	}
	if (a->iso_bridge) {
		struct iso_keys k;
		bool found = false;
		struct nftb_elem name, pair;

		iso_keys_of(a->iso_bridge, &k);
		name = (struct nftb_elem){ .key = k.name, .key_len = IFNAMSIZ };
		pair = (struct nftb_elem){ .key = k.pair, .key_len = 2 * IFNAMSIZ };
		if ((r = nftb_get(s, &T, "iso", k.name, IFNAMSIZ, &found, NULL, 0, NULL, err)) < 0)
			return r;
		if (!found &&
		    ((r = nftb_elem(b, NFT_MSG_NEWSETELEM, &T, "iso", &name, false, "isolating a bridge", err)) < 0 ||
		     (r = nftb_elem(b, NFT_MSG_NEWSETELEM, &T, "same", &pair, false, "isolating a bridge", err)) < 0))
			return r;
	}
	if ((r = find_hooks(s, &h, err)) < 0)
		return r;
	for (size_t i = 0; i < h.n; i++)
		if (!h.v[i].handle && (r = put_hook_rule(b, &h.v[i], err)) < 0)
			return r;
	return nft_batch_commit(s, b, err);
}

static int open_locked(int *lock, struct nft_sock **s, struct nr_error *err)
{
	int r = lockfile_take(NFT_FIREWALL_LOCK, lock, err);

	return r < 0 ? r : nft_sock_open(s, err);
}

int nft_firewall_add(const struct nft_fw_attach *a, struct nr_error *err)
{
	_cleanup_nft_sock_ struct nft_sock *s = NULL;
	_cleanup_close_ int lock = -1;
	bool skeleton;
	int r;

	if ((r = check_attach(a, err)) < 0)
		return r;
	if (a->n_addrs == 0 && !a->iso_bridge)
		return 0;
	if ((r = open_locked(&lock, &s, err)) < 0)
		goto fail;
	/* Rewriting rules costs the transaction an RCU grace period: only when they are
	 * not all there (the first ADD, after `nft flush ruleset`).  A chain of another
	 * table changing under us (ENOENT, EBUSY) is read again. */
	skeleton = !skeleton_intact(s);
	for (int attempt = 0;; attempt++) {
		r = add_once(s, a, skeleton, err);
		if (r >= 0 || attempt == 3 || (r != -ENOENT && r != -EBUSY && r != -EINTR && r != -EEXIST))
			break;
		nr_error_clear(err);
		skeleton = skeleton || r == -ENOENT;
	}
	if (r < 0)
		goto fail;
	return 0;
fail:
	return nr_error_wrap(err, r, "letting the traffic of %s through the firewall", a->owner);
}

/* --- removal ------------------------------------------------------------------------------ */

struct held {
	const struct fw_fam *f;
	uint8_t key[16];
};

struct collect {
	bool (*doomed)(const char *owner, void *data);
	void *data;
	const struct fw_fam *f;
	struct held *v;
	size_t n, cap, kept;
};

static int on_collect(const struct nftb_elem *e, void *data)
{
	struct collect *c = data;

	if (e->key_len != c->f->alen)
		return 0;
	if (!c->doomed(e->comment, c->data)) {
		c->kept++;
		return 0;
	}
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;
		struct held *v = realloc(c->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n].f = c->f;
	memcpy(c->v[c->n].key, e->key, e->key_len);
	c->n++;
	return 0;
}

/* Is any element left besides those in c (read up to the first such)? */
struct other {
	const struct collect *c;
	const struct fw_fam *f;
	bool any;
};

static int on_other(const struct nftb_elem *e, void *data)
{
	struct other *o = data;

	for (size_t i = 0; i < o->c->n; i++)
		if (o->c->v[i].f == o->f && e->key_len == o->f->alen && !memcmp(o->c->v[i].key, e->key, e->key_len))
			return 0;
	o->any = true;
	return 1;
}

static int others_left(const struct collect *c, bool *ret, struct nr_error *err)
{
	struct other o = { .c = c };
	int r;

	for (int fi = 0; fi < 2 && !o.any; fi++) {
		o.f = &FAM[fi];
		if ((r = nftb_probe(&T, FAM[fi].set, on_other, &o, err)) < 0)
			return r;
	}
	*ret = o.any;
	return 0;
}

/* Delete c's elements, or, when nothing else is left, the table and our rules in other
 * tables (one transaction either way; chunks for a large GC). */
#define DEL_CHUNK 200

static int remove_collected(struct nft_sock *s, const struct collect *c, bool last, struct nr_error *err)
{
	int r;

	if (last) {
		struct hooks h;

		if ((r = find_hooks(s, &h, err)) < 0)
			return r;
		/* With the table, then (it was gone already: ENOENT) without it. */
		for (int with_table = 1; with_table >= 0; with_table--) {
			_cleanup_nft_batch_ struct nft_batch *b = NULL;

			if ((r = nft_batch_new(&b, err)) < 0)
				return r;
			for (size_t i = 0; i < h.n; i++)
				if (h.v[i].handle && (r = del_hook_rule(b, &h.v[i], err)) < 0)
					return r;
			if (with_table && (r = nftb_del_table(b, &T, err)) < 0)
				return r;
			r = nft_batch_commit(s, b, err);
			if (r != -ENOENT || !with_table)
				return r;
			nr_error_clear(err);
		}
		return r;
	}
	for (size_t i = 0; i < c->n; i += DEL_CHUNK) {
		_cleanup_nft_batch_ struct nft_batch *b = NULL;
		if ((r = nft_batch_new(&b, err)) < 0)
			return r;
		for (size_t j = i; j < c->n && j < i + DEL_CHUNK; j++) {
			struct ip_addr ad = { .family = c->v[j].f->af };
			memcpy(ad.bytes, c->v[j].key, c->v[j].f->alen);
			if ((r = put_addr(b, NFT_MSG_DELSETELEM, &ad, NULL, false, err)) < 0)
				return r;
		}
		if ((r = nft_batch_commit(s, b, err)) < 0)
			return r;
	}
	return 0;
}

static bool is_owner(const char *owner, void *data)
{
	return !strcmp(owner, data);
}

/* Collect the elements doomed(owner) says go: by key for a's addresses when given,
 * else by reading the sets. */
static int collect(struct nft_sock *s, const struct nft_fw_attach *a, struct collect *c, struct nr_error *err)
{
	int r;

	if (a && a->n_addrs) {
		for (size_t i = 0; i < a->n_addrs; i++) {
			const struct fw_fam *f = fam_of(a->addrs[i].family);
			char owner[NFTB_COMMENT_MAX];
			bool found = false;
			struct nftb_elem e = { .key_len = f->alen, .comment = owner };

			if ((r = nftb_get(s, &T, f->set, a->addrs[i].bytes, f->alen, &found, NULL, 0, owner, err)) < 0)
				return r;
			if (!found)
				continue;
			e.key = a->addrs[i].bytes;
			c->f = f;
			if ((r = on_collect(&e, c)) < 0)
				return nr_error_set(err, CNI_ERR_INTERNAL, -r, "out of memory");
		}
		return 0;
	}
	for (int fi = 0; fi < 2; fi++) {
		c->f = &FAM[fi];
		if ((r = nftb_walk(s, &T, FAM[fi].set, on_collect, c, err)) < 0)
			return r;
	}
	return 0;
}

static void build_table_get(struct nlmsghdr *nlh, void *data)
{
	_cleanup_nftnl_table_ struct nftnl_table *t = nftnl_table_alloc();

	if (!t)
		return;
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, T.name);
	nftnl_table_nlmsg_build_payload(nlh, t);
}

static int on_any_msg(const struct nlmsghdr *nlh, void *data)
{
	return MNL_CB_OK;
}

/* Nothing of ours anywhere: no table, no rule in another table's chain.  Then DEL and GC
 * are done without the lock (whose file would be the only thing they leave behind). */
static bool nothing_of_ours(void)
{
	_cleanup_nft_sock_ struct nft_sock *s = NULL;
	struct nr_error tmp = { 0 };
	struct hooks h;
	int r;

	if (nft_sock_open(&s, &tmp) < 0)
		return false;
	r = nft_query(s, NFT_MSG_GETTABLE, T.family, 0, build_table_get, on_any_msg, NULL, "reading our table", &tmp);
	if (r != -ENOENT || find_hooks(s, &h, &tmp) < 0)
		return false;
	for (size_t i = 0; i < h.n; i++)
		if (h.v[i].handle)
			return false;
	return true;
}

static int del_locked(const struct nft_fw_attach *a, bool (*doomed)(const char *, void *), void *data,
		      struct nr_error *err)
{
	_cleanup_nft_sock_ struct nft_sock *s = NULL;
	_cleanup_close_ int lock = -1;
	struct collect c = { .doomed = doomed, .data = data };
	bool other = true;
	int r;

	/* The lock file exists once anything was added here: only before that is it worth
	 * asking whether there is anything at all. */
	if (access(NFT_FIREWALL_LOCK, F_OK) < 0 && nothing_of_ours())
		return 0;
	if ((r = open_locked(&lock, &s, err)) < 0 || (r = collect(s, a, &c, err)) < 0)
		goto out;
	if (c.n == 0 && (!a || !a->n_addrs) && c.kept > 0)
		goto out; /* nothing of these owners; others remain */
	if (c.n == 0 && a && a->n_addrs)
		goto out; /* already gone */
	if ((r = others_left(&c, &other, err)) < 0)
		goto out;
	r = remove_collected(s, &c, !other, err);
out:
	free(c.v);
	return r < 0 ? r : 0;
}

int nft_firewall_del(const struct nft_fw_attach *a, struct nr_error *err)
{
	int r;

	if ((r = check_attach(a, err)) < 0)
		return r;
	if ((r = del_locked(a, is_owner, (void *)a->owner, err)) < 0)
		return nr_error_wrap(err, r, "removing the firewall entries of %s", a->owner);
	return 0;
}

struct gc_ctx {
	bool (*valid)(const char *owner, void *data);
	void *data;
};

static bool is_stale(const char *owner, void *data)
{
	struct gc_ctx *g = data;

	return !g->valid(owner, g->data);
}

int nft_firewall_gc(bool (*valid)(const char *owner, void *data), void *data, struct nr_error *err)
{
	struct gc_ctx g = { valid, data };
	int r;

	if ((r = del_locked(NULL, is_stale, &g, err)) < 0)
		return nr_error_wrap(err, r, "removing stale firewall entries");
	return 0;
}

/* --- CHECK -------------------------------------------------------------------------------- */

int nft_firewall_check(const struct nft_fw_attach *a, struct nr_error *err)
{
	_cleanup_nft_sock_ struct nft_sock *s = NULL;
	char buf[IP_PREFIX_STRLEN];
	struct hooks h;
	int r;

	if ((r = check_attach(a, err)) < 0)
		return r;
	if (a->n_addrs == 0 && !a->iso_bridge)
		return 0;
	if ((r = nft_sock_open(&s, err)) < 0)
		return r;
	if (!skeleton_intact(s))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOENT,
				    "firewall: chain " CHAIN " of table inet " NFT_FIREWALL_TABLE
				    " is missing or not as written");
	for (size_t i = 0; i < a->n_addrs; i++) {
		const struct fw_fam *f = fam_of(a->addrs[i].family);
		char owner[NFTB_COMMENT_MAX];
		bool found = false;

		if ((r = nftb_get(s, &T, f->set, a->addrs[i].bytes, f->alen, &found, NULL, 0, owner, err)) < 0)
			return r;
		if (!found || strcmp(owner, a->owner))
			return nr_error_set(err, CNI_ERR_INTERNAL, ENOENT,
					    "firewall: %s of %s is not in set %s of table inet " NFT_FIREWALL_TABLE,
					    ip_addr_format(&a->addrs[i], buf, sizeof(buf)), a->owner, f->set);
	}
	if (a->iso_bridge) {
		struct iso_keys k;
		bool found = false;

		iso_keys_of(a->iso_bridge, &k);
		if ((r = nftb_get(s, &T, "iso", k.name, IFNAMSIZ, &found, NULL, 0, NULL, err)) < 0)
			return r;
		if (!found)
			return nr_error_set(err, CNI_ERR_INTERNAL, ENOENT, "firewall: bridge %s is not isolated",
					    a->iso_bridge);
	}
	if ((r = find_hooks(s, &h, err)) < 0)
		return r;
	for (size_t i = 0; i < h.n; i++)
		if (!h.v[i].handle)
			return nr_error_set(err, CNI_ERR_INTERNAL, ENOENT,
					    "firewall: the dropping forward chain %s of table %s has no rule of ours",
					    h.v[i].chain, h.v[i].table);
	return 0;
}
