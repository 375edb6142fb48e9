/* The nftables builder without a kernel: build a batch with core/nft/nft_build.h, walk
 * its messages with libmnl, parse each back with libnftnl and compare attributes (as
 * libnftnl's own tests/nft-rule-test.c does). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nft/nft_build.h"

static const struct nftb_table T = { NFPROTO_INET, "unit-test" };

/* The n-th message after the batch's begin message (n from 0), or fail. */
static const struct nlmsghdr *nth_msg(struct nft_batch *b, unsigned n)
{
	size_t len;
	const void *buf = nft_batch_data(b, &len);
	const struct nlmsghdr *h = buf;
	int left = (int)len;
	unsigned i = 0;

	assert_true(mnl_nlmsg_ok(h, left));
	assert_int_equal(h->nlmsg_type, NFNL_MSG_BATCH_BEGIN);
	for (h = mnl_nlmsg_next(h, &left); mnl_nlmsg_ok(h, left); h = mnl_nlmsg_next(h, &left), i++)
		if (i == n)
			return h;
	fail_msg("the batch has %u messages, not %u", i, n + 1);
	return NULL;
}

/* Type, family and flags of a message; every one asks for an ACK. */
static void assert_msg(const struct nlmsghdr *h, uint16_t type, uint8_t family, uint16_t flags)
{
	const struct nfgenmsg *g = mnl_nlmsg_get_payload(h);

	assert_int_equal(h->nlmsg_type, NFNL_SUBSYS_NFTABLES << 8 | type);
	assert_int_equal(g->nfgen_family, family);
	assert_int_equal(h->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | flags);
}

static struct nft_batch *batch_new(void)
{
	struct nft_batch *b = NULL;
	struct nr_error e = { 0 };

	assert_int_equal(nft_batch_new(&b, &e), 0);
	return b;
}

static void test_table_and_chains(void **state)
{
	_cleanup_nft_batch_ struct nft_batch *b = batch_new();
	struct nr_error e = { 0 };
	_cleanup_nftnl_table_ struct nftnl_table *t = nftnl_table_alloc();
	_cleanup_nftnl_chain_ struct nftnl_chain *base = nftnl_chain_alloc();
	_cleanup_nftnl_chain_ struct nftnl_chain *reg = nftnl_chain_alloc();
	_cleanup_nftnl_table_ struct nftnl_table *del = nftnl_table_alloc();

	assert_int_equal(nftb_table(b, &T, &e), 0);
	assert_int_equal(nftb_chain(b, &T, "postrouting", "nat", NF_INET_POST_ROUTING, 100, &e), 0);
	assert_int_equal(nftb_chain(b, &T, "dnat", NULL, 0, 0, &e), 0);
	assert_int_equal(nftb_del_table(b, &T, &e), 0);
	assert_int_equal(nft_batch_count(b), 4);

	assert_msg(nth_msg(b, 0), NFT_MSG_NEWTABLE, NFPROTO_INET, NLM_F_CREATE);
	assert_int_equal(nftnl_table_nlmsg_parse(nth_msg(b, 0), t), 0);
	assert_string_equal(nftnl_table_get_str(t, NFTNL_TABLE_NAME), "unit-test");
	assert_int_equal(nftnl_table_get_u32(t, NFTNL_TABLE_FAMILY), NFPROTO_INET);

	assert_msg(nth_msg(b, 1), NFT_MSG_NEWCHAIN, NFPROTO_INET, NLM_F_CREATE);
	assert_int_equal(nftnl_chain_nlmsg_parse(nth_msg(b, 1), base), 0);
	assert_string_equal(nftnl_chain_get_str(base, NFTNL_CHAIN_TABLE), "unit-test");
	assert_string_equal(nftnl_chain_get_str(base, NFTNL_CHAIN_NAME), "postrouting");
	assert_string_equal(nftnl_chain_get_str(base, NFTNL_CHAIN_TYPE), "nat");
	assert_int_equal(nftnl_chain_get_u32(base, NFTNL_CHAIN_HOOKNUM), NF_INET_POST_ROUTING);
	assert_int_equal(nftnl_chain_get_s32(base, NFTNL_CHAIN_PRIO), 100);
	assert_int_equal(nftnl_chain_get_u32(base, NFTNL_CHAIN_POLICY), NF_ACCEPT);

	/* A regular chain has no hook, type or policy. */
	assert_int_equal(nftnl_chain_nlmsg_parse(nth_msg(b, 2), reg), 0);
	assert_string_equal(nftnl_chain_get_str(reg, NFTNL_CHAIN_NAME), "dnat");
	assert_false(nftnl_chain_is_set(reg, NFTNL_CHAIN_HOOKNUM));
	assert_false(nftnl_chain_is_set(reg, NFTNL_CHAIN_TYPE));
	assert_false(nftnl_chain_is_set(reg, NFTNL_CHAIN_POLICY));

	assert_msg(nth_msg(b, 3), NFT_MSG_DELTABLE, NFPROTO_INET, 0);
	assert_int_equal(nftnl_table_nlmsg_parse(nth_msg(b, 3), del), 0);
	assert_string_equal(nftnl_table_get_str(del, NFTNL_TABLE_NAME), "unit-test");
}

