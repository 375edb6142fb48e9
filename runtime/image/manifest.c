#include "image/manifest.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/json_field.h"
#include "engine/rt_error.h"

static int corrupt(struct nr_error *err, const char *what, const char *key, const char *type)
{
	return nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "%s: '%s' must be %s", what, key, type);
}

static int parse_doc(const char *text, size_t len, const char *what, json_t **ret, struct nr_error *err)
{
	json_error_t jerr;
	json_t *doc;

	if (len > IMG_MANIFEST_MAX_BYTES)
		return nr_error_set(err, RT_ERR_CORRUPT, E2BIG, "%s: %zu bytes, more than the %d allowed", what, len,
				    IMG_MANIFEST_MAX_BYTES);
	doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc)
		return nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "%s: not JSON: %s (line %d, column %d)", what,
				    jerr.text, jerr.line, jerr.column);
	*ret = doc;
	return 0;
}

/* An optional string member: absent or null leaves *ret NULL. */
static int opt_string(json_t *obj, const char *key, const char *what, char **ret, struct nr_error *err)
{
	json_t *v = json_get_go(obj, key);

	*ret = NULL;
	if (!v)
		return 0;
	if (!json_is_string(v))
		return corrupt(err, what, key, "a string");
	*ret = strdup(json_string_value(v));
	return *ret ? 0 : nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
}

static int digest_of(json_t *v, const char *what, const char *key, img_digest ret, struct nr_error *err)
{
	const char *s;

	if (!json_is_string(v))
		return corrupt(err, what, key, "a string");
	s = json_string_value(v);
	if (strncmp(s, "sha256:", 7) != 0 && strchr(s, ':'))
		return nr_error_set(err, RT_ERR_CORRUPT, ENOTSUP, "%s: digest '%.80s': only sha256 is supported", what,
				    s);
	if (!img_digest_valid(s))
		return nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "%s: '%s' is not a sha256 digest: '%.80s'", what, key,
				    s);
	memcpy(ret, s, IMG_DIGEST_LEN + 1);
	return 0;
}

void img_desc_clear(struct img_desc *d)
{
	if (!d)
		return;
	free(d->media_type);
	free(d->ref_name);
	free(d->image_name);
	free(d->since);
	memset(d, 0, sizeof(*d));
}

static int annotation(json_t *ann, const char *key, const char *what, char **ret, struct nr_error *err)
{
	/* Annotation keys are exact (a map, not a struct field). */
	json_t *v = json_object_get(ann, key);

	*ret = NULL;
	if (!v)
		return 0;
	if (!json_is_string(v))
		return corrupt(err, what, key, "a string");
	*ret = strdup(json_string_value(v));
	return *ret ? 0 : nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
}

static int platform_field(json_t *plat, const char *key, const char *what, char *buf, size_t len, struct nr_error *err)
{
	json_t *v = json_get_go(plat, key);

	if (!v)
		return 0;
	if (!json_is_string(v) || strlen(json_string_value(v)) >= len)
		return corrupt(err, what, key, "a short string");
	strcpy(buf, json_string_value(v));
	return 0;
}

