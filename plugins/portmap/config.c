/* The portmap plugin's configuration: the reference plugin's fields, with those our
 * shared ruleset cannot express refused (code 2) rather than silently ignored. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "json_field.h"
#include "pm.h"

#define WHAT "portmap config"

static const char *const known_fields[] = {
	"name", "type", "cniVersion", "cniVersions", "capabilities", "runtimeConfig", "args", "prevResult", "ipam",
	"dns", "cni.dev/valid-attachments", "cni.dev/attachments", "snat", "masqAll", "markMasqBit",
	"externalSetMarkChain", "conditionsV4", "conditionsV6", "backend", NULL,
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

static int parse_proto(const char *s, uint8_t *ret)
{
	if (!s || !*s || !strcasecmp(s, "tcp"))
		*ret = IPPROTO_TCP;
	else if (!strcasecmp(s, "udp"))
		*ret = IPPROTO_UDP;
	else if (!strcasecmp(s, "sctp"))
		*ret = IPPROTO_SCTP;
	else
		return -EINVAL;
	return 0;
}

static int parse_entry(json_t *o, size_t i, struct pm_map *m, struct nr_error *err)
{
	char what[64];
	const char *proto = NULL, *host_ip = NULL;
	long long hp = 0, cp = 0;
	int r;

	snprintf(what, sizeof(what), "portMappings[%zu]", i);
	if (!json_is_object(o))
		return nr_error_set(err, CNI_ERR_DECODE, EINVAL, "%s: not an object", what);
	if (!json_object_get(o, "hostPort") || !json_object_get(o, "containerPort"))
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "%s: hostPort and containerPort are required",
				    what);
	if ((r = jfield_int(o, "hostPort", what, 1, 65535, &hp, err)) < 0 ||
	    (r = jfield_int(o, "containerPort", what, 1, 65535, &cp, err)) < 0 ||
	    (r = jfield_string(o, "protocol", what, false, &proto, err)) < 0 ||
	    (r = jfield_string(o, "hostIP", what, false, &host_ip, err)) < 0)
		return r;
	memset(m, 0, sizeof(*m));
	m->host_port = (uint16_t)hp;
	m->ctr_port = (uint16_t)cp;
	if (parse_proto(proto, &m->proto) < 0)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "%s: protocol must be tcp, udp or sctp, not \"%s\"",
				    what, proto);
	if (host_ip && *host_ip && ip_addr_parse(host_ip, &m->host_ip) < 0)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "%s: hostIP \"%s\" is not an IP address", what,
				    host_ip);
	return 0;
}

/* Two entries taking the same host port would make one ADD refuse itself. */
static int reject_duplicates(const struct pm_conf *c, struct nr_error *err)
{
	for (size_t i = 0; i < c->n_maps; i++)
		for (size_t j = 0; j < i; j++) {
			const struct pm_map *a = &c->maps[i], *b = &c->maps[j];
			bool overlap = a->host_ip.family == 0 || b->host_ip.family == 0 ||
				       ip_addr_equal(&a->host_ip, &b->host_ip);
			if (a->proto == b->proto && a->host_port == b->host_port && overlap)
				return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
						    "portMappings[%zu] and [%zu] publish the same host port %u", j, i,
						    a->host_port);
		}
	return 0;
}

static int parse_mappings(json_t *rc, struct pm_conf *c, struct nr_error *err)
{
	json_t *list = NULL, *o;
	size_t i;
	int r;

	if (!rc || (r = jfield_array(rc, "portMappings", "runtimeConfig", &list, err)) < 0)
		return rc ? r : 0;
	if (!list)
		return 0;
	if (json_array_size(list) > NFT_PORTMAP_MAX)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, E2BIG, "portMappings: at most %d entries, not %zu",
				    NFT_PORTMAP_MAX, json_array_size(list));
	json_array_foreach(list, i, o)
	{
		if ((r = parse_entry(o, i, &c->maps[i], err)) < 0)
			return r;
		c->n_maps++;
	}
	return reject_duplicates(c, err);
}

int pm_conf_parse(const struct cni_plugin_ctx *ctx, struct pm_conf *c, struct nr_error *err)
{
	json_t *root = ctx->conf.root;
	int r;

	memset(c, 0, sizeof(*c));
	c->snat = true;
	if ((r = jfield_reject_unknown(root, known_fields, WHAT, err)) < 0 ||
	    (r = reject_inexpressible(root, err)) < 0 || (r = jfield_bool(root, "snat", WHAT, &c->snat, err)) < 0 ||
	    (r = jfield_bool(root, "masqAll", WHAT, &c->masq_all, err)) < 0 ||
	    (r = parse_mappings(ctx->conf.runtime_config, c, err)) < 0)
		return r;
	snprintf(c->owner, sizeof(c->owner), "%s/%s", ctx->env.container_id ? ctx->env.container_id : "",
		 ctx->env.ifname ? ctx->env.ifname : "");
	return 0;
}

/* The first address of family af on a container interface (one with a sandbox); IPs that
 * name no interface count as the container's, as in the reference. */
static void first_ip(const struct cni_result *res, int af, struct ip_prefix *ret)
{
	memset(ret, 0, sizeof(*ret));
	for (size_t i = 0; i < res->n_ips; i++) {
		const struct cni_ipcfg *ip = &res->ips[i];
		struct ip_prefix p;

		if (ip_prefix_parse(ip->address, &p) < 0 || p.addr.family != af)
			continue;
		if (ip->iface >= 0 && (size_t)ip->iface < res->n_ifaces && !res->ifaces[ip->iface].sandbox)
			continue;
		*ret = p;
		return;
	}
}

int pm_attach_of(const struct cni_plugin_ctx *ctx, const struct pm_conf *c, struct pm_attach *a,
		 struct nr_error *err)
{
	const struct cni_result *prev = ctx->conf.prev_result;

	memset(a, 0, sizeof(*a));
	a->owner = c->owner;
	a->snat = c->snat;
	a->masq_all = c->masq_all;
	a->maps = c->maps;
	a->n_maps = c->n_maps;
	if (!prev)
		return 0;
	first_ip(prev, AF_INET, &a->ctr4);
	first_ip(prev, AF_INET6, &a->ctr6);
	return 0;
}
