/* The topology file's YAML, as libyaml's document tree: typed reads of scalars, lists and
 * maps, each failure naming the file and the line of the value at fault. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "engine/rt_error.h"
#include "topology_internal.h"

static int fail_v(struct tp *p, int line, const char *fmt, va_list ap)
{
	char msg[NR_ERROR_MSG_MAX];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (line > 0)
		return nr_error_set(p->err, RT_ERR_USAGE, EINVAL, "%s:%d: %s", p->name, line, msg);
	return nr_error_set(p->err, RT_ERR_USAGE, EINVAL, "%s: %s", p->name, msg);
}

int tp_fail(struct tp *p, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = fail_v(p, tp_line(n), fmt, ap);
	va_end(ap);
	return r;
}

int tp_fail_line(struct tp *p, int line, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = fail_v(p, line, fmt, ap);
	va_end(ap);
	return r;
}

int tp_nomem(struct tp *p)
{
	return nr_error_set(p->err, RT_ERR_NOMEM, ENOMEM, "%s: out of memory", p->name);
}

yaml_node_t *tp_node(struct tp *p, int index)
{
	return yaml_document_get_node(p->doc, index);
}

bool tp_is_null(const yaml_node_t *n)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
	const char *s;

	if (!n || n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	s = (const char *)n->data.scalar.value;
	for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
		if (!strcmp(s, nulls[i]))
			return true;
	return false;
}

static const char *node_type_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a map";
	default:
		return "a string";
	}
}

int tp_scalar(struct tp *p, yaml_node_t *n, const char *what, const char **ret)
{
	if (n->type != YAML_SCALAR_NODE)
		return tp_fail(p, n, "%s: expected a string, not %s", what, node_type_name(n));
	/* libyaml keeps "\0" escapes; every string here ends up in a C string. */
	if (strlen((const char *)n->data.scalar.value) != n->data.scalar.length)
		return tp_fail(p, n, "%s: a NUL byte in a string", what);
	*ret = (const char *)n->data.scalar.value;
	return 0;
}

size_t lab_strv_len(const lab_strv v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

void lab_strv_free(lab_strv v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

int lab_strv_push(lab_strv *v, char *s)
{
	size_t n = lab_strv_len(*v);
	char **nv;

	if (!s)
		return -ENOMEM;
	nv = realloc(*v, (n + 2) * sizeof(*nv));
	if (!nv) {
		free(s);
		return -ENOMEM;
	}
	nv[n] = s;
	nv[n + 1] = NULL;
	*v = nv;
	return 0;
}

int tp_strv(struct tp *p, yaml_node_t *n, const char *what, lab_strv *ret)
{
	lab_strv v = calloc(1, sizeof(*v));
	const char *s;
	int r;

	if (!v)
		return tp_nomem(p);
	if (n->type != YAML_SEQUENCE_NODE) {
		free(v);
		return tp_fail(p, n, "%s: expected a list of strings, not %s", what, node_type_name(n));
	}
	for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
		yaml_node_t *item = tp_node(p, *i);
		if ((r = tp_scalar(p, item, what, &s)) < 0 || (r = lab_strv_push(&v, strdup(s))) < 0) {
			lab_strv_free(v);
			return r == -ENOMEM ? tp_nomem(p) : r;
		}
	}
	*ret = v;
	return 0;
}

int tp_kv_merge(struct tp *p, yaml_node_t *n, const char *what, int max, lab_strv *v)
{
	const char *k, *val;
	char *kv;
	int r;

	if (n->type != YAML_MAPPING_NODE)
		return tp_fail(p, n, "%s: expected a map of NAME: VALUE, not %s", what, node_type_name(n));
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *kn = tp_node(p, pr->key), *vn = tp_node(p, pr->value);
		size_t klen, i;
		if ((r = tp_scalar(p, kn, what, &k)) < 0)
			return r;
		if (!*k || strchr(k, '='))
			return tp_fail(p, kn, "%s: invalid name '%s' (empty or with '=')", what, k);
		/* Numbers and booleans are taken as written, as containerlab's env does. */
		if (tp_is_null(vn))
			val = "";
		else if ((r = tp_scalar(p, vn, what, &val)) < 0)
			return r;
		if (asprintf(&kv, "%s=%s", k, val) < 0)
			return tp_nomem(p);
		klen = strlen(k) + 1;
		for (i = 0; *v && (*v)[i]; i++)
			if (!strncmp((*v)[i], kv, klen))
				break;
		if (*v && (*v)[i]) {
			free((*v)[i]);
			(*v)[i] = kv;
		} else if (i >= (size_t)max) {
			free(kv);
			return tp_fail(p, kn, "%s: more than %d", what, max);
		} else if (lab_strv_push(v, kv) < 0) {
			return tp_nomem(p);
		}
	}
	return 0;
}

