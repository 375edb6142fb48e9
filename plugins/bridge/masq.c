/* ipMasq: source NAT for the container's addresses through core/nft_masq (one nftables
 * table shared by every container, one set element per address). */
#include <errno.h>

#include "br.h"
#include "nft_masq.h"

int br_masq_add(const struct br_conf *c, const struct cni_result *res, struct nr_error *err)
{
	struct ip_prefix p;
	int r;

	if (!c->ip_masq)
		return 0;
	for (size_t i = 0; i < res->n_ips; i++) {
		if (ip_prefix_parse(res->ips[i].address, &p) < 0)
			continue;
		if ((r = nft_masq_add(&p, err)) < 0)
			return nr_error_wrap(err, r, "setting up masquerading for %s", res->ips[i].address);
	}
	return 0;
}

int br_masq_del_addrs(const struct br_conf *c, const struct ip_prefix *a, size_t n, struct nr_error *err)
{
	int r;

	if (!c->ip_masq)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((r = nft_masq_del(&a[i], err)) < 0)
			return nr_error_wrap(err, r, "removing masquerading");
	return 0;
}

int br_masq_del_result(const struct br_conf *c, const struct cni_result *res, struct nr_error *err)
{
	struct ip_prefix p;
	int r;

	if (!c->ip_masq)
		return 0;
	for (size_t i = 0; i < res->n_ips; i++)
		if (ip_prefix_parse(res->ips[i].address, &p) == 0 && (r = br_masq_del_addrs(c, &p, 1, err)) < 0)
			return r;
	return 0;
}
