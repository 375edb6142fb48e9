/* Image records (images/HEX.json, named by the config's digest): written by
 * img_image_add, read back with their config, layers and names, found as Docker finds
 * images, listed newest first. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/json_field.h"
#include "image/store_int.h"

#define OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define OCI_LAYER "application/vnd.oci.image.layer.v1.tar"

static void record_path(const struct img_store *st, const char *id, char *buf, size_t len)
{
	snprintf(buf, len, "%s/images/%s.json", st->root, img_digest_hex(id));
}

void img_record_clear(struct img_record *r)
{
	img_strv_free(r->layers);
	img_strv_free(r->blobs);
	img_strv_free(r->media_types);
	memset(r, 0, sizeof(*r));
}

/* A JSON array of strings as a NULL-ended vector; digests when digests is set. */
static int strv_from_json(json_t *a, bool digests, char ***ret)
{
	size_t n = json_array_size(a);
	char **v;

	if (!json_is_array(a))
		return -EINVAL;
	v = calloc(n + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const char *s = json_string_value(json_array_get(a, i));

		if (!s || (digests && !img_digest_valid(s)) || !(v[i] = strdup(s))) {
			img_strv_free(v);
			return s ? -ENOMEM : -EINVAL;
		}
	}
	*ret = v;
	return 0;
}

static size_t strv_len(char **v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

int img_record_read(const struct img_store *st, const char *id, struct img_record *ret, struct nr_error *err)
{
	char path[PATH_MAX];
	_cleanup_free_ char *text = NULL;
	_cleanup_json_ json_t *o = NULL;
	struct img_record r = { 0 };
	const char *s;
	size_t len;
	int q;

	record_path(st, id, path, sizeof(path));
	q = img_fs_read(path, 16u << 20, &text, &len);
	if (q == -ENOENT)
		return nr_error_set(err, RT_ERR_NOT_FOUND, ENOENT, "No such image: %s", id);
	if (q < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, -q, "reading %s: %s", path, strerror(-q));
	o = json_loadb(text, len, 0, NULL);
	if (!json_is_object(o))
		goto corrupt;
	s = json_string_value(json_object_get(o, "id"));
	if (!s || strcmp(s, id) != 0)
		goto corrupt;
	memcpy(r.id, s, IMG_DIGEST_LEN + 1);
	s = json_string_value(json_object_get(o, "manifest"));
	if (!img_digest_valid(s))
		goto corrupt;
	memcpy(r.manifest, s, IMG_DIGEST_LEN + 1);
	if (strv_from_json(json_object_get(o, "layers"), true, &r.layers) < 0 ||
	    strv_from_json(json_object_get(o, "blobs"), true, &r.blobs) < 0 ||
	    strv_from_json(json_object_get(o, "media_types"), false, &r.media_types) < 0 ||
	    strv_len(r.layers) != strv_len(r.blobs) || strv_len(r.layers) != strv_len(r.media_types))
		goto corrupt;
	r.created = json_integer_value(json_object_get(o, "created"));
	*ret = r;
	return 0;
corrupt:
	img_record_clear(&r);
	return nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "image record %s is corrupt", path);
}

static int record_write(struct img_store *st, const struct img_record *r, size_t n, struct nr_error *err)
{
	_cleanup_json_ json_t *o = json_object(), *layers = json_array(), *blobs = json_array(), *types = json_array();
	_cleanup_free_ char *text = NULL;
	char path[PATH_MAX];
	bool ok = o && layers && blobs && types;

	for (size_t i = 0; ok && i < n; i++)
		ok = json_array_append_new(layers, json_string(r->layers[i])) == 0 &&
		     json_array_append_new(blobs, json_string(r->blobs[i])) == 0 &&
		     json_array_append_new(types, json_string(r->media_types[i])) == 0;
	ok = ok && json_object_set_new(o, "id", json_string(r->id)) == 0 &&
	     json_object_set_new(o, "manifest", json_string(r->manifest)) == 0 &&
	     json_object_set(o, "layers", layers) == 0 && json_object_set(o, "blobs", blobs) == 0 &&
	     json_object_set(o, "media_types", types) == 0 &&
	     json_object_set_new(o, "created", json_integer(r->created)) == 0 && (text = json_dumps(o, JSON_INDENT(1)));
	if (!ok)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	record_path(st, r->id, path, sizeof(path));
	return img_store_write_record(st, path, text, err);
}

