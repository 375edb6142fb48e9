/* Docker's shapes of a container (ctr_json.h). */
#include "ctr_json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdio.h"
#include "base/ipaddr.h"
#include "base/json_field.h"
#include "cni/cni_config.h"
#include "create_body.h"
#include "engine/net.h"
#include "engine/netdef.h"

json_t *ctr_json_config_load(const char *name)
{
	char path[600];

	rt_ctr_path(path, sizeof(path), name, CTR_CONFIG_FILE);
	json_t *v = json_load_file(path, 0, NULL);
	if (v && !json_is_object(v)) {
		json_decref(v);
		return NULL;
	}
	return v;
}

const char *ctr_json_state(const struct ctr_record *rec)
{
	if (rec->status == CTR_CREATED)
		return "created";
	if (rec->status == CTR_RUNNING && ctr_running(rec))
		return "running";
	return "exited";
}

void ctr_json_human_duration(long long s, char *buf, size_t len)
{
	long long m = s / 60, h = (s + 1800) / 3600;

	if (s < 1)
		snprintf(buf, len, "Less than a second");
	else if (s == 1)
		snprintf(buf, len, "1 second");
	else if (s < 60)
		snprintf(buf, len, "%lld seconds", s);
	else if (m == 1)
		snprintf(buf, len, "About a minute");
	else if (m < 60)
		snprintf(buf, len, "%lld minutes", m);
	else if (h == 1)
		snprintf(buf, len, "About an hour");
	else if (h < 48)
		snprintf(buf, len, "%lld hours", h);
	else if (h < 24 * 7 * 2)
		snprintf(buf, len, "%lld days", h / 24);
	else if (h < 24 * 30 * 2)
		snprintf(buf, len, "%lld weeks", h / 24 / 7);
	else if (h < 24 * 365 * 2)
		snprintf(buf, len, "%lld months", h / 24 / 30);
	else
		snprintf(buf, len, "%lld years", s / 3600 / 24 / 365);
}

void ctr_json_status(const struct ctr_record *rec, char *buf, size_t len)
{
	const char *state = ctr_json_state(rec);
	long long now = time(NULL);
	char d[64];

	if (!strcmp(state, "created")) {
		snprintf(buf, len, "Created");
	} else if (!strcmp(state, "running")) {
		ctr_json_human_duration(now - rec->started, d, sizeof(d));
		snprintf(buf, len, "Up %s", d);
	} else {
		ctr_json_human_duration(now - (rec->finished ? rec->finished : now), d, sizeof(d));
		snprintf(buf, len, "Exited (%d) %s ago", rec->has_exit_code ? rec->exit_code : 255, d);
	}
}

void ctr_json_time(long long t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || !gmtime_r(&tt, &tm)) {
		snprintf(buf, len, "0001-01-01T00:00:00Z");
		return;
	}
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void ctr_json_network_mode(const struct ctr_record *rec, char *buf, size_t len)
{
	net_mode_of(rec->net.mode)->describe(&rec->net, buf, len);
}

/* The record's portMappings (the capability args ADD was given); NULL when none. */
static json_t *port_mappings(const struct ctr_record *rec)
{
	json_t *caps = rec->capability_args ? json_loads(rec->capability_args, 0, NULL) : NULL;
	json_t *m = json_incref(json_object_get(caps, "portMappings"));

	json_decref(caps);
	if (m && !json_is_array(m)) {
		json_decref(m);
		return NULL;
	}
	return m;
}

json_t *ctr_json_ports_list(const struct ctr_record *rec, bool running)
{
	_cleanup_json_ json_t *maps = running ? port_mappings(rec) : NULL;
	json_t *out = json_array(), *m;
	size_t i;

	json_array_foreach(maps, i, m) {
		const char *ip = json_string_value(json_object_get(m, "hostIP"));
		const char *proto = json_string_value(json_object_get(m, "protocol"));
		json_array_append_new(out,
				      json_pack("{s:s, s:I, s:I, s:s}", "IP", ip && *ip ? ip : "0.0.0.0", "PrivatePort",
						json_integer_value(json_object_get(m, "containerPort")), "PublicPort",
						json_integer_value(json_object_get(m, "hostPort")), "Type",
						proto ? proto : "tcp"));
	}
	return out;
}

