/* Masquerade for container addresses in nftables, over libnftnl + libmnl (never the nft
 * binary).
 *
 * Design.  One table of ours, `inet netns-run`, serves IPv4 and IPv6:
 *
 *	table inet netns-run {
 *		set ctr4 { type ipv4_addr; }                                  # container addresses
 *		set own4 { type ipv4_addr . ipv4_addr; flags interval; }      # subnet . subnet
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
 * A container 10.22.0.5/16 is the element 10.22.0.5 in ctr4; its subnet is the element
 * 10.22.0.0-10.22.255.255 . 10.22.0.0-10.22.255.255 in own4, shared by every container of
 * the subnet.  The chain has four rules whatever the number of containers.  Exactness is
 * the reference's: only traffic from a container to its *own* subnet is not masqueraded;
 * traffic to any other network (another bridge of ours included) is, which a single set
 * of "all our subnets" would have exempted.  own4 holds one element per subnet, not per
 * container, because the kernel keeps a concatenated interval set (pipapo) as one blob
 * and copies it whole on every change: with an element per container, ADD cost grew
 * with the number of containers (11 to 30 ms over 1000, docs/benchmarks.md).  ctr4 is a
 * hash set, whose changes cost the same at any size.  A subnet's element is added with
 * NLM_F_CREATE but not NLM_F_EXCL (there already is success) and goes in the transaction
 * that removes its last container; NFT_MASQ_LOCK keeps an ADD into the subnet from
 * landing between the read that finds it empty and that transaction.
 *
 * Every add is one transaction.  When the chain does not hold exactly our four rules
 * (first add, a crash, someone edited it), the transaction also makes the skeleton: table,
 * chain and sets are created without NLM_F_EXCL (existing ones stay), the chain is flushed
 * and its four rules written again, and the two elements are added.  Otherwise (the steady
 * state, checked with one read of the chain) it only adds the elements: rewriting the
 * rules on every add made each ADD wait for an RCU grace period (~10 ms), because deleted
 * rules are freed after one and the kernel flushes that work when an nfnetlink socket is
 * closed (nft_rcv_nl_event).  All or nothing either way.  Delete reads the sets to find
 * the address's entries and removes exactly those; a missing table, set or element is
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
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/lockfile.h"
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

/* A family's two rules, in chain order: skip (own subnet) and masq. */
static bool build_rules(const struct masq_family *f, uint32_t ctr_id, uint32_t own_id, struct nftnl_rule *skip,
			struct nftnl_rule *masq)
{
	struct nftnl_expr *e;

	/* ip saddr . ip daddr @own4 return */
	if (!e_nfproto(skip, f->nfproto) || !e_payload(skip, f->saddr_off, f->alen, NFT_REG32_00) ||
	    !e_payload(skip, f->daddr_off, f->alen, f->daddr_reg) || !e_lookup(skip, f->own, own_id, NFT_REG32_00))
		return false;
	e = nftnl_expr_alloc("immediate");
	if (!add_expr(skip, e))
		return false;
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, NFT_RETURN);

	/* ip saddr @ctr4 ip daddr != 224.0.0.0/4 masquerade */
	return e_nfproto(masq, f->nfproto) && e_payload(masq, f->saddr_off, f->alen, NFT_REG_1) &&
	       e_lookup(masq, f->ctr, ctr_id, NFT_REG_1) && e_not_in(masq, f) &&
	       add_expr(masq, nftnl_expr_alloc("masq"));
}

static int put_rules(struct nft_batch *b, const struct masq_family *f, uint32_t ctr_id, uint32_t own_id,
		     struct nr_error *err)
{
	_cleanup_(rule_freep) struct nftnl_rule *skip = rule_new();
	_cleanup_(rule_freep) struct nftnl_rule *masq = rule_new();
	bool v4 = f->af == AF_INET;
	int r;

	if (!skip || !masq || !build_rules(f, ctr_id, own_id, skip, masq))
		return oom(err);
	r = put_rule(b, skip, v4 ? "adding the IPv4 own-subnet rule" : "adding the IPv6 own-subnet rule", err);
	if (r < 0)
		return r;
	return put_rule(b, masq, v4 ? "adding the IPv4 masquerade rule" : "adding the IPv6 masquerade rule", err);
}

