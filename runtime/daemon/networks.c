/* /networks: list, inspect, create, remove, connect, disconnect and prune, over the
 * engine's network verbs (engine/netdef.h, netdef_list.h, netdef_query.h, net_attach.h,
 * network_host.h), in Docker's shapes and status codes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/json_field.h"
#include "cni/cni_cleanup.h"
#include "ctr_body_net.h"
#include "engine/container.h"
#include "engine/net_attach.h"
#include "engine/net_opts.h"
#include "engine/netdef.h"
#include "engine/netdef_list.h"
#include "engine/netdef_query.h"
#include "engine/network_host.h"
#include "engine/rt_error.h"
#include "events.h"
#include "query_filter.h"
#include "routes.h"

/* The network named ref, or a 404 answered (Docker's "network X not found"). */
static const struct cni_netconf *find_or_404(struct api_req *r, const struct netdef_set *l, const char *ref, int *ret)
{
	const struct cni_netconf *c = netdef_find(l->v, l->n, ref);

	if (!c)
		*ret = api_reply_error(r, 404, "network %s not found", ref);
	return c;
}

/* Docker's network events: Actor.ID the network's id, attributes its name and type (and
 * for connect/disconnect the container's id). */
static void net_event(const char *action, const char *id, const char *name, const char *ctr)
{
	char cid[RT_ID_LEN + 1] = "";
	struct ctr_record *rec = NULL;

	if (ctr && ctr_store_load(ctr, &rec, NULL) >= 0) {
		snprintf(cid, sizeof(cid), "%s", rec->id);
		ctr_record_free(rec);
	}
	events_emit("network", action, id,
		    ctr ? json_pack("{s:s,s:s,s:s}", "container", cid[0] ? cid : ctr, "name", name, "type", "bridge")
			: json_pack("{s:s,s:s}", "name", name, "type", "bridge"));
}

int h_network_list(struct api_req *r)
{
	struct nr_error err = { 0 };
	struct qfilters f;
	struct netdef_set l;
	struct netdef_filter nf[QFILTER_MAX];

	if (qfilters_parse(api_query(r, "filters"), &f, &err) < 0)
		return api_reply_nr_error(r, &err);
	for (size_t i = 0; i < f.n; i++) {
		if (netdef_filter_check(f.v[i].key, f.v[i].value, &err) < 0) {
			qfilters_release(&f);
			return api_reply_nr_error(r, &err);
		}
		nf[i] = (struct netdef_filter){ f.v[i].key, f.v[i].value };
	}
	if (netdef_set_load(&l, true, &err) < 0) {
		qfilters_release(&f);
		return api_reply_nr_error(r, &err);
	}
	json_t *all = json_array();
	for (size_t i = 0; all && i < l.n; i++) {
		json_t *net = netdef_inspect_json(l.v[i], l.ctrs);
		if (net && netdef_filters_match(nf, f.n, l.v[i], net))
			json_array_append(all, net);
		json_decref(net);
	}
	netdef_set_release(&l);
	qfilters_release(&f);
	if (!all)
		return api_reply_error(r, 500, "out of memory");
	return api_reply_json(r, 200, all);
}

int h_network_inspect(struct api_req *r)
{
	struct nr_error err = { 0 };
	struct netdef_set l;
	int ret = 0;

	if (netdef_set_load(&l, true, &err) < 0)
		return api_reply_nr_error(r, &err);
	const struct cni_netconf *c = find_or_404(r, &l, r->params[0], &ret);
	if (c) {
		json_t *net = netdef_inspect_json(c, l.ctrs);
		ret = net ? api_reply_json(r, 200, net) : api_reply_error(r, 500, "out of memory");
	}
	netdef_set_release(&l);
	return ret;
}

/* A create body's strings live in the parsed body; "K=V" pairs for netdef_opts are
 * formatted into kv. */
struct create_req {
	struct netdef_opts o;
	char kv[2 * NETDEF_KV_MAX][512];
	size_t n_kv;
};

