/* Published ports in nftables maps, built with nft_build.h (never the nft binary).  The
 * ruleset, and why it is shaped so: docs/portmap.md. */
#include "nft_portmap.h"

#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "base/lockfile.h"
#include "nft_build.h"

static const struct nftb_table T = { NFPROTO_INET, NFT_PORTMAP_TABLE };

enum { S_DNAT4, S_DNAT4ANY, S_DNAT6, S_DNAT6ANY, S_SNAT4, S_SNAT6, S_COUNT };
static const char *const set_names[S_COUNT] = { "dnat4", "dnat4any", "dnat6", "dnat6any", "snat4", "snat6" };

struct pm_fam {
	int af;
	uint8_t nfproto;
	uint32_t alen, addr_type;
	uint32_t saddr_off, daddr_off;
	uint32_t reg_after_addr;  /* first register after the address */
	int dnat, dnat_any, snat; /* set indices */
};

static const struct pm_fam FAM[2] = {
	{ AF_INET, NFPROTO_IPV4, 4, NFTB_TYPE_IPADDR, 12, 16, NFT_REG32_01, S_DNAT4, S_DNAT4ANY, S_SNAT4 },
	{ AF_INET6, NFPROTO_IPV6, 16, NFTB_TYPE_IP6ADDR, 8, 24, NFT_REG32_04, S_DNAT6, S_DNAT6ANY, S_SNAT6 },
};

/* Keys and data, with every concatenated field padded to 32 bits as registers are. */
#define KEY_MAX 24
#define DATA_MAX 20

struct pm_elem {
	int set;
	uint8_t key[2 * 16], key_end[2 * 16], data[DATA_MAX];
	uint32_t key_len, data_len;
	bool has_end;
};

static uint32_t put_proto_port(uint8_t *p, uint8_t proto, uint16_t port)
{
	memset(p, 0, 8);
	p[0] = proto;
	p[4] = (uint8_t)(port >> 8);
	p[5] = (uint8_t)port;
	return 8;
}

static bool map_is_any(const struct pm_map *m, int af)
{
	static const uint8_t zero[16];

	return m->host_ip.family == 0 || (m->host_ip.family == af && !memcmp(m->host_ip.bytes, zero, 16));
}

static bool map_applies(const struct pm_map *m, int af)
{
	return m->host_ip.family == 0 || m->host_ip.family == af;
}

/* The dnat element of m in family f for container address ctr. */
static void dnat_elem(const struct pm_fam *f, const struct pm_map *m, const struct ip_addr *ctr, struct pm_elem *e)
{
	memset(e, 0, sizeof(*e));
	if (map_is_any(m, f->af)) {
		e->set = f->dnat_any;
		e->key_len = put_proto_port(e->key, m->proto, m->host_port);
	} else {
		e->set = f->dnat;
		memcpy(e->key, m->host_ip.bytes, f->alen);
		e->key_len = f->alen + put_proto_port(e->key + f->alen, m->proto, m->host_port);
	}
	memcpy(e->data, ctr->bytes, f->alen);
	e->data[f->alen] = (uint8_t)(m->ctr_port >> 8);
	e->data[f->alen + 1] = (uint8_t)m->ctr_port;
	e->data_len = f->alen + 4;
}

/* First and last address of prefix a/len into lo and hi. */
static void prefix_range(const struct pm_fam *f, const uint8_t *a, int len, uint8_t *lo, uint8_t *hi)
{
	for (uint32_t i = 0; i < f->alen; i++) {
		int bits = len - (int)i * 8;
		uint8_t mask = bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
		lo[i] = a[i] & mask;
		hi[i] = (uint8_t)(a[i] | ~mask);
	}
}

/* snat element: destinations dst/dlen . sources src/slen. */
static void snat_elem(const struct pm_fam *f, const uint8_t *dst, int dlen, const uint8_t *src, int slen,
		      struct pm_elem *e)
{
	memset(e, 0, sizeof(*e));
	e->set = f->snat;
	e->has_end = true;
	e->key_len = 2 * f->alen;
	prefix_range(f, dst, dlen, e->key, e->key_end);
	prefix_range(f, src, slen, e->key + f->alen, e->key_end + f->alen);
}

/* Comments of the snat elements that belong to a subnet, not to one attachment. */
#define NET_PREFIX "net:"

static bool is_net_comment(const char *c)
{
	return strncmp(c, NET_PREFIX, strlen(NET_PREFIX)) == 0;
}

