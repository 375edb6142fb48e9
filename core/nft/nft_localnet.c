/* The route_localnet guard and its users, built with nft_build.h (never the nft binary):
 * see nft_localnet.h. */
#include "nft_localnet.h"

#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "nft_build.h"

static const struct nftb_table T = { NFPROTO_INET, NFT_LOCALNET_TABLE };

#define SET "users"
#define SET_ID 1
#define KEY_LEN (IFNAMSIZ + 4)
#define RULES 2

static int key_of(const char *ifname, const struct ip_addr *ctr4, uint8_t key[KEY_LEN], struct nr_error *err)
{
	size_t n = ifname ? strlen(ifname) : 0;

	if (n == 0 || n >= IFNAMSIZ || ctr4->family != AF_INET)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				    "route_localnet: invalid interface \"%s\" or container address",
				    ifname ? ifname : "");
	memset(key, 0, KEY_LEN);
	memcpy(key, ifname, n);
	memcpy(key + IFNAMSIZ, ctr4->bytes, 4);
	return 0;
}

/* iifname != "lo" ip daddr 127.0.0.0/8 */
static bool not_lo_to_loopback(struct nftnl_rule *r)
{
	static const char lo[IFNAMSIZ] = "lo";
	static const uint8_t net127 = 127;

	return nftb_meta(r, NFT_META_IIFNAME, NFT_REG_1) && nftb_cmp(r, NFT_REG_1, NFT_CMP_NEQ, lo, IFNAMSIZ) &&
	       nftb_nfproto(r, NFPROTO_IPV4) && nftb_payload(r, NFT_PAYLOAD_NETWORK_HEADER, 16, 1, NFT_REG_1) &&
	       nftb_cmp(r, NFT_REG_1, NFT_CMP_EQ, &net127, 1);
}

static int put_skeleton(struct nft_batch *b, struct nr_error *err)
{
	static const uint8_t fields[2] = { IFNAMSIZ, 4 };
	const struct nftb_set_spec users = {
		.name = SET,
		.id = SET_ID,
		.key_type = NFTB_TYPE_IFNAME << NFTB_TYPE_BITS | NFTB_TYPE_IPADDR,
		.key_len = KEY_LEN,
		.fields = fields,
		.n_fields = 2,
	};
	_cleanup_nftnl_rule_ struct nftnl_rule *tracked = nftb_rule_new(&T, "input");
	_cleanup_nftnl_rule_ struct nftnl_rule *untracked = nftb_rule_new(&T, "input");
	int r;

	/* A new connection to 127.0.0.0/8 from outside lo that is not DNATed: dropped.  A reply
	 * to the host's own connection over 127.0.0.1 to a published port is established;
	 * a DNAT to 127.0.0.1 (an administrator's) has status dnat. */
	if (!tracked || !not_lo_to_loopback(tracked) ||
	    !nftb_ct_bits(tracked, NFT_CT_STATE, NF_CT_STATE_BIT(IP_CT_ESTABLISHED) | NF_CT_STATE_BIT(IP_CT_RELATED),
			  false) ||
	    !nftb_ct_bits(tracked, NFT_CT_STATUS, IPS_DST_NAT, false) || !nftb_counter(tracked) ||
	    !nftb_verdict(tracked, NF_DROP, NULL))
		return nftb_oom(err);
	/* Without a conntrack entry, `ct status` ends the rule above unmatched: such packets
	 * belong to no connection of the host's, so they are dropped too, as kube-proxy's
	 * `! --ctstate RELATED,ESTABLISHED,DNAT` does. */
	if (!untracked || !not_lo_to_loopback(untracked) ||
	    !nftb_ct_bits(untracked, NFT_CT_STATE, NF_CT_STATE_INVALID_BIT | NF_CT_STATE_UNTRACKED_BIT, true) ||
	    !nftb_counter(untracked) || !nftb_verdict(untracked, NF_DROP, NULL))
		return nftb_oom(err);
	if ((r = nftb_table(b, &T, err)) < 0 ||
	    (r = nftb_chain(b, &T, "input", "filter", NF_INET_LOCAL_IN, 0, err)) < 0 ||
	    (r = nftb_set(b, &T, &users, err)) < 0 || (r = nftb_flush_chain(b, &T, "input", err)) < 0 ||
	    (r = nftb_put_rule(b, tracked, "adding the route_localnet guard", err)) < 0 ||
	    (r = nftb_put_rule(b, untracked, "adding the route_localnet guard", err)) < 0)
		return r;
	return 0;
}

