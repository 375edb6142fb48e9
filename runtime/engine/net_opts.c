/* Network endpoint options in Docker's spelling (net_opts.h). */
#include "engine/net_opts.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "base/ipaddr.h"
#include "engine/net.h"
#include "engine/rt_error.h"

bool net_opts_alias_valid(const char *s)
{
	size_t len = strlen(s), label = 0;

	if (!len || len > 253)
		return false;
	for (const char *p = s;; p++) {
		if (*p == '.' || !*p) {
			if (!label || p[-1] == '-')
				return false;
			if (!*p)
				return true;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			return false;
		if (!label && *p == '-')
			return false;
		if (++label > 63)
			return false;
	}
}

static int set_addr(const char **field, int family, const char *opt, const char *value, struct nr_error *err)
{
	struct ip_addr a;

	if (*field)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "%s given twice for one network", opt);
	if (ip_addr_parse(value, &a) < 0 || a.family != family)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "%s %s: expected an %s address (no prefix length)", opt,
				    value, family == AF_INET ? "IPv4" : "IPv6");
	*field = value;
	return 0;
}

int net_opts_set_ip(struct net_endpoint_opts *e, const char *opt, const char *value, struct nr_error *err)
{
	return set_addr(&e->ip, AF_INET, opt, value, err);
}

int net_opts_set_ip6(struct net_endpoint_opts *e, const char *opt, const char *value, struct nr_error *err)
{
	return set_addr(&e->ip6, AF_INET6, opt, value, err);
}

/* Six hex pairs separated by ':' (Docker takes '-' too), unicast, not all zero: the
 * kernel refuses the others on an Ethernet interface. */
int net_opts_set_mac(struct net_endpoint_opts *e, const char *opt, const char *value, struct nr_error *err)
{
	unsigned int b[6];
	char sep[5], end;
	bool zero = true;

	if (e->mac)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "%s given twice for one network", opt);
	if (strlen(value) != 17 || sscanf(value, "%2x%c%2x%c%2x%c%2x%c%2x%c%2x%c", &b[0], &sep[0], &b[1], &sep[1],
					  &b[2], &sep[2], &b[3], &sep[3], &b[4], &sep[4], &b[5], &end) != 11)
		goto bad;
	for (int i = 0; i < 5; i++)
		if (sep[i] != sep[0] || (sep[i] != ':' && sep[i] != '-'))
			goto bad;
	for (int i = 0; i < 17; i++)
		if (i % 3 != 2 && !isxdigit((unsigned char)value[i]))
			goto bad;
	for (int i = 0; i < 6; i++)
		zero = zero && !b[i];
	if (b[0] & 1 || zero)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "%s %s: a %s address cannot be an interface's (the first octet's lowest bit must be "
				    "0, and not all zero)",
				    opt, value, zero ? "zero" : "multicast");
	e->mac = value;
	return 0;
bad:
	return nr_error_set(err, RT_ERR_USAGE, EINVAL, "%s %s: expected a MAC address, e.g. 02:42:ac:11:00:02", opt,
			    value);
}

int net_opts_add_alias(struct net_endpoint_opts *e, const char *opt, const char *value, struct nr_error *err)
{
	if (!net_opts_alias_valid(value))
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "%s %s: an alias is a DNS name: letters, digits, '-' and '_' in labels of 1 to 63 "
				    "separated by '.', a label neither starting nor ending with '-', at most 253",
				    opt, value);
	for (size_t i = 0; i < e->n_aliases; i++)
		if (!strcmp(e->aliases[i], value))
			return 0;
	if (e->n_aliases == NET_ALIASES_MAX)
		return nr_error_set(err, RT_ERR_USAGE, E2BIG, "%s: at most %d aliases per network", opt,
				    NET_ALIASES_MAX);
	e->aliases[e->n_aliases++] = value;
	return 0;
}

