#include "cni_result.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/ipaddr.h"
#include "base/json_field.h"
#include "cni_version.h"

struct cni_result *cni_result_new(void)
{
	return calloc(1, sizeof(struct cni_result));
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void cni_result_free(struct cni_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_ifaces; i++) {
		free(r->ifaces[i].name);
		free(r->ifaces[i].mac);
		free(r->ifaces[i].sandbox);
		free(r->ifaces[i].socket_path);
		free(r->ifaces[i].pci_id);
	}
	free(r->ifaces);
	for (size_t i = 0; i < r->n_ips; i++) {
		free(r->ips[i].address);
		free(r->ips[i].gateway);
	}
	free(r->ips);
	for (size_t i = 0; i < r->n_routes; i++) {
		free(r->routes[i].dst);
		free(r->routes[i].gw);
	}
	free(r->routes);
	strv_free(r->dns.nameservers, r->dns.n_nameservers);
	strv_free(r->dns.search, r->dns.n_search);
	strv_free(r->dns.options, r->dns.n_options);
	free(r->dns.domain);
	free(r);
}

/* Grow *arr by one zeroed element of size sz; returns the new index or -ENOMEM. */
static int array_push(void **arr, size_t *n, size_t sz)
{
	void *p = realloc(*arr, (*n + 1) * sz);
	if (!p)
		return -ENOMEM;
	memset((char *)p + *n * sz, 0, sz);
	*arr = p;
	return (int)(*n)++;
}

static int dup_opt(char **dst, const char *src)
{
	*dst = NULL;
	if (src && !(*dst = strdup(src)))
		return -ENOMEM;
	return 0;
}

int cni_result_add_iface(struct cni_result *r, const char *name, const char *mac, const char *sandbox)
{
	int i = array_push((void **)&r->ifaces, &r->n_ifaces, sizeof(*r->ifaces));
	if (i < 0)
		return i;
	if (dup_opt(&r->ifaces[i].name, name) < 0 || dup_opt(&r->ifaces[i].mac, mac) < 0 ||
	    dup_opt(&r->ifaces[i].sandbox, sandbox) < 0)
		return -ENOMEM;
	return i;
}

int cni_result_add_ip(struct cni_result *r, const char *address, const char *gateway, int iface)
{
	int i = array_push((void **)&r->ips, &r->n_ips, sizeof(*r->ips));
	if (i < 0)
		return i;
	r->ips[i].iface = iface;
	if (dup_opt(&r->ips[i].address, address) < 0 || dup_opt(&r->ips[i].gateway, gateway) < 0)
		return -ENOMEM;
	return i;
}

int cni_result_add_route(struct cni_result *r, const char *dst, const char *gw)
{
	int i = array_push((void **)&r->routes, &r->n_routes, sizeof(*r->routes));
	if (i < 0)
		return i;
	if (dup_opt(&r->routes[i].dst, dst) < 0 || dup_opt(&r->routes[i].gw, gw) < 0)
		return -ENOMEM;
	return i;
}

/* ---- parsing ---- */

struct parse_ctx {
	const char *what;
	struct nr_error *err;
};

static int bad_type(struct parse_ctx *c, const char *field, const char *type)
{
	return nr_error_set(c->err, CNI_ERR_DECODE, EINVAL, "%s: %s must be %s", c->what, field, type);
}

/* Optional member of the given type: 1 and *ret; 0 when absent or null; an error when of
 * another type (type_name says which). */
static int get_typed(struct parse_ctx *c, json_t *obj, const char *key, const char *path, json_type type,
		     const char *type_name, json_t **ret)
{
	json_t *v = json_get_go(obj, key);

	if (!v || json_is_null(v))
		return 0;
	if (json_typeof(v) != type)
		return bad_type(c, path, type_name);
	*ret = v;
	return 1;
}

