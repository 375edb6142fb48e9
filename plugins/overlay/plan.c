/* The diff between the forwarding entries a VXLAN device has and those the remotes want
 * (overlay.h's kernel layout), without the kernel, so it is unit-tested on its own. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ovl.h"

void ovl_entries_free(struct ovl_entries *e)
{
	free(e->routes);
	free(e->neighs);
	free(e->fdbs);
	*e = (struct ovl_entries){ 0 };
}

/* Grow *v (of *n elements of size sz) by one zeroed element; its address or NULL. */
static void *grow(void **v, size_t *n, size_t sz)
{
	char *p = realloc(*v, (*n + 1) * sz);

	if (!p)
		return NULL;
	*v = p;
	memset(p + *n * sz, 0, sz);
	return p + (*n)++ * sz;
}

int ovl_entries_add_route(struct ovl_entries *e, const struct ip_prefix *dst, const struct ip_addr *gw)
{
	struct ovl_route *x = grow((void **)&e->routes, &e->n_routes, sizeof(*x));

	if (!x)
		return -ENOMEM;
	x->dst = *dst;
	x->gw = *gw;
	return 0;
}

int ovl_entries_add_neigh(struct ovl_entries *e, const struct ip_addr *ip, const uint8_t mac[6])
{
	struct ovl_neigh *x = grow((void **)&e->neighs, &e->n_neighs, sizeof(*x));

	if (!x)
		return -ENOMEM;
	x->ip = *ip;
	memcpy(x->mac, mac, 6);
	return 0;
}

int ovl_entries_add_fdb(struct ovl_entries *e, const uint8_t mac[6], const struct ip_addr *dst)
{
	struct ovl_fdb *x = grow((void **)&e->fdbs, &e->n_fdbs, sizeof(*x));

	if (!x)
		return -ENOMEM;
	memcpy(x->mac, mac, 6);
	x->dst = *dst;
	return 0;
}

static bool prefixes_overlap(const struct ip_prefix *a, const struct ip_prefix *b)
{
	return ip_prefix_contains(a, &b->addr) || ip_prefix_contains(b, &a->addr);
}

static bool mac_unicast(const uint8_t m[6])
{
	static const uint8_t zero[6];

	return !(m[0] & 1) && memcmp(m, zero, 6) != 0;
}

bool ovl_remote_valid(const struct overlay_subnet *s, const struct overlay_remote *r)
{
	struct ip_prefix net = ip_prefix_network(&r->subnet);

	return r->subnet.addr.family == AF_INET && r->vtep.family == AF_INET && r->subnet.len >= s->network.len &&
	       r->subnet.len <= 30 && ip_addr_equal(&net.addr, &r->subnet.addr) &&
	       ip_prefix_contains(&s->network, &r->subnet.addr) && !prefixes_overlap(&r->subnet, &s->subnet) &&
	       !ip_addr_equal(&r->vtep, &s->vtep) && mac_unicast(r->mac);
}

/* Whether r collides with a remote already taken into e (one route, neighbour and FDB
 * entry each, at the same index): an overlapping subnet, the same
 * VTEP or the same MAC (one FDB entry each). */
static bool collides(const struct ovl_entries *e, const struct overlay_remote *r)
{
	for (size_t k = 0; k < e->n_routes; k++)
		if (prefixes_overlap(&e->routes[k].dst, &r->subnet) || ip_addr_equal(&e->fdbs[k].dst, &r->vtep) ||
		    !memcmp(e->fdbs[k].mac, r->mac, 6))
			return true;
	return false;
}

static bool route_eq(const struct ovl_route *a, const struct ovl_route *b)
{
	return a->dst.len == b->dst.len && ip_addr_equal(&a->dst.addr, &b->dst.addr) && ip_addr_equal(&a->gw, &b->gw);
}

static bool route_key_eq(const struct ovl_route *a, const struct ovl_route *b)
{
	return a->dst.len == b->dst.len && ip_addr_equal(&a->dst.addr, &b->dst.addr);
}

