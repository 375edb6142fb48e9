/* Claiming a subnet (docs/multihost.md "In etcd"): a lease, then create-if-absent on a free
 * subnet's key: the one held before (subnet.json, or a key with our VTEP left by an agent
 * that was killed), else a random free one. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "agent.h"
#include "base/cleanup.h"
#include "base/timefmt.h"
#include "engine/rt_error.h"

/* Claims racing with other hosts: each lost race takes that subnet off the list. */
#define CLAIM_TRIES 16

static uint32_t random_u32(void)
{
	uint32_t v = 0;

	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		v = (uint32_t)agent_now_ms();
	return v;
}

static bool same_prefix(const struct ip_prefix *a, const struct ip_prefix *b)
{
	return a->len == b->len && ip_addr_equal(&a->addr, &b->addr);
}

/* Our own value for p (mac as the device has it, or none yet). */
static char *own_value(const struct agent *a, bool with_mac)
{
	struct ovl_host h = { .vtep = a->u.addr, .has_mac = with_mac };

	snprintf(h.host, sizeof(h.host), "%s", a->host);
	snprintf(h.since, sizeof(h.since), "%s", a->since);
	memcpy(h.mac, a->mac, 6);
	return ovl_host_format(&h);
}

/* A lease for the claim: the one we hold when etcd still knows it, else a new one. */
static int lease_ensure(struct agent *a, int64_t *ret, struct nr_error *err)
{
	int64_t lease, ttl;
	int r;

	pthread_mutex_lock(&a->mu);
	lease = a->lease;
	pthread_mutex_unlock(&a->mu);
	/* Renewed at once: an agent started again takes up its predecessor's lease with a
	 * whole TTL ahead (its own keep-alive comes a third of the TTL later). */
	long long sent = agent_now_ms();
	if (lease && (r = etcd_lease_keepalive(a->c, lease, &ttl, NULL)) >= 0 && ttl > 0) {
		pthread_mutex_lock(&a->mu);
		a->last_renew_ms = sent;
		pthread_mutex_unlock(&a->mu);
		agent_renewed_record(a);
		*ret = lease;
		return 0;
	}
	sent = agent_now_ms();
	if ((r = etcd_lease_grant(a->c, a->def.lease_ttl, &lease, NULL, err)) < 0)
		return nr_error_wrap(err, r, "cannot get a lease");
	pthread_mutex_lock(&a->mu);
	a->lease = lease;
	a->last_renew_ms = sent;
	pthread_mutex_unlock(&a->mu);
	agent_renewed_record(a);
	if (ovl_lease_write(a->dir, lease) < 0)
		agent_log("cannot record the lease in %s/lease", a->dir);
	*ret = lease;
	return 0;
}

/* The subnet this host held: subnet.json's, else a key with our VTEP (an agent killed
 * before: its lease is dropped so the key can be ours again). */
static bool preferred(struct agent *a, const struct ovl_host *v, size_t n, int64_t lease, struct ip_prefix *ret,
		      bool *ret_ours)
{
	struct overlay_subnet old;
	bool found = false;

	*ret_ours = false;
	if (a->has_sub) {
		*ret = a->sub.subnet;
		found = true;
	} else if (overlay_subnet_read(a->dir, &old, NULL) >= 0 && old.vni == a->def.vni) {
		*ret = old.subnet;
		found = true;
	}
	for (size_t i = 0; i < n; i++) {
		if (!ip_addr_equal(&v[i].vtep, &a->u.addr) || strcmp(v[i].host, a->host))
			continue;
		if (v[i].lease == lease) {
			/* Ours already (an agent restarted on its lease): nothing to create. */
			*ret = v[i].subnet;
			*ret_ours = true;
			return true;
		}
		if (!found || same_prefix(&v[i].subnet, ret)) {
			char key[512];
			ovl_key_subnet(a->name, &v[i].subnet, key, sizeof(key));
			if (etcd_delete_if_lease(a->c, key, v[i].lease, NULL) > 0)
				agent_log("dropped the stale claim of %s by this host (an earlier agent's lease)", key);
			*ret = v[i].subnet;
			found = true;
		}
	}
	return found;
}

