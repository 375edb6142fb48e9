/* none: the loopback plugin.  ADD brings lo up in the container's network namespace and
 * reports it; chained after another plugin it passes prevResult through unchanged.
 * The operations are in the plugin's archive because two programs run them: main.c, and
 * the runtime, which runs them in process when the `none` on CNI_PATH is ours (cni_chain.h). */
#include "plugin_none.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/fdio.h"
#include "nl/link.h"
#include "nl/netns.h"

struct lo_op {
	bool up;
	bool ret_up;
	bool ret_ipv6;
};

static int lo_set(void *arg, struct nr_error *err)
{
	_cleanup_nlsock_ struct nlsock *s = NULL;
	struct lo_op *op = arg;
	char v[8];
	int r;

	if ((r = nlsock_open(&s, err)) < 0)
		return r;
	if ((r = link_set_up(s, "lo", op->up, err)) < 0)
		return r;
	/* ::1 exists only where IPv6 is enabled on lo. */
	op->ret_ipv6 = file_read_line("/proc/sys/net/ipv6/conf/lo/disable_ipv6", v, sizeof(v)) >= 0 &&
		       strcmp(v, "0") == 0;
	return 0;
}

static int lo_query(void *arg, struct nr_error *err)
{
	_cleanup_nlsock_ struct nlsock *s = NULL;
	struct lo_op *op = arg;
	int r;

	if ((r = nlsock_open(&s, err)) < 0)
		return r;
	return link_is_up(s, "lo", &op->ret_up, err);
}

static int none_add(struct cni_plugin_ctx *ctx, struct cni_result *res, struct nr_error *err)
{
	struct lo_op op = { .up = true };
	struct cni_result *prev = ctx->conf.prev_result;
	int r, i;

	if ((r = netns_run_path(ctx->env.netns, lo_set, &op, err)) < 0)
		return nr_error_wrap(err, r, "bringing up lo in %s", ctx->env.netns);
	if (prev) {
		/* Chained: the spec asks a plugin that adds nothing to the result to pass the
		 * previous one on unchanged. */
		struct cni_result *copy = cni_result_dup(prev);
		if (!copy)
			return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
		*res = *copy;
		free(copy);
		return 0;
	}
	if ((i = cni_result_add_iface(res, "lo", "00:00:00:00:00:00", ctx->env.netns)) < 0 ||
	    cni_result_add_ip(res, "127.0.0.1/8", NULL, i) < 0 ||
	    (op.ret_ipv6 && cni_result_add_ip(res, "::1/128", NULL, i) < 0))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	return 0;
}

static int none_del(struct cni_plugin_ctx *ctx, struct nr_error *err)
{
	struct lo_op op = { .up = false };
	int r;

	/* Nothing lives outside the namespace, so with no namespace there is nothing to do. */
	if (!ctx->env.netns)
		return 0;
	r = netns_run_path(ctx->env.netns, lo_set, &op, err);
	if (r == -ENOENT || r == -ENODEV) {
		nr_error_clear(err);
		return 0;
	}
	return r < 0 ? nr_error_wrap(err, r, "setting lo down in %s", ctx->env.netns) : 0;
}

static int none_check(struct cni_plugin_ctx *ctx, struct nr_error *err)
{
	struct lo_op op = { 0 };
	int r;

	if ((r = netns_run_path(ctx->env.netns, lo_query, &op, err)) < 0)
		return nr_error_wrap(err, r, "checking lo in %s", ctx->env.netns);
	if (!op.ret_up)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENETDOWN, "lo in %s is down", ctx->env.netns);
	return 0;
}

const struct cni_plugin_ops none_plugin_ops = {
	.name = "none",
	.add = none_add,
	.del = none_del,
	.check = none_check,
};
