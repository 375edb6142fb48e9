/* Masquerade for container addresses in nftables, over libnftnl + libmnl (never the nft
 * binary).
 *
 * Design.  One table of ours, `inet netns-run`, serves IPv4 and IPv6:
 *
 *	table inet netns-run {
 *		set ctr4 { type ipv4_addr; }                                  # container addresses
 *		set own4 { type ipv4_addr . ipv4_addr; flags interval; }      # address . own subnet
 *		set ctr6 { type ipv6_addr; }
 *		set own6 { type ipv6_addr . ipv6_addr; flags interval; }
 *		chain postrouting {
 *			type nat hook postrouting priority srcnat; policy accept;
 *			ip  saddr . ip  daddr @own4 return
 *			ip  saddr @ctr4 ip  daddr != 224.0.0.0/4 masquerade
 *			ip6 saddr . ip6 daddr @own6 return
 *			ip6 saddr @ctr6 ip6 daddr != ff00::/8 masquerade
 *		}
 *	}
 *
 * A container 10.22.0.5/16 is the element 10.22.0.5 in ctr4 plus the element
 * 10.22.0.5 . 10.22.0.0-10.22.255.255 in own4.  The chain has four rules whatever the
 * number of containers; per container the state is two set elements.  The concatenated
 * interval set (kernel >= 5.6) gives per-container exactness, as the reference plugin's
 * per-container chain does: traffic to the container's *own* subnet is not masqueraded,
 * traffic to any other network (another bridge of ours included) is.  A single set of
 * "all our subnets" would have been simpler but would also exempt traffic between two of
 * our networks, which the reference masquerades.
 *
 * Every add is one transaction: table, chain and sets are created without NLM_F_EXCL
 * (existing ones stay), the chain is flushed and its four rules written again (so the
 * rules are always exactly these four, also after a crash or a concurrent add), and the
 * two elements are added.  All or nothing.  Delete reads the own set to find the
 * address's entries and removes exactly those; a missing table, set or element is
 * success.
 */
#include "nft_masq.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <string.h>

#include "nft.h"

/* nft's datatype ids (nftables src/datatype.h) and the concatenation encoding. */
#define NFT_TYPE_IPADDR 7
#define NFT_TYPE_IP6ADDR 8
#define NFT_TYPE_BITS 6

struct masq_family {
	int af;
	uint8_t nfproto;
	const char *ctr, *own;
	uint32_t alen;             /* address bytes */
	uint32_t saddr_off, daddr_off;
	uint32_t addr_type;
	uint8_t mcast_mask[16], mcast_net[16];
	uint32_t daddr_reg;        /* second field of the concatenation */
};

static const struct masq_family FAM4 = {
	.af = AF_INET, .nfproto = NFPROTO_IPV4, .ctr = "ctr4", .own = "own4", .alen = 4,
	.saddr_off = 12, .daddr_off = 16, .addr_type = NFT_TYPE_IPADDR,
	.mcast_mask = { 0xf0 }, .mcast_net = { 0xe0 }, .daddr_reg = NFT_REG32_01,
};

static const struct masq_family FAM6 = {
	.af = AF_INET6, .nfproto = NFPROTO_IPV6, .ctr = "ctr6", .own = "own6", .alen = 16,
	.saddr_off = 8, .daddr_off = 24, .addr_type = NFT_TYPE_IP6ADDR,
	.mcast_mask = { 0xff }, .mcast_net = { 0xff }, .daddr_reg = NFT_REG32_04,
};

static const struct masq_family *family_of(int af)
{
	return af == AF_INET ? &FAM4 : af == AF_INET6 ? &FAM6 : NULL;
}

DEFINE_PTR_CLEANUP(table_freep, struct nftnl_table *, nftnl_table_free)
DEFINE_PTR_CLEANUP(chain_freep, struct nftnl_chain *, nftnl_chain_free)
DEFINE_PTR_CLEANUP(rule_freep, struct nftnl_rule *, nftnl_rule_free)
DEFINE_PTR_CLEANUP(set_freep, struct nftnl_set *, nftnl_set_free)

