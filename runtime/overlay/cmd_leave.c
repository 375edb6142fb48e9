/* `netns-run-overlay leave` and `rm`: this host's part goes (the agent, its lease and so its
 * subnet key, the VXLAN device, the bridge, the files, the conflist); rm then removes the
 * definition from etcd when no host holds a subnet any more. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/json_field.h"
#include "base/lockfile.h"
#include "cmd_args.h"
#include "engine/netdef_list.h"
#include "engine/network_host.h"
#include "engine/rt.h"
#include "engine/rt_error.h"
#include "ovl.h"

static const char leave_usage[] = "Usage: netns-run-overlay leave NAME\n"
				  "\n"
				  "Stop this host's agent of the overlay network NAME, give its subnet back (the\n"
				  "lease is revoked), and remove the VXLAN device, the bridge, the agent's files and\n"
				  "the conflist.  Refused while containers are attached.\n";

static const char rm_usage[] =
	"Usage: netns-run-overlay rm [--store URLS ...] NAME\n"
	"\n"
	"leave, then remove the network's definition and VNI from the store when no other host\n"
	"holds a subnet of it (else they are kept, and the hosts are named).  --store is needed\n"
	"only when this host is not joined.\n";

/* The containers of ours attached to name, as "a, b" ("" if none). */
static int attached(const char *name, char *buf, size_t len, struct nr_error *err)
{
	_cleanup_json_ json_t *all = NULL;
	const char *id;
	json_t *c;
	size_t used = 0;
	int r;

	buf[0] = '\0';
	if ((r = netdef_containers(&all, err)) < 0)
		return r;
	json_object_foreach(json_object_get(all, name), id, c) {
		const char *n = json_string_value(json_object_get(c, "Name"));
		if (used < len)
			used += snprintf(buf + used, len - used, "%s%s", used ? ", " : "", n ? n : id);
	}
	return 0;
}

/* The lease could not be revoked: the subnet comes back to the pool at its expiry. */
static void warn_lease(const struct nr_error *e)
{
	fprintf(stderr, "netns-run-overlay: warning: %s; the subnet is given back when its lease expires\n", e->msg);
}

int ovl_leave_local(const char *name, struct nr_error *err)
{
	_cleanup_(ovl_local_release) struct ovl_local l = { 0 };
	_cleanup_close_ int lock = -1;
	char dir[PATH_MAX], path[PATH_MAX + 8], users[512], dev[16];
	struct nr_error e = { 0 };
	bool have_conf;
	int r;

	if ((r = overlay_dir(name, dir, sizeof(dir), err)) < 0)
		return r;
	r = ovl_local_load(name, &l, &e);
	if (r < 0 && e.code != RT_ERR_NOT_FOUND) {
		nr_error_copy(err, &e);
		return r;
	}
	have_conf = r >= 0;
	if ((r = attached(name, users, sizeof(users), err)) < 0)
		return r;
	if (*users)
		return nr_error_set(err, RT_ERR_CONFLICT, EBUSY,
				    "error while removing network: network %s id %s has active endpoints (%s)", name,
				    l.id, users);
	if (access(dir, F_OK) == 0) {
		snprintf(path, sizeof(path), "%s/lock", dir);
		if ((r = lockfile_take(path, &lock, err)) < 0 || (r = ovl_agent_stop(dir, err)) < 0)
			return r;
	}
	int64_t lease = ovl_lease_read(dir);
	if (lease && have_conf) {
		struct etcd_client *c = NULL;
		nr_error_clear(&e);
		if (ovl_store_open(&l.store, &c, &e) < 0 || etcd_lease_revoke(c, lease, &e) < 0)
			warn_lease(&e);
		etcd_client_free(c);
	}
	if (have_conf) {
		snprintf(dev, sizeof(dev), "nv-%.12s", l.id);
		if ((r = overlay_vtep_remove(dev, err)) < 0)
			return r;
		/* The bridge (through the plugins' host operations), the conflist and the DNS
		 * directory, as `network rm` of a bridge network. */
		if ((r = nethost_rm_one(name, err)) < 0)
			return r;
	}
	if ((r = overlay_subnet_remove(dir, err)) < 0)
		return r;
	if ((r = rt_rm_rf(dir)) < 0 && r != -ENOENT)
		return nr_error_set(err, RT_ERR_SYSTEM, r, "cannot remove %s: %s", dir, strerror(-r));
	return 0;
}

