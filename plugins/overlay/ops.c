/* The overlay plugin's operations: the bridge plugin run in this process on a bridge
 * configuration made from the subnet file, plus masquerading of the container's IPv4
 * addresses except towards the whole overlay CIDR (the other hosts' subnets are reached
 * unchanged through the VXLAN device). */
#include <errno.h>
#include <string.h>

#include "base/json_field.h"
#include "bridge/plugin_bridge.h"
#include "nft/nft_masq.h"
#include "ovl.h"

/* The bridge's CNI_ARGS (MAC, IP for host-local): ours are checked against them, as the
 * bridge runs with the same CNI_ARGS. */
static const char *const overlay_args[] = { "MAC", "IP", NULL };

/* Run the bridge plugin's cmd in process with the bridge object bc (completed with the
 * per-command members of ctx's config), as if executed with it on stdin. */
static int bridge_run(const struct cni_plugin_ctx *ctx, json_t *bc, enum cni_cmd cmd, struct cni_result **ret,
		      struct nr_error *err)
{
	_cleanup_json_ json_t *conf = json_deep_copy(bc);
	_cleanup_free_ char *text = NULL;
	struct cni_plugin_ctx b = *ctx;
	int r;

	if (!conf)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	if ((r = ovl_bridge_conf_complete(conf, ctx, err)) < 0)
		return r;
	if (!(text = json_dumps(conf, JSON_COMPACT)))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	/* The bridge hands its stdin on to an executed IPAM plugin: it must be this text. */
	b.stdin_buf = text;
	b.stdin_len = strlen(text);
	b.args = (struct cni_args){ 0 };
	if ((r = cni_conf_parse_for(text, b.stdin_len, cmd, &b.conf, err)) < 0)
		return nr_error_wrap(err, r, "the bridge configuration made from the subnet file");
	r = cni_plugin_run_in_process(&bridge_plugin_ops, &b, cmd, ret, err);
	cni_conf_release(&b.conf);
	return r;
}

static void owner_of(const struct cni_plugin_ctx *ctx, char buf[NFT_MASQ_OWNER_MAX])
{
	nft_masq_owner(buf, ctx->conf.name, ctx->env.container_id, ctx->env.ifname);
}

/* The subnet file, or CNI error 11: the agent holds no lease now (not started yet, a
 * lost lease being claimed again), which a retry may find fixed. */
static int subnet_load(const struct ovl_conf *c, struct overlay_subnet *s, struct nr_error *err)
{
	int r = ovl_subnet_read_file(c->subnet_file, s, err);

	return r < 0 ? nr_error_wrap(err, r, "overlay") : 0;
}

static int overlay_add(struct cni_plugin_ctx *ctx, struct cni_result *res, struct nr_error *err)
{
	_cleanup_result_ struct cni_result *got = NULL;
	_cleanup_json_ json_t *bc = NULL;
	struct nr_error ignored = { 0 };
	char owner[NFT_MASQ_OWNER_MAX];
	struct overlay_subnet s;
	struct ovl_conf c;
	struct cni_result tmp;
	int r;

	if ((r = ovl_conf_parse(ctx->conf.root, &c, err)) < 0 || (r = subnet_load(&c, &s, err)) < 0)
		return r;
	if (!(bc = ovl_bridge_conf(&s)))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	/* Kept before the bridge runs: a DEL after a crash here still finds what to undo. */
	if ((r = ovl_attach_save(&c, ctx, bc, err)) < 0)
		return r;
	if ((r = bridge_run(ctx, bc, CNI_CMD_ADD, &got, err)) < 0) {
		ovl_attach_remove(&c, ctx);
		return r; /* the bridge rolled its own steps back */
	}
	owner_of(ctx, owner);
	if ((r = ovl_masq_add(&s, got, owner, err)) < 0) {
		nft_masq_del(NULL, 0, owner, &ignored);
		bridge_run(ctx, bc, CNI_CMD_DEL, NULL, &ignored);
		ovl_attach_remove(&c, ctx);
		return r;
	}
	/* The skeleton's result takes the bridge's. */
	tmp = *res;
	*res = *got;
	*got = tmp;
	return 0;
}

/* DEL's bridge configuration: what ADD ran (the copy), else one made from the subnet
 * file; *ret NULL when neither exists (then ADD never reached the bridge, or the network
 * is gone and its leases with it). */
static int del_bridge_conf(const struct ovl_conf *c, const struct cni_plugin_ctx *ctx, json_t **ret,
			   struct nr_error *err)
{
	struct overlay_subnet s;
	int r;