/* The skeleton. */
static int put_sets(struct nft_batch *b, struct nr_error *err)
{
	static const uint8_t f4[3] = { 4, 1, 2 }, f6[3] = { 16, 1, 2 }, pp[2] = { 1, 2 };
	static const uint8_t s4[2] = { 4, 4 }, s6[2] = { 16, 16 };
	const uint32_t pport = NFTB_TYPE_INET_PROTO << NFTB_TYPE_BITS | NFTB_TYPE_INET_SERVICE;
	const uint32_t d4 = NFTB_TYPE_IPADDR << NFTB_TYPE_BITS | NFTB_TYPE_INET_SERVICE;
	const uint32_t d6 = NFTB_TYPE_IP6ADDR << NFTB_TYPE_BITS | NFTB_TYPE_INET_SERVICE;
	const struct nftb_set_spec specs[S_COUNT] = {
		{ "dnat4", S_DNAT4 + 1, NFTB_TYPE_IPADDR << 2 * NFTB_TYPE_BITS | pport, 12, NFT_SET_MAP, f4, 3, d4, 8,
		  false },
		{ "dnat4any", S_DNAT4ANY + 1, pport, 8, NFT_SET_MAP, pp, 2, d4, 8, false },
		{ "dnat6", S_DNAT6 + 1, NFTB_TYPE_IP6ADDR << 2 * NFTB_TYPE_BITS | pport, 24, NFT_SET_MAP, f6, 3, d6, 20,
		  false },
		{ "dnat6any", S_DNAT6ANY + 1, pport, 8, NFT_SET_MAP, pp, 2, d6, 20, false },
		{ "snat4", S_SNAT4 + 1, NFTB_TYPE_IPADDR << NFTB_TYPE_BITS | NFTB_TYPE_IPADDR, 8, NFT_SET_INTERVAL, s4,
		  2, 0, 0, false },
		{ "snat6", S_SNAT6 + 1, NFTB_TYPE_IP6ADDR << NFTB_TYPE_BITS | NFTB_TYPE_IP6ADDR, 32, NFT_SET_INTERVAL,
		  s6, 2, 0, 0, false },
	};

	return nftb_sets(b, &T, specs, S_COUNT, err);
}

static int put_local_goto(struct nft_batch *b, const char *chain, struct nr_error *err)
{
	_cleanup_nftnl_rule_ struct nftnl_rule *r = nftb_rule_new(&T, chain);

	if (!r || !nftb_fib_local(r) || !nftb_verdict(r, NFT_GOTO, "dnat"))
		return nftb_oom(err);
	return nftb_put_rule(b, r, "adding the local-destination rule", err);
}

static int put_dnat_rules(struct nft_batch *b, const struct pm_fam *f, struct nr_error *err)
{
	_cleanup_nftnl_rule_ struct nftnl_rule *spec = nftb_rule_new(&T, "dnat");
	_cleanup_nftnl_rule_ struct nftnl_rule *any = nftb_rule_new(&T, "dnat");
	uint32_t after = f->reg_after_addr;
	int r;

	/* daddr . l4proto . dport -> addr . port */
	if (!spec || !nftb_nfproto(spec, f->nfproto) ||
	    !nftb_payload(spec, NFT_PAYLOAD_NETWORK_HEADER, f->daddr_off, f->alen, NFT_REG32_00) ||
	    !nftb_meta(spec, NFT_META_L4PROTO, after) ||
	    !nftb_payload(spec, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, after + 1) ||
	    !nftb_lookup(spec, set_names[f->dnat], (uint32_t)f->dnat + 1, NFT_REG32_00, NFT_REG32_00, false) ||
	    !nftb_dnat(spec, f->nfproto, NFT_REG32_00, after))
		return nftb_oom(err);
	if ((r = nftb_put_rule(b, spec, "adding a DNAT rule", err)) < 0)
		return r;
	/* l4proto . dport -> addr . port */
	if (!any || !nftb_nfproto(any, f->nfproto) || !nftb_meta(any, NFT_META_L4PROTO, NFT_REG32_00) ||
	    !nftb_payload(any, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG32_01) ||
	    !nftb_lookup(any, set_names[f->dnat_any], (uint32_t)f->dnat_any + 1, NFT_REG32_00, NFT_REG32_00, false) ||
	    !nftb_dnat(any, f->nfproto, NFT_REG32_00, after))
		return nftb_oom(err);
	return nftb_put_rule(b, any, "adding a DNAT rule", err);
}