/* Set ids tie a rule's lookup to a set created in the same transaction. */
enum { ID_CTR4 = 1, ID_OWN4, ID_CTR6, ID_OWN6 };

static int oom(struct nr_error *err)
{
	return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory building nftables messages");
}

static int full(struct nr_error *err)
{
	return nr_error_set(err, CNI_ERR_INTERNAL, ENOBUFS, "nftables transaction too large");
}

static int put_table(struct nft_batch *b, struct nr_error *err)
{
	_cleanup_(table_freep) struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	if (!t)
		return oom(err);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, NFT_MASQ_TABLE);
	nlh = nft_batch_msg(b, NFT_MSG_NEWTABLE, NFPROTO_INET, NLM_F_CREATE,
			    "creating nftables table inet " NFT_MASQ_TABLE);
	if (!nlh)
		return full(err);
	nftnl_table_nlmsg_build_payload(nlh, t);
	return 0;
}

static int put_chain(struct nft_batch *b, struct nr_error *err)
{
	_cleanup_(chain_freep) struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;

	if (!c)
		return oom(err);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, NFT_MASQ_TABLE);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, NFT_MASQ_CHAIN);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "nat");
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, NF_INET_POST_ROUTING);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, 100); /* srcnat */
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	nlh = nft_batch_msg(b, NFT_MSG_NEWCHAIN, NFPROTO_INET, NLM_F_CREATE,
			    "creating nftables chain " NFT_MASQ_CHAIN);
	if (!nlh)
		return full(err);
	nftnl_chain_nlmsg_build_payload(nlh, c);
	return 0;
}

static struct nftnl_set *set_new(const char *name)
{
	struct nftnl_set *s = nftnl_set_alloc();

	if (!s)
		return NULL;
	nftnl_set_set_str(s, NFTNL_SET_TABLE, NFT_MASQ_TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
	return s;
}

static int put_sets(struct nft_batch *b, const struct masq_family *f, uint32_t ctr_id, uint32_t own_id,
		    struct nr_error *err)
{
	_cleanup_(set_freep) struct nftnl_set *ctr = set_new(f->ctr);
	_cleanup_(set_freep) struct nftnl_set *own = set_new(f->own);
	uint8_t fields[2] = { (uint8_t)f->alen, (uint8_t)f->alen };
	struct nlmsghdr *nlh;

	if (!ctr || !own)
		return oom(err);
	nftnl_set_set_u32(ctr, NFTNL_SET_ID, ctr_id);
	nftnl_set_set_u32(ctr, NFTNL_SET_KEY_TYPE, f->addr_type);
	nftnl_set_set_u32(ctr, NFTNL_SET_KEY_LEN, f->alen);
	nftnl_set_set_u32(ctr, NFTNL_SET_FLAGS, 0);
	nlh = nft_batch_msg(b, NFT_MSG_NEWSET, NFPROTO_INET, NLM_F_CREATE,
			    f->af == AF_INET ? "creating nftables set ctr4" : "creating nftables set ctr6");
	if (!nlh)
		return full(err);
	nftnl_set_nlmsg_build_payload(nlh, ctr);