int ovl_cmd_leave(int argc, char **argv)
{
	struct nr_error err = { 0 };
	struct ovl_args a;
	int r;

	if ((r = ovl_args_parse(argc, argv, 0, leave_usage, &a)) <= 0)
		return r == 0 ? 0 : OVL_EXIT_FAIL;
	if (ovl_leave_local(a.name, &err) < 0) {
		ovl_print_error(&err);
		return OVL_EXIT_FAIL;
	}
	return 0;
}

/* The definition and VNI keys go when no host holds a subnet; else the hosts are named. */
static int store_forget(struct etcd_client *c, const char *name, struct nr_error *err)
{
	_cleanup_free_ struct ovl_host *v = NULL;
	char key[256], vkey[128], who[512];
	struct ovl_def d;
	size_t n = 0, used = 0;
	int r;

	if ((r = ovl_store_def(c, name, &d, err)) < 0 && (!err || err->code != RT_ERR_CORRUPT))
		return r;
	ovl_key_network(name, key, sizeof(key));
	if (r < 0) {
		/* Not ours to read: the key is the network's all the same. */
		nr_error_clear(err);
		return etcd_delete(c, key, ETCD_KEY, NULL, err) < 0 ? -EIO : 0;
	}
	if (r == 0)
		return 0;
	if ((r = ovl_store_hosts(c, name, &d, &v, &n, NULL, NULL, err)) < 0)
		return r;
	for (size_t i = 0; i < n && used < sizeof(who); i++) {
		char s[IP_PREFIX_STRLEN];
		used += snprintf(who + used, sizeof(who) - used, "%s%s (%s)", i ? ", " : "", v[i].host,
				 ip_prefix_format(&v[i].subnet, s, sizeof(s)));
	}
	if (n)
		return nr_error_set(err, RT_ERR_CONFLICT, EBUSY,
				    "network %s left here; its definition stays in the store while other hosts hold subnets: %s",
				    name, who);
	ovl_key_vni(d.vni, vkey, sizeof(vkey));
	if ((r = etcd_delete(c, key, ETCD_KEY, NULL, err)) < 0 || (r = etcd_delete_if_value(c, vkey, name, err)) < 0)
		return r;
	return 0;
}

int ovl_cmd_rm(int argc, char **argv)
{
	_cleanup_(ovl_local_release) struct ovl_local l = { 0 };
	struct etcd_client *c = NULL;
	struct nr_error err = { 0 };
	struct ovl_store s;
	struct ovl_args a;
	int r;

	if ((r = ovl_args_parse(argc, argv, OVL_ARG_STORE, rm_usage, &a)) <= 0)
		return r == 0 ? 0 : OVL_EXIT_FAIL;
	s = a.store;
	if (!s.endpoints) {
		if ((r = ovl_local_load(a.name, &l, &err)) < 0)
			goto fail;
		s = l.store;
	}
	/* The store first: an unreachable one fails before anything here is undone. */
	struct etcd_kvs probe = { 0 };
	char key[256];
	ovl_key_network(a.name, key, sizeof(key));
	if ((r = ovl_store_open(&s, &c, &err)) < 0 || (r = etcd_get(c, key, ETCD_KEY, &probe, &err)) < 0)
		goto fail;
	etcd_kvs_clear(&probe);
	if ((r = ovl_leave_local(a.name, &err)) < 0 || (r = store_forget(c, a.name, &err)) < 0)
		goto fail;
	printf("%s\n", a.name);
	etcd_client_free(c);
	return 0;
fail:
	etcd_client_free(c);
	ovl_print_error(&err);
	return OVL_EXIT_FAIL;
}