json_t *ctr_json_ports_map(const struct ctr_record *rec, json_t *config, bool running)
{
	_cleanup_json_ json_t *maps = running ? port_mappings(rec) : NULL;
	json_t *out = json_object(), *m, *v;
	const char *key;
	char k[32], port[16];
	size_t i;

	if (!running)
		return out;
	json_object_foreach(json_get_go(config, "ExposedPorts"), key, v) {
		snprintf(k, sizeof(k), "%s%s", key, strchr(key, '/') ? "" : "/tcp");
		json_object_set_new(out, k, json_null());
	}
	json_array_foreach(maps, i, m) {
		const char *ip = json_string_value(json_object_get(m, "hostIP"));
		const char *proto = json_string_value(json_object_get(m, "protocol"));
		snprintf(k, sizeof(k), "%lld/%s", (long long)json_integer_value(json_object_get(m, "containerPort")),
			 proto ? proto : "tcp");
		snprintf(port, sizeof(port), "%lld", (long long)json_integer_value(json_object_get(m, "hostPort")));
		json_t *list = json_object_get(out, k);
		if (!json_is_array(list)) {
			list = json_array();
			json_object_set_new(out, k, list);
		}
		json_array_append_new(list,
				      json_pack("{s:s, s:s}", "HostIp", ip && *ip ? ip : "0.0.0.0", "HostPort", port));
	}
	return out;
}

