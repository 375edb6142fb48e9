/* The overlay's keys in etcd (docs/multihost.md "In etcd"). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rt_error.h"
#include "ovl.h"

/* A command waits for the store at most members × this: a few seconds, not a minute. */
#define OVL_CONNECT_MS 1000
#define OVL_REQUEST_MS 2000

void ovl_key_network(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, OVL_PREFIX "networks/%s", name);
}

void ovl_key_vni(uint32_t vni, char *buf, size_t len)
{
	snprintf(buf, len, OVL_PREFIX "vnis/%u", vni);
}

void ovl_key_subnets(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, OVL_PREFIX "subnets/%s/", name);
}

void ovl_key_subnet(const char *name, const struct ip_prefix *p, char *buf, size_t len)
{
	char k[64];

	ovl_subnet_key(p, k, sizeof(k));
	snprintf(buf, len, OVL_PREFIX "subnets/%s/%s", name, k);
}

int ovl_store_open(const struct ovl_store *s, struct etcd_client **ret, struct nr_error *err)
{
	struct etcd_options o = { .endpoints = s->endpoints,
				  .cacert = s->cacert,
				  .cert = s->cert,
				  .key = s->key,
				  .connect_timeout_ms = OVL_CONNECT_MS,
				  .request_timeout_ms = OVL_REQUEST_MS };
	int r;

	if (!s->endpoints || !*s->endpoints)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "no store: --store etcd://HOST:PORT[,HOST:PORT...]");
	/* TLS files make it https, as etcdctl does with --cacert. */
	o.tls = s->cacert || s->cert || s->key;
	if ((r = etcd_client_new(&o, ret, err)) < 0)
		return nr_error_wrap(err, r, "store %s", s->endpoints);
	return 0;
}

int ovl_store_def(struct etcd_client *c, const char *name, struct ovl_def *ret, struct nr_error *err)
{
	struct etcd_kvs kvs = { 0 };
	char key[256];
	int r;

	ovl_key_network(name, key, sizeof(key));
	if ((r = etcd_get(c, key, ETCD_KEY, &kvs, err)) < 0)
		return r;
	size_t n = kvs.n;
	r = n == 0 ? 0 : ovl_def_parse(kvs.kv[0].value, kvs.kv[0].value_len, ret, err);
	etcd_kvs_clear(&kvs);
	if (r < 0)
		return nr_error_wrap(err, r, "network %s", name);
	return n ? 1 : 0;
}

int ovl_store_hosts(struct etcd_client *c, const char *name, const struct ovl_def *d, struct ovl_host **ret,
		    size_t *ret_n, int64_t *ret_revision, size_t *ret_bad, struct nr_error *err)
{
	struct etcd_kvs kvs = { 0 };
	struct ovl_host *v;
	size_t n = 0, bad = 0, plen;
	char prefix[256];
	int r;

	ovl_key_subnets(name, prefix, sizeof(prefix));
	plen = strlen(prefix);
	if ((r = etcd_get(c, prefix, ETCD_PREFIX, &kvs, err)) < 0)
		return r;
	if (!(v = calloc(kvs.n + 1, sizeof(*v)))) {
		etcd_kvs_clear(&kvs);
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < kvs.n; i++) {
		struct ovl_host h;
		struct ip_prefix p;
		if (kvs.kv[i].key_len <= plen || ovl_subnet_from_key(d, kvs.kv[i].key + plen, &p) < 0 ||
		    ovl_host_parse(kvs.kv[i].value, kvs.kv[i].value_len, &h, NULL) < 0) {
			bad++;
			continue;
		}
		h.subnet = p;
		h.lease = kvs.kv[i].lease;
		v[n++] = h;
	}
	if (ret_revision)
		*ret_revision = kvs.revision;
	etcd_kvs_clear(&kvs);
	if (ret_bad)
		*ret_bad = bad;
	*ret = v;
	*ret_n = n;
	return 0;
}
