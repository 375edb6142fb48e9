/* Docker's network lookup and `network ls` filters (netdef_query.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "netdef.h"
#include "netdef_list.h"
#include "netdef_query.h"
#include "rt_error.h"

static const char *const filter_keys[] = { "name", "id", "driver", "label", "scope", "type", "dangling" };
#define N_FILTER_KEYS (sizeof(filter_keys) / sizeof(filter_keys[0]))

void netdef_set_release(struct netdef_set *s)
{
	netdef_list_free(s->v, s->n);
	json_decref(s->ctrs);
	*s = (struct netdef_set){ 0 };
}

int netdef_set_load(struct netdef_set *s, bool with_ctrs, struct nr_error *err)
{
	int r;

	*s = (struct netdef_set){ 0 };
	if ((r = netdef_list_all(&s->v, &s->n, err)) < 0 || (with_ctrs && (r = netdef_containers(&s->ctrs, err)) < 0))
		netdef_set_release(s);
	return r;
}

const struct cni_netconf *netdef_find(struct cni_netconf *const *v, size_t n, const char *arg)
{
	const struct cni_netconf *prefix = NULL;
	size_t n_prefix = 0, len = strlen(arg);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i]->name, arg))
			return v[i];
	for (size_t i = 0; i < n && len > 0; i++) {
		struct netdef_meta m;
		netdef_meta_get(v[i], &m);
		if (!strcmp(m.id, arg))
			return v[i];
		if (!strncmp(m.id, arg, len))
			prefix = v[i], n_prefix++;
	}
	return n_prefix == 1 ? prefix : NULL;
}

int netdef_filter_check(const char *key, const char *value, struct nr_error *err)
{
	bool known = false;

	for (size_t k = 0; k < N_FILTER_KEYS; k++)
		known = known || !strcmp(key, filter_keys[k]);
	if (!known)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "invalid filter '%s': expected name, id, driver, label, scope, type or dangling",
				    key);
	if (!strcmp(key, "type") && strcmp(value, "custom") != 0 && strcmp(value, "builtin") != 0)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "invalid filter 'type=%s': expected custom or builtin",
				    value);
	if (!strcmp(key, "dangling") && strcmp(value, "true") != 0 && strcmp(value, "1") != 0 &&
	    strcmp(value, "false") != 0 && strcmp(value, "0") != 0)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "invalid filter 'dangling=%s': expected true or false",
				    value);
	return 0;
}

static const char *str_of(json_t *net, const char *key)
{
	return json_string_value(json_object_get(net, key)) ?: "";
}

static bool filter_one(const struct netdef_filter *f, const struct cni_netconf *conf, json_t *net)
{
	const char *v = f->value;

	if (!strcmp(f->key, "name"))
		return strstr(str_of(net, "Name"), v) != NULL;
	if (!strcmp(f->key, "id"))
		return !strncmp(str_of(net, "Id"), v, strlen(v));
	if (!strcmp(f->key, "driver"))
		return !strcmp(str_of(net, "Driver"), v);
	if (!strcmp(f->key, "scope"))
		return !strcmp(v, "local");
	if (!strcmp(f->key, "type"))
		return !strcmp(v, netdef_is_builtin(conf) ? "builtin" : "custom");
	if (!strcmp(f->key, "dangling")) {
		/* Docker's: a network of the user's without containers; false, the others. */
		bool dangling = !netdef_is_builtin(conf) && json_object_size(json_object_get(net, "Containers")) == 0;
		return dangling == (!strcmp(v, "true") || !strcmp(v, "1"));
	}
	/* label: KEY (present) or KEY=VALUE */
	const char *eq = strchr(v, '=');
	char key[256];
	snprintf(key, sizeof(key), "%.*s", eq ? (int)(eq - v) : (int)strlen(v), v);
	json_t *lv = json_object_get(json_object_get(net, "Labels"), key);
	return lv && (!eq || !strcmp(json_string_value(lv) ?: "", eq + 1));
}

bool netdef_filters_match(const struct netdef_filter *f, size_t n, const struct cni_netconf *conf, json_t *net)
{
	for (size_t k = 0; k < N_FILTER_KEYS; k++) {
		bool given = false, any = false;
		for (size_t i = 0; i < n; i++) {
			if (strcmp(f[i].key, filter_keys[k]) != 0)
				continue;
			given = true;
			any = any || filter_one(&f[i], conf, net);
		}
		if (given && !any)
			return false;
	}
	return true;
}
