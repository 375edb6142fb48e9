/* The whole-lab checks, once every section is read and before anything is made: names,
 * links' nodes, each interface made once per namespace, no loop of bridges, management
 * addresses.  Sorting keeps them O(n log n): a lab has up to LAB_NODES_MAX nodes. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/ipaddr.h"
#include "engine/netdef_plan.h"
#include "topology_internal.h"

/* A container name's characters ([a-zA-Z0-9][a-zA-Z0-9_.-]*): a lab's and its nodes'
 * names end up in container, state-directory and interface names. */
bool lab_name_valid(const char *s)
{
	if (!*s || strlen(s) >= LAB_NAME_MAX)
		return false;
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
		return false;
	for (s++; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_' ||
		      *s == '.' || *s == '-'))
			return false;
	return true;
}

static int cmp_node_idx(const void *a, const void *b, void *arg)
{
	const struct lab_node *nodes = arg;

	return strcmp(nodes[*(const size_t *)a].name, nodes[*(const size_t *)b].name);
}

struct by_name {
	const struct lab_node *nodes;
	const char *name;
};

static int cmp_name_idx(const void *key, const void *elem)
{
	const struct by_name *k = key;

	return strcmp(k->name, k->nodes[*(const size_t *)elem].name);
}

static long sorted_find(const struct lab_topo *t, const size_t *order, const char *name)
{
	struct by_name k = { t->nodes, name };
	const size_t *hit = bsearch(&k, order, t->n_nodes, sizeof(*order), cmp_name_idx);

	return hit ? (long)*hit : -1;
}

static int names_check(struct tp *p, size_t *order)
{
	struct lab_topo *t = p->t;

	if (!lab_name_valid(t->name))
		return tp_fail(p, NULL, "lab name '%s' is not valid: [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most %d characters",
			       t->name, LAB_NAME_MAX - 1);
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct lab_node *n = &t->nodes[i];
		if (!lab_name_valid(n->name))
			return tp_fail_line(p, n->line, "node name '%s' is not valid: [a-zA-Z0-9][a-zA-Z0-9_.-]*",
					    n->name);
		/* A bridge node is the host's bridge of that name. */
		if (n->kind == LAB_KIND_BRIDGE && strlen(n->name) >= LAB_IFNAME_MAX)
			return tp_fail_line(p, n->line,
					    "bridge node '%s' names a network interface: at most %d characters",
					    n->name, LAB_IFNAME_MAX - 1);
		order[i] = i;
	}
	qsort_r(order, t->n_nodes, sizeof(*order), cmp_node_idx, t->nodes);
	for (size_t i = 1; i < t->n_nodes; i++) {
		const struct lab_node *a = &t->nodes[order[i - 1]], *b = &t->nodes[order[i]];
		if (!strcmp(a->name, b->name))
			return tp_fail_line(p, a->line > b->line ? a->line : b->line,
					    "node '%s' is defined twice (also at line %d)", a->name,
					    a->line < b->line ? a->line : b->line);
	}
	return 0;
}

/* containerlab's "host:IFNAME" endpoint needs no node of its own: add one. */
static int host_node_add(struct tp *p, size_t *order)
{
	struct lab_topo *t = p->t;
	long h = sorted_find(t, order, "host");

	for (size_t i = 0; i < 2 * t->n_links; i++) {
		if (strcmp(p->ep_nodes[i], "host"))
			continue;
		if (h >= 0 && t->nodes[h].kind != LAB_KIND_HOST)
			return tp_fail_line(p, p->ep_lines[i],
					    "'host' in an endpoint is the host's namespace, but node 'host' (line %d) is of kind %s: rename it",
					    t->nodes[h].line, lab_kind_name(t->nodes[h].kind));
		if (h >= 0)
			return 0;
		/* nodes_read left room for it. */
		struct lab_node *n = &t->nodes[t->n_nodes];
		snprintf(n->name, sizeof(n->name), "host");
		n->kind = LAB_KIND_HOST;
		n->line = p->ep_lines[i];
		order[t->n_nodes] = t->n_nodes;
		t->n_nodes++;
		qsort_r(order, t->n_nodes, sizeof(*order), cmp_node_idx, t->nodes);
		return 0;
	}
	return 0;
}

