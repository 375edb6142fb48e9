/* Running a network's plugin chain (SPEC.md, "Network configuration lists" and
 * "Invoking plugins"): per-plugin configs, ADD with rollback, DEL in reverse, CHECK,
 * STATUS, GC, and the cache that carries results from ADD to DEL and CHECK. */
#include "cni_chain.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_field.h"
#include "cni_cache.h"
#include "cni_cleanup.h"
#include "cni_config.h"
#include "cni_env.h"
#include "cni_exec.h"
#include "cni_plugin.h"
#include "cni_version.h"

static size_t n_plugins(const struct cni_netconf *n)
{
	return json_array_size(json_object_get(n->list, "plugins"));
}

static json_t *plugin_at(const struct cni_netconf *n, size_t i)
{
	return json_array_get(json_object_get(n->list, "plugins"), i);
}

static const char *plugin_type(const struct cni_netconf *n, size_t i)
{
	return json_string_value(json_get_go(plugin_at(n, i), "type"));
}

/* runtimeConfig: of the capability args, only those the plugin declares true in its
 * "capabilities" (CONVENTIONS.md); NULL when none applies. */
static json_t *runtime_config(json_t *plugin, json_t *caps)
{
	json_t *declared = json_get_go(plugin, "capabilities"), *rc = NULL, *v;
	const char *key;

	if (!json_is_object(declared) || !json_is_object(caps))
		return NULL;
	json_object_foreach(declared, key, v) {
		json_t *arg = json_object_get(caps, key);
		if (!json_is_true(v) || !arg)
			continue;
		if (!rc && !(rc = json_object()))
			return NULL;
		json_object_set(rc, key, arg);
	}
	return rc;
}

json_t *cni_chain_plugin_config(const struct cni_netconf *n, size_t i, json_t *caps, json_t *prev_result)
{
	json_t *c = json_deep_copy(plugin_at(n, i)), *rc;

	if (!c)
		return NULL;
	json_object_set_new(c, "name", json_string(n->name));
	json_object_set_new(c, "cniVersion", json_string(n->cni_version));
	json_object_del(c, "runtimeConfig");
	if ((rc = runtime_config(c, caps)))
		json_object_set_new(c, "runtimeConfig", rc);
	if (prev_result)
		json_object_set(c, "prevResult", prev_result);
	return c;
}

struct call {
	const char *command;
	const char *container_id, *netns, *ifname, *args;
	json_t *caps;
	json_t *prev;  /* prevResult in the network's version, or NULL */
	json_t *extra; /* members added to the config (GC's valid attachments), or NULL */
};

static int run_plugin(const struct cni_netconf *n, const struct cni_rtconf *rt, size_t i, const struct call *c,
		      json_t **ret_out, struct nr_error *err)
{
	_cleanup_json_ json_t *conf = cni_chain_plugin_config(n, i, c->caps, c->prev);
	_cleanup_json_ json_t *out = NULL;
	_cleanup_free_ char *text = NULL;
	int r;

	if (!conf || (c->extra && json_object_update(conf, c->extra) < 0) || !(text = json_dumps(conf, JSON_COMPACT)))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	struct cni_exec_req req = {
		.command = c->command,
		.container_id = c->container_id,
		.netns = c->netns && *c->netns ? c->netns : NULL,
		.ifname = c->ifname,
		.args = c->args,
		.path = rt->cni_path,
		.stdin_buf = text,
		.stdin_len = strlen(text),
		.timeout_ms = rt->timeout_ms,
	};
	const struct cni_plugin_ops *ops = cni_builtin_find(rt->builtins, plugin_type(n, i), conf, rt->cni_path);
	r = ops ? cni_builtin_run(ops, &req, &out, err) : cni_exec_plugin(plugin_type(n, i), &req, &out, err);
	if (r < 0)
		return nr_error_wrap(err, r, "network %s: plugin %s (%zu of %zu) %s", n->name, plugin_type(n, i), i + 1,
				     n_plugins(n), c->command);
	if (ret_out)
		*ret_out = TAKE_PTR(out);
	return 0;
}

/* A result in the network's version, as the next plugin's prevResult. */
static int normalise(const struct cni_netconf *n, json_t *obj, const char *what, struct cni_result **ret_res,
		     json_t **ret_json, struct nr_error *err)
{
	_cleanup_result_ struct cni_result *res = NULL;
	int r;

	if ((r = cni_result_parse(obj, what, &res, err)) < 0)
		return r;
	if (!(*ret_json = cni_result_to_json(res, n->cni_version)))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	if (ret_res)
		*ret_res = TAKE_PTR(res);
	return 0;
}

