/* The host state of networks, through our plugins' host operations: see network_host.h.
 * The conflist of a hand-written network stays on `network rm`: a file in /etc/cni/net.d
 * may be shared with other CNI runtimes, and it is the user's.  One that `network create`
 * wrote (netdef.h's metadata) goes, with its DNS directory. */
#include "network_host.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/json_field.h"
#include "cni/cni_builtin.h"
#include "cni/cni_chain.h"
#include "ctr.h"
#include "dns_net.h"
#include "net.h"
#include "netdef.h"
#include "netdef_list.h"
#include "overlay_net.h"
#include "plugins.h"
#include "rt.h"
#include "rt_error.h"

/* One attachment of a container: its recorded chain and interface. */
struct live_att {
	struct cni_netconf *conf; /* NULL: no plugins (or unreadable) */
	char ifname[16];
};

/* A container of ours that is not exited, as its record says. */
struct live_ctr {
	char *name, *id;
	bool running; /* its init still runs */
	/* Every attachment: rec->net, then rec->more (issue 17); DEL'd ones left out. */
	struct live_att att[CTR_NETWORKS_MAX];
	size_t n_att;
	json_t *caps; /* its recorded capability args; may be NULL */
};

struct live_ctrs {
	struct live_ctr *v;
	size_t n;
	int lock; /* the state lock, held until live_ctrs_release() */
};

static void live_ctrs_release(struct live_ctrs *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].name);
		free(c->v[i].id);
		for (size_t j = 0; j < c->v[i].n_att; j++)
			cni_netconf_free(c->v[i].att[j].conf);
		json_decref(c->v[i].caps);
	}
	free(c->v);
	if (c->lock >= 0)
		close(c->lock);
	*c = (struct live_ctrs){ .lock = -1 };
}

/* Stale containers are torn down first (as by gc), so nothing of a dead one counts or
 * comes back; then, under the state lock so no record changes under us, every container
 * that is not exited.  The one function of this file that reads container records. */
static int live_ctrs_load(struct live_ctrs *ret, struct nr_error *err)
{
	_cleanup_strv_ char **names = NULL;
	int r;

	*ret = (struct live_ctrs){ .lock = -1 };
	if ((r = ctr_gc_reconcile(NULL, NULL, err)) < 0 || (r = ret->lock = ctr_store_lock(err)) < 0 ||
	    (r = ctr_store_names(&names, err)) < 0)
		return r;
	if (!(ret->v = calloc(rt_strv_len(names) + 1, sizeof(*ret->v))))
		r = nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	for (char **p = names; r >= 0 && *p; p++) {
		_cleanup_record_ struct ctr_record *rec = NULL;
		struct live_ctr *c = &ret->v[ret->n];
		struct net_plan plan;

		if (ctr_store_load(*p, &rec, NULL) < 0 || rec->status == CTR_EXITED)
			continue;
		if (net_plan_from_record(rec, &plan, NULL) < 0)
			net_plan_clear(&plan);
		*c = (struct live_ctr){ .name = strdup(*p),
					.id = strdup(rec->id),
					.running = ctr_init_alive(rec),
					.caps = rec->capability_args ? json_loads(rec->capability_args, 0, NULL)
								     : NULL };
		if (!rec->net.done) {
			c->att[0].conf = TAKE_PTR(plan.conf);
			snprintf(c->att[0].ifname, sizeof(c->att[0].ifname), "%s", plan.ifname);
			c->n_att = 1;
		}
		net_plan_clear(&plan);
		for (size_t j = 0; j < rec->n_more && c->n_att < CTR_NETWORKS_MAX; j++) {
			const struct ctr_network *m = &rec->more[j];
			struct live_att *a = &c->att[c->n_att];
			if (m->done || !m->conflist ||
			    cni_netconf_parse(m->conflist, strlen(m->conflist), m->name ? m->name : "?", &a->conf,
					      NULL) < 0)
				continue;
			snprintf(a->ifname, sizeof(a->ifname), "%s", m->ifname);
			c->n_att++;
		}
		ret->n++;
		if (!c->name || !c->id)
			r = nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	}
	return r;
}

