/* The overlay plugin's configuration, {"type": "overlay", "subnetFile": PATH}, and the
 * bridge configuration it becomes for the lease in the subnet file (docs/multihost.md,
 * "On each host"). */
#include <errno.h>
#include <string.h>

#include "base/json_field.h"
#include "ovl.h"

#define WHAT "overlay config"

static const char *const known_fields[] = {
	"name",
	"type",
	"cniVersion",
	"cniVersions",
	"subnetFile",
	"capabilities",
	"runtimeConfig",
	"args",
	"prevResult",
	"dns",
	"cni.dev/valid-attachments",
	"cni.dev/attachments",
	NULL,
};

/* What the runtime adds per command, passed on to the bridge unchanged. */
static const char *const passed_on[] = {
	"runtimeConfig", "args", "prevResult", "dns", "cni.dev/valid-attachments", "cni.dev/attachments", NULL,
};

int ovl_conf_parse(json_t *root, struct ovl_conf *ret, struct nr_error *err)
{
	struct ovl_conf c = { 0 };
	int r;

	if ((r = jfield_reject_unknown(root, known_fields, WHAT, err)) < 0 ||
	    (r = jfield_string(root, "subnetFile", WHAT, true, &c.subnet_file, err)) < 0)
		return r;
	if (c.subnet_file[0] != '/' || strlen(c.subnet_file) >= 4000)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				    WHAT ": subnetFile \"%s\" is not an absolute path", c.subnet_file);
	*ret = c;
	return 0;
}

json_t *ovl_bridge_conf(const struct overlay_subnet *s)
{
	char sub[IP_PREFIX_STRLEN];

	/* ipMasq off: the plugin masquerades itself, with the whole overlay CIDR excepted. */
	return json_pack("{s:s, s:b, s:b, s:b, s:i, s:{s:s, s:[[{s:s}]], s:[{s:s}]}}", "bridge", s->bridge, "isGateway",
			 1, "ipMasq", 0, "hairpinMode", 1, "mtu", s->mtu, "ipam", "type", "host-local", "ranges",
			 "subnet", ip_prefix_format(&s->subnet, sub, sizeof(sub)), "routes", "dst", "0.0.0.0/0");
}

int ovl_bridge_conf_complete(json_t *bc, const struct cni_plugin_ctx *ctx, struct nr_error *err)
{
	json_t *root = ctx->conf.root;

	if (json_object_set_new(bc, "cniVersion", json_string(ctx->conf.cni_version)) < 0 ||
	    json_object_set_new(bc, "name", json_string(ctx->conf.name)) < 0 ||
	    json_object_set_new(bc, "type", json_string("bridge")) < 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	for (const char *const *k = passed_on; *k; k++) {
		json_t *v = json_object_get(root, *k);
		if (v && json_object_set(bc, *k, v) < 0)
			return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	}
	return 0;
}
