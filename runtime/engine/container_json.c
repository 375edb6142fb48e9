/* The container record's one serialisation: struct ctr_record <-> state.json.
 *
 * Keys (version 1; a record without "version" is version 1, as netns-run wrote before
 * the field existed): version, id, name, status (created|running|exited), pid and
 * pid_start, monitor and monitor_start, exit_code, oom, rm, net_done, hostname, user,
 * image (the image's id) and image_ref (IMAGE as given; both absent on the host's root),
 * network {mode (none|host|container|cni), ifname, owner, name, conflist, and since issue 17
 * ip, ip6, mac, aliases (as asked for), gateways, mac_addr, dns (what ADD gave, the DNS
 * responder's state)}, networks [the further attachments (rec->more, eth1…): each as
 * "network" plus its own addresses and done], netns_path,
 * capability_args, cgroup {mode, paths, dirs}, argv, env, addresses, created, started,
 * finished, userns {base, count}, security {privileged, caps, no_new_privileges, seccomp
 * (default|unconfined|profile), seccomp_profile}.  conflist and capability_args are JSON documents the
 * record carries for the CNI chain: kept as text. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_field.h"
#include "cni/cni_chain.h"
#include "container.h"
#include "netdef.h"
#include "rt_error.h"
#include "security.h"

static const char *const status_names[] = {
	[CTR_CREATED] = "created",
	[CTR_RUNNING] = "running",
	[CTR_EXITED] = "exited",
};

static const char *const mode_names[CTR_NET_MODE_COUNT] = {
	[CTR_NET_NONE] = "none",
	[CTR_NET_HOST] = "host",
	[CTR_NET_CONTAINER] = "container",
	[CTR_NET_CNI] = "cni",
};

static int name_index(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (names[i] && !strcmp(names[i], s))
			return (int)i;
	return -1;
}

/* ---- writing ---- */

static int set(json_t *o, const char *key, json_t *v)
{
	return v ? json_object_set_new(o, key, v) : -1;
}