	if ((r = ovl_attach_load(c, ctx, ret, err)) < 0 || *ret)
		return r;
	if (ovl_subnet_read_file(c->subnet_file, &s, err) < 0) {
		nr_error_clear(err);
		return 0;
	}
	if (!(*ret = ovl_bridge_conf(&s)))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	return 0;
}

static int overlay_del(struct cni_plugin_ctx *ctx, struct nr_error *err)
{
	_cleanup_json_ json_t *bc = NULL;
	char owner[NFT_MASQ_OWNER_MAX];
	struct ovl_conf c;
	int r;

	if ((r = ovl_conf_parse(ctx->conf.root, &c, err)) < 0 || (r = del_bridge_conf(&c, ctx, &bc, err)) < 0)
		return r;
	/* Masquerade before the lease (as the bridge's DEL does): once host-local lets the
	 * address go, another ADD may get it. */
	owner_of(ctx, owner);
	if ((r = nft_masq_del(NULL, 0, owner, err)) < 0)
		return nr_error_wrap(err, r, "removing masquerading");
	if (bc && (r = bridge_run(ctx, bc, CNI_CMD_DEL, NULL, err)) < 0)
		return r;
	ovl_attach_remove(&c, ctx);
	return 0;
}

static int overlay_check(struct cni_plugin_ctx *ctx, struct nr_error *err)
{
	_cleanup_json_ json_t *bc = NULL;
	struct overlay_subnet s;
	struct ip_prefix v[8];
	struct ovl_conf c;
	bool ok;
	int r, n;

	if ((r = ovl_conf_parse(ctx->conf.root, &c, err)) < 0 || (r = subnet_load(&c, &s, err)) < 0)
		return r;
	if ((r = ovl_attach_load(&c, ctx, &bc, err)) < 0)
		return r;
	if (!bc && !(bc = ovl_bridge_conf(&s)))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	if ((r = bridge_run(ctx, bc, CNI_CMD_CHECK, NULL, err)) < 0)
		return r;
	n = ovl_masq_prefixes(&s, ctx->conf.prev_result, v, sizeof(v) / sizeof(v[0]));
	for (int i = 0; i < n; i++) {
		char a[IP_PREFIX_STRLEN];
		if ((r = nft_masq_contains(&v[i], &ok, err)) < 0)
			return r;
		if (!ok)
			return nr_error_set(err, CNI_ERR_INTERNAL, ENOENT,
					    "%s is not masqueraded (except to the overlay %s)",
					    ip_addr_format(&v[i].addr, a, sizeof(a)), c.subnet_file);
	}
	return 0;
}

static int overlay_status(struct cni_plugin_ctx *ctx, struct nr_error *err)
{
	_cleanup_json_ json_t *bc = NULL;
	struct overlay_subnet s;
	struct ovl_conf c;
	int r;

	if ((r = ovl_conf_parse(ctx->conf.root, &c, err)) < 0)
		return r;
	if ((r = subnet_load(&c, &s, err)) < 0) {
		err->code = CNI_ERR_NOT_AVAILABLE; /* STATUS's code for "no ADD now" */
		return r;
	}
	if (!(bc = ovl_bridge_conf(&s)))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	return bridge_run(ctx, bc, CNI_CMD_STATUS, NULL, err);
}

/* The bridge's GC (this network's masquerade entries and host-local leases of
 * attachments no longer valid) on the lease's configuration; without a subnet file
 * nothing is collected now (the next GC with one does it). */
static int overlay_gc(struct cni_plugin_ctx *ctx, struct nr_error *err)
{
	_cleanup_json_ json_t *bc = NULL;
	struct overlay_subnet s;
	struct ovl_conf c;
	json_t *valid = NULL;
	int r;

	if ((r = ovl_conf_parse(ctx->conf.root, &c, err)) < 0)
		return r;
	if (ovl_subnet_read_file(c.subnet_file, &s, err) < 0) {
		nr_error_clear(err);
		return 0;
	}
	if (!(bc = ovl_bridge_conf(&s)))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	if ((r = bridge_run(ctx, bc, CNI_CMD_GC, NULL, err)) < 0)
		return r;
	if ((r = cni_gc_valid_attachments(&ctx->conf, &valid, err)) < 0)
		return r;
	ovl_attach_gc(&c, valid);
	return 0;
}

const struct cni_plugin_ops overlay_plugin_ops = {
	.name = "overlay",
	.known_args = overlay_args,
	.add = overlay_add,
	.del = overlay_del,
	.check = overlay_check,
	.status = overlay_status,
	.gc = overlay_gc,
	.host = &ovl_host_ops,
};