static int check_attachment(const struct cni_rtconf *rt, bool need_netns, struct nr_error *err)
{
	if (!rt->container_id || !cni_container_id_valid(rt->container_id))
		return nr_error_set(err, CNI_ERR_INVALID_ENV, EINVAL, "container id '%s' is invalid",
				    rt->container_id ? rt->container_id : "");
	if (cni_ifname_validate(rt->ifname, NULL) < 0)
		return nr_error_set(err, CNI_ERR_INVALID_ENV, EINVAL, "interface name '%s' is invalid",
				    rt->ifname ? rt->ifname : "");
	if (need_netns && (!rt->netns || !*rt->netns))
		return nr_error_set(err, CNI_ERR_INVALID_ENV, EINVAL, "a network namespace path is required");
	return 0;
}

/* DEL plugins last..0 in reverse.  A runtime's DEL stops at the first failure (the cache
 * stays, so DEL can be retried in order with the same prevResult); a cleanup (rollback,
 * stale attachments) goes on to the end, with errors dropped. */
static int del_range(const struct cni_netconf *n, const struct cni_rtconf *rt, const struct call *c, size_t last,
		     bool best_effort, struct nr_error *err)
{
	for (size_t i = last + 1; i-- > 0;) {
		int r = run_plugin(n, rt, i, c, NULL, best_effort ? NULL : err);
		if (r < 0 && !best_effort)
			return r;
	}
	return 0;
}

int cni_chain_add(const struct cni_netconf *n, const struct cni_rtconf *rt, struct cni_result **ret,
		  struct nr_error *err)
{
	_cleanup_json_ json_t *prev = NULL;
	_cleanup_result_ struct cni_result *res = NULL;
	struct call c = { "ADD", rt->container_id, rt->netns, rt->ifname, rt->args, rt->capability_args, NULL, NULL };
	size_t i, np = n_plugins(n);
	int r;

	if ((r = check_attachment(rt, true, err)) < 0)
		return r;
	for (i = 0; i < np; i++) {
		_cleanup_json_ json_t *out = NULL;
		json_t *next = NULL;

		c.prev = prev;
		if ((r = run_plugin(n, rt, i, &c, &out, err)) < 0)
			goto rollback;
		if (!out) {
			r = nr_error_set(err, CNI_ERR_DECODE, EINVAL,
					 "network %s: plugin %s (%zu of %zu) ADD printed no result", n->name,
					 plugin_type(n, i), i + 1, np);
			goto rollback;
		}
		cni_result_free(TAKE_PTR(res));
		if ((r = normalise(n, out, "ADD result", &res, &next, err)) < 0) {
			nr_error_wrap(err, r, "network %s: plugin %s (%zu of %zu)", n->name, plugin_type(n, i), i + 1,
				      np);
			goto rollback;
		}
		json_decref(prev);
		prev = next;
	}

	struct cni_cache_entry e = {
		.network = n->name,
		.container_id = (char *)rt->container_id,
		.ifname = (char *)rt->ifname,
		.netns = (char *)rt->netns,
		.args = (char *)rt->args,
		.caps = rt->capability_args,
		.result = prev,
	};
	i = np - 1;
	if ((r = cni_cache_write(rt->cache_dir, &e, err)) < 0) {
		nr_error_wrap(err, r, "network %s: caching the result", n->name);
		goto rollback;
	}
	*ret = TAKE_PTR(res);
	return 0;

rollback:
	/* The failed plugin too: it may have done part of its work. */
	c.command = "DEL";
	c.prev = prev;
	del_range(n, rt, &c, i, true, NULL);
	return r;
}

/* The cached entry, or NULL; an entry that cannot be read is treated as none (DEL must
 * still be able to run), and removed with the rest at the end. */
static struct cni_cache_entry *cached(const struct cni_netconf *n, const struct cni_rtconf *rt)
{
	struct cni_cache_entry *e = NULL;

	cni_cache_load(rt->cache_dir, n->name, rt->container_id, rt->ifname, &e, NULL);
	return e;
}

static int del_with_entry(const struct cni_netconf *n, const struct cni_rtconf *rt, const char *netns,
			  const struct cni_cache_entry *e, bool best_effort, struct nr_error *err)
{
	_cleanup_json_ json_t *prev = NULL;
	struct call c = { "DEL", rt->container_id, netns, rt->ifname, rt->args, rt->capability_args, NULL, NULL };
	int r;

	if (e) {
		if (!c.caps)
			c.caps = e->caps;
		if (!c.args)
			c.args = e->args;
		/* A cached result that no longer decodes is left out rather than blocking DEL. */
		if (e->result && normalise(n, e->result, "cached result", NULL, &prev, NULL) < 0)
			prev = NULL;
		c.prev = prev;
	}
	if ((r = del_range(n, rt, &c, n_plugins(n) - 1, best_effort, err)) < 0)
		return r;
	if ((r = cni_cache_remove(rt->cache_dir, n->name, rt->container_id, rt->ifname, err)) < 0)
		return nr_error_wrap(err, r, "network %s", n->name);
	return 0;
}

