/* host-local: IPAM from ranges in the config, leases kept in files on the host.  A
 * drop-in for the reference plugin, sharing its on-disk store (see store.c).  The
 * operations are in the plugin's archive so that the bridge can run them in its own
 * process when the host-local on CNI_PATH is ours (see plugins/bridge/ipam.c); main.c is
 * the executable around them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "base/json_field.h"
#include "config.h"
#include "dns.h"
#include "hostlocal.h"
#include "store.h"

/* Releases the config and the store (and with it the lock) on every path out. */
struct hl_op {
	struct hl_conf conf;
	struct hl_store store;
};

/* clang-format off: an initialiser on one line reads as one */
#define HL_OP_INIT                     \
	{                              \
		.store = HL_STORE_INIT \
	}
/* clang-format on */

static void hl_op_done(struct hl_op *op)
{
	hl_store_close(&op->store);
	hl_conf_release(&op->conf);
}

static int hl_op_begin(struct cni_plugin_ctx *ctx, struct hl_op *op, struct nr_error *err)
{
	int r;

	if ((r = hl_conf_load(ctx, &op->conf, err)) < 0)
		return r;
	return hl_store_open(op->conf.data_dir, op->conf.name, &op->store, err);
}

static bool in_conf(const struct hl_conf *conf, const struct ip_addr *ip);

struct find_op {
	const char *id, *ifname;
	const struct hl_conf *conf; /* when set, only leases inside a configured set count */
	struct ip_addr found;
	bool any;
};

static int find_one(struct hl_store *s, const struct hl_lease *l, void *arg)
{
	struct find_op *f = arg;

	if (!hl_lease_matches(l, f->id, f->ifname))
		return 0;
	if (f->conf && !in_conf(f->conf, &l->ip))
		return 0;
	f->found = l->ip;
	f->any = true;
	return 1; /* one is enough */
}

static bool in_conf(const struct hl_conf *conf, const struct ip_addr *ip)
{
	for (size_t i = 0; i < conf->n_sets; i++)
		if (hl_rangeset_contains(&conf->sets[i], ip))
			return true;
	return false;
}

/* A lease of (id, ifname) (inside conf's sets when conf is given): 1 and *ret, or 0.
 * The index answers; a scan only when the attachment cannot be indexed or, with
 * scan_on_miss, when the index has nothing (CHECK: rare, and must not be wrong). */
static int find_lease(struct hl_store *s, const struct hl_conf *conf, const char *id, const char *ifname,
		      bool scan_on_miss, struct ip_addr *ret, struct nr_error *err)
{
	struct find_op f = { .id = id, .ifname = ifname, .conf = conf };
	struct ip_addr ips[64];
	size_t n;
	int r = hl_store_indexed(s, id, ifname, ips, 64, &n);

	if (r == 0) {
		for (size_t i = 0; i < n; i++) {
			if ((conf && !in_conf(conf, &ips[i])) || !hl_store_lease_is(s, &ips[i], id, ifname))
				continue;
			if (ret)
				*ret = ips[i];
			return 1;
		}
		if (!scan_on_miss)
			return 0;
	}
	if ((r = hl_store_foreach(s, find_one, &f, err)) < 0)
		return r;
	if (f.any && ret)
		*ret = f.found;
	return f.any;
}

/* Give each range set the first requested address it contains; an address no set
 * contains (or a second one for the same set) is refused before anything is written. */
static int requests_assign(const struct hl_conf *c, const struct ip_addr **per_set, struct nr_error *err)
{
	char buf[INET6_ADDRSTRLEN];

	for (size_t k = 0; k < c->n_req; k++) {
		size_t i;
		for (i = 0; i < c->n_sets; i++)
			if (!per_set[i] && hl_rangeset_contains(&c->sets[i], &c->req[k]))
				break;
		if (i == c->n_sets)
			return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
					    "requested IP %s is not in any range set (or another requested IP already "
					    "takes its range set)",
					    ip_addr_format(&c->req[k], buf, sizeof(buf)));
		per_set[i] = &c->req[k];
	}
	return 0;
}

static int result_fill(const struct hl_conf *c, struct cni_result *res, struct nr_error *err)
{
	size_t i;
	json_t *rt;
	int r;

	json_array_foreach(c->routes, i, rt) {
		if (cni_result_add_route(res, json_string_value(json_get_go(rt, "dst")),
					 json_string_value(json_get_go(rt, "gw"))) < 0)
			return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	}
	if (c->resolv_conf && (r = hl_dns_load(c->resolv_conf, &res->dns, err)) < 0)
		return r;
	return 0;
}

static int allocate_all(struct hl_op *op, const char *id, const char *ifname, const struct ip_addr **per_set,
			struct ip_prefix *got, struct cni_result *res, struct nr_error *err)
{
	char a[IP_PREFIX_STRLEN], g[INET6_ADDRSTRLEN];
	struct ip_addr gw;
	size_t i;
	int r = 0;

	for (i = 0; i < op->conf.n_sets; i++) {
		if ((r = hl_alloc(&op->store, &op->conf.sets[i], i, id, ifname, per_set[i], &got[i], &gw, err)) < 0) {
			nr_error_wrap(err, r, "allocating from range set %zu", i);
			break;
		}
		if (cni_result_add_ip(res, ip_prefix_format(&got[i], a, sizeof(a)), ip_addr_format(&gw, g, sizeof(g)),
				      -1) < 0) {
			i++; /* got[i] is leased: roll it back too */
			r = nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
			break;
		}
	}
	if (r < 0) {
		/* Leave the store as it was: only the leases made by this ADD go. */
		while (i-- > 0)
			hl_store_remove(&op->store, &got[i].addr, NULL);
	}
	return r;
}

