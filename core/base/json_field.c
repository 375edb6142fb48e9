#include "json_field.h"

#include <errno.h>
#include <string.h>

static int wrong_type(const char *what, const char *key, const char *type, struct nr_error *err)
{
	return nr_error_set(err, CNI_ERR_DECODE, EINVAL, "%s: '%s' must be %s", what, key, type);
}

static json_t *member(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return v && !json_is_null(v) ? v : NULL;
}

/* The member key of obj, of the given type: 1 and *ret; 0 when absent (an error when
 * required); a negative error when of another type.  JSON_TRUE stands for either boolean. */
static int member_typed(json_t *obj, const char *key, const char *what, bool required, json_type type,
			const char *type_name, json_t **ret, struct nr_error *err)
{
	json_t *v = member(obj, key);

	if (!v)
		return required ? nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "%s: '%s' is required", what, key)
				: 0;
	if (json_typeof(v) != type && !(type == JSON_TRUE && json_is_boolean(v)))
		return wrong_type(what, key, type_name, err);
	*ret = v;
	return 1;
}

int jfield_string(json_t *obj, const char *key, const char *what, bool required, const char **ret, struct nr_error *err)
{
	json_t *v = NULL;
	int r = member_typed(obj, key, what, required, JSON_STRING, "a string", &v, err);

	if (r > 0)
		*ret = json_string_value(v);
	return r < 0 ? r : 0;
}

int jfield_bool(json_t *obj, const char *key, const char *what, bool *ret, struct nr_error *err)
{
	json_t *v = NULL;
	int r = member_typed(obj, key, what, false, JSON_TRUE, "true or false", &v, err);

	if (r > 0)
		*ret = json_is_true(v);
	return r < 0 ? r : 0;
}

int jfield_int(json_t *obj, const char *key, const char *what, long long min, long long max, long long *ret,
	       struct nr_error *err)
{
	json_t *v = NULL;
	long long x;
	int r = member_typed(obj, key, what, false, JSON_INTEGER, "an integer", &v, err);

	if (r <= 0)
		return r;
	x = json_integer_value(v);
	if (x < min || x > max)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, ERANGE,
				    "%s: '%s' is %lld; it must be between %lld and %lld", what, key, x, min, max);
	*ret = x;
	return 0;
}

int jfield_object(json_t *obj, const char *key, const char *what, bool required, json_t **ret, struct nr_error *err)
{
	int r = member_typed(obj, key, what, required, JSON_OBJECT, "an object", ret, err);

	return r < 0 ? r : 0;
}

int jfield_array(json_t *obj, const char *key, const char *what, json_t **ret, struct nr_error *err)
{
	int r = member_typed(obj, key, what, false, JSON_ARRAY, "an array", ret, err);

	return r < 0 ? r : 0;
}

int jfield_reject_unknown(json_t *obj, const char *const *known, const char *what, struct nr_error *err)
{
	const char *key;
	json_t *v = NULL;

	json_object_foreach(obj, key, v) {
		const char *const *k;
		for (k = known; *k; k++)
			if (strcmp(*k, key) == 0)
				break;
		if (!*k)
			return nr_error_set(err, CNI_ERR_UNSUPPORTED_FIELD, EINVAL, "%s: unsupported field '%s'", what,
					    key);
	}
	return 0;
}

int json_parse_object(const char *buf, size_t len, const char *what, json_t **ret, struct nr_error *err)
{
	json_error_t jerr;
	json_t *root;

	if (len == 0)
		return nr_error_set(err, CNI_ERR_DECODE, EINVAL, "%s is empty; expected a JSON object", what);
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return nr_error_set(err, CNI_ERR_DECODE, EINVAL, "%s is not valid JSON: %s (line %d, column %d)", what,
				    jerr.text, jerr.line, jerr.column);
	if (!json_is_object(root)) {
		json_decref(root);
		return nr_error_set(err, CNI_ERR_DECODE, EINVAL, "%s must be a JSON object", what);
	}
	*ret = root;
	return 0;
}
