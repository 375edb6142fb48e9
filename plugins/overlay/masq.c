/* Masquerading of overlay containers: everything but the overlay CIDR, so traffic to the
 * other hosts' subnets keeps the container's address and leaves through the VXLAN
 * device as it is (core/nft/nft_masq.h excepts "its own subnet": here the whole CIDR). */
#include "nft/nft_masq.h"
#include "ovl.h"

int ovl_masq_prefixes(const struct overlay_subnet *s, const struct cni_result *res, struct ip_prefix *v, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; res && i < res->n_ips && n < max; i++) {
		struct ip_prefix p;
		if (ip_prefix_parse(res->ips[i].address, &p) < 0 || p.addr.family != AF_INET ||
		    !ip_prefix_contains(&s->subnet, &p.addr))
			continue;
		p.len = s->network.len;
		v[n++] = p;
	}
	return (int)n;
}

int ovl_masq_add(const struct overlay_subnet *s, const struct cni_result *res, const char *owner, struct nr_error *err)
{
	struct ip_prefix v[8];
	int r, n = ovl_masq_prefixes(s, res, v, sizeof(v) / sizeof(v[0]));

	if (n > 0 && (r = nft_masq_add(v, (size_t)n, owner, err)) < 0)
		return nr_error_wrap(err, r, "masquerading outside the overlay");
	return 0;
}