static int desc_parse(json_t *o, const char *what, struct img_desc *d, struct nr_error *err)
{
	json_t *v, *ann, *plat;
	int r;

	memset(d, 0, sizeof(*d));
	d->size = -1;
	if (!json_is_object(o))
		return corrupt(err, what, "descriptor", "an object");
	if ((r = opt_string(o, "mediaType", what, &d->media_type, err)) < 0)
		return r;
	v = json_get_go(o, "digest");
	if (!v)
		return nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "%s: descriptor without 'digest'", what);
	if ((r = digest_of(v, what, "digest", d->digest, err)) < 0)
		return r;
	v = json_get_go(o, "size");
	if (v) {
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			return corrupt(err, what, "size", "a non-negative integer");
		d->size = json_integer_value(v);
	}
	v = json_get_go(o, "urls");
	if (v) {
		if (!json_is_array(v))
			return corrupt(err, what, "urls", "an array");
		d->has_urls = json_array_size(v) > 0;
	}
	ann = json_get_go(o, "annotations");
	if (ann) {
		if (!json_is_object(ann))
			return corrupt(err, what, "annotations", "an object");
		if ((r = annotation(ann, IMG_ANN_REF_NAME, what, &d->ref_name, err)) < 0 ||
		    (r = annotation(ann, IMG_ANN_IMAGE_NAME, what, &d->image_name, err)) < 0 ||
		    (r = annotation(ann, IMG_ANN_SINCE, what, &d->since, err)) < 0)
			return r;
	}
	plat = json_get_go(o, "platform");
	if (plat) {
		if (!json_is_object(plat))
			return corrupt(err, what, "platform", "an object");
		if ((r = platform_field(plat, "os", what, d->os, sizeof(d->os), err)) < 0 ||
		    (r = platform_field(plat, "architecture", what, d->arch, sizeof(d->arch), err)) < 0)
			return r;
	}
	return 0;
}

enum img_mt_kind img_media_type_kind(const char *mt)
{
	static const struct {
		const char *mt;
		enum img_mt_kind kind;
	} table[] = {
		{ IMG_MT_OCI_INDEX, IMG_MT_KIND_INDEX },
		{ IMG_MT_DOCKER_LIST, IMG_MT_KIND_INDEX },
		{ IMG_MT_OCI_MANIFEST, IMG_MT_KIND_MANIFEST },
		{ IMG_MT_DOCKER_MANIFEST, IMG_MT_KIND_MANIFEST },
		{ "application/vnd.docker.distribution.manifest.v1+json", IMG_MT_KIND_SCHEMA1 },
		{ "application/vnd.docker.distribution.manifest.v1+prettyjws", IMG_MT_KIND_SCHEMA1 },
		{ IMG_MT_OCI_CONFIG, IMG_MT_KIND_CONFIG },
		{ IMG_MT_DOCKER_CONFIG, IMG_MT_KIND_CONFIG },
		{ IMG_MT_OCI_LAYER, IMG_MT_KIND_LAYER },
		{ "application/vnd.docker.image.rootfs.diff.tar", IMG_MT_KIND_LAYER },
		{ IMG_MT_OCI_LAYER_GZIP, IMG_MT_KIND_LAYER_GZIP },
		{ "application/vnd.docker.image.rootfs.diff.tar.gzip", IMG_MT_KIND_LAYER_GZIP },
		{ IMG_MT_OCI_LAYER_ZSTD, IMG_MT_KIND_LAYER_ZSTD },
		{ "application/vnd.docker.image.rootfs.diff.tar.zstd", IMG_MT_KIND_LAYER_ZSTD },
		{ "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", IMG_MT_KIND_FOREIGN },
		{ "application/vnd.oci.image.layer.nondistributable.v1.tar", IMG_MT_KIND_FOREIGN },
		{ "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", IMG_MT_KIND_FOREIGN },
		{ "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", IMG_MT_KIND_FOREIGN },
	};

	if (!mt)
		return IMG_MT_KIND_UNKNOWN;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(mt, table[i].mt) == 0)
			return table[i].kind;
	return IMG_MT_KIND_UNKNOWN;
}

const char *img_layer_media_type(enum img_mt_kind kind)
{
	switch (kind) {
	case IMG_MT_KIND_LAYER:
		return IMG_MT_OCI_LAYER;
	case IMG_MT_KIND_LAYER_GZIP:
		return IMG_MT_OCI_LAYER_GZIP;
	case IMG_MT_KIND_LAYER_ZSTD:
		return IMG_MT_OCI_LAYER_ZSTD;
	default:
		return NULL;
	}
}