static int key_index(const char *const *keys, const char *k)
{
	for (int i = 0; keys && keys[i]; i++)
		if (!strcmp(keys[i], k))
			return i;
	return -1;
}

/* One mapping's pairs; a "<<" merge key (YAML 1.1's, which libyaml leaves to us) brings in
 * the keys of the mapping(s) it names, where the mapping does not set them itself. */
static int walk_pairs(struct tp *p, yaml_node_t *n, const char *where, const struct tp_keys *keys,
		      int (*fn)(struct tp *p, int key, yaml_node_t *k, yaml_node_t *v, void *arg), void *arg,
		      uint32_t *seen, bool merged, int depth)
{
	const char *k;
	int r, i;

	/* Aliases may repeat a map, or name the map they are in: bound the work. */
	if (depth > 8 ||
	    (merged && (p->merge_steps += (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start)) > 100000))
		return tp_fail(p, n, "%s: merge keys ('<<') nested too deep or too many", where);
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *kn = tp_node(p, pr->key), *vn = tp_node(p, pr->value);
		if ((r = tp_scalar(p, kn, where, &k)) < 0)
			return r;
		if (!strcmp(k, "<<"))
			continue;
		if ((i = key_index(keys->keys, k)) < 0) {
			if (key_index(keys->refused, k) >= 0)
				return tp_fail(p, kn, "%s: key '%s' of containerlab is not supported (docs/labs.md)",
					       where, k);
			return tp_fail(p, kn, "%s: unknown key '%s'", where, k);
		}
		if (*seen >> i & 1) {
			if (merged)
				continue;
			return tp_fail(p, kn, "%s: key '%s' given twice", where, k);
		}
		*seen |= 1u << i;
		if ((r = fn(p, i, kn, vn, arg)) < 0)
			return r;
	}
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *kn = tp_node(p, pr->key), *vn = tp_node(p, pr->value);
		if (strcmp((const char *)kn->data.scalar.value, "<<"))
			continue;
		if (vn->type == YAML_MAPPING_NODE) {
			if ((r = walk_pairs(p, vn, where, keys, fn, arg, seen, true, depth + 1)) < 0)
				return r;
			continue;
		}
		if (vn->type != YAML_SEQUENCE_NODE)
			return tp_fail(p, vn, "%s: '<<' takes a map or a list of maps", where);
		for (yaml_node_item_t *it = vn->data.sequence.items.start; it < vn->data.sequence.items.top; it++) {
			yaml_node_t *m = tp_node(p, *it);
			if (m->type != YAML_MAPPING_NODE)
				return tp_fail(p, m, "%s: '<<' takes a map or a list of maps", where);
			if ((r = walk_pairs(p, m, where, keys, fn, arg, seen, true, depth + 1)) < 0)
				return r;
		}
	}
	return 0;
}

int tp_map_walk(struct tp *p, yaml_node_t *n, const char *where, const struct tp_keys *keys,
		int (*fn)(struct tp *p, int key, yaml_node_t *k, yaml_node_t *v, void *arg), void *arg)
{
	uint32_t seen = 0;

	if (tp_is_null(n))
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return tp_fail(p, n, "%s: expected a map, not %s", where, node_type_name(n));
	return walk_pairs(p, n, where, keys, fn, arg, &seen, false, 0);
}
