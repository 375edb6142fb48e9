/* The firewall plugin's operations: ADD, DEL, CHECK, STATUS and GC (the host maintenance
 * is in host_state.c). */
#include <errno.h>
#include <string.h>

#include "fw.h"
#include "plugin_firewall.h"

static int parse(struct cni_plugin_ctx *ctx, bool need_bridge, struct fw_conf *c, struct nr_error *err)
{
	return fw_conf_fields(ctx->conf.root, ctx->conf.prev_result, ctx->env.container_id, ctx->env.ifname,
			      need_bridge, c, err);
}

static int need_prev(struct cni_plugin_ctx *ctx, struct nr_error *err)
{
	if (!ctx->conf.prev_result)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "missing prevResult from earlier plugin");
	return 0;
}

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

static int firewall_add(struct cni_plugin_ctx *ctx, struct cni_result *res, struct nr_error *err)
{
	struct nft_fw_attach a;
	struct fw_conf c;
	int r;

	if ((r = need_prev(ctx, err)) < 0 || (r = parse(ctx, true, &c, err)) < 0)
		return r;
	fw_attach_of(&c, &a);
	if ((r = nft_firewall_add(&a, err)) < 0)
		return r;
	return pass_through(ctx->conf.prev_result, res, err);
}

/* By owner: with prevResult each address is looked up by key, without it the sets are
 * read, so DEL needs neither prevResult nor a netns.  The bridge stays isolated (as in
 * the reference: other containers may be on it) until the table goes with its last
 * container. */
static int firewall_del(struct cni_plugin_ctx *ctx, struct nr_error *err)
{
	struct nft_fw_attach a;
	struct fw_conf c;
	int r;

	if ((r = parse(ctx, false, &c, err)) < 0)
		return r;
	fw_attach_of(&c, &a);
	return nft_firewall_del(&a, err);
}

static int firewall_check(struct cni_plugin_ctx *ctx, struct nr_error *err)
{
	struct nft_fw_attach a;
	struct fw_conf c;
	int r;

	if ((r = need_prev(ctx, err)) < 0 || (r = parse(ctx, false, &c, err)) < 0)
		return r;
	fw_attach_of(&c, &a);
	return nft_firewall_check(&a, err);
}

static int firewall_status(struct cni_plugin_ctx *ctx, struct nr_error *err)
{
	struct fw_conf c;

	return parse(ctx, false, &c, err);
}

static int firewall_gc(struct cni_plugin_ctx *ctx, struct nr_error *err)
{
	json_t *valid = NULL; /* NULL (no list): every attachment is stale */
	struct fw_conf c;
	int r;

	if ((r = parse(ctx, false, &c, err)) < 0 || (r = cni_gc_valid_attachments(&ctx->conf, &valid, err)) < 0)
		return r;
	return nft_firewall_gc(cni_gc_owner_valid, valid, err);
}

const struct cni_plugin_ops firewall_plugin_ops = {
	.name = "firewall",
	.known_args = cni_chain_args,
	.add = firewall_add,
	.del = firewall_del,
	.check = firewall_check,
	.status = firewall_status,
	.gc = firewall_gc,
	.host = &fw_host_state_ops,
};
