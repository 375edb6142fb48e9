/* nftables building blocks: see nft_build.h. */
#include "nft_build.h"

#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/rtnetlink.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int nftb_oom(struct nr_error *err)
{
	return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory building nftables messages");
}

static int full(struct nr_error *err)
{
	return nr_error_set(err, CNI_ERR_INTERNAL, ENOBUFS, "nftables transaction too large");
}

static int put_table(struct nft_batch *b, uint16_t type, const struct nftb_table *t, struct nr_error *err)
{
	_cleanup_nftnl_table_ struct nftnl_table *tb = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	if (!tb)
		return nftb_oom(err);
	nftnl_table_set_str(tb, NFTNL_TABLE_NAME, t->name);
	nlh = nft_batch_msg(b, type, t->family, type == NFT_MSG_NEWTABLE ? NLM_F_CREATE : 0,
			    type == NFT_MSG_NEWTABLE ? "creating an nftables table" : "deleting an nftables table");
	if (!nlh)
		return full(err);
	nftnl_table_nlmsg_build_payload(nlh, tb);
	return 0;
}

int nftb_table(struct nft_batch *b, const struct nftb_table *t, struct nr_error *err)
{
	return put_table(b, NFT_MSG_NEWTABLE, t, err);
}

int nftb_del_table(struct nft_batch *b, const struct nftb_table *t, struct nr_error *err)
{
	return put_table(b, NFT_MSG_DELTABLE, t, err);
}

int nftb_drop_table(struct nft_sock *s, const struct nftb_table *t, struct nr_error *err)
{
	_cleanup_nft_batch_ struct nft_batch *b = NULL;
	int r;

	if ((r = nft_batch_new(&b, err)) < 0 || (r = nftb_del_table(b, t, err)) < 0)
		return r;
	r = nft_batch_commit(s, b, err);
	if (r == -ENOENT) {
		nr_error_clear(err);
		return 0;
	}
	return r;
}

int nftb_chain(struct nft_batch *b, const struct nftb_table *t, const char *chain, const char *type, int hook, int prio,
	       struct nr_error *err)
{
	_cleanup_nftnl_chain_ struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;

	if (!c)
		return nftb_oom(err);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, t->name);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, chain);
	if (type) {
		nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, type);
		nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, (uint32_t)hook);
		nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, prio);
		nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	}
	nlh = nft_batch_msg(b, NFT_MSG_NEWCHAIN, t->family, NLM_F_CREATE, "creating an nftables chain");
	if (!nlh)
		return full(err);
	nftnl_chain_nlmsg_build_payload(nlh, c);
	return 0;
}

struct nftnl_rule *nftb_rule_new(const struct nftb_table *t, const char *chain)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	if (!r)
		return NULL;
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, t->name);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, t->family);
	return r;
}

int nftb_flush_chain(struct nft_batch *b, const struct nftb_table *t, const char *chain, struct nr_error *err)
{
	_cleanup_nftnl_rule_ struct nftnl_rule *r = nftb_rule_new(t, chain);
	struct nlmsghdr *nlh;

	if (!r)
		return nftb_oom(err);
	nlh = nft_batch_msg(b, NFT_MSG_DELRULE, t->family, 0, "flushing an nftables chain");
	if (!nlh)
		return full(err);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	return 0;
}

int nftb_put_rule(struct nft_batch *b, struct nftnl_rule *r, const char *what, struct nr_error *err)
{
	uint16_t family = (uint16_t)nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY);
	struct nlmsghdr *nlh = nft_batch_msg(b, NFT_MSG_NEWRULE, family, NLM_F_CREATE | NLM_F_APPEND, what);

	if (!nlh)
		return full(err);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	return 0;
}

static struct nftnl_set *set_new(const struct nftb_table *t, const char *name)
{
	struct nftnl_set *s = nftnl_set_alloc();

	if (!s)
		return NULL;
	nftnl_set_set_str(s, NFTNL_SET_TABLE, t->name);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, t->family);
	return s;
}

