/* The bandwidth plugin's operations: ADD, DEL and CHECK as the reference bandwidth
 * plugin (containernetworking-plugins 1.1.1); STATUS reads the configuration.  No GC: the
 * ifb devices are named by a hash of network and container id, so a stale one cannot be
 * told from another network's (the reference has none either). */
#include <errno.h>
#include <string.h>

#include "bw.h"
#include "nl/link.h"
#include "plugin_bandwidth.h"

/* prevResult unchanged, plus the ifb (name and MAC, no sandbox) when there is one. */
static int make_result(const struct cni_result *prev, const char *ifb, const char *mac, struct cni_result *res,
		       struct nr_error *err)
{
	struct cni_result *dup = cni_result_dup(prev), tmp;

	if (!dup || (ifb && cni_result_add_iface(dup, ifb, mac, NULL) < 0)) {
		cni_result_free(dup);
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	}
	tmp = *res;
	*res = *dup;
	*dup = tmp;
	cni_result_free(dup);
	return 0;
}

static int bandwidth_add(struct cni_plugin_ctx *ctx, struct cni_result *res, struct nr_error *err)
{
	const struct cni_result *prev = ctx->conf.prev_result;
	char mac[LINK_MAC_STRLEN] = "";
	struct bw_host h;
	struct bw_conf c;
	int r;

	if ((r = bw_conf_parse(ctx, &c, err)) < 0)
		return r;
	if (!bw_ingress(&c.lim) && !bw_egress(&c.lim)) {
		/* Nothing to shape: the previous result as it is (the reference crashes without
		 * one; an empty result is what there is to pass on). */
		if (!prev)
			return 0;
		return make_result(prev, NULL, NULL, res, err);
	}
	if (!prev)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				    "must be called as chained plugin (no prevResult)");
	if ((r = bw_host_find(ctx, prev, &h, err)) < 0 || (r = bw_shape(&c, &h, mac, err)) < 0)
		return r;
	if ((r = make_result(prev, bw_egress(&c.lim) ? c.ifb : NULL, mac, res, err)) < 0) {
		struct nr_error ignored = { 0 };
		bw_unshape(&c, &h, &ignored);
	}
	return r;
}

/* The ifb goes whatever else is wrong: DEL needs only the network's name and the
 * container id for it, so limits it cannot read do not stop it (an attachment that cannot
 * be deleted strands its pod).  With prevResult and the netns still there, the qdiscs ADD
 * put on the host veth go too: the redirect would drop the container's traffic once the
 * ifb is gone.  Limits that do not parse: whatever of ours is there. */
static int bandwidth_del(struct cni_plugin_ctx *ctx, struct nr_error *err)
{
	struct nr_error ignored = { 0 };
	struct bw_host h;
	struct bw_conf c;
	bool have_host;

	if (bw_conf_parse(ctx, &c, &ignored) < 0) {
		memset(&c.lim, 0, sizeof(c.lim));
		c.lim = (struct bw_limits){ 1, 1, 1, 1 };
		if (bw_ifb_name(ctx->conf.name, ctx->env.container_id, c.ifb) < 0)
			return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	}
	have_host = ctx->conf.prev_result && ctx->env.netns && *ctx->env.netns &&
		    bw_host_find(ctx, ctx->conf.prev_result, &h, &ignored) == 0;
	return bw_unshape(&c, have_host ? &h : NULL, err);
}

static int bandwidth_check(struct cni_plugin_ctx *ctx, struct nr_error *err)
{
	struct bw_host h;
	struct bw_conf c;
	int r;

	if ((r = bw_conf_parse(ctx, &c, err)) < 0)
		return r;
	if (!ctx->conf.prev_result)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				    "must be called as a chained plugin (no prevResult)");
	if ((r = bw_host_find(ctx, ctx->conf.prev_result, &h, err)) < 0)
		return r;
	return bw_check(&c, &h, err);
}

static int bandwidth_status(struct cni_plugin_ctx *ctx, struct nr_error *err)
{
	struct bw_conf c;

	return bw_conf_parse(ctx, &c, err);
}

const struct cni_plugin_ops bandwidth_plugin_ops = {
	.name = "bandwidth",
	.known_args = cni_chain_args,
	.add = bandwidth_add,
	.del = bandwidth_del,
	.check = bandwidth_check,
	.status = bandwidth_status,
};
