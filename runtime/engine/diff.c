/* A container's changes (diff.h). */
#include "engine/diff.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "engine/container.h"
#include "engine/image_use.h"
#include "engine/rt_error.h"

int image_lowers(const struct img_store *st, const char *id, char ***ret, struct nr_error *err)
{
	_cleanup_img_image_ struct img_image *im = NULL;
	_cleanup_strv_ char **v = calloc(1, sizeof(*v));
	int r;

	if (!v)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	if ((r = img_image_find(st, id, &im, err)) < 0)
		return r;
	for (size_t i = im->n_layers; i-- > 0;) {
		char dir[PATH_MAX];
		if (rt_strv_push(&v, img_layer_dir(st, im->layers[i].chain_id, dir, sizeof(dir))) < 0)
			return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	}
	*ret = TAKE_PTR(v);
	return 0;
}

int ctr_diff(const char *name, int (*fn)(enum layer_change kind, const char *path, void *arg), void *arg,
	     struct nr_error *err)
{
	_cleanup_record_ struct ctr_record *rec = NULL;
	_cleanup_img_store_ struct img_store *st = NULL;
	_cleanup_strv_ char **lowers = NULL;
	static const char *const host[] = { "/", NULL };
	char upper[PATH_MAX];
	const char *image;
	int r;

	if ((r = ctr_store_load(name, &rec, err)) < 0)
		return r;
	/* The image store's shared lock for the whole walk: its layers cannot go meanwhile. */
	if ((image = image_of_record(rec)) &&
	    ((r = img_store_open(rt_paths()->state_dir, IMG_LOCK_SHARED, &st, err)) < 0 ||
	     (r = image_lowers(st, image, &lowers, err)) < 0))
		return nr_error_wrap(err, r, "container %s", name);
	rt_ctr_path(upper, sizeof(upper), name, "upper");
	const char *const *l = lowers ? (const char *const *)lowers : host;
	r = layer_diff(upper, l, lowers ? rt_strv_len(lowers) : 1, fn, arg, err);
	return r < 0 ? nr_error_wrap(err, r, "container %s", name) : 0;
}