	nftnl_set_set_u32(own, NFTNL_SET_ID, own_id);
	nftnl_set_set_u32(own, NFTNL_SET_KEY_TYPE, f->addr_type << NFT_TYPE_BITS | f->addr_type);
	nftnl_set_set_u32(own, NFTNL_SET_KEY_LEN, 2 * f->alen);
	nftnl_set_set_u32(own, NFTNL_SET_FLAGS, NFT_SET_INTERVAL | NFT_SET_CONCAT);
	nftnl_set_set_data(own, NFTNL_SET_DESC_CONCAT, fields, sizeof(fields));
	nlh = nft_batch_msg(b, NFT_MSG_NEWSET, NFPROTO_INET, NLM_F_CREATE,
			    f->af == AF_INET ? "creating nftables set own4" : "creating nftables set own6");
	if (!nlh)
		return full(err);
	nftnl_set_nlmsg_build_payload(nlh, own);
	return 0;
}

/* Expression helpers: each returns false when out of memory. */
static bool add_expr(struct nftnl_rule *r, struct nftnl_expr *e)
{
	if (!e)
		return false;
	nftnl_rule_add_expr(r, e);
	return true;
}

static bool e_nfproto(struct nftnl_rule *r, uint8_t proto)
{
	struct nftnl_expr *m = nftnl_expr_alloc("meta"), *c;

	if (!add_expr(r, m))
		return false;
	nftnl_expr_set_u32(m, NFTNL_EXPR_META_KEY, NFT_META_NFPROTO);
	nftnl_expr_set_u32(m, NFTNL_EXPR_META_DREG, NFT_REG_1);
	c = nftnl_expr_alloc("cmp");
	if (!add_expr(r, c))
		return false;
	nftnl_expr_set_u32(c, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(c, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
	nftnl_expr_set_u8(c, NFTNL_EXPR_CMP_DATA, proto);
	return true;
}

static bool e_payload(struct nftnl_rule *r, uint32_t off, uint32_t len, uint32_t dreg)
{
	struct nftnl_expr *p = nftnl_expr_alloc("payload");

	if (!add_expr(r, p))
		return false;
	nftnl_expr_set_u32(p, NFTNL_EXPR_PAYLOAD_DREG, dreg);
	nftnl_expr_set_u32(p, NFTNL_EXPR_PAYLOAD_BASE, NFT_PAYLOAD_NETWORK_HEADER);
	nftnl_expr_set_u32(p, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(p, NFTNL_EXPR_PAYLOAD_LEN, len);
	return true;
}

static bool e_lookup(struct nftnl_rule *r, const char *set, uint32_t set_id, uint32_t sreg)
{
	struct nftnl_expr *l = nftnl_expr_alloc("lookup");

	if (!add_expr(r, l))
		return false;
	nftnl_expr_set_u32(l, NFTNL_EXPR_LOOKUP_SREG, sreg);
	nftnl_expr_set_str(l, NFTNL_EXPR_LOOKUP_SET, set);
	nftnl_expr_set_u32(l, NFTNL_EXPR_LOOKUP_SET_ID, set_id);
	return true;
}

/* daddr & mask != net: daddr is not in the multicast range. */
static bool e_not_in(struct nftnl_rule *r, const struct masq_family *f)
{
	struct nftnl_expr *bw, *c;
	uint8_t zero[16] = { 0 };

	if (!e_payload(r, f->daddr_off, f->alen, NFT_REG_1))
		return false;
	bw = nftnl_expr_alloc("bitwise");
	if (!add_expr(r, bw))
		return false;
	nftnl_expr_set_u32(bw, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(bw, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(bw, NFTNL_EXPR_BITWISE_LEN, f->alen);
	nftnl_expr_set_data(bw, NFTNL_EXPR_BITWISE_MASK, f->mcast_mask, f->alen);
	nftnl_expr_set_data(bw, NFTNL_EXPR_BITWISE_XOR, zero, f->alen);
	c = nftnl_expr_alloc("cmp");
	if (!add_expr(r, c))
		return false;
	nftnl_expr_set_u32(c, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(c, NFTNL_EXPR_CMP_OP, NFT_CMP_NEQ);
	nftnl_expr_set_data(c, NFTNL_EXPR_CMP_DATA, f->mcast_net, f->alen);
	return true;
}

static struct nftnl_rule *rule_new(void)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	if (!r)
		return NULL;
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NFT_MASQ_TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, NFT_MASQ_CHAIN);
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	return r;
}

static int put_rule(struct nft_batch *b, struct nftnl_rule *r, const char *what, struct nr_error *err)
{
	struct nlmsghdr *nlh = nft_batch_msg(b, NFT_MSG_NEWRULE, NFPROTO_INET, NLM_F_CREATE | NLM_F_APPEND, what);

	if (!nlh)
		return full(err);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	return 0;
}

static int put_rules(struct nft_batch *b, const struct masq_family *f, uint32_t ctr_id, uint32_t own_id,
		     struct nr_error *err)
{
	_cleanup_(rule_freep) struct nftnl_rule *skip = rule_new();
	_cleanup_(rule_freep) struct nftnl_rule *masq = rule_new();
	bool v4 = f->af == AF_INET;
	struct nftnl_expr *e;
	int r;

	if (!skip || !masq)
		return oom(err);
	/* ip saddr . ip daddr @own4 return */
	if (!e_nfproto(skip, f->nfproto) || !e_payload(skip, f->saddr_off, f->alen, NFT_REG32_00) ||
	    !e_payload(skip, f->daddr_off, f->alen, f->daddr_reg) || !e_lookup(skip, f->own, own_id, NFT_REG32_00))
		return oom(err);
	e = nftnl_expr_alloc("immediate");
	if (!add_expr(skip, e))
		return oom(err);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, NFT_RETURN);
	r = put_rule(b, skip, v4 ? "adding the IPv4 own-subnet rule" : "adding the IPv6 own-subnet rule", err);
	if (r < 0)
		return r;

	/* ip saddr @ctr4 ip daddr != 224.0.0.0/4 masquerade */
	if (!e_nfproto(masq, f->nfproto) || !e_payload(masq, f->saddr_off, f->alen, NFT_REG_1) ||
	    !e_lookup(masq, f->ctr, ctr_id, NFT_REG_1) || !e_not_in(masq, f) ||
	    !add_expr(masq, nftnl_expr_alloc("masq")))
		return oom(err);
	return put_rule(b, masq, v4 ? "adding the IPv4 masquerade rule" : "adding the IPv6 masquerade rule", err);
}

static int put_flush(struct nft_batch *b, struct nr_error *err)
{
	_cleanup_(rule_freep) struct nftnl_rule *r = rule_new();
	struct nlmsghdr *nlh;

	if (!r)
		return oom(err);
	nlh = nft_batch_msg(b, NFT_MSG_DELRULE, NFPROTO_INET, 0, "flushing nftables chain " NFT_MASQ_CHAIN);
	if (!nlh)
		return full(err);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	return 0;
}

/* The skeleton: table, chain, four sets, the chain's four rules. */
static int put_skeleton(struct nft_batch *b, struct nr_error *err)
{
	int r;

	if ((r = put_table(b, err)) < 0 || (r = put_chain(b, err)) < 0 ||
	    (r = put_sets(b, &FAM4, ID_CTR4, ID_OWN4, err)) < 0 || (r = put_sets(b, &FAM6, ID_CTR6, ID_OWN6, err)) < 0 ||
	    (r = put_flush(b, err)) < 0 || (r = put_rules(b, &FAM4, ID_CTR4, ID_OWN4, err)) < 0 ||
	    (r = put_rules(b, &FAM6, ID_CTR6, ID_OWN6, err)) < 0)
		return r;
	return 0;
}

/* Element keys.  own: addr . first, end addr . last (pipapo ranges are inclusive). */
struct masq_keys {
	uint8_t ctr[16];
	uint8_t own[32], own_end[32];
	uint32_t alen;
};

static void keys_of(const struct ip_prefix *p, struct masq_keys *k)
{
	uint32_t n = (uint32_t)ip_addr_bytes(&p->addr);
	int len = p->len < 0 ? 0 : p->len > (int)n * 8 ? (int)n * 8 : p->len;

	k->alen = n;
	memcpy(k->ctr, p->addr.bytes, n);
	memcpy(k->own, p->addr.bytes, n);
	memcpy(k->own_end, p->addr.bytes, n);
	for (uint32_t i = 0; i < n; i++) {
		int bits = len - (int)i * 8; /* prefix bits in this byte */
		uint8_t mask = bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
		k->own[n + i] = p->addr.bytes[i] & mask;
		k->own_end[n + i] = (uint8_t)(p->addr.bytes[i] | ~mask);
	}
}

static int put_elem(struct nft_batch *b, uint16_t type, const char *set, const void *key, const void *key_end,
		    uint32_t len, const char *what, struct nr_error *err)
{
	_cleanup_(set_freep) struct nftnl_set *s = set_new(set);
	struct nftnl_set_elem *e;
	struct nlmsghdr *nlh;

	if (!s)
		return oom(err);
	e = nftnl_set_elem_alloc();
	if (!e)
		return oom(err);
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, len);
	if (key_end)
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY_END, key_end, len);
	nftnl_set_elem_add(s, e);
	nlh = nft_batch_msg(b, type, NFPROTO_INET, type == NFT_MSG_NEWSETELEM ? NLM_F_CREATE : 0, what);
	if (!nlh)
		return full(err);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	return 0;
}

static int check_prefix(const struct ip_prefix *p, struct nr_error *err)
{
	if (!p || !family_of(p->addr.family))
		return nr_error_set(err, CNI_ERR_INTERNAL, EAFNOSUPPORT, "masquerade: not an IPv4 or IPv6 address");
	if (p->len < 0 || p->len > ip_addr_bits(&p->addr))
		return nr_error_set(err, CNI_ERR_INTERNAL, EINVAL, "masquerade: prefix length %d out of range", p->len);
	return 0;
}

int nft_masq_add(const struct ip_prefix *p, struct nr_error *err)
{
	_cleanup_nft_sock_ struct nft_sock *s = NULL;
	_cleanup_nft_batch_ struct nft_batch *b = NULL;
	const struct masq_family *f;
	struct masq_keys k;
	char buf[IP_PREFIX_STRLEN];
	int r;

	if ((r = check_prefix(p, err)) < 0)
		return r;
	f = family_of(p->addr.family);
	keys_of(p, &k);
	if ((r = nft_sock_open(&s, err)) < 0 || (r = nft_batch_new(&b, err)) < 0 || (r = put_skeleton(b, err)) < 0)
		goto fail;
	r = put_elem(b, NFT_MSG_NEWSETELEM, f->ctr, k.ctr, NULL, k.alen,
		     f->af == AF_INET ? "adding the address to set ctr4" : "adding the address to set ctr6", err);
	if (r < 0)
		goto fail;
	r = put_elem(b, NFT_MSG_NEWSETELEM, f->own, k.own, k.own_end, 2 * k.alen,
		     f->af == AF_INET ? "adding the address and subnet to set own4"
				      : "adding the address and subnet to set own6",
		     err);
	if (r < 0 || (r = nft_batch_commit(s, b, err)) < 0)
		goto fail;
	return 0;
fail:
	return nr_error_wrap(err, r, "setting up masquerade for %s", ip_prefix_format(p, buf, sizeof(buf)));
}

/* Reading a set's elements. */
struct elem_walk {
	const char *set;
	int (*cb)(const uint8_t *key, const uint8_t *key_end, uint32_t len, void *data);
	void *data;
	int ret; /* the callback's negative return, which stops the walk */
};

static void build_getelem(struct nlmsghdr *nlh, void *data)
{
	struct elem_walk *w = data;
	_cleanup_(set_freep) struct nftnl_set *s = set_new(w->set);

	if (s)
		nftnl_set_elems_nlmsg_build_payload(nlh, s);
}

static int on_elems(const struct nlmsghdr *nlh, void *data)
{
	struct elem_walk *w = data;
	_cleanup_(set_freep) struct nftnl_set *s = nftnl_set_alloc();
	struct nftnl_set_elems_iter *it;
	struct nftnl_set_elem *e;

	if (!s) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	if (nftnl_set_elems_nlmsg_parse(nlh, s) < 0) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	it = nftnl_set_elems_iter_create(s);
	if (!it) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	for (e = nftnl_set_elems_iter_next(it); e && w->ret >= 0; e = nftnl_set_elems_iter_next(it)) {
		uint32_t len = 0, elen = 0;
		const uint8_t *key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);
		const uint8_t *end = NULL;

		if (!key)
			continue;
		if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_KEY_END))
			end = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY_END, &elen);
		if (end && elen != len)
			end = NULL;
		w->ret = w->cb(key, end, len, w->data);
	}
	nftnl_set_elems_iter_destroy(it);
	if (w->ret < 0) {
		errno = -w->ret;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

/* Walk set's elements; a missing table or set is an empty set. */
static int set_walk(struct nft_sock *s, const char *set,
		    int (*cb)(const uint8_t *key, const uint8_t *key_end, uint32_t len, void *data), void *data,
		    struct nr_error *err)
{
	struct elem_walk w = { .set = set, .cb = cb, .data = data };
	struct nr_error tmp = { 0 };
	int r;

	r = nft_dump(s, NFT_MSG_GETSETELEM, NFPROTO_INET, build_getelem, on_elems, &w, "reading nftables set", &tmp);
	if (w.ret < 0)
		return w.ret; /* the callback's own error; it filled err */
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		nr_error_copy(err, &tmp);
		return nr_error_wrap(err, r, "set %s", set);
	}
	return 0;
}