int nftb_set(struct nft_batch *b, const struct nftb_table *t, const struct nftb_set_spec *spec, struct nr_error *err)
{
	_cleanup_nftnl_set_ struct nftnl_set *s = set_new(t, spec->name);
	uint32_t flags = spec->flags;
	struct nlmsghdr *nlh;

	if (!s)
		return nftb_oom(err);
	if (spec->n_fields) {
		flags |= NFT_SET_CONCAT;
		nftnl_set_set_data(s, NFTNL_SET_DESC_CONCAT, spec->fields, spec->n_fields);
	}
	nftnl_set_set_u32(s, NFTNL_SET_ID, spec->id);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, spec->key_type);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, spec->key_len);
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, flags);
	if (flags & NFT_SET_MAP) {
		nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE, spec->data_type);
		nftnl_set_set_u32(s, NFTNL_SET_DATA_LEN, spec->data_len);
	}
	if (spec->key_host_order) {
		_cleanup_nftnl_udata_buf_ struct nftnl_udata_buf *u = nftnl_udata_buf_alloc(16);
		if (!u)
			return nftb_oom(err);
		nftnl_udata_put_u32(u, NFTNL_UDATA_SET_KEYBYTEORDER, 1 /* nft's BYTEORDER_HOST_ENDIAN */);
		nftnl_set_set_data(s, NFTNL_SET_USERDATA, nftnl_udata_buf_data(u), nftnl_udata_buf_len(u));
	}
	nlh = nft_batch_msg(b, NFT_MSG_NEWSET, t->family, NLM_F_CREATE, "creating an nftables set");
	if (!nlh)
		return full(err);
	nftnl_set_nlmsg_build_payload(nlh, s);
	return 0;
}

int nftb_sets(struct nft_batch *b, const struct nftb_table *t, const struct nftb_set_spec *specs, size_t n,
	      struct nr_error *err)
{
	int r;

	for (size_t i = 0; i < n; i++)
		if ((r = nftb_set(b, t, &specs[i], err)) < 0)
			return r;
	return 0;
}

static int elem_fill(struct nftnl_set_elem *el, const struct nftb_elem *e)
{
	nftnl_set_elem_set(el, NFTNL_SET_ELEM_KEY, e->key, e->key_len);
	if (e->key_end)
		nftnl_set_elem_set(el, NFTNL_SET_ELEM_KEY_END, e->key_end, e->key_len);
	if (e->data)
		nftnl_set_elem_set(el, NFTNL_SET_ELEM_DATA, e->data, e->data_len);
	if (e->comment && *e->comment) {
		_cleanup_nftnl_udata_buf_ struct nftnl_udata_buf *u = NULL;
		/* An attribute's length is one byte: a longer comment would wrap it. */
		if (strlen(e->comment) >= NFTB_COMMENT_MAX)
			return -ENAMETOOLONG;
		if (!(u = nftnl_udata_buf_alloc(NFTB_COMMENT_MAX + 8)) ||
		    !nftnl_udata_put_strz(u, NFTNL_UDATA_SET_ELEM_COMMENT, e->comment))
			return -ENOMEM;
		nftnl_set_elem_set(el, NFTNL_SET_ELEM_USERDATA, nftnl_udata_buf_data(u), nftnl_udata_buf_len(u));
	}
	return 0;
}

int nftb_elem(struct nft_batch *b, uint16_t type, const struct nftb_table *t, const char *set,
	      const struct nftb_elem *e, bool excl, const char *what, struct nr_error *err)
{
	_cleanup_nftnl_set_ struct nftnl_set *s = set_new(t, set);
	struct nftnl_set_elem *el;
	struct nlmsghdr *nlh;
	uint16_t flags = 0;
	int r;

	if (!s || !(el = nftnl_set_elem_alloc()))
		return nftb_oom(err);
	nftnl_set_elem_add(s, el); /* the set owns it from here */
	if ((r = elem_fill(el, e)) < 0)
		return r == -ENOMEM
			       ? nftb_oom(err)
			       : nr_error_set(err, CNI_ERR_INVALID_CONFIG, -r, "owner \"%s\" is too long", e->comment);
	if (type == NFT_MSG_NEWSETELEM)
		flags = NLM_F_CREATE | (excl ? NLM_F_EXCL : 0);
	nlh = nft_batch_msg(b, type, t->family, flags, what);
	if (!nlh)
		return full(err);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	return 0;
}

/* Expressions. */
static bool add_expr(struct nftnl_rule *r, struct nftnl_expr *e)
{
	if (!e)
		return false;
	nftnl_rule_add_expr(r, e);
	return true;
}