/* An OCI manifest naming the config and the layer blobs, stored as a blob. */
static int manifest_make(struct img_store *st, const char *config, const struct img_layer *layers, size_t n,
			 img_digest ret, struct nr_error *err)
{
	_cleanup_json_ json_t *m = NULL, *ls = json_array();
	_cleanup_free_ char *text = NULL;
	char path[PATH_MAX];
	struct stat sb;

	if (stat(img_blob_path(st, config, path, sizeof(path)), &sb) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "config blob %s: %m", config);
	for (size_t i = 0; ls && i < n; i++) {
		json_t *d = json_pack("{s:s, s:s, s:I}", "mediaType",
				      layers[i].media_type[0] ? layers[i].media_type : OCI_LAYER, "digest",
				      layers[i].blob, "size", (json_int_t)layers[i].blob_size);

		if (!d || json_array_append_new(ls, d) < 0)
			return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	}
	m = json_pack("{s:i, s:s, s:{s:s, s:s, s:I}, s:O}", "schemaVersion", 2, "mediaType", OCI_MANIFEST, "config",
		      "mediaType", OCI_CONFIG, "digest", config, "size", (json_int_t)sb.st_size, "layers", ls);
	if (!m || !(text = json_dumps(m, JSON_COMPACT)))
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	return img_blob_put(st, text, strlen(text), ret, err);
}

/* config's rootfs.diff_ids must be the layers' diff ids, in order. */
static int check_diff_ids(json_t *config, const char *id, const struct img_layer *layers, size_t n,
			  struct nr_error *err)
{
	json_t *ids = json_object_get(json_object_get(config, "rootfs"), "diff_ids");

	if (!ids && n == 0)
		return 0;
	if (!json_is_array(ids) || json_array_size(ids) != n)
		return nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "image %s: its config lists %zu layers, not %zu", id,
				    json_is_array(ids) ? json_array_size(ids) : 0, n);
	for (size_t i = 0; i < n; i++) {
		const char *d = json_string_value(json_array_get(ids, i));

		if (!d || strcmp(d, layers[i].diff_id) != 0)
			return nr_error_set(err, RT_ERR_CORRUPT, EINVAL,
					    "image %s: layer %zu is %s but its config says %s", id, i + 1,
					    layers[i].diff_id, d ? d : "(not a string)");
	}
	return 0;
}

static int config_load(const struct img_store *st, const char *id, json_t **ret, struct nr_error *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	json_t *o;
	int r = img_blob_read(st, id, &text, &len, err);

	if (r < 0)
		return r;
	o = json_loadb(text, len, 0, NULL);
	if (!json_is_object(o)) {
		json_decref(o);
		return nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "image config %s is not a JSON object", id);
	}
	*ret = o;
	return 0;
}

int img_image_add(struct img_store *st, const char *config, const struct img_layer *layers, size_t n,
		  const char *manifest, struct nr_error *err)
{
	_cleanup_json_ json_t *cfg = NULL;
	_cleanup_free_ char **lv = NULL, **bv = NULL, **tv = NULL;
	struct img_record r = { 0 };
	char path[PATH_MAX];
	const char *created;
	int q;

	if ((q = img_store_need_writer(st, "adding an image", err)) < 0)
		return q;
	if (!img_digest_valid(config) || !img_blob_has(st, config))
		return nr_error_set(err, RT_ERR_NOT_FOUND, ENOENT, "image config %s is not in the store", config);
	record_path(st, config, path, sizeof(path));
	if (access(path, F_OK) == 0)
		return 0;
	if ((q = config_load(st, config, &cfg, err)) < 0 || (q = check_diff_ids(cfg, config, layers, n, err)) < 0)
		return q;
	for (size_t i = 0; i < n; i++) {
		img_digest chain;

		img_chain_id(i ? layers[i - 1].chain_id : NULL, layers[i].diff_id, chain);
		if (strcmp(chain, layers[i].chain_id) != 0)
			return nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "layer %s: chain id should be %s",
					    layers[i].chain_id, chain);
		if (!img_layer_has(st, layers[i].chain_id))
			return nr_error_set(err, RT_ERR_NOT_FOUND, ENOENT, "layer %s is not in the store",
					    layers[i].chain_id);
		if (!img_blob_has(st, layers[i].blob))
			return nr_error_set(err, RT_ERR_NOT_FOUND, ENOENT, "layer blob %s is not in the store",
					    layers[i].blob);
	}
	if (manifest && (!img_digest_valid(manifest) || !img_blob_has(st, manifest)))
		return nr_error_set(err, RT_ERR_NOT_FOUND, ENOENT, "manifest %s is not in the store", manifest);
	if (manifest)
		memcpy(r.manifest, manifest, IMG_DIGEST_LEN + 1);
	else if ((q = manifest_make(st, config, layers, n, r.manifest, err)) < 0)
		return q;
	memcpy(r.id, config, IMG_DIGEST_LEN + 1);
	lv = calloc(n + 1, sizeof(char *));
	bv = calloc(n + 1, sizeof(char *));
	tv = calloc(n + 1, sizeof(char *));
	if (!lv || !bv || !tv)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		lv[i] = (char *)layers[i].chain_id;
		bv[i] = (char *)layers[i].blob;
		tv[i] = (char *)(layers[i].media_type[0] ? layers[i].media_type : OCI_LAYER);
	}
	r.layers = lv;
	r.blobs = bv;
	r.media_types = tv;
	created = json_string_value(json_object_get(cfg, "created"));
	if (!created || img_time_parse(created, &r.created) < 0)
		r.created = 0;
	return record_write(st, &r, n, err);
}