static json_t *strv_to_json(char *const *v)
{
	json_t *a = json_array();

	for (size_t i = 0; a && v && v[i]; i++)
		if (json_array_append_new(a, json_string(v[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* An embedded document from its text (NULL/absent stays absent). */
static int set_doc(json_t *o, const char *key, const char *text)
{
	return text ? set(o, key, json_loads(text, JSON_DECODE_ANY, NULL)) : 0;
}

/* {"mode": "hybrid", "paths": {"unified": …, "memory": …}, "dirs": […]}: "dirs", the
 * distinct directories in creation order, is for readers of the record; reading
 * derives it from "paths". */
static json_t *cgroup_to_json(const struct cgroup_set *cg)
{
	_cleanup_json_ json_t *o = json_object(), *paths = json_object(), *dirs = json_array();
	const char *d[CGROUP_CTL_COUNT], *mode = cgroup_layout_name(cg->layout);
	size_t n = cgroup_set_dirs(cg, d);

	if (!o || !paths || !dirs || (mode && set(o, "mode", json_string(mode)) < 0))
		return NULL;
	for (size_t i = 0; i < CGROUP_CTL_COUNT; i++)
		if (cg->path[i] && set(paths, cgroup_ctl_names[i], json_string(cg->path[i])) < 0)
			return NULL;
	for (size_t i = 0; i < n; i++)
		if (json_array_append_new(dirs, json_string(d[i])) < 0)
			return NULL;
	if (json_object_set(o, "paths", paths) < 0 || json_object_set(o, "dirs", dirs) < 0)
		return NULL;
	return TAKE_PTR(o);
}

/* One attachment.  The first one's addresses and done flag stay where version 1 put them
 * (top-level "addresses" and "net_done"), so a record of a one-network container reads
 * the same to an older netns-run; further ones (more) carry theirs inside. */
static json_t *network_to_json(const struct ctr_network *n, bool more)
{
	json_t *o = json_object();
	bool ok = o;

	ok = ok && set(o, "mode", json_string(mode_names[n->mode])) >= 0;
	ok = ok && set(o, "ifname", json_string(n->ifname)) >= 0 && set(o, "owner", json_string(n->owner)) >= 0;
	ok = ok && (!n->name || set(o, "name", json_string(n->name)) >= 0) && set_doc(o, "conflist", n->conflist) >= 0;
	ok = ok && (!n->ip || set(o, "ip", json_string(n->ip)) >= 0);
	ok = ok && (!n->ip6 || set(o, "ip6", json_string(n->ip6)) >= 0);
	ok = ok && (!n->mac || set(o, "mac", json_string(n->mac)) >= 0);
	ok = ok && (!n->aliases || set(o, "aliases", strv_to_json(n->aliases)) >= 0);
	ok = ok && (!n->gateways || set(o, "gateways", strv_to_json(n->gateways)) >= 0);
	ok = ok && (!n->mac_addr || set(o, "mac_addr", json_string(n->mac_addr)) >= 0);
	ok = ok && (!n->dns || set(o, "dns", json_true()) >= 0);
	if (more) {
		ok = ok && (!n->addresses || set(o, "addresses", strv_to_json(n->addresses)) >= 0);
		ok = ok && (!n->done || set(o, "done", json_true()) >= 0);
	}
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *networks_to_json(const struct ctr_record *r)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < r->n_more; i++)
		if (json_array_append_new(a, network_to_json(&r->more[i], true)) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* What exec needs to apply the run's capabilities and filter again. */
static json_t *security_to_json(const struct ctr_record *r)
{
	json_t *o = json_object(), *caps = json_array();
	bool ok = o && caps;

	for (int c = 0; ok && c < 64; c++)
		if (r->caps >> c & 1 && rt_cap_name(c))
			ok = json_array_append_new(caps, json_string(rt_cap_name(c))) == 0;
	ok = ok && set(o, "caps", caps) >= 0;
	caps = NULL;
	ok = ok && set(o, "privileged", json_boolean(r->privileged)) >= 0;
	ok = ok && set(o, "no_new_privileges", json_boolean(!r->new_privileges)) >= 0;
	ok = ok && set(o, "seccomp",
		       json_string(r->seccomp_unconfined ? "unconfined"
				   : r->seccomp_profile  ? "profile"
							 : "default")) >= 0;
	ok = ok && (!r->seccomp_profile || set(o, "seccomp_profile", json_string(r->seccomp_profile)) >= 0);
	json_decref(caps);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *record_to_json(const struct ctr_record *r)
{
	json_t *o = json_object();
	bool ok = o;

	ok = ok && set(o, "version", json_integer(CTR_RECORD_VERSION)) >= 0;
	ok = ok && set(o, "id", json_string(r->id)) >= 0 && set(o, "name", json_string(r->name)) >= 0;
	ok = ok && set(o, "status", json_string(status_names[r->status])) >= 0;
	ok = ok && set(o, "hostname", json_string(r->hostname ? r->hostname : "")) >= 0;
	ok = ok && set(o, "user", json_string(r->user ? r->user : "")) >= 0;
	ok = ok && set(o, "monitor", json_integer(r->monitor)) >= 0;
	ok = ok && set(o, "monitor_start", json_integer((json_int_t)r->monitor_start)) >= 0;
	ok = ok && set(o, "rm", json_boolean(r->rm)) >= 0;
	ok = ok && set(o, "network", network_to_json(&r->net, false)) >= 0;
	if (ok && r->n_more)
		ok = set(o, "networks", networks_to_json(r)) >= 0;
	ok = ok && set(o, "argv", strv_to_json(r->argv)) >= 0 && set(o, "env", strv_to_json(r->env)) >= 0;
	ok = ok && set(o, "created", json_integer(r->created)) >= 0;
	if (ok && r->pid > 0)
		ok = set(o, "pid", json_integer(r->pid)) >= 0 &&
		     set(o, "pid_start", json_integer((json_int_t)r->pid_start)) >= 0;
	if (ok && r->has_exit_code)
		ok = set(o, "exit_code", json_integer(r->exit_code)) >= 0;
	if (ok && r->oom)
		ok = set(o, "oom", json_true()) >= 0;
	if (ok && r->net.done)
		ok = set(o, "net_done", json_true()) >= 0;
	if (ok && r->started)
		ok = set(o, "started", json_integer(r->started)) >= 0;
	if (ok && r->finished)
		ok = set(o, "finished", json_integer(r->finished)) >= 0;
	if (ok && r->netns_path)
		ok = set(o, "netns_path", json_string(r->netns_path)) >= 0;
	if (ok && r->image)
		ok = set(o, "image", json_string(r->image)) >= 0;
	if (ok && r->image_ref)
		ok = set(o, "image_ref", json_string(r->image_ref)) >= 0;
	if (ok && r->net.addresses)
		ok = set(o, "addresses", strv_to_json(r->net.addresses)) >= 0;
	if (ok && r->userns_base)
		ok = set(o, "userns",
			 json_pack("{s:I, s:I}", "base", (json_int_t)r->userns_base, "count",
				   (json_int_t)r->userns_count)) >= 0;
	ok = ok && set_doc(o, "capability_args", r->capability_args) >= 0;
	if (ok && r->has_caps)
		ok = set(o, "security", security_to_json(r)) >= 0;
	if (ok && r->cgroup)
		ok = set(o, "cgroup", cgroup_to_json(r->cgroup)) >= 0;
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int dump(json_t *o, char **ret, struct nr_error *err)
{
	char *text = o ? json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;

	json_decref(o);
	if (!text)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "cannot serialise the container record: out of memory");
	*ret = text;
	return 0;
}

int ctr_record_to_json_text(const struct ctr_record *rec, char **ret, struct nr_error *err)
{
	return dump(record_to_json(rec), ret, err);
}

/* "ADDR/LEN" of family (4 or 6) number nth into addr and len; false when none. */
static bool nth_address(char *const *v, bool v6, char *addr, size_t size, int *len)
{
	for (size_t i = 0; v && v[i]; i++) {
		if (!!strchr(v[i], ':') != v6)
			continue;
		snprintf(addr, size, "%s", v[i]);
		char *slash = strchr(addr, '/');
		*len = slash ? atoi(slash + 1) : (v6 ? 128 : 32);
		if (slash)
			*slash = '\0';
		return true;
	}
	return false;
}

static const char *first_of(char *const *v, bool v6)
{
	for (size_t i = 0; v && v[i]; i++)
		if (!!strchr(v[i], ':') == v6)
			return v[i];
	return "";
}

/* Docker's NetworkSettings.Networks.NAME for one attachment. */
static json_t *endpoint_settings(const struct ctr_record *r, const struct ctr_network *n)
{
	char v4[64] = "", v6[64] = "", short_id[13];
	int len4 = 0, len6 = 0;
	json_t *o, *dns_names = NULL;

	nth_address(n->addresses, false, v4, sizeof(v4), &len4);
	nth_address(n->addresses, true, v6, sizeof(v6), &len6);
	snprintf(short_id, sizeof(short_id), "%s", r->id);
	o = json_pack("{s:s, s:i, s:s, s:s, s:i, s:s, s:s, s:s, s:o}", "IPAddress", v4, "IPPrefixLen", len4, "Gateway",
		      first_of(n->gateways, false), "GlobalIPv6Address", v6, "GlobalIPv6PrefixLen", len6, "IPv6Gateway",
		      first_of(n->gateways, true), "MacAddress", n->mac_addr ? n->mac_addr : "", "InterfaceName",
		      n->ifname, "Aliases", n->aliases ? strv_to_json(n->aliases) : json_null());
	if (o && n->conflist) {
		struct cni_netconf *conf = NULL;
		struct netdef_meta m;
		if (cni_netconf_parse(n->conflist, strlen(n->conflist), "network", &conf, NULL) >= 0) {
			netdef_meta_get(conf, &m);
			json_object_set_new(o, "NetworkID", json_string(m.id));
			cni_netconf_free(conf);
		}
	}
	/* The names the network's DNS answers for it (Docker's DNSNames). */
	if (o && n->dns && (dns_names = json_pack("[s, s]", r->name, short_id))) {
		for (size_t i = 0; n->aliases && n->aliases[i]; i++)
			json_array_append_new(dns_names, json_string(n->aliases[i]));
		json_object_set_new(o, "DNSNames", dns_names);
	}
	if (o && (n->ip || n->ip6))
		json_object_set_new(o, "IPAMConfig",
				    json_pack("{s:s, s:s}", "IPv4Address", n->ip ? n->ip : "", "IPv6Address",
					      n->ip6 ? n->ip6 : ""));
	return o;
}

/* "NetworkSettings": {"Networks": {NAME: …}} as docker inspect shows it (a container on
 * another's namespace: none, as Docker). */
static json_t *network_settings(const struct ctr_record *r)
{
	json_t *nets = json_object();

	for (size_t k = 0; nets && k <= r->n_more; k++) {
		const struct ctr_network *n = k ? &r->more[k - 1] : &r->net;
		const char *name = n->mode == CTR_NET_NONE ? "none" : n->mode == CTR_NET_HOST ? "host" : n->name;
		if (n->mode == CTR_NET_CONTAINER || !name)
			continue;
		json_object_set_new(nets, name, endpoint_settings(r, n));
	}
	return nets ? json_pack("{s:o}", "Networks", nets) : NULL;
}

int ctr_record_inspect_text(const struct ctr_record *rec, const struct ctr_observed *obs, char **ret,
			    struct nr_error *err)
{
	json_t *o = record_to_json(rec);

	if (o) {
		json_object_set_new(o, "running", json_boolean(obs->running));
		if (obs->have_usage)
			json_object_set_new(o, "usage",
					    json_pack("{s:I, s:I, s:I}", "memory_bytes", (json_int_t)obs->memory_bytes,
						      "cpu_ns", (json_int_t)obs->cpu_ns, "pids",
						      (json_int_t)obs->pids));
		set_doc(o, "network_result", obs->network_result);
		set(o, "NetworkSettings", network_settings(rec));
		if (obs->check)
			json_object_set_new(o, "check", json_string(obs->check));
	}
	return dump(o, ret, err);
}

/* ---- reading ---- */

static char *doc_text(json_t *v)
{
	return v && !json_is_null(v) ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
}

static int strv_from_json(json_t *o, const char *key, const char *what, char ***ret, struct nr_error *err)
{
	json_t *a = NULL, *v;
	size_t i;
	int r;

	if ((r = jfield_array(o, key, what, &a, err)) < 0 || !a)
		return r;
	char **out = calloc(json_array_size(a) + 1, sizeof(*out));
	if (!out)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	json_array_foreach(a, i, v) {
		if (!json_is_string(v)) {
			rt_strv_free(out);
			return nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "%s: \"%s\" must hold strings", what, key);
		}
		if (!(out[i] = strdup(json_string_value(v)))) {
			rt_strv_free(out);
			return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
		}
	}
	*ret = out;
	return 0;
}

static int str_into(json_t *o, const char *key, const char *what, bool required, char *buf, size_t len,
		    struct nr_error *err)
{
	const char *s = NULL;
	int r = jfield_string(o, key, what, required, &s, err);

	if (r < 0 || !s)
		return r;
	if (strlen(s) >= len)
		return nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "%s: \"%s\" is too long", what, key);
	memcpy(buf, s, strlen(s) + 1);
	return 0;
}

static int str_dup(json_t *o, const char *key, const char *what, char **ret, struct nr_error *err)
{
	const char *s = NULL;
	int r = jfield_string(o, key, what, false, &s, err);

	if (r < 0 || !s)
		return r;
	if (!(*ret = strdup(s)))
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	return 0;
}

static int int_into(json_t *o, const char *key, const char *what, long long max, long long *ret, struct nr_error *err)
{
	return jfield_int(o, key, what, 0, max, ret, err);
}

/* An unknown mode is no layout (CGROUP_LAYOUT_NONE) and an unknown controller is
 * skipped: what a later netns-run adds must not make a record unreadable for teardown. */
static int cgroup_from_json(json_t *o, const char *what, struct cgroup_set **ret, struct nr_error *err)
{
	_cleanup_cgroup_set_ struct cgroup_set *cg = NULL;
	json_t *j = NULL, *paths = NULL;
	const char *mode = NULL;
	char w[300];
	int r;

	snprintf(w, sizeof(w), "%s: cgroup", what);
	if ((r = jfield_object(o, "cgroup", what, false, &j, err)) < 0 || !j ||
	    (r = jfield_string(j, "mode", w, false, &mode, err)) < 0 ||
	    (r = jfield_object(j, "paths", w, false, &paths, err)) < 0)
		return r;
	if (!(cg = cgroup_set_new(cgroup_layout_from_name(mode))))
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	for (size_t i = 0; paths && i < CGROUP_CTL_COUNT; i++) {
		const char *dir = NULL;
		if ((r = jfield_string(paths, cgroup_ctl_names[i], w, false, &dir, err)) < 0)
			return r;
		if (dir && *dir && cgroup_set_put(cg, (enum cgroup_ctl)i, dir) < 0)
			return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	}
	*ret = TAKE_PTR(cg);
	return 0;
}

/* One attachment's keys, from the object net (w names it in messages). */
static int attachment_from_json(json_t *net, const char *w, bool more, struct ctr_network *n, struct nr_error *err)
{
	const char *mode = NULL;
	bool b;
	int r;

	if ((r = jfield_string(net, "mode", w, true, &mode, err)) < 0)
		return r;
	if ((r = name_index(mode_names, CTR_NET_MODE_COUNT, mode)) < 0)
		return nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "%s: unknown network mode \"%s\"", w, mode);
	n->mode = (enum ctr_net_mode)r;
	if ((r = str_into(net, "ifname", w, false, n->ifname, sizeof(n->ifname), err)) < 0 ||
	    (r = str_into(net, "owner", w, false, n->owner, sizeof(n->owner), err)) < 0 ||
	    (r = str_dup(net, "name", w, &n->name, err)) < 0 || (r = str_dup(net, "ip", w, &n->ip, err)) < 0 ||
	    (r = str_dup(net, "ip6", w, &n->ip6, err)) < 0 || (r = str_dup(net, "mac", w, &n->mac, err)) < 0 ||
	    (r = str_dup(net, "mac_addr", w, &n->mac_addr, err)) < 0 ||
	    (r = strv_from_json(net, "aliases", w, &n->aliases, err)) < 0 ||
	    (r = strv_from_json(net, "gateways", w, &n->gateways, err)) < 0)
		return r;
	b = false;
	if ((r = jfield_bool(net, "dns", w, &b, err)) < 0)
		return r;
	n->dns = b;
	if (more) {
		b = false;
		if ((r = strv_from_json(net, "addresses", w, &n->addresses, err)) < 0 ||
		    (r = jfield_bool(net, "done", w, &b, err)) < 0)
			return r;
		n->done = b;
	}
	json_t *list = json_object_get(net, "conflist");
	if (list && !json_is_object(list))
		return nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "%s: \"conflist\" must be an object", w);
	if (list && !(n->conflist = doc_text(list)))
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	return 0;
}

static int network_from_json(json_t *o, const char *what, struct ctr_network *n, struct nr_error *err)
{
	json_t *net = NULL;
	char w[300];
	int r;

	snprintf(w, sizeof(w), "%s: network", what);
	if ((r = jfield_object(o, "network", what, true, &net, err)) < 0)
		return r;
	return attachment_from_json(net, w, false, n, err);
}

/* "networks": the further attachments; absent in records written before issue 17. */
static int networks_from_json(json_t *o, const char *what, struct ctr_record *rec, struct nr_error *err)
{
	json_t *a = NULL, *v;
	char w[300];
	size_t i;
	int r;

	if ((r = jfield_array(o, "networks", what, &a, err)) < 0 || !a)
		return r;
	json_array_foreach(a, i, v) {
		struct ctr_network *n;
		snprintf(w, sizeof(w), "%s: networks[%zu]", what, i);
		if (!json_is_object(v))
			return nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "%s must be an object", w);
		if (!(n = ctr_record_add_network(rec)))
			return nr_error_set(err, RT_ERR_CORRUPT, E2BIG, "%s: more than %d networks", what,
					    CTR_NETWORKS_MAX);
		if ((r = attachment_from_json(v, w, true, n, err)) < 0)
			return r;
		if (n->mode != CTR_NET_CNI || !n->name)
			return nr_error_set(err, RT_ERR_CORRUPT, EINVAL,
					    "%s: a further network must be a named cni one", w);
	}
	return 0;
}

static int security_from_json(json_t *o, const char *what, struct ctr_record *rec, struct nr_error *err)
{
	json_t *s = NULL, *caps = NULL, *v;
	const char *mode = "default";
	bool nnp = true;
	size_t i;
	int r;

	if ((r = jfield_object(o, "security", what, false, &s, err)) < 0 || !s)
		return r;
	if ((r = jfield_array(s, "caps", what, &caps, err)) < 0 ||
	    (r = jfield_bool(s, "privileged", what, &rec->privileged, err)) < 0 ||
	    (r = jfield_bool(s, "no_new_privileges", what, &nnp, err)) < 0 ||
	    (r = jfield_string(s, "seccomp", what, false, &mode, err)) < 0 ||
	    (r = str_dup(s, "seccomp_profile", what, &rec->seccomp_profile, err)) < 0)
		return r;
	json_array_foreach(caps, i, v) {
		int c = json_is_string(v) ? rt_cap_from_name(json_string_value(v)) : -1;
		if (c < 0)
			return nr_error_set(err, RT_ERR_CORRUPT, EINVAL,
					    "%s: \"security\": unknown capability in \"caps\"", what);
		rec->caps |= 1ULL << c;
	}
	rec->has_caps = true;
	rec->new_privileges = !nnp;
	rec->seccomp_unconfined = !strcmp(mode, "unconfined");
	if (strcmp(mode, "unconfined") && strcmp(mode, "default") && strcmp(mode, "profile"))
		return nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "%s: \"security\": unknown seccomp \"%s\"", what,
				    mode);
	if (!strcmp(mode, "profile") != !!rec->seccomp_profile)
		return nr_error_set(err, RT_ERR_CORRUPT, EINVAL,
				    "%s: \"security\": seccomp \"profile\" goes with seccomp_profile", what);
	return 0;
}

static int record_from_json(json_t *o, const char *what, struct ctr_record *rec, struct nr_error *err)
{
	const char *status = NULL;
	long long version = 1, v;
	bool b;
	json_t *u = NULL;
	int r;

	json_t *jv = json_object_get(o, "version");
	if (jv && !json_is_integer(jv))
		return nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "%s: \"version\" must be an integer", what);
	if (jv)
		version = json_integer_value(jv);
	if (version < 1)
		return nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "%s: version %lld is not a record version", what,
				    version);
	if (version > CTR_RECORD_VERSION)
		return nr_error_set(err, RT_ERR_CORRUPT, EPROTONOSUPPORT,
				    "%s: record version %lld is newer than this netns-run reads (%d): use the "
				    "netns-run that wrote it",
				    what, version, CTR_RECORD_VERSION);
	rec->version = (int)version;
	if ((r = str_into(o, "id", what, true, rec->id, sizeof(rec->id), err)) < 0 ||
	    (r = str_into(o, "name", what, true, rec->name, sizeof(rec->name), err)) < 0 ||
	    (r = jfield_string(o, "status", what, true, &status, err)) < 0)
		goto corrupt;
	if ((r = name_index(status_names, 3, status)) < 0)
		return nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "%s: unknown status \"%s\"", what, status);
	rec->status = (enum ctr_status)r;