static int hold_locked(struct nft_sock *s, const char *owner, const struct ip_addr *ctr4, const char *const *ifnames,
		       size_t n, struct nr_error *err)
{
	_cleanup_nft_batch_ struct nft_batch *b = NULL;
	bool changed = false;
	unsigned rules;
	int r;

	/* The guard is rewritten only when it is not all there (a rule change costs the
	 * transaction an RCU grace period); entries already there cost no transaction. */
	if ((r = nftb_rule_count(s, &T, &rules, err)) < 0 || (r = nft_batch_new(&b, err)) < 0)
		return r;
	if (rules != RULES) {
		if ((r = put_skeleton(b, err)) < 0)
			return r;
		changed = true;
	}
	for (size_t i = 0; i < n; i++) {
		uint8_t key[KEY_LEN];
		struct nftb_elem e = { .key = key, .key_len = KEY_LEN, .comment = owner };
		char other[NFTB_COMMENT_MAX] = "";
		bool found = false;

		if ((r = key_of(ifnames[i], ctr4, key, err)) < 0 ||
		    (r = nftb_get(s, &T, SET, key, KEY_LEN, &found, NULL, 0, other, err)) < 0)
			return r;
		if (found && strcmp(other, owner) == 0)
			continue;
		/* Another owner's entry on the same address is a stale one (the address was
		 * freed and given to us): it becomes ours, or its GC would turn us off. */
		if (found && (r = nftb_elem(b, NFT_MSG_DELSETELEM, &T, SET, &e, false,
					    "replacing a stale route_localnet user", err)) < 0)
			return r;
		if ((r = nftb_elem(b, NFT_MSG_NEWSETELEM, &T, SET, &e, false, "adding a route_localnet user", err)) < 0)
			return r;
		changed = true;
	}
	return changed ? nft_batch_commit(s, b, err) : 0;
}

int nft_localnet_hold(const char *owner, const struct ip_addr *ctr4, const char *const *ifnames, size_t n,
		      const struct nft_localnet_hook *h, struct nr_error *err)
{
	_cleanup_nft_sock_ struct nft_sock *s = NULL;
	_cleanup_close_ int lock = -1;
	int r;

	if (n == 0)
		return 0;
	if ((r = lockfile_take(NFT_LOCALNET_LOCK, &lock, err)) < 0 || (r = nft_sock_open(&s, err)) < 0 ||
	    (r = hold_locked(s, owner, ctr4, ifnames, n, err)) < 0)
		return nr_error_wrap(err, r, "guarding route_localnet for %s", owner);
	/* Only now, with the guard in place. */
	for (size_t i = 0; i < n; i++)
		if ((r = h->set(ifnames[i], true, h->data, err)) < 0)
			return r;
	return 0;
}

/* Entries to remove. */
struct removal {
	bool (*gone)(const char *owner, void *data); /* whose entries go */
	void *data;
	uint8_t (*keys)[KEY_LEN];
	size_t n, cap, total;
	/* Interfaces to turn off too when no entry stays on them, whether or not they had one
	 * that goes. */
	const char *const *orphans;
	size_t n_orphans;
};

static int removal_push(struct removal *m, const void *key)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 8;
		uint8_t(*k)[KEY_LEN] = realloc(m->keys, cap * KEY_LEN);
		if (!k)
			return -ENOMEM;
		m->keys = k;
		m->cap = cap;
	}
	memcpy(m->keys[m->n++], key, KEY_LEN);
	return 0;
}

static int on_collect(const struct nftb_elem *e, void *data)
{
	struct removal *m = data;

	if (e->key_len != KEY_LEN)
		return 0;
	m->total++;
	return m->gone(e->comment, m->data) ? removal_push(m, e->key) : 0;
}

