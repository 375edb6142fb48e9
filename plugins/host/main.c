/* host: the plugin behind --net=host.  The container shares a namespace that already has
 * its network (the host's own, passed as CNI_NETNS: /proc/1/ns/net, /proc/self/ns/net),
 * so ADD configures nothing: it reports what is there, read through netlink dumps inside
 * CNI_NETNS: each interface with a global address or a default route (name, MAC, sandbox =
 * CNI_NETNS), those addresses, and the default routes of the main table.  DEL, STATUS and
 * GC change nothing; CHECK verifies that CNI_NETNS is still a network namespace. */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "base/json_field.h"
#include "cni/cni_plugin.h"
#include "nl/netns.h"
#include "nl/nldump.h"

/* Everything standard; host has no fields of its own, so anything else is a mistake
 * (an "ipam" section would be silently ignored otherwise). */
static const char *const known_fields[] = {
	"cniVersion",
	"name",
	"type",
	"dns",
	"capabilities",
	"runtimeConfig",
	"args",
	"prevResult",
	"cni.dev/valid-attachments",
	"cni.dev/attachments",
	NULL,
};

struct host_view {
	const char *netns;
	struct cni_result *res;
	struct nldump_link *links;
	size_t n_links;
	int *slot; /* per link: its index in res->ifaces, -1 until shown */
	struct nldump_addr *addrs;
	size_t n_addrs;
	struct nldump_route *defaults;
	size_t n_defaults;
};

static void host_view_free(struct host_view *v)
{
	free(v->links);
	free(v->slot);
	free(v->addrs);
	free(v->defaults);
}

/* Append one element of size sz to *arr; -ENOMEM (which stops the dump) on failure. */
static int push(void *arr, size_t *n, const void *elem, size_t sz)
{
	char *p = realloc(*(char **)arr, (*n + 1) * sz);

	if (!p)
		return -ENOMEM;
	memcpy(p + *n * sz, elem, sz);
	*(char **)arr = p;
	(*n)++;
	return 0;
}

static int keep_link(const struct nldump_link *l, void *arg)
{
	struct host_view *v = arg;

	return push(&v->links, &v->n_links, l, sizeof(*l));
}

static int keep_addr(const struct nldump_addr *a, void *arg)
{
	struct host_view *v = arg;

	return a->scope == RT_SCOPE_UNIVERSE ? push(&v->addrs, &v->n_addrs, a, sizeof(*a)) : 0;
}

static int keep_default(const struct nldump_route *r, void *arg)
{
	struct host_view *v = arg;

	return r->dst.len == 0 && r->type == RTN_UNICAST ? push(&v->defaults, &v->n_defaults, r, sizeof(*r)) : 0;
}

static int link_pos(const struct host_view *v, int ifindex)
{
	for (size_t i = 0; i < v->n_links; i++)
		if (v->links[i].ifindex == ifindex)
			return (int)i;
	return -1;
}

/* The result's interface index for ifindex, adding the interface on first use. */
static int iface_slot(struct host_view *v, int ifindex)
{
	int i = link_pos(v, ifindex);

	if (i < 0)
		return -ENODEV;
	if (v->slot[i] < 0) {
		int s = cni_result_add_iface(v->res, v->links[i].name, v->links[i].mac[0] ? v->links[i].mac : NULL,
					     v->netns);
		if (s < 0)
			return s;
		v->slot[i] = s;
	}
	return v->slot[i];
}

/* The gateway of a default route of the address's family out of the same link. */
static const struct ip_addr *gateway_for(const struct host_view *v, const struct nldump_addr *a)
{
	for (size_t i = 0; i < v->n_defaults; i++)
		if (v->defaults[i].ifindex == a->ifindex && v->defaults[i].has_gw &&
		    v->defaults[i].gw.family == a->prefix.addr.family)
			return &v->defaults[i].gw;
	return NULL;
}