int cni_chain_del(const struct cni_netconf *n, const struct cni_rtconf *rt, struct nr_error *err)
{
	_cleanup_(cni_cache_entry_freep) struct cni_cache_entry *e = NULL;
	int r;

	if ((r = check_attachment(rt, false, err)) < 0)
		return r;
	e = cached(n, rt);
	return del_with_entry(n, rt, rt->netns, e, false, err);
}

int cni_chain_check(const struct cni_netconf *n, const struct cni_rtconf *rt, struct nr_error *err)
{
	_cleanup_(cni_cache_entry_freep) struct cni_cache_entry *e = NULL;
	_cleanup_json_ json_t *prev = NULL;
	struct cni_version v;
	int r;

	if (cni_version_parse(n->cni_version, &v) < 0 || !cni_version_at_least(&v, 0, 4, 0))
		return nr_error_set(err, CNI_ERR_INCOMPATIBLE_VERSION, EINVAL,
				    "network %s: CHECK needs cniVersion 0.4.0 or later; the conflist has %s", n->name,
				    n->cni_version);
	if (n->disable_check)
		return 0;
	if ((r = check_attachment(rt, true, err)) < 0)
		return r;
	if ((r = cni_cache_load(rt->cache_dir, n->name, rt->container_id, rt->ifname, &e, err)) < 0)
		return nr_error_wrap(err, r, "network %s", n->name);
	if (!e || !e->result)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOENT,
				    "network %s: no cached result for container %s interface %s; was it ever added?",
				    n->name, rt->container_id, rt->ifname);
	if ((r = normalise(n, e->result, "cached result", NULL, &prev, err)) < 0)
		return nr_error_wrap(err, r, "network %s", n->name);
	struct call c = { "CHECK",
			  rt->container_id,
			  rt->netns,
			  rt->ifname,
			  rt->args ? rt->args : e->args,
			  rt->capability_args ? rt->capability_args : e->caps,
			  prev,
			  NULL };
	for (size_t i = 0; i < n_plugins(n); i++)
		if ((r = run_plugin(n, rt, i, &c, NULL, err)) < 0)
			return r;
	return 0;
}

static bool at_least_1_1(const struct cni_netconf *n)
{
	struct cni_version v;
	return cni_version_parse(n->cni_version, &v) == 0 && cni_version_at_least(&v, 1, 1, 0);
}

int cni_chain_status(const struct cni_netconf *n, const struct cni_rtconf *rt, struct nr_error *err)
{
	struct call c = { .command = "STATUS" };
	int r;

	if (!at_least_1_1(n))
		return 0;
	for (size_t i = 0; i < n_plugins(n); i++)
		if ((r = run_plugin(n, rt, i, &c, NULL, err)) < 0)
			return r;
	return 0;
}

struct gc_op {
	const struct cni_netconf *n;
	const struct cni_rtconf *rt;
	json_t *valid;
};

/* A stale attachment: DEL it as libcni does, so plugins free what only DEL knows about,
 * but without its namespace (the path may since name another container's), then forget it. */
static int gc_stale(const struct cni_cache_entry *e, void *arg, struct nr_error *err)
{
	struct gc_op *op = arg;
	struct cni_rtconf rt = *op->rt;

	if (cni_gc_attachment_valid(op->valid, e->container_id, e->ifname))
		return 0;
	rt.container_id = e->container_id;
	rt.ifname = e->ifname;
	rt.args = NULL;
	rt.capability_args = NULL;
	del_with_entry(op->n, &rt, NULL, e, true, NULL);
	return 0;
}

int cni_chain_gc(const struct cni_netconf *n, const struct cni_rtconf *rt, json_t *valid, struct nr_error *err)
{
	_cleanup_json_ json_t *extra = NULL;
	_cleanup_json_ json_t *none = NULL;
	struct gc_op op = { n, rt, valid };
	struct call c = { .command = "GC" };
	int r, first = 0;

	if (n->disable_gc)
		return 0;
	if (!valid && !(valid = none = json_array()))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	if (!json_is_array(valid))
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "valid attachments must be an array");
	op.valid = valid;
	if ((r = cni_cache_foreach(rt->cache_dir, n->name, gc_stale, &op, err)) < 0)
		return nr_error_wrap(err, r, "network %s: removing stale attachments", n->name);
	if (!at_least_1_1(n))
		return 0;
	if (!(extra = json_pack("{s:O}", "cni.dev/valid-attachments", valid)))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	c.extra = extra;
	/* Every plugin gets its chance to collect, whatever an earlier one said; the first
	 * failure is reported. */
	for (size_t i = 0; i < n_plugins(n); i++) {
		struct nr_error e = { 0 };
		if ((r = run_plugin(n, rt, i, &c, NULL, &e)) < 0 && !first) {
			first = r;
			nr_error_copy(err, &e);
		}
	}
	return first;
}
