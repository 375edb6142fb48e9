#include "link.h"

#include <errno.h>
#include <net/if.h>
#include <netlink/route/link.h>

DEFINE_PTR_CLEANUP(rtnl_link_putp, struct rtnl_link *, rtnl_link_put)

static int link_get(struct nlsock *s, const char *name, struct rtnl_link **ret, struct nr_error *err)
{
	int r;

	nlsock_reset(s);
	r = rtnl_link_get_kernel(s->sk, 0, name, ret);
	if (r < 0)
		return nlsock_error(s, r, err, "looking up link %s", name);
	return 0;
}

int link_set_up(struct nlsock *s, const char *name, bool up, struct nr_error *err)
{
	_cleanup_(rtnl_link_putp) struct rtnl_link *cur = NULL;
	_cleanup_(rtnl_link_putp) struct rtnl_link *chg = NULL;
	int r;

	if ((r = link_get(s, name, &cur, err)) < 0)
		return r;
	if (!(chg = rtnl_link_alloc()))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	if (up)
		rtnl_link_set_flags(chg, IFF_UP);
	else
		rtnl_link_unset_flags(chg, IFF_UP);
	nlsock_reset(s);
	r = rtnl_link_change(s->sk, cur, chg, 0);
	if (r < 0)
		return nlsock_error(s, r, err, "setting link %s %s", name, up ? "up" : "down");
	return 0;
}

int link_is_up(struct nlsock *s, const char *name, bool *ret_up, struct nr_error *err)
{
	_cleanup_(rtnl_link_putp) struct rtnl_link *cur = NULL;
	int r;

	if ((r = link_get(s, name, &cur, err)) < 0)
		return r;
	*ret_up = (rtnl_link_get_flags(cur) & IFF_UP) != 0;
	return 0;
}

int link_index(struct nlsock *s, const char *name, struct nr_error *err)
{
	_cleanup_(rtnl_link_putp) struct rtnl_link *cur = NULL;
	int r;

	if ((r = link_get(s, name, &cur, err)) < 0)
		return r;
	return rtnl_link_get_ifindex(cur);
}
