/* Images in and out: POST /images/load (a docker-save or OCI tar in the body), GET
 * /images/get and /images/{name}/get (save: the tar streamed out), POST /images/create
 * (?fromSrc=- import of a root file system tar; ?fromImage= pull, answered with a clear
 * error: no registry is reachable) and POST /commit.  Progress answers are Docker's JSON
 * message streams: one {"stream"|"status": …} object per line, an error as
 * {"errorDetail": {"message": …}, "error": …} (the CLI prints it and fails). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/json_field.h"
#include "engine/commit.h"
#include "engine/container.h"
#include "engine/image_json.h"
#include "engine/rt_error.h"
#include "events.h"
#include "image/archive.h"
#include "images.h"
#include "routes.h"

#define NAMES_MAX 64
#define CHANGES_MAX 64

/* A JSON message stream built whole, then sent: the work is done by the time we answer. */
struct jstream {
	char *buf;
	size_t len;
	FILE *f;
};

static int jstream_open(struct jstream *s)
{
	*s = (struct jstream){ 0 };
	s->f = open_memstream(&s->buf, &s->len);
	return s->f ? 0 : -ENOMEM;
}

static void jstream_add(struct jstream *s, json_t *msg)
{
	_cleanup_free_ char *text = msg ? json_dumps(msg, JSON_COMPACT) : NULL;

	if (text)
		fprintf(s->f, "%s\r\n", text);
	json_decref(msg);
}

static void jstream_error(struct jstream *s, const char *msg)
{
	jstream_add(s, json_pack("{s:{s:s},s:s}", "errorDetail", "message", msg, "error", msg));
}

static int jstream_reply(struct api_req *r, struct jstream *s)
{
	int ret;

	if (fclose(s->f) != 0) {
		free(s->buf);
		return api_reply_error(r, 500, "out of memory");
	}
	ret = api_reply_data(r, 200, "application/json", s->buf, s->len);
	free(s->buf);
	return ret;
}

int h_image_load(struct api_req *r)
{
	_cleanup_img_store_ struct img_store *st = NULL;
	struct img_loaded loaded = { 0 };
	struct nr_error err = { 0 };
	struct jstream s;
	bool quiet;

	if (api_query_bool(r, "quiet", false, &quiet) < 0)
		return api_reply_error(r, 400, "invalid boolean value for quiet");
	if (jstream_open(&s) < 0)
		return api_reply_error(r, 500, "out of memory");
	/* All or nothing (archive.h): a body cut off mid-tar leaves nothing new in the store. */
	if (images_store_open(IMG_LOCK_EXCLUSIVE, &st, &err) < 0 ||
	    img_archive_load(st, r->body_fd, &loaded, &err) < 0) {
		jstream_error(&s, err.msg);
		return jstream_reply(r, &s);
	}
	for (size_t i = 0; i < loaded.n; i++) {
		char fam[512], line[640];
		if (loaded.refs && loaded.refs[i])
			snprintf(line, sizeof(line), "Loaded image: %s\n",
				 image_ref_familiar(loaded.refs[i], fam, sizeof(fam)));
		else
			snprintf(line, sizeof(line), "Loaded image ID: %s\n", loaded.ids[i]);
		jstream_add(&s, json_pack("{s:s}", "stream", line));
		images_event("load", loaded.ids[i], loaded.refs ? loaded.refs[i] : NULL);
	}
	img_loaded_free(&loaded);
	return jstream_reply(r, &s);
}

struct save_ctx {
	char *names[NAMES_MAX];
	size_t n;
};

static void save_ctx_free(void *p)
{
	struct save_ctx *c = p;

	for (size_t i = 0; i < c->n; i++)
		free(c->names[i]);
	free(c);
}

static void save_stream(int out, void *p)
{
	_cleanup_img_store_ struct img_store *st = NULL;
	struct save_ctx *c = p;
	struct nr_error err = { 0 };

	/* The headers are gone: a failure can only cut the tar short, which the client's
	 * tar reader reports.  Say why in the daemon's log. */
	if (images_store_open(IMG_LOCK_SHARED, &st, &err) < 0 || !st ||
	    img_archive_save(st, (const char *const *)c->names, c->n, IMG_ARCHIVE_DOCKER, NULL, out, &err) < 0)
		fprintf(stderr, "netns-run-daemon: image save: %s\n", err.msg[0] ? err.msg : "no image store");
}

