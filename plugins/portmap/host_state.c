/* What a portmap ADD leaves on the host, maintained for the runtime (struct cni_host_ops):
 * the attachment's elements in our port-mapping table, read with config.c's parser and
 * defaults, and the route_localnet guard with the attachment's entries (a firewall
 * flush removes them, not the sysctl, which is written again all the same). */
#include "base/json_field.h"
#include "pm.h"

static int portmap_reapply(json_t *conf, const struct cni_host_attach *a, struct nr_error *err)
{
	json_t *rc = json_get_go(conf, "runtimeConfig");
	struct pm_conf c;
	struct pm_attach pa;
	int r;

	if ((r = pm_conf_fields(conf, rc, a->container_id, a->ifname, &c, err)) < 0)
		return r;
	pm_attach_of(&c, a->result, &pa);
	if ((r = nft_portmap_add(&pa, err)) < 0)
		return r;
	return pm_localnet_needed(&pa) ? pm_localnet_hold(&pa, a->result, err) : 0;
}

static bool any_owner(const char *owner, void *data)
{
	return true;
}

/* Elements are owned by attachment, not by network: nothing to remove by name, only the
 * tables once no element is left (a GC that keeps every owner removes them then). */
static int portmap_forget_network(const char *network, bool *found, struct nr_error *err)
{
	int r = pm_localnet_gc(any_owner, NULL, err);

	return r < 0 ? r : nft_portmap_gc(any_owner, NULL, err);
}

const struct cni_host_ops pm_host_state_ops = {
	.reapply = portmap_reapply,
	.forget_network = portmap_forget_network,
};