/* Optional string member: absent or null leaves *dst NULL. */
static int get_str(struct parse_ctx *c, json_t *obj, const char *key, const char *path, char **dst)
{
	json_t *v = NULL;
	int r = get_typed(c, obj, key, path, JSON_STRING, "a string", &v);

	*dst = NULL;
	if (r <= 0)
		return r;
	if (!(*dst = strdup(json_string_value(v))))
		return nr_error_set(c->err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	return 0;
}

static int get_int(struct parse_ctx *c, json_t *obj, const char *key, const char *path, int min, int max, bool *present,
		   int *dst)
{
	json_t *v = NULL;
	json_int_t x;
	int r = get_typed(c, obj, key, path, JSON_INTEGER, "an integer", &v);

	if (present)
		*present = false;
	if (r <= 0)
		return r;
	x = json_integer_value(v);
	if (x < min || x > max)
		return nr_error_set(c->err, CNI_ERR_DECODE, ERANGE, "%s: %s is %lld; it must be between %d and %d",
				    c->what, path, (long long)x, min, max);
	*dst = (int)x;
	if (present)
		*present = true;
	return 0;
}

static int get_array(struct parse_ctx *c, json_t *obj, const char *key, json_t **ret)
{
	*ret = NULL;
	return get_typed(c, obj, key, key, JSON_ARRAY, "an array", ret);
}

/* One element of a result array: it must be an object; a zeroed slot for it is pushed
 * onto (*arr, *n). */
static int push_object(struct parse_ctx *c, json_t *o, const char *path, void **arr, size_t *n, size_t sz)
{
	if (!json_is_object(o))
		return bad_type(c, path, "an object");
	if (array_push(arr, n, sz) < 0)
		return nr_error_set(c->err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	return 0;
}

static int parse_strv(struct parse_ctx *c, json_t *dns, const char *key, char ***ret, size_t *n)
{
	json_t *arr, *v;
	size_t i;
	char path[64];

	snprintf(path, sizeof(path), "dns.%s", key);
	arr = json_get_go(dns, key);
	if (!arr || json_is_null(arr))
		return 0;
	if (!json_is_array(arr))
		return bad_type(c, path, "an array of strings");
	if (json_array_size(arr) == 0)
		return 0;
	*ret = calloc(json_array_size(arr), sizeof(char *));
	if (!*ret)
		return nr_error_set(c->err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v))
			return bad_type(c, path, "an array of strings");
		if (!((*ret)[i] = strdup(json_string_value(v))))
			return nr_error_set(c->err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
		(*n)++;
	}
	return 0;
}

static int parse_iface(struct parse_ctx *c, json_t *o, size_t i, struct cni_result *res)
{
	struct cni_iface *f;
	char path[64];
	int r;

	snprintf(path, sizeof(path), "interfaces[%zu]", i);
	if ((r = push_object(c, o, path, (void **)&res->ifaces, &res->n_ifaces, sizeof(*res->ifaces))) < 0)
		return r;
	f = &res->ifaces[i];
	snprintf(path, sizeof(path), "interfaces[%zu].name", i);
	if ((r = get_str(c, o, "name", path, &f->name)) < 0)
		return r;
	if (!f->name)
		return nr_error_set(c->err, CNI_ERR_DECODE, EINVAL, "%s: %s is required", c->what, path);
	if ((r = get_str(c, o, "mac", "interfaces[].mac", &f->mac)) < 0 ||
	    (r = get_str(c, o, "sandbox", "interfaces[].sandbox", &f->sandbox)) < 0 ||
	    (r = get_str(c, o, "socketPath", "interfaces[].socketPath", &f->socket_path)) < 0 ||
	    (r = get_str(c, o, "pciID", "interfaces[].pciID", &f->pci_id)) < 0 ||
	    (r = get_int(c, o, "mtu", "interfaces[].mtu", 0, 1 << 20, NULL, &f->mtu)) < 0)
		return r;
	return 0;
}

static int check_version_field(struct parse_ctx *c, json_t *o, size_t i, const struct ip_prefix *p)
{
	json_t *v = json_get_go(o, "version");
	const char *want = p->addr.family == AF_INET ? "4" : "6";

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return bad_type(c, "ips[].version", "a string (\"4\" or \"6\")");
	if (strcmp(json_string_value(v), want) != 0)
		return nr_error_set(c->err, CNI_ERR_DECODE, EINVAL,
				    "%s: ips[%zu].version is \"%s\" but its address is IPv%s", c->what, i,
				    json_string_value(v), want);
	return 0;
}

/* Element i of `array`: its member pfx_key must be an address with a prefix length (put
 * in *ret_p), its optional gw_key an address. */
static int check_prefix_gw(struct parse_ctx *c, const char *array, size_t i, const char *pfx_key, const char *pfx,
			   struct ip_prefix *ret_p, const char *gw_key, const char *gw)
{
	struct ip_addr g;

	if (!pfx || ip_prefix_parse(pfx, ret_p) < 0)
		return nr_error_set(c->err, CNI_ERR_DECODE, EINVAL,
				    "%s: %s[%zu].%s '%s' is not an address with a prefix length", c->what, array, i,
				    pfx_key, pfx ? pfx : "");
	if (gw && ip_addr_parse(gw, &g) < 0)
		return nr_error_set(c->err, CNI_ERR_DECODE, EINVAL, "%s: %s[%zu].%s '%s' is not an address", c->what,
				    array, i, gw_key, gw);
	return 0;
}

static int parse_ip(struct parse_ctx *c, json_t *o, size_t i, struct cni_result *res)
{
	struct cni_ipcfg *ip;
	struct ip_prefix p;
	bool has_iface;
	int r;

	if ((r = push_object(c, o, "ips[]", (void **)&res->ips, &res->n_ips, sizeof(*res->ips))) < 0)
		return r;
	ip = &res->ips[i];
	ip->iface = -1;
	if ((r = get_str(c, o, "address", "ips[].address", &ip->address)) < 0 ||
	    (r = get_str(c, o, "gateway", "ips[].gateway", &ip->gateway)) < 0 ||
	    (r = get_int(c, o, "interface", "ips[].interface", 0, 1 << 20, &has_iface, &ip->iface)) < 0)
		return r;
	if (!has_iface)
		ip->iface = -1;
	if ((r = check_prefix_gw(c, "ips", i, "address", ip->address, &p, "gateway", ip->gateway)) < 0 ||
	    (r = check_version_field(c, o, i, &p)) < 0)
		return r;
	if (ip->iface >= (int)res->n_ifaces)
		return nr_error_set(c->err, CNI_ERR_INVALID_CONFIG, EINVAL,
				    "%s: ips[%zu].interface is %d but there are %zu interfaces", c->what, i, ip->iface,
				    res->n_ifaces);
	return 0;
}

static int parse_route(struct parse_ctx *c, json_t *o, size_t i, struct cni_result *res)
{
	struct cni_route *rt;
	struct ip_prefix p;
	int r;

	if ((r = push_object(c, o, "routes[]", (void **)&res->routes, &res->n_routes, sizeof(*res->routes))) < 0)
		return r;
	rt = &res->routes[i];
	if ((r = get_str(c, o, "dst", "routes[].dst", &rt->dst)) < 0 ||
	    (r = get_str(c, o, "gw", "routes[].gw", &rt->gw)) < 0 ||
	    (r = get_int(c, o, "mtu", "routes[].mtu", 0, 1 << 20, NULL, &rt->mtu)) < 0 ||
	    (r = get_int(c, o, "advmss", "routes[].advmss", 0, 1 << 20, NULL, &rt->advmss)) < 0 ||
	    (r = get_int(c, o, "priority", "routes[].priority", 0, 0x7fffffff, NULL, &rt->priority)) < 0 ||
	    (r = get_int(c, o, "table", "routes[].table", 0, 0x7fffffff, &rt->has_table, &rt->table)) < 0 ||
	    (r = get_int(c, o, "scope", "routes[].scope", 0, 255, &rt->has_scope, &rt->scope)) < 0)
		return r;
	return check_prefix_gw(c, "routes", i, "dst", rt->dst, &p, "gw", rt->gw);
}

typedef int (*parse_elem_fn)(struct parse_ctx *c, json_t *o, size_t i, struct cni_result *res);

/* Each element of the optional array member key, in order. */
static int parse_array(struct parse_ctx *c, json_t *root, const char *key, parse_elem_fn fn, struct cni_result *res)
{
	json_t *arr, *o;
	size_t i;
	int r;

	if ((r = get_array(c, root, key, &arr)) < 0 || !arr)
		return r;
	json_array_foreach(arr, i, o) {
		if ((r = fn(c, o, i, res)) < 0)
			return r;
	}
	return 0;
}

static int parse_dns(struct parse_ctx *c, json_t *root, struct cni_result *res)
{
	json_t *dns = json_get_go(root, "dns");
	int r;

	if (!dns || json_is_null(dns))
		return 0;
	if (!json_is_object(dns))
		return bad_type(c, "dns", "an object");
	if ((r = parse_strv(c, dns, "nameservers", &res->dns.nameservers, &res->dns.n_nameservers)) < 0 ||
	    (r = parse_strv(c, dns, "search", &res->dns.search, &res->dns.n_search)) < 0 ||
	    (r = parse_strv(c, dns, "options", &res->dns.options, &res->dns.n_options)) < 0 ||
	    (r = get_str(c, dns, "domain", "dns.domain", &res->dns.domain)) < 0)
		return r;
	return 0;
}

int cni_result_parse(json_t *obj, const char *what, struct cni_result **ret, struct nr_error *err)
{
	_cleanup_result_ struct cni_result *res = NULL;
	struct parse_ctx c = { .what = what, .err = err };
	int r;

	if (!json_is_object(obj))
		return nr_error_set(err, CNI_ERR_DECODE, EINVAL, "%s must be a JSON object", what);
	if (!(res = cni_result_new()))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	if ((r = parse_array(&c, obj, "interfaces", parse_iface, res)) < 0 ||
	    (r = parse_array(&c, obj, "ips", parse_ip, res)) < 0 ||
	    (r = parse_array(&c, obj, "routes", parse_route, res)) < 0 || (r = parse_dns(&c, obj, res)) < 0)
		return r;
	*ret = TAKE_PTR(res);
	return 0;
}

/* ---- rendering ---- */

/* jansson's *_new steal references and tolerate NULL values by failing; collect one
 * failure flag instead of checking every call. */
static void set_new(json_t *o, const char *k, json_t *v, bool *fail)
{
	if (!v || json_object_set_new(o, k, v) < 0)
		*fail = true;
}

static void set_str_opt(json_t *o, const char *k, const char *v, bool *fail)
{
	if (v && *v)
		set_new(o, k, json_string(v), fail);
}

/* j, a new object or array; NULL sets *fail. */
static json_t *new_or_fail(json_t *j, bool *fail)
{
	if (!j)
		*fail = true;
	return j;
}

/* Fill o with one element of a result array; flag is the element's version switch. */
typedef void (*elem_json_fn)(json_t *o, const void *elem, bool flag, bool *fail);

/* n elements of size sz as the array member k of o; nothing when n is 0. */
static void set_array(json_t *o, const char *k, const void *elems, size_t n, size_t sz, elem_json_fn fn, bool flag,
		      bool *fail)
{
	json_t *a;

	if (!n)
		return;
	a = json_array();
	for (size_t i = 0; a && i < n; i++) {
		json_t *e = new_or_fail(json_object(), fail);

		if (e)
			fn(e, (const char *)elems + i * sz, flag, fail);
		if (json_array_append_new(a, e) < 0)
			*fail = true;
	}
	set_new(o, k, a, fail);
}

static json_t *strv_json(char **v, size_t n, bool *fail)
{
	json_t *a = new_or_fail(json_array(), fail);

	if (!a)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (json_array_append_new(a, json_string(v[i])) < 0)
			*fail = true;
	return a;
}

static void iface_json(json_t *o, const void *elem, bool v11, bool *fail)
{
	const struct cni_iface *f = elem;

	/* name is required, so even "" is printed: leaving it out made our own output
	 * unparsable (cni_result_dup failed on a prevResult with an empty name). */
	if (f->name)
		set_new(o, "name", json_string(f->name), fail);
	set_str_opt(o, "mac", f->mac, fail);
	if (v11 && f->mtu)
		set_new(o, "mtu", json_integer(f->mtu), fail);
	set_str_opt(o, "sandbox", f->sandbox, fail);
	if (v11) {
		set_str_opt(o, "socketPath", f->socket_path, fail);
		set_str_opt(o, "pciID", f->pci_id, fail);
	}
}

static void ip_json(json_t *o, const void *elem, bool pre10, bool *fail)
{
	const struct cni_ipcfg *ip = elem;
	struct ip_prefix p;

	if (pre10 && ip_prefix_parse(ip->address, &p) == 0)
		set_new(o, "version", json_string(p.addr.family == AF_INET ? "4" : "6"), fail);
	if (ip->iface >= 0)
		set_new(o, "interface", json_integer(ip->iface), fail);
	set_str_opt(o, "address", ip->address, fail);
	set_str_opt(o, "gateway", ip->gateway, fail);
}

static void route_json(json_t *o, const void *elem, bool v11, bool *fail)
{
	const struct cni_route *rt = elem;

	set_str_opt(o, "dst", rt->dst, fail);
	set_str_opt(o, "gw", rt->gw, fail);
	if (v11) {
		if (rt->mtu)
			set_new(o, "mtu", json_integer(rt->mtu), fail);
		if (rt->advmss)
			set_new(o, "advmss", json_integer(rt->advmss), fail);
		if (rt->priority)
			set_new(o, "priority", json_integer(rt->priority), fail);
		if (rt->has_table)
			set_new(o, "table", json_integer(rt->table), fail);
		if (rt->has_scope)
			set_new(o, "scope", json_integer(rt->scope), fail);
	}
}

static json_t *dns_json(const struct cni_dns *d, bool *fail)
{
	json_t *o = new_or_fail(json_object(), fail);

	if (!o)
		return NULL;
	if (d->n_nameservers)
		set_new(o, "nameservers", strv_json(d->nameservers, d->n_nameservers, fail), fail);
	set_str_opt(o, "domain", d->domain, fail);
	if (d->n_search)
		set_new(o, "search", strv_json(d->search, d->n_search, fail), fail);
	if (d->n_options)
		set_new(o, "options", strv_json(d->options, d->n_options, fail), fail);
	return o;
}

json_t *cni_result_to_json(const struct cni_result *r, const char *version)
{
	struct cni_version v;
	bool fail = false, pre10, v11;
	json_t *o;

	if (cni_version_parse(version, &v) < 0)
		return NULL;
	pre10 = !cni_version_at_least(&v, 1, 0, 0);
	v11 = cni_version_at_least(&v, 1, 1, 0);
	if (!(o = json_object()))
		return NULL;
	set_new(o, "cniVersion", json_string(version), &fail);
	set_array(o, "interfaces", r->ifaces, r->n_ifaces, sizeof(*r->ifaces), iface_json, v11, &fail);
	set_array(o, "ips", r->ips, r->n_ips, sizeof(*r->ips), ip_json, pre10, &fail);
	set_array(o, "routes", r->routes, r->n_routes, sizeof(*r->routes), route_json, v11, &fail);
	/* The reference plugins always print "dns", empty or not; runtimes expect the key. */
	set_new(o, "dns", dns_json(&r->dns, &fail), &fail);
	if (fail) {
		json_decref(o);
		return NULL;
	}
	return o;
}

struct cni_result *cni_result_dup(const struct cni_result *r)
{
	json_t *j = cni_result_to_json(r, CNI_VERSION_LATEST);
	struct cni_result *copy = NULL;

	if (j && cni_result_parse(j, "result", &copy, NULL) < 0)
		copy = NULL;
	json_decref(j);
	return copy;
}