static const char *kv_pair(struct create_req *c, const char *k, json_t *v)
{
	const char *s = json_string_value(v);

	if (c->n_kv == sizeof(c->kv) / sizeof(c->kv[0]))
		return NULL;
	snprintf(c->kv[c->n_kv], sizeof(c->kv[0]), "%s=%s", k, s ? s : "");
	return c->kv[c->n_kv++];
}

static int kv_object(struct create_req *c, json_t *obj, const char *what, const char **out, size_t *n,
		     struct nr_error *err)
{
	const char *k;
	json_t *v;

	if (!obj || json_is_null(obj))
		return 0;
	if (!json_is_object(obj))
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "%s must be an object of strings", what);
	json_object_foreach(obj, k, v) {
		if (!json_is_string(v))
			return nr_error_set(err, RT_ERR_USAGE, EINVAL, "%s: %s must be a string", what, k);
		if (*n == NETDEF_KV_MAX || !(out[*n] = kv_pair(c, k, v)))
			return nr_error_set(err, RT_ERR_USAGE, E2BIG, "at most %d %s", NETDEF_KV_MAX, what);
		(*n)++;
	}
	return 0;
}

static const char *opt_str(json_t *o, const char *key, bool *bad)
{
	json_t *v = json_object_get(o, key);

	if (v && !json_is_null(v) && !json_is_string(v))
		*bad = true;
	return json_string_value(v) && *json_string_value(v) ? json_string_value(v) : NULL;
}

static int create_parse(json_t *body, struct create_req *c, struct nr_error *err)
{
	json_t *ipam = json_object_get(body, "IPAM"), *cfg, *e;
	bool bad = false;
	size_t i;
	int r;

	if (!json_is_object(body))
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "the body must be a JSON object");
	c->o.name = opt_str(body, "Name", &bad);
	c->o.driver = opt_str(body, "Driver", &bad);
	if (bad)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "Name and Driver must be strings");
	if (!c->o.name)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "Name is required");
	c->o.internal = json_is_true(json_object_get(body, "Internal"));
	c->o.ipv6 = json_is_true(json_object_get(body, "EnableIPv6"));
	if (json_is_true(json_object_get(body, "Ingress")) || json_is_true(json_object_get(body, "ConfigOnly")) ||
	    (opt_str(body, "ConfigFrom", &bad) != NULL) ||
	    json_object_get(json_object_get(body, "ConfigFrom"), "Network"))
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "Ingress, ConfigOnly and ConfigFrom are not supported: swarm networks are not ours");
	const char *scope = opt_str(body, "Scope", &bad);
	if (scope && strcmp(scope, "local") != 0)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "scope %s is not supported: the only scope is local",
				    scope);
	if (ipam && !json_is_null(ipam)) {
		const char *drv = opt_str(ipam, "Driver", &bad);
		if (drv && strcmp(drv, "default") != 0)
			return nr_error_set(err, RT_ERR_USAGE, EINVAL,
					    "IPAM driver %s is not supported: the only one is default (host-local)",
					    drv);
		cfg = json_object_get(ipam, "Config");
		if (cfg && !json_is_null(cfg) && !json_is_array(cfg))
			return nr_error_set(err, RT_ERR_USAGE, EINVAL, "IPAM.Config must be an array");
		json_array_foreach(cfg, i, e) {
			struct netdef_subnet *s;
			if (c->o.n_subnets == NETDEF_SUBNETS_MAX)
				return nr_error_set(err, RT_ERR_USAGE, E2BIG, "at most %d IPAM configs",
						    NETDEF_SUBNETS_MAX);
			s = &c->o.subnets[c->o.n_subnets];
			s->subnet = opt_str(e, "Subnet", &bad);
			s->gateway = opt_str(e, "Gateway", &bad);
			s->ip_range = opt_str(e, "IPRange", &bad);
			if (json_object_size(json_object_get(e, "AuxiliaryAddresses")) > 0)
				return nr_error_set(err, RT_ERR_USAGE, EINVAL, "AuxiliaryAddresses are not supported");
			if (bad)
				return nr_error_set(err, RT_ERR_USAGE, EINVAL,
						    "IPAM.Config: Subnet, Gateway and IPRange must be strings");
			if (!s->subnet && (s->gateway || s->ip_range))
				return nr_error_set(err, RT_ERR_USAGE, EINVAL,
						    "IPAM.Config: a Gateway or IPRange needs its Subnet");
			if (s->subnet)
				c->o.n_subnets++;
		}
	}
	if ((r = kv_object(c, json_object_get(body, "Options"), "Options", c->o.opts, &c->o.n_opts, err)) < 0 ||
	    (r = kv_object(c, json_object_get(body, "Labels"), "Labels", c->o.labels, &c->o.n_labels, err)) < 0)
		return r;
	return 0;
}