bool nftb_meta(struct nftnl_rule *r, uint32_t key, uint32_t dreg)
{
	struct nftnl_expr *m = nftnl_expr_alloc("meta");

	if (!add_expr(r, m))
		return false;
	nftnl_expr_set_u32(m, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(m, NFTNL_EXPR_META_DREG, dreg);
	return true;
}

bool nftb_cmp(struct nftnl_rule *r, uint32_t sreg, uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *c = nftnl_expr_alloc("cmp");

	if (!add_expr(r, c))
		return false;
	nftnl_expr_set_u32(c, NFTNL_EXPR_CMP_SREG, sreg);
	nftnl_expr_set_u32(c, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set_data(c, NFTNL_EXPR_CMP_DATA, data, len);
	return true;
}

bool nftb_nfproto(struct nftnl_rule *r, uint8_t nfproto)
{
	return nftb_meta(r, NFT_META_NFPROTO, NFT_REG_1) && nftb_cmp(r, NFT_REG_1, NFT_CMP_EQ, &nfproto, 1);
}

bool nftb_payload(struct nftnl_rule *r, uint32_t base, uint32_t off, uint32_t len, uint32_t dreg)
{
	struct nftnl_expr *p = nftnl_expr_alloc("payload");

	if (!add_expr(r, p))
		return false;
	nftnl_expr_set_u32(p, NFTNL_EXPR_PAYLOAD_DREG, dreg);
	nftnl_expr_set_u32(p, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(p, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(p, NFTNL_EXPR_PAYLOAD_LEN, len);
	return true;
}

bool nftb_lookup(struct nftnl_rule *r, const char *set, uint32_t set_id, uint32_t sreg, int dreg, bool inv)
{
	struct nftnl_expr *l = nftnl_expr_alloc("lookup");

	if (!add_expr(r, l))
		return false;
	nftnl_expr_set_u32(l, NFTNL_EXPR_LOOKUP_SREG, sreg);
	if (dreg >= 0)
		nftnl_expr_set_u32(l, NFTNL_EXPR_LOOKUP_DREG, (uint32_t)dreg);
	nftnl_expr_set_str(l, NFTNL_EXPR_LOOKUP_SET, set);
	nftnl_expr_set_u32(l, NFTNL_EXPR_LOOKUP_SET_ID, set_id);
	if (inv)
		nftnl_expr_set_u32(l, NFTNL_EXPR_LOOKUP_FLAGS, NFT_LOOKUP_F_INV);
	return true;
}

bool nftb_verdict(struct nftnl_rule *r, int verdict, const char *chain)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	if (!add_expr(r, e))
		return false;
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)verdict);
	if (chain)
		nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, chain);
	return true;
}

bool nftb_bitwise(struct nftnl_rule *r, uint32_t reg, const void *mask, const void * xor, uint32_t len)
{
	struct nftnl_expr *bw = nftnl_expr_alloc("bitwise");

	if (!add_expr(r, bw))
		return false;
	nftnl_expr_set_u32(bw, NFTNL_EXPR_BITWISE_SREG, reg);
	nftnl_expr_set_u32(bw, NFTNL_EXPR_BITWISE_DREG, reg);
	nftnl_expr_set_u32(bw, NFTNL_EXPR_BITWISE_LEN, len);
	nftnl_expr_set_data(bw, NFTNL_EXPR_BITWISE_MASK, mask, len);
	nftnl_expr_set_data(bw, NFTNL_EXPR_BITWISE_XOR, xor, len);
	return true;
}

