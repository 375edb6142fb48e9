/* /images: list, inspect, history, tag, remove and prune, over the image store
 * (image/store.h), the engine's image users (engine/image_use.h) and its Docker-shape
 * builders (engine/image_json.h).  Loading, saving, importing, pulling and committing:
 * image_transfer.c. */
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/json_field.h"
#include "engine/image_json.h"
#include "engine/image_use.h"
#include "engine/rt.h"
#include "engine/rt_error.h"
#include "events.h"
#include "image/store.h"
#include "images.h"
#include "query_filter.h"
#include "routes.h"

int images_store_open(enum img_lock mode, struct img_store **ret, struct nr_error *err)
{
	char dir[PATH_MAX];
	struct stat s;

	*ret = NULL;
	/* A reader does not make the store: no images yet is an empty list. */
	snprintf(dir, sizeof(dir), "%s/images", rt_paths()->state_dir);
	if (mode == IMG_LOCK_SHARED && (stat(dir, &s) < 0 || !S_ISDIR(s.st_mode)))
		return 0;
	return img_store_open(rt_paths()->state_dir, mode, ret, err);
}

int images_find(const char *what, struct img_image **ret, struct nr_error *err)
{
	_cleanup_img_store_ struct img_store *st = NULL;
	int r;

	*ret = NULL;
	if ((r = images_store_open(IMG_LOCK_SHARED, &st, err)) < 0)
		return r;
	if (!st)
		return nr_error_set(err, RT_ERR_NOT_FOUND, ENOENT, "No such image: %s", what);
	return img_image_find(st, what, ret, err);
}

/* Docker's reference filter: a glob over the familiar name, or name:tag when the pattern
 * has a tag. */
static bool ref_matches(const char *pattern, const char *full)
{
	char fam[512], *colon;

	image_ref_familiar(full, fam, sizeof(fam));
	if (!fnmatch(pattern, fam, FNM_PATHNAME))
		return true;
	colon = strrchr(fam, ':');
	if (colon && !strchr(colon, '/'))
		*colon = '\0';
	return !fnmatch(pattern, fam, FNM_PATHNAME);
}

static json_t *image_labels(const struct img_image *im)
{
	return json_object_get(json_object_get(im->config, "config"), "Labels");
}

/* before=/since=: an image's name or id; its creation time. */
static int image_time(const struct qfilters *f, const char *key, long long *ret, struct nr_error *err)
{
	struct img_image *im = NULL;
	const char *v;
	int r;

	if (!qfilters_get(f, key, &v, 1))
		return 0;
	if ((r = images_find(v, &im, err)) < 0)
		return r;
	*ret = im->created;
	img_image_free(im);
	return 0;
}

struct list_filters {
	const char *refs[QFILTER_MAX], *labels[QFILTER_MAX];
	size_t n_refs, n_labels;
	int dangling;            /* -1: not given */
	long long before, since; /* unix seconds; -1: not given */
};

static int list_filters_get(const struct qfilters *f, struct list_filters *lf, struct nr_error *err)
{
	static const char *const keys[] = { "dangling", "reference", "label", "before", "since", NULL };
	const char *d[QFILTER_MAX];
	size_t n_d;
	int r;

	*lf = (struct list_filters){ .dangling = -1, .before = -1, .since = -1 };
	if ((r = qfilters_check_keys(f, keys, err)) < 0 || (r = image_time(f, "before", &lf->before, err)) < 0 ||
	    (r = image_time(f, "since", &lf->since, err)) < 0)
		return r;
	lf->n_refs = qfilters_get(f, "reference", lf->refs, QFILTER_MAX);
	lf->n_labels = qfilters_get(f, "label", lf->labels, QFILTER_MAX);
	n_d = qfilters_get(f, "dangling", d, QFILTER_MAX);
	for (size_t i = 0; i < n_d; i++) {
		int v = !strcmp(d[i], "true") || !strcmp(d[i], "1")    ? 1
			: !strcmp(d[i], "false") || !strcmp(d[i], "0") ? 0
								       : -1;
		if (v < 0 || (lf->dangling >= 0 && lf->dangling != v))
			return nr_error_set(err, RT_ERR_USAGE, EINVAL, "invalid filter 'dangling=%s'", d[i]);
		lf->dangling = v;
	}
	return 0;
}

/* Docker's ImageSummary, or NULL when the filters leave it out.  Before API 1.44 an
 * untagged image showed "<none>:<none>" and "<none>@<none>", and VirtualSize was there
 * (clients of that age print from them). */