static void test_sets(void **state)
{
	static const uint8_t pair[2] = { 4, 4 };
	const struct nftb_set_spec own = {
		.name = "own4",
		.id = 2,
		.key_type = NFTB_TYPE_IPADDR << NFTB_TYPE_BITS | NFTB_TYPE_IPADDR,
		.key_len = 8,
		.flags = NFT_SET_INTERVAL,
		.fields = pair,
		.n_fields = 2,
	};
	const struct nftb_set_spec map = {
		.name = "dnat4any",
		.id = 7,
		.key_type = NFTB_TYPE_INET_SERVICE,
		.key_len = 4,
		.flags = NFT_SET_MAP,
		.data_type = NFTB_TYPE_IPADDR,
		.data_len = 4,
	};
	const struct nftb_set_spec names = {
		.name = "bridges",
		.id = 1,
		.key_type = NFTB_TYPE_IFNAME,
		.key_len = IFNAMSIZ,
		.key_host_order = true,
	};
	_cleanup_nft_batch_ struct nft_batch *b = batch_new();
	_cleanup_nftnl_set_ struct nftnl_set *s1 = nftnl_set_alloc();
	_cleanup_nftnl_set_ struct nftnl_set *s2 = nftnl_set_alloc();
	_cleanup_nftnl_set_ struct nftnl_set *s3 = nftnl_set_alloc();
	struct nr_error e = { 0 };
	const uint8_t *fields;
	uint32_t len = 0;

	assert_int_equal(nftb_set(b, &T, &own, &e), 0);
	assert_int_equal(nftb_set(b, &T, &map, &e), 0);
	assert_int_equal(nftb_set(b, &T, &names, &e), 0);

	assert_msg(nth_msg(b, 0), NFT_MSG_NEWSET, NFPROTO_INET, NLM_F_CREATE);
	assert_int_equal(nftnl_set_nlmsg_parse(nth_msg(b, 0), s1), 0);
	assert_string_equal(nftnl_set_get_str(s1, NFTNL_SET_TABLE), "unit-test");
	assert_string_equal(nftnl_set_get_str(s1, NFTNL_SET_NAME), "own4");
	assert_int_equal(nftnl_set_get_u32(s1, NFTNL_SET_ID), 2);
	assert_int_equal(nftnl_set_get_u32(s1, NFTNL_SET_KEY_TYPE), 7 << 6 | 7);
	assert_int_equal(nftnl_set_get_u32(s1, NFTNL_SET_KEY_LEN), 8);
	/* Fields given: a concatenation. */
	assert_int_equal(nftnl_set_get_u32(s1, NFTNL_SET_FLAGS), NFT_SET_INTERVAL | NFT_SET_CONCAT);
	fields = nftnl_set_get_data(s1, NFTNL_SET_DESC_CONCAT, &len);
	assert_non_null(fields);
	assert_int_equal(fields[0], 4);
	assert_int_equal(fields[1], 4);
	assert_false(nftnl_set_is_set(s1, NFTNL_SET_DATA_TYPE));
	assert_false(nftnl_set_is_set(s1, NFTNL_SET_USERDATA));

	assert_int_equal(nftnl_set_nlmsg_parse(nth_msg(b, 1), s2), 0);
	assert_int_equal(nftnl_set_get_u32(s2, NFTNL_SET_FLAGS), NFT_SET_MAP);
	assert_int_equal(nftnl_set_get_u32(s2, NFTNL_SET_DATA_TYPE), NFTB_TYPE_IPADDR);
	assert_int_equal(nftnl_set_get_u32(s2, NFTNL_SET_DATA_LEN), 4);

	/* Keys in host order carry nft's byte-order userdata. */
	assert_int_equal(nftnl_set_nlmsg_parse(nth_msg(b, 2), s3), 0);
	assert_int_equal(nftnl_set_get_u32(s3, NFTNL_SET_KEY_LEN), IFNAMSIZ);
	assert_int_equal(nftnl_set_get_u32(s3, NFTNL_SET_FLAGS), 0);
	assert_true(nftnl_set_is_set(s3, NFTNL_SET_USERDATA));
}

