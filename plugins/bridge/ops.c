/* The bridge plugin's operations: ADD as a list of steps with rollback, DEL, CHECK,
 * STATUS and GC (the host maintenance is in host_state.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "br.h"
#include "nft/nft.h"
#include "nl/bridge.h"
#include "nl/netns.h"
#include "plugin_bridge.h"

/* MAC is ours; IP is for the IPAM plugin, which gets CNI_ARGS passed through. */
static const char *const bridge_args[] = { "MAC", "IP", NULL };

/* What an ADD has made so far, for rolling it back. */
struct add_state {
	struct nlsock *s;
	struct br_host h; /* h.veth is "" until the pair exists */
	bool ipam_done;
	bool masq_done;
};

static void add_rollback(struct cni_plugin_ctx *ctx, const struct br_conf *c, struct add_state *st,
			 const struct cni_result *res)
{
	struct nr_error ignored = { 0 };

	if (st->masq_done)
		br_masq_del(ctx, NULL, 0, res, NULL, &ignored);
	if (st->ipam_done)
		br_ipam_undo(ctx, c);
	/* Deleting the host end removes the container end with it. */
	if (st->h.veth[0])
		link_delete(st->s, st->h.veth, &ignored);
	/* A bridge this ADD made goes too, unless another ADD has attached to it meanwhile. */
	if (st->h.br_created)
		bridge_delete_if_unused(st->s, c->bridge, &ignored);
}

static int refuse_existing_ifname(int nsfd, const char *ifname, const char *netns, struct nr_error *err)
{
	bool exists;
	int r;

	if ((r = br_ctr_exists(nsfd, ifname, &exists, err)) < 0)
		return r;
	if (exists)
		return nr_error_set(err, CNI_ERR_INTERNAL, EEXIST, "container interface %s already exists in %s",
				    ifname, netns);
	return 0;
}

static int add_steps(struct cni_plugin_ctx *ctx, const struct br_conf *c, int nsfd, struct add_state *st,
		     struct cni_result *res, struct nr_error *err)
{
	_cleanup_result_ struct cni_result *ipam = NULL;
	const struct cni_host_attach attach = { ctx->conf.name, ctx->env.container_id, ctx->env.ifname, res };
	char ctr_mac_buf[LINK_MAC_STRLEN];
	int r;

	if ((r = refuse_existing_ifname(nsfd, ctx->env.ifname, ctx->env.netns, err)) < 0)
		return r;
	if ((r = br_host_setup(st->s, c, nsfd, ctx->env.ifname, &st->h, err)) < 0)
		return r;
	if ((r = br_ipam(ctx, c, "ADD", &ipam, err)) < 0)
		return r;
	st->ipam_done = c->ipam_type != NULL;
	if (ipam && (r = br_result_l3(c, ipam, res, err)) < 0)
		return r;
	if ((r = br_ctr_configure(nsfd, ctx->env.ifname, c, ipam ? res : NULL, err)) < 0)
		return nr_error_wrap(err, r, "configuring %s in %s", ctx->env.ifname, ctx->env.netns);
	if ((r = br_host_gateways(st->s, c, st->h.br_index, res, err)) < 0)
		return r;
	if ((r = br_isolation_apply(c, err)) < 0)
		return r;
	st->masq_done = true;
	if ((r = br_masq_add(c, &attach, err)) < 0)
		return r;
	if ((r = br_ctr_mac(nsfd, ctx->env.ifname, ctr_mac_buf, err)) < 0 ||
	    (r = br_host_macs(st->s, c->bridge, &st->h, err)) < 0)
		return r;
	if ((r = br_result_ifaces(&st->h, c->bridge, ctx->env.ifname, ctr_mac_buf, ctx->env.netns, res, err)) < 0)
		return r;
	return br_result_dns(c, ipam, res, err);
}

static int bridge_add(struct cni_plugin_ctx *ctx, struct cni_result *res, struct nr_error *err)
{
	_cleanup_nlsock_ struct nlsock *s = NULL;
	_cleanup_close_ int nsfd = -1;
	struct add_state st = { 0 };
	struct br_conf c;
	int r;

	if ((r = br_conf_parse(ctx, &c, err)) < 0)
		return r;
	if ((r = netns_open(ctx->env.netns, &nsfd, err)) < 0)
		return r;
	if ((r = nlsock_open(&s, err)) < 0)
		return r;
	st.s = s;
	if ((r = add_steps(ctx, &c, nsfd, &st, res, err)) < 0)
		add_rollback(ctx, &c, &st, res);
	return r;
}

/* The container's namespace for DEL: *ret_fd = -1 when it is gone (or was never given),
 * which leaves nothing of ours inside to delete. */
static int open_netns_if_any(const char *path, int *ret_fd, struct nr_error *err)
{
	int r;

	*ret_fd = -1;
	if (!path || !*path)
		return 0;
	r = netns_open(path, ret_fd, err);
	if (r < 0 && err->code == CNI_ERR_UNKNOWN_CONTAINER) {
		nr_error_clear(err);
		return 0;
	}
	return r;
}

