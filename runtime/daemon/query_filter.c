/* ?filters= (query_filter.h). */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "engine/rt_error.h"
#include "query_filter.h"

static int add(struct qfilters *f, const char *key, const char *value, struct nr_error *err)
{
	if (f->n == QFILTER_MAX)
		return nr_error_set(err, RT_ERR_USAGE, E2BIG, "invalid filter: more than %d values", QFILTER_MAX);
	f->v[f->n++] = (struct qfilter){ key, value };
	return 0;
}

int qfilters_parse(const char *text, struct qfilters *f, struct nr_error *err)
{
	const char *key;
	json_t *vals;
	int r;

	*f = (struct qfilters){ 0 };
	if (!text || !*text)
		return 0;
	f->doc = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(f->doc)) {
		qfilters_release(f);
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "invalid filter: not a JSON object of filters: %s",
				    text);
	}
	json_object_foreach(f->doc, key, vals) {
		if (json_is_object(vals)) {
			const char *v;
			json_t *on;
			json_object_foreach(vals, v, on) {
				/* {"name": {"n1": false}} is how a client says nothing of n1. */
				if (!json_is_boolean(on))
					goto bad;
				if (json_is_true(on) && (r = add(f, key, v, err)) < 0)
					goto fail;
			}
		} else if (json_is_array(vals)) {
			size_t i;
			json_t *v;
			json_array_foreach(vals, i, v) {
				if (!json_is_string(v))
					goto bad;
				if ((r = add(f, key, json_string_value(v), err)) < 0)
					goto fail;
			}
		} else {
			goto bad;
		}
	}
	return 0;
bad:
	r = nr_error_set(err, RT_ERR_USAGE, EINVAL, "invalid filter '%s': its values must be an object or an array",
			 key);
fail:
	qfilters_release(f);
	return r;
}

void qfilters_release(struct qfilters *f)
{
	json_decref(f->doc);
	*f = (struct qfilters){ 0 };
}

int qfilters_check_keys(const struct qfilters *f, const char *const *keys, struct nr_error *err)
{
	for (size_t i = 0; i < f->n; i++) {
		bool known = false;
		for (size_t k = 0; keys[k] && !known; k++)
			known = !strcmp(f->v[i].key, keys[k]);
		if (!known)
			return nr_error_set(err, RT_ERR_USAGE, EINVAL, "invalid filter '%s'", f->v[i].key);
	}
	return 0;
}

size_t qfilters_get(const struct qfilters *f, const char *key, const char **ret, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < f->n && n < max; i++)
		if (!strcmp(f->v[i].key, key))
			ret[n++] = f->v[i].value;
	return n;
}
