#include "vxlan.h"

#include <errno.h>
#include <net/if.h>
#include <netlink/route/link.h>
#include <netlink/route/link/vxlan.h>
#include <string.h>
#include <sys/socket.h>

#include "link.h"
#include "nl_cleanup.h"

#define VXLAN_VNI_MAX 0xffffffu

int vxlan_create(struct nlsock *s, const char *name, const struct vxlan_conf *c, struct nr_error *err)
{
	_cleanup_(rtnl_link_putp) struct rtnl_link *l = NULL;
	_cleanup_(nl_addr_putp) struct nl_addr *local = NULL;
	bool eexist;
	int r;

	if (!name || !*name || strlen(name) >= IFNAMSIZ || strchr(name, '/'))
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "invalid VXLAN link name \"%s\"",
				    name ? name : "");
	if (c->vni > VXLAN_VNI_MAX || c->local.family != AF_INET || !c->port)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				    "VXLAN %s: VNI %u, local address or port %u out of range", name, c->vni, c->port);
	if (!(l = rtnl_link_vxlan_alloc()) || !(local = nl_addr_build(AF_INET, c->local.bytes, 4)))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	rtnl_link_set_name(l, name);
	if (c->mtu)
		rtnl_link_set_mtu(l, c->mtu);
	if ((r = rtnl_link_vxlan_set_id(l, c->vni)) < 0 || (r = rtnl_link_vxlan_set_local(l, local)) < 0 ||
	    (r = rtnl_link_vxlan_set_port(l, c->port)) < 0 || (r = rtnl_link_vxlan_set_learning(l, 0)) < 0 ||
	    (c->underlay_ifindex > 0 && (r = rtnl_link_vxlan_set_link(l, (uint32_t)c->underlay_ifindex)) < 0))
		return nr_error_set(err, CNI_ERR_INTERNAL, EINVAL, "VXLAN %s: %s", name, nl_geterror(r));
	nlsock_reset(s);
	r = rtnl_link_add(s->sk, l, NLM_F_CREATE | NLM_F_EXCL);
	if (r >= 0)
		return 0;
	/* EEXIST is either the name or, from the VXLAN driver, another device with this VNI
	 * and port (vxlan_vni_in_use): say which. */
	eexist = s->last_errno == EEXIST || (!s->last_errno && r == -NLE_EXIST);
	if (eexist && link_index(s, name, NULL) >= 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, EEXIST, "creating VXLAN %s: a link of that name exists",
				    name);
	if (eexist)
		return nlsock_error(s, r, err, "creating VXLAN %s: another VXLAN device has VNI %u on UDP port %u",
				    name, c->vni, c->port);
	return nlsock_error(s, r, err, "creating VXLAN %s (VNI %u, port %u)", name, c->vni, c->port);
}

int vxlan_get(struct nlsock *s, const char *name, struct vxlan_conf *ret, struct nr_error *err)
{
	_cleanup_(rtnl_link_putp) struct rtnl_link *l = NULL;
	struct nl_addr *local = NULL;
	struct vxlan_conf c = { 0 };
	uint32_t v;
	const char *kind;
	int r;

	nlsock_reset(s);
	if ((r = rtnl_link_get_kernel(s->sk, 0, name, &l)) < 0) {
		if (s->last_errno == ENODEV || r == -NLE_OBJ_NOTFOUND || r == -NLE_NODEV)
			return nr_error_set(err, CNI_ERR_INTERNAL, ENODEV, "no link %s", name);
		return nlsock_error(s, r, err, "looking up link %s", name);
	}
	kind = rtnl_link_get_type(l);
	if (!kind || strcmp(kind, "vxlan") != 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, EMEDIUMTYPE, "link %s is not a VXLAN link (it is %s)", name,
				    kind ? kind : "a device without a kind");
	if (rtnl_link_vxlan_get_id(l, &c.vni) < 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, EIO, "VXLAN %s without a VNI", name);
	if (rtnl_link_vxlan_get_port(l, &v) == 0)
		c.port = (uint16_t)v;
	if (rtnl_link_vxlan_get_link(l, &v) == 0)
		c.underlay_ifindex = (int)v;
	if (rtnl_link_vxlan_get_local(l, &local) == 0 && local) {
		if (nl_addr_get_family(local) == AF_INET && nl_addr_get_len(local) == 4) {
			c.local.family = AF_INET;
			memcpy(c.local.bytes, nl_addr_get_binary_addr(local), 4);
		}
		nl_addr_put(local);
	}
	c.mtu = rtnl_link_get_mtu(l);
	*ret = c;
	return 0;
}
