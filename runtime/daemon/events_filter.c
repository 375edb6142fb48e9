/* GET /events' ?filters=, matched as moby's daemon/events/filter.go matches them: every
 * key given must match (type and event exactly; container, network … by id or name, a
 * prefix sufficing; image by id or name, with or without its tag; label as KEY or
 * KEY=VALUE among the attributes). */
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "engine/rt_error.h"
#include "events_bus.h"

/* The keys moby accepts (acceptedEventFilterTags); anything else is refused as there. */
static const char *const filter_keys[] = {
	"container", "image",  "event", "label", "type",    "daemon", "volume",
	"network",   "plugin", "scope", "node",  "service", "secret", "config",
};
#define N_KEYS (sizeof(filter_keys) / sizeof(filter_keys[0]))

struct events_filter {
	char **values[N_KEYS]; /* NULL-ended, or NULL: the key is not given */
};

static int key_index(const char *k)
{
	for (size_t i = 0; i < N_KEYS; i++)
		if (!strcmp(filter_keys[i], k))
			return (int)i;
	return -1;
}

static void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

void events_filter_free(struct events_filter *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < N_KEYS; i++)
		strv_free(f->values[i]);
	free(f);
}
DEFINE_PTR_CLEANUP(events_filter_freep, struct events_filter *, events_filter_free)

static int strv_add(char ***v, const char *s)
{
	size_t n = 0;
	char **nv;

	while (*v && (*v)[n])
		n++;
	nv = realloc(*v, (n + 2) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[n + 1] = NULL;
	nv[n] = strdup(s);
	return nv[n] ? 0 : -ENOMEM;
}

int events_filter_parse(const char *text, struct events_filter **ret, struct nr_error *err)
{
	_cleanup_(events_filter_freep) struct events_filter *f = NULL;
	json_t *root, *val;
	json_error_t jerr;
	const char *key;

	*ret = NULL;
	if (!text || !*text)
		return 0;
	root = json_loads(text, 0, &jerr);
	if (!root || !json_is_object(root)) {
		json_decref(root);
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "invalid filter: %s",
				    root ? "not an object" : jerr.text);
	}
	f = calloc(1, sizeof(*f));
	if (!f) {
		json_decref(root);
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	}
	json_object_foreach(root, key, val) {
		int k = key_index(key), r = 0;
		size_t i;
		json_t *v;
		const char *mk;

		if (k < 0) {
			nr_error_set(err, RT_ERR_USAGE, EINVAL, "invalid filter '%s'", key);
			json_decref(root);
			return -EINVAL;
		}
		if (json_is_array(val)) {
			/* {"type": ["container"]}: the form the clients of API ≥ 1.22 send */
			json_array_foreach(val, i, v) {
				if (!json_is_string(v)) {
					r = -EINVAL;
					break;
				}
				if ((r = strv_add(&f->values[k], json_string_value(v))) < 0)
					break;
			}
		} else if (json_is_object(val)) {
			/* {"type": {"container": true}}: the older map form, still sent by the CLI */
			json_object_foreach(val, mk, v) {
				if (!json_is_true(v))
					continue;
				if ((r = strv_add(&f->values[k], mk)) < 0)
					break;
			}
		} else {
			r = -EINVAL;
		}
		if (r == -EINVAL) {
			nr_error_set(err, RT_ERR_USAGE, EINVAL, "invalid filter '%s': not a list of strings", key);
			json_decref(root);
			return r;
		}
		if (r < 0) {
			json_decref(root);
			return nr_error_set(err, RT_ERR_NOMEM, -r, "out of memory");
		}
		/* A key given with an empty list filters nothing, as in moby. */
	}
	json_decref(root);
	*ret = TAKE_PTR(f);
	return 0;
}

static char **values_of(const struct events_filter *f, const char *key)
{
	int k = key_index(key);

	return f && k >= 0 ? f->values[k] : NULL;
}