struct nets {
	struct cni_netconf **v;
	size_t n;
};

static void nets_release(struct nets *nets)
{
	for (size_t i = 0; i < nets->n; i++)
		cni_netconf_free(nets->v[i]);
	free(nets->v);
	*nets = (struct nets){ 0 };
}

/* Every known network, then the containers under the state lock. */
static int nets_and_ctrs_load(struct nets *nets, struct live_ctrs *ctrs, struct nr_error *err)
{
	int r;

	*ctrs = (struct live_ctrs){ .lock = -1 };
	*nets = (struct nets){ 0 };
	if ((r = net_list(&nets->v, &nets->n, err)) < 0)
		return r;
	return live_ctrs_load(ctrs, err);
}

/* Host objects (a bridge) two chains share: the first's object, whose plugin type, and
 * the second chain to look for it in. */
struct share {
	const struct cni_netconf *other;
	const struct cni_builtin *b;
	char object[64];
};

static bool object_of(json_t *plugin, const struct cni_builtin *b, char *buf, size_t len)
{
	const struct cni_host_ops *h = b->ops->host;

	return h->object && h->object(plugin, buf, len) > 0;
}

static int same_object(size_t i, json_t *plugin, const struct cni_builtin *b, void *data, struct nr_error *err)
{
	const struct share *s = data;
	char object[sizeof(s->object)];

	return b == s->b && object_of(plugin, b, object, sizeof(object)) && !strcmp(object, s->object);
}

static int object_shared(size_t i, json_t *plugin, const struct cni_builtin *b, void *data, struct nr_error *err)
{
	struct share *s = data;

	if (!object_of(plugin, b, s->object, sizeof(s->object)))
		return 0;
	s->b = b;
	return cni_builtin_host_each(rt_plugins, s->other, same_object, s, NULL);
}

/* Whether a plugin of chain a and one of chain b, of one type, name the same host object:
 * removing it for one cuts the containers of the other off just the same. */
static bool chains_share(const struct cni_netconf *a, const struct cni_netconf *b)
{
	struct share s = { .other = b };

	return cni_builtin_host_each(rt_plugins, a, object_shared, &s, NULL) > 0;
}

/* The containers of ctrs attached to net, or to a network sharing a host object with
 * it, as "a, b" ("" if none). */
static void net_users(const struct live_ctrs *ctrs, const struct cni_netconf *net, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ctrs->n; i++) {
		bool uses = false;
		for (size_t j = 0; j < ctrs->v[i].n_att && !uses; j++) {
			const struct cni_netconf *c = ctrs->v[i].att[j].conf;
			uses = c && (!strcmp(c->name, net->name) || chains_share(net, c));
		}
		if (uses && used < len)
			used += snprintf(buf + used, len - used, "%s%s", used ? ", " : "", ctrs->v[i].name);
	}
}

static int remove_objects(size_t i, json_t *plugin, const struct cni_builtin *b, void *found, struct nr_error *err)
{
	const struct cni_host_ops *h = b->ops->host;
	int r;

	return h->remove && (r = h->remove(plugin, found, err)) < 0 ? r : 0;
}

/* Remove net's host state: its plugins' objects, then what every plugin of ours keeps
 * under its name; *ret_found: whether there was any. */
static int net_remove(const struct cni_netconf *net, bool *ret_found, struct nr_error *err)
{
	bool found = false;
	int r;

	if ((r = cni_builtin_host_each(rt_plugins, net, remove_objects, &found, err)) < 0)
		return nr_error_wrap(err, r, "network %s", net->name);
	for (const struct cni_builtin *b = rt_plugins; b->type; b++) {
		const struct cni_host_ops *h = b->ops->host;
		if (h && h->forget_network && (r = h->forget_network(net->name, &found, err)) < 0)
			return nr_error_wrap(err, r, "network %s", net->name);
	}
	*ret_found = found;
	return 0;
}