/* A rule's meaning as text: each expression's name and the attributes that decide what it
 * matches or does (not registers, which the kernel renumbers, nor set ids).  Built the same
 * way from our own rules and from the kernel's, so the two compare equal exactly when the
 * chain holds what put_rules() writes. */
static void sig_append(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void sig_append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

static void sig_data(char *buf, size_t len, const struct nftnl_expr *e, uint16_t attr)
{
	uint32_t n = 0;
	const uint8_t *d = nftnl_expr_get(e, attr, &n);

	sig_append(buf, len, "/");
	for (uint32_t i = 0; d && i < n; i++)
		sig_append(buf, len, "%02x", d[i]);
}

static bool rule_sig(const struct nftnl_rule *r, char *buf, size_t len)
{
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	struct nftnl_expr *e;

	if (!it)
		return false;
	buf[0] = '\0';
	while ((e = nftnl_expr_iter_next(it))) {
		const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

		sig_append(buf, len, "%s", name ? name : "?");
		if (!name)
			;
		else if (!strcmp(name, "meta"))
			sig_append(buf, len, "/%u", nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY));
		else if (!strcmp(name, "cmp")) {
			sig_append(buf, len, "/%u", nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_OP));
			sig_data(buf, len, e, NFTNL_EXPR_CMP_DATA);
		} else if (!strcmp(name, "payload"))
			sig_append(buf, len, "/%u/%u/%u", nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_BASE),
				   nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET),
				   nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_LEN));
		else if (!strcmp(name, "lookup")) {
			const char *set = nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET);
			sig_append(buf, len, "/%s/%u", set ? set : "", nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_FLAGS));
		} else if (!strcmp(name, "bitwise")) {
			sig_data(buf, len, e, NFTNL_EXPR_BITWISE_MASK);
			sig_data(buf, len, e, NFTNL_EXPR_BITWISE_XOR);
		} else if (!strcmp(name, "immediate"))
			sig_append(buf, len, "/%d", (int)nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT));
		sig_append(buf, len, " ");
	}
	nftnl_expr_iter_destroy(it);
	return strlen(buf) + 1 < len; /* a cut signature matches nothing */
}

#define SIG_MAX 512

struct chain_check {
	char want[4][SIG_MAX];
	unsigned n;  /* rules seen */
	bool same;   /* every rule seen so far is the one expected at its place */
};

static void build_getrule(struct nlmsghdr *nlh, void *data)
{
	_cleanup_(rule_freep) struct nftnl_rule *r = rule_new();

	if (r)
		nftnl_rule_nlmsg_build_payload(nlh, r);
}

static int on_rule(const struct nlmsghdr *nlh, void *data)
{
	struct chain_check *c = data;
	_cleanup_(rule_freep) struct nftnl_rule *r = nftnl_rule_alloc();
	char sig[SIG_MAX];

	if (!r || nftnl_rule_nlmsg_parse(nlh, r) < 0) {
		errno = r ? EBADMSG : ENOMEM;
		return MNL_CB_ERROR;
	}
	/* The dump filters by table and chain; a kernel that ignores the filter is not trusted. */
	if (strcmp(nftnl_rule_get_str(r, NFTNL_RULE_TABLE) ?: "", NFT_MASQ_TABLE) ||
	    strcmp(nftnl_rule_get_str(r, NFTNL_RULE_CHAIN) ?: "", NFT_MASQ_CHAIN))
		c->same = false;
	else if (c->n >= 4 || !rule_sig(r, sig, sizeof(sig)) || strcmp(sig, c->want[c->n]))
		c->same = false;
	c->n++;
	return MNL_CB_OK;
}

/* Whether the chain holds exactly the four rules put_skeleton() writes, in order (which
 * implies that the table, the chain and the sets the rules look up exist).  Any doubt,
 * a read error included, is "no": the caller then writes the whole skeleton. */