static int on_comment(const struct nftnl_udata *attr, void *data)
{
	if (nftnl_udata_type(attr) == NFTNL_UDATA_SET_ELEM_COMMENT)
		*(const char **)data = nftnl_udata_get(attr);
	return 0;
}

/* The only element of a set parsed from an element message. */
static struct nftnl_set_elem *only_elem(struct nftnl_set *s)
{
	_cleanup_nftnl_set_elems_iter_ struct nftnl_set_elems_iter *it = nftnl_set_elems_iter_create(s);
	struct nftnl_set_elem *el;

	assert_non_null(it);
	el = nftnl_set_elems_iter_next(it);
	assert_non_null(el);
	assert_null(nftnl_set_elems_iter_next(it));
	return el;
}

static void test_elements(void **state)
{
	const uint8_t key[8] = { 10, 1, 0, 0, 10, 1, 0, 0 }, end[8] = { 10, 1, 255, 255, 10, 1, 255, 255 };
	const uint8_t pkey[4] = { 0, 0, 0x1f, 0x90 }, data[4] = { 192, 0, 2, 5 };
	const struct nftb_elem interval = { .key = key, .key_end = end, .key_len = 8, .comment = "net ctr eth0" };
	const struct nftb_elem mapping = { .key = pkey, .key_len = 4, .data = data, .data_len = 4 };
	_cleanup_nft_batch_ struct nft_batch *b = batch_new();
	_cleanup_nftnl_set_ struct nftnl_set *s1 = nftnl_set_alloc();
	_cleanup_nftnl_set_ struct nftnl_set *s2 = nftnl_set_alloc();
	_cleanup_nftnl_set_ struct nftnl_set *s3 = nftnl_set_alloc();
	struct nftnl_set_elem *el;
	struct nr_error e = { 0 };
	const char *comment = NULL;
	const void *v;
	uint32_t len = 0;

	assert_int_equal(nftb_elem(b, NFT_MSG_NEWSETELEM, &T, "own4", &interval, true, "adding", &e), 0);
	assert_int_equal(nftb_elem(b, NFT_MSG_NEWSETELEM, &T, "dnat4any", &mapping, false, "adding", &e), 0);
	assert_int_equal(nftb_elem(b, NFT_MSG_DELSETELEM, &T, "own4", &interval, false, "removing", &e), 0);

	/* excl: an existing key is an error. */
	assert_msg(nth_msg(b, 0), NFT_MSG_NEWSETELEM, NFPROTO_INET, NLM_F_CREATE | NLM_F_EXCL);
	assert_int_equal(nftnl_set_elems_nlmsg_parse(nth_msg(b, 0), s1), 0);
	assert_string_equal(nftnl_set_get_str(s1, NFTNL_SET_NAME), "own4");
	assert_string_equal(nftnl_set_get_str(s1, NFTNL_SET_TABLE), "unit-test");
	el = only_elem(s1);
	v = nftnl_set_elem_get(el, NFTNL_SET_ELEM_KEY, &len);
	assert_int_equal(len, 8);
	assert_memory_equal(v, key, 8);
	v = nftnl_set_elem_get(el, NFTNL_SET_ELEM_KEY_END, &len);
	assert_int_equal(len, 8);
	assert_memory_equal(v, end, 8);
	assert_false(nftnl_set_elem_is_set(el, NFTNL_SET_ELEM_DATA));
	v = nftnl_set_elem_get(el, NFTNL_SET_ELEM_USERDATA, &len);
	assert_non_null(v);
	assert_int_equal(nftnl_udata_parse(v, len, on_comment, &comment), 0);
	assert_non_null(comment);
	assert_string_equal(comment, "net ctr eth0");

	assert_msg(nth_msg(b, 1), NFT_MSG_NEWSETELEM, NFPROTO_INET, NLM_F_CREATE);
	assert_int_equal(nftnl_set_elems_nlmsg_parse(nth_msg(b, 1), s2), 0);
	el = only_elem(s2);
	v = nftnl_set_elem_get(el, NFTNL_SET_ELEM_DATA, &len);
	assert_int_equal(len, 4);
	assert_memory_equal(v, data, 4);
	assert_false(nftnl_set_elem_is_set(el, NFTNL_SET_ELEM_KEY_END));
	assert_false(nftnl_set_elem_is_set(el, NFTNL_SET_ELEM_USERDATA));

	/* A deletion creates nothing. */
	assert_msg(nth_msg(b, 2), NFT_MSG_DELSETELEM, NFPROTO_INET, 0);
	assert_int_equal(nftnl_set_elems_nlmsg_parse(nth_msg(b, 2), s3), 0);
	el = only_elem(s3);
	v = nftnl_set_elem_get(el, NFTNL_SET_ELEM_KEY, &len);
	assert_memory_equal(v, key, 8);
}