int h_image_get(struct api_req *r)
{
	struct save_ctx *c = calloc(1, sizeof(*c));
	const char *names[NAMES_MAX];
	size_t n;

	if (!c)
		return api_reply_error(r, 500, "out of memory");
	if (r->params[0]) {
		names[0] = r->params[0];
		n = 1;
	} else {
		n = api_query_all(r, "names", names, NAMES_MAX);
	}
	if (n == 0) {
		free(c);
		return api_reply_error(r, 400, "no images named: give ?names=IMAGE");
	}
	/* Every name must be an image before the 200 goes out. */
	for (size_t i = 0; i < n; i++) {
		_cleanup_img_image_ struct img_image *im = NULL;
		struct nr_error err = { 0 };
		if (images_find(names[i], &im, &err) < 0) {
			save_ctx_free(c);
			return api_reply_nr_error(r, &err);
		}
		if (!(c->names[c->n] = strdup(names[i]))) {
			save_ctx_free(c);
			return api_reply_error(r, 500, "out of memory");
		}
		c->n++;
		images_event("save", im->id, NULL);
	}
	return api_reply_stream(r, 200, "application/x-tar", save_stream, c, save_ctx_free);
}

/* ?fromImage=NAME&tag=: no registry is reachable.  An image we hold is up to date, as
 * Docker says when its registry has nothing newer; anything else is an error line. */
static int pull(struct api_req *r, const char *from)
{
	_cleanup_img_image_ struct img_image *im = NULL;
	const char *tag = api_query(r, "tag");
	struct nr_error err = { 0 };
	struct jstream s;
	char ref[512], fam[512], msg[1024];

	/* fromImage may carry its tag (or digest) itself; tag= is for a bare name. */
	if (tag && *tag && !strchr(strrchr(from, '/') ?: from, ':') && !strchr(from, '@'))
		snprintf(ref, sizeof(ref), "%s%s%s", from, tag[0] == '@' || !strncmp(tag, "sha256:", 7) ? "@" : ":",
			 tag);
	else
		snprintf(ref, sizeof(ref), "%s", from);
	if (jstream_open(&s) < 0)
		return api_reply_error(r, 500, "out of memory");
	if (images_find(ref, &im, &err) >= 0) {
		image_ref_familiar(im->tags && im->tags[0] ? im->tags[0] : ref, fam, sizeof(fam));
		snprintf(msg, sizeof(msg), "Status: Image is up to date for %s", fam);
		jstream_add(&s, json_pack("{s:s}", "status", msg));
		return jstream_reply(r, &s);
	}
	snprintf(msg, sizeof(msg),
		 "pull of %s refused: netns-run does not reach registries; load the image from an archive instead "
		 "(docker load -i FILE, made by docker save, podman save or skopeo copy ... docker-archive:)",
		 ref);
	jstream_error(&s, msg);
	return jstream_reply(r, &s);
}

int h_image_create(struct api_req *r)
{
	_cleanup_img_store_ struct img_store *st = NULL;
	const char *from_src = api_query(r, "fromSrc"), *from_image = api_query(r, "fromImage");
	const char *changes[CHANGES_MAX + 1] = { 0 };
	struct nr_error err = { 0 };
	struct jstream s;
	img_digest id;
	char ref[512];

	if (from_image && *from_image)
		return pull(r, from_image);
	if (!from_src || !*from_src)
		return api_reply_error(r, 400, "fromImage or fromSrc is required");
	if (strcmp(from_src, "-") != 0)
		return api_reply_error(r, 400,
				       "fromSrc=%s refused: netns-run does not reach the network; send the tar as the body "
				       "(fromSrc=-)",
				       from_src);
	if (images_ref_of(api_query(r, "repo"), api_query(r, "tag"), ref, sizeof(ref), &err) < 0)
		return api_reply_nr_error(r, &err);
	api_query_all(r, "changes", changes, CHANGES_MAX);
	if (jstream_open(&s) < 0)
		return api_reply_error(r, 500, "out of memory");
	if (images_store_open(IMG_LOCK_EXCLUSIVE, &st, &err) < 0 ||
	    img_archive_import(st, r->body_fd, ref[0] ? ref : NULL, changes, api_query(r, "message"), id, &err) < 0)
		jstream_error(&s, err.msg);
	else {
		jstream_add(&s, json_pack("{s:s}", "status", id));
		images_event("import", id, ref[0] ? ref : NULL);
	}
	return jstream_reply(r, &s);
}

