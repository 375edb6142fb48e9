/* What an overlay ADD leaves on the host, maintained for the runtime (struct
 * cni_host_ops): the lease's bridge (the bridge plugin's host operations on the bridge
 * configuration ADD runs), the container's masquerade entry, and on network rm the VXLAN
 * device.  The names come from the subnet file: without one (the agent left or lost its
 * lease, and `network leave` removes both links) there is nothing of ours to name.  The
 * network's masquerade entries go with the bridge plugin's forget_network, which runs
 * for every network removed and matches our owners too. */
#include <errno.h>
#include <stdio.h>

#include "base/json_field.h"
#include "bridge/plugin_bridge.h"
#include "nft/nft_masq.h"
#include "ovl.h"

/* The subnet file conf names: 1 read, 0 none (or conf unusable), < 0 on another error. */
static int lease_of(json_t *conf, struct overlay_subnet *s)
{
	struct ovl_conf c;

	if (ovl_conf_parse(conf, &c, NULL) < 0 || ovl_subnet_read_file(c.subnet_file, s, NULL) < 0)
		return 0;
	return 1;
}

static int overlay_object(json_t *conf, char *buf, size_t len)
{
	struct overlay_subnet s;

	if (!lease_of(conf, &s))
		return 0;
	snprintf(buf, len, "%s", s.bridge);
	return 1;
}

static int overlay_reapply(json_t *conf, const struct cni_host_attach *a, struct nr_error *err)
{
	_cleanup_json_ json_t *bc = NULL;
	char owner[NFT_MASQ_OWNER_MAX];
	struct overlay_subnet s;
	int r;

	if (!lease_of(conf, &s))
		return 0; /* no lease: no new traffic for its containers either */
	if (!(bc = ovl_bridge_conf(&s)))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	if ((r = bridge_plugin_ops.host->reapply(bc, a, err)) < 0)
		return r;
	nft_masq_owner(owner, a->network, a->container_id, a->ifname);
	return ovl_masq_add(&s, a->result, owner, err);
}

static int overlay_remove(json_t *conf, bool *found, struct nr_error *err)
{
	_cleanup_json_ json_t *bc = NULL;
	struct overlay_subnet s;
	int r;

	if (!lease_of(conf, &s))
		return 0;
	if (!(bc = ovl_bridge_conf(&s)))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	if ((r = bridge_plugin_ops.host->remove(bc, found, err)) < 0)
		return r;
	if ((r = overlay_vtep_remove(s.device, err)) < 0)
		return nr_error_wrap(err, r, "overlay");
	*found = true;
	return 0;
}

const struct cni_host_ops ovl_host_ops = {
	.object = overlay_object,
	.reapply = overlay_reapply,
	.remove = overlay_remove,
};
