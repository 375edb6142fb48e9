/* The portmap plugin's operations: ADD, DEL, CHECK, STATUS and GC (the host maintenance
 * is in host_state.c). */
#include <errno.h>
#include <string.h>

#include "base/json_field.h"
#include "nft/nft_portmap.h"
#include "plugin_portmap.h"
#include "pm.h"

/* The result is the previous plugin's, unchanged. */
static int pass_through(const struct cni_result *prev, struct cni_result *res, struct nr_error *err)
{
	struct cni_result *dup = cni_result_dup(prev), tmp;

	if (!dup)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	tmp = *res;
	*res = *dup;
	*dup = tmp;
	cni_result_free(dup);
	return 0;
}

static int portmap_add(struct cni_plugin_ctx *ctx, struct cni_result *res, struct nr_error *err)
{
	struct pm_conf c;
	struct pm_attach a;
	int r;

	if ((r = pm_conf_parse(ctx, &c, err)) < 0)
		return r;
	if (!ctx->conf.prev_result)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				    "portmap must be chained after a plugin that returns the container's addresses "
				    "(no prevResult)");
	pm_attach_of(&c, ctx->conf.prev_result, &a);
	if (c.n_maps && a.ctr4.addr.family == 0 && a.ctr6.addr.family == 0)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				    "portmap: prevResult has no container address to publish ports to");
	if ((r = nft_portmap_add(&a, err)) < 0)
		return r;
	/* route_localnet only behind its guard, and only for a mapping the host reaches over
	 * 127.0.0.1; after the elements exist, new UDP flows take the mapping. */
	if ((pm_localnet_needed(&a) && (r = pm_localnet_hold(&a, ctx->conf.prev_result, err)) < 0) ||
	    (r = pm_flush_udp(&a, err)) < 0) {
		struct nr_error ignored = { 0 };
		pm_localnet_release(&a, ctx->conf.prev_result, &ignored);
		nft_portmap_del(a.owner, &ignored);
		return r;
	}
	return pass_through(ctx->conf.prev_result, res, err);
}

/* fn on the attachment of ctx's configuration and prevResult (which may be absent). */
static int on_attach(struct cni_plugin_ctx *ctx,
		     int (*fn)(const struct pm_attach *, const struct cni_result *, struct nr_error *),
		     struct nr_error *err)
{
	struct pm_conf c;
	struct pm_attach a;
	int r;

	if ((r = pm_conf_parse(ctx, &c, err)) < 0)
		return r;
	pm_attach_of(&c, ctx->conf.prev_result, &a);
	return fn(&a, ctx->conf.prev_result, err);
}

/* route_localnet's entries whatever the mappings say now (they may have changed since
 * ADD: an entry left behind would keep it on), then the elements. */
static int del_attach(const struct pm_attach *a, const struct cni_result *prev, struct nr_error *err)
{
	int r = pm_localnet_release(a, prev, err);

	return r < 0 ? r : nft_portmap_del_attach(a, err);
}

static int check_attach(const struct pm_attach *a, const struct cni_result *prev, struct nr_error *err)
{
	int r = nft_portmap_check(a, err);

	return r < 0 ? r : pm_localnet_check(a, prev, err);
}

/* By owner: with prevResult and the mappings, each element is looked up by key; without
 * them every element of the table is read, so DEL needs neither.  Either way only this
 * attachment's elements go.  So a configuration or runtimeConfig that does not parse
 * (a runtime's garbage, a field this version refuses) is no reason to fail: DEL then
 * goes by owner alone (docs/go-clients.md).  Failing to remove is still an error. */
static int portmap_del(struct cni_plugin_ctx *ctx, struct nr_error *err)
{
	struct nr_error ignored = { 0 };
	struct pm_conf c;
	struct pm_attach a;

	if (pm_conf_parse(ctx, &c, &ignored) < 0)
		pm_conf_owner(ctx->env.container_id, ctx->env.ifname, &c);
	pm_attach_of(&c, ctx->conf.prev_result, &a);
	return del_attach(&a, ctx->conf.prev_result, err);
}

static int portmap_check(struct cni_plugin_ctx *ctx, struct nr_error *err)
{
	return on_attach(ctx, check_attach, err);
}

static int portmap_status(struct cni_plugin_ctx *ctx, struct nr_error *err)
{
	struct pm_conf c;

	return pm_conf_parse(ctx, &c, err);
}

static int portmap_gc(struct cni_plugin_ctx *ctx, struct nr_error *err)
{
	struct pm_conf c;
	json_t *valid = NULL; /* NULL (no list): every attachment is stale */
	int r;

	if ((r = pm_conf_parse(ctx, &c, err)) < 0 || (r = cni_gc_valid_attachments(&ctx->conf, &valid, err)) < 0 ||
	    (r = pm_localnet_gc(cni_gc_owner_valid, valid, err)) < 0)
		return r;
	return nft_portmap_gc(cni_gc_owner_valid, valid, err);
}

bool portmap_in_process_for(json_t *conf)
{
	json_t *maps = json_get_go(json_get_go(conf, "runtimeConfig"), "portMappings");

	return !maps || (json_is_array(maps) && json_array_size(maps) == 0);
}

const struct cni_plugin_ops portmap_plugin_ops = {
	.name = "portmap",
	.known_args = cni_chain_args,
	.add = portmap_add,
	.del = portmap_del,
	.check = portmap_check,
	.status = portmap_status,
	.gc = portmap_gc,
	.host = &pm_host_state_ops,
};
