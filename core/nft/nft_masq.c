/* Masquerade for container addresses in nftables, built with nft_build.h (never the nft
 * binary).  The table, and why it is shaped so: docs/masquerade.md. */
#include "nft_masq.h"

#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "base/lockfile.h"
#include "nft_build.h"

static const struct nftb_table T = { NFPROTO_INET, NFT_MASQ_TABLE };

struct masq_family {
	int af;
	uint8_t nfproto;
	const char *ctr, *own;   /* set names */
	uint32_t ctr_id, own_id; /* set ids: tie the rules to sets made in the same transaction */
	uint32_t alen;           /* address bytes */
	uint32_t saddr_off, daddr_off;
	uint32_t addr_type;
	uint8_t mcast_mask[16], mcast_net[16];
	uint32_t daddr_reg; /* second field of the concatenation */
};

static const struct masq_family FAM4 = {
	.af = AF_INET,
	.nfproto = NFPROTO_IPV4,
	.ctr = "ctr4",
	.own = "own4",
	.ctr_id = 1,
	.own_id = 2,
	.alen = 4,
	.saddr_off = 12,
	.daddr_off = 16,
	.addr_type = NFTB_TYPE_IPADDR,
	.mcast_mask = { 0xf0 },
	.mcast_net = { 0xe0 },
	.daddr_reg = NFT_REG32_01,
};

static const struct masq_family FAM6 = {
	.af = AF_INET6,
	.nfproto = NFPROTO_IPV6,
	.ctr = "ctr6",
	.own = "own6",
	.ctr_id = 3,
	.own_id = 4,
	.alen = 16,
	.saddr_off = 8,
	.daddr_off = 24,
	.addr_type = NFTB_TYPE_IP6ADDR,
	.mcast_mask = { 0xff },
	.mcast_net = { 0xff },
	.daddr_reg = NFT_REG32_04,
};

static const struct masq_family *const FAMS[] = { &FAM4, &FAM6 };

static const struct masq_family *family_of(int af)
{
	return af == AF_INET ? &FAM4 : af == AF_INET6 ? &FAM6 : NULL;
}

/* ctr4: the container addresses (a hash set); own4: subnet . subnet (intervals). */
static int put_sets(struct nft_batch *b, const struct masq_family *f, struct nr_error *err)
{
	const uint8_t fields[2] = { (uint8_t)f->alen, (uint8_t)f->alen };
	const struct nftb_set_spec ctr = {
		.name = f->ctr, .id = f->ctr_id, .key_type = f->addr_type, .key_len = f->alen
	};
	const struct nftb_set_spec own = {
		.name = f->own,
		.id = f->own_id,
		.key_type = f->addr_type << NFTB_TYPE_BITS | f->addr_type,
		.key_len = 2 * f->alen,
		.flags = NFT_SET_INTERVAL,
		.fields = fields,
		.n_fields = 2,
	};
	int r;

	if ((r = nftb_set(b, &T, &ctr, err)) < 0)
		return r;
	return nftb_set(b, &T, &own, err);
}

/* A family's two rules, in chain order: skip (own subnet) and masq. */
static bool build_rules(const struct masq_family *f, struct nftnl_rule *skip, struct nftnl_rule *masq)
{
	static const uint8_t zero[16];

	/* ip saddr . ip daddr @own4 return */
	if (!nftb_nfproto(skip, f->nfproto) ||
	    !nftb_payload(skip, NFT_PAYLOAD_NETWORK_HEADER, f->saddr_off, f->alen, NFT_REG32_00) ||
	    !nftb_payload(skip, NFT_PAYLOAD_NETWORK_HEADER, f->daddr_off, f->alen, f->daddr_reg) ||
	    !nftb_lookup(skip, f->own, f->own_id, NFT_REG32_00, -1, false) || !nftb_verdict(skip, NFT_RETURN, NULL))
		return false;
	/* ip saddr @ctr4 ip daddr != 224.0.0.0/4 masquerade */
	return nftb_nfproto(masq, f->nfproto) &&
	       nftb_payload(masq, NFT_PAYLOAD_NETWORK_HEADER, f->saddr_off, f->alen, NFT_REG_1) &&
	       nftb_lookup(masq, f->ctr, f->ctr_id, NFT_REG_1, -1, false) &&
	       nftb_payload(masq, NFT_PAYLOAD_NETWORK_HEADER, f->daddr_off, f->alen, NFT_REG_1) &&
	       nftb_bitwise(masq, NFT_REG_1, f->mcast_mask, zero, f->alen) &&
	       nftb_cmp(masq, NFT_REG_1, NFT_CMP_NEQ, f->mcast_net, f->alen) && nftb_masq(masq);
}

