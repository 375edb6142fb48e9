/* The bandwidth plugin's configuration: the reference plugin's four limits, from the
 * configuration or the bandwidth capability. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/json_field.h"
#include "base/sha512.h"
#include "bw.h"

#define WHAT "bandwidth config"

/* Found as Go's encoding/json finds them (json_get_go): go-cni sends the capability with
 * untagged fields, {"IngressRate": ...}. */
static const char *const fields[4] = { "ingressRate", "ingressBurst", "egressRate", "egressBurst" };

/* One field as Go's uint64: a non-negative integer, or null (no change). */
static int get_u64(json_t *obj, const char *key, const char *what, uint64_t *ret, struct nr_error *err)
{
	json_t *v = json_get_go(obj, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return nr_error_set(err, CNI_ERR_DECODE, EINVAL, "%s: %s must be a non-negative integer", what, key);
	*ret = (uint64_t)json_integer_value(v);
	return 0;
}

static int get_entry(json_t *obj, const char *what, struct bw_limits *l, struct nr_error *err)
{
	uint64_t *dst[4] = { &l->ingress_rate, &l->ingress_burst, &l->egress_rate, &l->egress_burst };
	static const char *const subnets[] = { "shapedSubnets", "unshapedSubnets" };
	int r;

	for (int i = 0; i < 4; i++)
		if ((r = get_u64(obj, fields[i], what, dst[i], err)) < 0)
			return r;
	/* Later reference versions shape by destination subnet; 1.1.1 ignores these and
	 * shapes everything, which is not what such a configuration asks for. */
	for (int i = 0; i < 2; i++) {
		json_t *s = json_get_go(obj, subnets[i]);
		if (s && !json_is_null(s) && !(json_is_array(s) && json_array_size(s) == 0))
			return nr_error_set(err, CNI_ERR_UNSUPPORTED_FIELD, EOPNOTSUPP,
					    "%s: %s is not supported: every packet is shaped", what, subnets[i]);
	}
	return 0;
}

static bool any_field(json_t *obj)
{
	for (int i = 0; i < 4; i++)
		if (json_get_go(obj, fields[i]))
			return true;
	return false;
}

/* The reference's rules, in its order. */
static int validate(uint64_t rate, uint64_t burst, const char *dir, struct nr_error *err)
{
	if (burst == 0 && rate != 0)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "if rate is set, burst must also be set (%s)",
				    dir);
	if (rate == 0 && burst != 0)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "if burst is set, rate must also be set (%s)",
				    dir);
	if (burst / 8 >= UINT32_MAX)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "burst cannot be more than 4GB (%s)", dir);
	/* The kernel refuses a token bucket of 0 bytes per second (the reference fails there,
	 * after its other changes). */
	if (rate != 0 && rate < 8)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				    "rate must be at least 8 bits per second, not %llu (%s)", (unsigned long long)rate,
				    dir);
	return 0;
}

int bw_limits_parse(json_t *root, json_t *runtime_config, struct bw_limits *l, struct nr_error *err)
{
	json_t *cap = runtime_config ? json_get_go(runtime_config, "bandwidth") : NULL;
	int r;

	memset(l, 0, sizeof(*l));
	if (cap && !json_is_null(cap) && !json_is_object(cap))
		return nr_error_set(err, CNI_ERR_DECODE, EINVAL, "runtimeConfig.bandwidth: not an object");
	/* Any of the four at the top level makes them the limits; the capability only counts
	 * without them. */
	if (any_field(root))
		r = get_entry(root, WHAT, l, err);
	else if (json_is_object(cap))
		r = get_entry(cap, "runtimeConfig.bandwidth", l, err);
	else
		r = 0;
	if (r < 0 || (r = validate(l->ingress_rate, l->ingress_burst, "ingress", err)) < 0 ||
	    (r = validate(l->egress_rate, l->egress_burst, "egress", err)) < 0)
		return r;
	return 0;
}

int bw_ifb_name(const char *network, const char *container_id, char buf[IF_NAMESIZE])
{
	_cleanup_free_ char *in = NULL;
	int n = asprintf(&in, "%s%s", network ? network : "", container_id ? container_id : "");

	if (n < 0)
		return -ENOMEM;
	memcpy(buf, "bwp", 3);
	sha512_hex_prefix(in, (size_t)n, IF_NAMESIZE - 1 - 3, buf + 3);
	return 0;
}

int bw_conf_parse(const struct cni_plugin_ctx *ctx, struct bw_conf *c, struct nr_error *err)
{
	int r;

	memset(c, 0, sizeof(*c));
	if ((r = bw_limits_parse(ctx->conf.root, ctx->conf.runtime_config, &c->lim, err)) < 0)
		return r;
	if (bw_ifb_name(ctx->conf.name, ctx->env.container_id, c->ifb) < 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	return 0;
}
