/* topology.links: point-to-point veth links, in containerlab's brief form
 * (endpoints: ["r1:eth1", "r2:eth1"]) or its extended veth form (type: veth; endpoints
 * as {node, interface, mac}).  Node names are resolved later, by tp_check. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/netdef_plan.h"
#include "topology_internal.h"

static const char *const link_keys[] = { "endpoints", "mtu", "type", NULL };
static const char *const link_refused[] = { "vars", "labels", NULL };
static const char *const ep_keys[] = { "node", "interface", "mac", NULL };
static const char *const ep_refused[] = { "vars", NULL };

void lab_link_clear(struct lab_link *l)
{
	free(l->a.mac);
	free(l->b.mac);
	lab_strv_free(l->a.addrs);
	lab_strv_free(l->b.addrs);
	*l = (struct lab_link){ 0 };
}

struct ep_raw {
	yaml_node_t *node, *iface, *mac;
};

static int ep_key(struct tp *p, int key, yaml_node_t *k, yaml_node_t *v, void *arg)
{
	struct ep_raw *e = arg;
	yaml_node_t **slot[] = { &e->node, &e->iface, &e->mac };

	*slot[key] = v;
	return 0;
}

/* "aa:bb:cc:dd:ee:ff", unicast and not all zeros (the kernel refuses either on a veth). */
static int mac_parse(struct tp *p, yaml_node_t *v, char **ret)
{
	unsigned b[6];
	const char *s;
	int n = 0, r;

	if ((r = tp_scalar(p, v, "mac", &s)) < 0)
		return r;
	if (strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &n) != 6 || n != 17 ||
	    s[2] != ':' || s[5] != ':' || s[8] != ':' || s[11] != ':' || s[14] != ':')
		return tp_fail(p, v, "mac '%s': expected six hex bytes, aa:bb:cc:dd:ee:ff", s);
	if (b[0] & 1)
		return tp_fail(p, v, "mac '%s' is a multicast address; an interface needs a unicast one", s);
	if (!(b[0] | b[1] | b[2] | b[3] | b[4] | b[5]))
		return tp_fail(p, v, "mac '%s': all zeros is no address", s);
	if (asprintf(ret, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]) < 0)
		return tp_nomem(p);
	return 0;
}

static int ifname_set(struct tp *p, yaml_node_t *v, const char *node, const char *ifname, struct lab_endpoint *ep)
{
	if (strlen(ifname) >= LAB_IFNAME_MAX)
		return tp_fail(p, v,
			       "interface name '%s' of node '%s' is %zu characters long; a network interface's name has at most %d",
			       ifname, node, strlen(ifname), LAB_IFNAME_MAX - 1);
	if (!netdef_ifname_valid(ifname))
		return tp_fail(p, v, "interface name '%s' of node '%s' is not valid (no '/', ':', spaces, '.' or '..')",
			       ifname, node);
	snprintf(ep->ifname, sizeof(ep->ifname), "%s", ifname);
	return 0;
}

/* containerlab's endpoint pseudo-nodes other than "host": links we do not make. */
static int node_name_check(struct tp *p, yaml_node_t *v, const char *node)
{
	if (!strcmp(node, "mgmt-net") || !strcmp(node, "macvlan"))
		return tp_fail(p, v, "endpoint '%s:...': containerlab's %s links are not supported (docs/labs.md)",
			       node, node);
	if (!*node)
		return tp_fail(p, v, "an endpoint without a node name");
	return 0;
}

static int endpoint_read(struct tp *p, yaml_node_t *v, struct lab_endpoint *ep, char **ret_node)
{
	_cleanup_free_ char *node = NULL;
	const char *s, *ifname;
	int r;

	if (v->type == YAML_SCALAR_NODE) {
		if ((r = tp_scalar(p, v, "endpoints", &s)) < 0)
			return r;
		const char *colon = strchr(s, ':');
		if (!colon || strchr(colon + 1, ':'))
			return tp_fail(p, v, "endpoint '%s': expected NODE:INTERFACE", s);
		if (!(node = strndup(s, (size_t)(colon - s))))
			return tp_nomem(p);
		ifname = colon + 1;
	} else {
		struct ep_raw e = { 0 };
		if ((r = tp_map_walk(p, v, "endpoint", &(struct tp_keys){ ep_keys, ep_refused }, ep_key, &e)) < 0)
			return r;
		if (!e.node || !e.iface)
			return tp_fail(p, v, "endpoint: needs node and interface");
		if ((r = tp_scalar(p, e.node, "endpoint node", &s)) < 0 ||
		    (r = tp_scalar(p, e.iface, "endpoint interface", &ifname)) < 0)
			return r;
		if (!(node = strdup(s)))
			return tp_nomem(p);
		if (e.mac && !tp_is_null(e.mac) && (r = mac_parse(p, e.mac, &ep->mac)) < 0)
			return r;
	}
	if ((r = node_name_check(p, v, node)) < 0 || (r = ifname_set(p, v, node, ifname, ep)) < 0)
		return r;
	*ret_node = TAKE_PTR(node);
	return 0;
}

