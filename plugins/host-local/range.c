/* Ranges and range sets, canonicalised as the reference does: defaults filled in, every
 * address checked against the subnet, so the allocator can trust them. */
#include <errno.h>
#include <string.h>

#include "base/json_field.h"
#include "range.h"

/* The last usable address: the broadcast address is not one for IPv4; IPv6 has none. */
static struct ip_addr subnet_last(const struct ip_prefix *net)
{
	struct ip_addr a = net->addr;
	int bits = ip_addr_bits(&a);

	for (int b = net->len; b < bits; b++)
		a.bytes[b / 8] |= (uint8_t)(0x80 >> (b % 8));
	if (a.family == AF_INET)
		ip_addr_add(&a, -1);
	return a;
}

static int parse_addr_field(json_t *obj, const char *key, const char *what, const struct ip_prefix *net,
			    struct ip_addr *ret, bool *ret_set, struct nr_error *err)
{
	char nbuf[IP_PREFIX_STRLEN];
	const char *s = NULL;
	int r;

	*ret_set = false;
	if ((r = jfield_string(obj, key, what, false, &s, err)) < 0 || !s)
		return r;
	if (ip_addr_parse(s, ret) < 0)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "%s: %s \"%s\" is not an IP address", what,
				    key, s);
	if (!ip_prefix_contains(net, ret))
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "%s: %s %s is not in subnet %s", what, key, s,
				    ip_prefix_format(net, nbuf, sizeof(nbuf)));
	*ret_set = true;
	return 0;
}

int hl_range_parse(json_t *obj, const char *what, struct hl_range *ret, struct nr_error *err)
{
	char buf[IP_PREFIX_STRLEN];
	struct hl_range rg = { 0 };
	const char *subnet = NULL;
	bool set;
	int r;

	if (!json_is_object(obj))
		return nr_error_set(err, CNI_ERR_DECODE, EINVAL, "%s must be an object", what);
	if ((r = jfield_string(obj, "subnet", what, true, &subnet, err)) < 0)
		return r;
	if (ip_prefix_parse(subnet, &rg.subnet) < 0)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "%s: subnet \"%s\" is not a CIDR prefix", what,
				    subnet);
	/* Network, gateway and (IPv4) broadcast leave nothing to hand out below /30 or /126. */
	if (rg.subnet.len > ip_addr_bits(&rg.subnet.addr) - 2)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "%s: subnet %s is too small to allocate from",
				    what, subnet);
	{
		struct ip_prefix n = ip_prefix_network(&rg.subnet);
		if (!ip_addr_equal(&n.addr, &rg.subnet.addr))
			return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
					    "%s: subnet %s has host bits set; the network address is %s", what, subnet,
					    ip_prefix_format(&n, buf, sizeof(buf)));
	}

	rg.gw = rg.subnet.addr;
	ip_addr_add(&rg.gw, 1);
	if ((r = parse_addr_field(obj, "gateway", what, &rg.subnet, &rg.gw, &set, err)) < 0)
		return r;
	/* The default start is network+1 even though that is the default gateway: the
	 * allocator skips the gateway, as the reference does. */
	rg.start = rg.subnet.addr;
	ip_addr_add(&rg.start, 1);
	if ((r = parse_addr_field(obj, "rangeStart", what, &rg.subnet, &rg.start, &set, err)) < 0)
		return r;
	rg.end = subnet_last(&rg.subnet);
	if ((r = parse_addr_field(obj, "rangeEnd", what, &rg.subnet, &rg.end, &set, err)) < 0)
		return r;
	if (ip_addr_cmp(&rg.start, &rg.end) > 0)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "%s: rangeEnd is before rangeStart", what);
	*ret = rg;
	return 0;
}

bool hl_range_contains(const struct hl_range *r, const struct ip_addr *a)
{
	return ip_prefix_contains(&r->subnet, a) && ip_addr_cmp(a, &r->start) >= 0 && ip_addr_cmp(a, &r->end) <= 0;
}

int hl_rangeset_find(const struct hl_rangeset *s, const struct ip_addr *a)
{
	for (size_t i = 0; i < s->n; i++)
		if (hl_range_contains(&s->r[i], a))
			return (int)i;
	return -1;
}

bool hl_rangeset_contains(const struct hl_rangeset *s, const struct ip_addr *a)
{
	return hl_rangeset_find(s, a) >= 0;
}

static bool range_overlaps(const struct hl_range *a, const struct hl_range *b)
{
	return a->subnet.addr.family == b->subnet.addr.family &&
	       (hl_range_contains(a, &b->start) || hl_range_contains(a, &b->end) || hl_range_contains(b, &a->start) ||
		hl_range_contains(b, &a->end));
}

bool hl_rangeset_overlaps(const struct hl_rangeset *a, const struct hl_rangeset *b)
{
	for (size_t i = 0; i < a->n; i++)
		for (size_t j = 0; j < b->n; j++)
			if (range_overlaps(&a->r[i], &b->r[j]))
				return true;
	return false;
}

/* One range set hands out one address of one family. */
int hl_rangeset_validate(const struct hl_rangeset *s, size_t idx, struct nr_error *err)
{
	if (s->n == 0)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "ipam: range set %zu is empty", idx);
	for (size_t i = 1; i < s->n; i++) {
		if (s->r[i].subnet.addr.family != s->r[0].subnet.addr.family)
			return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
					    "ipam: range set %zu mixes IPv4 and IPv6 ranges", idx);
		for (size_t j = 0; j < i; j++)
			if (range_overlaps(&s->r[i], &s->r[j]))
				return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
						    "ipam: range set %zu: ranges %zu and %zu overlap", idx, j, i);
	}
	return 0;
}
