/* ipMasq: source NAT for the container's addresses through core/nft_masq (one nftables
 * table shared by every container, set elements per address).  Each element carries its
 * attachment ("<network> <container id> <ifname>") so DEL finds it without the addresses
 * and GC finds the ones whose attachment is gone. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_field.h"
#include "br.h"
#include "nft/nft_masq.h"
#include "nft_masq_net.h"

static void owner_of(const struct cni_plugin_ctx *ctx, char buf[NFT_MASQ_OWNER_MAX])
{
	nft_masq_owner(buf, ctx->conf.name, ctx->env.container_id, ctx->env.ifname);
}

int br_masq_add(const struct br_conf *c, const struct cni_host_attach *a, struct nr_error *err)
{
	_cleanup_free_ struct ip_prefix *v = NULL;
	char owner[NFT_MASQ_OWNER_MAX];
	size_t n = 0;
	int r;

	if (!c->ip_masq)
		return 0;
	if ((r = br_masq_result_prefixes(a->result, &v, &n, err)) < 0)
		return r;
	nft_masq_owner(owner, a->network, a->container_id, a->ifname);
	if ((r = nft_masq_add(v, n, owner, err)) < 0)
		return nr_error_wrap(err, r, "setting up masquerading");
	return 0;
}

int br_masq_del(const struct cni_plugin_ctx *ctx, const struct ip_prefix *addrs, size_t n_addrs,
		const struct cni_result *prev, struct nft_close_list *closes, struct nr_error *err)
{
	_cleanup_free_ struct ip_prefix *v = NULL;
	char owner[NFT_MASQ_OWNER_MAX];
	size_t n = 0;
	int r;

	/* Whatever ipMasq says now: the config may have changed since the ADD, and an entry
	 * left behind would keep masquerading an address someone else gets next. */
	if (n_addrs) {
		if (!(v = malloc(n_addrs * sizeof(*v))))
			return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
		memcpy(v, addrs, n_addrs * sizeof(*v));
		n = n_addrs;
	}
	if ((r = br_masq_result_prefixes(prev, &v, &n, err)) < 0)
		return r;
	owner_of(ctx, owner);
	if ((r = nft_masq_del_defer(v, n, owner, closes, err)) < 0)
		return nr_error_wrap(err, r, "removing masquerading");
	return 0;
}

int br_masq_check(const struct br_conf *c, const struct cni_result *prev, struct nr_error *err)
{
	struct ip_prefix p;
	bool ok;
	int r;

	if (!c->ip_masq || !prev)
		return 0;
	for (size_t i = 0; i < prev->n_ips; i++) {
		if (ip_prefix_parse(prev->ips[i].address, &p) < 0)
			continue;
		if ((r = nft_masq_contains(&p, &ok, err)) < 0)
			return r;
		if (!ok)
			return nr_error_set(err, CNI_ERR_INTERNAL, ENOENT, "%s is not masqueraded (ipMasq is on)",
					    prev->ips[i].address);
	}
	return 0;
}

/* GC: this network's entries whose attachment is not valid.  Owners are compared as
 * nft_masq_owner() writes them (long ids are hashed there), never parsed back. */
struct gc_match {
	json_t *valid;
	const char *network;
	char net[NFT_MASQ_OWNER_MAX]; /* "<network> " */
	size_t net_len;
};

static bool stale_in_network(const struct ip_prefix *addr, const char *owner, void *data)
{
	const struct gc_match *m = data;
	char want[NFT_MASQ_OWNER_MAX];
	size_t i;
	json_t *a;

	if (strncmp(owner, m->net, m->net_len) != 0)
		return false;
	json_array_foreach(m->valid, i, a) {
		nft_masq_owner(want, m->network, json_string_value(json_get_go(a, "containerID")),
			       json_string_value(json_get_go(a, "ifname")));
		if (strcmp(want, owner) == 0)
			return false;
	}
	return true;
}

int br_masq_gc(const struct cni_plugin_ctx *ctx, struct nr_error *err)
{
	struct gc_match m = { .network = ctx->conf.name };
	int r;

	if ((r = cni_gc_valid_attachments(&ctx->conf, &m.valid, err)) < 0)
		return r;
	nft_masq_owner(m.net, ctx->conf.name, "", "");
	m.net_len = strcspn(m.net, " ") + 1;
	if ((r = nft_masq_del_if(stale_in_network, &m, err)) < 0)
		return nr_error_wrap(err, r, "collecting stale masquerade entries");
	return 0;
}
