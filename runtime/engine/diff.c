/* A container's changes (diff.h). */
#include "engine/diff.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
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

/* The runtime's own mount targets, made in the upper layer when the image lacks them:
 * Docker keeps its in an init layer that diff does not show. */
static bool mount_target(enum layer_change kind, const char *path)
{
	static const char *const targets[] = { "/dev",          "/proc",      "/sys",
					       "/etc/hostname", "/etc/hosts", "/etc/resolv.conf" };

	for (size_t i = 0; kind == LAYER_ADDED && i < sizeof(targets) / sizeof(targets[0]); i++)
		if (!strcmp(path, targets[i]))
			return true;
	return false;
}

struct change {
	enum layer_change kind;
	char *path;
	bool hidden;
};

struct changes {
	struct change *v;
	size_t n;
};

static int collect(enum layer_change kind, const char *path, void *arg)
{
	struct changes *c = arg;
	struct change *nv = realloc(c->v, (c->n + 1) * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	c->v = nv;
	if (!(nv[c->n].path = strdup(path)))
		return -ENOMEM;
	nv[c->n].kind = kind;
	nv[c->n].hidden = mount_target(kind, path);
	c->n++;
	return 0;
}

static bool is_below(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && path[n] == '/';
}

/* Hide the mount targets, and a directory listed only because of them (/etc added or
 * changed for its hostname): one whose every listed descendant is hidden.  Sorted by
 * path, the entries starting with a directory's path follow it ("/etc-x" may sit among
 * its descendants); from the bottom up, so a hidden child is known before its parent. */
static void hide_targets(struct changes *c)
{
	for (size_t i = c->n; i-- > 0;) {
		const char *dir = c->v[i].path;
		size_t len = strlen(dir);
		bool any = false, visible = false;
		if (c->v[i].hidden || c->v[i].kind == LAYER_DELETED)
			continue;
		for (size_t k = i + 1; k < c->n && !strncmp(c->v[k].path, dir, len); k++) {
			if (!is_below(c->v[k].path, dir))
				continue;
			any = true;
			visible |= !c->v[k].hidden;
		}
		c->v[i].hidden = any && !visible;
	}
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
	struct changes c = { 0 };
	r = layer_diff(upper, l, lowers ? rt_strv_len(lowers) : 1, collect, &c, err);
	if (r >= 0)
		hide_targets(&c);
	for (size_t i = 0; i < c.n; i++) {
		if (r >= 0 && !c.v[i].hidden)
			r = fn(c.v[i].kind, c.v[i].path, arg);
		free(c.v[i].path);
	}
	free(c.v);
	if (r == -ENOMEM && !err->msg[0])
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	return r < 0 ? nr_error_wrap(err, r, "container %s", name) : 0;
}