bool nftb_ct_bits(struct nftnl_rule *r, uint32_t key, uint32_t mask, bool any)
{
	struct nftnl_expr *ct = nftnl_expr_alloc("ct");
	uint32_t zero = 0;

	if (!add_expr(r, ct))
		return false;
	nftnl_expr_set_u32(ct, NFTNL_EXPR_CT_KEY, key);
	nftnl_expr_set_u32(ct, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	return nftb_bitwise(r, NFT_REG_1, &mask, &zero, 4) &&
	       nftb_cmp(r, NFT_REG_1, any ? NFT_CMP_NEQ : NFT_CMP_EQ, &zero, 4);
}

bool nftb_ct_dnat(struct nftnl_rule *r)
{
	return nftb_ct_bits(r, NFT_CT_STATUS, IPS_DST_NAT, true);
}

bool nftb_counter(struct nftnl_rule *r)
{
	return add_expr(r, nftnl_expr_alloc("counter"));
}

bool nftb_fib_local(struct nftnl_rule *r)
{
	struct nftnl_expr *f = nftnl_expr_alloc("fib");
	uint32_t local = RTN_LOCAL;

	if (!add_expr(r, f))
		return false;
	nftnl_expr_set_u32(f, NFTNL_EXPR_FIB_DREG, NFT_REG_1);
	nftnl_expr_set_u32(f, NFTNL_EXPR_FIB_RESULT, NFT_FIB_RESULT_ADDRTYPE);
	nftnl_expr_set_u32(f, NFTNL_EXPR_FIB_FLAGS, NFTA_FIB_F_DADDR);
	return nftb_cmp(r, NFT_REG_1, NFT_CMP_EQ, &local, 4);
}

bool nftb_masq(struct nftnl_rule *r)
{
	return add_expr(r, nftnl_expr_alloc("masq"));
}

bool nftb_dnat(struct nftnl_rule *r, uint8_t nfproto, uint32_t addr_reg, uint32_t proto_reg)
{
	struct nftnl_expr *n = nftnl_expr_alloc("nat");

	if (!add_expr(r, n))
		return false;
	nftnl_expr_set_u32(n, NFTNL_EXPR_NAT_TYPE, NFT_NAT_DNAT);
	nftnl_expr_set_u32(n, NFTNL_EXPR_NAT_FAMILY, nfproto);
	nftnl_expr_set_u32(n, NFTNL_EXPR_NAT_REG_ADDR_MIN, addr_reg);
	nftnl_expr_set_u32(n, NFTNL_EXPR_NAT_REG_PROTO_MIN, proto_reg);
	nftnl_expr_set_u32(n, NFTNL_EXPR_NAT_FLAGS, NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED);
	return true;
}

/* Reading elements back. */
struct walk {
	nftb_elem_cb cb;
	void *data;
	const struct nftb_table *t;
	const char *set;
	const void *key; /* for a single GET */
	uint32_t key_len;
	int ret;
};

static void build_get(struct nlmsghdr *nlh, void *data)
{
	struct walk *w = data;
	_cleanup_nftnl_set_ struct nftnl_set *s = set_new(w->t, w->set);

	if (!s)
		return;
	if (w->key) {
		struct nftnl_set_elem *e = nftnl_set_elem_alloc();
		if (!e)
			return;
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, w->key, w->key_len);
		nftnl_set_elem_add(s, e);
	}
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
}

static int on_comment(const struct nftnl_udata *attr, void *data)
{
	char *out = data;
	uint8_t len = nftnl_udata_len(attr);

	/* Any comment fits: its length is one byte. */
	_Static_assert(NFTB_COMMENT_MAX >= UINT8_MAX, "comment buffer");
	if (nftnl_udata_type(attr) != NFTNL_UDATA_SET_ELEM_COMMENT || len == 0)
		return 0;
	memcpy(out, nftnl_udata_get(attr), len);
	out[len - 1] = '\0';
	return 0;
}

static int on_elems(const struct nlmsghdr *nlh, void *data)
{
	struct walk *w = data;
	_cleanup_nftnl_set_ struct nftnl_set *s = nftnl_set_alloc();
	_cleanup_nftnl_set_elems_iter_ struct nftnl_set_elems_iter *it = NULL;
	struct nftnl_set_elem *el;

	if (!s) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	if (nftnl_set_elems_nlmsg_parse(nlh, s) < 0) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!(it = nftnl_set_elems_iter_create(s))) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	for (el = nftnl_set_elems_iter_next(it); el && w->ret >= 0; el = nftnl_set_elems_iter_next(it)) {
		struct nftb_elem e = { 0 };
		char comment[NFTB_COMMENT_MAX] = "";
		uint32_t len = 0;

		if (!(e.key = nftnl_set_elem_get(el, NFTNL_SET_ELEM_KEY, &e.key_len)))
			continue;
		if (nftnl_set_elem_is_set(el, NFTNL_SET_ELEM_KEY_END)) {
			e.key_end = nftnl_set_elem_get(el, NFTNL_SET_ELEM_KEY_END, &len);
			if (len != e.key_len)
				e.key_end = NULL;
		}
		if (nftnl_set_elem_is_set(el, NFTNL_SET_ELEM_DATA))
			e.data = nftnl_set_elem_get(el, NFTNL_SET_ELEM_DATA, &e.data_len);
		if (nftnl_set_elem_is_set(el, NFTNL_SET_ELEM_USERDATA)) {
			const void *u = nftnl_set_elem_get(el, NFTNL_SET_ELEM_USERDATA, &len);
			nftnl_udata_parse(u, len, on_comment, comment);
		}
		e.comment = comment;
		w->ret = w->cb(&e, w->data);
	}
	if (w->ret < 0) {
		errno = -w->ret;
		return MNL_CB_ERROR;
	}
	return w->ret > 0 ? MNL_CB_STOP : MNL_CB_OK;
}

