/* Veth pairs between a lab's nodes (lab_link.h), straight from one namespace into the
 * other, as `ip link add A type veth peer name B netns N` does. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine/rt_error.h"
#include "lab/lab_link.h"
#include "lab/lab_state.h"
#include "nl/link.h"
#include "nl/netns.h"
#include "nl/veth.h"

static int open_sock(void *arg, struct nr_error *err)
{
	return nlsock_open(arg, err);
}

int lab_ns_open(const char *path, struct lab_ns *ret, struct nr_error *err)
{
	struct lab_ns ns = { .fd = -1, .host = !path };
	int r;

	if (path) {
		if ((r = netns_open(path, &ns.fd, err)) < 0)
			return r;
		r = netns_run(ns.fd, open_sock, &ns.s, err);
	} else {
		if ((ns.fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) < 0)
			return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot open our network namespace: %s",
					    strerror(errno));
		r = nlsock_open(&ns.s, err);
	}
	if (r < 0) {
		lab_ns_close(&ns);
		return r;
	}
	*ret = ns;
	return 0;
}

void lab_ns_close(struct lab_ns *ns)
{
	if (ns->s)
		nlsock_close(ns->s);
	if (ns->fd >= 0)
		close(ns->fd);
	ns->s = NULL;
	ns->fd = -1;
}

const char *lab_endpoint_name(const struct lab_topo *t, const struct lab_endpoint *e, char *buf, size_t len)
{
	snprintf(buf, len, "%s:%s", t->nodes[e->node].name, e->ifname);
	return buf;
}

/* 1 when the link ifname is in ns, 0 when not. */
static int has_link(struct lab_ns *ns, const char *ifname, struct nr_error *err)
{
	int r = link_index(ns->s, ifname, err);

	if (r == -ENODEV) {
		nr_error_clear(err);
		return 0;
	}
	return r < 0 ? r : 1;
}

int lab_link_exists(const struct lab_topo *t, const struct lab_link *l, struct lab_ns *a, bool a_new, struct lab_ns *b,
		    bool b_new, struct nr_error *err)
{
	char na[LAB_ENDPOINT_MAX], nb[LAB_ENDPOINT_MAX];
	int ra, rb, r;

	if ((ra = has_link(a, l->a.ifname, err)) < 0 || (rb = has_link(b, l->b.ifname, err)) < 0)
		return ra < 0 ? ra : rb;
	if (ra == rb)
		return ra;
	if ((ra && b_new) || (rb && a_new)) {
		struct lab_ns *left = ra ? a : b;
		const char *ifname = ra ? l->a.ifname : l->b.ifname;
		bool veth_out = false;
		/* A veth whose peer is in another namespace, as the pair we made was: not a
		 * link of the host's that happens to have the name. */
		if ((r = link_veth_peer_elsewhere(left->s, ifname, &veth_out, err)) < 0 ||
		    (veth_out && (r = lab_link_delete(left, ifname, err)) < 0))
			return nr_error_wrap(err, r, "link %s -- %s: the end left from %s's previous container",
					     lab_endpoint_name(t, &l->a, na, sizeof(na)),
					     lab_endpoint_name(t, &l->b, nb, sizeof(nb)),
					     t->nodes[ra ? l->b.node : l->a.node].name);
		if (veth_out)
			return 0;
	}
	lab_endpoint_name(t, &l->a, na, sizeof(na));
	lab_endpoint_name(t, &l->b, nb, sizeof(nb));
	return nr_error_set(err, RT_ERR_CONFLICT, EEXIST, "link %s -- %s: %s exists already, %s does not", na, nb,
			    ra ? na : nb, ra ? nb : na);
}

/* An end's settings once both exist: its MAC (the peer's was given at birth), its bridge,
 * up. */
static int end_finish(struct lab_ns *ns, const struct lab_endpoint *e, bool set_mac, struct nr_error *err)
{
	int r;

	if (set_mac && e->mac && (r = link_set_mac(ns->s, e->ifname, e->mac, err)) < 0)
		return r;
	if (ns->bridge > 0 && (r = link_set_master(ns->s, e->ifname, ns->bridge, err)) < 0)
		return r;
	return link_set_up(ns->s, e->ifname, true, err);
}

int lab_link_create(const struct lab_topo *t, const struct lab_link *l, struct lab_ns *a, struct lab_ns *b,
		    struct nr_error *err)
{
	char na[LAB_ENDPOINT_MAX], nb[LAB_ENDPOINT_MAX];
	int r;

	lab_endpoint_name(t, &l->a, na, sizeof(na));
	lab_endpoint_name(t, &l->b, nb, sizeof(nb));
	r = veth_create_peer_in_netns(a->s, l->a.ifname, l->mtu > 0 ? (unsigned)l->mtu : LAB_DEFAULT_MTU, 0, b->fd,
				      l->b.ifname, l->b.mac, err);
	if (r < 0)
		return nr_error_wrap(err, r, "link %s -- %s", na, nb);
	if ((r = end_finish(a, &l->a, true, err)) < 0 || (r = end_finish(b, &l->b, false, err)) < 0) {
		nr_error_wrap(err, r, "link %s -- %s", na, nb);
		lab_link_delete(a, l->a.ifname, NULL);
		return r;
	}
	return 0;
}

int lab_link_delete(struct lab_ns *a, const char *ifname, struct nr_error *err)
{
	return link_delete(a->s, ifname, err);
}
