/* commit and import: a new image config (the parent's, with history and
 * rootfs.diff_ids extended and the changes applied), its layers (the parent's and the
 * new one, unpacked into the store once), an OCI manifest, the record and the name. */
#include "image/derive.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/json_field.h"
#include "base/timefmt.h"
#include "image/config.h"
#include "image/store_int.h"

static int nomem(struct nr_error *err)
{
	return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
}

/* What the new config keeps of the parent's (Docker's commit copies the same; container
 * and builder fields are not ours to carry). */
static json_t *config_from_parent(json_t *parent)
{
	static const char *const keep[] = { "architecture", "os",     "os.version", "os.features",
					    "variant",      "config", "rootfs",     "history" };
	json_t *c = json_object();

	if (!c)
		return NULL;
	for (size_t i = 0; parent && i < sizeof(keep) / sizeof(keep[0]); i++) {
		json_t *v = json_object_get(parent, keep[i]);

		if (v && json_object_set_new(c, keep[i], json_deep_copy(v)) < 0) {
			json_decref(c);
			return NULL;
		}
	}
	if (!json_object_get(c, "architecture"))
		json_object_set_new(c, "architecture", json_string(img_go_arch()));
	if (!json_object_get(c, "os"))
		json_object_set_new(c, "os", json_string("linux"));
	if (!json_is_object(json_object_get(c, "config")))
		json_object_set_new(c, "config", json_object());
	return c;
}

/* rootfs.diff_ids + diff_id, history + {created, created_by, comment, author}. */
static int extend(json_t *c, const struct img_derive *d, const char *diff_id, const char *created, struct nr_error *err)
{
	json_t *rootfs = json_object_get(c, "rootfs"), *ids, *history, *entry;

	if (!json_is_object(rootfs)) {
		rootfs = json_object();
		if (!rootfs || json_object_set_new(c, "rootfs", rootfs) < 0)
			return nomem(err);
	}
	json_object_set_new(rootfs, "type", json_string("layers"));
	ids = json_object_get(rootfs, "diff_ids");
	if (!json_is_array(ids)) {
		ids = json_array();
		if (!ids || json_object_set_new(rootfs, "diff_ids", ids) < 0)
			return nomem(err);
	}
	if (json_array_append_new(ids, json_string(diff_id)) < 0)
		return nomem(err);
	history = json_object_get(c, "history");
	if (!json_is_array(history)) {
		history = json_array();
		if (!history || json_object_set_new(c, "history", history) < 0)
			return nomem(err);
	}
	entry = json_pack("{s:s, s:s?, s:s?, s:s?}", "created", created, "created_by", d->created_by, "comment",
			  d->comment && *d->comment ? d->comment : NULL, "author",
			  d->author && *d->author ? d->author : NULL);
	if (!entry || json_array_append_new(history, entry) < 0)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "commit: the message, author or command is not valid UTF-8");
	if (json_object_set_new(c, "created", json_string(created)) < 0)
		return nomem(err);
	if (d->author && *d->author && json_object_set_new(c, "author", json_string(d->author)) < 0)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "commit: the author is not valid UTF-8");
	/* Docker's config keeps the last commit's message at the top too (image inspect's Comment). */
	if (json_object_set_new(c, "comment", json_string(d->comment ? d->comment : "")) < 0)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "commit: the message is not valid UTF-8");
	return 0;
}

int img_image_derive(struct img_store *st, const struct img_derive *d, img_digest ret_id, struct nr_error *err)
{
	_cleanup_img_image_ struct img_image *parent = NULL;
	_cleanup_json_ json_t *c = NULL;
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ struct img_layer *layers = NULL;
	char created[64];
	img_digest id;
	size_t n = 0;
	int r;

	if ((r = img_store_need_writer(st, "deriving an image", err)) < 0)
		return r;
	if (!d->layer_blob || !img_blob_has(st, d->layer_blob))
		return nr_error_set(err, RT_ERR_NOT_FOUND, ENOENT, "layer blob %s is not in the store",
				    d->layer_blob ? d->layer_blob : "(none)");
	if (d->parent && (r = img_image_find(st, d->parent, &parent, err)) < 0)
		return r;
	n = parent ? parent->n_layers : 0;
	layers = calloc(n + 1, sizeof(*layers));
	if (!layers)
		return nomem(err);
	if (n)
		memcpy(layers, parent->layers, n * sizeof(*layers));
	c = config_from_parent(parent ? parent->config : NULL);
	if (!c)
		return nomem(err);
	/* The caller's mistakes (a change, a name) are found before anything is stored. */
	for (const char *const *ch = d->changes; ch && *ch; ch++)
		if ((r = img_config_change(c, *ch, err)) < 0)
			return r;
	if (d->ref) {
		struct img_ref ref;

		if ((r = img_ref_parse(d->ref, &ref, err)) < 0)
			return r;
		if (!ref.tag[0])
			return nr_error_set(err, RT_ERR_USAGE, EINVAL,
					    "refusing to create a tag with a digest reference: %s", d->ref);
	}
	/* Unpacking computes the diff id (the uncompressed tar's digest) and makes the
	 * layer's directory, shared by whatever else has the same chain. */
	r = img_layer_add(st, n ? layers[n - 1].chain_id : NULL, d->layer_blob, d->media_type, NULL, &layers[n], err);
	if (r < 0)
		return r;
	nr_time_now_rfc3339(created, sizeof(created));
	if ((r = extend(c, d, layers[n].diff_id, created, err)) < 0)
		return r;
	if (!(text = json_dumps(c, JSON_COMPACT)))
		return nomem(err);
	if ((r = img_blob_put(st, text, strlen(text), id, err)) < 0 ||
	    (r = img_image_add(st, id, layers, n + 1, NULL, err)) < 0)
		return r;
	if (d->ref && (r = img_tag_set(st, d->ref, id, err)) < 0)
		return r;
	if (ret_id)
		memcpy(ret_id, id, sizeof(img_digest));
	return 0;
}