#define INT_FIELD(key, dst, max)                                    \
	do {                                                        \
		v = 0;                                              \
		if ((r = int_into(o, key, what, max, &v, err)) < 0) \
			goto corrupt;                               \
		dst = v;                                            \
	} while (0)
	INT_FIELD("pid", rec->pid, 1 << 30);
	INT_FIELD("pid_start", rec->pid_start, 1LL << 62);
	INT_FIELD("monitor", rec->monitor, 1 << 30);
	INT_FIELD("monitor_start", rec->monitor_start, 1LL << 62);
	INT_FIELD("created", rec->created, 1LL << 62);
	INT_FIELD("started", rec->started, 1LL << 62);
	INT_FIELD("finished", rec->finished, 1LL << 62);
	if (json_object_get(o, "exit_code")) {
		INT_FIELD("exit_code", rec->exit_code, 255);
		rec->has_exit_code = true;
	}
	if (jfield_object(o, "userns", what, false, &u, err) < 0)
		goto corrupt;
#undef INT_FIELD
	if (u) {
		long long base = 0, count = 0;
		if ((r = int_into(u, "base", what, 4294967295LL, &base, err)) < 0 ||
		    (r = int_into(u, "count", what, 4294967295LL, &count, err)) < 0)
			goto corrupt;
		rec->userns_base = (unsigned long)base;
		rec->userns_count = (unsigned long)count;
	}
	b = false;
	if ((r = jfield_bool(o, "oom", what, &b, err)) < 0)
		goto corrupt;
	rec->oom = b;
	b = false;
	if ((r = jfield_bool(o, "rm", what, &b, err)) < 0)
		goto corrupt;
	rec->rm = b;
	b = false;
	if ((r = jfield_bool(o, "net_done", what, &b, err)) < 0)
		goto corrupt;
	rec->net.done = b;
	if ((r = str_dup(o, "hostname", what, &rec->hostname, err)) < 0 ||
	    (r = str_dup(o, "user", what, &rec->user, err)) < 0 ||
	    (r = str_dup(o, "netns_path", what, &rec->netns_path, err)) < 0 ||
	    (r = str_dup(o, "image", what, &rec->image, err)) < 0 ||
	    (r = str_dup(o, "image_ref", what, &rec->image_ref, err)) < 0 ||
	    (r = network_from_json(o, what, &rec->net, err)) < 0 || (r = networks_from_json(o, what, rec, err)) < 0 ||
	    (r = strv_from_json(o, "argv", what, &rec->argv, err)) < 0 ||
	    (r = strv_from_json(o, "env", what, &rec->env, err)) < 0 ||
	    (r = strv_from_json(o, "addresses", what, &rec->net.addresses, err)) < 0)
		goto corrupt;
	if (rec->user && !*rec->user) {
		free(rec->user);
		rec->user = NULL;
	}
	json_t *caps = json_object_get(o, "capability_args");
	if (caps && !json_is_object(caps))
		return nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "%s: \"capability_args\" must be an object", what);
	if (caps && !(rec->capability_args = doc_text(caps)))
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	if ((r = cgroup_from_json(o, what, &rec->cgroup, err)) < 0 || (r = security_from_json(o, what, rec, err)) < 0)
		goto corrupt;
	return 0;
corrupt:
	/* The field helpers speak CNI codes (decode / invalid config): a record is ours. */
	if (err && err->code != RT_ERR_NOMEM)
		err->code = RT_ERR_CORRUPT;
	return r;
}

int ctr_record_from_json_text(const char *buf, size_t len, const char *what, struct ctr_record **ret,
			      struct nr_error *err)
{
	_cleanup_json_ json_t *o = NULL;
	_cleanup_record_ struct ctr_record *rec = NULL;
	int r;

	if ((r = json_parse_object(buf, len, what, &o, err)) < 0) {
		if (err)
			err->code = RT_ERR_CORRUPT;
		return r;
	}
	if (!(rec = ctr_record_new()))
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	if ((r = record_from_json(o, what, rec, err)) < 0)
		return r;
	*ret = TAKE_PTR(rec);
	return 0;
}
