#include "ifb.h"

#include <errno.h>
#include <netlink/route/link.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "link.h"
#include "nl_cleanup.h"

int ifb_create(struct nlsock *s, const char *name, unsigned int mtu, unsigned int txqlen, bool up, int *ret_ifindex,
	       struct nr_error *err)
{
	_cleanup_(rtnl_link_putp) struct rtnl_link *l = NULL;
	int r;

	if (!name || !*name || strlen(name) >= IF_NAMESIZE || strchr(name, '/'))
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "invalid link name \"%s\"", name ? name : "");
	if (!(l = rtnl_link_alloc()) || rtnl_link_set_type(l, "ifb") < 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	rtnl_link_set_name(l, name);
	if (up)
		rtnl_link_set_flags(l, IFF_UP);
	rtnl_link_set_txqlen(l, txqlen);
	/* One queue each way: see veth.c (a queue per CPU only to trim them afterwards). */
	rtnl_link_set_num_tx_queues(l, 1);
	rtnl_link_set_num_rx_queues(l, 1);
	if (mtu)
		rtnl_link_set_mtu(l, mtu);
	nlsock_reset(s);
	r = rtnl_link_add(s->sk, l, NLM_F_CREATE | NLM_F_EXCL);
	if (r < 0)
		return nlsock_error(s, r, err, "creating ifb link %s", name);
	r = link_index(s, name, err);
	if (r < 0)
		return r;
	*ret_ifindex = r;
	return 0;
}

int link_shape_of(struct nlsock *s, int ifindex, struct link_shape *ret, struct nr_error *err)
{
	_cleanup_(rtnl_link_putp) struct rtnl_link *l = NULL;
	const char *name;
	int r;

	nlsock_reset(s);
	if ((r = rtnl_link_get_kernel(s->sk, ifindex, NULL, &l)) < 0)
		return nlsock_error(s, r, err, "looking up link with index %d", ifindex);
	name = rtnl_link_get_name(l);
	snprintf(ret->name, sizeof(ret->name), "%s", name ? name : "");
	ret->mtu = rtnl_link_get_mtu(l);
	ret->txqlen = rtnl_link_get_txqlen(l);
	return 0;
}