static int bridge_del(struct cni_plugin_ctx *ctx, struct nr_error *err)
{
	struct nft_close_list closes = { 0 };
	_cleanup_free_ struct ip_prefix *addrs = NULL;
	_cleanup_close_ int nsfd = -1;
	size_t n_addrs = 0;
	struct br_conf c;
	int r;

	if ((r = br_conf_parse(ctx, &c, err)) < 0)
		return r;
	if ((r = open_netns_if_any(ctx->env.netns, &nsfd, err)) < 0)
		return r;
	if (nsfd >= 0 && (r = br_ctr_addrs(nsfd, ctx->env.ifname, &addrs, &n_addrs, err)) < 0)
		return nr_error_wrap(err, r, "reading the addresses of %s in %s", ctx->env.ifname, ctx->env.netns);
	/* Masquerade before the lease: once IPAM lets the address go, a concurrent ADD may get
	 * it and masquerade it under its own name.  Neither step depends on the namespace, so
	 * a DEL after the namespace is gone still clears both.  Then the link, whose deletion
	 * returns once the kernel has taken it out of the namespace; the kernel's reclaim of
	 * it (an RCU barrier) and the last close of the masquerade's nft sockets (which waits
	 * for the commit's grace period) go on in a child that holds those sockets
	 * (nl/link_unlist.h, docs/benchmarks.md). */
	if ((r = br_masq_del(ctx, addrs, n_addrs, ctx->conf.prev_result, &closes, err)) >= 0 && nsfd >= 0) {
		int fds[8];
		size_t n = nft_close_list_fds(&closes, fds, sizeof(fds) / sizeof(fds[0]));

		if ((r = br_ctr_delete(nsfd, ctx->env.ifname, fds, n, err)) < 0)
			nr_error_wrap(err, r, "deleting %s in %s", ctx->env.ifname, ctx->env.netns);
	}
	if (r >= 0)
		r = br_ipam(ctx, &c, "DEL", NULL, err);
	nft_close_list_flush(&closes);
	return r;
}

static int bridge_check(struct cni_plugin_ctx *ctx, struct nr_error *err)
{
	_cleanup_nlsock_ struct nlsock *s = NULL;
	_cleanup_close_ int nsfd = -1;
	struct br_conf c;
	int r, peer = 0;

	if ((r = br_conf_parse(ctx, &c, err)) < 0 || (r = br_ipam(ctx, &c, "CHECK", NULL, err)) < 0)
		return r;
	if ((r = netns_open(ctx->env.netns, &nsfd, err)) < 0)
		return r;
	if ((r = br_ctr_check(nsfd, ctx->env.ifname, ctx->conf.prev_result, &peer, err)) < 0)
		return nr_error_wrap(err, r, "checking %s in %s", ctx->env.ifname, ctx->env.netns);
	if ((r = nlsock_open(&s, err)) < 0 || (r = br_host_check(s, c.bridge, peer, err)) < 0)
		return r;
	return br_masq_check(&c, ctx->conf.prev_result, err);
}

/* A bridge with every port taken cannot serve an ADD: say so before a runtime tries. */
static int bridge_status(const char *bridge, struct nr_error *err)
{
	_cleanup_nlsock_ struct nlsock *s = NULL;
	int r;

	if ((r = nlsock_open(&s, err)) < 0)
		return r;
	r = bridge_port_count(s, bridge, err);
	if (r == -ENODEV) {
		nr_error_clear(err);
		return 0; /* made by the first ADD */
	}
	if (r >= BRIDGE_MAX_PORTS)
		return nr_error_set(err, CNI_ERR_NOT_AVAILABLE, EXFULL,
				    "bridge %s is full (%d ports, the most a Linux bridge takes)", bridge, r);
	return r < 0 ? r : 0;
}

static int bridge_status_op(struct cni_plugin_ctx *ctx, struct nr_error *err)
{
	struct br_conf c;
	int r;

	if ((r = br_conf_parse(ctx, &c, err)) < 0 || (r = bridge_status(c.bridge, err)) < 0)
		return r;
	return br_ipam(ctx, &c, "STATUS", NULL, err);
}

static int bridge_gc(struct cni_plugin_ctx *ctx, struct nr_error *err)
{
	struct br_conf c;
	int r;

	if ((r = br_conf_parse(ctx, &c, err)) < 0 || (r = br_masq_gc(ctx, err)) < 0)
		return r;
	return br_ipam(ctx, &c, "GC", NULL, err);
}

const struct cni_plugin_ops bridge_plugin_ops = {
	.name = "bridge",
	.known_args = bridge_args,
	.add = bridge_add,
	.del = bridge_del,
	.check = bridge_check,
	.status = bridge_status_op,
	.gc = bridge_gc,
	.host = &br_host_state_ops,
};