/* A network `network create` wrote goes altogether: after its host state, its conflist
 * (under the lock create takes, so a create of the same name waits) and its DNS
 * directory. */
static int net_forget_ours(const struct cni_netconf *net, struct nr_error *err)
{
	_cleanup_close_ int lock = -1;
	int r;

	if ((r = netdef_lock(&lock, err)) < 0)
		return r;
	if (net->path && unlink(net->path) < 0 && errno != ENOENT)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot remove %s: %s", net->path, strerror(errno));
	return dns_net_remove(net->name, err);
}

static int net_rm(const struct live_ctrs *ctrs, const struct cni_netconf *net, struct nr_error *err)
{
	struct netdef_meta m;
	char users[1024];
	bool found;
	int r;

	if (netdef_is_builtin(net))
		return nr_error_set(err, RT_ERR_USAGE, EPERM, "%s is a pre-defined network and cannot be removed",
				    net->name);
	/* An overlay network's agent holds a lease in etcd: `network leave` (netns-run-overlay)
	 * stops it and gives the subnet back before the host state goes through here. */
	if (overlay_net_is(net) && overlay_net_agent_alive(net->name))
		return nr_error_set(err, RT_ERR_CONFLICT, EBUSY,
				    "%s is an overlay network whose agent runs: `netns-run network leave %s` or `network rm %s`",
				    net->name, net->name, net->name);
	netdef_meta_get(net, &m);
	net_users(ctrs, net, users, sizeof(users));
	if (*users && m.ours)
		return nr_error_set(err, RT_ERR_CONFLICT, EBUSY,
				    "error while removing network: network %s id %s has active endpoints (%s)",
				    net->name, m.id, users);
	if (*users)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EBUSY,
				    "network %s is in use by running container(s) %s: stop them first", net->name,
				    users);
	if ((r = net_remove(net, &found, err)) < 0)
		return r;
	return m.ours ? net_forget_ours(net, err) : 0;
}

static const struct cni_netconf *net_find(const struct nets *nets, const char *name)
{
	for (size_t i = 0; i < nets->n; i++)
		if (!strcmp(nets->v[i]->name, name))
			return nets->v[i];
	return NULL;
}

int nethost_rm(char *const *names, size_t n, nethost_report_fn report, void *data, struct nr_error *err)
{
	struct live_ctrs ctrs;
	struct nets nets;
	int r, failed = 0;

	if ((r = nets_and_ctrs_load(&nets, &ctrs, err)) >= 0) {
		for (size_t i = 0; i < n; i++) {
			const struct cni_netconf *net = net_find(&nets, names[i]);
			struct nr_error e = { 0 };
			if (!net && !strcmp(names[i], "host"))
				nr_error_set(&e, RT_ERR_USAGE, EPERM,
					     "host is a pre-defined network and cannot be removed");
			else if (!net)
				nr_error_set(&e, RT_ERR_NOT_FOUND, ENOENT,
					     "no such network: %s (see `netns-run network ls`)", names[i]);
			if (!net || net_rm(&ctrs, net, &e) < 0) {
				report(names[i], &e, data);
				failed++;
			} else {
				report(names[i], NULL, data);
			}
		}
		r = failed;
	}
	live_ctrs_release(&ctrs);
	nets_release(&nets);
	return r;
}

