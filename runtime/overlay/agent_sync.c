/* Keeping the kernel in step with etcd: the whole set read, every remote applied (the
 * plugin's overlay_remotes_apply adds, replaces and removes), hosts.json replaced.  When
 * etcd cannot be read, the last set stays applied: a store without quorum stops nothing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "base/cleanup.h"
#include "base/json_field.h"
#include "engine/rt.h"
#include "engine/rt_error.h"

static int hosts_write(const struct agent *a, const struct ovl_host *v, size_t n, struct nr_error *err)
{
	_cleanup_json_ json_t *arr = json_array();
	_cleanup_free_ char *text = NULL;
	char path[PATH_MAX + 16];
	int r;

	for (size_t i = 0; arr && i < n; i++) {
		char sub[IP_PREFIX_STRLEN], vtep[IP_PREFIX_STRLEN], mac[18] = "";
		if (v[i].has_mac)
			ovl_mac_format(v[i].mac, mac);
		bool self = a->has_sub && v[i].lease == a->lease && ip_addr_equal(&v[i].vtep, &a->u.addr);
		if (json_array_append_new(arr,
					  json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}", "subnet",
						    ip_prefix_format(&v[i].subnet, sub, sizeof(sub)), "host", v[i].host,
						    "vtep", ip_addr_format(&v[i].vtep, vtep, sizeof(vtep)), "mac", mac,
						    "since", v[i].since, "self", self)) < 0)
			return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	}
	if (!arr || !(text = json_dumps(arr, JSON_INDENT(1))))
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	snprintf(path, sizeof(path), "%s/hosts.json", a->dir);
	if ((r = rt_write_file_atomic(path, text, 0644)) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, r, "cannot write %s: %s", path, strerror(-r));
	return 0;
}

/* The remotes of the set: every other host whose device is made (it has a MAC). */
static int remotes_apply(const struct agent *a, const struct ovl_host *v, size_t n, struct nr_error *err)
{
	_cleanup_free_ struct overlay_remote *rm = calloc(n + 1, sizeof(*rm));
	size_t k = 0;

	if (!rm)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		if (!v[i].has_mac || ip_addr_equal(&v[i].vtep, &a->u.addr))
			continue;
		rm[k].subnet = v[i].subnet;
		rm[k].vtep = v[i].vtep;
		memcpy(rm[k].mac, v[i].mac, 6);
		k++;
	}
	return overlay_remotes_apply(&a->sub, rm, k, err);
}

int agent_sync(struct agent *a, bool *ret_lost, struct nr_error *err)
{
	struct ovl_host *v = NULL;
	size_t n = 0, bad = 0;
	int64_t rev = 0, lease;
	bool mine = false;
	int r;

	*ret_lost = false;
	r = ovl_store_hosts(a->c, a->name, &a->def, &v, &n, &rev, &bad, err);
	if (r >= 0) {
		free(a->hosts);
		a->hosts = v;
		a->n_hosts = n;
		a->revision = rev;
		a->have_set = true;
		if (bad)
			agent_log("%zu keys under the subnets of %s are not ours: left out", bad, a->name);
	} else {
		/* The last set stays applied; the 30 s round tries again. */
		nr_error_wrap(err, r, "cannot read the subnets (keeping the last %zu hosts)", a->n_hosts);
	}
	pthread_mutex_lock(&a->mu);
	lease = a->lease;
	pthread_mutex_unlock(&a->mu);
	for (size_t i = 0; r >= 0 && a->has_sub && i < a->n_hosts; i++)
		mine = mine || (a->hosts[i].lease == lease && a->hosts[i].subnet.len == a->sub.subnet.len &&
				ip_addr_equal(&a->hosts[i].subnet.addr, &a->sub.subnet.addr));
	if (r >= 0 && !mine) {
		*ret_lost = true;
		return 0;
	}
	/* Without any set read yet, the kernel keeps what the predecessor applied. */
	if (a->has_sub && a->have_set) {
		struct nr_error e = { 0 };
		int k = remotes_apply(a, a->hosts, a->n_hosts, &e);
		if (k < 0 && r >= 0) {
			nr_error_copy(err, &e);
			r = k;
		}
	}
	struct nr_error e = { 0 };
	if (a->have_set && hosts_write(a, a->hosts, a->n_hosts, &e) < 0)
		agent_log("%s", e.msg);
	return r;
}
