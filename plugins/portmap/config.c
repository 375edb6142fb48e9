/* The portmap plugin's configuration: the reference plugin's fields, with those our
 * shared ruleset cannot express refused (code 2) rather than silently ignored. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "base/json_field.h"
#include "pm.h"
#include "portmap_args.h"

#define WHAT "portmap config"

static const char *const known_fields[] = {
	"name",
	"type",
	"cniVersion",
	"cniVersions",
	"capabilities",
	"runtimeConfig",
	"args",
	"prevResult",
	"ipam",
	"dns",
	"cni.dev/valid-attachments",
	"cni.dev/attachments",
	"snat",
	"masqAll",
	"markMasqBit",
	"externalSetMarkChain",
	"conditionsV4",
	"conditionsV6",
	"backend",
	NULL,
};

/* conditionsV4/V6 add match arguments to the reference's per-container rules.  Ours are
 * shared by every mapping of every container, so a per-network condition has nowhere to
 * go; only an empty list means the same thing here. */
static int reject_inexpressible(json_t *root, struct nr_error *err)
{
	static const char *const conds[] = { "conditionsV4", "conditionsV6" };
	const char *chain = NULL, *backend = NULL;
	long long bit = 13;
	int r;

	for (int i = 0; i < 2; i++) {
		json_t *a = NULL;
		if ((r = jfield_array(root, conds[i], WHAT, &a, err)) < 0)
			return r;
		if (a && json_array_size(a) > 0)
			return nr_error_set(err, CNI_ERR_UNSUPPORTED_FIELD, EOPNOTSUPP,
					    "portmap: field \"%s\" cannot be expressed: the DNAT rules are shared by "
					    "every mapping (maps, not per-container rules)",
					    conds[i]);
	}
	if ((r = jfield_string(root, "externalSetMarkChain", WHAT, false, &chain, err)) < 0)
		return r;
	if (chain && *chain)
		return nr_error_set(err, CNI_ERR_UNSUPPORTED_FIELD, EOPNOTSUPP,
				    "portmap: field \"externalSetMarkChain\" cannot be expressed: we masquerade "
				    "without packet marks, so there is no mark chain to delegate to");
	/* No marks either: any valid bit is accepted and changes nothing. */
	if ((r = jfield_int(root, "markMasqBit", WHAT, 0, 31, &bit, err)) < 0)
		return r;
	if ((r = jfield_string(root, "backend", WHAT, false, &backend, err)) < 0)
		return r;
	if (backend && strcmp(backend, "iptables") != 0 && strcmp(backend, "nftables") != 0)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				    "portmap: backend must be \"iptables\" or \"nftables\", not \"%s\"", backend);
	return 0;
}

static int parse_mappings(json_t *rc, struct pm_conf *c, struct nr_error *err)
{
	json_t *list = NULL;
	int r;

	if (!rc)
		return 0;
	if ((r = jfield_array(rc, "portMappings", "runtimeConfig", &list, err)) < 0)
		return r;
	return pm_maps_parse(list, c->maps, &c->n_maps, err);
}

void pm_conf_owner(const char *container_id, const char *ifname, struct pm_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->snat = true;
	snprintf(c->owner, sizeof(c->owner), "%s/%s", container_id ? container_id : "", ifname ? ifname : "");
}

int pm_conf_fields(json_t *root, json_t *runtime_config, const char *container_id, const char *ifname,
		   struct pm_conf *c, struct nr_error *err)
{
	int r;

	pm_conf_owner(container_id, ifname, c);
	if ((r = jfield_bool(root, "snat", WHAT, &c->snat, err)) < 0 ||
	    (r = jfield_bool(root, "masqAll", WHAT, &c->masq_all, err)) < 0 ||
	    (r = parse_mappings(runtime_config, c, err)) < 0)
		return r;
	return 0;
}

int pm_conf_parse(const struct cni_plugin_ctx *ctx, struct pm_conf *c, struct nr_error *err)
{
	json_t *root = ctx->conf.root;
	int r;

	if ((r = jfield_reject_unknown(root, known_fields, WHAT, err)) < 0 || (r = reject_inexpressible(root, err)) < 0)
		return r;
	return pm_conf_fields(root, ctx->conf.runtime_config, ctx->env.container_id, ctx->env.ifname, c, err);
}

void pm_attach_of(const struct pm_conf *c, const struct cni_result *res, struct pm_attach *a)
{
	memset(a, 0, sizeof(*a));
	a->owner = c->owner;
	a->snat = c->snat;
	a->masq_all = c->masq_all;
	a->maps = c->maps;
	a->n_maps = c->n_maps;
	if (!res)
		return;
	pm_result_addr(res, AF_INET, &a->ctr4);
	pm_result_addr(res, AF_INET6, &a->ctr6);
}