int h_network_create(struct api_req *r)
{
	_cleanup_json_ json_t *body = json_loadb(r->body, r->body_len, 0, NULL);
	_cleanup_free_ struct create_req *c = calloc(1, sizeof(*c));
	_cleanup_(cni_netconf_freep) struct cni_netconf *net = NULL;
	struct nr_error err = { 0 };
	struct netdef_meta m;

	if (!c)
		return api_reply_error(r, 500, "out of memory");
	if (!body)
		return api_reply_error(r, 400, "invalid JSON body");
	if (create_parse(body, c, &err) < 0 || netdef_create(&c->o, &net, &err) < 0)
		return api_reply_nr_error(r, &err);
	netdef_meta_get(net, &m);
	net_event("create", m.id, net->name, NULL);
	return api_reply_json(r, 201, json_pack("{s:s,s:s}", "Id", m.id, "Warning", ""));
}

int h_network_delete(struct api_req *r)
{
	struct nr_error err = { 0 };
	char name[256];
	struct netdef_meta m;
	struct netdef_set l;
	bool builtin;
	int ret = 0;

	if (netdef_set_load(&l, false, &err) < 0)
		return api_reply_nr_error(r, &err);
	const struct cni_netconf *c = find_or_404(r, &l, r->params[0], &ret);
	if (c) {
		snprintf(name, sizeof(name), "%s", c->name);
		builtin = netdef_is_builtin(c);
		netdef_meta_get(c, &m);
	}
	netdef_set_release(&l);
	if (!c)
		return ret;
	/* Docker answers 403 for both: a pre-defined network, and one with endpoints
	 * (libnetwork's ActiveEndpointsError is a Forbidden error). */
	if (builtin)
		return api_reply_error(r, 403, "%s is a pre-defined network and cannot be removed", name);
	if (nethost_rm_one(name, &err) < 0) {
		if (err.code == RT_ERR_CONFLICT || err.code == CNI_ERR_INVALID_CONFIG)
			return api_reply_error(r, 403, "%s", err.msg);
		return api_reply_nr_error(r, &err);
	}
	net_event("destroy", m.id, name, NULL);
	return api_reply_empty(r, 204);
}

/* The body's Container, resolved as Docker does; a 404 answered when there is none
 * (unless force: the engine then treats it as gone). */
static int body_container(struct api_req *r, json_t *body, char name[RT_NAME_MAX], bool force, int *ret)
{
	const char *ref = json_string_value(json_object_get(body, "Container"));
	struct nr_error err = { 0 };

	if (!ref || !*ref) {
		*ret = api_reply_error(r, 400, "Container is required");
		return -EINVAL;
	}
	if (ctr_store_resolve(ref, name, &err) < 0) {
		if (force && err.code == RT_ERR_NOT_FOUND) {
			snprintf(name, RT_NAME_MAX, "%s", ref);
			return 0;
		}
		*ret = api_reply_nr_error(r, &err);
		return -ENOENT;
	}
	return 0;
}

