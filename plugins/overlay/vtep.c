/* The VXLAN device of an overlay network and its per-remote entries (overlay.h's kernel
 * layout), kept in step with what the agent learned: made when missing, diffed against
 * the wanted set (plan.c) and only the difference changed, so a re-apply after a restart
 * or every 30 s touches nothing on an intact host. */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>

#include "nl/addr.h"
#include "nl/link.h"
#include "nl/neigh.h"
#include "nl/nldump.h"
#include "nl/route.h"
#include "nl/vxlan.h"
#include "ovl.h"

static bool vxlan_same(const struct vxlan_conf *a, const struct vxlan_conf *b)
{
	return a->vni == b->vni && a->port == b->port && ip_addr_equal(&a->local, &b->local) &&
	       (!b->underlay_ifindex || a->underlay_ifindex == b->underlay_ifindex);
}

/* The device as c says: kept when it is, made again when its VNI, port, local address
 * or underlay changed (entries go with the old one; the next apply puts them back). */
static int device_ensure(struct nlsock *s, const char *name, const struct vxlan_conf *c, struct nr_error *err)
{
	struct vxlan_conf now;
	int r = vxlan_get(s, name, &now, err);

	if (r == 0 && vxlan_same(&now, c))
		return 0;
	if (r == -EMEDIUMTYPE)
		return nr_error_wrap(err, r, "not using %s as the overlay's VXLAN device", name);
	if (r < 0 && r != -ENODEV)
		return r;
	if (r == 0 && (r = link_delete(s, name, err)) < 0)
		return r;
	nr_error_clear(err);
	return vxlan_create(s, name, c, err);
}

/* SUBNET.0/32 and no other IPv4 address (a subnet this host held before). */
struct addr_walk {
	struct nlsock *s;
	int ifindex;
	const struct ip_prefix *keep;
	struct nr_error *err;
};

static int drop_other(const struct ip_prefix *p, void *arg)
{
	struct addr_walk *w = arg;

	if (p->addr.family != AF_INET || (p->len == w->keep->len && ip_addr_equal(&p->addr, &w->keep->addr)))
		return 0;
	return addr_del(w->s, w->ifindex, p, w->err) < 0 ? -1 : 0;
}

static int address_ensure(struct nlsock *s, int ifindex, const struct overlay_subnet *o, struct nr_error *err)
{
	struct ip_prefix own = { .addr = o->subnet.addr, .len = 32 };
	struct addr_walk w = { s, ifindex, &own, err };
	int r;

	if ((r = addr_add(s, ifindex, &own, ADDR_EXIST_OK, err)) < 0)
		return r;
	r = addr_list(s, ifindex, AF_INET, drop_other, &w, err);
	return r == -1 ? -EIO : r;
}

int overlay_vtep_ensure(const struct overlay_subnet *o, int underlay_ifindex, uint8_t mac[6], struct nr_error *err)
{
	_cleanup_nlsock_ struct nlsock *s = NULL;
	const struct vxlan_conf c = {
		.vni = o->vni,
		.local = o->vtep,
		.port = o->port ? o->port : OVERLAY_DEFAULT_PORT,
		.mtu = (unsigned int)o->mtu,
		.underlay_ifindex = underlay_ifindex,
	};
	struct link_attrs a;
	int r, ifindex;

	if ((r = nlsock_open(&s, err)) < 0)
		return r;
	if ((r = device_ensure(s, o->device, &c, err)) < 0 || (r = link_get_attrs(s, o->device, &a, err)) < 0)
		goto fail;
	ifindex = a.ifindex;
	if ((a.mtu != c.mtu && (r = link_set_mtu(s, o->device, c.mtu, err)) < 0) ||
	    (r = address_ensure(s, ifindex, o, err)) < 0 ||
	    (!(a.flags & IFF_UP) && (r = link_set_up(s, o->device, true, err)) < 0))
		goto fail;
	if (!a.has_mac || link_mac_parse(a.mac, mac) < 0) {
		r = nr_error_set(err, CNI_ERR_INTERNAL, EIO, "%s has no MAC address", o->device);
		goto fail;
	}
	return 0;
fail:
	return nr_error_wrap(err, r, "VXLAN device %s (VNI %u)", o->device, o->vni);
}

/* The device's current entries: routes with a gateway out of it, its permanent
 * neighbours, its FDB entries with a remote. */
struct cur_walk {
	int ifindex;
	struct ovl_entries *e;
};