static int put_snat_rule(struct nft_batch *b, const struct pm_fam *f, struct nr_error *err)
{
	_cleanup_nftnl_rule_ struct nftnl_rule *r = nftb_rule_new(&T, "postrouting");

	/* ct status dnat daddr . saddr @snatN masquerade */
	if (!r || !nftb_ct_dnat(r) || !nftb_nfproto(r, f->nfproto) ||
	    !nftb_payload(r, NFT_PAYLOAD_NETWORK_HEADER, f->daddr_off, f->alen, NFT_REG32_00) ||
	    !nftb_payload(r, NFT_PAYLOAD_NETWORK_HEADER, f->saddr_off, f->alen, f->reg_after_addr) ||
	    !nftb_lookup(r, set_names[f->snat], (uint32_t)f->snat + 1, NFT_REG32_00, -1, false) || !nftb_masq(r))
		return nftb_oom(err);
	return nftb_put_rule(b, r, "adding a masquerade rule", err);
}

static int put_skeleton(struct nft_batch *b, struct nr_error *err)
{
	static const char *const chains[] = { "prerouting", "output", "dnat", "postrouting" };
	int r;

	if ((r = nftb_table(b, &T, err)) < 0 || (r = nftb_chain(b, &T, "dnat", NULL, 0, 0, err)) < 0 ||
	    (r = nftb_chain(b, &T, "prerouting", "nat", NF_INET_PRE_ROUTING, -100, err)) < 0 ||
	    (r = nftb_chain(b, &T, "output", "nat", NF_INET_LOCAL_OUT, -100, err)) < 0 ||
	    (r = nftb_chain(b, &T, "postrouting", "nat", NF_INET_POST_ROUTING, 100, err)) < 0 ||
	    (r = put_sets(b, err)) < 0)
		return r;
	for (size_t i = 0; i < sizeof(chains) / sizeof(chains[0]); i++)
		if ((r = nftb_flush_chain(b, &T, chains[i], err)) < 0)
			return r;
	if ((r = put_local_goto(b, "prerouting", err)) < 0 || (r = put_local_goto(b, "output", err)) < 0)
		return r;
	for (int i = 0; i < 2; i++)
		if ((r = put_dnat_rules(b, &FAM[i], err)) < 0)
			return r;
	for (int i = 0; i < 2; i++)
		if ((r = put_snat_rule(b, &FAM[i], err)) < 0)
			return r;
	return 0;
}

static int put_elem(struct nft_batch *b, uint16_t type, const struct pm_elem *e, const char *owner, bool excl,
		    struct nr_error *err)
{
	struct nftb_elem x = {
		.key = e->key,
		.key_end = e->has_end ? e->key_end : NULL,
		.key_len = e->key_len,
		.data = e->data_len ? e->data : NULL,
		.data_len = e->data_len,
		.comment = type == NFT_MSG_NEWSETELEM ? owner : NULL,
	};

	return nftb_elem(b, type, &T, set_names[e->set], &x, excl,
			 type == NFT_MSG_NEWSETELEM ? "adding a port mapping element"
						    : "removing a port mapping element",
			 err);
}

/* Human-readable host side of an element, for messages. */
static const char *describe(const struct pm_map *m, int af, char *buf, size_t len)
{
	const char *proto = m->proto == IPPROTO_TCP ? "tcp" : m->proto == IPPROTO_UDP ? "udp" : "sctp";
	char ip[IP_PREFIX_STRLEN];
	bool v6 = af == AF_INET6;

	if (map_is_any(m, af))
		snprintf(ip, sizeof(ip), "%s", v6 ? "::" : "0.0.0.0");
	else
		ip_addr_format(&m->host_ip, ip, sizeof(ip));
	snprintf(buf, len, "%s%s%s:%u/%s", v6 ? "[" : "", ip, v6 ? "]" : "", m->host_port, proto);
	return buf;
}

static int in_use(const struct pm_map *m, int af, const char *by, struct nr_error *err)
{
	char what[96];

	return nr_error_set(err, CNI_ERR_INTERNAL, EADDRINUSE,
			    "host port %s is already published by %s; nothing was changed",
			    describe(m, af, what, sizeof(what)), by);
}

