/* The "config" object of an image config (OCI image spec, "Properties"; Docker's
 * superset), typed for `run`.  Keys are matched exactly as the spec spells them; a key
 * of the wrong type is refused by name, unknown keys are left for whoever writes the
 * document back. */
#include "image/config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/json_field.h"
#include "engine/rt_error.h"

static void strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

void img_config_clear(struct img_config *c)
{
	if (!c)
		return;
	strv_free(c->entrypoint);
	strv_free(c->cmd);
	strv_free(c->env);
	strv_free(c->exposed);
	strv_free(c->labels);
	free(c->working_dir);
	free(c->user);
	free(c->stop_signal);
	memset(c, 0, sizeof(*c));
}

static int wrong(struct nr_error *err, const char *key, const char *type)
{
	return nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "image config: '%s' must be %s", key, type);
}

static int nomem(struct nr_error *err)
{
	return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
}

/* An array of strings (Docker's StrSlice also takes a single string) as a NULL-ended
 * vector; NULL when absent or null. */
static int get_strv(json_t *cfg, const char *key, bool single_ok, char ***ret, struct nr_error *err)
{
	json_t *v = json_object_get(cfg, key), *e;
	char **out;
	size_t i;

	if (!v || json_is_null(v))
		return 0;
	if (single_ok && json_is_string(v)) {
		out = calloc(2, sizeof(*out));
		if (!out || !(out[0] = strdup(json_string_value(v)))) {
			free(out);
			return nomem(err);
		}
		*ret = out;
		return 0;
	}
	if (!json_is_array(v))
		return wrong(err, key, "an array of strings");
	json_array_foreach(v, i, e)
		if (!json_is_string(e))
			return wrong(err, key, "an array of strings");
	out = calloc(json_array_size(v) + 1, sizeof(*out));
	if (!out)
		return nomem(err);
	json_array_foreach(v, i, e) {
		if (!(out[i] = strdup(json_string_value(e)))) {
			strv_free(out);
			return nomem(err);
		}
	}
	*ret = out;
	return 0;
}

/* A string; NULL when absent, null or empty (the default then applies). */
static int get_str(json_t *cfg, const char *key, char **ret, struct nr_error *err)
{
	json_t *v = json_object_get(cfg, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return wrong(err, key, "a string");
	if (!json_string_length(v))
		return 0;
	*ret = strdup(json_string_value(v));
	return *ret ? 0 : nomem(err);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ExposedPorts {"80/tcp": {}} as its keys; Labels {"k": "v"} as "k=v"; both sorted. */
static int get_map(json_t *cfg, const char *key, bool labels, char ***ret, struct nr_error *err)
{
	json_t *v = json_object_get(cfg, key), *e;
	const char *k;
	char **out;
	size_t n = 0;

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return wrong(err, key, labels ? "an object of strings" : "an object");
	json_object_foreach(v, k, e)
		if (labels ? !json_is_string(e) : !(json_is_object(e) || json_is_null(e)))
			return nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "image config: '%s': '%s' must be %s", key, k,
					    labels ? "a string" : "an object");
	if (json_object_size(v) == 0)
		return 0;
	out = calloc(json_object_size(v) + 1, sizeof(*out));
	if (!out)
		return nomem(err);
	json_object_foreach(v, k, e) {
		int q = labels ? asprintf(&out[n], "%s=%s", k, json_string_value(e)) : ((out[n] = strdup(k)) ? 0 : -1);

		if (q < 0) {
			out[n] = NULL;
			strv_free(out);
			return nomem(err);
		}
		n++;
	}
	qsort(out, n, sizeof(*out), cmp_str);
	*ret = out;
	return 0;
}

int img_config_parse(const char *text, size_t len, struct img_config *ret, struct nr_error *err)
{
	_cleanup_json_ json_t *doc = NULL;
	struct img_config c = { 0 };
	json_error_t jerr;
	json_t *cfg;
	int r;

	doc = json_loadb(text, len, 0, &jerr);
	if (!doc)
		return nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "image config: line %d column %d: %s", jerr.line,
				    jerr.column, jerr.text);
	if (!json_is_object(doc))
		return nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "image config: not a JSON object");
	cfg = json_object_get(doc, "config");
	if (!cfg || json_is_null(cfg)) {
		*ret = c;
		return 0;
	}
	if (!json_is_object(cfg))
		return wrong(err, "config", "an object");
	if ((r = get_strv(cfg, "Entrypoint", true, &c.entrypoint, err)) < 0 ||
	    (r = get_strv(cfg, "Cmd", true, &c.cmd, err)) < 0 || (r = get_strv(cfg, "Env", false, &c.env, err)) < 0 ||
	    (r = get_str(cfg, "WorkingDir", &c.working_dir, err)) < 0 || (r = get_str(cfg, "User", &c.user, err)) < 0 ||
	    (r = get_map(cfg, "ExposedPorts", false, &c.exposed, err)) < 0 ||
	    (r = get_map(cfg, "Labels", true, &c.labels, err)) < 0 ||
	    (r = get_str(cfg, "StopSignal", &c.stop_signal, err)) < 0) {
		img_config_clear(&c);
		return r;
	}
	*ret = c;
	return 0;
}
