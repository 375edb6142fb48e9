/* `netns-run-overlay create`: the options checked, the definition recorded in etcd
 * (the VNI's key first, then the network's, both create-if-absent), the local conflist
 * written, and this host joined; any failure undoes what this call made. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "agent_net.h"
#include "base/cleanup.h"
#include "base/timefmt.h"
#include "cmd_args.h"
#include "engine/netdef.h"
#include "engine/rt.h"
#include "engine/rt_error.h"
#include "local_vni.h"
#include "overlay/overlay.h"
#include "ovl.h"

/* A random VNI is drawn from here (Docker's overlay starts at 4096). */
#define VNI_AUTO_MIN 4096u
#define AUTO_TRIES 64

static const char usage[] =
	"Usage: netns-run-overlay create --store etcd://HOST:PORT[,HOST:PORT...] [OPTIONS] NAME\n"
	"\n"
	"Record an overlay network in etcd, write its conflist here and join this host.\n"
	"Prints the network's id.\n"
	"\n"
	"      --store URLS          the etcd members (etcd://, or etcds:// for TLS)\n"
	"      --store-cacert FILE   CA bundle of the members' certificates (TLS)\n"
	"      --store-cert FILE     client certificate, --store-key FILE its key\n"
	"      --subnet CIDR         the network's IPv4 CIDR (default: a free 10.X.0.0/16)\n"
	"  -o, --opt subnet_len=N    each host's subnet (default 24; at least 2 subnets, at most 2^16)\n"
	"  -o, --opt vni=N           VXLAN network id 1..16777215 (default: a free random one >= 4096)\n"
	"  -o, --opt vxlan_port=N    UDP port (default 4789)\n"
	"  -o, --opt underlay=IFACE|ADDR  this host's VTEP (default: the source of the route to the store)\n"
	"  -o, --opt mtu=N           containers' MTU (default: the underlay's - 50)\n"
	"  -o, --opt lease_ttl=DUR   subnet lease: 30s, 5m, 1h (default 60s)\n"
	"      --label KEY[=VALUE]   metadata (repeatable)\n";

