/* The definition, holder values, subnet keys and choice (ovl_def.h). */
#include "ovl_def.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_field.h"
#include "engine/rt_error.h"

/* A refusal of the shared store's content is RT_ERR_CORRUPT, whatever the parser said. */
static int corrupt(struct nr_error *err, int r)
{
	if (err)
		err->code = RT_ERR_CORRUPT;
	return r;
}

char *ovl_def_format(const struct ovl_def *d)
{
	_cleanup_json_ json_t *o = NULL;
	char net[IP_PREFIX_STRLEN];

	o = json_pack("{s:s, s:s, s:s, s:i, s:I, s:i, s:i, s:i}", "id", d->id, "created", d->created, "network",
		      ip_prefix_format(&d->network, net, sizeof(net)), "subnet_len", d->subnet_len, "vni",
		      (json_int_t)d->vni, "port", d->port, "mtu", d->mtu, "lease_ttl", d->lease_ttl);
	return o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
}

static bool hex64(const char *s)
{
	if (strlen(s) != 64)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

/* An integer member in [min, max], required. */
static int int_field(json_t *o, const char *key, long long min, long long max, long long *ret, struct nr_error *err)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return nr_error_set(err, RT_ERR_CORRUPT, EBADMSG,
				    "the overlay definition in etcd is not ours: \"%s\" is not an integer in %lld..%lld",
				    key, min, max);
	*ret = json_integer_value(v);
	return 0;
}

static int str_field(json_t *o, const char *key, const char **ret, struct nr_error *err)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		return nr_error_set(err, RT_ERR_CORRUPT, EBADMSG,
				    "the overlay definition in etcd is not ours: \"%s\" is not a string", key);
	*ret = json_string_value(v);
	return 0;
}

int ovl_def_check_layout(const struct ip_prefix *network, int subnet_len, struct nr_error *err)
{
	char net[IP_PREFIX_STRLEN];

	ip_prefix_format(network, net, sizeof(net));
	if (subnet_len <= network->len || subnet_len > OVL_SUBNET_LEN_MAX)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "subnet_len %d: must be longer than the network's /%d and at most %d (%s)",
				    subnet_len, network->len, OVL_SUBNET_LEN_MAX, net);
	if (subnet_len - network->len > OVL_SUBNET_BITS_MAX)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "subnet_len %d: %s would have more than %u subnets (at most 2^%d)", subnet_len, net,
				    1u << OVL_SUBNET_BITS_MAX, OVL_SUBNET_BITS_MAX);
	return 0;
}

int ovl_def_parse(const char *buf, size_t len, struct ovl_def *ret, struct nr_error *err)
{
	static const char *const known[] = { "id",   "created", "network",   "subnet_len", "vni",
					     "port", "mtu",     "lease_ttl", NULL };
	_cleanup_json_ json_t *o = NULL;
	struct ovl_def d = { 0 };
	const char *id = NULL, *created = NULL, *net = NULL;
	long long sl = 0, vni = 0, port = 0, mtu = 0, ttl = 0;
	int r;

	if ((r = json_parse_object(buf, len, "the overlay definition in etcd", &o, err)) < 0 ||
	    (r = jfield_reject_unknown(o, known, "the overlay definition in etcd", err)) < 0)
		return corrupt(err, r);
	if ((r = str_field(o, "id", &id, err)) < 0 || (r = str_field(o, "created", &created, err)) < 0 ||
	    (r = str_field(o, "network", &net, err)) < 0 || (r = int_field(o, "subnet_len", 1, 32, &sl, err)) < 0 ||
	    (r = int_field(o, "vni", 1, OVL_VNI_MAX, &vni, err)) < 0 ||
	    (r = int_field(o, "port", 1, 65535, &port, err)) < 0 ||
	    (r = int_field(o, "mtu", 0, 65535, &mtu, err)) < 0 ||
	    (r = int_field(o, "lease_ttl", OVL_TTL_MIN, OVL_TTL_MAX, &ttl, err)) < 0)
		return r;
	if (!hex64(id))
		return nr_error_set(err, RT_ERR_CORRUPT, EBADMSG,
				    "the overlay definition in etcd is not ours: \"id\" is not 64 hex digits");
	if (strlen(created) >= sizeof(d.created))
		return nr_error_set(err, RT_ERR_CORRUPT, EBADMSG,
				    "the overlay definition in etcd is not ours: \"created\" is too long");
	if (ip_prefix_parse(net, &d.network) < 0 || d.network.addr.family != AF_INET)
		return nr_error_set(err, RT_ERR_CORRUPT, EBADMSG,
				    "the overlay definition in etcd is not ours: \"network\" is not an IPv4 CIDR");
	d.network = ip_prefix_network(&d.network);
	if (mtu != 0 && mtu < 576)
		return nr_error_set(err, RT_ERR_CORRUPT, EBADMSG,
				    "the overlay definition in etcd is not ours: \"mtu\" %lld is below 576", mtu);
	if ((r = ovl_def_check_layout(&d.network, (int)sl, err)) < 0)
		return corrupt(err, nr_error_wrap(err, r, "the overlay definition in etcd is not ours"));
	memcpy(d.id, id, 65);
	snprintf(d.created, sizeof(d.created), "%s", created);
	d.subnet_len = (int)sl;
	d.vni = (uint32_t)vni;
	d.port = (int)port;
	d.mtu = (int)mtu;
	d.lease_ttl = (int)ttl;
	*ret = d;
	return 0;
}