struct link_raw {
	yaml_node_t *endpoints, *mtu, *type;
};

static int link_key(struct tp *p, int key, yaml_node_t *k, yaml_node_t *v, void *arg)
{
	struct link_raw *l = arg;
	yaml_node_t **slot[] = { &l->endpoints, &l->mtu, &l->type };

	*slot[key] = v;
	return 0;
}

static int mtu_parse(struct tp *p, yaml_node_t *v, int *ret)
{
	const char *s;
	char *end;
	long m;
	int r;

	if ((r = tp_scalar(p, v, "mtu", &s)) < 0)
		return r;
	errno = 0;
	m = strtol(s, &end, 10);
	/* 68: IPv4's minimum, the kernel's floor for a veth; 65535: its ceiling. */
	if (errno || end == s || *end || m < 68 || m > 65535)
		return tp_fail(p, v, "mtu '%s': expected a number from 68 to 65535", s);
	*ret = (int)m;
	return 0;
}

static int link_read(struct tp *p, yaml_node_t *v, size_t i)
{
	struct lab_link *l = &p->t->links[i];
	struct link_raw raw = { 0 };
	yaml_node_item_t *items;
	const char *type;
	int r;

	l->line = tp_line(v);
	l->mtu = LAB_DEFAULT_MTU;
	if (v->type != YAML_MAPPING_NODE)
		return tp_fail(p, v, "topology.links: each link is a map (endpoints: [\"a:eth1\", \"b:eth1\"])");
	/* The type first: other types have keys of their own (endpoint, host-interface, vni). */
	for (yaml_node_pair_t *pr = v->data.mapping.pairs.start; pr < v->data.mapping.pairs.top; pr++) {
		yaml_node_t *kn = tp_node(p, pr->key), *vn = tp_node(p, pr->value);
		if (kn->type != YAML_SCALAR_NODE || strcmp((const char *)kn->data.scalar.value, "type") ||
		    tp_is_null(vn))
			continue;
		if ((r = tp_scalar(p, vn, "link type", &type)) < 0)
			return r;
		if (strcmp(type, "veth"))
			return tp_fail(p, vn, "link type '%s' is not supported (veth)", type);
	}
	if ((r = tp_map_walk(p, v, "link", &(struct tp_keys){ link_keys, link_refused }, link_key, &raw)) < 0)
		return r;
	if (raw.mtu && (r = mtu_parse(p, raw.mtu, &l->mtu)) < 0)
		return r;
	if (!raw.endpoints)
		return tp_fail(p, v, "link: needs endpoints");
	if (raw.endpoints->type != YAML_SEQUENCE_NODE ||
	    raw.endpoints->data.sequence.items.top - raw.endpoints->data.sequence.items.start != 2)
		return tp_fail(p, raw.endpoints, "link: endpoints: expected a list of two (a point-to-point link)");
	items = raw.endpoints->data.sequence.items.start;
	if ((r = endpoint_read(p, tp_node(p, items[0]), &l->a, &p->ep_nodes[2 * i])) < 0 ||
	    (r = endpoint_read(p, tp_node(p, items[1]), &l->b, &p->ep_nodes[2 * i + 1])) < 0)
		return r;
	p->ep_lines[2 * i] = tp_line(tp_node(p, items[0]));
	p->ep_lines[2 * i + 1] = tp_line(tp_node(p, items[1]));
	return 0;
}

int tp_links_read(struct tp *p, yaml_node_t *n)
{
	struct lab_topo *t = p->t;
	size_t count;
	int r;

	if (tp_is_null(n))
		return 0;
	if (n->type != YAML_SEQUENCE_NODE)
		return tp_fail(p, n, "topology.links: expected a list of links");
	count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (!count)
		return 0;
	t->links = calloc(count, sizeof(*t->links));
	p->ep_nodes = calloc(2 * count, sizeof(*p->ep_nodes));
	p->ep_lines = calloc(2 * count, sizeof(*p->ep_lines));
	if (!t->links || !p->ep_nodes || !p->ep_lines)
		return tp_nomem(p);
	for (size_t i = 0; i < count; i++) {
		r = link_read(p, tp_node(p, n->data.sequence.items.start[i]), i);
		t->n_links++;
		if (r < 0)
			return r;
	}
	return 0;
}