int img_oci_layout_parse(const char *text, size_t len, struct nr_error *err)
{
	_cleanup_json_ json_t *doc = NULL;
	json_t *v;
	int r;

	if ((r = parse_doc(text, len, "oci-layout", &doc, err)) < 0)
		return r;
	if (!json_is_object(doc))
		return corrupt(err, "oci-layout", "oci-layout", "an object");
	v = json_get_go(doc, "imageLayoutVersion");
	if (!v || !json_is_string(v))
		return corrupt(err, "oci-layout", "imageLayoutVersion", "a string");
	/* The spec's only version is 1.0.0; a 1.x would stay compatible, 2 would not. */
	if (strncmp(json_string_value(v), "1.", 2) != 0)
		return nr_error_set(err, RT_ERR_CORRUPT, ENOTSUP,
				    "oci-layout: image layout version '%.40s' is not supported (1.x is)",
				    json_string_value(v));
	return 0;
}

static int schema_version(json_t *doc, const char *what, struct nr_error *err)
{
	json_t *v = json_get_go(doc, "schemaVersion");

	if (!v)
		return 0; /* Docker's index.json writers always set it; tolerate its absence */
	if (!json_is_integer(v))
		return corrupt(err, what, "schemaVersion", "an integer");
	if (json_integer_value(v) == 1)
		return nr_error_set(err, RT_ERR_CORRUPT, ENOTSUP,
				    "%s: a Docker schema 1 manifest is not supported (schema 2 or OCI is)", what);
	if (json_integer_value(v) != 2)
		return nr_error_set(err, RT_ERR_CORRUPT, ENOTSUP, "%s: schemaVersion %lld is not supported (2 is)",
				    what, (long long)json_integer_value(v));
	return 0;
}

void img_oci_index_clear(struct img_oci_index *ix)
{
	if (!ix)
		return;
	for (size_t i = 0; i < ix->n; i++)
		img_desc_clear(&ix->manifests[i]);
	free(ix->manifests);
	free(ix->media_type);
	memset(ix, 0, sizeof(*ix));
}

int img_oci_index_parse(const char *text, size_t len, struct img_oci_index *ret, struct nr_error *err)
{
	static const char what[] = "image index";
	_cleanup_json_ json_t *doc = NULL;
	struct img_oci_index ix = { 0 };
	json_t *arr;
	int r;

	if ((r = parse_doc(text, len, what, &doc, err)) < 0)
		return r;
	if (!json_is_object(doc))
		return corrupt(err, what, "index", "an object");
	if ((r = schema_version(doc, what, err)) < 0)
		return r;
	if ((r = opt_string(doc, "mediaType", what, &ix.media_type, err)) < 0)
		return r;
	if (ix.media_type && img_media_type_kind(ix.media_type) != IMG_MT_KIND_INDEX) {
		r = nr_error_set(err, RT_ERR_CORRUPT, ENOTSUP, "%s: media type '%.100s' is not an index", what,
				 ix.media_type);
		goto fail;
	}
	arr = json_get_go(doc, "manifests");
	if (!arr || !json_is_array(arr)) {
		r = corrupt(err, what, "manifests", "an array");
		goto fail;
	}
	if (json_array_size(arr) > IMG_MANIFEST_MAX_IMAGES) {
		r = nr_error_set(err, RT_ERR_CORRUPT, E2BIG, "%s: %zu manifests, more than the %d allowed", what,
				 json_array_size(arr), IMG_MANIFEST_MAX_IMAGES);
		goto fail;
	}
	ix.manifests = calloc(json_array_size(arr) + 1, sizeof(*ix.manifests));
	if (!ix.manifests) {
		r = nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < json_array_size(arr); i++) {
		r = desc_parse(json_array_get(arr, i), what, &ix.manifests[i], err);
		ix.n = i + 1;
		if (r < 0)
			goto fail;
	}
	*ret = ix;
	return 0;
fail:
	img_oci_index_clear(&ix);
	return r;
}

void img_oci_manifest_clear(struct img_oci_manifest *m)
{
	if (!m)
		return;
	img_desc_clear(&m->config);
	for (size_t i = 0; i < m->n_layers; i++)
		img_desc_clear(&m->layers[i]);
	free(m->layers);
	free(m->media_type);
	memset(m, 0, sizeof(*m));
}