static int on_route(const struct nldump_route *rt, void *arg)
{
	struct cur_walk *w = arg;

	if (rt->ifindex != w->ifindex || rt->dst.addr.family != AF_INET || !rt->has_gw || rt->type != RTN_UNICAST)
		return 0;
	return ovl_entries_add_route(w->e, &rt->dst, &rt->gw) < 0 ? -ENOMEM : 0;
}

static int on_neigh(const struct ip_addr *ip, const uint8_t mac[6], void *arg)
{
	struct cur_walk *w = arg;

	if (ip->family != AF_INET)
		return 0;
	return ovl_entries_add_neigh(w->e, ip, mac) < 0 ? -ENOMEM : 0;
}

static int on_fdb(const uint8_t mac[6], const struct ip_addr *dst, void *arg)
{
	struct cur_walk *w = arg;

	return ovl_entries_add_fdb(w->e, mac, dst) < 0 ? -ENOMEM : 0;
}

static int entries_read(struct nlsock *s, int ifindex, struct ovl_entries *e, struct nr_error *err)
{
	struct cur_walk w = { ifindex, e };
	int r;

	if ((r = nldump_routes(s, on_route, &w, err)) == 0 && (r = neigh_list(s, ifindex, on_neigh, &w, err)) == 0)
		r = fdb_list(s, ifindex, on_fdb, &w, err);
	if (r == -ENOMEM)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	return r;
}

/* New and changed entries first (FDB, neighbour, route: a route is usable once the
 * others exist), then the removals. */
static int entries_apply(struct nlsock *s, int ifindex, const struct ovl_entries *set, const struct ovl_entries *del,
			 struct nr_error *err)
{
	int r = 0;

	for (size_t i = 0; r >= 0 && i < set->n_fdbs; i++)
		r = fdb_replace(s, ifindex, set->fdbs[i].mac, &set->fdbs[i].dst, err);
	for (size_t i = 0; r >= 0 && i < set->n_neighs; i++)
		r = neigh_replace(s, ifindex, &set->neighs[i].ip, set->neighs[i].mac, err);
	for (size_t i = 0; r >= 0 && i < set->n_routes; i++)
		r = route_replace_onlink(s, ifindex, &set->routes[i].dst, &set->routes[i].gw, err);
	for (size_t i = 0; r >= 0 && i < del->n_routes; i++)
		r = route_del(s, ifindex, &del->routes[i].dst, &del->routes[i].gw, err);
	for (size_t i = 0; r >= 0 && i < del->n_neighs; i++)
		r = neigh_del(s, ifindex, &del->neighs[i].ip, err);
	for (size_t i = 0; r >= 0 && i < del->n_fdbs; i++)
		r = fdb_del(s, ifindex, del->fdbs[i].mac, &del->fdbs[i].dst, err);
	return r;
}

int overlay_remotes_apply(const struct overlay_subnet *o, const struct overlay_remote *remotes, size_t n,
			  struct nr_error *err)
{
	_cleanup_nlsock_ struct nlsock *s = NULL;
	struct ovl_entries cur = { 0 }, set = { 0 }, del = { 0 };
	int r, ifindex;

	if ((r = nlsock_open(&s, err)) < 0)
		return r;
	if ((ifindex = link_index(s, o->device, err)) < 0)
		return nr_error_wrap(err, ifindex, "overlay %s", o->device);
	if ((r = entries_read(s, ifindex, &cur, err)) < 0)
		goto out;
	if (ovl_plan(o, remotes, n, &cur, &set, &del) < 0) {
		r = nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
		goto out;
	}
	r = entries_apply(s, ifindex, &set, &del, err);
out:
	ovl_entries_free(&cur);
	ovl_entries_free(&set);
	ovl_entries_free(&del);
	return r < 0 ? nr_error_wrap(err, r, "overlay %s", o->device) : 0;
}

int overlay_vtep_remove(const char *device, struct nr_error *err)
{
	_cleanup_nlsock_ struct nlsock *s = NULL;
	struct vxlan_conf now;
	int r;

	if ((r = nlsock_open(&s, err)) < 0)
		return r;
	r = vxlan_get(s, device, &now, err);
	if (r == -ENODEV) {
		nr_error_clear(err);
		return 0; /* gone already: what was asked */
	}
	if (r < 0)
		return nr_error_wrap(err, r, "not removing %s", device);
	return link_delete(s, device, err);
}
