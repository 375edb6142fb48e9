/* The tuning plugin's network configuration: the reference's fields (sysctl, mac, mtu,
 * promisc, allmulti, txQLen, dataDir), CNI_ARGS MAC=, the "mac" capability and args.cni.
 * Everything is checked here, before anything changes; unknown fields are refused (code 2)
 * as in our other plugins, so a config never silently does less than it asks for. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_field.h"
#include "tuning.h"

#define WHAT "tuning config"

static const char *const known_fields[] = {
	"name",
	"type",
	"cniVersion",
	"cniVersions",
	"sysctl",
	"mac",
	"mtu",
	"promisc",
	"allmulti",
	"txQLen",
	"dataDir",
	"ipam",
	"dns",
	"capabilities",
	"runtimeConfig",
	"args",
	"prevResult",
	"cni.dev/valid-attachments",
	"cni.dev/attachments",
	NULL,
};

/* A map of strings, as the reference's map[string]string. */
static int check_sysctl_map(json_t *obj, const char *what, struct nr_error *err)
{
	const char *k;
	json_t *v;

	json_object_foreach(obj, k, v) {
		if (!json_is_string(v))
			return nr_error_set(err, CNI_ERR_DECODE, EINVAL, "%s: sysctl \"%s\" must be a string", what, k);
	}
	return 0;
}

/* The sysctls of "sysctl", then those of args.cni.sysctl over them (the reference's order). */
static int parse_sysctls(json_t *root, json_t *cni, const char *ifname, struct tun_conf *c, struct nr_error *err)
{
	json_t *conf = NULL, *extra = NULL, *v;
	const char *k;
	size_t i = 0;
	int r;

	if ((r = jfield_object(root, "sysctl", WHAT, false, &conf, err)) < 0 ||
	    (cni && (r = jfield_object(cni, "sysctl", "args.cni", false, &extra, err)) < 0))
		return r;
	if ((conf && (r = check_sysctl_map(conf, WHAT, err)) < 0) ||
	    (extra && (r = check_sysctl_map(extra, "args.cni", err)) < 0))
		return r;
	if (!(c->sysctl_obj = json_object()) || (conf && json_object_update(c->sysctl_obj, conf) < 0) ||
	    (extra && json_object_update(c->sysctl_obj, extra) < 0))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	if ((r = tun_allowlist_check(TUN_ALLOWLIST, c->sysctl_obj, err)) < 0)
		return r;
	c->n_sysctls = json_object_size(c->sysctl_obj);
	if (c->n_sysctls == 0)
		return 0;
	if (!(c->sysctls = calloc(c->n_sysctls, sizeof(*c->sysctls))))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	json_object_foreach(c->sysctl_obj, k, v) {
		struct tun_sysctl *s = &c->sysctls[i++];

		s->key = k;
		s->value = json_string_value(v);
		if ((r = tun_sysctl_path(k, ifname, s->path, sizeof(s->path), err)) < 0)
			return r;
	}
	return 0;
}

/* The MAC: "mac", then CNI_ARGS MAC=, then runtimeConfig.mac, then args.cni.mac; the
 * last one set wins, as in the reference. */
static int parse_mac(const struct cni_plugin_ctx *ctx, json_t *cni, struct tun_conf *c, struct nr_error *err)
{
	const char *m = NULL, *a;
	int r;

	if ((r = jfield_string(ctx->conf.root, "mac", WHAT, false, &m, err)) < 0)
		return r;
	if ((a = cni_args_get(&ctx->args, "MAC")) && *a)
		m = a;
	if (ctx->conf.runtime_config) {
		a = NULL;
		if ((r = jfield_string(ctx->conf.runtime_config, "mac", "runtimeConfig", false, &a, err)) < 0)
			return r;
		if (a && *a)
			m = a;
	}
	if (cni && (r = jfield_string(cni, "mac", "args.cni", false, &m, err)) < 0)
		return r;
	if (!m || !*m)
		return 0;
	if (tun_mac_normalize(m, c->mac_norm) < 0)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "tuning: invalid MAC address \"%s\"", m);
	c->mac = m;
	return 0;
}

/* mtu, promisc, allmulti, txQLen from obj (the config, then args.cni over it). */
static int parse_link_fields(json_t *obj, const char *what, struct tun_conf *c, struct nr_error *err)
{
	long long mtu = -1, qlen = -1;
	int r;

	if ((r = jfield_int(obj, "mtu", what, 0, 65535, &mtu, err)) < 0 ||
	    (r = jfield_int(obj, "txQLen", what, 0, 0x7fffffff, &qlen, err)) < 0 ||
	    (r = jfield_bool(obj, "promisc", what, &c->promisc, err)) < 0)
		return r;
	if (json_get_go(obj, "allmulti")) {
		if ((r = jfield_bool(obj, "allmulti", what, &c->allmulti, err)) < 0)
			return r;
		c->has_allmulti = true;
	}
	if (mtu >= 0)
		c->mtu = (unsigned int)mtu;
	if (qlen >= 0) {
		c->has_txqlen = true;
		c->txqlen = (unsigned int)qlen;
	}
	return 0;
}

int tun_conf_data_dir(json_t *root, const char **ret, struct nr_error *err)
{
	const char *d = TUN_DEFAULT_DATA_DIR;
	int r;

	if ((r = jfield_string(root, "dataDir", WHAT, false, &d, err)) < 0)
		return r;
	if (!*d)
		d = TUN_DEFAULT_DATA_DIR; /* Go's omitempty: "" is the default */
	*ret = d;
	return 0;
}

int tun_conf_parse(const struct cni_plugin_ctx *ctx, struct tun_conf *ret, struct nr_error *err)
{
	json_t *root = ctx->conf.root, *args = NULL, *cni = NULL;
	struct tun_conf c = { 0 };
	int r;

	if ((r = jfield_reject_unknown(root, known_fields, WHAT, err)) < 0 ||
	    (r = jfield_object(root, "args", WHAT, false, &args, err)) < 0 ||
	    (args && (r = jfield_object(args, "cni", "args", false, &cni, err)) < 0) ||
	    (r = parse_link_fields(root, WHAT, &c, err)) < 0 ||
	    (cni && (r = parse_link_fields(cni, "args.cni", &c, err)) < 0) || (r = parse_mac(ctx, cni, &c, err)) < 0 ||
	    (r = tun_conf_data_dir(root, &c.data_dir, err)) < 0 ||
	    (r = parse_sysctls(root, cni, ctx->env.ifname, &c, err)) < 0) {
		tun_conf_release(&c);
		return r;
	}
	*ret = c;
	return 0;
}

void tun_conf_release(struct tun_conf *c)
{
	free(c->sysctls);
	c->sysctls = NULL;
	json_decref(c->sysctl_obj);
	c->sysctl_obj = NULL;
}

bool tun_conf_changes_link(const struct tun_conf *c)
{
	return c->mac || c->promisc || c->mtu || c->has_allmulti || c->has_txqlen;
}