/* Is there an entry that stays (whose owner is not gone), on ifname (NULL: anywhere)? */
struct stays {
	const struct removal *m;
	const uint8_t *ifname;
	bool found;
};

static int on_stays(const struct nftb_elem *e, void *data)
{
	struct stays *st = data;

	if (e->key_len != KEY_LEN || (st->ifname && memcmp(e->key, st->ifname, IFNAMSIZ) != 0) ||
	    st->m->gone(e->comment, st->m->data))
		return 0;
	st->found = true;
	return 1;
}

static int any_stays(const struct removal *m, const uint8_t *ifname, bool *ret, struct nr_error *err)
{
	struct stays st = { .m = m, .ifname = ifname };
	int r;

	/* Read only up to the first entry that stays (one batch of the dump at a time). */
	if ((r = nftb_probe(&T, SET, on_stays, &st, err)) < 0)
		return r;
	*ret = st.found;
	return 0;
}

/* At most this many deletions per transaction; GC of many owners takes several. */
#define DEL_CHUNK 200

/* route_localnet off on ifname (IFNAMSIZ bytes, NUL-padded) unless an entry stays on it. */
static int off_unless_needed(const struct removal *m, const uint8_t *ifname, const struct nft_localnet_hook *h,
			     struct nr_error *err)
{
	char name[IFNAMSIZ] = "";
	bool stays;
	int r;

	if ((r = any_stays(m, ifname, &stays, err)) < 0 || stays)
		return r;
	memcpy(name, ifname, IFNAMSIZ - 1);
	return h->set(name, false, h->data, err);
}

static bool among(const struct removal *m, size_t upto, const uint8_t *ifname)
{
	for (size_t j = 0; j < upto; j++)
		if (memcmp(m->keys[j], ifname, IFNAMSIZ) == 0)
			return true;
	return false;
}

/* Off first, before the entries and the guard go. */
static int turn_off(const struct removal *m, const struct nft_localnet_hook *h, struct nr_error *err)
{
	int r;

	for (size_t i = 0; i < m->n; i++)
		if (!among(m, i, m->keys[i]) && (r = off_unless_needed(m, m->keys[i], h, err)) < 0)
			return r;
	for (size_t i = 0; i < m->n_orphans; i++) {
		uint8_t name[IFNAMSIZ] = { 0 };
		size_t len = strlen(m->orphans[i]);

		if (len == 0 || len >= IFNAMSIZ)
			continue;
		memcpy(name, m->orphans[i], len);
		if (!among(m, m->n, name) && (r = off_unless_needed(m, name, h, err)) < 0)
			return r;
	}
	return 0;
}

static int remove_locked(struct nft_sock *s, const struct removal *m, const struct nft_localnet_hook *h,
			 struct nr_error *err)
{
	bool others;
	int r;

	if ((r = turn_off(m, h, err)) < 0)
		return r;
	if (m->n == 0)
		return 0;
	if ((r = any_stays(m, NULL, &others, err)) < 0)
		return r;
	if (!others)
		return nftb_drop_table(s, &T, err);
	for (size_t i = 0; i < m->n; i += DEL_CHUNK) {
		_cleanup_nft_batch_ struct nft_batch *b = NULL;
		if ((r = nft_batch_new(&b, err)) < 0)
			return r;
		for (size_t j = i; j < m->n && j < i + DEL_CHUNK; j++) {
			struct nftb_elem e = { .key = m->keys[j], .key_len = KEY_LEN };
			if ((r = nftb_elem(b, NFT_MSG_DELSETELEM, &T, SET, &e, false, "removing a route_localnet user",
					   err)) < 0)
				return r;
		}
		if ((r = nft_batch_commit(s, b, err)) < 0)
			return r;
	}
	return 0;
}

static bool same_owner(const char *owner, void *data)
{
	return strcmp(owner, data) == 0;
}

