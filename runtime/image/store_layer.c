/* Layers as the store keeps them: layers/HEX/ named by chain id, with diff/ (an overlay
 * lower) and layer.json. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/json_field.h"
#include "image/store_int.h"

void img_chain_id(const char *parent_chain, const char *diff_id, img_digest ret)
{
	char buf[2 * IMG_DIGEST_LEN + 2];

	if (!parent_chain || !parent_chain[0]) {
		memcpy(ret, diff_id, IMG_DIGEST_LEN + 1);
		return;
	}
	snprintf(buf, sizeof(buf), "%s %s", parent_chain, diff_id);
	img_digest_buf(buf, strlen(buf), ret);
}

static const char *layer_root(const struct img_store *st, const char *chain_id, char *buf, size_t len)
{
	snprintf(buf, len, "%s/layers/%s", st->root, img_digest_hex(chain_id));
	return buf;
}

bool img_layer_has(const struct img_store *st, const char *chain_id)
{
	char path[PATH_MAX];

	if (!img_digest_valid(chain_id))
		return false;
	layer_root(st, chain_id, path, sizeof(path));
	strncat(path, "/layer.json", sizeof(path) - strlen(path) - 1);
	return access(path, F_OK) == 0;
}

const char *img_layer_dir(const struct img_store *st, const char *chain_id, char *buf, size_t len)
{
	snprintf(buf, len, "%s/layers/%s/diff", st->root, img_digest_hex(chain_id));
	return buf;
}

static int digest_member(json_t *o, const char *key, bool required, char *ret, const char *chain_id,
			 struct nr_error *err)
{
	json_t *v = json_object_get(o, key);

	if (!v && !required) {
		ret[0] = '\0';
		return 0;
	}
	if (!json_is_string(v) || !img_digest_valid(json_string_value(v)))
		return nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "layer %s: layer.json: '%s' must be a digest",
				    chain_id, key);
	memcpy(ret, json_string_value(v), IMG_DIGEST_LEN + 1);
	return 0;
}

int img_layer_load(const struct img_store *st, const char *chain_id, struct img_layer *l, struct nr_error *err)
{
	char path[PATH_MAX];
	_cleanup_free_ char *text = NULL;
	_cleanup_json_ json_t *o = NULL;
	struct img_layer got = { 0 };
	size_t len;
	json_t *v;
	int r;

	layer_root(st, chain_id, path, sizeof(path));
	strncat(path, "/layer.json", sizeof(path) - strlen(path) - 1);
	r = img_fs_read(path, 1 << 20, &text, &len);
	if (r == -ENOENT)
		return nr_error_set(err, RT_ERR_NOT_FOUND, ENOENT, "layer %s is not in the store", chain_id);
	if (r < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, -r, "reading %s: %s", path, strerror(-r));
	o = json_loadb(text, len, 0, NULL);
	if (!json_is_object(o))
		return nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "%s is not a JSON object", path);
	if ((r = digest_member(o, "chain_id", true, got.chain_id, chain_id, err)) < 0 ||
	    (r = digest_member(o, "diff_id", true, got.diff_id, chain_id, err)) < 0 ||
	    (r = digest_member(o, "blob", false, got.blob, chain_id, err)) < 0)
		return r;
	v = json_object_get(o, "media_type");
	if (json_is_string(v))
		snprintf(got.media_type, sizeof(got.media_type), "%s", json_string_value(v));
	v = json_object_get(o, "size");
	got.size = json_is_integer(v) ? json_integer_value(v) : 0;
	if (strcmp(got.chain_id, chain_id) != 0)
		return nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "%s names another layer (%s)", path, got.chain_id);
	*l = got;
	return 0;
}

int img_layer_delete(struct img_store *st, const char *chain_id, long long *bytes, struct nr_error *err)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	int r;

	layer_root(st, chain_id, path, sizeof(path));
	r = img_tmp_path(st, "rm", tmp, sizeof(tmp), err);
	if (r < 0)
		return r;
	/* Gone from layers/ in one step; the tree's removal may then take its time (or be
	 * cut short by a crash: gc finishes it). */
	if (rename(path, tmp) < 0)
		return errno == ENOENT ? 0 : nr_error_set(err, RT_ERR_SYSTEM, errno, "removing layer %s: %m", chain_id);
	r = img_fs_rm_tree(tmp, bytes);
	if (r < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, -r, "removing layer %s (%s): %s", chain_id, tmp, strerror(-r));
	return 0;
}