static json_t *strv_json(char *const *v)
{
	json_t *a = json_array();

	for (size_t i = 0; v && v[i]; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

/* The network's id: its metadata's, or Docker-like sha256 of its name (netdef_meta_get);
 * "" for a plan without a network (ok: the plan was made).  Clears p. */
static void plan_network_id(struct net_plan *p, bool ok, char id[65])
{
	struct netdef_meta m;

	id[0] = '\0';
	if (ok && p->conf) {
		netdef_meta_get(p->conf, &m);
		snprintf(id, 65, "%s", m.id);
	}
	net_plan_clear(p);
}

static void network_id(const struct ctr_network *n, char id[65])
{
	struct net_plan p;

	plan_network_id(&p, net_plan_from_network(n, &p, NULL) >= 0, id);
}

static json_t *endpoint(const struct ctr_record *rec, const struct ctr_network *n)
{
	char ip4[64] = "", ip6[64] = "", gw4[64] = "", gw6[64] = "", nid[65];
	int len4 = 0, len6 = 0;
	struct ip_prefix pfx;
	struct ip_addr a;

	for (size_t i = 0; n->addresses && n->addresses[i]; i++) {
		if (ip_prefix_parse(n->addresses[i], &pfx) < 0)
			continue;
		char *ip = pfx.addr.family == AF_INET ? ip4 : ip6;
		if (*ip)
			continue;
		snprintf(ip, 64, "%.*s", (int)strcspn(n->addresses[i], "/"), n->addresses[i]);
		*(pfx.addr.family == AF_INET ? &len4 : &len6) = pfx.len;
	}
	for (size_t i = 0; n->gateways && n->gateways[i]; i++) {
		if (ip_addr_parse(n->gateways[i], &a) < 0)
			continue;
		char *gw = a.family == AF_INET ? gw4 : gw6;
		if (!*gw)
			snprintf(gw, 64, "%s", n->gateways[i]);
	}
	network_id(n, nid);
	json_t *aliases = n->aliases ? strv_json(n->aliases) : json_null();
	json_t *dns = json_null();
	if (n->dns) {
		char shortid[13];
		snprintf(shortid, sizeof(shortid), "%s", rec->id);
		dns = json_pack("[s, s]", rec->name, shortid);
		for (size_t i = 0; n->aliases && n->aliases[i]; i++)
			json_array_append_new(dns, json_string(n->aliases[i]));
	}
	json_t *ipam = json_null();
	if (n->ip || n->ip6)
		ipam = json_pack("{s:s, s:s}", "IPv4Address", n->ip ? n->ip : "", "IPv6Address", n->ip6 ? n->ip6 : "");
	return json_pack("{s:o, s:n, s:o, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:i, s:s, s:n, s:o}", "IPAMConfig",
			 ipam, "Links", "Aliases", aliases, "MacAddress", n->mac_addr ? n->mac_addr : "", "NetworkID",
			 nid, "EndpointID", *ip4 || *ip6 ? rec->id : "", "Gateway", gw4, "IPAddress", ip4,
			 "IPPrefixLen", len4, "IPv6Gateway", gw6, "GlobalIPv6Address", ip6, "GlobalIPv6PrefixLen", len6,
			 "NetworkName", n->name ? n->name : "", "DriverOpts", "DNSNames", dns);
}

const char *ctr_json_body_network_mode(json_t *body)
{
	const char *m = json_string_value(json_object_get(json_object_get(body, "HostConfig"), "NetworkMode"));

	return !m || !*m || !strcmp(m, "default") ? "bridge" : m;
}

/* Docker's cleanOperationalData: a container that is not running keeps its endpoints'
 * configuration, not the addresses its last run had. */
static void endpoint_clear_operational(json_t *e)
{
	static const char *const strings[] = { "EndpointID",  "Gateway",           "IPAddress",
					       "IPv6Gateway", "GlobalIPv6Address", "MacAddress" };

	for (size_t i = 0; i < sizeof(strings) / sizeof(*strings); i++)
		json_object_set_new(e, strings[i], json_string(""));
	json_object_set_new(e, "IPPrefixLen", json_integer(0));
	json_object_set_new(e, "GlobalIPv6PrefixLen", json_integer(0));
}

/* The record's networks: what the container runs with, or ran with last. */
static json_t *networks_of_record(const struct ctr_record *rec, bool running)
{
	json_t *out = json_object();
	char mode[RT_NAME_MAX + 16];

	ctr_json_network_mode(rec, mode, sizeof(mode));
	/* container:NAME shares another's namespace: Docker lists no network for it. */
	if (rec->net.mode != CTR_NET_CONTAINER) {
		json_t *e = endpoint(rec, &rec->net);
		json_object_del(e, "NetworkName");
		json_object_set_new(out, mode, e);
	}
	for (size_t i = 0; i < rec->n_more; i++) {
		json_t *e = endpoint(rec, &rec->more[i]);
		json_object_del(e, "NetworkName");
		json_object_set_new(out, rec->more[i].name ? rec->more[i].name : rec->more[i].ifname, e);
	}
	if (!running) {
		const char *k;
		json_t *e;
		json_object_foreach(out, k, e)
			endpoint_clear_operational(e);
	}
	return out;
}

/* An endpoint only the body has (connected while the container was stopped): its
 * configuration and its network's id. */
static json_t *endpoint_of_body(const char *net, json_t *config)
{
	json_t *ipam = json_get_go(config, "IPAMConfig"), *aliases = json_get_go(config, "Aliases");
	struct net_plan p;
	char id[65];

	plan_network_id(&p, net_plan_make(net, &p, NULL) >= 0, id);
	json_t *e = json_pack("{s:O, s:n, s:O, s:s, s:s, s:n, s:n}", "IPAMConfig",
			      json_is_object(ipam) ? ipam : json_null(), "Links", "Aliases",
			      json_is_array(aliases) ? aliases : json_null(), "MacAddress", "", "NetworkID", id,
			      "DriverOpts", "DNSNames");
	if (e)
		endpoint_clear_operational(e);
	return e;
}

/* A stopped container's networks are those its next start joins (ctr_body_net.h): the
 * body's NetworkMode, then the rest of its EndpointsConfig. */
static json_t *networks_of_body(const struct ctr_record *rec, json_t *body)
{
	_cleanup_json_ json_t *have = networks_of_record(rec, false);
	json_t *eps = json_get_go(json_get_go(body, "NetworkingConfig"), "EndpointsConfig");
	const char *mode = ctr_json_body_network_mode(body), *k;
	json_t *out = json_object(), *ec, *e;
	bool bridge = !strcmp(mode, "bridge");

	if (!out || !have || !strncmp(mode, "container:", 10))
		return out;
	if ((e = json_object_get(have, mode)))
		json_object_set(out, mode, e);
	else if (!(ec = json_object_get(eps, mode)) && bridge)
		json_object_set_new(out, mode, endpoint_of_body(mode, json_object_get(eps, "default")));
	else
		json_object_set_new(out, mode, endpoint_of_body(mode, ec));
	json_object_foreach(eps, k, ec) {
		if (strcmp(k, mode) && (strcmp(k, "default") || !bridge))
			json_object_set_new(out, k,
					    (e = json_object_get(have, k)) ? json_incref(e) : endpoint_of_body(k, ec));
	}
	return out;
}

json_t *ctr_json_networks(const struct ctr_record *rec, json_t *config, bool running)
{
	return running || !config ? networks_of_record(rec, running) : networks_of_body(rec, config);
}

json_t *ctr_json_mounts(json_t *config)
{
	json_t *hc = json_get_go(config, "HostConfig"), *b;
	json_t *out = json_array();
	size_t i;

	json_array_foreach(json_get_go(hc, "Binds"), i, b) {
		const char *s = json_string_value(b);
		if (!s)
			continue;
		_cleanup_free_ char *copy = strdup(s);
		char *c1 = copy ? strchr(copy, ':') : NULL, *c2;
		if (!c1)
			continue;
		*c1 = '\0';
		c2 = strchr(c1 + 1, ':');
		if (c2)
			*c2 = '\0';
		bool ro = c2 && !strcmp(c2 + 1, "ro");
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s, s:b, s:s}", "Type", "bind", "Source", copy,
						     "Destination", c1 + 1, "Mode", c2 ? c2 + 1 : "", "RW", !ro,
						     "Propagation", "rprivate"));
	}
	return out;
}

json_t *ctr_json_labels(json_t *config)
{
	json_t *l = json_get_go(config, "Labels");

	return json_is_object(l) ? json_deep_copy(l) : json_object();
}