struct find {
	struct masq_keys k;
	bool ctr_found, own_found;           /* for contains: exact entry */
	uint8_t del_keys[8][32], del_ends[8][32]; /* for del: every own entry of the address */
	unsigned ndel;
};

static int on_ctr(const uint8_t *key, const uint8_t *end, uint32_t len, void *data)
{
	struct find *f = data;

	if (len == f->k.alen && memcmp(key, f->k.ctr, len) == 0)
		f->ctr_found = true;
	return 0;
}

static int on_own(const uint8_t *key, const uint8_t *end, uint32_t len, void *data)
{
	struct find *f = data;

	if (len != 2 * f->k.alen || memcmp(key, f->k.ctr, f->k.alen) != 0)
		return 0;
	if (end && memcmp(key, f->k.own, len) == 0 && memcmp(end, f->k.own_end, len) == 0)
		f->own_found = true;
	if (f->ndel < 8) {
		memcpy(f->del_keys[f->ndel], key, len);
		memcpy(f->del_ends[f->ndel], end ? end : key, len);
		f->ndel++;
	}
	return 0;
}

static int find_entries(struct nft_sock *s, const struct ip_prefix *p, struct find *fd, struct nr_error *err)
{
	const struct masq_family *f = family_of(p->addr.family);
	int r;

	memset(fd, 0, sizeof(*fd));
	keys_of(p, &fd->k);
	r = set_walk(s, f->ctr, on_ctr, fd, err);
	if (r < 0)
		return r;
	return set_walk(s, f->own, on_own, fd, err);
}