static int endpoints_resolve(struct tp *p, const size_t *order)
{
	struct lab_topo *t = p->t;

	for (size_t i = 0; i < t->n_links; i++) {
		struct lab_link *l = &t->links[i];
		for (int e = 0; e < 2; e++) {
			long n = sorted_find(t, order, p->ep_nodes[2 * i + e]);
			if (n < 0)
				return tp_fail_line(p, l->line, "link %s:%s -- %s:%s: unknown node '%s'",
						    p->ep_nodes[2 * i], l->a.ifname, p->ep_nodes[2 * i + 1],
						    l->b.ifname, p->ep_nodes[2 * i + e]);
			(e ? &l->b : &l->a)->node = (size_t)n;
		}
	}
	return 0;
}

/* An interface name in a namespace: a container node's own, or the host's (bridges, their
 * ports, host endpoints, nodes with network-mode host all make names there). */
#define NS_HOST SIZE_MAX
struct ifref {
	size_t ns;
	const char *name;
	size_t node;
	int line;
};

static size_t node_ns(const struct lab_topo *t, size_t i)
{
	const struct lab_node *n = &t->nodes[i];

	if (n->kind != LAB_KIND_LINUX || (n->network_mode && !strcmp(n->network_mode, "host")))
		return NS_HOST;
	return i;
}