static void test_comment_too_long(void **state)
{
	_cleanup_nft_batch_ struct nft_batch *b = batch_new();
	char owner[NFTB_COMMENT_MAX + 1];
	const uint8_t key[4] = { 10, 0, 0, 1 };
	struct nftb_elem el = { .key = key, .key_len = 4, .comment = owner };
	struct nr_error e = { 0 };

	/* The longest that fits (a userdata length is one byte), then one more. */
	memset(owner, 'x', NFTB_COMMENT_MAX - 1);
	owner[NFTB_COMMENT_MAX - 1] = '\0';
	assert_int_equal(nftb_elem(b, NFT_MSG_NEWSETELEM, &T, "ctr4", &el, false, "adding", &e), 0);
	memset(owner, 'x', NFTB_COMMENT_MAX);
	owner[NFTB_COMMENT_MAX] = '\0';
	assert_int_equal(nftb_elem(b, NFT_MSG_NEWSETELEM, &T, "ctr4", &el, false, "adding", &e), -ENAMETOOLONG);
	assert_int_equal(e.code, CNI_ERR_INVALID_CONFIG);
}

/* Expressions of a rule, by name, in order, as one string: "meta cmp payload ...". */
static void expr_names(struct nftnl_rule *r, char *buf, size_t len)
{
	_cleanup_nftnl_expr_iter_ struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	struct nftnl_expr *x;

	assert_non_null(it);
	buf[0] = '\0';
	while ((x = nftnl_expr_iter_next(it)))
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", buf[0] ? " " : "",
			 nftnl_expr_get_str(x, NFTNL_EXPR_NAME));
}

/* The n-th expression of r (from 0). */
static struct nftnl_expr *nth_expr(struct nftnl_rule *r, unsigned n)
{
	_cleanup_nftnl_expr_iter_ struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	struct nftnl_expr *x = NULL;