void img_image_free(struct img_image *im)
{
	if (!im)
		return;
	json_decref(im->config);
	free(im->layers);
	img_strv_free(im->tags);
	free(im);
}

void img_image_list_free(struct img_image **list)
{
	if (!list)
		return;
	for (struct img_image **p = list; *p; p++)
		img_image_free(*p);
	free(list);
}

/* One image, its names taken from names (repositories.json, loaded once by the caller). */
static int image_load(const struct img_store *st, const char *id, json_t *names, struct img_image **ret,
		      struct nr_error *err)
{
	_cleanup_img_image_ struct img_image *im = calloc(1, sizeof(*im));
	_cleanup_(img_record_clear) struct img_record r = { 0 };
	char path[PATH_MAX];
	struct stat sb;
	int q;

	if (!im)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	if ((q = img_record_read(st, id, &r, err)) < 0 || (q = config_load(st, id, &im->config, err)) < 0)
		return q;
	memcpy(im->id, r.id, sizeof(im->id));
	memcpy(im->manifest, r.manifest, sizeof(im->manifest));
	im->created = r.created;
	im->n_layers = strv_len(r.layers);
	im->layers = calloc(im->n_layers + 1, sizeof(*im->layers));
	if (!im->layers)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	for (size_t i = 0; i < im->n_layers; i++) {
		struct img_layer *l = &im->layers[i];

		if ((q = img_layer_load(st, r.layers[i], l, err)) < 0)
			return nr_error_wrap(err, q, "image %s", id);
		/* The blob this image has for the layer, which may not be the one it was unpacked from. */
		memcpy(l->blob, r.blobs[i], sizeof(l->blob));
		snprintf(l->media_type, sizeof(l->media_type), "%s", r.media_types[i]);
		l->blob_size = stat(img_blob_path(st, l->blob, path, sizeof(path)), &sb) == 0 ? sb.st_size : 0;
		im->size += l->size;
	}
	if (img_names_of(names, id, &im->tags) < 0)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	*ret = TAKE_PTR(im);
	return 0;
}

static bool is_hex(const char *s)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

int img_image_ids(const struct img_store *st, char ***ret, struct nr_error *err)
{
	char path[PATH_MAX];
	DIR *d;
	struct dirent *de;
	char **v = NULL;
	size_t n = 0, cap = 0;

	snprintf(path, sizeof(path), "%s/images", st->root);
	d = opendir(path);
	if (!d)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "reading %s: %m", path);
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len != IMG_DIGEST_HEX + 5 || strcmp(de->d_name + IMG_DIGEST_HEX, ".json") != 0)
			continue;
		if (n + 1 >= cap) {
			char **nv = realloc(v, (cap = cap ? 2 * cap : 16) * sizeof(*v));

			if (!nv)
				goto nomem;
			v = nv;
		}
		if (!(v[n] = malloc(IMG_DIGEST_LEN + 1)))
			goto nomem;
		snprintf(v[n], IMG_DIGEST_LEN + 1, "sha256:%.64s", de->d_name);
		if (!is_hex(v[n] + 7)) {
			free(v[n]);
			continue;
		}
		v[++n] = NULL;
	}
	closedir(d);
	if (!v && !(v = calloc(1, sizeof(*v))))
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	*ret = v;
	return 0;
nomem:
	closedir(d);
	if (v)
		v[n] = NULL;
	img_strv_free(v);
	return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
}

int img_image_load(const struct img_store *st, const char *id, struct img_image **ret, struct nr_error *err)
{
	_cleanup_json_ json_t *names = NULL;
	int r = img_names_load(st, &names, err);

	return r < 0 ? r : image_load(st, id, names, ret, err);
}