static int cmp_ifref(const void *a, const void *b)
{
	const struct ifref *x = a, *y = b;

	if (x->ns != y->ns)
		return x->ns < y->ns ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int ifref_check(struct tp *p, const struct ifref *r)
{
	const struct lab_node *n = &p->t->nodes[r->node];

	if (!strcmp(r->name, "lo"))
		return tp_fail_line(p, r->line, "interface %s:lo: the loopback is no link end", n->name);
	if (p->mgmt_given && r->ns != NS_HOST && !strcmp(r->name, "eth0"))
		return tp_fail_line(p, r->line,
				    "interface %s:eth0 is the management interface (mgmt is set): use eth1 and up",
				    n->name);
	return 0;
}

static int interfaces_check(struct tp *p)
{
	struct lab_topo *t = p->t;
	_cleanup_free_ struct ifref *refs = calloc(2 * t->n_links + t->n_nodes + 1, sizeof(*refs));
	size_t n = 0;
	int r;

	if (!refs)
		return tp_nomem(p);
	for (size_t i = 0; i < t->n_nodes; i++)
		if (t->nodes[i].kind == LAB_KIND_BRIDGE)
			refs[n++] = (struct ifref){ NS_HOST, t->nodes[i].name, i, t->nodes[i].line };
	for (size_t i = 0; i < t->n_links; i++) {
		const struct lab_link *l = &t->links[i];
		refs[n++] = (struct ifref){ node_ns(t, l->a.node), l->a.ifname, l->a.node, l->line };
		refs[n++] = (struct ifref){ node_ns(t, l->b.node), l->b.ifname, l->b.node, l->line };
		if ((r = ifref_check(p, &refs[n - 2])) < 0 || (r = ifref_check(p, &refs[n - 1])) < 0)
			return r;
	}
	qsort(refs, n, sizeof(*refs), cmp_ifref);
	for (size_t i = 1; i < n; i++) {
		const struct ifref *a = &refs[i - 1], *b = &refs[i];
		int first = a->line < b->line ? a->line : b->line, last = a->line < b->line ? b->line : a->line;
		if (cmp_ifref(a, b))
			continue;
		if (a->ns != NS_HOST)
			return tp_fail_line(p, last, "interface %s:%s is used twice (also at line %d)",
					    t->nodes[a->node].name, a->name, first);
		return tp_fail_line(p, last,
				    "interface name '%s' is used twice in the host's namespace (%s and %s; also at line %d): bridges, their ports, host endpoints and network-mode host nodes share it",
				    a->name, t->nodes[a->node].name, t->nodes[b->node].name, first);
	}
	return 0;
}

static size_t uf_find(size_t *up, size_t i)
{
	while (up[i] != i)
		i = up[i] = up[up[i]];
	return i;
}

/* Linux bridges do not run STP by default: a loop of them forwards every broadcast
 * around it forever. */
static int bridge_cycles_check(struct tp *p)
{
	struct lab_topo *t = p->t;
	_cleanup_free_ size_t *up = calloc(t->n_nodes, sizeof(*up));

	if (!up)
		return tp_nomem(p);
	for (size_t i = 0; i < t->n_nodes; i++)
		up[i] = i;
	for (size_t i = 0; i < t->n_links; i++) {
		const struct lab_link *l = &t->links[i];
		size_t a, b;
		if (t->nodes[l->a.node].kind != LAB_KIND_BRIDGE || t->nodes[l->b.node].kind != LAB_KIND_BRIDGE)
			continue;
		a = uf_find(up, l->a.node);
		b = uf_find(up, l->b.node);
		if (a == b)
			return tp_fail_line(p, l->line,
					    "link %s:%s -- %s:%s closes a cycle of bridges (a loop of Linux bridges without STP floods broadcasts forever)",
					    t->nodes[l->a.node].name, l->a.ifname, t->nodes[l->b.node].name,
					    l->b.ifname);
		up[a] = b;
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int macs_check(struct tp *p)
{
	struct lab_topo *t = p->t;
	_cleanup_free_ char **macs = calloc(2 * t->n_links + 1, sizeof(*macs));
	size_t n = 0;

	if (!macs)
		return tp_nomem(p);
	for (size_t i = 0; i < t->n_links; i++) {
		if (t->links[i].a.mac)
			macs[n++] = t->links[i].a.mac;
		if (t->links[i].b.mac)
			macs[n++] = t->links[i].b.mac;
	}
	qsort(macs, n, sizeof(*macs), cmp_str);
	for (size_t i = 1; i < n; i++)
		if (!strcmp(macs[i - 1], macs[i]))
			return tp_fail(p, NULL, "mac %s is given to two interfaces", macs[i]);
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int mgmt_check(struct tp *p)
{
	struct lab_topo *t = p->t;
	_cleanup_free_ uint32_t *addrs = calloc(t->n_nodes + 1, sizeof(*addrs));
	struct ip_prefix net = { 0 };
	size_t n = 0;

	if (!addrs)
		return tp_nomem(p);
	if (t->mgmt.network && !lab_name_valid(t->mgmt.network))
		return tp_fail(p, NULL, "mgmt.network '%s' is not a valid network name ([a-zA-Z0-9][a-zA-Z0-9_.-]*)",
			       t->mgmt.network);
	if (t->mgmt.ipv4_subnet) {
		if (ip_prefix_parse(t->mgmt.ipv4_subnet, &net) < 0 || net.addr.family != AF_INET || net.len > 30)
			return tp_fail(p, NULL, "mgmt.ipv4-subnet '%s': expected an IPv4 subnet of /30 or larger",
				       t->mgmt.ipv4_subnet);
		net = ip_prefix_network(&net);
	}
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct lab_node *nd = &t->nodes[i];
		struct ip_addr a;
		uint32_t h, mask;
		if (!nd->mgmt_ipv4)
			continue;
		if (!t->mgmt.ipv4_subnet)
			return tp_fail_line(p, nd->line, "node '%s': mgmt-ipv4 needs mgmt.ipv4-subnet", nd->name);
		if (!strcmp(nd->network_mode, "host"))
			return tp_fail_line(p, nd->line,
					    "node '%s': mgmt-ipv4 and network-mode host exclude each other", nd->name);
		if (ip_addr_parse(nd->mgmt_ipv4, &a) < 0 || a.family != AF_INET)
			return tp_fail_line(p, nd->line, "node '%s': mgmt-ipv4 '%s' is not an IPv4 address", nd->name,
					    nd->mgmt_ipv4);
		h = ntohl(a.v4.s_addr);
		mask = net.len ? ~0u << (32 - net.len) : 0;
		if (!ip_prefix_contains(&net, &a) || (h & ~mask) == 0 || (h & ~mask) == ~mask)
			return tp_fail_line(p, nd->line, "node '%s': mgmt-ipv4 %s is not a host address of %s",
					    nd->name, nd->mgmt_ipv4, t->mgmt.ipv4_subnet);
		addrs[n++] = h;
	}
	qsort(addrs, n, sizeof(*addrs), cmp_u32);
	for (size_t i = 1; i < n; i++)
		if (addrs[i] == addrs[i - 1]) {
			struct in_addr ia = { htonl(addrs[i]) };
			return tp_fail(p, NULL, "mgmt-ipv4 %s is given to two nodes", inet_ntoa(ia));
		}
	return 0;
}

int tp_check(struct tp *p)
{
	_cleanup_free_ size_t *order = calloc(p->t->n_nodes + 1, sizeof(*order));
	int r;

	if (!order)
		return tp_nomem(p);
	if ((r = names_check(p, order)) < 0 || (r = host_node_add(p, order)) < 0 ||
	    (r = endpoints_resolve(p, order)) < 0 || (r = interfaces_check(p)) < 0 ||
	    (r = bridge_cycles_check(p)) < 0 || (r = macs_check(p)) < 0)
		return r;
	return mgmt_check(p);
}