/* Specific mappings of other owners on a port that an any-address mapping wants. */
struct scan_any {
	const struct pm_attach *a;
	const struct pm_fam *f;
	struct nr_error *err;
};

static int on_specific(const struct nftb_elem *e, void *data)
{
	struct scan_any *s = data;
	const uint32_t alen = s->f->alen;

	if (e->key_len != alen + 8 || !strcmp(e->comment, s->a->owner))
		return 0;
	for (size_t i = 0; i < s->a->n_maps; i++) {
		const struct pm_map *m = &s->a->maps[i];
		uint8_t pp[8];

		put_proto_port(pp, m->proto, m->host_port);
		if (map_applies(m, s->f->af) && map_is_any(m, s->f->af) &&
		    !memcmp((const uint8_t *)e->key + alen, pp, 8)) {
			char by[NFTB_COMMENT_MAX + 64], ip[IP_PREFIX_STRLEN];
			struct ip_addr a = { .family = s->f->af };
			memcpy(a.bytes, e->key, alen);
			snprintf(by, sizeof(by), "%s on %s", e->comment, ip_addr_format(&a, ip, sizeof(ip)));
			return in_use(m, s->f->af, by, s->err);
		}
	}
	return 0;
}

/* Decide, per element of a, whether to add it (*add), keep it (already ours, same target)
 * or replace it (ours, stale target: *del too); another owner's is EADDRINUSE. */
static int plan_dnat(struct nft_sock *s, const struct pm_attach *a, const struct pm_fam *f, const struct pm_map *m,
		     const struct ip_addr *ctr, struct pm_elem *e, bool *add, bool *del, struct nr_error *err)
{
	char owner[NFTB_COMMENT_MAX];
	uint8_t data[DATA_MAX];
	bool found;
	int r;

	*add = *del = false;
	dnat_elem(f, m, ctr, e);
	if ((r = nftb_get(s, &T, set_names[e->set], e->key, e->key_len, &found, data, sizeof(data), owner, err)) < 0)
		return r;
	if (found && strcmp(owner, a->owner) != 0)
		return in_use(m, f->af, owner, err);
	if (found && !memcmp(data, e->data, e->data_len))
		return 0;
	*add = true;
	*del = found;
	if (!map_is_any(m, f->af)) {
		/* An every-address mapping of the same port would shadow or be shadowed. */
		uint8_t pp[8];
		put_proto_port(pp, m->proto, m->host_port);
		if ((r = nftb_get(s, &T, set_names[f->dnat_any], pp, 8, &found, NULL, 0, owner, err)) < 0)
			return r;
		if (found && strcmp(owner, a->owner) != 0) {
			char by[NFTB_COMMENT_MAX + 32];
			snprintf(by, sizeof(by), "%s on every address", owner);
			return in_use(m, f->af, by, err);
		}
	}
	return 0;
}

static const struct ip_prefix *ctr_of(const struct pm_attach *a, int af)
{
	const struct ip_prefix *p = af == AF_INET ? &a->ctr4 : &a->ctr6;

	return p->addr.family == af ? p : NULL;
}

static const uint8_t loop4[16] = { 127 }, zero16[16];

/* masqAll: the container's own element, every source. */
static void masq_all_elem(const struct pm_fam *f, const struct ip_prefix *c, struct pm_elem *e)
{
	snat_elem(f, c->addr.bytes, 8 * (int)f->alen, zero16, 0, e);
}

/* snat of a's subnet: `subnet . subnet` (hairpin) and, for IPv4, `subnet . 127.0.0.0/8`.
 * These are the subnet's, shared by its containers, so they are added when missing (a
 * lookup first: snat sets are interval sets, whose every change copies the set in the
 * kernel, so the common ADD changes them not at all) and removed only with the table.
 * Their comment is NET_PREFIX and the subnet. */
static int put_net_snat(struct nft_sock *s, struct nft_batch *b, const struct pm_fam *f, const struct ip_prefix *c,
			struct nr_error *err)
{
	struct pm_elem e[2];
	char comment[NFTB_COMMENT_MAX], net[IP_PREFIX_STRLEN];
	struct ip_prefix p = ip_prefix_network(c);
	int n = 0, r;