static int put_rules(struct nft_batch *b, const struct masq_family *f, struct nr_error *err)
{
	_cleanup_nftnl_rule_ struct nftnl_rule *skip = nftb_rule_new(&T, NFT_MASQ_CHAIN);
	_cleanup_nftnl_rule_ struct nftnl_rule *masq = nftb_rule_new(&T, NFT_MASQ_CHAIN);
	bool v4 = f->af == AF_INET;
	int r;

	if (!skip || !masq || !build_rules(f, skip, masq))
		return nftb_oom(err);
	r = nftb_put_rule(b, skip, v4 ? "adding the IPv4 own-subnet rule" : "adding the IPv6 own-subnet rule", err);
	if (r < 0)
		return r;
	return nftb_put_rule(b, masq, v4 ? "adding the IPv4 masquerade rule" : "adding the IPv6 masquerade rule", err);
}

/* Whether the chain holds exactly the four rules put_skeleton() writes, in order (which
 * implies that the table, the chain and the sets the rules look up exist).  Any doubt is
 * "no": the caller then writes the whole skeleton. */
static bool skeleton_intact(struct nft_sock *s)
{
	_cleanup_nftnl_rule_ struct nftnl_rule *skip4 = nftb_rule_new(&T, NFT_MASQ_CHAIN);
	_cleanup_nftnl_rule_ struct nftnl_rule *masq4 = nftb_rule_new(&T, NFT_MASQ_CHAIN);
	_cleanup_nftnl_rule_ struct nftnl_rule *skip6 = nftb_rule_new(&T, NFT_MASQ_CHAIN);
	_cleanup_nftnl_rule_ struct nftnl_rule *masq6 = nftb_rule_new(&T, NFT_MASQ_CHAIN);
	struct nftnl_rule *const want[4] = { skip4, masq4, skip6, masq6 };

	return skip4 && masq4 && skip6 && masq6 && build_rules(&FAM4, skip4, masq4) &&
	       build_rules(&FAM6, skip6, masq6) && nftb_chain_holds(s, &T, NFT_MASQ_CHAIN, want, 4);
}