int ovl_mac_parse(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char end;

	if (!s || strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &end) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}

void ovl_mac_format(const uint8_t mac[6], char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

char *ovl_host_format(const struct ovl_host *h)
{
	_cleanup_json_ json_t *o = NULL;
	char vtep[IP_PREFIX_STRLEN], mac[18] = "";

	if (h->has_mac)
		ovl_mac_format(h->mac, mac);
	o = json_pack("{s:s, s:s, s:s, s:s}", "host", h->host, "vtep", ip_addr_format(&h->vtep, vtep, sizeof(vtep)),
		      "mac", mac, "since", h->since);
	return o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
}

int ovl_host_parse(const char *buf, size_t len, struct ovl_host *ret, struct nr_error *err)
{
	_cleanup_json_ json_t *o = NULL;
	struct ovl_host h = { 0 };
	const char *host, *vtep, *mac, *since;
	int r;

	if ((r = json_parse_object(buf, len, "a subnet holder in etcd", &o, err)) < 0)
		return corrupt(err, r);
	host = json_string_value(json_object_get(o, "host"));
	vtep = json_string_value(json_object_get(o, "vtep"));
	mac = json_string_value(json_object_get(o, "mac"));
	since = json_string_value(json_object_get(o, "since"));
	if (!host || !vtep || !mac || !since || strlen(host) >= sizeof(h.host) || strlen(since) >= sizeof(h.since) ||
	    ip_addr_parse(vtep, &h.vtep) < 0 || h.vtep.family != AF_INET)
		return nr_error_set(err, RT_ERR_CORRUPT, EBADMSG,
				    "a subnet holder in etcd is not ours: host, vtep (IPv4), mac and since wanted");
	if (*mac && ovl_mac_parse(mac, h.mac) < 0)
		return nr_error_set(err, RT_ERR_CORRUPT, EBADMSG, "a subnet holder in etcd has a bad mac: %s", mac);
	h.has_mac = *mac != '\0';
	snprintf(h.host, sizeof(h.host), "%s", host);
	snprintf(h.since, sizeof(h.since), "%s", since);
	*ret = h;
	return 0;
}

void ovl_subnet_key(const struct ip_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	snprintf(buf, len, "%s-%d", ip_addr_format(&p->addr, a, sizeof(a)), p->len);
}

int ovl_subnet_from_key(const struct ovl_def *d, const char *key, struct ip_prefix *ret)
{
	char text[64];
	struct ip_prefix p;
	char *dash;

	if (strlen(key) >= sizeof(text))
		return -EINVAL;
	snprintf(text, sizeof(text), "%s", key);
	if (!(dash = strrchr(text, '-')))
		return -EINVAL;
	*dash = '/';
	if (ip_prefix_parse(text, &p) < 0 || p.addr.family != AF_INET || p.len != d->subnet_len)
		return -EINVAL;
	struct ip_prefix n = ip_prefix_network(&p);
	if (!ip_addr_equal(&n.addr, &p.addr) || !ip_prefix_contains(&d->network, &p.addr))
		return -EINVAL;
	*ret = p;
	return 0;
}

uint32_t ovl_subnet_count(const struct ovl_def *d)
{
	return 1u << (d->subnet_len - d->network.len);
}

struct ip_prefix ovl_subnet_nth(const struct ovl_def *d, uint32_t i)
{
	struct ip_prefix p = { .addr = d->network.addr, .len = d->subnet_len };
	uint32_t base = ntohl(d->network.addr.v4.s_addr);

	p.addr.v4.s_addr = htonl(base + (i << (32 - d->subnet_len)));
	return p;
}

static bool is_taken(const struct ip_prefix *taken, size_t n, const struct ip_prefix *p)
{
	for (size_t i = 0; i < n; i++)
		if (taken[i].len == p->len && ip_addr_equal(&taken[i].addr, &p->addr))
			return true;
	return false;
}

int ovl_subnet_pick(const struct ovl_def *d, const struct ip_prefix *taken, size_t n, const struct ip_prefix *prefer,
		    uint32_t rnd, struct ip_prefix *ret)
{
	uint32_t count = ovl_subnet_count(d);

	if (prefer && prefer->addr.family == AF_INET && prefer->len == d->subnet_len &&
	    ip_prefix_contains(&d->network, &prefer->addr) && !is_taken(taken, n, prefer)) {
		struct ip_prefix p = ip_prefix_network(prefer);
		if (ip_addr_equal(&p.addr, &prefer->addr)) {
			*ret = p;
			return 0;
		}
	}
	for (uint32_t k = 0; k < count; k++) {
		struct ip_prefix p = ovl_subnet_nth(d, (rnd + k) % count);
		if (!is_taken(taken, n, &p)) {
			*ret = p;
			return 0;
		}
	}
	return -EADDRNOTAVAIL;
}

int ovl_duration_parse(const char *s, int *ret)
{
	long long v = 0, mult = 1;
	const char *p = s;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (*p - '0');
		if (v > OVL_TTL_MAX)
			return -ERANGE;
	}
	if (*p == 's' || *p == 'm' || *p == 'h') {
		mult = *p == 's' ? 1 : *p == 'm' ? 60 : 3600;
		p++;
	}
	if (*p)
		return -EINVAL;
	v *= mult;
	if (v < OVL_TTL_MIN || v > OVL_TTL_MAX)
		return -ERANGE;
	*ret = (int)v;
	return 0;
}
