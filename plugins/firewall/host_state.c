/* What a firewall ADD leaves on the host, maintained for the runtime (struct
 * cni_host_ops): the attachment's elements in our table and our rules in other tables'
 * dropping forward chains, read with config.c's parser, so this never disagrees with
 * what ADD did. */
#include "fw.h"

static int firewall_reapply(json_t *conf, const struct cni_host_attach *a, struct nr_error *err)
{
	struct nft_fw_attach fa;
	struct fw_conf c;
	int r;

	if ((r = fw_conf_fields(conf, a->result, a->container_id, a->ifname, true, &c, err)) < 0)
		return r;
	fw_attach_of(&c, &fa);
	return nft_firewall_add(&fa, err);
}

static bool any_owner(const char *owner, void *data)
{
	return true;
}

/* Elements are owned by attachment, not by network: nothing to remove by name, only the
 * table (and our rules elsewhere) once no element is left. */
static int firewall_forget_network(const char *network, bool *found, struct nr_error *err)
{
	return nft_firewall_gc(any_owner, NULL, err);
}

const struct cni_host_ops fw_host_state_ops = {
	.reapply = firewall_reapply,
	.forget_network = firewall_forget_network,
};
