/* Names: repositories.json maps full references ("docker.io/library/bb:1") to image ids;
 * rewritten whole, atomically, under the exclusive lock. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/json_field.h"
#include "image/store_int.h"

static void names_path(const struct img_store *st, char *buf, size_t len)
{
	snprintf(buf, len, "%s/repositories.json", st->root);
}

int img_names_load(const struct img_store *st, json_t **ret, struct nr_error *err)
{
	char path[PATH_MAX];
	_cleanup_free_ char *text = NULL;
	json_t *o, *v;
	const char *k;
	size_t len;
	int r;

	names_path(st, path, sizeof(path));
	r = img_fs_read(path, 64u << 20, &text, &len);
	if (r == -ENOENT) {
		*ret = json_object();
		return *ret ? 0 : nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	}
	if (r < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, -r, "reading %s: %s", path, strerror(-r));
	o = json_loadb(text, len, 0, NULL);
	if (!json_is_object(o)) {
		json_decref(o);
		return nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "%s is not a JSON object", path);
	}
	json_object_foreach(o, k, v) {
		if (!json_is_string(v) || !img_digest_valid(json_string_value(v))) {
			r = nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "%s: '%s' does not name an image id", path, k);
			json_decref(o);
			return r;
		}
	}
	*ret = o;
	return 0;
}

int img_names_save(struct img_store *st, json_t *names, struct nr_error *err)
{
	char path[PATH_MAX];
	_cleanup_free_ char *text = json_dumps(names, JSON_INDENT(1) | JSON_SORT_KEYS);

	if (!text)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	names_path(st, path, sizeof(path));
	return img_store_write_record(st, path, text, err);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int img_names_of(json_t *names, const char *id, char ***ret)
{
	size_t n = 0, i = 0;
	const char *k;
	json_t *v;
	char **out;

	json_object_foreach(names, k, v)
		n += strcmp(json_string_value(v), id) == 0;
	out = calloc(n + 1, sizeof(*out));
	if (!out)
		return -ENOMEM;
	json_object_foreach(names, k, v) {
		if (strcmp(json_string_value(v), id) != 0)
			continue;
		if (!(out[i++] = strdup(k))) {
			img_strv_free(out);
			return -ENOMEM;
		}
	}
	qsort(out, n, sizeof(*out), cmp_str);
	*ret = out;
	return 0;
}

/* The key a reference has in repositories.json: "name:tag". */
static int name_key(const char *ref, char *buf, size_t len, struct nr_error *err)
{
	struct img_ref r;
	int q = img_ref_parse(ref, &r, err);

	if (q < 0)
		return q;
	if (!r.tag[0])
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "refusing to create a tag with a digest reference: %s",
				    ref);
	snprintf(buf, len, "%s:%s", r.name, r.tag);
	return 0;
}

int img_tag_set(struct img_store *st, const char *ref, const char *id, struct nr_error *err)
{
	char key[IMG_REF_NAME_MAX + IMG_REF_TAG_MAX + 2], rec[PATH_MAX];
	_cleanup_json_ json_t *names = NULL;
	json_t *val;
	int r;

	if ((r = img_store_need_writer(st, "tagging an image", err)) < 0 ||
	    (r = name_key(ref, key, sizeof(key), err)) < 0)
		return r;
	if (!img_digest_valid(id))
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "not an image id: %s", id);
	snprintf(rec, sizeof(rec), "%s/images/%s.json", st->root, img_digest_hex(id));
	if (access(rec, F_OK) < 0)
		return nr_error_set(err, RT_ERR_NOT_FOUND, ENOENT, "No such image: %s", id);
	if ((r = img_names_load(st, &names, err)) < 0)
		return r;
	val = json_object_get(names, key);
	if (val && strcmp(json_string_value(val), id) == 0)
		return 0;
	/* Setting the key moves the name off whatever image it named before, as docker tag. */
	if (json_object_set_new(names, key, json_string(id)) < 0)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	return img_names_save(st, names, err);
}

int img_tag_remove(struct img_store *st, const char *ref, struct nr_error *err)
{
	char key[IMG_REF_NAME_MAX + IMG_REF_TAG_MAX + 2];
	_cleanup_json_ json_t *names = NULL;
	int r;

	if ((r = img_store_need_writer(st, "untagging an image", err)) < 0 ||
	    (r = name_key(ref, key, sizeof(key), err)) < 0 || (r = img_names_load(st, &names, err)) < 0)
		return r;
	if (json_object_del(names, key) < 0)
		return nr_error_set(err, RT_ERR_NOT_FOUND, ENOENT, "No such image: %s", ref);
	return img_names_save(st, names, err);
}