int img_oci_manifest_parse(const char *text, size_t len, struct img_oci_manifest *ret, struct nr_error *err)
{
	static const char what[] = "image manifest";
	_cleanup_json_ json_t *doc = NULL;
	struct img_oci_manifest m = { 0 };
	json_t *arr, *cfg;
	int r;

	if ((r = parse_doc(text, len, what, &doc, err)) < 0)
		return r;
	if (!json_is_object(doc))
		return corrupt(err, what, "manifest", "an object");
	if ((r = opt_string(doc, "mediaType", what, &m.media_type, err)) < 0)
		return r;
	if (m.media_type && img_media_type_kind(m.media_type) == IMG_MT_KIND_SCHEMA1) {
		r = nr_error_set(err, RT_ERR_CORRUPT, ENOTSUP,
				 "%s: a Docker schema 1 manifest is not supported (schema 2 or OCI is)", what);
		goto fail;
	}
	if ((r = schema_version(doc, what, err)) < 0)
		goto fail;
	if (m.media_type && img_media_type_kind(m.media_type) != IMG_MT_KIND_MANIFEST) {
		r = nr_error_set(err, RT_ERR_CORRUPT, ENOTSUP, "%s: media type '%.100s' is not an image manifest", what,
				 m.media_type);
		goto fail;
	}
	cfg = json_get_go(doc, "config");
	if (!cfg) {
		r = nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "%s: no 'config'", what);
		goto fail;
	}
	if ((r = desc_parse(cfg, what, &m.config, err)) < 0)
		goto fail;
	arr = json_get_go(doc, "layers");
	if (!arr || !json_is_array(arr)) {
		r = corrupt(err, what, "layers", "an array");
		goto fail;
	}
	if (json_array_size(arr) > IMG_MANIFEST_MAX_LAYERS) {
		r = nr_error_set(err, RT_ERR_CORRUPT, E2BIG, "%s: %zu layers, more than the %d allowed", what,
				 json_array_size(arr), IMG_MANIFEST_MAX_LAYERS);
		goto fail;
	}
	m.layers = calloc(json_array_size(arr) + 1, sizeof(*m.layers));
	if (!m.layers) {
		r = nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < json_array_size(arr); i++) {
		r = desc_parse(json_array_get(arr, i), what, &m.layers[i], err);
		m.n_layers = i + 1;
		if (r < 0)
			goto fail;
	}
	*ret = m;
	return 0;
fail:
	img_oci_manifest_clear(&m);
	return r;
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void img_docker_manifest_clear(struct img_docker_manifest *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++) {
		struct img_docker_entry *e = &m->entries[i];

		free(e->config);
		strv_free(e->repo_tags, e->n_tags);
		strv_free(e->layers, e->n_layers);
		free(e->since_ref);
	}
	free(m->entries);
	memset(m, 0, sizeof(*m));
}

/* An array of strings (null = empty), at most max. */
static int string_array(json_t *arr, const char *what, const char *key, size_t max, char ***ret, size_t *ret_n,
			struct nr_error *err)
{
	char **v;

	*ret = NULL;
	*ret_n = 0;
	if (!arr)
		return 0;
	if (!json_is_array(arr))
		return corrupt(err, what, key, "an array of strings");
	if (json_array_size(arr) > max)
		return nr_error_set(err, RT_ERR_CORRUPT, E2BIG, "%s: %zu %s, more than the %zu allowed", what,
				    json_array_size(arr), key, max);
	v = calloc(json_array_size(arr) + 1, sizeof(*v));
	if (!v)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *s = json_array_get(arr, i);

		if (!json_is_string(s) || !(v[i] = strdup(json_string_value(s)))) {
			strv_free(v, i);
			return json_is_string(s) ? nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory")
						 : corrupt(err, what, key, "an array of strings");
		}
	}
	*ret = v;
	*ret_n = json_array_size(arr);
	return 0;
}

