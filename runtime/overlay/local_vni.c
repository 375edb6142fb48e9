/* Whether a VXLAN device of this host already uses a VNI (create refuses it: the kernel
 * would refuse a second device with the same VNI and port). */
#include <errno.h>
#include <netlink/route/link.h>
#include <netlink/route/link/vxlan.h>
#include <stdio.h>

#include "local_vni.h"
#include "nl/nlsock.h"

int ovl_local_vni_user(uint32_t vni, char *buf, size_t len, struct nr_error *err)
{
	_cleanup_nlsock_ struct nlsock *sk = NULL;
	struct nl_cache *links = NULL;
	int r, found = 0;

	if ((r = nlsock_open(&sk, err)) < 0)
		return r;
	if ((r = rtnl_link_alloc_cache(sk->sk, AF_UNSPEC, &links)) < 0)
		return nlsock_error(sk, r, err, "cannot list the host's links");
	for (struct nl_object *o = nl_cache_get_first(links); o && !found; o = nl_cache_get_next(o)) {
		struct rtnl_link *l = (struct rtnl_link *)o;
		uint32_t id;
		if (rtnl_link_is_vxlan(l) && rtnl_link_vxlan_get_id(l, &id) == 0 && id == vni) {
			snprintf(buf, len, "%s", rtnl_link_get_name(l));
			found = 1;
		}
	}
	nl_cache_free(links);
	return found;
}
