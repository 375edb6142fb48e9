/* Planning a load (img_archive_load's step 2): manifest.json (docker save) or index.json
 * (the OCI layout, nested indexes followed to this machine's platform) parsed, every blob
 * they name found among the staged entries with the digest its name or descriptor
 * promises, uncompressed layers checked against the config's diff_ids (compressed ones
 * are checked as they are unpacked), and every layer the archive leaves out found in the
 * store, or the load refused naming the base it was saved --since.  Nothing is written. */
#include "image/archive_plan.h"
#include "image/store_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/json_field.h"
#include "engine/rt_error.h"

#define LOAD_MAX_DEPTH 4

static int nomem(struct nr_error *err)
{
	return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
}

static bool is_hex64(const char *s, size_t len)
{
	if (len != IMG_DIGEST_HEX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* The digest a path promises: "blobs/sha256/HEX" (OCI, Docker 25+) or "HEX.json" (docker
 * save's legacy config); "" when it promises none. */
static void named_digest(const char *path, img_digest ret)
{
	_cleanup_free_ char *p = stage_clean_path(path);
	const char *base;
	size_t len;

	ret[0] = '\0';
	if (!p)
		return;
	if (strncmp(p, "blobs/sha256/", 13) == 0 && is_hex64(p + 13, strlen(p + 13))) {
		snprintf(ret, IMG_DIGEST_LEN + 1, "sha256:%s", p + 13);
		return;
	}
	base = strrchr(p, '/') ? strrchr(p, '/') + 1 : p;
	len = strlen(base);
	if (len == IMG_DIGEST_HEX + 5 && strcmp(base + IMG_DIGEST_HEX, ".json") == 0 && is_hex64(base, IMG_DIGEST_HEX))
		snprintf(ret, IMG_DIGEST_LEN + 1, "sha256:%.64s", base);
}

static int check_named(struct staged *e, const char *path, const char *what, struct nr_error *err)
{
	img_digest want;

	named_digest(path, want);
	if (want[0] && strcmp(want, e->digest) != 0)
		return nr_error_set(err, RT_ERR_CORRUPT, EBADMSG, "%s %.200s: digest mismatch: expected %s, got %s",
				    what, path, want, e->digest);
	return 0;
}

/* An OCI blob by descriptor: blobs/sha256/HEX, its content's digest and size checked.
 * NULL (and 0) when the archive does not have it. */
static int oci_blob(struct load *ld, const struct img_desc *d, const char *what, struct staged **ret,
		    struct nr_error *err)
{
	char path[32 + IMG_DIGEST_HEX];
	struct staged *e;
	int r;

	snprintf(path, sizeof(path), "blobs/sha256/%s", img_digest_hex(d->digest));
	*ret = NULL;
	e = stage_find(&ld->s, path);
	if (!e)
		return 0;
	if ((r = check_named(e, path, what, err)) < 0)
		return r;
	if (d->size >= 0 && d->size != e->size)
		return nr_error_set(err, RT_ERR_CORRUPT, EBADMSG, "%s %s: size mismatch: expected %lld bytes, got %lld",
				    what, d->digest, d->size, e->size);
	*ret = e;
	return 0;
}

static int add_ref(struct plan_image *pi, const char *s, const char *origin, struct nr_error *err)
{
	struct img_ref ref;
	char full[IMG_REF_NAME_MAX + IMG_REF_TAG_MAX + IMG_DIGEST_LEN + 4];
	char **nv;
	int r;

	if ((r = img_ref_parse(s, &ref, err)) < 0) {
		r = nr_error_wrap(err, r, "%s: image name", origin);
		err->code = RT_ERR_CORRUPT;
		return r;
	}
	if ((r = img_ref_format(&ref, full, sizeof(full))) < 0)
		return nr_error_set(err, RT_ERR_CORRUPT, -r, "%s: image name '%.200s' is too long", origin, s);
	for (size_t i = 0; i < pi->n_refs; i++)
		if (strcmp(pi->refs[i], full) == 0)
			return 0;
	nv = realloc(pi->refs, (pi->n_refs + 1) * sizeof(*nv));
	if (!nv)
		return nomem(err);
	pi->refs = nv;
	if (!(nv[pi->n_refs] = strdup(full)))
		return nomem(err);
	pi->n_refs++;
	return 0;
}

void plan_image_clear(struct plan_image *pi)
{
	for (size_t i = 0; i < pi->n; i++)
		free(pi->layers[i].what);
	free(pi->layers);
	free(pi->diff_ids);
	for (size_t i = 0; i < pi->n_refs; i++)
		free(pi->refs[i]);
	free(pi->refs);
	free(pi->since_ref);
	free(pi->done);
}

/* The plan of the image whose config is cfg; one already planned (two tags of an image)
 * is returned again with *ret_new false. */
static int plan_image_get(struct load *ld, struct staged *cfg, const char *origin, struct plan_image **ret,
			  bool *ret_new, struct nr_error *err)
{
	_cleanup_free_ char *text = NULL;
	struct plan_image *pi, *nv;
	size_t len;
	int r;

	for (size_t i = 0; i < ld->n_im; i++)
		if (strcmp(ld->im[i].config->digest, cfg->digest) == 0) {
			*ret = &ld->im[i];
			*ret_new = false;
			return 0;
		}
	if ((r = stage_content(&ld->s, cfg, IMG_MANIFEST_MAX_BYTES, &text, &len, err)) < 0)
		return r;
	nv = realloc(ld->im, (ld->n_im + 1) * sizeof(*nv));
	if (!nv)
		return nomem(err);
	ld->im = nv;
	pi = &ld->im[ld->n_im];
	memset(pi, 0, sizeof(*pi));
	pi->config = cfg;
	if ((r = img_config_diff_ids(text, len, &pi->diff_ids, &pi->n, err)) < 0)
		return nr_error_wrap(err, r, "%s: config %s", origin, cfg->digest);
	ld->n_im++;
	if (!(pi->layers = calloc(pi->n + 1, sizeof(*pi->layers))) ||
	    !(pi->done = calloc(pi->n + 1, sizeof(*pi->done))))
		return nomem(err);
	*ret = pi;
	*ret_new = true;
	return 0;
}

static int layer_count(const struct plan_image *pi, size_t n_layers, const char *origin, struct nr_error *err)
{
	if (n_layers == pi->n)
		return 0;
	return nr_error_set(err, RT_ERR_CORRUPT, EINVAL,
			    "%s: image %s has %zu layers but its config has %zu diff_ids (%s)", origin,
			    pi->config->digest, n_layers, pi->n,
			    n_layers < pi->n ? "more diff_ids than layers" : "more layers than diff_ids");
}

/* A layer of the plan: its kind from the media type when there is one, else from its
 * first bytes; an uncompressed one's digest is its diff_id, checked here. */
static int plan_layer(struct plan_image *pi, size_t i, struct staged *blob, const char *what, enum img_mt_kind kind,
		      const char *origin, struct nr_error *err)
{
	struct plan_layer *pl = &pi->layers[i];

	if (!(pl->what = strdup(what)))
		return nomem(err);
	pl->blob = blob;
	if (blob && kind == IMG_MT_KIND_UNKNOWN) {
		switch (stage_compression(blob)) {
		case STAGE_PLAIN:
			kind = IMG_MT_KIND_LAYER;
			break;
		case STAGE_GZIP:
			kind = IMG_MT_KIND_LAYER_GZIP;
			break;
		case STAGE_ZSTD:
			kind = IMG_MT_KIND_LAYER_ZSTD;
			break;
		default:
			return nr_error_set(err, RT_ERR_CORRUPT, ENOTSUP,
					    "%s: layer %.200s: compression not supported (plain, gzip or zstd tar)",
					    origin, what);
		}
	}
	pl->kind = kind == IMG_MT_KIND_UNKNOWN ? IMG_MT_KIND_LAYER : kind;
	if (blob && pl->kind == IMG_MT_KIND_LAYER && strcmp(blob->digest, pi->diff_ids[i]) != 0)
		return nr_error_set(err, RT_ERR_CORRUPT, EBADMSG, "layer %.200s: digest mismatch: expected %s, got %s",
				    what, pi->diff_ids[i], blob->digest);
	return 0;
}

static int set_since(struct plan_image *pi, const char *ref, const char *id)
{
	if (pi->since_id[0] || !id || !id[0])
		return 0;
	memcpy(pi->since_id, id, IMG_DIGEST_LEN + 1);
	free(pi->since_ref);
	pi->since_ref = strdup(ref ? ref : "");
	return pi->since_ref ? 0 : -ENOMEM;
}

static int plan_docker(struct load *ld, struct staged *mf, struct nr_error *err)
{
	static const char origin[] = "manifest.json";
	struct img_docker_manifest m = { 0 };
	int r;

	if ((r = img_docker_manifest_parse(mf->buf, mf->size, &m, err)) < 0)
		return r;
	for (size_t k = 0; k < m.n; k++) {
		struct img_docker_entry *e = &m.entries[k];
		struct staged *cfg = stage_find(&ld->s, e->config);
		struct plan_image *pi;
		bool fresh;

		if (!cfg) {
			r = nr_error_set(err, RT_ERR_CORRUPT, ENOENT, "%s: config '%.200s' is not in the archive",
					 origin, e->config);
			goto out;
		}
		if ((r = check_named(cfg, e->config, "config", err)) < 0 ||
		    (r = plan_image_get(ld, cfg, origin, &pi, &fresh, err)) < 0)
			goto out;
		if (fresh) {
			if ((r = layer_count(pi, e->n_layers, origin, err)) < 0)
				goto out;
			for (size_t i = 0; i < e->n_layers; i++) {
				struct staged *blob = stage_find(&ld->s, e->layers[i]);

				if (blob && (r = check_named(blob, e->layers[i], "layer", err)) < 0)
					goto out;
				if ((r = plan_layer(pi, i, blob, e->layers[i], IMG_MT_KIND_UNKNOWN, origin, err)) < 0)
					goto out;
			}
		}
		for (size_t i = 0; i < e->n_tags; i++)
			if ((r = add_ref(pi, e->repo_tags[i], origin, err)) < 0)
				goto out;
		if (set_since(pi, e->since_ref, e->since_id) < 0) {
			r = nomem(err);
			goto out;
		}
	}
	r = 0;
out:
	img_docker_manifest_clear(&m);
	return r;
}

static bool platform_ours(const struct img_desc *d)
{
	return (!d->os[0] || strcmp(d->os, "linux") == 0) && (!d->arch[0] || strcmp(d->arch, img_go_arch()) == 0);
}

/* "REF@sha256:…" or "sha256:…" (io.netns-run.since). */
static int since_annotation(struct plan_image *pi, const char *s)
{
	const char *at = strrchr(s, '@');
	const char *id = at ? at + 1 : s;
	_cleanup_free_ char *ref = at ? strndup(s, at - s) : NULL;

	if (!img_digest_valid(id))
		return 0; /* not ours to obey: the layers will be asked for by name */
	return set_since(pi, ref, id);
}

static int plan_manifest(struct load *ld, const char *text, size_t len, const struct img_desc *top,
			 struct nr_error *err)
{
	static const char origin[] = "index.json";
	struct img_oci_manifest m = { 0 };
	struct staged *cfg;
	struct plan_image *pi;
	bool fresh;
	int r;

	if ((r = img_oci_manifest_parse(text, len, &m, err)) < 0)
		return r;
	if (m.config.media_type && img_media_type_kind(m.config.media_type) != IMG_MT_KIND_CONFIG) {
		r = nr_error_set(err, RT_ERR_CORRUPT, ENOTSUP,
				 "%s: config media type '%.100s' is not a container image's", origin,
				 m.config.media_type);
		goto out;
	}
	if ((r = oci_blob(ld, &m.config, "config", &cfg, err)) < 0)
		goto out;
	if (!cfg) {
		r = nr_error_set(err, RT_ERR_CORRUPT, ENOENT, "%s: config %s is not in the archive", origin,
				 m.config.digest);
		goto out;
	}
	if ((r = plan_image_get(ld, cfg, origin, &pi, &fresh, err)) < 0)
		goto out;
	if (fresh) {
		if ((r = layer_count(pi, m.n_layers, origin, err)) < 0)
			goto out;
		for (size_t i = 0; i < m.n_layers; i++) {
			const struct img_desc *d = &m.layers[i];
			enum img_mt_kind kind = img_media_type_kind(d->media_type);
			struct staged *blob;

			if (kind == IMG_MT_KIND_FOREIGN || d->has_urls) {
				r = nr_error_set(err, RT_ERR_CORRUPT, ENOTSUP,
						 "%s: layer %s is a foreign layer (%.100s): not supported", origin,
						 d->digest, d->media_type ? d->media_type : "urls");
				goto out;
			}
			if (d->media_type && !img_layer_media_type(kind)) {
				r = nr_error_set(err, RT_ERR_CORRUPT, ENOTSUP,
						 "%s: layer %s: unsupported media type '%.100s'", origin, d->digest,
						 d->media_type);
				goto out;
			}
			if ((r = oci_blob(ld, d, "layer", &blob, err)) < 0 ||
			    (r = plan_layer(pi, i, blob, d->digest, kind, origin, err)) < 0)
				goto out;
		}
	}
	if (top->image_name)
		r = add_ref(pi, top->image_name, origin, err);
	else if (top->ref_name && strpbrk(top->ref_name, ":/"))
		r = add_ref(pi, top->ref_name, origin, err);
	/* A ref.name that is a tag alone ("1") names no repository: the image stays unnamed. */
	if (r >= 0 && top->since && since_annotation(pi, top->since) < 0)
		r = nomem(err);
out:
	img_oci_manifest_clear(&m);
	return r;
}

static int plan_desc(struct load *ld, const struct img_desc *d, const struct img_desc *top, int depth,
		     struct nr_error *err)
{
	static const char origin[] = "index.json";
	_cleanup_free_ char *text = NULL;
	struct staged *blob;
	enum img_mt_kind kind = img_media_type_kind(d->media_type);
	size_t len;
	int r;

	if (depth > LOAD_MAX_DEPTH)
		return nr_error_set(err, RT_ERR_CORRUPT, ELOOP, "%s: indexes nested deeper than %d", origin,
				    LOAD_MAX_DEPTH);
	if (kind == IMG_MT_KIND_SCHEMA1)
		return nr_error_set(err, RT_ERR_CORRUPT, ENOTSUP,
				    "%s: manifest %s is a Docker schema 1 manifest: not supported (schema 2 or OCI is)",
				    origin, d->digest);
	if (d->media_type && kind != IMG_MT_KIND_INDEX && kind != IMG_MT_KIND_MANIFEST)
		return nr_error_set(err, RT_ERR_CORRUPT, ENOTSUP, "%s: manifest %s: unsupported media type '%.100s'",
				    origin, d->digest, d->media_type);
	if ((r = oci_blob(ld, d, "manifest", &blob, err)) < 0)
		return r;
	if (!blob)
		return nr_error_set(err, RT_ERR_CORRUPT, ENOENT, "%s: manifest %s is not in the archive", origin,
				    d->digest);
	if ((r = stage_content(&ld->s, blob, IMG_MANIFEST_MAX_BYTES, &text, &len, err)) < 0)
		return r;
	if (kind == IMG_MT_KIND_UNKNOWN) {
		/* No media type on the descriptor: the document says what it is. */
		_cleanup_json_ json_t *doc = json_loadb(text, len, 0, NULL);

		kind = json_is_object(doc) && json_object_get(doc, "manifests") ? IMG_MT_KIND_INDEX
										: IMG_MT_KIND_MANIFEST;
	}
	if (kind == IMG_MT_KIND_MANIFEST)
		return plan_manifest(ld, text, len, top, err);

	struct img_oci_index ix = { 0 };
	bool found = false;

	if ((r = img_oci_index_parse(text, len, &ix, err)) < 0)
		return r;
	/* A multi-platform index: the image for this machine (the first that fits). */
	for (size_t i = 0; i < ix.n && r >= 0 && !found; i++)
		if (platform_ours(&ix.manifests[i])) {
			r = plan_desc(ld, &ix.manifests[i], top, depth + 1, err);
			found = true;
		}
	img_oci_index_clear(&ix);
	if (r >= 0 && !found)
		r = nr_error_set(err, RT_ERR_CORRUPT, ENOENT, "%s: index %s has no image for linux/%s", origin,
				 d->digest, img_go_arch());
	return r;
}

static int plan_oci(struct load *ld, struct staged *index, struct nr_error *err)
{
	struct staged *layout = stage_find(&ld->s, "oci-layout");
	struct img_oci_index ix = { 0 };
	int r;

	if (layout &&
	    (r = img_oci_layout_parse(layout->buf ? layout->buf : "", layout->buf ? layout->size : 0, err)) < 0)
		return r;
	if ((r = img_oci_index_parse(index->buf, index->size, &ix, err)) < 0)
		return r;
	if (ix.n == 0)
		r = nr_error_set(err, RT_ERR_CORRUPT, ENOENT, "index.json: no images");
	for (size_t i = 0; i < ix.n && r >= 0; i++)
		r = plan_desc(ld, &ix.manifests[i], &ix.manifests[i], 0, err);
	img_oci_index_clear(&ix);
	return r;
}

/* Chain ids, and every layer the archive leaves out already in the store. */
static int plan_check_absent(struct load *ld, struct nr_error *err)
{
	for (size_t k = 0; k < ld->n_im; k++) {
		struct plan_image *pi = &ld->im[k];

		for (size_t i = 0; i < pi->n; i++) {
			struct plan_layer *pl = &pi->layers[i];

			if (i == 0)
				memcpy(pl->chain_id, pi->diff_ids[0], IMG_DIGEST_LEN + 1);
			else
				img_chain_id(pi->layers[i - 1].chain_id, pi->diff_ids[i], pl->chain_id);
			if (pl->blob || img_layer_has(ld->st, pl->chain_id))
				continue;
			if (pi->since_id[0]) {
				const char *ref = pi->since_ref && pi->since_ref[0] ? pi->since_ref : NULL;

				return nr_error_set(err, RT_ERR_NOT_FOUND, ENOENT,
						    "this archive was saved with --since %s%s%s%s: layer %s is not in this store; load %s first",
						    ref ? ref : pi->since_id, ref ? " (" : "", ref ? pi->since_id : "",
						    ref ? ")" : "", pi->diff_ids[i], ref ? ref : "that image");
			}
			return nr_error_set(err, RT_ERR_CORRUPT, ENOENT, "layer %.200s (%s) is not in the archive",
					    pl->what, pi->diff_ids[i]);
		}
	}
	return 0;
}

int load_plan(struct load *ld, struct nr_error *err)
{
	struct staged *mf = stage_find(&ld->s, "manifest.json");
	struct staged *ix = stage_find(&ld->s, "index.json");
	int r;

	/* Prefer manifest.json: Docker 25+ and podman write both, and only it has the names. */
	if (mf && mf->buf)
		r = plan_docker(ld, mf, err);
	else if (ix && ix->buf)
		r = plan_oci(ld, ix, err);
	else
		r = nr_error_set(err, RT_ERR_CORRUPT, ENOENT,
				 "no manifest.json or index.json in the archive: not a docker save or OCI image archive");
	return r < 0 ? r : plan_check_absent(ld, err);
}