/* The skeleton: table, chain, four sets, the chain's four rules. */
static int put_skeleton(struct nft_batch *b, struct nr_error *err)
{
	int r;

	if ((r = nftb_table(b, &T, err)) < 0 ||
	    (r = nftb_chain(b, &T, NFT_MASQ_CHAIN, "nat", NF_INET_POST_ROUTING, 100 /* srcnat */, err)) < 0 ||
	    (r = put_sets(b, &FAM4, err)) < 0 || (r = put_sets(b, &FAM6, err)) < 0 ||
	    (r = nftb_flush_chain(b, &T, NFT_MASQ_CHAIN, err)) < 0 || (r = put_rules(b, &FAM4, err)) < 0 ||
	    (r = put_rules(b, &FAM6, err)) < 0)
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

static int put_elem(struct nft_batch *b, uint16_t type, bool excl, const char *set, const void *key,
		    const void *key_end, uint32_t len, const char *owner, const char *what, struct nr_error *err)
{
	const struct nftb_elem e = { .key = key, .key_end = key_end, .key_len = len, .comment = owner };

	return nftb_elem(b, type, &T, set, &e, excl, what, err);
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

static int put_adds(struct nft_batch *b, const struct ip_prefix *ps, size_t n, const char *owner, bool excl,
		    struct nr_error *err)
{
	char subnet[NFT_MASQ_OWNER_MAX];

	subnet_comment(subnet, owner);
	for (size_t i = 0; i < n; i++) {
		const struct masq_family *f = family_of(ps[i].addr.family);
		struct masq_keys k;
		int r;

		keys_of(&ps[i], &k);
		r = put_elem(b, NFT_MSG_NEWSETELEM, excl, f->ctr, k.ctr, NULL, k.alen, owner,
			     f->af == AF_INET ? "adding the address to set ctr4" : "adding the address to set ctr6",
			     err);
		if (r < 0)
			return r;
		/* Shared by the subnet's containers: present already is success. */
		r = put_elem(b, NFT_MSG_NEWSETELEM, false, f->own, k.own, k.own_end, 2 * k.alen, subnet,
			     f->af == AF_INET ? "adding the subnet to set own4" : "adding the subnet to set own6", err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Reading a set's elements. */
struct elem_view {
	const struct masq_family *f;
	bool own; /* an own4/own6 element (key . subnet interval) */
	const uint8_t *key, *key_end;
	uint32_t len;
	const char *owner; /* "" when the element has no comment */
};

typedef int (*elem_cb)(const struct elem_view *v, void *data);

struct elem_walk {
	const struct masq_family *f;
	bool own;
	elem_cb cb;
	void *data;
	struct nr_error *err;
};

static int on_elem(const struct nftb_elem *e, void *data)
{
	struct elem_walk *w = data;
	struct elem_view v = {
		.f = w->f,
		.own = w->own,
		.key = e->key,
		.key_end = e->key_end,
		.len = e->key_len,
		.owner = e->comment,
	};
	int r;

	/* An element of another shape (added by hand) is none of ours. */
	if (v.len != (w->own ? 2 : 1) * w->f->alen || (w->own && !v.key_end))
		return 0;
	if ((r = w->cb(&v, w->data)) < 0)
		return nr_error_set(w->err, CNI_ERR_INTERNAL, r, "reading nftables set %s",
				    w->own ? w->f->own : w->f->ctr);
	return 0;
}

/* Walk one set; a missing table or set is an empty set. */
static int set_walk(struct nft_sock *s, const struct masq_family *f, bool own, elem_cb cb, void *data,
		    struct nr_error *err)
{
	struct elem_walk w = { .f = f, .own = own, .cb = cb, .data = data, .err = err };

	return nftb_walk(s, &T, own ? f->own : f->ctr, on_elem, &w, err);
}

/* All four sets. */
static int walk_all(struct nft_sock *s, elem_cb cb, void *data, struct nr_error *err)
{
	int r;

	for (size_t i = 0; i < 2; i++)
		for (int own = 0; own < 2; own++)
			if ((r = set_walk(s, FAMS[i], own, cb, data, err)) < 0)
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
		r = put_elem(*b, NFT_MSG_DELSETELEM, false, h->own ? h->f->own : h->f->ctr, h->key,
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

static int del_locked(struct nft_sock *s, const struct ip_prefix *ps, size_t n, const char *owner, struct nr_error *err)
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

int nft_masq_del_defer(const struct ip_prefix *ps, size_t n, const char *owner, struct nft_close_list *closes,
		       struct nr_error *err)
{
	_cleanup_nft_sock_ struct nft_sock *s = NULL;
	_cleanup_close_ int lock = -1;
	int r;

	if ((r = open_locked(&lock, &s, err)) < 0)
		return nr_error_wrap(err, r, "removing masquerade entries");
	s->defer = closes;
	return del_locked(s, ps, n, owner, err);
}

int nft_masq_del(const struct ip_prefix *ps, size_t n, const char *owner, struct nr_error *err)
{
	return nft_masq_del_defer(ps, n, owner, NULL, err);
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
		    (r = put_adds(b, ps, n, owner, true, err)) < 0)
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
	_cleanup_nft_sock_ struct nft_sock *s = NULL;
	struct list_ctx c = { .cb = cb, .data = data };
	int r;

	if ((r = nft_sock_open(&s, err)) < 0)
		return nr_error_wrap(err, r, "listing masqueraded addresses");
	for (size_t i = 0; i < 2 && r >= 0; i++)
		r = set_walk(s, FAMS[i], true, on_collect, &c.subnets, err);
	for (size_t i = 0; i < 2 && r >= 0; i++)
		r = set_walk(s, FAMS[i], false, on_list, &c, err);
	free(c.subnets.v);
	return r < 0 ? r : 0;
}
