/* `network create` (netdef.h): the environment gathered (every network's name, subnets
 * and bridge, the host's routes), the plan checked (netdef_plan.c), then the conflist
 * written exclusively, all under one lock so that two creates of one name, or two
 * automatic subnets, cannot both win.  `network rm` is network_host.c's. */
#include <errno.h>
#include <fcntl.h>
#include <netlink/route/route.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/json_field.h"
#include "base/lockfile.h"
#include "base/timefmt.h"
#include "cni/cni_builtin.h"
#include "net.h"
#include "netdef.h"
#include "netdef_list.h"
#include "netdef_plan.h"
#include "network_host.h"
#include "nl/nlsock.h"
#include "plugins.h"
#include "rt.h"
#include "rt_error.h"

/* What netdef_env points into. */
struct env_store {
	struct netdef_env env;
	struct ip_prefix *routes, *nets;
	const char **owners;
	char **names, **bridges;
	struct cni_netconf **list;
	size_t n_list;
};

static void env_store_release(struct env_store *s)
{
	free(s->routes);
	free(s->nets);
	free(s->owners);
	rt_strv_free(s->names);
	rt_strv_free(s->bridges);
	for (size_t i = 0; i < s->n_list; i++)
		cni_netconf_free(s->list[i]);
	free(s->list);
	*s = (struct env_store){ 0 };
}

static int host_routes(struct env_store *s, struct nr_error *err)
{
	_cleanup_nlsock_ struct nlsock *sk = NULL;
	struct nl_cache *routes = NULL;
	size_t n = 0;
	int r;

	if ((r = nlsock_open(&sk, err)) < 0)
		return r;
	if ((r = rtnl_route_alloc_cache(sk->sk, AF_UNSPEC, 0, &routes)) < 0)
		return nlsock_error(sk, r, err, "cannot list the host's routes");
	s->routes = calloc((size_t)nl_cache_nitems(routes) + 1, sizeof(*s->routes));
	for (struct nl_object *o = nl_cache_get_first(routes); s->routes && o; o = nl_cache_get_next(o)) {
		struct rtnl_route *rt = (struct rtnl_route *)o;
		struct nl_addr *dst = rtnl_route_get_dst(rt);
		struct ip_prefix p = { 0 };
		int fam = dst ? nl_addr_get_family(dst) : 0;
		/* The local table holds the host's own addresses and multicast; a default route
		 * overlaps everything and is no subnet. */
		if (rtnl_route_get_table(rt) == RT_TABLE_LOCAL || (fam != AF_INET && fam != AF_INET6) ||
		    nl_addr_get_prefixlen(dst) == 0 || nl_addr_get_len(dst) != (fam == AF_INET ? 4u : 16u))
			continue;
		p.addr.family = fam;
		p.len = (int)nl_addr_get_prefixlen(dst);
		memcpy(p.addr.bytes, nl_addr_get_binary_addr(dst), nl_addr_get_len(dst));
		s->routes[n++] = p;
	}
	nl_cache_free(routes);
	if (!s->routes)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	s->env.routes = s->routes;
	s->env.n_routes = n;
	return 0;
}

static int bridge_of(size_t i, json_t *plugin, const struct cni_builtin *b, void *data, struct nr_error *err)
{
	char name[64];

	if (b->ops->host->object && b->ops->host->object(plugin, name, sizeof(name)) > 0 &&
	    rt_strv_push(data, name) < 0)
		return -ENOMEM;
	return 0;
}

static int env_gather(struct env_store *s, struct nr_error *err)
{
	size_t cap = 0, n = 0;
	int r;

	if ((r = net_list(&s->list, &s->n_list, err)) < 0 || (r = host_routes(s, err)) < 0)
		return r;
	/* "host" is a mode, not a conflist, but its name is taken all the same. */
	if (rt_strv_push(&s->names, "host") < 0)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	for (size_t i = 0; i < s->n_list; i++)
		cap += NETDEF_SUBNETS_MAX * 2;
	s->nets = calloc(cap + 1, sizeof(*s->nets));
	s->owners = calloc(cap + 1, sizeof(*s->owners));
	if (!s->nets || !s->owners)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	for (size_t i = 0; i < s->n_list; i++) {
		size_t k = netdef_conf_subnets(s->list[i], s->nets + n, cap - n);
		for (size_t j = n; j < n + k; j++)
			s->owners[j] = s->list[i]->name;
		n += k;
		if (rt_strv_push(&s->names, s->list[i]->name) < 0 ||
		    cni_builtin_host_each(rt_plugins, s->list[i], bridge_of, &s->bridges, NULL) < 0)
			return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	}
	s->env.nets = s->nets;
	s->env.net_owner = s->owners;
	s->env.n_nets = n;
	s->env.names = s->names;
	s->env.bridges = s->bridges;
	return 0;
}