int nft_masq_contains(const struct ip_prefix *p, bool *ret, struct nr_error *err)
{
	_cleanup_nft_sock_ struct nft_sock *s = NULL;
	struct find fd;
	char buf[IP_PREFIX_STRLEN];
	int r;

	*ret = false;
	if ((r = check_prefix(p, err)) < 0)
		return r;
	if ((r = nft_sock_open(&s, err)) < 0 || (r = find_entries(s, p, &fd, err)) < 0)
		return nr_error_wrap(err, r, "checking masquerade for %s", ip_prefix_format(p, buf, sizeof(buf)));
	*ret = fd.ctr_found && fd.own_found;
	return 0;
}

int nft_masq_del(const struct ip_prefix *p, struct nr_error *err)
{
	_cleanup_nft_sock_ struct nft_sock *s = NULL;
	char buf[IP_PREFIX_STRLEN];
	int r;

	if (!p || !family_of(p->addr.family))
		return nr_error_set(err, CNI_ERR_INTERNAL, EAFNOSUPPORT, "masquerade: not an IPv4 or IPv6 address");
	if ((r = nft_sock_open(&s, err)) < 0)
		goto fail;
	/* Read, then delete exactly what is there; a concurrent delete between the two makes
	 * the transaction fail with ENOENT, and reading again settles it. */
	for (int attempt = 0;; attempt++) {
		const struct masq_family *f = family_of(p->addr.family);
		_cleanup_nft_batch_ struct nft_batch *b = NULL;
		struct find fd;

		if ((r = find_entries(s, p, &fd, err)) < 0)
			goto fail;
		if (!fd.ctr_found && fd.ndel == 0)
			return 0;
		if ((r = nft_batch_new(&b, err)) < 0)
			goto fail;
		if (fd.ctr_found &&
		    (r = put_elem(b, NFT_MSG_DELSETELEM, f->ctr, fd.k.ctr, NULL, fd.k.alen,
				  f->af == AF_INET ? "removing the address from set ctr4"
						   : "removing the address from set ctr6",
				  err)) < 0)
			goto fail;
		for (unsigned i = 0; i < fd.ndel; i++)
			if ((r = put_elem(b, NFT_MSG_DELSETELEM, f->own, fd.del_keys[i], fd.del_ends[i], 2 * fd.k.alen,
					  f->af == AF_INET ? "removing the address from set own4"
							   : "removing the address from set own6",
					  err)) < 0)
				goto fail;
		r = nft_batch_commit(s, b, err);
		if (r == -ENOENT && attempt < 3)
			continue;
		if (r < 0)
			goto fail;
		if (fd.ndel < 8)
			return 0;
		/* More than 8 entries for one address (only by hand): go round again. */
	}
fail:
	return nr_error_wrap(err, r, "removing masquerade for %s", ip_prefix_format(p, buf, sizeof(buf)));
}

