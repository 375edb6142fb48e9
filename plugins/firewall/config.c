/* The firewall plugin's configuration: see fw.h.  Go's decoder ignores unknown fields,
 * and so does the reference plugin; so do we, checking only the types of its own. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/json_field.h"
#include "fw.h"

#define WHAT "firewall config"

static int parse_ingress(json_t *root, enum fw_ingress *ret, struct nr_error *err)
{
	const char *p = NULL;
	int r;

	if ((r = jfield_string(root, "ingressPolicy", WHAT, false, &p, err)) < 0)
		return r;
	if (!p || !*p || !strcmp(p, "open"))
		*ret = FW_INGRESS_OPEN;
	else if (!strcmp(p, "same-bridge"))
		*ret = FW_INGRESS_SAME_BRIDGE;
	else
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				    "unknown ingress policy: \"%s\" (open or same-bridge)", p);
	return 0;
}

/* Every address of result (the reference lets every IP of prevResult through). */
static int parse_addrs(const struct cni_result *res, struct fw_conf *c, struct nr_error *err)
{
	for (size_t i = 0; res && i < res->n_ips; i++) {
		struct ip_prefix p;

		if (ip_prefix_parse(res->ips[i].address, &p) < 0)
			return nr_error_set(err, CNI_ERR_DECODE, EINVAL,
					    "prevResult: ips[%zu].address \"%s\" is not an address", i,
					    res->ips[i].address);
		if (c->n_addrs == NFT_FIREWALL_MAX_ADDRS)
			return nr_error_set(err, CNI_ERR_INVALID_CONFIG, E2BIG,
					    "prevResult: at most %d addresses, not %zu", NFT_FIREWALL_MAX_ADDRS,
					    res->n_ips);
		c->addrs[c->n_addrs++] = p.addr;
	}
	return 0;
}

static int parse_bridge(const struct cni_result *res, struct fw_conf *c, struct nr_error *err)
{
	const char *name = res && res->n_ifaces ? res->ifaces[0].name : NULL;

	if (!res || res->n_ifaces == 0)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				    "interface needs to be set for ingress policy \"same-bridge\", make sure to chain "
				    "\"firewall\" plugin with \"bridge\"");
	if (!name || !*name || strlen(name) >= IFNAMSIZ)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				    "ingress policy same-bridge: prevResult's first interface \"%s\" is not a bridge name",
				    name ? name : "");
	snprintf(c->bridge, sizeof(c->bridge), "%s", name);
	return 0;
}

int fw_conf_fields(json_t *root, const struct cni_result *result, const char *container_id, const char *ifname,
		   bool need_bridge, struct fw_conf *c, struct nr_error *err)
{
	static const char *const strings[] = { "backend", "iptablesAdminChainName", "firewalldZone" };
	const char *ignored;
	int r;

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		if ((r = jfield_string(root, strings[i], WHAT, false, &ignored, err)) < 0)
			return r;
	if ((r = parse_ingress(root, &c->ingress, err)) < 0 || (r = parse_addrs(result, c, err)) < 0)
		return r;
	if (c->ingress == FW_INGRESS_SAME_BRIDGE && (r = parse_bridge(result, c, err)) < 0) {
		if (need_bridge)
			return r;
		/* DEL, CHECK: the reference checks no isolation; without a bridge there is none. */
		nr_error_clear(err);
		c->bridge[0] = '\0';
	}
	snprintf(c->owner, sizeof(c->owner), "%s/%s", container_id ? container_id : "", ifname ? ifname : "");
	return 0;
}

void fw_attach_of(const struct fw_conf *c, struct nft_fw_attach *a)
{
	*a = (struct nft_fw_attach){
		.owner = c->owner,
		.addrs = c->addrs,
		.n_addrs = c->n_addrs,
		.iso_bridge = c->bridge[0] ? c->bridge : NULL,
	};
}
