/* POST /containers/create's body to a run's options (create_body.h).  Keys are looked up
 * as Go's encoding/json finds them (json_get_go: any case; null is absent), unknown keys
 * are ignored as Docker ignores them, and a known key of the wrong type is a 400 naming
 * it.  The values go through the checks `netns-run run` uses (engine/net_opts.h,
 * ports.h, volume_spec.h, security.h, image_run.h), so both front ends accept the same. */
#include "create_body.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_field.h"
#include "engine/container.h"
#include "engine/image_run.h"
#include "engine/net.h"
#include "engine/net_opts.h"
#include "engine/ports.h"
#include "engine/rt_error.h"
#include "engine/security.h"
#include "engine/volume_spec.h"
#include "image/ref.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

/* Docker answers a mistyped field with Go's decoder's words; ours name the field the same way. */
static int bad_type(const char *field, const char *want, const json_t *v, struct nr_error *err)
{
	return nr_error_set(err, RT_ERR_USAGE, EINVAL, "json: cannot unmarshal %s into field %s: expected %s",
			    type_name(v), field, want);
}

static int bad_value(struct nr_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad_value(struct nr_error *err, const char *fmt, ...)
{
	char msg[NR_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return nr_error_set(err, RT_ERR_USAGE, EINVAL, "%s", msg);
}

/* An owned string the options point to (freed with cb). */
static char *keep(struct create_body *cb, char *s, struct nr_error *err)
{
	if (!s) {
		nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
		return NULL;
	}
	if (cb->n_strings == ARRAY_LEN(cb->strings)) {
		free(s);
		nr_error_set(err, RT_ERR_USAGE, E2BIG, "the create body holds too many values");
		return NULL;
	}
	return cb->strings[cb->n_strings++] = s;
}

/* The getters leave *ret alone when the member is absent or null (Go's decoder does). */
static int get_str(json_t *obj, const char *key, const char *field, const char **ret, struct nr_error *err)
{
	json_t *v = obj ? json_get_go(obj, key) : NULL;

	if (!v)
		return 0;
	if (!json_is_string(v))
		return bad_type(field, "a string", v, err);
	*ret = json_string_value(v);
	return 0;
}

static int get_bool(json_t *obj, const char *key, const char *field, bool *ret, struct nr_error *err)
{
	json_t *v = obj ? json_get_go(obj, key) : NULL;

	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return bad_type(field, "a boolean", v, err);
	*ret = json_is_true(v);
	return 0;
}

static int get_int(json_t *obj, const char *key, const char *field, long long *ret, struct nr_error *err)
{
	json_t *v = obj ? json_get_go(obj, key) : NULL;

	if (!v)
		return 0;
	if (!json_is_integer(v))
		return bad_type(field, "an integer", v, err);
	*ret = json_integer_value(v);
	return 0;
}

static int get_obj(json_t *obj, const char *key, const char *field, json_t **ret, struct nr_error *err)
{
	json_t *v = obj ? json_get_go(obj, key) : NULL;

	if (!v)
		return 0;
	if (!json_is_object(v))
		return bad_type(field, "an object", v, err);
	*ret = v;
	return 0;
}

/* An array of strings. */
static int get_strv(json_t *obj, const char *key, const char *field, json_t **ret, struct nr_error *err)
{
	json_t *v = obj ? json_get_go(obj, key) : NULL, *e;
	size_t i;

	if (!v)
		return 0;
	if (!json_is_array(v))
		return bad_type(field, "an array of strings", v, err);
	json_array_foreach(v, i, e)
		if (!json_is_string(e))
			return bad_type(field, "an array of strings", e, err);
	*ret = v;
	return 0;
}

/* Docker's StrSlice (Cmd, Entrypoint): a string or an array of strings, as an array. */
static int get_strslice(json_t *obj, const char *key, const char *field, json_t **ret, struct nr_error *err)
{
	json_t *v = obj ? json_get_go(obj, key) : NULL, *e;
	size_t i;

	if (!v)
		return 0;
	if (json_is_string(v)) {
		/* Normalised in the body kept: inspect shows an array, as Docker does. */
		json_t *a = json_pack("[O]", v);
		if (!a || json_object_set_new(obj, key, a) < 0)
			return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
		*ret = a;
		return 0;
	}
	if (!json_is_array(v))
		return bad_type(field, "a string or an array of strings", v, err);
	json_array_foreach(v, i, e)
		if (!json_is_string(e))
			return bad_type(field, "a string or an array of strings", e, err);
	*ret = v;
	return 0;
}

/* Docker's name rules (a leading '/' is Docker's own spelling of a name). */
static int set_name(struct create_body *cb, const char *name, struct nr_error *err)
{
	if (!name || !*name)
		return 0;
	if (*name == '/')
		name++;
	if (!rt_name_valid(name))
		return bad_value(err, "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", name);
	snprintf(cb->o.name, sizeof(cb->o.name), "%s", name);
	return 0;
}

static int parse_env(struct create_body *cb, json_t *cfg, struct nr_error *err)
{
	json_t *env = NULL, *e;
	size_t i;
	int r;

	if ((r = get_strv(cfg, "Env", "Env", &env, err)) < 0)
		return r;
	json_array_foreach(env, i, e) {
		const char *s = json_string_value(e);
		/* "K" alone: the client had no value for it (the docker CLI drops those). */
		if (!strchr(s, '='))
			continue;
		if (*s == '=')
			return bad_value(err, "invalid environment variable: %s", s);
		if (cb->o.n_env == ARRAY_LEN(cb->o.env))
			return nr_error_set(err, RT_ERR_USAGE, E2BIG, "Env: at most %zu variables",
					    ARRAY_LEN(cb->o.env));
		cb->o.env[cb->o.n_env++] = s;
	}
	return 0;
}

/* Cmd and Entrypoint into the command image_run_apply builds: Entrypoint's first word is
 * run's --entrypoint, its other words go before Cmd. */
static int parse_command(struct create_body *cb, json_t *cfg, char ***ret_command, struct nr_error *err)
{
	json_t *cmd = NULL, *ep = NULL;
	size_t n = 0, k = 0;
	char **v;
	int r;

	if ((r = get_strslice(cfg, "Cmd", "Cmd", &cmd, err)) < 0 ||
	    (r = get_strslice(cfg, "Entrypoint", "Entrypoint", &ep, err)) < 0)
		return r;
	/* [] is "not given" and [""] is "none", as Docker reads them. */
	if (ep && json_array_size(ep) > 0)
		cb->o.entrypoint = json_string_value(json_array_get(ep, 0));
	n = (ep && json_array_size(ep) > 1 ? json_array_size(ep) - 1 : 0) + (cmd ? json_array_size(cmd) : 0);
	v = calloc(n + 1, sizeof(*v));
	if (!keep(cb, (char *)v, err))
		return -ENOMEM;
	for (size_t i = 1; ep && i < json_array_size(ep); i++)
		v[k++] = (char *)json_string_value(json_array_get(ep, i));
	for (size_t i = 0; cmd && i < json_array_size(cmd); i++)
		v[k++] = (char *)json_string_value(json_array_get(cmd, i));
	if (cb->o.entrypoint && !*cb->o.entrypoint && k)
		return bad_value(err, "Entrypoint: the empty entrypoint (\"\") takes no further words");
	*ret_command = v;
	return 0;
}

/* "80/tcp", "80", "53/udp": a port and a protocol. */
static int port_key(const char *key, long *ret_port, const char **ret_proto)
{
	char *end;
	long p;

	errno = 0;
	p = strtol(key, &end, 10);
	if (errno || end == key || p < 1 || p > 65535)
		return -EINVAL;
	if (!*end) {
		*ret_proto = "tcp";
	} else if (*end == '/' && (!strcmp(end + 1, "tcp") || !strcmp(end + 1, "udp") || !strcmp(end + 1, "sctp"))) {
		*ret_proto = end + 1;
	} else {
		return -EINVAL;
	}
	*ret_port = p;
	return 0;
}

static int parse_exposed(json_t *cfg, struct nr_error *err)
{
	json_t *ports = NULL, *v;
	const char *key, *proto;
	long port;
	int r;

	if ((r = get_obj(cfg, "ExposedPorts", "ExposedPorts", &ports, err)) < 0)
		return r;
	json_object_foreach(ports, key, v)
		if (port_key(key, &port, &proto) < 0)
			return bad_value(err, "ExposedPorts: invalid port \"%s\" (expected PORT[/tcp|udp|sctp])", key);
	return 0;
}

/* One binding {"HostIp": "", "HostPort": "8080"} of container port key into arr; an empty
 * HostPort is a free port of the host's (image_publish_all's way). */
static int port_binding(const char *key, json_t *b, json_t *arr, struct nr_error *err)
{
	const char *ip = "", *hport = "", *proto;
	char spec[160];
	long port;
	int r;

	if (!json_is_object(b))
		return bad_type("HostConfig.PortBindings", "an array of {HostIp, HostPort} objects", b, err);
	if ((r = get_str(b, "HostIp", "HostConfig.PortBindings.HostIp", &ip, err)) < 0 ||
	    (r = get_str(b, "HostPort", "HostConfig.PortBindings.HostPort", &hport, err)) < 0)
		return r;
	if (port_key(key, &port, &proto) < 0)
		return bad_value(err, "HostConfig.PortBindings: invalid port \"%s\" (expected PORT[/tcp|udp|sctp])",
				 key);
	if (!*hport) {
		/* A free host port, on every address (Docker's HostIp then is a filter we
		 * cannot keep; refuse rather than publish wider than asked). */
		_cleanup_free_ char *caps = NULL;
		char *exposed[] = { (char *)key, NULL };
		_cleanup_json_ json_t *doc = NULL;
		if (*ip && strcmp(ip, "0.0.0.0") && strcmp(ip, "::"))
			return bad_value(err, "HostConfig.PortBindings %s: a HostIp needs a HostPort here", key);
		if ((r = image_publish_all(exposed, &caps, err)) < 0)
			return r;
		doc = json_loads(caps, 0, NULL);
		if (!doc || json_array_extend(arr, json_object_get(doc, "portMappings")) < 0)
			return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
		return 0;
	}
	if (strchr(ip, ':'))
		snprintf(spec, sizeof(spec), "[%s]:%s:%ld/%s", ip, hport, port, proto);
	else if (*ip)
		snprintf(spec, sizeof(spec), "%s:%s:%ld/%s", ip, hport, port, proto);
	else
		snprintf(spec, sizeof(spec), "%s:%ld/%s", hport, port, proto);
	if ((r = parse_port_spec(spec, arr, err)) < 0)
		return nr_error_wrap(err, r, "HostConfig.PortBindings %s", key);
	return 0;
}

static int parse_ports(struct create_body *cb, json_t *hc, struct nr_error *err)
{
	json_t *pb = NULL, *list, *b;
	_cleanup_json_ json_t *arr = json_array();
	const char *key;
	size_t i;
	int r;

	if (!arr)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	if ((r = get_obj(hc, "PortBindings", "HostConfig.PortBindings", &pb, err)) < 0)
		return r;
	json_object_foreach(pb, key, list) {
		if (json_is_null(list))
			continue;
		if (!json_is_array(list))
			return bad_type("HostConfig.PortBindings", "an array of {HostIp, HostPort} objects", list, err);
		json_array_foreach(list, i, b)
			if ((r = port_binding(key, b, arr, err)) < 0)
				return r;
	}
	if (!json_array_size(arr))
		return 0;
	_cleanup_json_ json_t *caps = json_pack("{s:O}", "portMappings", arr);
	if (!caps || !(cb->o.caps = json_dumps(caps, JSON_COMPACT)))
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	return 0;
}

static int parse_binds(struct create_body *cb, json_t *hc, struct nr_error *err)
{
	json_t *binds = NULL, *e;
	size_t i;
	int r;

	if ((r = get_strv(hc, "Binds", "HostConfig.Binds", &binds, err)) < 0)
		return r;
	json_array_foreach(binds, i, e) {
		char *spec;
		if (cb->o.n_vols == ARRAY_LEN(cb->o.vols))
			return nr_error_set(err, RT_ERR_USAGE, E2BIG, "HostConfig.Binds: at most %zu",
					    ARRAY_LEN(cb->o.vols));
		if (!(spec = keep(cb, strdup(json_string_value(e)), err)))
			return -ENOMEM;
		if ((r = volume_spec_parse(spec, &cb->o.vols[cb->o.n_vols], err)) < 0)
			return nr_error_wrap(err, r, "HostConfig.Binds \"%s\" (named volumes are not supported)",
					     json_string_value(e));
		cb->o.n_vols++;
	}
	return 0;
}

static int parse_caps(struct create_body *cb, json_t *hc, const char *key, const char *field, uint64_t *mask,
		      struct nr_error *err)
{
	json_t *caps = NULL, *e;
	size_t i;
	int r;

	if ((r = get_strv(hc, key, field, &caps, err)) < 0)
		return r;
	json_array_foreach(caps, i, e)
		if ((r = rt_cap_add_to(mask, field, json_string_value(e), err)) < 0)
			return r;
	return 0;
}

/* SecurityOpt as the docker CLI sends it: seccomp=unconfined, seccomp=<the profile's JSON
 * text> (the CLI reads the file), no-new-privileges[=|:true|false]; label= and apparmor=
 * are accepted and mean nothing here (no SELinux, no AppArmor profiles). */
static int parse_security_opt(struct create_body *cb, const char *opt, struct nr_error *err)
{
	struct security_opts *s = &cb->o.sec;
	size_t k = strcspn(opt, "=:");
	const char *v = opt[k] ? opt + k + 1 : NULL;

	if (k == 7 && !strncmp(opt, "seccomp", 7) && v && *v) {
		free(s->seccomp_profile);
		s->seccomp_profile = NULL;
		s->seccomp_unconfined = !strcmp(v, "unconfined");
		if (s->seccomp_unconfined)
			return 0;
		if (*v != '{')
			return bad_value(err,
					 "HostConfig.SecurityOpt seccomp=%.64s: expected unconfined or a profile's JSON text",
					 v);
		if (!(s->seccomp_profile = strdup(v)))
			return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
		s->seccomp_file = "(from SecurityOpt)";
		return 0;
	}
	if (k == 17 && !strncmp(opt, "no-new-privileges", 17) && (!v || !strcmp(v, "true") || !strcmp(v, "false"))) {
		s->new_privileges = v && !strcmp(v, "false");
		return 0;
	}
	if ((k == 5 && !strncmp(opt, "label", 5)) || (k == 8 && !strncmp(opt, "apparmor", 8)))
		return 0;
	return bad_value(err,
			 "HostConfig.SecurityOpt \"%.64s\": expected seccomp=unconfined, seccomp=PROFILE or "
			 "no-new-privileges[=true|false]",
			 opt);
}

static int parse_limits(struct create_body *cb, json_t *hc, struct nr_error *err)
{
	long long mem = 0, nano = 0, pids = 0;
	int r;

	if ((r = get_int(hc, "Memory", "HostConfig.Memory", &mem, err)) < 0 ||
	    (r = get_int(hc, "NanoCpus", "HostConfig.NanoCpus", &nano, err)) < 0 ||
	    (r = get_int(hc, "PidsLimit", "HostConfig.PidsLimit", &pids, err)) < 0)
		return r;
	if (mem < 0)
		return bad_value(err, "HostConfig.Memory %lld: expected a number of bytes", mem);
	if (mem > 0 && mem < (6 << 20))
		return bad_value(err, "Minimum memory limit allowed is 6MB");
	cb->o.memory = mem;
	if (nano < 0 || (nano > 0 && (nano < 10000000 || nano > 1024000000000LL)))
		return bad_value(err, "Range of CPUs is from 0.01 to 1024.00 (HostConfig.NanoCpus %lld)", nano);
	cb->o.cpus = (double)nano / 1e9;
	/* 0 and -1 are Docker's "unlimited". */
	if (pids == 1)
		return bad_value(err, "HostConfig.PidsLimit 1: a container needs at least 2 tasks (its init and the "
				      "command)");
	cb->o.pids = pids > 0 ? pids : 0;
	return 0;
}

static int parse_security(struct create_body *cb, json_t *hc, struct nr_error *err)
{
	json_t *opts = NULL, *e;
	size_t i;
	int r;

	if ((r = get_bool(hc, "Privileged", "HostConfig.Privileged", &cb->o.privileged, err)) < 0 ||
	    (r = get_bool(hc, "ReadonlyRootfs", "HostConfig.ReadonlyRootfs", &cb->o.read_only, err)) < 0 ||
	    (r = parse_caps(cb, hc, "CapAdd", "HostConfig.CapAdd", &cb->o.sec.cap_add, err)) < 0 ||
	    (r = parse_caps(cb, hc, "CapDrop", "HostConfig.CapDrop", &cb->o.sec.cap_drop, err)) < 0 ||
	    (r = get_strv(hc, "SecurityOpt", "HostConfig.SecurityOpt", &opts, err)) < 0)
		return r;
	json_array_foreach(opts, i, e)
		if ((r = parse_security_opt(cb, json_string_value(e), err)) < 0)
			return r;
	return 0;
}

/* One EndpointsConfig entry's Aliases, IPAMConfig and MacAddress onto e. */
static int parse_endpoint(const char *net, json_t *ec, struct net_endpoint_opts *e, struct nr_error *err)
{
	const char *ip = NULL, *ip6 = NULL, *mac = NULL;
	json_t *aliases = NULL, *ipam = NULL, *a;
	char field[160];
	size_t i;
	int r;

	snprintf(field, sizeof(field), "NetworkingConfig.EndpointsConfig.%s", net);
	if (json_is_null(ec))
		return 0;
	if (!json_is_object(ec))
		return bad_type(field, "an object", ec, err);
	if ((r = get_strv(ec, "Aliases", "EndpointsConfig.Aliases", &aliases, err)) < 0 ||
	    (r = get_obj(ec, "IPAMConfig", "EndpointsConfig.IPAMConfig", &ipam, err)) < 0 ||
	    (r = get_str(ipam, "IPv4Address", "IPAMConfig.IPv4Address", &ip, err)) < 0 ||
	    (r = get_str(ipam, "IPv6Address", "IPAMConfig.IPv6Address", &ip6, err)) < 0 ||
	    (r = get_str(ec, "MacAddress", "EndpointsConfig.MacAddress", &mac, err)) < 0)
		return r;
	json_array_foreach(aliases, i, a)
		if ((r = net_opts_add_alias(e, field, json_string_value(a), err)) < 0)
			return r;
	if ((ip && *ip && (r = net_opts_set_ip(e, "IPAMConfig.IPv4Address", ip, err)) < 0) ||
	    (ip6 && *ip6 && (r = net_opts_set_ip6(e, "IPAMConfig.IPv6Address", ip6, err)) < 0) ||
	    (mac && *mac && (r = net_opts_set_mac(e, "EndpointsConfig.MacAddress", mac, err)) < 0))
		return r;
	return 0;
}

/* NetworkMode ("default" is "bridge"; container:REF resolved to the container's name)
 * and NetworkingConfig.EndpointsConfig: the mode's entry (or "default"'s) configures the
 * first network, any other entry is a further network, as `run --network` repeated. */
static int parse_networks(struct create_body *cb, json_t *hc, json_t *body, struct nr_error *err)
{
	struct run_opts *o = &cb->o;
	const char *mode = NULL, *key;
	json_t *nc = NULL, *eps = NULL, *ec;
	struct net_endpoint_opts none = { 0 };
	int r;

	if ((r = get_str(hc, "NetworkMode", "HostConfig.NetworkMode", &mode, err)) < 0 ||
	    (r = get_obj(body, "NetworkingConfig", "NetworkingConfig", &nc, err)) < 0 ||
	    (r = get_obj(nc, "EndpointsConfig", "NetworkingConfig.EndpointsConfig", &eps, err)) < 0)
		return r;
	if (!mode || !*mode || !strcmp(mode, "default"))
		mode = "bridge";
	if (!strncmp(mode, "container:", 10)) {
		char owner[RT_NAME_MAX], *spec;
		if ((r = ctr_store_resolve(mode + 10, owner, err)) < 0)
			return r;
		if (asprintf(&spec, "container:%s", owner) < 0)
			spec = NULL;
		if (!(mode = keep(cb, spec, err)))
			return -ENOMEM;
	} else if (strchr(mode, ':') || strchr(mode, '/')) {
		return bad_value(err,
				 "HostConfig.NetworkMode %s: expected bridge, host, none, container:NAME or a "
				 "network's name",
				 mode);
	}
	o->nets[0].network = mode;
	o->n_nets = 1;
	json_object_foreach(eps, key, ec) {
		bool first = !strcmp(key, mode) || (!strcmp(key, "default") && !strcmp(mode, "bridge"));
		struct net_endpoint_opts *e = first ? &o->nets[0] : &o->nets[o->n_nets];
		if (!first) {
			if (o->n_nets == ARRAY_LEN(o->nets))
				return nr_error_set(err, RT_ERR_USAGE, E2BIG, "at most %zu networks",
						    ARRAY_LEN(o->nets));
			if (!*key || strchr(key, '/'))
				return bad_value(err, "NetworkingConfig.EndpointsConfig: \"%s\" is not a network", key);
			memset(e, 0, sizeof(*e));
			e->network = key;
			o->n_nets++;
		}
		if ((r = parse_endpoint(key, ec, e, err)) < 0)
			return r;
	}
	if ((r = net_opts_finish_run(o->nets, o->n_nets, &none, err)) < 0)
		return r;
	o->net = o->nets[0].network;
	return 0;
}

/* LogConfig: Docker's json-file driver is what the monitor writes (engine/log_json.h);
 * its max-size and max-file options cap it as --log-opt does for run. */
static int parse_log_config(struct create_body *cb, json_t *hc, struct nr_error *err)
{
	const char *type = NULL, *size = NULL, *files = NULL;
	json_t *lc = NULL, *opts = NULL;
	long long v;
	char *end;
	int r;

	if ((r = get_obj(hc, "LogConfig", "HostConfig.LogConfig", &lc, err)) < 0 ||
	    (r = get_str(lc, "Type", "HostConfig.LogConfig.Type", &type, err)) < 0 ||
	    (r = get_obj(lc, "Config", "HostConfig.LogConfig.Config", &opts, err)) < 0 ||
	    (r = get_str(opts, "max-size", "HostConfig.LogConfig.Config.max-size", &size, err)) < 0 ||
	    (r = get_str(opts, "max-file", "HostConfig.LogConfig.Config.max-file", &files, err)) < 0)
		return r;
	if (type && *type && strcmp(type, "json-file"))
		return bad_value(err, "HostConfig.LogConfig.Type %.64s: netns-run keeps json-file logs only", type);
	if (size) {
		if (rt_parse_bytes(size, &v) < 0 || v < 4096)
			return bad_value(err,
					 "HostConfig.LogConfig max-size %.64s: expected a size of at least 4k, e.g. 10m",
					 size);
		cb->o.log_max_size = v;
	}
	if (files) {
		errno = 0;
		v = strtoll(files, &end, 10);
		if (errno || end == files || *end || v < 1 || v > 100)
			return bad_value(err, "HostConfig.LogConfig max-file %.64s: expected a number from 1 to 100",
					 files);
		cb->o.log_max_files = (int)v;
	}
	return 0;
}

static int parse_host_config(struct create_body *cb, json_t *body, struct nr_error *err)
{
	json_t *hc = NULL;
	int r;

	if ((r = get_obj(body, "HostConfig", "HostConfig", &hc, err)) < 0 ||
	    (r = get_bool(hc, "AutoRemove", "HostConfig.AutoRemove", &cb->o.rm, err)) < 0 ||
	    (r = get_bool(hc, "PublishAllPorts", "HostConfig.PublishAllPorts", &cb->o.publish_all, err)) < 0 ||
	    (r = parse_ports(cb, hc, err)) < 0 || (r = parse_binds(cb, hc, err)) < 0 ||
	    (r = parse_limits(cb, hc, err)) < 0 || (r = parse_security(cb, hc, err)) < 0 ||
	    (r = parse_log_config(cb, hc, err)) < 0)
		return r;
	return parse_networks(cb, hc, body, err);
}

/* Image: found in the store (a miss is Docker's 404 "No such image: REF"). */
static int find_image(struct create_body *cb, const char *image, struct image_run **ret, struct nr_error *err)
{
	struct img_ref ref;
	char shown[300];
	int r;

	if (!image || !*image)
		return bad_value(err, "Image: a container needs an image (the create body names none)");
	snprintf(shown, sizeof(shown), "%s", image);
	/* Docker names the miss as it normalised it: "busybox" is "busybox:latest". */
	const char *last = strrchr(image, '/') ? strrchr(image, '/') : image;
	if (img_ref_parse(image, &ref, NULL) >= 0 && !strchr(image, '@') && !strchr(last, ':'))
		snprintf(shown, sizeof(shown), "%s:latest", image);
	r = image_run_find(rt_paths()->state_dir, image, ret, err);
	if (r > 0)
		return 0;
	if (r == 0 || (err && err->code == RT_ERR_NOT_FOUND))
		return nr_error_set(err, RT_ERR_NOT_FOUND, ENOENT, "No such image: %s", shown);
	return r;
}

static int parse_config(struct create_body *cb, json_t *body, struct nr_error *err)
{
	struct run_opts *o = &cb->o;
	const char *image = NULL, *workdir = NULL, *user = NULL, *hostname = NULL;
	bool attach = false;
	json_t *labels = NULL, *v;
	const char *key;
	char **command = NULL;
	struct image_run *im = NULL;
	int r;

	if ((r = get_str(body, "Image", "Image", &image, err)) < 0 ||
	    (r = get_str(body, "WorkingDir", "WorkingDir", &workdir, err)) < 0 ||
	    (r = get_str(body, "User", "User", &user, err)) < 0 ||
	    (r = get_str(body, "Hostname", "Hostname", &hostname, err)) < 0 ||
	    (r = get_bool(body, "Tty", "Tty", &o->tty, err)) < 0 ||
	    (r = get_bool(body, "OpenStdin", "OpenStdin", &cb->mo.open_stdin, err)) < 0 ||
	    (r = get_bool(body, "StdinOnce", "StdinOnce", &cb->mo.stdin_once, err)) < 0 ||
	    (r = get_bool(body, "AttachStdin", "AttachStdin", &attach, err)) < 0 ||
	    (r = get_bool(body, "AttachStdout", "AttachStdout", &attach, err)) < 0 ||
	    (r = get_bool(body, "AttachStderr", "AttachStderr", &attach, err)) < 0 ||
	    (r = get_obj(body, "Labels", "Labels", &labels, err)) < 0 || (r = parse_exposed(body, err)) < 0 ||
	    (r = parse_env(cb, body, err)) < 0 || (r = parse_command(cb, body, &command, err)) < 0)
		return r;
	json_object_foreach(labels, key, v)
		if (!json_is_string(v))
			return bad_type("Labels", "strings", v, err);
	if (workdir && *workdir) {
		if (*workdir != '/')
			return bad_value(err, "the working directory '%s' is invalid, it needs to be an absolute path",
					 workdir);
		o->workdir = workdir;
	}
	if (user && *user)
		o->user = user;
	if (hostname && *hostname) {
		if (!rt_hostname_valid(hostname))
			return bad_value(err, "invalid hostname format: %.64s", hostname);
		o->hostname = hostname;
	}
	o->hostname_id = true; /* none given: the short id, as Docker's */
	o->interactive = cb->mo.open_stdin;
	if ((r = parse_host_config(cb, body, err)) < 0 || (r = find_image(cb, image, &im, err)) < 0)
		return r;
	o->image = image;
	return image_run_apply(im, o, command, err);
}

int create_body_parse(const char *text, size_t len, const char *name, struct create_body *cb, struct nr_error *err)
{
	json_error_t jerr;
	int r;

	memset(cb, 0, sizeof(*cb));
	cb->o.net = "bridge";
	cb->o.log_max_size = 10 << 20;
	cb->o.log_max_files = 1;
	if ((r = set_name(cb, name, err)) < 0)
		return r;
	if (!text || !len)
		return bad_value(err, "the create body is empty: it needs at least an Image");
	cb->body = json_loadb(text, len, 0, &jerr);
	if (!cb->body)
		return bad_value(err, "invalid JSON in the create body: %s (at %d:%d)", jerr.text, jerr.line,
				 jerr.column);
	if (!json_is_object(cb->body))
		return bad_type("the create body", "an object", cb->body, err);
	return parse_config(cb, cb->body, err);
}

void create_body_free(struct create_body *cb)
{
	free(cb->o.caps);
	free(cb->o.sec.seccomp_profile);
	free(cb->o.sec.bpf);
	image_run_free(cb->o.img);
	for (size_t i = 0; i < cb->n_strings; i++)
		free(cb->strings[i]);
	json_decref(cb->body);
	memset(cb, 0, sizeof(*cb));
}