static bool skeleton_intact(struct nft_sock *s)
{
	static const struct masq_family *const fams[] = { &FAM4, &FAM6 };
	struct chain_check c = { .same = true };
	struct nr_error ignored = { 0 };

	for (size_t i = 0; i < 2; i++) {
		_cleanup_(rule_freep) struct nftnl_rule *skip = rule_new();
		_cleanup_(rule_freep) struct nftnl_rule *masq = rule_new();

		if (!skip || !masq || !build_rules(fams[i], 0, 0, skip, masq) ||
		    !rule_sig(skip, c.want[2 * i], SIG_MAX) || !rule_sig(masq, c.want[2 * i + 1], SIG_MAX))
			return false;
	}
	if (nft_dump(s, NFT_MSG_GETRULE, NFPROTO_INET, build_getrule, on_rule, &c, "reading nftables chain",
		     &ignored) < 0)
		return false;
	return c.same && c.n == 4;
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
	uint8_t own[32], own_end[32]; /* subnet . subnet, first and last address */
	uint32_t alen;
};

static void keys_of(const struct ip_prefix *p, struct masq_keys *k)
{
	uint32_t n = (uint32_t)ip_addr_bytes(&p->addr);
	int len = p->len < 0 ? 0 : p->len > (int)n * 8 ? (int)n * 8 : p->len;

	k->alen = n;
	memcpy(k->ctr, p->addr.bytes, n);
	for (uint32_t i = 0; i < n; i++) {
		int bits = len - (int)i * 8; /* prefix bits in this byte */
		uint8_t mask = bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
		k->own[i] = k->own[n + i] = p->addr.bytes[i] & mask;
		k->own_end[i] = k->own_end[n + i] = (uint8_t)(p->addr.bytes[i] | ~mask);
	}
}

/* Owners travel as the element's comment, in nft's own userdata format, so
 * `nft list table inet netns-run` shows whose each element is. */
static void hash_part(char *out, size_t len, const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */

	if (strlen(s) <= NFT_MASQ_OWNER_PART_MAX) {
		snprintf(out, len, "%s", s);
		return;
	}
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ULL;
	snprintf(out, len, "#%016llx", (unsigned long long)h);
}

void nft_masq_owner(char buf[NFT_MASQ_OWNER_MAX], const char *network, const char *container_id, const char *ifname)
{
	char n[NFT_MASQ_OWNER_PART_MAX + 1], c[NFT_MASQ_OWNER_PART_MAX + 1], i[NFT_MASQ_OWNER_PART_MAX + 1];

	hash_part(n, sizeof(n), network ? network : "");
	hash_part(c, sizeof(c), container_id ? container_id : "");
	hash_part(i, sizeof(i), ifname ? ifname : "");
	snprintf(buf, NFT_MASQ_OWNER_MAX, "%s %s %s", n, c, i);
}

static int put_elem(struct nft_batch *b, uint16_t type, uint16_t flags, const char *set, const void *key,
		    const void *key_end, uint32_t len, const char *owner, const char *what, struct nr_error *err)
{
	_cleanup_(set_freep) struct nftnl_set *s = set_new(set);
	struct nftnl_udata_buf *ud = NULL;
	struct nftnl_set_elem *e;
	struct nlmsghdr *nlh;

	if (!s || !(e = nftnl_set_elem_alloc()))
		return oom(err);
	nftnl_set_elem_add(s, e);
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, len);
	if (key_end)
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY_END, key_end, len);
	if (owner && *owner) {
		if (!(ud = nftnl_udata_buf_alloc(NFT_MASQ_OWNER_MAX + 8)) ||
		    !nftnl_udata_put_strz(ud, NFTNL_UDATA_SET_ELEM_COMMENT, owner)) {
			nftnl_udata_buf_free(ud);
			return oom(err);
		}
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_USERDATA, nftnl_udata_buf_data(ud), nftnl_udata_buf_len(ud));
		nftnl_udata_buf_free(ud);
	}
	if (!(nlh = nft_batch_msg(b, type, NFPROTO_INET, flags, what)))
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

/* A subnet element's comment: its network (the first word of owner), then "subnet". */
static void subnet_comment(char buf[NFT_MASQ_OWNER_MAX], const char *owner)
{
	size_t net_len = owner ? strcspn(owner, " ") : 0;

	snprintf(buf, NFT_MASQ_OWNER_MAX, "%.*s%ssubnet", (int)net_len, owner ? owner : "", net_len ? " " : "");
}