/* EndpointConfig {Aliases, IPAMConfig {IPv4Address, IPv6Address}, MacAddress}. */
static int endpoint_parse(json_t *ec, struct net_endpoint_opts *e, struct nr_error *err)
{
	json_t *ipam = json_object_get(ec, "IPAMConfig"), *a;
	const char *ip, *ip6;
	bool bad = false;
	size_t i;
	int r;

	if (!ec || json_is_null(ec))
		return 0;
	if (!json_is_object(ec))
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "EndpointConfig must be an object");
	ip = opt_str(ipam, "IPv4Address", &bad);
	ip6 = opt_str(ipam, "IPv6Address", &bad);
	if (bad)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "IPAMConfig: addresses must be strings");
	if ((ip && (r = net_opts_set_ip(e, "IPAMConfig.IPv4Address", ip, err)) < 0) ||
	    (ip6 && (r = net_opts_set_ip6(e, "IPAMConfig.IPv6Address", ip6, err)) < 0))
		return r;
	if (opt_str(ec, "MacAddress", &bad))
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "MacAddress is not supported on connect: a MAC is set when the container is created");
	json_array_foreach(json_object_get(ec, "Aliases"), i, a) {
		if (!json_is_string(a))
			return nr_error_set(err, RT_ERR_USAGE, EINVAL, "Aliases must be strings");
		if ((r = net_opts_add_alias(e, "Aliases", json_string_value(a), err)) < 0)
			return r;
	}
	return 0;
}

/* The network of the path: its name into name, its id into id; a 404 answered otherwise. */
static int path_network(struct api_req *r, char *name, size_t len, char id[65], int *ret)
{
	struct nr_error err = { 0 };
	struct netdef_set l;

	if (netdef_set_load(&l, false, &err) < 0) {
		*ret = api_reply_nr_error(r, &err);
		return -EIO;
	}
	const struct cni_netconf *c = find_or_404(r, &l, r->params[0], ret);
	if (c) {
		struct netdef_meta m;
		netdef_meta_get(c, &m);
		snprintf(name, len, "%s", c->name);
		memcpy(id, m.id, 65);
	}
	netdef_set_release(&l);
	return c ? 0 : -ENOENT;
}

static int reply_body_error(struct api_req *r, int ret, const struct nr_error *err)
{
	if (ret == -EEXIST || ret == -EPERM)
		return api_reply_error(r, 403, "%s", err->msg);
	return api_reply_nr_error(r, err);
}

int h_network_connect(struct api_req *r)
{
	_cleanup_json_ json_t *body = json_loadb(r->body, r->body_len, 0, NULL);
	struct net_endpoint_opts e = { 0 };
	struct nr_error err = { 0 };
	char net[256], netid[65], ctr[RT_NAME_MAX];
	json_t *ec;
	int ret = 0;

	if (!json_is_object(body))
		return api_reply_error(r, 400, "invalid JSON body: an object with Container");
	if (path_network(r, net, sizeof(net), netid, &ret) < 0 || body_container(r, body, ctr, false, &ret) < 0)
		return ret;
	ec = json_object_get(body, "EndpointConfig");
	if (endpoint_parse(ec, &e, &err) < 0)
		return api_reply_nr_error(r, &err);
	e.network = net;
	if ((ret = net_connect(ctr, &e, &err)) == -ESRCH) {
		/* Not running (the engine's refusal): connected in its create body, for its next
		 * start, as Docker's. */
		nr_error_clear(&err);
		if ((ret = ctr_body_net_add(ctr, net, json_is_object(ec) ? ec : NULL, &err)) < 0)
			return reply_body_error(r, ret, &err);
		return api_reply_empty(r, 200);
	}
	if (ret < 0) {
		/* Docker: connecting twice, or a container whose network namespace is not its
		 * own, is Forbidden. */
		if (err.code == RT_ERR_CONFLICT && !strstr(err.msg, "starting"))
			return api_reply_error(r, 403, "%s", err.msg);
		return api_reply_nr_error(r, &err);
	}
	/* Kept in the body for a later start too; a container without one (netns-run run's)
	 * has no later start from here. */
	ret = ctr_body_net_add(ctr, net, json_is_object(ec) ? ec : NULL, &err);
	if (ret < 0 && ret != -ENOENT && ret != -EEXIST) {
		struct nr_error undo = { 0 };
		net_disconnect(net, ctr, true, &undo);
		return api_reply_nr_error(r, &err);
	}
	net_event("connect", netid, net, ctr);
	return api_reply_empty(r, 200);
}