static bool neigh_key_eq(const struct ovl_neigh *a, const struct ovl_neigh *b)
{
	return ip_addr_equal(&a->ip, &b->ip);
}

static bool neigh_eq(const struct ovl_neigh *a, const struct ovl_neigh *b)
{
	return ip_addr_equal(&a->ip, &b->ip) && !memcmp(a->mac, b->mac, 6);
}

static bool fdb_eq(const struct ovl_fdb *a, const struct ovl_fdb *b)
{
	return !memcmp(a->mac, b->mac, 6) && ip_addr_equal(&a->dst, &b->dst);
}

/* The entries of the usable remotes. */
static int wanted_entries(const struct overlay_subnet *s, const struct overlay_remote *r, size_t n,
			  struct ovl_entries *ret)
{
	for (size_t i = 0; i < n; i++) {
		/* The remote's gateway, SUBNET.0, is the address its VXLAN device carries. */
		struct ip_addr gw = r[i].subnet.addr;

		/* Of two that collide the first counts: garbage never shadows a good one, as it
		 * is not taken in at all. */
		if (!ovl_remote_valid(s, &r[i]) || collides(ret, &r[i]))
			continue;
		if (ovl_entries_add_route(ret, &r[i].subnet, &gw) < 0 ||
		    ovl_entries_add_neigh(ret, &gw, r[i].mac) < 0 || ovl_entries_add_fdb(ret, r[i].mac, &r[i].vtep) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Each of a[0..na) not in b[0..nb) by eq: add_expr, with i_ its index. */
#define DIFF(a, na, b, nb, eq, add_expr)                        \
	for (size_t i_ = 0; i_ < (na); i_++) {                  \
		bool found_ = false;                            \
		for (size_t j_ = 0; j_ < (nb) && !found_; j_++) \
			found_ = eq(&(a)[i_], &(b)[j_]);        \
		if (!found_ && (add_expr) < 0)                  \
			goto nomem;                             \
	}

int ovl_plan(const struct overlay_subnet *s, const struct overlay_remote *r, size_t n, const struct ovl_entries *cur,
	     struct ovl_entries *set, struct ovl_entries *del)
{
	struct ovl_entries want = { 0 }, add = { 0 }, rm = { 0 };

	if (wanted_entries(s, r, n, &want) < 0)
		goto nomem;
	DIFF(want.routes, want.n_routes, cur->routes, cur->n_routes, route_eq,
	     ovl_entries_add_route(&add, &want.routes[i_].dst, &want.routes[i_].gw));
	DIFF(want.neighs, want.n_neighs, cur->neighs, cur->n_neighs, neigh_eq,
	     ovl_entries_add_neigh(&add, &want.neighs[i_].ip, want.neighs[i_].mac));
	DIFF(want.fdbs, want.n_fdbs, cur->fdbs, cur->n_fdbs, fdb_eq,
	     ovl_entries_add_fdb(&add, want.fdbs[i_].mac, &want.fdbs[i_].dst));
	/* A current route or neighbour with the key of a wanted one (the same subnet, the same
	 * address) is overwritten by its replace: deleting it after would delete the new one.
	 * FDB entries are deleted with their remote, so an old one never hits a new one. */
	DIFF(cur->routes, cur->n_routes, want.routes, want.n_routes, route_key_eq,
	     ovl_entries_add_route(&rm, &cur->routes[i_].dst, &cur->routes[i_].gw));
	DIFF(cur->neighs, cur->n_neighs, want.neighs, want.n_neighs, neigh_key_eq,
	     ovl_entries_add_neigh(&rm, &cur->neighs[i_].ip, cur->neighs[i_].mac));
	DIFF(cur->fdbs, cur->n_fdbs, want.fdbs, want.n_fdbs, fdb_eq,
	     ovl_entries_add_fdb(&rm, cur->fdbs[i_].mac, &cur->fdbs[i_].dst));
	ovl_entries_free(&want);
	*set = add;
	*del = rm;
	return 0;
nomem:
	ovl_entries_free(&want);
	ovl_entries_free(&add);
	ovl_entries_free(&rm);
	return -ENOMEM;
}