static json_t *summary(const struct img_image *im, const struct list_filters *lf, int version_minor)
{
	json_t *cfg = json_object_get(im->config, "config"), *labels = json_object_get(cfg, "Labels");
	bool dangling = !im->tags || !im->tags[0];
	json_t *tags;
	char fam[512];

	if (lf->dangling >= 0 && dangling != (lf->dangling == 1))
		return NULL;
	for (size_t i = 0; i < lf->n_labels; i++)
		if (!qfilters_label_match(image_labels(im), lf->labels[i]))
			return NULL;
	/* Docker's: strictly before or after the named image. */
	if ((lf->before >= 0 && im->created >= lf->before) || (lf->since >= 0 && im->created <= lf->since))
		return NULL;
	if (!(tags = json_array()))
		return NULL;
	for (size_t i = 0; im->tags && im->tags[i]; i++) {
		bool ok = lf->n_refs == 0;
		for (size_t k = 0; k < lf->n_refs && !ok; k++)
			ok = ref_matches(lf->refs[k], im->tags[i]);
		if (ok)
			json_array_append_new(tags, json_string(image_ref_familiar(im->tags[i], fam, sizeof(fam))));
	}
	if (lf->n_refs > 0 && json_array_size(tags) == 0) {
		json_decref(tags);
		return NULL;
	}
	/* "o" takes this reference: the image's own labels shared, or a new empty object. */
	json_t *lab = json_is_object(labels) ? json_incref(labels) : json_object();
	json_t *one = json_pack("{s:s,s:s,s:o,s:[],s:I,s:I,s:i,s:o,s:i}", "Id", im->id, "ParentId",
				json_string_value(json_object_get(im->config, "parent")) ?: "", "RepoTags", tags,
				"RepoDigests", "Created", (json_int_t)im->created, "Size", (json_int_t)im->size,
				"SharedSize", -1, "Labels", lab, "Containers", -1);
	if (one && version_minor < 44) {
		json_object_set_new(one, "VirtualSize", json_integer((json_int_t)im->size));
		if (dangling) {
			json_array_append_new(tags, json_string("<none>:<none>"));
			json_array_append_new(json_object_get(one, "RepoDigests"), json_string("<none>@<none>"));
		}
	}
	return one;
}

int h_image_list(struct api_req *r)
{
	_cleanup_img_store_ struct img_store *st = NULL;
	struct img_image **list = NULL;
	struct nr_error err = { 0 };
	struct list_filters lf;
	struct qfilters f;
	int rc;

	if (qfilters_parse(api_query(r, "filters"), &f, &err) < 0)
		return api_reply_nr_error(r, &err);
	rc = list_filters_get(&f, &lf, &err);
	/* lf points into f's document: both live to the end. */
	if (rc >= 0 && (rc = images_store_open(IMG_LOCK_SHARED, &st, &err)) >= 0 && st)
		rc = img_image_list(st, &list, &err);
	if (rc < 0) {
		qfilters_release(&f);
		return api_reply_nr_error(r, &err);
	}
	json_t *all = json_array();
	for (size_t i = 0; all && list && list[i]; i++) {
		json_t *one = summary(list[i], &lf, r->version_minor);
		if (one)
			json_array_append_new(all, one);
	}
	img_image_list_free(list);
	qfilters_release(&f);
	return all ? api_reply_json(r, 200, all) : api_reply_error(r, 500, "out of memory");
}

/* The path's image through one of image_json.h's builders. */
static int reply_image(struct api_req *r, json_t *(*build)(const struct img_image *), bool virtual_size)
{
	_cleanup_img_image_ struct img_image *im = NULL;
	struct nr_error err = { 0 };

	if (images_find(r->params[0], &im, &err) < 0)
		return api_reply_nr_error(r, &err);
	json_t *j = build(im);
	if (j && virtual_size)
		json_object_set_new(j, "VirtualSize", json_integer((json_int_t)im->size));
	return j ? api_reply_json(r, 200, j) : api_reply_error(r, 500, "out of memory");
}

int h_image_inspect(struct api_req *r)
{
	/* VirtualSize was removed in API 1.44; older clients read it. */
	return reply_image(r, image_inspect_json, r->version_minor < 44);
}

int h_image_history(struct api_req *r)
{
	return reply_image(r, image_history_json, false);
}

int images_ref_of(const char *repo, const char *tag, char *buf, size_t len, struct nr_error *err)
{
	struct img_ref ref;
	int r;

	if (!repo || !*repo)
		return (buf[0] = '\0', 0);
	if (tag && *tag)
		snprintf(buf, len, "%s:%s", repo, tag);
	else
		snprintf(buf, len, "%s", repo);
	if ((r = img_ref_parse(buf, &ref, err)) < 0)
		return r;
	return 0;
}