	assert_non_null(it);
	for (unsigned i = 0; i <= n; i++)
		assert_non_null(x = nftnl_expr_iter_next(it));
	return x;
}

static void test_rule(void **state)
{
	static const uint8_t mask[4] = { 0xf0 }, xor[4] = { 0 }, net[4] = { 0xe0 };
	_cleanup_nft_batch_ struct nft_batch *b = batch_new();
	_cleanup_nftnl_rule_ struct nftnl_rule *r = nftb_rule_new(&T, "postrouting");
	_cleanup_nftnl_rule_ struct nftnl_rule *p = nftnl_rule_alloc();
	struct nr_error e = { 0 };
	struct nftnl_expr *x;
	uint32_t len = 0;
	const uint8_t *d;
	char names[256];

	/* ip saddr @ctr4 ip daddr != 224.0.0.0/4 masquerade */
	assert_non_null(r);
	assert_true(nftb_nfproto(r, NFPROTO_IPV4));
	assert_true(nftb_payload(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 4, NFT_REG_1));
	assert_true(nftb_lookup(r, "ctr4", 1, NFT_REG_1, -1, false));
	assert_true(nftb_payload(r, NFT_PAYLOAD_NETWORK_HEADER, 16, 4, NFT_REG_1));
	assert_true(nftb_bitwise(r, NFT_REG_1, mask, xor, 4));
	assert_true(nftb_cmp(r, NFT_REG_1, NFT_CMP_NEQ, net, 4));
	assert_true(nftb_masq(r));
	assert_int_equal(nftb_put_rule(b, r, "adding a rule", &e), 0);

	assert_msg(nth_msg(b, 0), NFT_MSG_NEWRULE, NFPROTO_INET, NLM_F_CREATE | NLM_F_APPEND);
	assert_int_equal(nftnl_rule_nlmsg_parse(nth_msg(b, 0), p), 0);
	assert_string_equal(nftnl_rule_get_str(p, NFTNL_RULE_TABLE), "unit-test");
	assert_string_equal(nftnl_rule_get_str(p, NFTNL_RULE_CHAIN), "postrouting");
	expr_names(p, names, sizeof(names));
	assert_string_equal(names, "meta cmp payload lookup payload bitwise cmp masq");

	x = nth_expr(p, 0);
	assert_int_equal(nftnl_expr_get_u32(x, NFTNL_EXPR_META_KEY), NFT_META_NFPROTO);
	x = nth_expr(p, 1);
	d = nftnl_expr_get(x, NFTNL_EXPR_CMP_DATA, &len);
	assert_int_equal(len, 1);
	assert_int_equal(d[0], NFPROTO_IPV4);
	assert_int_equal(nftnl_expr_get_u32(x, NFTNL_EXPR_CMP_OP), NFT_CMP_EQ);
	x = nth_expr(p, 2);
	assert_int_equal(nftnl_expr_get_u32(x, NFTNL_EXPR_PAYLOAD_BASE), NFT_PAYLOAD_NETWORK_HEADER);
	assert_int_equal(nftnl_expr_get_u32(x, NFTNL_EXPR_PAYLOAD_OFFSET), 12);
	assert_int_equal(nftnl_expr_get_u32(x, NFTNL_EXPR_PAYLOAD_LEN), 4);
	x = nth_expr(p, 3);
	assert_string_equal(nftnl_expr_get_str(x, NFTNL_EXPR_LOOKUP_SET), "ctr4");
	assert_int_equal(nftnl_expr_get_u32(x, NFTNL_EXPR_LOOKUP_SET_ID), 1);
	assert_int_equal(nftnl_expr_get_u32(x, NFTNL_EXPR_LOOKUP_SREG), NFT_REG_1);
	assert_false(nftnl_expr_is_set(x, NFTNL_EXPR_LOOKUP_DREG));
	assert_false(nftnl_expr_is_set(x, NFTNL_EXPR_LOOKUP_FLAGS));
	x = nth_expr(p, 5);
	assert_int_equal(nftnl_expr_get_u32(x, NFTNL_EXPR_BITWISE_LEN), 4);
	d = nftnl_expr_get(x, NFTNL_EXPR_BITWISE_MASK, &len);
	assert_int_equal(len, 4);
	assert_memory_equal(d, mask, 4);
	x = nth_expr(p, 6);
	assert_int_equal(nftnl_expr_get_u32(x, NFTNL_EXPR_CMP_OP), NFT_CMP_NEQ);
	d = nftnl_expr_get(x, NFTNL_EXPR_CMP_DATA, &len);
	assert_memory_equal(d, net, 4);
}