	snprintf(comment, sizeof(comment), NET_PREFIX "%s", ip_prefix_format(&p, net, sizeof(net)));
	snat_elem(f, c->addr.bytes, c->len, c->addr.bytes, c->len, &e[n++]);
	if (f->af == AF_INET)
		snat_elem(f, c->addr.bytes, c->len, loop4, 8, &e[n++]);
	for (int i = 0; i < n; i++) {
		struct nftb_found found;
		if ((r = nftb_lookup_elem(s, &T, set_names[e[i].set], e[i].key, e[i].key_len, &found, err)) < 0)
			return r;
		if (found.found)
			continue;
		if ((r = put_elem(b, NFT_MSG_NEWSETELEM, &e[i], comment, false, err)) < 0)
			return r;
	}
	return 0;
}

/* Eight: prerouting 1, output 1, dnat 4, postrouting 2. */
#define RULES 8

static int add_locked(struct nft_sock *s, const struct pm_attach *a, struct nr_error *err)
{
	_cleanup_nft_batch_ struct nft_batch *b = NULL;
	unsigned rules;
	int r;

	/* Rewriting rules costs the transaction an RCU grace period, adding elements does
	 * not: the skeleton is written only when the rules are not all there (first ADD,
	 * after `nft flush ruleset`, after a hand edit). */
	if ((r = nftb_rule_count(s, &T, &rules, err)) < 0 || (r = nft_batch_new(&b, err)) < 0 ||
	    (rules != RULES && (r = put_skeleton(b, err)) < 0))
		return r;
	for (int fi = 0; fi < 2; fi++) {
		const struct pm_fam *f = &FAM[fi];
		const struct ip_prefix *c = ctr_of(a, f->af);
		struct scan_any scan = { .a = a, .f = f, .err = err };

		if (!c)
			continue;
		if ((r = nftb_walk(s, &T, set_names[f->dnat], on_specific, &scan, err)) < 0)
			return r;
		for (size_t i = 0; i < a->n_maps; i++) {
			struct pm_elem e;
			bool add, del;

			if (!map_applies(&a->maps[i], f->af))
				continue;
			if ((r = plan_dnat(s, a, f, &a->maps[i], &c->addr, &e, &add, &del, err)) < 0)
				return r;
			if (del && (r = put_elem(b, NFT_MSG_DELSETELEM, &e, a->owner, false, err)) < 0)
				return r;
			if (add && (r = put_elem(b, NFT_MSG_NEWSETELEM, &e, a->owner, true, err)) < 0)
				return r;
		}
		if (a->snat && (r = put_net_snat(s, b, f, c, err)) < 0)
			return r;
		if (a->snat && a->masq_all) {
			struct pm_elem e;
			masq_all_elem(f, c, &e);
			if ((r = put_elem(b, NFT_MSG_NEWSETELEM, &e, a->owner, false, err)) < 0)
				return r;
		}
	}
	return nft_batch_commit(s, b, err);
}

/* What nft shows of a comment (NFTNL_UDATA_COMMENT_MAXLEN), with its NUL. */
#define OWNER_MAX 128

static int check_owner(const char *owner, struct nr_error *err)
{
	if (!owner || !*owner || strlen(owner) >= OWNER_MAX)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				    "port mappings: the owner (container id/ifname) must be 1 to %d bytes",
				    OWNER_MAX - 1);
	return 0;
}

int nft_portmap_add(const struct pm_attach *a, struct nr_error *err)
{
	_cleanup_nft_sock_ struct nft_sock *s = NULL;
	_cleanup_close_ int lock = -1;
	int r;

	if ((r = check_owner(a->owner, err)) < 0)
		return r;
	if (a->n_maps > NFT_PORTMAP_MAX)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, E2BIG,
				    "port mappings: at most %d per attachment, not %zu", NFT_PORTMAP_MAX, a->n_maps);
	if (!a->n_maps || (!ctr_of(a, AF_INET) && !ctr_of(a, AF_INET6)))
		return 0;
	if ((r = lockfile_take(NFT_PORTMAP_LOCK, &lock, err)) < 0 || (r = nft_sock_open(&s, err)) < 0 ||
	    (r = add_locked(s, a, err)) < 0)
		return nr_error_wrap(err, r, "publishing ports of %s", a->owner);
	return 0;
}

/* Removing by owner: collect, then delete in one transaction. */
struct collect {
	int set;
	bool (*match)(const char *owner, void *data);
	void *data;
	struct pm_elem *v;
	size_t n, cap, total;
};

static int collect_push(struct collect *c, const struct pm_elem *e)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;
		struct pm_elem *v = realloc(c->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = *e;
	return 0;
}

