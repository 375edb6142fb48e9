/* rmi and image prune, with the containers check (image_use.h). */
#include "engine/image_use.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/image_json.h"
#include "engine/rt_error.h"
#include "image/ref.h"
#include "image/store.h"

const char *image_of_record(const struct ctr_record *rec)
{
	return rec->image && *rec->image ? rec->image : NULL;
}

int image_users(const char *id, struct image_user **ret, size_t *ret_n, struct nr_error *err)
{
	_cleanup_strv_ char **names = NULL;
	struct image_user *v = NULL;
	size_t n = 0;
	int r;

	if ((r = ctr_store_names(&names, err)) < 0)
		return r;
	for (char **p = names; *p; p++) {
		_cleanup_record_ struct ctr_record *rec = NULL;
		const char *img;
		/* A record that cannot be read is not counted: rm cannot remove it either, and
		 * gc leaves it to the user. */
		if (ctr_store_load(*p, &rec, NULL) < 0 || !(img = image_of_record(rec)) || strcmp(img, id))
			continue;
		struct image_user *nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv) {
			free(v);
			return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
		}
		v = nv;
		snprintf(v[n].name, sizeof(v[n].name), "%s", rec->name);
		snprintf(v[n].id, sizeof(v[n].id), "%s", rec->id);
		v[n].running = ctr_running(rec);
		n++;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

/* Docker's isImageIDPrefix: what is the id, or a prefix of it with or without "sha256:". */
static bool is_id_prefix(const char *id, const char *what)
{
	return !strncmp(id, what, strlen(what)) || !strncmp(id + 7, what, strlen(what));
}

static size_t tags_count(char *const *tags)
{
	size_t n = 0;

	while (tags && tags[n])
		n++;
	return n;
}

static void report_of(image_rm_report_fn report, void *ctx, enum image_rm_event ev, const char *what)
{
	if (report)
		report(ctx, ev, what);
}

static int untag(struct img_store *st, const char *ref, image_rm_report_fn report, void *ctx, struct nr_error *err)
{
	char fam[IMG_REF_NAME_MAX + IMG_REF_TAG_MAX + 80];
	int r = img_tag_remove(st, ref, err);

	if (r < 0)
		return r;
	report_of(report, ctx, IMAGE_UNTAGGED, image_ref_familiar(ref, fam, sizeof(fam)));
	return 0;
}

/* The image goes: its record, names, and the layers and blobs nothing else uses. */
static int image_delete(struct img_store *st, const struct img_image *im, image_rm_report_fn report, void *ctx,
			struct nr_error *err)
{
	int r = img_image_remove(st, im->id, err);

	if (r < 0)
		return r;
	report_of(report, ctx, IMAGE_DELETED, im->id);
	return 0;
}

int image_remove(const char *what, bool force, image_rm_report_fn report, void *ctx, struct nr_error *err)
{
	_cleanup_close_ int lock = -1;
	_cleanup_img_store_ struct img_store *st = NULL;
	_cleanup_img_image_ struct img_image *im = NULL;
	_cleanup_free_ struct image_user *users = NULL;
	const struct image_user *user = NULL, *running = NULL;
	size_t n_users = 0, n_tags;
	int r;

	if ((lock = ctr_store_lock(err)) < 0)
		return lock;
	if ((r = img_store_open(rt_paths()->state_dir, IMG_LOCK_EXCLUSIVE, &st, err)) < 0 ||
	    (r = img_image_find(st, what, &im, err)) < 0 || (r = image_users(im->id, &users, &n_users, err)) < 0)
		return r;
	for (size_t i = 0; i < n_users; i++) {
		if (!user)
			user = &users[i];
		if (!running && users[i].running)
			running = &users[i];
	}
	n_tags = tags_count(im->tags);
	if (!is_id_prefix(im->id, what)) {
		/* A name: untag.  Its last name going would leave the image a container uses
		 * dangling, which Docker wants forced. */
		if (!force && n_tags == 1 && user)
			return nr_error_set(err, RT_ERR_CONFLICT, EBUSY,
					    "conflict: unable to remove repository reference \"%s\" (must force) - container "
					    "%.12s is using its referenced image %.12s",
					    what, user->id, img_digest_hex(im->id));
		if ((r = untag(st, what, report, ctx, err)) < 0)
			return r;
		/* Other names keep it; a container keeps it as <none> (its lowers). */
		if (n_tags > 1 || user)
			return 0;
		return image_delete(st, im, report, ctx, err);
	}
	if (running)
		return nr_error_set(err, RT_ERR_CONFLICT, EBUSY,
				    "conflict: unable to delete %.12s (cannot be forced) - image is being used by running "
				    "container %.12s",
				    img_digest_hex(im->id), running->id);
	if (!force && n_tags > 1)
		return nr_error_set(err, RT_ERR_CONFLICT, EBUSY,
				    "conflict: unable to delete %.12s (must be forced) - image is referenced in multiple "
				    "repositories",
				    img_digest_hex(im->id));
	if (!force && user)
		return nr_error_set(err, RT_ERR_CONFLICT, EBUSY,
				    "conflict: unable to delete %.12s (must be forced) - image is being used by stopped "
				    "container %.12s",
				    img_digest_hex(im->id), user->id);
	for (size_t i = 0; i < n_tags; i++)
		if ((r = untag(st, im->tags[i], report, ctx, err)) < 0)
			return r;
	/* Forced while a stopped container uses it: the names go, the layers stay under it
	 * (Docker would delete them and leave the container unable to start). */
	if (user)
		return 0;
	return image_delete(st, im, report, ctx, err);
}

/* Whether any image of list but skip has layer chain (a removed one has no layers left). */
static bool layer_used_elsewhere(struct img_image **list, const struct img_image *skip, const char *chain)
{
	for (size_t i = 0; list[i]; i++) {
		if (list[i] == skip || !list[i]->layers)
			continue;
		for (size_t k = 0; k < list[i]->n_layers; k++)
			if (!strcmp(list[i]->layers[k].chain_id, chain))
				return true;
	}
	return false;
}

static bool strv_has(char *const *v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

int image_prune(bool all, image_prune_pick_fn pick, void *pick_ctx, image_rm_report_fn report, void *ctx,
		long long *ret_bytes, struct nr_error *err)
{
	_cleanup_close_ int lock = -1;
	_cleanup_img_store_ struct img_store *st = NULL;
	_cleanup_strv_ char **names = NULL, **in_use = NULL;
	struct img_image **list = NULL;
	long long bytes = 0;
	int r;

	if ((lock = ctr_store_lock(err)) < 0)
		return lock;
	if ((r = img_store_open(rt_paths()->state_dir, IMG_LOCK_EXCLUSIVE, &st, err)) < 0 ||
	    (r = ctr_store_names(&names, err)) < 0)
		return r;
	if (!(in_use = calloc(1, sizeof(*in_use))))
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	for (char **p = names; *p; p++) {
		_cleanup_record_ struct ctr_record *rec = NULL;
		if (ctr_store_load(*p, &rec, NULL) >= 0 && image_of_record(rec) &&
		    rt_strv_push(&in_use, image_of_record(rec)) < 0)
			return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	}
	if ((r = img_image_list(st, &list, err)) < 0)
		return r;
	for (size_t i = 0; list[i]; i++) {
		struct img_image *im = list[i];
		if (strv_has(in_use, im->id) || (!all && tags_count(im->tags) > 0) || (pick && !pick(im, pick_ctx)))
			continue;
		for (size_t k = 0; k < im->n_layers; k++)
			if (!layer_used_elsewhere(list, im, im->layers[k].chain_id))
				bytes += im->layers[k].size;
		for (size_t k = 0; im->tags && im->tags[k] && r >= 0; k++)
			r = untag(st, im->tags[k], report, ctx, err);
		if (r < 0 || (r = image_delete(st, im, report, ctx, err)) < 0)
			break;
		/* Gone: its layers no longer count as used by it. */
		im->n_layers = 0;
	}
	img_image_list_free(list);
	if (r < 0)
		return r;
	*ret_bytes = bytes;
	return 0;
}