static void test_rule_verdicts_and_nat(void **state)
{
	_cleanup_nft_batch_ struct nft_batch *b = batch_new();
	_cleanup_nftnl_rule_ struct nftnl_rule *r1 = nftb_rule_new(&T, "prerouting");
	_cleanup_nftnl_rule_ struct nftnl_rule *r2 = nftb_rule_new(&T, "dnat");
	_cleanup_nftnl_rule_ struct nftnl_rule *p1 = nftnl_rule_alloc();
	_cleanup_nftnl_rule_ struct nftnl_rule *p2 = nftnl_rule_alloc();
	_cleanup_nftnl_rule_ struct nftnl_rule *p3 = nftnl_rule_alloc();
	struct nr_error e = { 0 };
	struct nftnl_expr *x;
	char names[256];

	/* fib daddr type local goto dnat */
	assert_true(nftb_fib_local(r1) && nftb_verdict(r1, NFT_GOTO, "dnat"));
	/* ct status dnat ... lookup into a register, !=, dnat */
	assert_true(nftb_ct_dnat(r2) && nftb_lookup(r2, "dnat4", 1, NFT_REG32_00, NFT_REG32_00, true) &&
		    nftb_dnat(r2, NFPROTO_IPV4, NFT_REG32_00, NFT_REG32_01));
	assert_int_equal(nftb_put_rule(b, r1, "adding", &e), 0);
	assert_int_equal(nftb_put_rule(b, r2, "adding", &e), 0);
	assert_int_equal(nftb_flush_chain(b, &T, "dnat", &e), 0);

	assert_int_equal(nftnl_rule_nlmsg_parse(nth_msg(b, 0), p1), 0);
	expr_names(p1, names, sizeof(names));
	assert_string_equal(names, "fib cmp immediate");
	x = nth_expr(p1, 0);
	assert_int_equal(nftnl_expr_get_u32(x, NFTNL_EXPR_FIB_RESULT), NFT_FIB_RESULT_ADDRTYPE);
	x = nth_expr(p1, 2);
	assert_int_equal((int)nftnl_expr_get_u32(x, NFTNL_EXPR_IMM_VERDICT), NFT_GOTO);
	assert_string_equal(nftnl_expr_get_str(x, NFTNL_EXPR_IMM_CHAIN), "dnat");

	assert_int_equal(nftnl_rule_nlmsg_parse(nth_msg(b, 1), p2), 0);
	expr_names(p2, names, sizeof(names));
	assert_string_equal(names, "ct bitwise cmp lookup nat");
	x = nth_expr(p2, 3);
	assert_int_equal(nftnl_expr_get_u32(x, NFTNL_EXPR_LOOKUP_DREG), NFT_REG32_00);
	assert_int_equal(nftnl_expr_get_u32(x, NFTNL_EXPR_LOOKUP_FLAGS), NFT_LOOKUP_F_INV);
	x = nth_expr(p2, 4);
	assert_int_equal(nftnl_expr_get_u32(x, NFTNL_EXPR_NAT_TYPE), NFT_NAT_DNAT);
	assert_int_equal(nftnl_expr_get_u32(x, NFTNL_EXPR_NAT_FAMILY), NFPROTO_IPV4);
	assert_int_equal(nftnl_expr_get_u32(x, NFTNL_EXPR_NAT_REG_PROTO_MIN), NFT_REG32_01);

	/* A flush is a rule deletion naming only the chain. */
	assert_msg(nth_msg(b, 2), NFT_MSG_DELRULE, NFPROTO_INET, 0);
	assert_int_equal(nftnl_rule_nlmsg_parse(nth_msg(b, 2), p3), 0);
	assert_string_equal(nftnl_rule_get_str(p3, NFTNL_RULE_CHAIN), "dnat");
	expr_names(p3, names, sizeof(names));
	assert_string_equal(names, "");
}