/* Find m's entries (by key when given, else by reading the set), then remove them. */
static int find_and_remove(struct removal *m, const struct ip_addr *ctr4, const char *const *ifnames, size_t n,
			   const struct nft_localnet_hook *h, bool drop_empty, struct nr_error *err)
{
	_cleanup_nft_sock_ struct nft_sock *s = NULL;
	_cleanup_close_ int lock = -1;
	int r;

	if ((r = lockfile_take(NFT_LOCALNET_LOCK, &lock, err)) < 0 || (r = nft_sock_open(&s, err)) < 0)
		return r;
	if (ctr4 && ctr4->family == AF_INET && n) {
		for (size_t i = 0; i < n; i++) {
			uint8_t key[KEY_LEN];
			struct nftb_found f;

			if (key_of(ifnames[i], ctr4, key, err) < 0) {
				nr_error_clear(err); /* not a name ADD could have used */
				continue;
			}
			if ((r = nftb_lookup_elem(s, &T, SET, key, KEY_LEN, &f, err)) < 0)
				return r;
			if (f.found && m->gone(f.comment, m->data) && (r = removal_push(m, key)) < 0)
				return r;
		}
	} else if ((r = nftb_walk(s, &T, SET, on_collect, m, err)) < 0)
		return r;
	if (m->n == 0 && drop_empty && m->total == 0)
		return nftb_drop_table(s, &T, err);
	return remove_locked(s, m, h, err);
}

static int oom_or(int r, struct nr_error *err)
{
	if (r == -ENOMEM && !err->msg[0])
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	return r;
}

int nft_localnet_release(const char *owner, const struct ip_addr *ctr4, const char *const *ifnames, size_t n,
			 const char *const *off, size_t n_off, const struct nft_localnet_hook *h, struct nr_error *err)
{
	struct removal m = { .gone = same_owner, .data = (void *)owner, .orphans = off, .n_orphans = n_off };

	int r = find_and_remove(&m, ctr4, ifnames, n, h, false, err);

	free(m.keys);
	if (r < 0)
		return nr_error_wrap(err, oom_or(r, err), "releasing route_localnet for %s", owner);
	return 0;
}

struct gc_ctx {
	bool (*valid)(const char *owner, void *data);
	void *data;
};

static bool stale(const char *owner, void *data)
{
	const struct gc_ctx *g = data;

	return !g->valid(owner, g->data);
}

int nft_localnet_gc(bool (*valid)(const char *owner, void *data), void *data, const struct nft_localnet_hook *h,
		    struct nr_error *err)
{
	struct gc_ctx g = { valid, data };
	struct removal m = { .gone = stale, .data = &g };
	int r = find_and_remove(&m, NULL, NULL, 0, h, true, err);

	free(m.keys);
	if (r < 0)
		return nr_error_wrap(err, oom_or(r, err), "removing stale route_localnet users");
	return 0;
}

int nft_localnet_check(const char *owner, const struct ip_addr *ctr4, const char *const *ifnames, size_t n,
		       struct nr_error *err)
{
	_cleanup_nft_sock_ struct nft_sock *s = NULL;
	unsigned rules;
	int r;

	if (n == 0)
		return 0;
	if ((r = nft_sock_open(&s, err)) < 0 || (r = nftb_rule_count(s, &T, &rules, err)) < 0)
		return r;
	if (rules != RULES)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOENT,
				    "the route_localnet guard (table inet " NFT_LOCALNET_TABLE ") is not all there");
	for (size_t i = 0; i < n; i++) {
		uint8_t key[KEY_LEN];
		struct nftb_found f;

		if ((r = key_of(ifnames[i], ctr4, key, err)) < 0 ||
		    (r = nftb_lookup_elem(s, &T, SET, key, KEY_LEN, &f, err)) < 0)
			return r;
		if (!f.found || strcmp(f.comment, owner) != 0)
			return nr_error_set(err, CNI_ERR_INTERNAL, ENOENT,
					    "%s is not recorded as needing route_localnet on %s (table inet " NFT_LOCALNET_TABLE
					    ", set " SET ")",
					    owner, ifnames[i]);
	}
	return 0;
}