static int query(struct nft_sock *s, struct walk *w, struct nr_error *err)
{
	struct nr_error tmp = { 0 };
	int r;

	r = nft_query(s, NFT_MSG_GETSETELEM, w->t->family, w->key ? 0 : NLM_F_DUMP, build_get, on_elems, w,
		      "reading an nftables set", &tmp);
	if (w->ret < 0)
		return w->ret; /* the callback's own error; it filled err */
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		nr_error_copy(err, &tmp);
		return nr_error_wrap(err, r, "set %s of table %s", w->set, w->t->name);
	}
	return 0;
}

int nftb_walk(struct nft_sock *s, const struct nftb_table *t, const char *set, nftb_elem_cb cb, void *data,
	      struct nr_error *err)
{
	struct walk w = { .cb = cb, .data = data, .t = t, .set = set };

	return query(s, &w, err);
}

int nftb_probe(const struct nftb_table *t, const char *set, nftb_elem_cb cb, void *data, struct nr_error *err)
{
	_cleanup_nft_sock_ struct nft_sock *s = NULL;
	struct walk w = { .cb = cb, .data = data, .t = t, .set = set };
	int r;

	if ((r = nft_sock_open(&s, err)) < 0)
		return r;
	/* Closing the socket ends a dump we stopped reading. */
	return query(s, &w, err);
}

static int on_found(const struct nftb_elem *e, void *data)
{
	struct nftb_found *f = data;

	f->found = true;
	if (e->key_end && e->key_len <= sizeof(f->key_end)) {
		f->has_end = true;
		memcpy(f->key_end, e->key_end, e->key_len);
	}
	if (e->data && e->data_len <= sizeof(f->data)) {
		f->data_len = e->data_len;
		memcpy(f->data, e->data, e->data_len);
	}
	snprintf(f->comment, sizeof(f->comment), "%s", e->comment);
	return 0;
}

int nftb_lookup_elem(struct nft_sock *s, const struct nftb_table *t, const char *set, const void *key, uint32_t key_len,
		     struct nftb_found *ret, struct nr_error *err)
{
	struct walk w = { .cb = on_found, .data = ret, .t = t, .set = set, .key = key, .key_len = key_len };

	memset(ret, 0, sizeof(*ret));
	return query(s, &w, err);
}

struct get_ctx {
	bool *found;
	void *data_buf;
	uint32_t data_cap;
	char *comment;
};

static int on_get(const struct nftb_elem *e, void *data)
{
	struct get_ctx *g = data;

	*g->found = true;
	if (g->data_buf && e->data)
		memcpy(g->data_buf, e->data, e->data_len < g->data_cap ? e->data_len : g->data_cap);
	if (g->comment)
		snprintf(g->comment, NFTB_COMMENT_MAX, "%s", e->comment);
	return 0;
}

int nftb_get(struct nft_sock *s, const struct nftb_table *t, const char *set, const void *key, uint32_t key_len,
	     bool *found, void *data_buf, uint32_t data_cap, char *comment, struct nr_error *err)
{
	struct get_ctx g = { .found = found, .data_buf = data_buf, .data_cap = data_cap, .comment = comment };
	struct walk w = { .cb = on_get, .data = &g, .t = t, .set = set, .key = key, .key_len = key_len };

	*found = false;
	if (comment)
		comment[0] = '\0';
	return query(s, &w, err);
}

struct count_ctx {
	const struct nftb_table *t;
	unsigned n;
};

static void build_rules(struct nlmsghdr *nlh, void *data)
{
	struct count_ctx *c = data;
	_cleanup_nftnl_rule_ struct nftnl_rule *r = nftb_rule_new(c->t, "");

	if (!r)
		return;
	nftnl_rule_unset(r, NFTNL_RULE_CHAIN); /* every chain of the table */
	nftnl_rule_nlmsg_build_payload(nlh, r);
}