int h_image_tag(struct api_req *r)
{
	_cleanup_img_store_ struct img_store *st = NULL;
	_cleanup_img_image_ struct img_image *im = NULL;
	struct nr_error err = { 0 };
	char ref[512];

	if (!api_query(r, "repo") || !*api_query(r, "repo"))
		return api_reply_error(r, 400, "repository name must have at least one component");
	if (images_ref_of(api_query(r, "repo"), api_query(r, "tag"), ref, sizeof(ref), &err) < 0 ||
	    images_store_open(IMG_LOCK_EXCLUSIVE, &st, &err) < 0 || img_image_find(st, r->params[0], &im, &err) < 0 ||
	    img_tag_set(st, ref, im->id, &err) < 0)
		return api_reply_nr_error(r, &err);
	images_event("tag", im->id, ref);
	return api_reply_empty(r, 201);
}

void images_event(const char *action, const char *id, const char *ref)
{
	char fam[512];

	events_emit("image", action, id,
		    ref ? json_pack("{s:s}", "name", image_ref_familiar(ref, fam, sizeof(fam))) : NULL);
}

struct rm_ctx {
	json_t *out;
	img_digest id; /* the image a name untagged names ("" when not known) */
};

/* [{"Untagged": …}, {"Deleted": …}] as rmi and prune report them, and their events. */
static void rm_report(void *p, enum image_rm_event ev, const char *what)
{
	struct rm_ctx *c = p;

	json_array_append_new(c->out, json_pack("{s:s}", ev == IMAGE_UNTAGGED ? "Untagged" : "Deleted", what));
	if (ev == IMAGE_UNTAGGED)
		images_event("untag", c->id, what);
	else
		images_event("delete", what, NULL);
}

int h_image_delete(struct api_req *r)
{
	_cleanup_img_image_ struct img_image *im = NULL;
	struct nr_error err = { 0 };
	json_t *out = json_array();
	struct rm_ctx c = { out, "" };
	bool force;

	/* The id for the untag events; not finding it is image_remove's 404 to give. */
	if (images_find(r->params[0], &im, NULL) >= 0)
		snprintf(c.id, sizeof(c.id), "%s", im->id);
	if (!out)
		return api_reply_error(r, 500, "out of memory");
	/* noprune: there are no untagged parents to prune. */
	if (api_query_bool(r, "force", false, &force) < 0) {
		json_decref(out);
		return api_reply_error(r, 400, "invalid boolean value for force");
	}
	if (image_remove(r->params[0], force, rm_report, &c, &err) < 0) {
		json_decref(out);
		return api_reply_nr_error(r, &err);
	}
	return api_reply_json(r, 200, out);
}

static bool prune_pick(const struct img_image *im, void *ctx)
{
	return qprune_match(ctx, im->created * 1000000000LL, image_labels(im));
}

int h_image_prune(struct api_req *r)
{
	static const char *const dangling[] = { "dangling", NULL };
	struct nr_error err = { 0 };
	const char *d[QFILTER_MAX];
	long long bytes = 0;
	struct qfilters f;
	struct qprune p;
	bool all = false;
	int rc;

	rc = qprune_parse(api_query(r, "filters"), dangling, &f, &p, &err);
	size_t n_d = qfilters_get(&f, "dangling", d, QFILTER_MAX);
	/* dangling=false is `image prune -a`. */
	for (size_t i = 0; rc >= 0 && i < n_d; i++)
		all = !strcmp(d[i], "false") || !strcmp(d[i], "0");
	if (rc < 0) {
		qfilters_release(&f);
		return api_reply_nr_error(r, &err);
	}
	json_t *deleted = json_array();
	struct rm_ctx c = { deleted, "" };
	if (deleted)
		rc = image_prune(all, prune_pick, &p, rm_report, &c, &bytes, &err);
	qfilters_release(&f);
	if (!deleted)
		return api_reply_error(r, 500, "out of memory");
	if (rc < 0) {
		json_decref(deleted);
		return api_reply_nr_error(r, &err);
	}
	/* Docker answers null, not [], when nothing went. */
	return api_reply_json(r, 200,
			      json_pack("{s:o,s:I}", "ImagesDeleted",
					json_array_size(deleted) ? deleted : (json_decref(deleted), json_null()),
					"SpaceReclaimed", (json_int_t)bytes));
}