static int on_collect(const struct nftb_elem *e, void *data)
{
	struct collect *c = data;
	struct pm_elem x = { .set = c->set };

	if (is_net_comment(e->comment))
		return 0; /* a subnet's: goes with the table */
	c->total++;
	if (!*e->comment || !c->match(e->comment, c->data))
		return 0;
	if (e->key_len > sizeof(x.key) || e->data_len > DATA_MAX)
		return 0;
	x.key_len = e->key_len;
	memcpy(x.key, e->key, e->key_len);
	if (e->key_end) {
		x.has_end = true;
		memcpy(x.key_end, e->key_end, e->key_len);
	}
	return collect_push(c, &x);
}

/* At most this many deletions per transaction; GC of many owners takes several. */
#define DEL_CHUNK 200

/* Delete c's elements, or the whole table when nothing else is left in it (a missing
 * table is fine). */
static int remove_collected(struct nft_sock *s, const struct collect *c, bool nothing_else, struct nr_error *err)
{
	int r;

	if (nothing_else)
		return nftb_drop_table(s, &T, err);
	for (size_t i = 0; i < c->n; i += DEL_CHUNK) {
		_cleanup_nft_batch_ struct nft_batch *b = NULL;
		if ((r = nft_batch_new(&b, err)) < 0)
			return r;
		for (size_t j = i; j < c->n && j < i + DEL_CHUNK; j++)
			if ((r = put_elem(b, NFT_MSG_DELSETELEM, &c->v[j], NULL, false, err)) < 0)
				return r;
		if ((r = nft_batch_commit(s, b, err)) < 0)
			return r;
	}
	return 0;
}

/* The element e if it is there, owned by owner (and, for a range, exactly this range). */
static int collect_if_owned(struct nft_sock *s, struct collect *c, const struct pm_elem *e, const char *owner,
			    struct nr_error *err)
{
	struct nftb_found f;
	int r;

	if ((r = nftb_lookup_elem(s, &T, set_names[e->set], e->key, e->key_len, &f, err)) < 0)
		return r;
	if (!f.found || strcmp(f.comment, owner) != 0)
		return 0;
	if (e->has_end && (!f.has_end || memcmp(f.key_end, e->key_end, e->key_len) != 0))
		return 0;
	return collect_push(c, e);
}

/* Anything in the table but owner's?  Each set is read only up to its first element of
 * another owner, so this costs a batch per set, not the table's size. */
static int on_other(const struct nftb_elem *e, void *data)
{
	const char *owner = data;

	return strcmp(e->comment, owner) != 0 && !is_net_comment(e->comment) ? 1 : 0;
}

struct probe_ctx {
	const char *owner;
	bool other;
};

static int on_probe(const struct nftb_elem *e, void *data)
{
	struct probe_ctx *p = data;
	int r = on_other(e, (void *)p->owner);

	if (r > 0)
		p->other = true;
	return r;
}

static int others_left(const char *owner, bool *ret, struct nr_error *err)
{
	struct probe_ctx p = { .owner = owner };
	int r;

	for (int i = 0; i < S_COUNT && !p.other; i++)
		if ((r = nftb_probe(&T, set_names[i], on_probe, &p, err)) < 0)
			return r;
	*ret = p.other;
	return 0;
}

/* DEL when the mappings and addresses are known: every element is looked up by its key
 * (a GET each), so DEL costs the same at 2000 elements as at 2. */
static int del_known(const struct pm_attach *a, struct nr_error *err)
{
	_cleanup_nft_sock_ struct nft_sock *s = NULL;
	_cleanup_close_ int lock = -1;
	struct collect c = { 0 };
	bool other = true;
	int r;

	if ((r = lockfile_take(NFT_PORTMAP_LOCK, &lock, err)) < 0 || (r = nft_sock_open(&s, err)) < 0)
		return r;
	for (int fi = 0; fi < 2; fi++) {
		const struct pm_fam *f = &FAM[fi];
		const struct ip_prefix *ctr = ctr_of(a, f->af);
		struct pm_elem e;

		if (!ctr) /* ADD made nothing in this family */
			continue;
		for (size_t i = 0; i < a->n_maps; i++) {
			if (!map_applies(&a->maps[i], f->af))
				continue;
			dnat_elem(f, &a->maps[i], &ctr->addr, &e);
			if ((r = collect_if_owned(s, &c, &e, a->owner, err)) < 0)
				goto out;
		}
		/* The attachment's own snat element, if masqAll made one (whatever it says now). */
		masq_all_elem(f, ctr, &e);
		if ((r = collect_if_owned(s, &c, &e, a->owner, err)) < 0)
			goto out;
	}
	if (c.n == 0)
		goto out;
	if ((r = others_left(a->owner, &other, err)) < 0)
		goto out;
	r = remove_collected(s, &c, !other, err);
out:
	free(c.v);
	if (r == -ENOMEM && !err->msg[0])
		nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	return r;
}