int nethost_prune(nethost_pick_fn pick, nethost_report_fn report, void *data, struct nr_error *err)
{
	struct live_ctrs ctrs;
	struct nets nets;
	int r, failed = 0;

	if ((r = nets_and_ctrs_load(&nets, &ctrs, err)) >= 0) {
		for (size_t i = 0; i < nets.n; i++) {
			struct nr_error e = { 0 };
			bool found = false;
			char users[8];
			net_users(&ctrs, nets.v[i], users, sizeof(users));
			/* Overlay networks are left by `network leave`, which gives their subnet
			 * back in etcd: prune does not take them. */
			if (*users || (pick && !pick(nets.v[i], data)) || overlay_net_is(nets.v[i]))
				continue;
			/* Ours go altogether (as Docker's prune); the others lose their host state. */
			struct netdef_meta m;
			netdef_meta_get(nets.v[i], &m);
			if (net_remove(nets.v[i], &found, &e) < 0 || (m.ours && net_forget_ours(nets.v[i], &e) < 0)) {
				report(nets.v[i]->name, &e, data);
				failed++;
			} else if (found || m.ours) {
				report(nets.v[i]->name, NULL, data);
			}
		}
		r = failed;
	}
	live_ctrs_release(&ctrs);
	nets_release(&nets);
	return r;
}

/* One attachment to reapply, and the chain and capability args of its plugins' configs. */
struct reapply {
	const struct cni_netconf *conf;
	json_t *caps;
	const struct cni_host_attach *a;
};

static int reapply_plugin(size_t i, json_t *plugin, const struct cni_builtin *b, void *data, struct nr_error *err)
{
	const struct reapply *x = data;
	const struct cni_host_ops *h = b->ops->host;
	_cleanup_json_ json_t *cfg = NULL;
	int r;

	if (!h->reapply)
		return 0;
	/* As its ADD got it: runtimeConfig holds the capability args it declares. */
	if (!(cfg = cni_chain_plugin_config(x->conf, i, x->caps, NULL)))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	if ((r = h->reapply(cfg, x->a, err)) < 0)
		return nr_error_wrap(err, r, "network %s, plugin %s", x->conf->name, b->type);
	return 0;
}

/* From the container's recorded chain and its cache entry; nothing cached (a container
 * still starting, or a network without plugins) is nothing to reapply. */
static int attachment_reapply(const struct live_ctr *c, const struct live_att *at, struct nr_error *err)
{
	_cleanup_result_ struct cni_result *res = NULL;
	_cleanup_json_ json_t *caps = NULL;
	int r;

	if (!at->conf)
		return 0;
	r = cni_cache_read(rt_paths()->cache_dir, at->conf->name, c->id, at->ifname, &res, &caps, err);
	if (r < 0 || !res)
		return r;
	const struct cni_host_attach a = { at->conf->name, c->id, at->ifname, res };
	struct reapply x = { .conf = at->conf, .caps = caps ? caps : c->caps, .a = &a };
	return cni_builtin_host_each(rt_plugins, at->conf, reapply_plugin, &x, err);
}

/* Every attachment of the container, the further ones too. */
static int container_reapply(const struct live_ctr *c, struct nr_error *err)
{
	int r;

	for (size_t i = 0; i < c->n_att; i++)
		if ((r = attachment_reapply(c, &c->att[i], err)) < 0)
			return r;
	return 0;
}

int nethost_reload(nethost_report_fn report, void *data, struct nr_error *err)
{
	struct live_ctrs ctrs;
	int r, failed = 0;

	if ((r = live_ctrs_load(&ctrs, err)) >= 0) {
		for (size_t i = 0; i < ctrs.n; i++) {
			struct nr_error e = { 0 };
			if (!ctrs.v[i].running || container_reapply(&ctrs.v[i], &e) >= 0)
				continue;
			nr_error_wrap(&e, -1, "reloading container %s", ctrs.v[i].name);
			report(ctrs.v[i].name, &e, data);
			failed++;
		}
		r = failed;
	}
	live_ctrs_release(&ctrs);
	return r;
}

static void one_report(const char *name, const struct nr_error *e, void *data)
{
	if (e)
		nr_error_copy(data, e);
}

int nethost_rm_one(const char *name, struct nr_error *err)
{
	char *names[] = { (char *)name, NULL };
	int r = nethost_rm(names, 1, one_report, err, err);

	return r > 0 ? -EBUSY : r;
}
