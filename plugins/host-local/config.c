/* The ipam object of the network configuration, plus the requested addresses that may
 * arrive by CNI_ARGS, conf.args and runtimeConfig, merged the way the reference does. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_field.h"
#include "config.h"

static int sets_append(struct hl_conf *c, struct hl_rangeset set)
{
	struct hl_rangeset *n = realloc(c->sets, (c->n_sets + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	n[c->n_sets++] = set;
	c->sets = n;
	return 0;
}

static int rangeset_parse(json_t *arr, const char *what, struct hl_rangeset *ret, struct nr_error *err)
{
	struct hl_rangeset set = { 0 };
	char w[128];
	size_t i;
	json_t *v;
	int r;

	if (!json_is_array(arr))
		return nr_error_set(err, CNI_ERR_DECODE, EINVAL, "%s must be an array of ranges", what);
	if (!(set.r = calloc(json_array_size(arr) + 1, sizeof(*set.r))))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	json_array_foreach(arr, i, v) {
		snprintf(w, sizeof(w), "%s[%zu]", what, i);
		if ((r = hl_range_parse(v, w, &set.r[set.n], err)) < 0) {
			free(set.r);
			return r;
		}
		set.n++;
	}
	*ret = set;
	return 0;
}

/* A set of one range: go-cni's ipRanges capability is a flat array of range objects
 * (its []IPRanges), where the reference reads an array of range sets and refuses it. */
static int single_parse(json_t *obj, const char *what, struct hl_rangeset *ret, struct nr_error *err)
{
	struct hl_rangeset set = { .n = 1 };
	int r;

	if (!(set.r = calloc(2, sizeof(*set.r))))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	if ((r = hl_range_parse(obj, what, &set.r[0], err)) < 0) {
		free(set.r);
		return r;
	}
	*ret = set;
	return 0;
}

/* Every range set of an array of them (ipam.ranges, runtimeConfig.ipRanges).  In
 * runtimeConfig.ipRanges a range object where a set is expected is a set of its own
 * (flat: go-cni's form; docs/go-clients.md). */
static int sets_parse(struct hl_conf *c, json_t *arr, const char *what, bool flat_ok, struct nr_error *err)
{
	struct hl_rangeset set = { 0 };
	char w[128];
	size_t i;
	json_t *v;
	int r;

	json_array_foreach(arr, i, v) {
		snprintf(w, sizeof(w), "%s[%zu]", what, i);
		if (flat_ok && json_is_object(v))
			r = single_parse(v, w, &set, err);
		else
			r = rangeset_parse(v, w, &set, err);
		if (r < 0)
			return r;
		if (sets_append(c, set) < 0) {
			free(set.r);
			return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
		}
	}
	return 0;
}

/* The old single-range form: subnet/rangeStart/rangeEnd/gateway directly in ipam. */
static int legacy_range_parse(struct hl_conf *c, json_t *ipam, struct nr_error *err)
{
	struct hl_rangeset set = { 0 };
	int r;

	if (!json_get_go(ipam, "subnet"))
		return 0;
	if (!(set.r = calloc(1, sizeof(*set.r))))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	set.n = 1;
	if ((r = hl_range_parse(ipam, "ipam", &set.r[0], err)) < 0) {
		free(set.r);
		return r;
	}
	if (sets_append(c, set) < 0) {
		free(set.r);
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	}
	return 0;
}

static int routes_validate(json_t *routes, struct nr_error *err)
{
	struct ip_prefix p;
	struct ip_addr a;
	size_t i;
	json_t *rt;

	json_array_foreach(routes, i, rt) {
		const char *dst = json_string_value(json_get_go(rt, "dst"));
		json_t *gw = json_get_go(rt, "gw");

		if (!json_is_object(rt) || !dst)
			return nr_error_set(err, CNI_ERR_DECODE, EINVAL,
					    "ipam: routes[%zu] must be an object with a string dst", i);
		if (ip_prefix_parse(dst, &p) < 0)
			return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
					    "ipam: routes[%zu].dst \"%s\" is not a CIDR prefix", i, dst);
		if (gw && !json_is_null(gw) && (!json_is_string(gw) || ip_addr_parse(json_string_value(gw), &a) < 0))
			return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
					    "ipam: routes[%zu].gw is not an IP address", i);
	}
	return 0;
}

static int req_append(struct hl_conf *c, const char *s, size_t len, int code, const char *from, struct nr_error *err)
{
	char buf[IP_PREFIX_STRLEN];
	struct ip_addr *n;
	struct ip_prefix p;
	struct ip_addr a;

	/* Trim, and accept "ADDR/LEN" too: runtimeConfig.ips carries CIDRs in practice. */
	while (len && (*s == ' ' || *s == '\t'))
		s++, len--;
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len >= sizeof(buf))
		return nr_error_set(err, code, EINVAL, "%s: \"%.*s\" is not an IP address", from, (int)len, s);
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (ip_addr_parse(buf, &a) < 0) {
		if (ip_prefix_parse(buf, &p) < 0)
			return nr_error_set(err, code, EINVAL, "%s: \"%s\" is not an IP address", from, buf);
		a = p.addr;
	}
	if (!(n = realloc(c->req, (c->n_req + 1) * sizeof(*n))))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	n[c->n_req++] = a;
	c->req = n;
	return 0;
}