/* One key=value of the advanced syntax (keys are case-insensitive, as Docker's). */
static int advanced_field(char *field, struct net_endpoint_opts *e, struct nr_error *err)
{
	char *eq = strchr(field, '=');
	const char *v;

	if (!eq)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "--network: invalid field '%s' must be a key=value pair (name=NET, alias=A, ip=IP, "
				    "ip6=IP, mac-address=MAC)",
				    field);
	*eq = '\0';
	v = eq + 1;
	if (!strcasecmp(field, "name")) {
		if (e->network)
			return nr_error_set(err, RT_ERR_USAGE, EINVAL, "--network: name given twice");
		e->network = v;
		return 0;
	}
	if (!strcasecmp(field, "alias"))
		return net_opts_add_alias(e, "--network alias=", v, err);
	if (!strcasecmp(field, "ip"))
		return net_opts_set_ip(e, "--network ip=", v, err);
	if (!strcasecmp(field, "ip6"))
		return net_opts_set_ip6(e, "--network ip6=", v, err);
	if (!strcasecmp(field, "mac-address"))
		return net_opts_set_mac(e, "--network mac-address=", v, err);
	return nr_error_set(err, RT_ERR_USAGE, EINVAL,
			    "--network: invalid field key %s (known: name, alias, ip, ip6, mac-address; driver-opt, "
			    "link-local-ip and gw-priority are not supported)",
			    field);
}

int net_opts_parse_network(char *arg, struct net_endpoint_opts *e, struct nr_error *err)
{
	int r;

	memset(e, 0, sizeof(*e));
	/* A network name has no '=' (nor has a mode): its presence means the advanced syntax. */
	if (!strchr(arg, '=')) {
		if (!*arg)
			return nr_error_set(err, RT_ERR_USAGE, EINVAL, "--network: expected a network name or mode");
		e->network = arg;
		return 0;
	}
	for (char *save = NULL, *f = strtok_r(arg, ",", &save); f; f = strtok_r(NULL, ",", &save))
		if ((r = advanced_field(f, e, err)) < 0)
			return r;
	if (!e->network || !*e->network)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "--network: network name/id is not specified (name=NET)");
	return 0;
}

static bool is_cni(const char *network)
{
	return net_mode_for_spec(network)->mode == CTR_NET_CNI;
}

/* Docker's applyContainerOptions: the container-wide flags go to the first network. */
static int apply_flags(struct net_endpoint_opts *e, const struct net_endpoint_opts *f, struct nr_error *err)
{
	if (f->n_aliases && e->n_aliases)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "conflicting options: cannot specify both --network-alias and per-network alias");
	if (f->ip && e->ip)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "conflicting options: cannot specify both --ip and per-network IPv4 address");
	if (f->ip6 && e->ip6)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "conflicting options: cannot specify both --ip6 and per-network IPv6 address");
	if (f->mac && e->mac)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "conflicting options: cannot specify both --mac-address and per-network MAC address");
	e->ip = e->ip ? e->ip : f->ip;
	e->ip6 = e->ip6 ? e->ip6 : f->ip6;
	e->mac = e->mac ? e->mac : f->mac;
	for (size_t i = 0; i < f->n_aliases; i++)
		e->aliases[e->n_aliases++] = f->aliases[i];
	return 0;
}

int net_opts_finish_run(struct net_endpoint_opts *nets, size_t n, const struct net_endpoint_opts *flags,
			struct nr_error *err)
{
	bool user = false, mode = false;
	int r;

	if ((r = apply_flags(&nets[0], flags, err)) < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		const struct net_endpoint_opts *e = &nets[i];
		for (size_t k = 0; k < i; k++)
			if (!strcmp(nets[k].network, e->network))
				return nr_error_set(err, RT_ERR_USAGE, EINVAL,
						    "network \"%s\" is specified multiple times", e->network);
		if (is_cni(e->network)) {
			user = true;
			continue;
		}
		mode = true;
		/* An address, MAC or alias belongs to an interface of the container's own on a
		 * network: none has none, host and container:NAME share another's. */
		const char *what = e->ip ? "--ip" : e->ip6 ? "--ip6" : e->mac ? "--mac-address" : NULL;
		if (!what && e->n_aliases)
			what = "--network-alias";
		if (what)
			return nr_error_set(err, RT_ERR_USAGE, EINVAL,
					    "%s is for a network the container joins with an interface of its own, "
					    "not --network %s",
					    what, e->network);
	}
	if (user && mode)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "conflicting options: cannot attach both user-defined and non-user-defined "
				    "network-modes");
	return 0;
}