/* The one image whose id's hex starts with prefix. */
static int find_prefix(const struct img_store *st, const char *what, json_t *names, struct img_image **ret,
		       struct nr_error *err)
{
	_cleanup_strv_ char **ids = NULL;
	const char *found = NULL;
	int r = img_image_ids(st, &ids, err);

	if (r < 0)
		return r;
	for (char **p = ids; *p; p++) {
		if (strncmp(*p + 7, what, strlen(what)) != 0)
			continue;
		if (found)
			return nr_error_set(err, RT_ERR_USAGE, EINVAL, "multiple IDs found with provided prefix: %s",
					    what);
		found = *p;
	}
	if (!found)
		return nr_error_set(err, RT_ERR_NOT_FOUND, ENOENT, "No such image: %s", what);
	return image_load(st, found, names, ret, err);
}

/* name@digest: the image whose manifest (or config) has that digest. */
static int find_digest(const struct img_store *st, const char *what, const char *digest, json_t *names,
		       struct img_image **ret, struct nr_error *err)
{
	_cleanup_strv_ char **ids = NULL;
	int r = img_image_ids(st, &ids, err);

	if (r < 0)
		return r;
	for (char **p = ids; *p; p++) {
		_cleanup_(img_record_clear) struct img_record rec = { 0 };

		if (img_record_read(st, *p, &rec, NULL) < 0)
			continue;
		if (!strcmp(rec.manifest, digest) || !strcmp(rec.id, digest))
			return image_load(st, *p, names, ret, err);
	}
	return nr_error_set(err, RT_ERR_NOT_FOUND, ENOENT, "No such image: %s", what);
}

static bool hex_prefix(const char *s)
{
	size_t n = strlen(s);

	return n >= 4 && n <= IMG_DIGEST_HEX && is_hex(s);
}

int img_image_find(const struct img_store *st, const char *what, struct img_image **ret, struct nr_error *err)
{
	_cleanup_json_ json_t *names = NULL;
	struct img_ref ref;
	struct nr_error ref_err = { 0 };
	char key[IMG_REF_NAME_MAX + IMG_REF_TAG_MAX + 2];
	char path[PATH_MAX];
	const char *id;
	int r;

	if (!what || !*what)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "invalid reference format: empty image name");
	if ((r = img_names_load(st, &names, err)) < 0)
		return r;
	if (img_digest_valid(what)) {
		record_path(st, what, path, sizeof(path));
		if (access(path, F_OK) < 0)
			return nr_error_set(err, RT_ERR_NOT_FOUND, ENOENT, "No such image: %s", what);
		return image_load(st, what, names, ret, err);
	}
	/* A name first, then an id prefix, as Docker: "cafe" is a name before it is an id. */
	if (img_ref_parse(what, &ref, &ref_err) == 0) {
		if (ref.digest[0])
			return find_digest(st, what, ref.digest, names, ret, err);
		snprintf(key, sizeof(key), "%s:%s", ref.name, ref.tag);
		id = json_string_value(json_object_get(names, key));
		if (id)
			return image_load(st, id, names, ret, err);
	} else if (!hex_prefix(what) && !(strncmp(what, "sha256:", 7) == 0 && hex_prefix(what + 7))) {
		nr_error_copy(err, &ref_err);
		return -EINVAL;
	}
	if (hex_prefix(what))
		return find_prefix(st, what, names, ret, err);
	/* "sha256:" and a prefix, as Docker's digest set takes too. */
	if (!strncmp(what, "sha256:", 7) && hex_prefix(what + 7))
		return find_prefix(st, what + 7, names, ret, err);
	return nr_error_set(err, RT_ERR_NOT_FOUND, ENOENT, "No such image: %s", what);
}

static int cmp_newest(const void *a, const void *b)
{
	const struct img_image *x = *(struct img_image *const *)a, *y = *(struct img_image *const *)b;

	if (x->created != y->created)
		return x->created > y->created ? -1 : 1;
	return strcmp(x->id, y->id);
}

int img_image_list(const struct img_store *st, struct img_image ***ret, struct nr_error *err)
{
	_cleanup_json_ json_t *names = NULL;
	_cleanup_strv_ char **ids = NULL;
	struct img_image **list;
	size_t n;
	int r;

	if ((r = img_names_load(st, &names, err)) < 0 || (r = img_image_ids(st, &ids, err)) < 0)
		return r;
	n = strv_len(ids);
	list = calloc(n + 1, sizeof(*list));
	if (!list)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		r = image_load(st, ids[i], names, &list[i], err);
		if (r < 0) {
			img_image_list_free(list);
			return r;
		}
	}
	qsort(list, n, sizeof(*list), cmp_newest);
	*ret = list;
	return 0;
}