struct list_ctx {
	int af;
	int (*cb)(const struct ip_prefix *p, void *data);
	void *data;
	struct nr_error *err;
};

static int on_list(const uint8_t *key, const uint8_t *end, uint32_t len, void *data)
{
	struct list_ctx *c = data;
	struct ip_prefix p = { .addr = { .family = c->af } };
	uint32_t n = len / 2, i;
	int plen = 0;

	if (!end || (n != 4 && n != 16) || (c->af == AF_INET) != (n == 4))
		return 0;
	memcpy(p.addr.bytes, key, n);
	/* The subnet length: the leading bits its first and last address share. */
	for (i = 0; i < n && key[n + i] == end[n + i]; i++)
		plen += 8;
	if (i < n) {
		uint8_t x = key[n + i] ^ end[n + i];
		while (!(x & 0x80)) {
			plen++;
			x <<= 1;
		}
	}
	p.len = plen;
	return c->cb(&p, c->data);
}

int nft_masq_list(int (*cb)(const struct ip_prefix *p, void *data), void *data, struct nr_error *err)
{
	_cleanup_nft_sock_ struct nft_sock *s = NULL;
	struct list_ctx c = { .cb = cb, .data = data, .err = err };
	int r;

	if ((r = nft_sock_open(&s, err)) < 0)
		return nr_error_wrap(err, r, "listing masqueraded addresses");
	c.af = AF_INET;
	if ((r = set_walk(s, FAM4.own, on_list, &c, err)) < 0)
		return r;
	c.af = AF_INET6;
	return set_walk(s, FAM6.own, on_list, &c, err);
}
