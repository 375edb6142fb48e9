/* A network's masquerade entries as a whole: see nft_masq_net.h. */
#include "nft_masq_net.h"

#include <errno.h>
#include <linux/netfilter.h>
#include <stdlib.h>
#include <string.h>

#include "nft/nft_build.h"
#include "nft/nft_masq.h"

static const struct nftb_table T = { NFPROTO_INET, NFT_MASQ_TABLE };

int br_masq_result_prefixes(const struct cni_result *res, struct ip_prefix **v, size_t *n, struct nr_error *err)
{
	struct ip_prefix *nv;

	if (!res || res->n_ips == 0)
		return 0;
	nv = realloc(*v, (*n + res->n_ips) * sizeof(*nv));
	if (!nv)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	*v = nv;
	for (size_t i = 0; i < res->n_ips; i++)
		if (ip_prefix_parse(res->ips[i].address, &nv[*n]) == 0)
			(*n)++;
	return 0;
}

/* Owners are compared as nft_masq_owner() writes them (a long name is hashed there),
 * never parsed back: "<network> " is the owner of network with empty id and ifname, up
 * to its first space. */
struct by_network {
	char prefix[NFT_MASQ_OWNER_MAX];
	size_t len;
	bool found;
};

static bool in_network(const struct ip_prefix *addr, const char *owner, void *data)
{
	struct by_network *m = data;

	if (strncmp(owner, m->prefix, m->len) != 0)
		return false;
	m->found = true;
	return true;
}

int br_masq_del_network(const char *network, bool *ret_found, struct nr_error *err)
{
	struct by_network m = { 0 };
	int r;

	nft_masq_owner(m.prefix, network, "", "");
	m.len = strcspn(m.prefix, " ") + 1;
	m.prefix[m.len] = '\0';
	if ((r = nft_masq_del_if(in_network, &m, err)) < 0)
		return nr_error_wrap(err, r, "removing the masquerade entries of network %s", network);
	if (ret_found)
		*ret_found = m.found;
	return 0;
}

static int on_any(const struct nftb_elem *e, void *data)
{
	*(bool *)data = true;
	return 1;
}

int br_masq_drop_if_empty(struct nr_error *err)
{
	static const char *const sets[] = { "ctr4", "ctr6", "own4", "own6" };
	_cleanup_nft_sock_ struct nft_sock *s = NULL;
	_cleanup_close_ int lock = -1;
	bool any = false;
	int r;

	/* The masquerade lock keeps an ADD from landing between the probe and the delete
	 * (nftables has no "delete the table if empty"). */
	if ((r = lockfile_take(NFT_MASQ_LOCK, &lock, err)) < 0)
		return r;
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]) && !any; i++)
		if ((r = nftb_probe(&T, sets[i], on_any, &any, err)) < 0)
			return nr_error_wrap(err, r, "reading the masquerade table");
	if (any)
		return 0;
	if ((r = nft_sock_open(&s, err)) < 0 || (r = nftb_drop_table(s, &T, err)) < 0)
		return nr_error_wrap(err, r, "removing the empty masquerade table");
	return 0;
}