static int claim_key(struct agent *a, int64_t lease, struct ip_prefix *ret, struct nr_error *err)
{
	_cleanup_free_ struct ovl_host *v = NULL;
	_cleanup_free_ struct ip_prefix *taken = NULL;
	struct ip_prefix want, prefer;
	size_t n = 0;
	bool ours;
	int r;

	if ((r = ovl_store_hosts(a->c, a->name, &a->def, &v, &n, NULL, NULL, err)) < 0)
		return nr_error_wrap(err, r, "cannot read the subnets of %s", a->name);
	bool has_prefer = preferred(a, v, n, lease, &prefer, &ours);
	if (has_prefer && ours) {
		*ret = prefer;
		return 0;
	}
	if (!(taken = calloc(n + CLAIM_TRIES + 1, sizeof(*taken))))
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		/* The stale claim of our own just dropped is free again. */
		if (!(has_prefer && same_prefix(&v[i].subnet, &prefer) && ip_addr_equal(&v[i].vtep, &a->u.addr)))
			taken[i] = v[i].subnet;
	nr_time_now_rfc3339(a->since, sizeof(a->since));
	for (int t = 0; t < CLAIM_TRIES; t++) {
		_cleanup_free_ char *value = own_value(a, false);
		struct etcd_kv holder = { 0 };
		char key[512];
		if (ovl_subnet_pick(&a->def, taken, n, has_prefer ? &prefer : NULL, random_u32(), &want) < 0)
			return nr_error_set(err, RT_ERR_CONFLICT, EADDRNOTAVAIL,
					    "every subnet /%d of %s is held by another host", a->def.subnet_len,
					    a->local.conf->name);
		ovl_key_subnet(a->name, &want, key, sizeof(key));
		if (!value)
			return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
		if ((r = etcd_create(a->c, key, value, lease, &holder, err)) < 0)
			return nr_error_wrap(err, r, "cannot claim %s", key);
		bool mine = r == 1 || holder.lease == lease;
		etcd_kv_clear(&holder);
		if (mine) {
			*ret = want;
			return 0;
		}
		agent_log("%s is taken by another host", key);
		taken[n++] = want;
		has_prefer = false;
	}
	return nr_error_set(err, RT_ERR_CONFLICT, EAGAIN, "no subnet claimed after %d tries", CLAIM_TRIES);
}

int agent_claim(struct agent *a, struct nr_error *err)
{
	_cleanup_free_ char *value = NULL;
	struct overlay_subnet s = { 0 };
	struct ip_prefix p;
	char key[512], text[IP_PREFIX_STRLEN];
	int64_t lease = 0;
	int r;

	if ((r = lease_ensure(a, &lease, err)) < 0 || (r = claim_key(a, lease, &p, err)) < 0)
		return r;
	s.network = a->def.network;
	s.subnet = p;
	s.mtu = a->def.mtu ? a->def.mtu : a->u.mtu - OVERLAY_VXLAN_OVERHEAD;
	s.vni = a->def.vni;
	s.port = (uint16_t)a->def.port;
	s.vtep = a->u.addr;
	snprintf(s.device, sizeof(s.device), "nv-%.12s", a->def.id);
	snprintf(s.bridge, sizeof(s.bridge), "nr-%.12s", a->def.id);
	/* Another subnet than the device has: the device goes (its address and every entry
	 * are the old subnet's) and is made again. */
	if (a->has_sub && !same_prefix(&a->sub.subnet, &p)) {
		agent_log("subnet %s is another host's now: moving to %s (containers started on the old one keep their addresses)",
			  ip_prefix_format(&a->sub.subnet, text, sizeof(text)), ip_prefix_format(&p, key, sizeof(key)));
		overlay_vtep_remove(a->sub.device, NULL);
	}
	if ((r = overlay_vtep_ensure(&s, a->u.ifindex, a->mac, err)) < 0)
		return nr_error_wrap(err, r, "cannot make the VXLAN device %s", s.device);
	a->sub = s;
	a->has_sub = true;
	ovl_key_subnet(a->name, &p, key, sizeof(key));
	if (!(value = own_value(a, true)))
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	if ((r = etcd_put(a->c, key, value, lease, NULL, err)) < 0)
		return nr_error_wrap(err, r, "cannot record the VTEP of %s", key);
	if ((r = agent_hold(a, err)) < 0)
		return r;
	pthread_mutex_lock(&a->mu);
	a->expired = a->renewed = false;
	pthread_mutex_unlock(&a->mu);
	agent_log("holding %s (lease %llx, ttl %d s), VTEP %s", ip_prefix_format(&p, text, sizeof(text)),
		  (unsigned long long)lease, a->def.lease_ttl, ip_addr_format(&a->u.addr, key, sizeof(key)));
	return 0;
}