static int del_matching(bool (*match)(const char *owner, void *data), void *data, struct nr_error *err)
{
	_cleanup_nft_sock_ struct nft_sock *s = NULL;
	_cleanup_close_ int lock = -1;
	struct collect c = { .match = match, .data = data };
	int r;

	if ((r = lockfile_take(NFT_PORTMAP_LOCK, &lock, err)) < 0 || (r = nft_sock_open(&s, err)) < 0)
		return r;
	for (c.set = 0; c.set < S_COUNT; c.set++)
		if ((r = nftb_walk(s, &T, set_names[c.set], on_collect, &c, err)) < 0)
			goto out;
	r = remove_collected(s, &c, c.n == c.total, err);
out:
	free(c.v);
	if (r == -ENOMEM && !err->msg[0])
		nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	return r;
}

static bool same_owner(const char *owner, void *data)
{
	return strcmp(owner, data) == 0;
}

int nft_portmap_del_attach(const struct pm_attach *a, struct nr_error *err)
{
	int r;

	if ((r = check_owner(a->owner, err)) < 0)
		return r;
	/* Without the mappings or without both addresses of what ADD saw, read everything. */
	if (!a->n_maps || (!ctr_of(a, AF_INET) && !ctr_of(a, AF_INET6)))
		return nft_portmap_del(a->owner, err);
	if ((r = del_known(a, err)) < 0)
		return nr_error_wrap(err, r, "removing the published ports of %s", a->owner);
	return 0;
}

int nft_portmap_del(const char *owner, struct nr_error *err)
{
	int r;

	if ((r = check_owner(owner, err)) < 0)
		return r;
	if ((r = del_matching(same_owner, (void *)owner, err)) < 0)
		return nr_error_wrap(err, r, "removing the published ports of %s", owner);
	return 0;
}

struct gc_ctx {
	bool (*valid)(const char *owner, void *data);
	void *data;
};

static bool stale(const char *owner, void *data)
{
	struct gc_ctx *g = data;

	return !g->valid(owner, g->data);
}

int nft_portmap_gc(bool (*valid)(const char *owner, void *data), void *data, struct nr_error *err)
{
	struct gc_ctx g = { valid, data };
	int r;

	if ((r = del_matching(stale, &g, err)) < 0)
		return nr_error_wrap(err, r, "removing stale published ports");
	return 0;
}

int nft_portmap_check(const struct pm_attach *a, struct nr_error *err)
{
	_cleanup_nft_sock_ struct nft_sock *s = NULL;
	int r;

	if ((r = check_owner(a->owner, err)) < 0 || (r = nft_sock_open(&s, err)) < 0)
		return r;
	for (int fi = 0; fi < 2; fi++) {
		const struct pm_fam *f = &FAM[fi];
		const struct ip_prefix *c = ctr_of(a, f->af);

		for (size_t i = 0; c && i < a->n_maps; i++) {
			const struct pm_map *m = &a->maps[i];
			char owner[NFTB_COMMENT_MAX], what[96];
			uint8_t data[DATA_MAX];
			struct pm_elem e;
			bool found;

			if (!map_applies(m, f->af))
				continue;
			dnat_elem(f, m, &c->addr, &e);
			r = nftb_get(s, &T, set_names[e.set], e.key, e.key_len, &found, data, sizeof(data), owner, err);
			if (r < 0)
				return r;
			if (!found || strcmp(owner, a->owner) != 0 || memcmp(data, e.data, e.data_len) != 0)
				return nr_error_set(err, CNI_ERR_INTERNAL, ENOENT,
						    "host port %s is not published to %s (table inet " NFT_PORTMAP_TABLE
						    ", map %s)",
						    describe(m, f->af, what, sizeof(what)), a->owner, set_names[e.set]);
		}
	}
	return 0;
}
