/* tuning: sysctls of the container's network namespace and attributes of its interface
 * (MAC, MTU, promiscuous and all-multicast mode, transmit queue length), set on ADD and,
 * for the link, put back on DEL from the backup ADD saved (backup.c); prevResult passes
 * through with the interface's new MAC.  The operations are in the plugin's archive so
 * the runtime can run them in process. */
#include "plugin_tuning.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply.h"
#include "nl/netns.h"

static const char *const known_args[] = { "MAC", NULL };

static int need_prev_result(const struct cni_plugin_ctx *ctx, struct nr_error *err)
{
	if (!ctx->conf.prev_result)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				    "tuning: required prevResult missing (tuning is chained after an interface plugin)");
	return 0;
}

static int backup_path(const struct cni_plugin_ctx *ctx, const char *dir, char *buf, size_t len, struct nr_error *err)
{
	if (tun_backup_path(dir, ctx->env.container_id, ctx->env.ifname, buf, len) < 0)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, ENAMETOOLONG, "tuning: dataDir too long: %s", dir);
	return 0;
}

/* The previous result, with the MAC of the interface we changed (as the reference: the
 * address as configured). */
static int result_of(const struct cni_plugin_ctx *ctx, const struct tun_conf *c, struct cni_result *res,
		     struct nr_error *err)
{
	struct cni_result *copy = cni_result_dup(ctx->conf.prev_result);
	size_t i;

	if (!copy)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	*res = *copy;
	free(copy);
	for (i = 0; c->mac && i < res->n_ifaces; i++) {
		char *m;
		if (!res->ifaces[i].name || strcmp(res->ifaces[i].name, ctx->env.ifname) != 0)
			continue;
		if (!(m = strdup(c->mac)))
			return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
		free(res->ifaces[i].mac);
		res->ifaces[i].mac = m;
	}
	return 0;
}

static int tuning_add(struct cni_plugin_ctx *ctx, struct cni_result *res, struct nr_error *err)
{
	struct tun_conf c;
	char path[4096];
	struct tun_op op = { .conf = &c,
			     .ifname = ctx->env.ifname,
			     .backup_path = path,
			     .network = ctx->conf.name,
			     .container_id = ctx->env.container_id };
	int r;

	if ((r = tun_conf_parse(ctx, &c, err)) < 0)
		return r;
	if ((r = need_prev_result(ctx, err)) < 0 || (r = backup_path(ctx, c.data_dir, path, sizeof(path), err)) < 0)
		goto out;
	if ((r = netns_run_path(ctx->env.netns, tun_ns_add, &op, err)) < 0) {
		r = nr_error_wrap(err, r, "tuning %s in %s", ctx->env.ifname, ctx->env.netns);
		goto out;
	}
	r = result_of(ctx, &c, res, err);
out:
	tun_conf_release(&c);
	return r;
}

/* DEL reads only dataDir: whatever else the config says, the backup says what to undo.
 * As the reference, a failure to put a value back does not fail DEL (the chain's other
 * DELs must still run; the link usually goes with its namespace): it is reported on
 * stderr and the backup kept for another DEL. */
static int tuning_del(struct cni_plugin_ctx *ctx, struct nr_error *err)
{
	const char *dir;
	char path[4096];
	struct tun_op op = { .ifname = ctx->env.ifname, .backup_path = path };
	struct nr_error e = { 0 };
	int r;

	if ((r = tun_conf_data_dir(ctx->conf.root, &dir, err)) < 0 ||
	    (r = backup_path(ctx, dir, path, sizeof(path), err)) < 0)
		return r;
	/* A save SIGKILLed midway leaves its temporary file behind (the backup is renamed into
	 * place whole, so it is either the old one or the new one). */
	tun_backup_drop_temps(dir, path);
	if (access(path, F_OK) < 0)
		return 0; /* nothing to put back */
	r = ctx->env.netns ? netns_run_path(ctx->env.netns, tun_ns_del, &op, &e) : 0;
	if (r < 0 && (e.code == CNI_ERR_UNKNOWN_CONTAINER || r == -ENOENT)) {
		op.ret_drop_backup = true; /* the namespace is gone, and the link with it */
		r = 0;
	}
	if (!ctx->env.netns)
		op.ret_drop_backup = true;
	if (r < 0)
		fprintf(stderr, "tuning: DEL could not restore %s in %s: %s\n", ctx->env.ifname, ctx->env.netns, e.msg);
	if (op.ret_drop_backup && unlink(path) < 0 && errno != ENOENT)
		return nr_error_set(err, CNI_ERR_IO, errno, "tuning: cannot remove %s: %s", path, strerror(errno));
	return 0;
}

static int tuning_check(struct cni_plugin_ctx *ctx, struct nr_error *err)
{
	struct tun_conf c;
	struct tun_op op = { .conf = &c, .ifname = ctx->env.ifname };
	int r;

	if ((r = tun_conf_parse(ctx, &c, err)) < 0)
		return r;
	if ((r = need_prev_result(ctx, err)) == 0 && (r = netns_run_path(ctx->env.netns, tun_ns_check, &op, err)) < 0)
		r = nr_error_wrap(err, r, "checking %s in %s", ctx->env.ifname, ctx->env.netns);
	tun_conf_release(&c);
	return r;
}

/* Backups this network's ADDs made for attachments that are no longer valid (their DEL
 * never came): nothing is left to restore them to. */
static int tuning_gc(struct cni_plugin_ctx *ctx, struct nr_error *err)
{
	const char *dir;
	json_t *valid = NULL;
	int r;

	if ((r = tun_conf_data_dir(ctx->conf.root, &dir, err)) < 0 ||
	    (r = cni_gc_valid_attachments(&ctx->conf, &valid, err)) < 0)
		return r;
	return tun_backup_gc(dir, ctx->conf.name, valid, err);
}

const struct cni_plugin_ops tuning_plugin_ops = {
	.name = "tuning",
	.known_args = known_args,
	.add = tuning_add,
	.del = tuning_del,
	.check = tuning_check,
	.gc = tuning_gc,
};