/* The body's container config (POST /commit) as change lines (config_change.c's
 * Dockerfile-like instructions): what it sets overrides the image's. */
static int config_changes(json_t *cfg, char ***changes, struct nr_error *err)
{
	static const char *const arrays[][2] = { { "Cmd", "CMD" }, { "Entrypoint", "ENTRYPOINT" } };
	static const char *const strings[][2] = { { "WorkingDir", "WORKDIR" }, { "User", "USER" } };
	char line[4096];
	const char *k;
	json_t *v;
	size_t i;

	if (!cfg || json_is_null(cfg))
		return 0;
	if (!json_is_object(cfg))
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "the commit body must be a container config object");
	for (i = 0; i < 2; i++) {
		_cleanup_free_ char *text = NULL;
		v = json_object_get(cfg, arrays[i][0]);
		if (!json_is_array(v) || !(text = json_dumps(v, JSON_COMPACT)))
			continue;
		snprintf(line, sizeof(line), "%s %s", arrays[i][1], text);
		if (rt_strv_push(changes, line) < 0)
			return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	}
	for (i = 0; i < 2; i++) {
		const char *s = json_string_value(json_object_get(cfg, strings[i][0]));
		if (!s || !*s)
			continue;
		snprintf(line, sizeof(line), "%s %s", strings[i][1], s);
		if (rt_strv_push(changes, line) < 0)
			return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	}
	json_array_foreach(json_object_get(cfg, "Env"), i, v) {
		snprintf(line, sizeof(line), "ENV %s", json_string_value(v) ?: "");
		if (json_is_string(v) && rt_strv_push(changes, line) < 0)
			return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	}
	json_object_foreach(json_object_get(cfg, "Labels"), k, v) {
		snprintf(line, sizeof(line), "LABEL %s=%s", k, json_string_value(v) ?: "");
		if (rt_strv_push(changes, line) < 0)
			return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	}
	json_object_foreach(json_object_get(cfg, "ExposedPorts"), k, v) {
		snprintf(line, sizeof(line), "EXPOSE %s", k);
		if (rt_strv_push(changes, line) < 0)
			return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	}
	return 0;
}

/* Docker's commit event is the container's: Actor.ID its id, the image made an attribute. */
static void commit_event(const char *name, const char *image)
{
	_cleanup_record_ struct ctr_record *rec = NULL;

	if (ctr_store_load(name, &rec, NULL) >= 0)
		events_emit("container", "commit", rec->id, json_pack("{s:s,s:s}", "name", name, "imageID", image));
}

int h_commit(struct api_req *r)
{
	/* The docker 20.10 client sends "null" for no config. */
	_cleanup_json_ json_t *body = r->body_len ? json_loadb(r->body, r->body_len, JSON_DECODE_ANY, NULL) : NULL;
	_cleanup_strv_ char **changes = NULL;
	const char *query_changes[CHANGES_MAX];
	const char *container = api_query(r, "container");
	struct ctr_commit_opts o = { 0 };
	struct nr_error err = { 0 };
	char name[RT_NAME_MAX], ref[512];
	img_digest id;
	size_t n;

	if (r->body_len && (!body || !(json_is_object(body) || json_is_null(body))))
		return api_reply_error(r, 400, "invalid JSON body: a container config");
	if (!container || !*container)
		return api_reply_error(r, 400, "container is required");
	if (api_query_bool(r, "pause", true, &o.pause) < 0)
		return api_reply_error(r, 400, "invalid boolean value for pause");
	if (ctr_store_resolve(container, name, &err) < 0 ||
	    images_ref_of(api_query(r, "repo"), api_query(r, "tag"), ref, sizeof(ref), &err) < 0 ||
	    config_changes(body, &changes, &err) < 0)
		return api_reply_nr_error(r, &err);
	/* The query's changes after the body's, so a --change wins over the config. */
	n = api_query_all(r, "changes", query_changes, CHANGES_MAX);
	for (size_t i = 0; i < n; i++)
		if (rt_strv_push(&changes, query_changes[i]) < 0)
			return api_reply_error(r, 500, "out of memory");
	o.comment = api_query(r, "comment");
	o.author = api_query(r, "author");
	o.changes = (const char *const *)changes;
	o.ref = ref[0] ? ref : NULL;
	if (ctr_commit(name, &o, id, &err) < 0)
		return api_reply_nr_error(r, &err);
	commit_event(name, id);
	return api_reply_json(r, 201, json_pack("{s:s}", "Id", id));
}
