/* Address selection from one range set, as the reference's RangeIter: round-robin,
 * starting just after the set's last reserved address, skipping each range's gateway,
 * wrapping across the ranges of the set, giving up after one full turn. */
#include <errno.h>
#include <string.h>

#include "alloc.h"

#include "hostlocal.h"

struct range_iter {
	const struct hl_rangeset *set;
	size_t idx; /* current range */
	struct ip_addr cur;
	bool started;         /* cur is valid */
	struct ip_addr first; /* first address returned: seeing it again ends the turn */
	bool have_first;
};

static void iter_init(struct range_iter *it, struct hl_store *s, const struct hl_rangeset *set, size_t set_idx)
{
	struct ip_addr last;
	int i;

	*it = (struct range_iter){ .set = set };
	/* A stale last_reserved_ip (ranges changed) just costs the round-robin this once. */
	if (hl_store_last_reserved(s, set_idx, &last) < 0 || (i = hl_rangeset_find(set, &last)) < 0)
		return;
	it->idx = (size_t)i;
	it->cur = last;
	it->started = true;
}

/* Next candidate (not a gateway) or false once every address has been offered. */
static bool iter_next(struct range_iter *it, struct ip_addr *ret)
{
	for (;;) {
		const struct hl_range *r = &it->set->r[it->idx];

		if (!it->started) {
			it->cur = r->start;
			it->started = true;
		} else if (ip_addr_equal(&it->cur, &r->end)) {
			it->idx = (it->idx + 1) % it->set->n;
			r = &it->set->r[it->idx];
			it->cur = r->start;
		} else {
			ip_addr_add(&it->cur, 1);
		}
		if (!it->have_first) {
			it->first = it->cur;
			it->have_first = true;
		} else if (ip_addr_equal(&it->cur, &it->first)) {
			return false;
		}
		if (!ip_addr_equal(&it->cur, &r->gw)) {
			*ret = it->cur;
			return true;
		}
	}
}

/* "start-end,start-end" for messages, cut to fit. */
static const char *rangeset_describe(const struct hl_rangeset *set, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < set->n && off < len; i++) {
		int n = snprintf(buf + off, len - off, "%s%s-%s", i ? "," : "",
				 ip_addr_format(&set->r[i].start, a, sizeof(a)),
				 ip_addr_format(&set->r[i].end, b, sizeof(b)));
		if (n < 0)
			break;
		off += (size_t)n;
	}
	return buf;
}

static int alloc_requested(struct hl_store *s, const struct hl_rangeset *set, size_t set_idx, const char *id,
			   const char *ifname, const struct ip_addr *ip, int *ret_range, struct nr_error *err)
{
	char buf[INET6_ADDRSTRLEN];
	int i = hl_rangeset_find(set, ip), r;

	ip_addr_format(ip, buf, sizeof(buf));
	if (i < 0)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "requested IP %s is not in range set %zu", buf,
				    set_idx);
	if (ip_addr_equal(ip, &set->r[i].gw))
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "requested IP %s is the subnet's gateway",
				    buf);
	if ((r = hl_store_reserve(s, id, ifname, ip, set_idx, err)) < 0)
		return r;
	if (r == 0)
		return nr_error_set(err, HL_ERR_IN_USE, EADDRINUSE, "requested IP %s is already allocated", buf);
	*ret_range = i;
	return 0;
}

static int alloc_next(struct hl_store *s, const struct hl_rangeset *set, size_t set_idx, const char *id,
		      const char *ifname, struct ip_addr *ret_ip, int *ret_range, struct nr_error *err)
{
	struct range_iter it;
	char desc[256];
	struct ip_addr a;
	int r;

	iter_init(&it, s, set, set_idx);
	while (iter_next(&it, &a)) {
		if (hl_store_is_leased(s, &a))
			continue;
		if ((r = hl_store_reserve(s, id, ifname, &a, set_idx, err)) < 0)
			return r;
		if (r == 1) {
			*ret_ip = a;
			*ret_range = (int)it.idx;
			return 0;
		}
	}
	return nr_error_set(err, HL_ERR_EXHAUSTED, ENOSPC, "no IP addresses available in range set %zu (%s)", set_idx,
			    rangeset_describe(set, desc, sizeof(desc)));
}

int hl_alloc(struct hl_store *s, const struct hl_rangeset *set, size_t set_idx, const char *id, const char *ifname,
	     const struct ip_addr *requested, struct ip_prefix *ret_ip, struct ip_addr *ret_gw, struct nr_error *err)
{
	struct ip_addr a;
	int i = 0, r;

	if (requested) {
		a = *requested;
		r = alloc_requested(s, set, set_idx, id, ifname, &a, &i, err);
	} else {
		r = alloc_next(s, set, set_idx, id, ifname, &a, &i, err);
	}
	if (r < 0)
		return r;
	*ret_ip = (struct ip_prefix){ .addr = a, .len = set->r[i].subnet.len };
	*ret_gw = set->r[i].gw;
	return 0;
}

bool hl_rangeset_has_free(struct hl_store *s, const struct hl_rangeset *set, size_t set_idx)
{
	struct range_iter it;
	struct ip_addr a;

	iter_init(&it, s, set, set_idx);
	while (iter_next(&it, &a))
		if (!hl_store_is_leased(s, &a))
			return true;
	return false;
}
