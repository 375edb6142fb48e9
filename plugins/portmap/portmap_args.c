/* portMappings entries and the container's addresses: see portmap_args.h. */
#include "portmap_args.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/json_field.h"

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
	if (!json_get_go(o, "hostPort") || !json_get_go(o, "containerPort"))
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
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				    "%s: protocol must be tcp, udp or sctp, not \"%s\"", what, proto);
	if (host_ip && *host_ip && ip_addr_parse(host_ip, &m->host_ip) < 0)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "%s: hostIP \"%s\" is not an IP address", what,
				    host_ip);
	return 0;
}

/* Two entries taking the same host port would make one ADD refuse itself. */
static int reject_duplicates(const struct pm_map *maps, size_t n, struct nr_error *err)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++) {
			const struct pm_map *a = &maps[i], *b = &maps[j];
			bool overlap = a->host_ip.family == 0 || b->host_ip.family == 0 ||
				       ip_addr_equal(&a->host_ip, &b->host_ip);
			if (a->proto == b->proto && a->host_port == b->host_port && overlap)
				return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
						    "portMappings[%zu] and [%zu] publish the same host port %u", j, i,
						    a->host_port);
		}
	return 0;
}

int pm_maps_parse(json_t *list, struct pm_map maps[NFT_PORTMAP_MAX], size_t *ret_n, struct nr_error *err)
{
	json_t *o;
	size_t i;
	int r;

	if (!list) {
		*ret_n = 0;
		return 0;
	}
	if (!json_is_array(list))
		return nr_error_set(err, CNI_ERR_DECODE, EINVAL, "portMappings: not an array");
	if (json_array_size(list) > NFT_PORTMAP_MAX)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, E2BIG, "portMappings: at most %d entries, not %zu",
				    NFT_PORTMAP_MAX, json_array_size(list));
	json_array_foreach(list, i, o) {
		if ((r = parse_entry(o, i, &maps[i], err)) < 0)
			return r;
	}
	if ((r = reject_duplicates(maps, json_array_size(list), err)) < 0)
		return r;
	*ret_n = json_array_size(list);
	return 0;
}

void pm_result_addr(const struct cni_result *res, int af, struct ip_prefix *ret)
{
	memset(ret, 0, sizeof(*ret));
	for (size_t i = 0; res && i < res->n_ips; i++) {
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