static int docker_since(json_t *obj, const char *what, struct img_docker_entry *e, struct nr_error *err)
{
	json_t *since = json_object_get(obj, IMG_DOCKER_SINCE_KEY);
	json_t *id;
	int r;

	if (!since)
		return 0;
	if (!json_is_object(since))
		return corrupt(err, what, IMG_DOCKER_SINCE_KEY, "an object");
	id = json_object_get(since, "id");
	if (!id)
		return nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "%s: '%s' without 'id'", what, IMG_DOCKER_SINCE_KEY);
	if ((r = digest_of(id, what, IMG_DOCKER_SINCE_KEY ".id", e->since_id, err)) < 0)
		return r;
	if ((r = opt_string(since, "ref", what, &e->since_ref, err)) < 0)
		return r;
	if (!e->since_ref && !(e->since_ref = strdup("")))
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	return 0;
}

int img_docker_manifest_parse(const char *text, size_t len, struct img_docker_manifest *ret, struct nr_error *err)
{
	static const char what[] = "manifest.json";
	_cleanup_json_ json_t *doc = NULL;
	struct img_docker_manifest m = { 0 };
	int r;

	if ((r = parse_doc(text, len, what, &doc, err)) < 0)
		return r;
	if (!json_is_array(doc))
		return corrupt(err, what, "manifest.json", "an array");
	if (json_array_size(doc) == 0)
		return nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "%s: no images", what);
	if (json_array_size(doc) > IMG_MANIFEST_MAX_IMAGES)
		return nr_error_set(err, RT_ERR_CORRUPT, E2BIG, "%s: %zu images, more than the %d allowed", what,
				    json_array_size(doc), IMG_MANIFEST_MAX_IMAGES);
	m.entries = calloc(json_array_size(doc), sizeof(*m.entries));
	if (!m.entries)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	for (size_t i = 0; i < json_array_size(doc); i++) {
		json_t *o = json_array_get(doc, i);
		struct img_docker_entry *e = &m.entries[i];

		m.n = i + 1;
		if (!json_is_object(o)) {
			r = corrupt(err, what, "image", "an object");
			goto fail;
		}
		if ((r = opt_string(o, "Config", what, &e->config, err)) < 0)
			goto fail;
		if (!e->config || !e->config[0]) {
			r = nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "%s: image %zu has no 'Config'", what, i + 1);
			goto fail;
		}
		if ((r = string_array(json_get_go(o, "RepoTags"), what, "RepoTags", IMG_MANIFEST_MAX_TAGS,
				      &e->repo_tags, &e->n_tags, err)) < 0 ||
		    (r = string_array(json_get_go(o, "Layers"), what, "Layers", IMG_MANIFEST_MAX_LAYERS, &e->layers,
				      &e->n_layers, err)) < 0 ||
		    (r = docker_since(o, what, e, err)) < 0)
			goto fail;
	}
	*ret = m;
	return 0;
fail:
	img_docker_manifest_clear(&m);
	return r;
}

int img_config_diff_ids(const char *text, size_t len, img_digest **ret, size_t *ret_n, struct nr_error *err)
{
	static const char what[] = "image config";
	_cleanup_json_ json_t *doc = NULL;
	json_t *rootfs, *type, *ids;
	img_digest *v;
	int r;

	if ((r = parse_doc(text, len, what, &doc, err)) < 0)
		return r;
	if (!json_is_object(doc))
		return corrupt(err, what, "config", "an object");
	rootfs = json_get_go(doc, "rootfs");
	if (!rootfs || !json_is_object(rootfs))
		return corrupt(err, what, "rootfs", "an object");
	type = json_get_go(rootfs, "type");
	if (!type || !json_is_string(type) || strcmp(json_string_value(type), "layers") != 0)
		return corrupt(err, what, "rootfs.type", "\"layers\"");
	ids = json_get_go(rootfs, "diff_ids");
	if (ids && !json_is_array(ids))
		return corrupt(err, what, "rootfs.diff_ids", "an array");
	if (json_array_size(ids) > IMG_MANIFEST_MAX_LAYERS)
		return nr_error_set(err, RT_ERR_CORRUPT, E2BIG, "%s: %zu layers, more than the %d allowed", what,
				    json_array_size(ids), IMG_MANIFEST_MAX_LAYERS);
	v = calloc(json_array_size(ids) + 1, sizeof(*v));
	if (!v)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	for (size_t i = 0; i < json_array_size(ids); i++)
		if ((r = digest_of(json_array_get(ids, i), what, "rootfs.diff_ids", v[i], err)) < 0) {
			free(v);
			return r;
		}
	*ret = v;
	*ret_n = json_array_size(ids);
	return 0;
}

