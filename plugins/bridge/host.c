/* The host side: the bridge, the host end of the veth pair, and the gateway addresses. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "br.h"
#include "nl/addr.h"
#include "nl/bridge.h"
#include "nl/sysctl.h"
#include "nl/veth.h"

/* Random names collide rarely; a few attempts make a collision a non-event. */
#define VETH_NAME_TRIES 5

static int random_veth_name(char buf[CNI_IFNAME_MAX + 1], struct nr_error *err)
{
	unsigned int v;

	if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
		return nr_error_set(err, CNI_ERR_INTERNAL, errno, "reading random bytes for a veth name: %m");
	snprintf(buf, CNI_IFNAME_MAX + 1, "veth%08x", v);
	return 0;
}

static int create_veth(struct nlsock *s, const struct br_conf *c, int br_index, int nsfd, const char *ifname,
		       char *ret_name, struct nr_error *err)
{
	int r = -EEXIST;

	for (int i = 0; i < VETH_NAME_TRIES && r == -EEXIST; i++) {
		if ((r = random_veth_name(ret_name, err)) < 0)
			return r;
		r = veth_create_peer_in_netns(s, ret_name, c->mtu, br_index, nsfd, ifname, c->mac, err);
		/* EEXIST on the container name is final; only our random host name is retried. */
		if (r == -EEXIST && link_index(s, ret_name, NULL) < 0)
			return r;
	}
	if (r == -EXFULL)
		return nr_error_set(err, CNI_ERR_NOT_AVAILABLE, EXFULL,
				    "bridge %s is full: a Linux bridge takes at most %d ports; attach further "
				    "containers to another network",
				    c->bridge, BRIDGE_MAX_PORTS);
	return r;
}

/* The port: no IPv6 of its own, up, and the flags the config asks for.
 * A bridge port's own IPv6 serves nothing (the containers' traffic is bridged below it,
 * and the host's is on the bridge device), but left on, each port gets a link-local
 * address and routes in the host's table, and bringing a port up walks that whole table
 * (rt6_sync_up): at 1000 ports a third of an ADD (docs/plugin-bridge.md).  Off before the
 * port is up, so it never starts. */
static int port_setup(struct nlsock *s, const struct br_conf *c, const char *veth, struct nr_error *err)
{
	int r;

	if ((r = sysctl_absent_ok(sysctl_if_write(AF_INET6, veth, "disable_ipv6", "1", err), err)) < 0 ||
	    (r = link_set_up(s, veth, true, err)) < 0)
		return r;
	if (c->hairpin && (r = link_set_hairpin(s, veth, true, err)) < 0)
		return r;
	if (c->port_isolation && (r = link_set_isolated(s, veth, true, err)) < 0)
		return r;
	return 0;
}

/* A bridge with no address of its own takes the lowest MAC among its ports, so the
 * gateway's MAC would change as containers come and go and the others' ARP entries would
 * point nowhere: a new bridge gets a fixed random locally administered address. */