static int __attribute__((format(printf, 1, 2))) usage_fail(const char *fmt, ...)
{
	struct nr_error err = { 0 };
	char msg[NR_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	nr_error_set(&err, RT_ERR_USAGE, EINVAL, "%s", msg);
	ovl_print_error(&err);
	return -1;
}

static int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *ret)
{
	char *end;
	unsigned long v;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

static const char *const known_opts[] = {
	"subnet_len", "vni", "vxlan_port", "underlay", "mtu", "lease_ttl", "com.docker.network.driver.mtu", NULL
};

/* The options into d (network, id and created aside); -1 after saying what is wrong. */
static int opts_to_def(const struct ovl_args *a, struct ovl_def *d)
{
	unsigned long v;
	const char *s;

	for (size_t i = 0; i < a->n_opts; i++) {
		size_t k = 0, len = strcspn(a->opts[i], "=");
		while (known_opts[k] && (strlen(known_opts[k]) != len || strncmp(known_opts[k], a->opts[i], len)))
			k++;
		if (!known_opts[k])
			return usage_fail("unknown option %s (subnet_len, vni, vxlan_port, underlay, mtu, lease_ttl)",
					  a->opts[i]);
	}
	d->subnet_len = OVL_DEFAULT_SUBNET_LEN;
	d->port = OVERLAY_DEFAULT_PORT;
	d->lease_ttl = OVL_DEFAULT_TTL;
	if ((s = ovl_args_opt(a, "subnet_len"))) {
		if (parse_uint(s, 1, 32, &v) < 0)
			return usage_fail("subnet_len %s: a prefix length 1..32", s);
		d->subnet_len = (int)v;
	}
	if ((s = ovl_args_opt(a, "vni"))) {
		if (parse_uint(s, 1, OVL_VNI_MAX, &v) < 0)
			return usage_fail("vni %s: a VXLAN network id 1..16777215", s);
		d->vni = (uint32_t)v;
	}
	if ((s = ovl_args_opt(a, "vxlan_port"))) {
		if (parse_uint(s, 1, 65535, &v) < 0)
			return usage_fail("vxlan_port %s: a UDP port 1..65535", s);
		d->port = (int)v;
	}
	if ((s = ovl_args_opt(a, "mtu")) || (s = ovl_args_opt(a, "com.docker.network.driver.mtu"))) {
		if (parse_uint(s, 576, 65535, &v) < 0)
			return usage_fail("mtu %s: 576..65535", s);
		d->mtu = (int)v;
	}
	if ((s = ovl_args_opt(a, "lease_ttl")) && ovl_duration_parse(s, &d->lease_ttl) < 0)
		return usage_fail("lease_ttl %s: a duration 2s..24h such as 30s, 5m, 1h", s);
	return 0;
}

/* Every definition in the store: name taken, CIDR overlapping, VNI used? */
static int store_check(struct etcd_client *c, const char *name, const struct ovl_def *d, bool auto_net,
		       struct nr_error *err)
{
	struct etcd_kvs kvs = { 0 };
	const size_t plen = strlen(OVL_PREFIX "networks/");
	int r = 0;

	if ((r = etcd_get(c, OVL_PREFIX "networks/", ETCD_PREFIX, &kvs, err)) < 0)
		return r;
	for (size_t i = 0; r >= 0 && i < kvs.n; i++) {
		const char *other = kvs.kv[i].key + plen;
		struct ovl_def o;
		char a[IP_PREFIX_STRLEN], b[IP_PREFIX_STRLEN];
		if (!strcmp(other, name))
			r = nr_error_set(err, RT_ERR_CONFLICT, EEXIST,
					 "network with name %s already exists in the store (`network join` it)", name);
		else if (ovl_def_parse(kvs.kv[i].value, kvs.kv[i].value_len, &o, NULL) < 0)
			continue; /* not ours to judge; its name is all it takes */
		else if (ip_prefix_contains(&o.network, &d->network.addr) ||
			 ip_prefix_contains(&d->network, &o.network.addr))
			r = auto_net ? -EADDRINUSE
				     : nr_error_set(err, RT_ERR_CONFLICT, EEXIST,
						    "subnet %s overlaps %s of overlay network %s in the store",
						    ip_prefix_format(&d->network, a, sizeof(a)),
						    ip_prefix_format(&o.network, b, sizeof(b)), other);
	}
	etcd_kvs_clear(&kvs);
	return r;
}

static uint32_t random_u32(void)
{
	uint32_t v = 0;

	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		v = (uint32_t)getpid();
	return v;
}

/* --subnet, or a free 10.X.0.0/16 (free here and in the store), from a random X. */
static int network_choose(struct etcd_client *c, const struct ovl_args *a, struct ovl_def *d, struct nr_error *err)
{
	char net[IP_PREFIX_STRLEN];
	int r;

	if (a->subnet) {
		struct ip_prefix p;
		if (ip_prefix_parse(a->subnet, &p) < 0 || p.addr.family != AF_INET)
			return nr_error_set(err, RT_ERR_USAGE, EINVAL, "invalid subnet %s: an IPv4 CIDR is wanted",
					    a->subnet);
		d->network = ip_prefix_network(&p);
		if (!ip_addr_equal(&d->network.addr, &p.addr))
			return nr_error_set(err, RT_ERR_USAGE, EINVAL,
					    "invalid subnet %s: host bits are set (the network is %s)", a->subnet,
					    ip_prefix_format(&d->network, net, sizeof(net)));
		if ((r = ovl_def_check_layout(&d->network, d->subnet_len, err)) < 0 ||
		    (r = store_check(c, a->name, d, false, err)) < 0 ||
		    (r = netdef_check_free(a->name, &d->network, err)) < 0)
			return r;
		return 0;
	}
	uint32_t start = random_u32();
	for (uint32_t k = 0; k < 254; k++) {
		snprintf(net, sizeof(net), "10.%u.0.0/16", 1 + (start + k) % 254);
		ip_prefix_parse(net, &d->network);
		if ((r = ovl_def_check_layout(&d->network, d->subnet_len, err)) < 0)
			return r;
		if ((r = store_check(c, a->name, d, true, err)) == -EADDRINUSE)
			continue;
		if (r < 0)
			return r;
		struct nr_error e = { 0 };
		if ((r = netdef_check_free(a->name, &d->network, &e)) >= 0)
			return 0;
		if (e.code != RT_ERR_CONFLICT || strstr(e.msg, "already exists")) {
			nr_error_copy(err, &e);
			return r;
		}
	}
	return nr_error_set(err, RT_ERR_CONFLICT, EADDRINUSE,
			    "no free 10.X.0.0/16 here and in the store: give --subnet");
}

/* The VNI's key, created first: 1 created; 0 in use (err says by what: another overlay
 * network, as the store says first, or a VXLAN device here). */
static int vni_claim(struct etcd_client *c, const char *name, uint32_t vni, struct nr_error *err)
{
	struct etcd_kv holder = { 0 };
	struct etcd_kvs kvs = { 0 };
	char key[128], dev[32];
	int r;

	ovl_key_vni(vni, key, sizeof(key));
	if ((r = etcd_get(c, key, ETCD_KEY, &kvs, err)) < 0)
		return r;
	if (kvs.n > 0) {
		nr_error_set(err, RT_ERR_CONFLICT, EEXIST, "VNI %u is in use by overlay network %.64s", vni,
			     kvs.kv[0].value);
		etcd_kvs_clear(&kvs);
		return 0;
	}
	if ((r = ovl_local_vni_user(vni, dev, sizeof(dev), err)) < 0)
		return r;
	if (r > 0) {
		nr_error_set(err, RT_ERR_CONFLICT, EEXIST, "VNI %u is in use by the VXLAN device %s here", vni, dev);
		return 0;
	}
	if ((r = etcd_create(c, key, name, 0, &holder, err)) < 0)
		return r;
	if (r == 0)
		nr_error_set(err, RT_ERR_CONFLICT, EEXIST, "VNI %u is in use by overlay network %.64s", vni,
			     holder.value ? holder.value : "?");
	etcd_kv_clear(&holder);
	return r;
}

static int vni_choose(struct etcd_client *c, const char *name, struct ovl_def *d, struct nr_error *err)
{
	int r;

	if (d->vni)
		return (r = vni_claim(c, name, d->vni, err)) == 0 ? -EEXIST : r;
	for (int k = 0; k < AUTO_TRIES; k++) {
		d->vni = VNI_AUTO_MIN + random_u32() % (OVL_VNI_MAX - VNI_AUTO_MIN + 1);
		if ((r = vni_claim(c, name, d->vni, err)) != 0)
			return r;
	}
	return nr_error_set(err, RT_ERR_CONFLICT, EEXIST, "no free VNI found in %d tries: give --opt vni=N",
			    AUTO_TRIES);
}

int ovl_cmd_create(int argc, char **argv)
{
	_cleanup_free_ char *text = NULL;
	struct etcd_client *c = NULL;
	struct nr_error err = { 0 };
	struct ovl_underlay u;
	struct ovl_args a;
	struct ovl_def d = { 0 };
	char key[256], vkey[128];
	int r;

	if ((r = ovl_args_parse(argc, argv, OVL_ARG_STORE | OVL_ARG_CREATE | OVL_ARG_OPT, usage, &a)) <= 0)
		return r == 0 ? 0 : OVL_EXIT_FAIL;
	if (!a.store.endpoints)
		return usage_fail("create: --store etcd://HOST:PORT[,HOST:PORT...] is wanted"), OVL_EXIT_FAIL;
	if (!rt_name_valid(a.name))
		return usage_fail("invalid network name \"%s\": it must match [a-zA-Z0-9][a-zA-Z0-9_.-]*", a.name),
		       OVL_EXIT_FAIL;
	if (opts_to_def(&a, &d) < 0)
		return OVL_EXIT_FAIL;
	/* The underlay is checked before anything is written: a join that cannot work is a
	 * create that should not happen. */
	if ((r = ovl_underlay_find(ovl_args_opt(&a, "underlay"), a.store.endpoints, &u, &err)) < 0 ||
	    (r = ovl_store_open(&a.store, &c, &err)) < 0 || (r = network_choose(c, &a, &d, &err)) < 0 ||
	    (r = vni_choose(c, a.name, &d, &err)) < 0)
		goto out;
	ovl_key_vni(d.vni, vkey, sizeof(vkey));
	if (rt_random_id(d.id) < 0) {
		r = nr_error_set(&err, RT_ERR_SYSTEM, EIO, "cannot draw a random id");
		goto undo_vni;
	}
	nr_time_now_rfc3339(d.created, sizeof(d.created));
	ovl_key_network(a.name, key, sizeof(key));
	if (!(text = ovl_def_format(&d))) {
		r = nr_error_set(&err, RT_ERR_NOMEM, ENOMEM, "out of memory");
		goto undo_vni;
	}
	if ((r = etcd_create(c, key, text, 0, NULL, &err)) <= 0) {
		if (r == 0)
			r = nr_error_set(&err, RT_ERR_CONFLICT, EEXIST,
					 "network with name %s already exists in the store", a.name);
		goto undo_vni;
	}
	if ((r = ovl_join_local(a.name, &d, &a.store, a.labels, a.n_labels, a.opts, a.n_opts, &err)) < 0) {
		etcd_delete_if_value(c, key, text, NULL);
		goto undo_vni;
	}
	printf("%s\n", d.id);
	etcd_client_free(c);
	return 0;
undo_vni:
	etcd_delete_if_value(c, vkey, a.name, NULL);
out:
	etcd_client_free(c);
	ovl_print_error(&err);
	return OVL_EXIT_FAIL;
}
