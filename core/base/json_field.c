#include "json_field.h"

#include <errno.h>
#include <string.h>

static int wrong_type(const char *what, const char *key, const char *type, struct nr_error *err)
{
	return nr_error_set(err, CNI_ERR_DECODE, EINVAL, "%s: '%s' must be %s", what, key, type);
}

static unsigned char ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

bool json_key_go_equal(const char *name, const char *key)
{
	const unsigned char *n = (const unsigned char *)name, *k = (const unsigned char *)key;

	for (; *n; n++) {
		unsigned char c = ascii_lower(*n);

		if (*k < 0x80) {
			if (ascii_lower(*k) != c)
				return false;
			k++;
		} else if (c == 's' && k[0] == 0xc5 && k[1] == 0xbf) { /* U+017F LATIN SMALL LETTER LONG S */
			k += 2;
		} else if (c == 'k' && k[0] == 0xe2 && k[1] == 0x84 && k[2] == 0xaa) { /* U+212A KELVIN SIGN */
			k += 3;
		} else {
			return false;
		}
	}
	return *k == '\0';
}

json_t *json_get_go(json_t *obj, const char *name)
{
	unsigned char first = ascii_lower((unsigned char)name[0]);
	json_t *found = NULL;

	for (void *it = json_object_iter(obj); it; it = json_object_iter_next(obj, it)) {
		const char *key = json_object_iter_key(it);
		/* The first byte rules out nearly every other member without a call. */
		unsigned char k0 = ascii_lower((unsigned char)key[0]);
		json_t *v;

		if ((k0 != first && k0 < 0x80) || !json_key_go_equal(name, key))
			continue;
		if (!json_is_null(v = json_object_iter_value(it)))
			found = v;
	}
	return found;
}

static json_t *member(json_t *obj, const char *key)
{
	return json_get_go(obj, key);
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
			if (json_key_go_equal(*k, key))
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