static int build_result(struct host_view *v)
{
	char a[IP_PREFIX_STRLEN], g[IP_PREFIX_STRLEN];
	int s, r;

	if (v->n_links && !(v->slot = malloc(v->n_links * sizeof(*v->slot))))
		return -ENOMEM;
	for (size_t i = 0; i < v->n_links; i++)
		v->slot[i] = -1;
	/* Interfaces in link order: links with global addresses or default routes. */
	for (size_t i = 0; i < v->n_links; i++) {
		bool used = false;
		for (size_t k = 0; k < v->n_addrs && !used; k++)
			used = v->addrs[k].ifindex == v->links[i].ifindex;
		for (size_t k = 0; k < v->n_defaults && !used; k++)
			used = v->defaults[k].ifindex == v->links[i].ifindex;
		if (used && (s = iface_slot(v, v->links[i].ifindex)) < 0)
			return s;
	}
	for (size_t k = 0; k < v->n_addrs; k++) {
		const struct ip_addr *gw = gateway_for(v, &v->addrs[k]);
		if ((s = iface_slot(v, v->addrs[k].ifindex)) == -ENODEV)
			continue; /* an address on a link that appeared after the link dump */
		if (s < 0)
			return s;
		if ((r = cni_result_add_ip(v->res, ip_prefix_format(&v->addrs[k].prefix, a, sizeof(a)),
					   gw ? ip_addr_format(gw, g, sizeof(g)) : NULL, s)) < 0)
			return r;
	}
	for (size_t k = 0; k < v->n_defaults; k++) {
		const struct nldump_route *d = &v->defaults[k];
		if ((r = cni_result_add_route(v->res, d->dst.addr.family == AF_INET ? "0.0.0.0/0" : "::/0",
					      d->has_gw ? ip_addr_format(&d->gw, g, sizeof(g)) : NULL)) < 0)
			return r;
		v->res->routes[r].priority = (int)d->priority;
	}
	return 0;
}

static int look(void *arg, struct nr_error *err)
{
	_cleanup_nlsock_ struct nlsock *s = NULL;
	struct host_view *v = arg;
	int r;

	if ((r = nlsock_open(&s, err)) < 0 || (r = nldump_links(s, keep_link, v, err)) < 0 ||
	    (r = nldump_addrs(s, keep_addr, v, err)) < 0 || (r = nldump_routes(s, keep_default, v, err)) < 0)
		return r == -ENOMEM ? nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory") : r;
	if ((r = build_result(v)) < 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	return 0;
}

/* The config's dns, if any, goes into the result as the spec lets a plugin do. */
static int add_dns(struct cni_plugin_ctx *ctx, struct cni_result *res, struct nr_error *err)
{
	_cleanup_json_ json_t *wrap = NULL;
	_cleanup_result_ struct cni_result *tmp = NULL;
	int r;

	if (!ctx->conf.dns)
		return 0;
	if (!(wrap = json_pack("{s:s, s:O}", "cniVersion", ctx->conf.cni_version, "dns", ctx->conf.dns)))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	if ((r = cni_result_parse(wrap, "host config dns", &tmp, err)) < 0)
		return r;
	res->dns = tmp->dns;
	memset(&tmp->dns, 0, sizeof(tmp->dns));
	return 0;
}

static int host_add(struct cni_plugin_ctx *ctx, struct cni_result *res, struct nr_error *err)
{
	_cleanup_(host_view_free) struct host_view v = { .netns = ctx->env.netns, .res = res };
	int r;

	if ((r = jfield_reject_unknown(ctx->conf.root, known_fields, "host config", err)) < 0)
		return r;
	if ((r = netns_run_path(ctx->env.netns, look, &v, err)) < 0)
		return nr_error_wrap(err, r, "reading the network of %s", ctx->env.netns);
	return add_dns(ctx, res, err);
}

static int host_del(struct cni_plugin_ctx *ctx, struct nr_error *err)
{
	return 0;
}

static int host_check(struct cni_plugin_ctx *ctx, struct nr_error *err)
{
	_cleanup_close_ int fd = -1;
	int r;

	if ((r = jfield_reject_unknown(ctx->conf.root, known_fields, "host config", err)) < 0)
		return r;
	return netns_open(ctx->env.netns, &fd, err);
}

static const struct cni_plugin_ops host_ops = {
	.name = "host",
	.add = host_add,
	.del = host_del,
	.check = host_check,
};

int main(void)
{
	return cni_plugin_main(&host_ops);
}