int h_network_disconnect(struct api_req *r)
{
	_cleanup_json_ json_t *body = json_loadb(r->body, r->body_len, 0, NULL);
	struct nr_error err = { 0 }, berr = { 0 };
	char net[256], netid[65], ctr[RT_NAME_MAX];
	bool force;
	int ret = 0, rb;

	if (!json_is_object(body))
		return api_reply_error(r, 400, "invalid JSON body: an object with Container");
	force = json_is_true(json_object_get(body, "Force"));
	if (path_network(r, net, sizeof(net), netid, &ret) < 0 || body_container(r, body, ctr, force, &ret) < 0)
		return ret;
	ret = net_disconnect(net, ctr, force, &err);
	/* Out of the body too (a stopped container's connect may be there alone). */
	rb = ctr_body_net_remove(ctr, net, &berr);
	if (rb < 0 && rb != -ENOENT)
		return api_reply_nr_error(r, &berr);
	if (ret < 0 && !(rb == 0 && err.code == RT_ERR_NOT_FOUND)) {
		if (err.code == RT_ERR_CONFLICT)
			return api_reply_error(r, 403, "%s", err.msg);
		return api_reply_nr_error(r, &err);
	}
	net_event("disconnect", netid, net, ctr);
	return api_reply_empty(r, 200);
}

struct prune_ctx {
	json_t *deleted;
	struct netdef_set before; /* the ids of what goes, for the events */
	struct qprune filters;
};

static bool prune_pick(const struct cni_netconf *conf, void *data)
{
	struct prune_ctx *p = data;
	_cleanup_json_ json_t *net = netdef_inspect_json(conf, NULL);
	long long created = 0;

	if (!net)
		return false;
	/* A network without a known creation time is as old as can be (Docker's zero time). */
	const char *c = json_string_value(json_object_get(net, "Created"));
	if (c && *c && qfilters_time(c, 0, &created) < 0)
		created = 0;
	return qprune_match(&p->filters, created, json_object_get(net, "Labels"));
}

static void prune_report(const char *name, const struct nr_error *err, void *data)
{
	struct prune_ctx *p = data;

	/* The pre-defined networks only lose host state a next container makes again:
	 * Docker never lists them as deleted. */
	if (err || !strcmp(name, "bridge") || !strcmp(name, "host") || !strcmp(name, "none"))
		return;
	json_array_append_new(p->deleted, json_string(name));
	const struct cni_netconf *c = netdef_find(p->before.v, p->before.n, name);
	if (c) {
		struct netdef_meta m;
		netdef_meta_get(c, &m);
		net_event("destroy", m.id, name, NULL);
	}
}

int h_network_prune(struct api_req *r)
{
	struct nr_error err = { 0 };
	struct prune_ctx p = { json_array(), { 0 }, { 0 } };
	struct qfilters f;
	int rc = qprune_parse(api_query(r, "filters"), NULL, &f, &p.filters, &err);

	if (rc < 0 || !p.deleted)
		goto fail;
	if ((rc = netdef_set_load(&p.before, false, &err)) >= 0)
		rc = nethost_prune(prune_pick, prune_report, &p, &err);
	if (rc < 0)
		goto fail;
	netdef_set_release(&p.before);
	qfilters_release(&f);
	return api_reply_json(r, 200, json_pack("{s:o}", "NetworksDeleted", p.deleted));
fail:
	netdef_set_release(&p.before);
	qfilters_release(&f);
	json_decref(p.deleted);
	if (rc >= 0)
		return api_reply_error(r, 500, "out of memory");
	return api_reply_nr_error(r, &err);
}