static int put_adds(struct nft_batch *b, const struct ip_prefix *ps, size_t n, const char *owner, uint16_t flags,
		    struct nr_error *err)
{
	char subnet[NFT_MASQ_OWNER_MAX];

	subnet_comment(subnet, owner);
	for (size_t i = 0; i < n; i++) {
		const struct masq_family *f = family_of(ps[i].addr.family);
		struct masq_keys k;
		int r;

		keys_of(&ps[i], &k);
		r = put_elem(b, NFT_MSG_NEWSETELEM, NLM_F_CREATE | flags, f->ctr, k.ctr, NULL, k.alen, owner,
			     f->af == AF_INET ? "adding the address to set ctr4" : "adding the address to set ctr6",
			     err);
		if (r < 0)
			return r;
		/* Shared by the subnet's containers: present already is success. */
		r = put_elem(b, NFT_MSG_NEWSETELEM, NLM_F_CREATE, f->own, k.own, k.own_end, 2 * k.alen, subnet,
			     f->af == AF_INET ? "adding the subnet to set own4" : "adding the subnet to set own6", err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Reading a set's elements. */
struct elem_view {
	const struct masq_family *f;
	bool own;                  /* an own4/own6 element (key . subnet interval) */
	const uint8_t *key, *key_end;
	uint32_t len;
	const char *owner;         /* "" when the element has no comment */
};

typedef int (*elem_cb)(const struct elem_view *v, void *data);

struct elem_walk {
	const struct masq_family *f;
	bool own;
	elem_cb cb;
	void *data;
	int ret; /* the callback's negative return, which stops the walk */
};

static void build_getelem(struct nlmsghdr *nlh, void *data)
{
	struct elem_walk *w = data;
	_cleanup_(set_freep) struct nftnl_set *s = set_new(w->own ? w->f->own : w->f->ctr);

	if (s)
		nftnl_set_elems_nlmsg_build_payload(nlh, s);
}

static int on_comment(const struct nftnl_udata *attr, void *data)
{
	const char **owner = data;
	const char *v = nftnl_udata_get(attr);
	uint8_t len = nftnl_udata_len(attr);

	if (nftnl_udata_type(attr) == NFTNL_UDATA_SET_ELEM_COMMENT && len > 0 && v[len - 1] == '\0')
		*owner = v;
	return 0;
}

static const char *owner_of(struct nftnl_set_elem *e)
{
	const char *owner = "";
	uint32_t len = 0;
	const void *ud;

	if (!nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_USERDATA))
		return owner;
	ud = nftnl_set_elem_get(e, NFTNL_SET_ELEM_USERDATA, &len);
	if (ud)
		nftnl_udata_parse(ud, len, on_comment, &owner);
	return owner;
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
		struct elem_view v = { .f = w->f, .own = w->own };
		uint32_t elen = 0;

		v.key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &v.len);
		if (!v.key || v.len != (w->own ? 2 : 1) * w->f->alen)
			continue;
		if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_KEY_END))
			v.key_end = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY_END, &elen);
		if (w->own && (!v.key_end || elen != v.len))
			continue;
		v.owner = owner_of(e);
		w->ret = w->cb(&v, w->data);
	}
	nftnl_set_elems_iter_destroy(it);
	if (w->ret < 0) {
		errno = -w->ret;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

/* Walk one set; a missing table or set is an empty set. */
static int set_walk(struct nft_sock *s, const struct masq_family *f, bool own, elem_cb cb, void *data,
		    struct nr_error *err)
{
	struct elem_walk w = { .f = f, .own = own, .cb = cb, .data = data };
	struct nr_error tmp = { 0 };
	int r;

	r = nft_dump(s, NFT_MSG_GETSETELEM, NFPROTO_INET, build_getelem, on_elems, &w, "reading nftables set", &tmp);
	if (w.ret < 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, -w.ret, "reading nftables set %s", own ? f->own : f->ctr);
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		nr_error_copy(err, &tmp);
		return nr_error_wrap(err, r, "set %s", own ? f->own : f->ctr);
	}
	return 0;
}