int netdef_lock(int *ret_fd, struct nr_error *err)
{
	char path[512];
	int r;

	snprintf(path, sizeof(path), "%s/network.lock", rt_paths()->state_dir);
	if ((r = rt_mkdir_p(rt_paths()->state_dir, 0700)) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, r, "cannot create %s: %s", rt_paths()->state_dir, strerror(-r));
	return lockfile_take(path, ret_fd, err);
}

/* Write text as dir/NAME.conflist, never over an existing file: written in full to a
 * temporary name, then linked (link(2) fails on an existing target), so readers never see
 * half a file and a concurrent writer of the same name loses cleanly. */
static int write_exclusive(const char *dir, const char *name, const char *text, struct nr_error *err)
{
	char path[512], tmp[512];
	int r;

	snprintf(path, sizeof(path), "%s/%s.conflist", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.conflist.%d.tmp", dir, name, (int)getpid());
	if ((r = rt_mkdir_p(dir, 0755)) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, r, "cannot create %s: %s", dir, strerror(-r));
	if ((r = rt_write_file_atomic(tmp, text, 0644)) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, r, "cannot write %s: %s", tmp, strerror(-r));
	r = link(tmp, path) < 0 ? -errno : 0;
	unlink(tmp);
	if (r == -EEXIST)
		return nr_error_set(err, RT_ERR_CONFLICT, EEXIST, "%s already exists (a conflist of another name)",
				    path);
	if (r < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, r, "cannot write %s: %s", path, strerror(-r));
	return 0;
}

int netdef_create(const struct netdef_opts *o, struct cni_netconf **ret, struct nr_error *err)
{
	_cleanup_(env_store_release) struct env_store s = { 0 };
	_cleanup_close_ int lock = -1;
	_cleanup_json_ json_t *list = NULL;
	_cleanup_free_ char *text = NULL, *file = NULL;
	struct netdef_plan p;
	char id[RT_ID_LEN + 1], created[40];
	int r;

	if (rt_random_id(id) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, EIO, "cannot draw a random id");
	nr_time_now_rfc3339(created, sizeof(created));
	if ((r = netdef_lock(&lock, err)) < 0 || (r = env_gather(&s, err)) < 0 ||
	    (r = netdef_plan_make(o, &s.env, id, created, &p, err)) < 0)
		return r;
	if (!(list = netdef_conflist(&p, o, true)) || !(text = json_dumps(list, JSON_INDENT(2))) ||
	    asprintf(&file, "%s\n", text) < 0)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	if ((r = write_exclusive(rt_paths()->conf_dirs[0], p.name, file, err)) < 0)
		return r;
	if (ret && (r = cni_netconf_parse(text, strlen(text), p.name, ret, err)) < 0)
		return r;
	return 0;
}

int netdef_check_free(const char *name, const struct ip_prefix *subnet, struct nr_error *err)
{
	_cleanup_(env_store_release) struct env_store s = { 0 };
	_cleanup_close_ int lock = -1;
	int r;

	if ((r = netdef_lock(&lock, err)) < 0 || (r = env_gather(&s, err)) < 0)
		return r;
	return netdef_plan_check_free(name, subnet, &s.env, err);
}

int netdef_write(const char *name, const struct ip_prefix *subnet, json_t *list, struct nr_error *err)
{
	_cleanup_(env_store_release) struct env_store s = { 0 };
	_cleanup_close_ int lock = -1;
	_cleanup_free_ char *text = NULL, *file = NULL;
	int r;

	if ((r = netdef_lock(&lock, err)) < 0 || (r = env_gather(&s, err)) < 0 ||
	    (r = netdef_plan_check_free(name, subnet, &s.env, err)) < 0)
		return r;
	if (!(text = json_dumps(list, JSON_INDENT(2))) || asprintf(&file, "%s\n", text) < 0)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	return write_exclusive(rt_paths()->conf_dirs[0], name, file, err);
}

int netdef_remove(const char *name, struct nr_error *err)
{
	return nethost_rm_one(name, err);
}