static int hl_add(struct cni_plugin_ctx *ctx, struct cni_result *res, struct nr_error *err)
{
	_cleanup_(hl_op_done) struct hl_op op = HL_OP_INIT;
	_cleanup_free_ const struct ip_addr **per_set = NULL;
	_cleanup_free_ struct ip_prefix *got = NULL;
	const char *id = ctx->env.container_id, *ifname = ctx->env.ifname;
	char buf[INET6_ADDRSTRLEN];
	struct ip_addr have;
	int r;

	if ((r = hl_op_begin(ctx, &op, err)) < 0)
		return r;
	if (!(per_set = calloc(op.conf.n_sets, sizeof(*per_set))) || !(got = calloc(op.conf.n_sets, sizeof(*got))))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	if ((r = requests_assign(&op.conf, per_set, err)) < 0)
		return r;
	/* The spec forbids a second ADD for the same attachment without a DEL between. */
	if ((r = find_lease(&op.store, &op.conf, id, ifname, false, &have, err)) < 0)
		return r;
	if (r > 0)
		return nr_error_set(err, HL_ERR_IN_USE, EEXIST,
				    "%s is already allocated to container %s interface %s; duplicate allocation is not allowed",
				    ip_addr_format(&have, buf, sizeof(buf)), id, ifname);
	/* Routes and DNS first: a broken resolvConf must not leave leases behind. */
	if ((r = result_fill(&op.conf, res, err)) < 0)
		return r;
	if ((r = allocate_all(&op, id, ifname, per_set, got, res, err)) < 0)
		return r;
	hl_store_index_put(&op.store, id, ifname, got, op.conf.n_sets);
	return 0;
}

static int hl_del(struct cni_plugin_ctx *ctx, struct nr_error *err)
{
	_cleanup_(hl_op_done) struct hl_op op = HL_OP_INIT;
	int r;

	if ((r = hl_op_begin(ctx, &op, err)) < 0)
		return r;
	/* Nothing leased is success: DEL must be idempotent. */
	r = hl_store_release(&op.store, ctx->env.container_id, ctx->env.ifname, err);
	return r < 0 ? r : 0;
}

static int hl_check(struct cni_plugin_ctx *ctx, struct nr_error *err)
{
	_cleanup_(hl_op_done) struct hl_op op = HL_OP_INIT;
	int r;

	if ((r = hl_op_begin(ctx, &op, err)) < 0)
		return r;
	if ((r = find_lease(&op.store, NULL, ctx->env.container_id, ctx->env.ifname, true, NULL, err)) < 0)
		return r;
	if (r == 0)
		return nr_error_set(err, CNI_ERR_UNKNOWN_CONTAINER, ENOENT,
				    "no address is leased to container %s interface %s in network %s",
				    ctx->env.container_id, ctx->env.ifname, op.conf.name);
	return 0;
}

static int hl_status(struct cni_plugin_ctx *ctx, struct nr_error *err)
{
	_cleanup_(hl_op_done) struct hl_op op = HL_OP_INIT;
	int r;

	if ((r = hl_conf_load(ctx, &op.conf, err)) < 0)
		return r;
	if ((r = hl_store_open(op.conf.data_dir, op.conf.name, &op.store, err)) < 0) {
		err->code = CNI_ERR_NOT_AVAILABLE;
		return nr_error_wrap(err, r, "lease store unusable");
	}
	/* ADD takes one address from every range set, so one full set is enough to fail it. */
	for (size_t i = 0; i < op.conf.n_sets; i++)
		if (!hl_rangeset_has_free(&op.store, &op.conf.sets[i], i))
			return nr_error_set(err, CNI_ERR_NOT_AVAILABLE, ENOSPC,
					    "no IP addresses available in range set %zu of network %s", i,
					    op.conf.name);
	return 0;
}

struct gc_op {
	json_t *valid;
	struct nr_error *err;
};

static bool id_valid(json_t *valid, const char *id)
{
	size_t i;
	json_t *a;

	json_array_foreach(valid, i, a) {
		const char *v = json_string_value(json_get_go(a, "containerID"));
		if (v && strcmp(v, id) == 0)
			return true;
	}
	return false;
}

static int gc_one(struct hl_store *s, const struct hl_lease *l, void *arg)
{
	struct gc_op *gc = arg;
	/* An old id-only lease stays while any attachment of its container is valid. */
	bool keep = l->ifname ? cni_gc_attachment_valid(gc->valid, l->id, l->ifname) : id_valid(gc->valid, l->id);

	return keep ? 0 : hl_store_remove(s, &l->ip, gc->err);
}

static int hl_gc(struct cni_plugin_ctx *ctx, struct nr_error *err)
{
	_cleanup_(hl_op_done) struct hl_op op = HL_OP_INIT;
	struct gc_op gc = { .err = err };
	int r;

	if ((r = cni_gc_valid_attachments(&ctx->conf, &gc.valid, err)) < 0)
		return r;
	if ((r = hl_op_begin(ctx, &op, err)) < 0)
		return r;
	if ((r = hl_store_foreach(&op.store, gc_one, &gc, err)) < 0)
		return r;
	return hl_store_reindex(&op.store, err);
}

static const char *const hl_known_args[] = { "IP", NULL };

const struct cni_plugin_ops hostlocal_ops = {
	.name = "host-local",
	.known_args = hl_known_args,
	.add = hl_add,
	.del = hl_del,
	.check = hl_check,
	.status = hl_status,
	.gc = hl_gc,
	.host = &hl_host_state_ops,
};