/* All four sets. */
static int walk_all(struct nft_sock *s, elem_cb cb, void *data, struct nr_error *err)
{
	static const struct masq_family *const fams[] = { &FAM4, &FAM6 };
	int r;

	for (size_t i = 0; i < 2; i++)
		for (int own = 0; own < 2; own++)
			if ((r = set_walk(s, fams[i], own, cb, data, err)) < 0)
				return r;
	return 0;
}

/* An element as read back. */
struct held_elem {
	const struct masq_family *f;
	bool own;
	bool doomed; /* to be deleted */
	uint8_t key[32], key_end[32];
	uint32_t len;
};

/* Every element of the four sets; the container elements that match are doomed. */
struct collect {
	nft_masq_match_fn match; /* NULL: none */
	void *data;
	struct held_elem *v;
	size_t n, cap;
};

static int on_collect(const struct elem_view *v, void *data)
{
	struct collect *c = data;
	struct held_elem *h;

	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;
		struct held_elem *nv = realloc(c->v, cap * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		c->v = nv;
		c->cap = cap;
	}
	h = &c->v[c->n++];
	*h = (struct held_elem){ .f = v->f, .own = v->own, .len = v->len };
	memcpy(h->key, v->key, v->len);
	memcpy(h->key_end, v->key_end ? v->key_end : v->key, v->len);
	if (!v->own && c->match) {
		struct ip_prefix p = { .addr = { .family = v->f->af }, .len = -1 };
		memcpy(p.addr.bytes, v->key, v->f->alen);
		h->doomed = c->match(&p, v->owner, c->data);
	}
	return 0;
}

/* Whether the subnet of own element o (its first field) holds container element c. */
static bool subnet_holds(const struct held_elem *o, const struct held_elem *c)
{
	uint32_t n = o->f->alen;

	return !c->own && c->f == o->f && memcmp(c->key, o->key, n) >= 0 && memcmp(c->key, o->key_end, n) <= 0;
}

/* A subnet's element goes with the last container address in it (the same transaction:
 * the lock keeps an ADD into that subnet from slipping in between). */
static void doom_orphans(struct collect *c)
{
	for (size_t i = 0; i < c->n; i++) {
		struct held_elem *o = &c->v[i];
		bool used = false;

		if (!o->own)
			continue;
		for (size_t j = 0; j < c->n && !used; j++)
			used = !c->v[j].doomed && subnet_holds(o, &c->v[j]);
		o->doomed = !used;
	}
}