/* moby's filters.Args.ExactMatch: true when the key is absent. */
static bool exact_match(const struct events_filter *f, const char *key, const char *s)
{
	char **v = values_of(f, key);

	if (!v || !v[0])
		return true;
	for (size_t i = 0; s && v[i]; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

/* filters.Args.FuzzyMatch: an exact value or a prefix of s (short ids). */
static bool fuzzy_match(const struct events_filter *f, const char *key, const char *s)
{
	char **v = values_of(f, key);

	if (!v || !v[0])
		return true;
	for (size_t i = 0; s && v[i]; i++)
		if (!strncmp(s, v[i], strlen(v[i])))
			return true;
	return false;
}

static const char *attr(const json_t *ev, const char *name)
{
	return json_string_value(json_object_get(json_object_get(json_object_get(ev, "Actor"), "Attributes"), name));
}

static bool fuzzy_match_name(const struct events_filter *f, const json_t *ev, const char *key)
{
	const char *id = json_string_value(json_object_get(json_object_get(ev, "Actor"), "ID"));

	return fuzzy_match(f, key, id) || fuzzy_match(f, key, attr(ev, "name"));
}

/* "busybox:latest" -> "busybox" ("localhost:5000/x" keeps its port). */
static void strip_tag(const char *s, char *buf, size_t len)
{
	const char *slash, *colon;

	snprintf(buf, len, "%s", s ? s : "");
	slash = strrchr(buf, '/');
	colon = strrchr(buf, ':');
	if (colon && (!slash || colon > slash) && strncmp(buf, "sha256:", 7))
		buf[colon - buf] = '\0';
}

static bool match_image(const struct events_filter *f, const json_t *ev)
{
	const char *type = json_string_value(json_object_get(ev, "Type"));
	const char *id = json_string_value(json_object_get(json_object_get(ev, "Actor"), "ID"));
	const char *name = attr(ev, type && !strcmp(type, "image") ? "name" : "image");
	char a[512], b[512];

	strip_tag(id, a, sizeof(a));
	strip_tag(name, b, sizeof(b));
	return exact_match(f, "image", id) || exact_match(f, "image", name) || exact_match(f, "image", a) ||
	       exact_match(f, "image", b);
}

static bool match_event(const struct events_filter *f, const char *action)
{
	char **v = values_of(f, "event");

	/* moby #25798: "exec_start" (no colon) matches "exec_start: sh -c …" */
	for (size_t i = 0; v && v[i]; i++)
		if (!strcmp(v[i], "exec_start") || !strcmp(v[i], "exec_create") || !strcmp(v[i], "health_status"))
			return fuzzy_match(f, "event", action);
	return exact_match(f, "event", action);
}

/* label=KEY or label=KEY=VALUE: every one given must be among the attributes. */
static bool match_labels(const struct events_filter *f, const json_t *ev)
{
	char **v = values_of(f, "label");

	for (size_t i = 0; v && v[i]; i++) {
		const char *eq = strchr(v[i], '=');
		char key[256];
		const char *have;

		snprintf(key, sizeof(key), "%.*s", eq ? (int)(eq - v[i]) : (int)strlen(v[i]), v[i]);
		have = attr(ev, key);
		if (!have || (eq && strcmp(have, eq + 1)))
			return false;
	}
	return true;
}

bool events_filter_match(const struct events_filter *f, const json_t *ev)
{
	static const char *const by_name[] = { "container", "network", "volume", "plugin", "node",
					       "service",   "secret",  "config", "daemon" };

	if (!f)
		return true;
	if (!match_event(f, json_string_value(json_object_get(ev, "Action"))) ||
	    !exact_match(f, "type", json_string_value(json_object_get(ev, "Type"))) ||
	    !exact_match(f, "scope", json_string_value(json_object_get(ev, "scope"))) || !match_image(f, ev) ||
	    !match_labels(f, ev))
		return false;
	for (size_t i = 0; i < sizeof(by_name) / sizeof(by_name[0]); i++)
		if (!fuzzy_match_name(f, ev, by_name[i]))
			return false;
	return true;
}

int events_parse_time(const char *s, long long *ret_ns)
{
	long long sec = 0, frac = 0;
	int digits = 0;
	const char *p = s;

	if (!s || !*s)
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (sec > 9999999999LL)
			return -EINVAL;
		sec = sec * 10 + (*p - '0');
	}
	if (p == s)
		return -EINVAL;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++)
			if (digits < 9) {
				frac = frac * 10 + (*p - '0');
				digits++;
			}
		for (; digits < 9; digits++)
			frac *= 10;
	}
	if (*p)
		return -EINVAL;
	*ret_ns = sec * 1000000000LL + frac;
	return 0;
}