/* ct state & (established|related) == 0 ct status & dnat != 0 counter drop */
static void test_ct_bits_and_counter(void **state)
{
	const uint32_t est_rel = NF_CT_STATE_BIT(IP_CT_ESTABLISHED) | NF_CT_STATE_BIT(IP_CT_RELATED);
	const uint32_t dnat = IPS_DST_NAT, zero = 0;
	_cleanup_nft_batch_ struct nft_batch *b = batch_new();
	_cleanup_nftnl_rule_ struct nftnl_rule *r = nftb_rule_new(&T, "input");
	_cleanup_nftnl_rule_ struct nftnl_rule *p = nftnl_rule_alloc();
	struct nr_error e = { 0 };
	struct nftnl_expr *x;
	uint32_t len = 0;
	const void *d;
	char names[256];

	assert_true(nftb_ct_bits(r, NFT_CT_STATE, est_rel, false) && nftb_ct_bits(r, NFT_CT_STATUS, dnat, true) &&
		    nftb_counter(r) && nftb_verdict(r, NF_DROP, NULL));
	assert_int_equal(nftb_put_rule(b, r, "adding", &e), 0);
	assert_int_equal(nftnl_rule_nlmsg_parse(nth_msg(b, 0), p), 0);
	expr_names(p, names, sizeof(names));
	assert_string_equal(names, "ct bitwise cmp ct bitwise cmp counter immediate");
	x = nth_expr(p, 0);
	assert_int_equal(nftnl_expr_get_u32(x, NFTNL_EXPR_CT_KEY), NFT_CT_STATE);
	x = nth_expr(p, 1);
	d = nftnl_expr_get(x, NFTNL_EXPR_BITWISE_MASK, &len);
	assert_int_equal(len, 4);
	assert_memory_equal(d, &est_rel, 4);
	x = nth_expr(p, 2);
	assert_int_equal(nftnl_expr_get_u32(x, NFTNL_EXPR_CMP_OP), NFT_CMP_EQ);
	assert_memory_equal(nftnl_expr_get(x, NFTNL_EXPR_CMP_DATA, &len), &zero, 4);
	x = nth_expr(p, 3);
	assert_int_equal(nftnl_expr_get_u32(x, NFTNL_EXPR_CT_KEY), NFT_CT_STATUS);
	x = nth_expr(p, 4);
	assert_memory_equal(nftnl_expr_get(x, NFTNL_EXPR_BITWISE_MASK, &len), &dnat, 4);
	x = nth_expr(p, 5);
	assert_int_equal(nftnl_expr_get_u32(x, NFTNL_EXPR_CMP_OP), NFT_CMP_NEQ);
	x = nth_expr(p, 7);
	assert_int_equal((int)nftnl_expr_get_u32(x, NFTNL_EXPR_IMM_VERDICT), NF_DROP);
}

static void test_full_batch(void **state)
{
	_cleanup_nft_batch_ struct nft_batch *b = batch_new();
	struct nr_error e = { 0 };
	int r = 0;

	/* The builder refuses, rather than truncates, a transaction too large to send. */
	for (int i = 0; i < 1000 && r == 0; i++)
		r = nftb_table(b, &T, &e);
	assert_int_equal(r, -ENOBUFS);
	assert_int_equal(e.code, CNI_ERR_INTERNAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_and_chains),
		cmocka_unit_test(test_sets),
		cmocka_unit_test(test_elements),
		cmocka_unit_test(test_comment_too_long),
		cmocka_unit_test(test_rule),
		cmocka_unit_test(test_rule_verdicts_and_nat),
		cmocka_unit_test(test_ct_bits_and_counter),
		cmocka_unit_test(test_full_batch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