/* --- writers --- */

static json_t *desc_json(const struct img_desc *d)
{
	json_t *o = json_object(), *ann = NULL;

	if (d->media_type)
		json_object_set_new(o, "mediaType", json_string(d->media_type));
	json_object_set_new(o, "digest", json_string(d->digest));
	json_object_set_new(o, "size", json_integer(d->size < 0 ? 0 : d->size));
	if (d->image_name || d->ref_name || d->since) {
		/* jansson keeps insertion order: sorted keys give stable bytes. */
		ann = json_object();
		if (d->image_name)
			json_object_set_new(ann, IMG_ANN_IMAGE_NAME, json_string(d->image_name));
		if (d->since)
			json_object_set_new(ann, IMG_ANN_SINCE, json_string(d->since));
		if (d->ref_name)
			json_object_set_new(ann, IMG_ANN_REF_NAME, json_string(d->ref_name));
		json_object_set_new(o, "annotations", ann);
	}
	return o;
}

static char *dump(json_t *doc)
{
	char *s = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

	json_decref(doc);
	return s;
}

char *img_oci_manifest_write(const struct img_oci_manifest *m)
{
	json_t *doc = json_object(), *layers = json_array();

	json_object_set_new(doc, "schemaVersion", json_integer(2));
	json_object_set_new(doc, "mediaType", json_string(m->media_type ? m->media_type : IMG_MT_OCI_MANIFEST));
	json_object_set_new(doc, "config", desc_json(&m->config));
	for (size_t i = 0; i < m->n_layers; i++)
		json_array_append_new(layers, desc_json(&m->layers[i]));
	json_object_set_new(doc, "layers", layers);
	return dump(doc);
}

char *img_oci_index_write(const struct img_oci_index *ix)
{
	json_t *doc = json_object(), *arr = json_array();

	json_object_set_new(doc, "schemaVersion", json_integer(2));
	json_object_set_new(doc, "mediaType", json_string(ix->media_type ? ix->media_type : IMG_MT_OCI_INDEX));
	for (size_t i = 0; i < ix->n; i++)
		json_array_append_new(arr, desc_json(&ix->manifests[i]));
	json_object_set_new(doc, "manifests", arr);
	return dump(doc);
}

char *img_docker_manifest_write(const struct img_docker_manifest *m)
{
	json_t *doc = json_array();

	for (size_t i = 0; i < m->n; i++) {
		const struct img_docker_entry *e = &m->entries[i];
		json_t *o = json_object(), *tags = json_array(), *layers = json_array();

		json_object_set_new(o, "Config", json_string(e->config));
		for (size_t k = 0; k < e->n_tags; k++)
			json_array_append_new(tags, json_string(e->repo_tags[k]));
		/* Docker writes null for an image without names; podman and docker read both. */
		json_object_set_new(o, "RepoTags", e->n_tags ? tags : json_null());
		if (!e->n_tags)
			json_decref(tags);
		for (size_t k = 0; k < e->n_layers; k++)
			json_array_append_new(layers, json_string(e->layers[k]));
		json_object_set_new(o, "Layers", layers);
		if (e->since_id[0]) {
			json_t *s = json_object();

			json_object_set_new(s, "ref", json_string(e->since_ref ? e->since_ref : ""));
			json_object_set_new(s, "id", json_string(e->since_id));
			json_object_set_new(o, IMG_DOCKER_SINCE_KEY, s);
		}
		json_array_append_new(doc, o);
	}
	return dump(doc);
}

const char *img_oci_layout_text(void)
{
	return "{\"imageLayoutVersion\":\"" IMG_MT_OCI_LAYOUT_VERSION "\"}";
}