static int put_dels(struct nft_batch **b, const struct collect *c, struct nr_error *err)
{
	int r;

	for (size_t i = 0; i < c->n; i++) {
		const struct held_elem *h = &c->v[i];

		if (!h->doomed)
			continue;
		if (!*b && (r = nft_batch_new(b, err)) < 0)
			return r;
		r = put_elem(*b, NFT_MSG_DELSETELEM, 0, h->own ? h->f->own : h->f->ctr, h->key,
			     h->own ? h->key_end : NULL, h->len, NULL, "removing a masquerade entry", err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Callers hold NFT_MASQ_LOCK. */
static int del_if_locked(struct nft_sock *s, nft_masq_match_fn match, void *data, struct nr_error *err)
{
	/* Read, then delete exactly what is there, in one transaction; a change by someone
	 * else (the nft binary) between the two makes it fail with ENOENT, and reading again
	 * settles it. */
	for (int attempt = 0;; attempt++) {
		_cleanup_nft_batch_ struct nft_batch *b = NULL;
		struct collect c = { .match = match, .data = data };
		int r = walk_all(s, on_collect, &c, err);

		if (r >= 0) {
			doom_orphans(&c);
			r = put_dels(&b, &c, err);
		}
		if (r >= 0 && b)
			r = nft_batch_commit(s, b, err);
		free(c.v);
		if ((r == -ENOENT || r == -EINTR) && attempt < 3) {
			nr_error_clear(err);
			continue;
		}
		return r < 0 ? r : 0;
	}
}

static int open_locked(int *lock, struct nft_sock **s, struct nr_error *err)
{
	int r = lockfile_take(NFT_MASQ_LOCK, lock, err);

	return r < 0 ? r : nft_sock_open(s, err);
}

int nft_masq_del_if(nft_masq_match_fn match, void *data, struct nr_error *err)
{
	_cleanup_nft_sock_ struct nft_sock *s = NULL;
	_cleanup_close_ int lock = -1;
	int r;

	if ((r = open_locked(&lock, &s, err)) < 0)
		return r;
	return del_if_locked(s, match, data, err);
}

struct by_addr_or_owner {
	const struct ip_prefix *ps;
	size_t n;
	const char *owner;
};

static bool match_addr_or_owner(const struct ip_prefix *p, const char *owner, void *data)
{
	const struct by_addr_or_owner *m = data;

	size_t net_len = m->owner ? strcspn(m->owner, " ") : 0;

	if (m->owner && *m->owner && strcmp(owner, m->owner) == 0)
		return true;
	/* By address only within the same network (or for entries without an owner): another
	 * network may reuse the address range. */
	if (*owner && net_len && (strncmp(owner, m->owner, net_len) != 0 || owner[net_len] != ' '))
		return false;
	for (size_t i = 0; i < m->n; i++)
		if (m->ps[i].addr.family == p->addr.family &&
		    memcmp(m->ps[i].addr.bytes, p->addr.bytes, (size_t)ip_addr_bytes(&p->addr)) == 0)
			return true;
	return false;
}

static int del_locked(struct nft_sock *s, const struct ip_prefix *ps, size_t n, const char *owner,
		      struct nr_error *err)
{
	struct by_addr_or_owner m = { .ps = ps, .n = n, .owner = owner };
	int r;

	for (size_t i = 0; i < n; i++)
		if (!family_of(ps[i].addr.family))
			return nr_error_set(err, CNI_ERR_INTERNAL, EAFNOSUPPORT,
					    "masquerade: not an IPv4 or IPv6 address");
	if ((r = del_if_locked(s, match_addr_or_owner, &m, err)) < 0)
		return nr_error_wrap(err, r, "removing masquerade entries");
	return 0;
}

int nft_masq_del(const struct ip_prefix *ps, size_t n, const char *owner, struct nr_error *err)
{
	_cleanup_nft_sock_ struct nft_sock *s = NULL;
	_cleanup_close_ int lock = -1;
	int r;

	if ((r = open_locked(&lock, &s, err)) < 0)
		return nr_error_wrap(err, r, "removing masquerade entries");
	return del_locked(s, ps, n, owner, err);
}

int nft_masq_add(const struct ip_prefix *ps, size_t n, const char *owner, struct nr_error *err)
{
	_cleanup_nft_sock_ struct nft_sock *s = NULL;
	_cleanup_close_ int lock = -1;
	int r;

	for (size_t i = 0; i < n; i++)
		if ((r = check_prefix(&ps[i], err)) < 0)
			return r;
	if (n == 0)
		return 0;
	if ((r = open_locked(&lock, &s, err)) < 0)
		goto fail;
	/* The fast path is one transaction.  Elements are added exclusively so that a stale
	 * element left by a crashed owner is noticed (its comment would otherwise stay); then
	 * the stale entries of these addresses go and the add is made again, still one
	 * transaction each.  Without the skeleton in the transaction, a table removed
	 * meanwhile shows as ENOENT: then it goes in after all. */
	bool skeleton = !skeleton_intact(s);
	for (int attempt = 0;; attempt++) {
		_cleanup_nft_batch_ struct nft_batch *b = NULL;

		if ((r = nft_batch_new(&b, err)) < 0 || (skeleton && (r = put_skeleton(b, err)) < 0) ||
		    (r = put_adds(b, ps, n, owner, NLM_F_EXCL, err)) < 0)
			goto fail;
		r = nft_batch_commit(s, b, err);
		if (r == -ENOENT && !skeleton) {
			nr_error_clear(err);
			skeleton = true;
			continue;
		}
		if (r == -ENOTEMPTY || (r == -EEXIST && attempt > 0)) {
			/* The kernel's interval set refuses a subnet that partly overlaps one
			 * already there (EEXIST or ENOTEMPTY, by kernel version): another
			 * network's.  (Stale container entries went after the first EEXIST.) */
			nr_error_clear(err);
			r = nr_error_set(err, CNI_ERR_INVALID_CONFIG, -r,
					 "the subnet overlaps the subnet of another masqueraded network");
			break;
		}
		if (r != -EEXIST)
			break;
		nr_error_clear(err);
		if ((r = del_locked(s, ps, n, NULL, err)) < 0)
			goto fail;
	}
	if (r < 0)
		goto fail;
	return 0;
fail:
	if (n == 1) {
		char buf[IP_PREFIX_STRLEN];
		return nr_error_wrap(err, r, "setting up masquerade for %s", ip_prefix_format(ps, buf, sizeof(buf)));
	}
	return nr_error_wrap(err, r, "setting up masquerade for %zu addresses", n);
}

struct find {
	struct masq_keys k;
	bool ctr_found, own_found;
};

static int on_find(const struct elem_view *v, void *data)
{
	struct find *fd = data;

	if (v->f->alen != fd->k.alen)
		return 0;
	if (!v->own && memcmp(v->key, fd->k.ctr, fd->k.alen) == 0)
		fd->ctr_found = true;
	if (v->own && memcmp(v->key, fd->k.own, v->len) == 0 && memcmp(v->key_end, fd->k.own_end, v->len) == 0)
		fd->own_found = true;
	return 0;
}

int nft_masq_contains(const struct ip_prefix *p, bool *ret, struct nr_error *err)
{
	_cleanup_nft_sock_ struct nft_sock *s = NULL;
	const struct masq_family *f;
	struct find fd = { 0 };
	char buf[IP_PREFIX_STRLEN];
	int r;

	*ret = false;
	if ((r = check_prefix(p, err)) < 0)
		return r;
	f = family_of(p->addr.family);
	keys_of(p, &fd.k);
	if ((r = nft_sock_open(&s, err)) < 0 || (r = set_walk(s, f, false, on_find, &fd, err)) < 0 ||
	    (r = set_walk(s, f, true, on_find, &fd, err)) < 0)
		return nr_error_wrap(err, r, "checking masquerade for %s", ip_prefix_format(p, buf, sizeof(buf)));
	*ret = fd.ctr_found && fd.own_found;
	return 0;
}

/* nft_masq_list: the subnets (own elements) are read first, then each container
 * address is reported with the length of the subnet that holds it. */
struct list_ctx {
	nft_masq_list_fn cb;
	void *data;
	struct collect subnets;
};

static int subnet_len(const struct held_elem *o)
{
	uint32_t n = o->f->alen, i;
	int plen = 0;

	/* The leading bits the subnet's first and last address share. */
	for (i = 0; i < n && o->key[i] == o->key_end[i]; i++)
		plen += 8;
	if (i < n) {
		uint8_t x = o->key[i] ^ o->key_end[i];
		while (!(x & 0x80)) {
			plen++;
			x <<= 1;
		}
	}
	return plen;
}

static int on_list(const struct elem_view *v, void *data)
{
	struct list_ctx *c = data;
	struct held_elem h = { .f = v->f };
	struct ip_prefix p = { .addr = { .family = v->f->af }, .len = -1 };

	memcpy(h.key, v->key, v->f->alen);
	memcpy(p.addr.bytes, v->key, v->f->alen);
	for (size_t i = 0; i < c->subnets.n; i++) {
		int len = subnet_len(&c->subnets.v[i]);
		if (subnet_holds(&c->subnets.v[i], &h) && len > p.len)
			p.len = len;
	}
	return c->cb(&p, v->owner, c->data);
}

int nft_masq_list(nft_masq_list_fn cb, void *data, struct nr_error *err)
{
	static const struct masq_family *const fams[] = { &FAM4, &FAM6 };
	_cleanup_nft_sock_ struct nft_sock *s = NULL;
	struct list_ctx c = { .cb = cb, .data = data };
	int r;

	if ((r = nft_sock_open(&s, err)) < 0)
		return nr_error_wrap(err, r, "listing masqueraded addresses");
	for (size_t i = 0; i < 2 && r >= 0; i++)
		r = set_walk(s, fams[i], true, on_collect, &c.subnets, err);
	for (size_t i = 0; i < 2 && r >= 0; i++)
		r = set_walk(s, fams[i], false, on_list, &c, err);
	free(c.subnets.v);
	return r < 0 ? r : 0;
}