static const char *new_bridge_mac(char buf[LINK_MAC_STRLEN])
{
	unsigned char b[6];

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		return NULL; /* the kernel's choice then */
	b[0] = (unsigned char)((b[0] & 0xfe) | 0x02);
	snprintf(buf, LINK_MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
	return buf;
}

int br_host_setup(struct nlsock *s, const struct br_conf *c, int nsfd, const char *ifname, struct br_host *ret,
		  struct nr_error *err)
{
	char mac[LINK_MAC_STRLEN];
	int r;

	if ((r = bridge_ensure(s, c->bridge, c->mtu, new_bridge_mac(mac), false, &ret->br_index, err)) < 0)
		return r;
	ret->br_created = r > 0;
	if (c->promisc && (r = link_set_promisc(s, c->bridge, err)) < 0)
		return r;
	if ((r = create_veth(s, c, ret->br_index, nsfd, ifname, ret->veth, err)) < 0) {
		ret->veth[0] = '\0';
		return nr_error_wrap(err, r, "creating the veth pair on bridge %s", c->bridge);
	}
	if ((r = port_setup(s, c, ret->veth, err)) < 0) {
		/* Deleting the host end takes the container end with it. */
		nr_error_wrap(err, r, "setting up port %s of bridge %s", ret->veth, c->bridge);
		link_delete(s, ret->veth, NULL);
		ret->veth[0] = '\0';
		return r;
	}
	return 0;
}

/* ---- gateway addresses on the bridge ---- */

#define MAX_STALE 16

struct addr_scan {
	const struct ip_prefix *want;
	bool found;
	struct ip_prefix stale[MAX_STALE];
	size_t n_stale;
};

static bool prefixes_overlap(const struct ip_prefix *a, const struct ip_prefix *b)
{
	return ip_prefix_contains(a, &b->addr) || ip_prefix_contains(b, &a->addr);
}

/* The reference's ensureAddr: one IPv4 address per bridge; IPv6 ones may coexist when
 * their subnets do not overlap.  Anything else in the way is "stale". */
static int addr_scan_one(const struct ip_prefix *p, void *arg)
{
	struct addr_scan *sc = arg;

	if (ip_addr_equal(&p->addr, &sc->want->addr) && p->len == sc->want->len) {
		sc->found = true;
		return 0;
	}
	if ((p->addr.family == AF_INET || prefixes_overlap(p, sc->want)) && sc->n_stale < MAX_STALE)
		sc->stale[sc->n_stale++] = *p;
	return 0;
}

static int ensure_addr(struct nlsock *s, const struct br_conf *c, int br_index, const struct ip_prefix *gw,
		       struct nr_error *err)
{
	struct addr_scan sc = { .want = gw };
	char a[IP_PREFIX_STRLEN], b[IP_PREFIX_STRLEN];
	int r;

	if ((r = addr_list(s, br_index, gw->addr.family, addr_scan_one, &sc, err)) < 0)
		return r;
	if (sc.found)
		return 0;
	for (size_t i = 0; i < sc.n_stale; i++) {
		if (!c->force_address)
			return nr_error_set(err, CNI_ERR_INTERNAL, EEXIST,
					    "bridge %s already has address %s, not %s (set forceAddress to replace it)",
					    c->bridge, ip_prefix_format(&sc.stale[i], a, sizeof(a)),
					    ip_prefix_format(gw, b, sizeof(b)));
		if ((r = addr_del(s, br_index, &sc.stale[i], err)) < 0)
			return r;
	}
	/* No DAD: the gateway is ours and must answer the moment the container starts. */
	return addr_add(s, br_index, gw, ADDR_EXIST_OK | ADDR_NODAD, err);
}

static int enable_forwarding(int family, struct nr_error *err)
{
	if (family == AF_INET)
		return sysctl_write("net/ipv4/ip_forward", "1", err);
	return sysctl_write("net/ipv6/conf/all/forwarding", "1", err);
}

int br_host_gateways(struct nlsock *s, const struct br_conf *c, int br_index, const struct cni_result *res,
		     struct nr_error *err)
{
	bool fwd4 = false, fwd6 = false;
	int r;

	if (!c->is_gw)
		return 0;
	for (size_t i = 0; i < res->n_ips; i++) {
		struct ip_prefix ip, gw;
		char t[IP_PREFIX_STRLEN];

		if (!res->ips[i].gateway || ip_prefix_parse(res->ips[i].address, &ip) < 0 ||
		    ip_addr_parse(res->ips[i].gateway, &gw.addr) < 0)
			continue;
		gw.len = ip.len;
		if ((r = ensure_addr(s, c, br_index, &gw, err)) < 0)
			return nr_error_wrap(err, r, "setting gateway %s on bridge %s",
					     ip_prefix_format(&gw, t, sizeof(t)), c->bridge);
		if (gw.addr.family == AF_INET)
			fwd4 = true;
		else
			fwd6 = true;
	}
	if ((fwd4 && (r = enable_forwarding(AF_INET, err)) < 0) || (fwd6 && (r = enable_forwarding(AF_INET6, err)) < 0))
		return nr_error_wrap(err, r, "enabling IP forwarding");
	return 0;
}

int br_host_macs(struct nlsock *s, const char *bridge, struct br_host *h, struct nr_error *err)
{
	int r;

	/* Read last: a bridge takes its MAC from its ports and addresses as they arrive. */
	if ((r = link_get_mac(s, bridge, h->br_mac, err)) < 0 || (r = link_get_mac(s, h->veth, h->veth_mac, err)) < 0)
		return r;
	return 0;
}

int br_host_check(struct nlsock *s, const char *bridge, int peer_index, struct nr_error *err)
{
	char kind[32];
	int r, br_index, master;

	if ((r = link_kind(s, bridge, kind, sizeof(kind), err)) < 0)
		return r;
	if (strcmp(kind, "bridge") != 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, EINVAL, "link %s is a %s, not a bridge", bridge,
				    *kind ? kind : "device");
	if ((br_index = link_index(s, bridge, err)) < 0)
		return br_index;
	if ((r = link_master_of(s, peer_index, &master, err)) < 0)
		return nr_error_wrap(err, r, "looking up the host end of the veth pair");
	if (master != br_index)
		return nr_error_set(err, CNI_ERR_INTERNAL, EINVAL,
				    "the host end of the veth pair (index %d) is not attached to bridge %s", peer_index,
				    bridge);
	return 0;
}