static int req_from_array(struct hl_conf *c, json_t *arr, const char *from, struct nr_error *err)
{
	size_t i;
	json_t *v;
	int r;

	if (!arr)
		return 0;
	if (!json_is_array(arr))
		return nr_error_set(err, CNI_ERR_DECODE, EINVAL, "%s must be an array of IP addresses", from);
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v))
			return nr_error_set(err, CNI_ERR_DECODE, EINVAL, "%s[%zu] must be a string", from, i);
		if ((r = req_append(c, json_string_value(v), strlen(json_string_value(v)), CNI_ERR_INVALID_CONFIG, from,
				    err)) < 0)
			return r;
	}
	return 0;
}

/* CNI_ARGS IP=a,b then args.cni.ips then runtimeConfig.ips, the reference's order. */
static int requested_parse(struct hl_conf *c, const struct cni_plugin_ctx *ctx, struct nr_error *err)
{
	const char *ip = cni_args_get(&ctx->args, "IP");
	json_t *cni_args = json_get_go(ctx->conf.args, "cni");
	int r;

	for (const char *p = ip; p && *p;) {
		size_t n = strcspn(p, ",");
		if ((r = req_append(c, p, n, CNI_ERR_INVALID_ENV, "CNI_ARGS IP", err)) < 0)
			return r;
		p += n + (p[n] == ',');
	}
	if ((r = req_from_array(c, json_get_go(cni_args, "ips"), "args.cni.ips", err)) < 0)
		return r;
	return req_from_array(c, json_get_go(ctx->conf.runtime_config, "ips"), "runtimeConfig.ips", err);
}

static int sets_check(const struct hl_conf *c, struct nr_error *err)
{
	int r;

	if (c->n_sets == 0)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				    "ipam: no IP ranges specified (need 'ranges' or 'subnet')");
	for (size_t i = 0; i < c->n_sets; i++) {
		if ((r = hl_rangeset_validate(&c->sets[i], i, err)) < 0)
			return r;
		for (size_t j = 0; j < i; j++)
			if (hl_rangeset_overlaps(&c->sets[j], &c->sets[i]))
				return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
						    "ipam: range set %zu overlaps with %zu", j, i);
	}
	return 0;
}

static int conf_fill(struct hl_conf *c, const struct cni_plugin_ctx *ctx, struct nr_error *err)
{
	json_t *ipam = ctx->conf.ipam, *ranges = NULL, *ip_ranges = NULL;
	int r;

	if (!ipam)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				    "the network configuration has no 'ipam' object");
	c->name = ctx->conf.name;
	c->data_dir = HL_DEFAULT_DATA_DIR;
	if ((r = jfield_string(ipam, "dataDir", "ipam", false, &c->data_dir, err)) < 0)
		return r;
	if (!*c->data_dir)
		c->data_dir = HL_DEFAULT_DATA_DIR;
	/* DEL releases by container id and interface in the store of (dataDir, name): the
	 * ranges, routes and this call's requests (runtimeConfig) are no reason to fail it
	 * (docs/go-clients.md). */
	if (ctx->env.cmd == CNI_CMD_DEL)
		return 0;
	if ((r = jfield_string(ipam, "resolvConf", "ipam", false, &c->resolv_conf, err)) < 0 ||
	    (r = jfield_array(ipam, "routes", "ipam", &c->routes, err)) < 0 ||
	    (r = jfield_array(ipam, "ranges", "ipam", &ranges, err)) < 0 ||
	    (r = jfield_array(ctx->conf.runtime_config, "ipRanges", "runtimeConfig", &ip_ranges, err)) < 0)
		return r;
	if ((r = routes_validate(c->routes, err)) < 0)
		return r;
	/* Order as the reference: runtime ipRanges first, then the legacy range, then ranges;
	 * the index of a set names its last_reserved_ip file. */
	if ((r = sets_parse(c, ip_ranges, "runtimeConfig.ipRanges", true, err)) < 0 ||
	    (r = legacy_range_parse(c, ipam, err)) < 0 || (r = sets_parse(c, ranges, "ipam.ranges", false, err)) < 0)
		return r;
	if ((r = sets_check(c, err)) < 0)
		return r;
	return requested_parse(c, ctx, err);
}

int hl_conf_load(const struct cni_plugin_ctx *ctx, struct hl_conf *ret, struct nr_error *err)
{
	struct hl_conf c = { 0 };
	int r;

	if ((r = conf_fill(&c, ctx, err)) < 0) {
		hl_conf_release(&c);
		return r;
	}
	*ret = c;
	return 0;
}

void hl_conf_release(struct hl_conf *c)
{
	for (size_t i = 0; i < c->n_sets; i++)
		free(c->sets[i].r);
	free(c->sets);
	free(c->req);
	*c = (struct hl_conf){ 0 };
}