static int on_rule(const struct nlmsghdr *nlh, void *data)
{
	struct count_ctx *c = data;
	_cleanup_nftnl_rule_ struct nftnl_rule *r = nftnl_rule_alloc();
	const char *table;

	if (!r || nftnl_rule_nlmsg_parse(nlh, r) < 0)
		return MNL_CB_OK;
	table = nftnl_rule_get_str(r, NFTNL_RULE_TABLE);
	if (table && !strcmp(table, c->t->name))
		c->n++;
	return MNL_CB_OK;
}

int nftb_rule_count(struct nft_sock *s, const struct nftb_table *t, unsigned *ret, struct nr_error *err)
{
	struct count_ctx c = { .t = t };
	struct nr_error tmp = { 0 };
	int r;

	*ret = 0;
	/* A dump interrupted by a concurrent change (NLM_F_DUMP_INTR, EINTR) is counted again. */
	for (int attempt = 0;; attempt++) {
		c = (struct count_ctx){ .t = t };
		r = nft_query(s, NFT_MSG_GETRULE, t->family, NLM_F_DUMP, build_rules, on_rule, &c,
			      "counting nftables rules", &tmp);
		if (r != -EINTR || attempt == 4)
			break;
		nr_error_clear(&tmp);
	}
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		nr_error_copy(err, &tmp);
		return r;
	}
	*ret = c.n;
	return 0;
}

/* A rule's meaning as text: each expression's name and the attributes that decide what
 * it matches or does (not registers, which the kernel may renumber, nor set ids).  Built
 * the same way from the rules we would write and from the kernel's, so the two compare
 * equal exactly when the chain holds what we would write. */
#define SIG_MAX 512

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

static void sig_expr(char *buf, size_t len, const struct nftnl_expr *e)
{
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

static bool rule_sig(const struct nftnl_rule *r, char *buf, size_t len)
{
	_cleanup_nftnl_expr_iter_ struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	struct nftnl_expr *e;

	if (!it)
		return false;
	buf[0] = '\0';
	while ((e = nftnl_expr_iter_next(it)))
		sig_expr(buf, len, e);
	return strlen(buf) + 1 < len; /* a cut signature matches nothing */
}

struct chain_check {
	const struct nftb_table *t;
	const char *chain;
	char (*want)[SIG_MAX];
	unsigned n_want;
	unsigned n; /* rules seen */
	bool same;  /* every rule seen so far is the one expected at its place */
};

static void build_chain_get(struct nlmsghdr *nlh, void *data)
{
	struct chain_check *c = data;
	_cleanup_nftnl_rule_ struct nftnl_rule *r = nftb_rule_new(c->t, c->chain);

	if (r)
		nftnl_rule_nlmsg_build_payload(nlh, r);
}

static int on_chain_rule(const struct nlmsghdr *nlh, void *data)
{
	struct chain_check *c = data;
	_cleanup_nftnl_rule_ struct nftnl_rule *r = nftnl_rule_alloc();
	char sig[SIG_MAX];

	if (!r || nftnl_rule_nlmsg_parse(nlh, r) < 0) {
		errno = r ? EBADMSG : ENOMEM;
		return MNL_CB_ERROR;
	}
	/* The dump filters by table and chain; a kernel that ignores the filter is not trusted. */
	if (strcmp(nftnl_rule_get_str(r, NFTNL_RULE_TABLE) ?: "", c->t->name) ||
	    strcmp(nftnl_rule_get_str(r, NFTNL_RULE_CHAIN) ?: "", c->chain))
		c->same = false;
	else if (c->n >= c->n_want || !rule_sig(r, sig, sizeof(sig)) || strcmp(sig, c->want[c->n]))
		c->same = false;
	c->n++;
	return MNL_CB_OK;
}

bool nftb_chain_holds(struct nft_sock *s, const struct nftb_table *t, const char *chain, struct nftnl_rule *const *want,
		      unsigned n)
{
	_cleanup_free_ char(*sigs)[SIG_MAX] = calloc(n ? n : 1, SIG_MAX);
	struct chain_check c = { .t = t, .chain = chain, .want = sigs, .n_want = n, .same = true };
	struct nr_error ignored = { 0 };

	if (!sigs)
		return false;
	for (unsigned i = 0; i < n; i++)
		if (!rule_sig(want[i], sigs[i], SIG_MAX))
			return false;
	if (nft_dump(s, NFT_MSG_GETRULE, t->family, build_chain_get, on_chain_rule, &c, "reading an nftables chain",
		     &ignored) < 0)
		return false;
	return c.same && c.n == n;
}
