/* `netns-run run IMAGE`: the image found for a run and its config applied to the run's
 * options (image_run.h).  Only the image's record and config are read: its layers are
 * unpacked already, and a run must cost no more than a host-root one (docs/images.md, "Running an image"). */
#include "image_run.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/json_field.h"
#include "container.h"
#include "image/ref.h"
#include "image/store.h"
#include "rt_error.h"

void image_run_free(struct image_run *im)
{
	if (!im)
		return;
	img_config_clear(&im->cfg);
	rt_strv_free(im->lowers);
	rt_strv_free(im->argv);
	free(im->workdir);
	free(im);
}

bool image_word_explicit(const char *word)
{
	if (!word || !*word || *word == '/' || *word == '.')
		return false;
	return strchr(word, ':') || strchr(word, '@') || strchr(word, '/');
}

static int not_found(const char *word, struct nr_error *err)
{
	return nr_error_set(err, RT_ERR_NOT_FOUND, ENOENT,
			    "Unable to find image '%s' locally (netns-run does not pull from registries: use netns-run "
			    "load)",
			    word);
}

/* The config document as text: the store's parsed copy when it has one, else the blob. */
static int config_text(const struct img_store *st, const struct img_image *im, char **ret, size_t *ret_len,
		       struct nr_error *err)
{
	if (im->config) {
		if (!(*ret = json_dumps(im->config, JSON_COMPACT)))
			return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
		*ret_len = strlen(*ret);
		return 0;
	}
	return img_blob_read(st, im->id, ret, ret_len, err);
}

/* What a run takes of a found image: its id, config and layer directories (top first). */
static int image_run_from(const struct img_store *st, const struct img_image *im, struct image_run **ret,
			  struct nr_error *err)
{
	_cleanup_image_run_ struct image_run *ir = calloc(1, sizeof(*ir));
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	char buf[PATH_MAX];
	int r;

	if (!ir || !(ir->lowers = calloc(im->n_layers + 1, sizeof(char *))))
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	snprintf(ir->id, sizeof(ir->id), "%s", im->id);
	if ((r = config_text(st, im, &text, &len, err)) < 0 || (r = img_config_parse(text, len, &ir->cfg, err)) < 0)
		return nr_error_wrap(err, r, "image %s", im->id);
	for (size_t i = 0; i < im->n_layers; i++) {
		const char *d = img_layer_dir(st, im->layers[im->n_layers - 1 - i].chain_id, buf, sizeof(buf));
		if (!d || !(ir->lowers[i] = strdup(d)))
			return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	}
	*ret = TAKE_PTR(ir);
	return 0;
}

int image_run_find(const char *state_dir, const char *word, struct image_run **ret, struct nr_error *err)
{
	_cleanup_img_store_ struct img_store *st = NULL;
	_cleanup_img_image_ struct img_image *im = NULL;
	struct nr_error e = { 0 };
	struct img_ref ref;
	char dir[PATH_MAX];
	struct stat s;
	bool explicit = image_word_explicit(word) && img_ref_parse(word, &ref, NULL) >= 0;
	int r;

	/* A run on the host's root must not create the store (nor pay for opening one). */
	snprintf(dir, sizeof(dir), "%s/images", state_dir);
	if (stat(dir, &s) < 0 || !S_ISDIR(s.st_mode))
		return explicit ? not_found(word, err) : 0;
	if ((r = img_store_open(state_dir, IMG_LOCK_SHARED, &st, &e)) < 0) {
		/* A bare word stays a command whatever the store's trouble (an unprivileged
		 * caller may not read it): every run that worked before still works. */
		if (!explicit)
			return 0;
		nr_error_copy(err, &e);
		return nr_error_wrap(err, r, "the image store");
	}
	if ((r = img_image_find(st, word, &im, &e)) < 0) {
		if (!explicit)
			return 0;
		if (e.code == RT_ERR_NOT_FOUND || r == -ENOENT)
			return not_found(word, err);
		nr_error_copy(err, &e);
		return r;
	}
	if ((r = image_run_from(st, im, ret, err)) < 0)
		return r;
	return 1;
}

int image_argv_build(char *const *img_entrypoint, char *const *img_cmd, const char *entrypoint_opt,
		     char *const *command, char ***ret, struct nr_error *err)
{
	_cleanup_strv_ char **v = calloc(1, sizeof(char *));
	bool ok = v;

	if (entrypoint_opt && *entrypoint_opt)
		ok = ok && rt_strv_push(&v, entrypoint_opt) >= 0;
	for (size_t i = 0; !entrypoint_opt && img_entrypoint && img_entrypoint[i]; i++)
		ok = ok && rt_strv_push(&v, img_entrypoint[i]) >= 0;
	/* As Docker: a COMMAND replaces Cmd; --entrypoint drops the image's Cmd too. */
	char *const *tail = command && command[0] ? command : entrypoint_opt ? NULL : img_cmd;
	for (size_t i = 0; tail && tail[i]; i++)
		ok = ok && rt_strv_push(&v, tail[i]) >= 0;
	if (!ok)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	*ret = TAKE_PTR(v);
	return 0;
}

/* A host port nobody uses now: the kernel's pick for port 0, of the protocol's kind. */
static int free_port(const char *proto, int *ret)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY) };
	socklen_t len = sizeof(a);
	_cleanup_close_ int fd = socket(AF_INET, (strcmp(proto, "udp") ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		return -errno;
	*ret = ntohs(a.sin_port);
	return 0;
}

/* "80", "80/tcp", "8000-8010/udp" -> the range and protocol. */
static int exposed_parse(const char *spec, long *lo, long *hi, char proto[8])
{
	char *end;

	errno = 0;
	*lo = strtol(spec, &end, 10);
	*hi = *lo;
	if (!errno && end != spec && *end == '-') {
		const char *p = end + 1;
		*hi = strtol(p, &end, 10);
	}
	snprintf(proto, 8, "tcp");
	if (*end == '/') {
		if (strcmp(end + 1, "tcp") && strcmp(end + 1, "udp") && strcmp(end + 1, "sctp"))
			return -EINVAL;
		snprintf(proto, 8, "%s", end + 1);
	} else if (*end) {
		return -EINVAL;
	}
	return errno || *lo < 1 || *hi < *lo || *hi > 65535 ? -EINVAL : 0;
}

int image_publish_all(char *const *exposed, char **caps, struct nr_error *err)
{
	_cleanup_json_ json_t *doc = NULL;
	json_t *arr;

	if (!exposed || !exposed[0])
		return 0;
	doc = *caps ? json_loads(*caps, 0, NULL) : json_pack("{s:[]}", "portMappings");
	arr = doc ? json_object_get(doc, "portMappings") : NULL;
	if (!json_is_array(arr))
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	for (size_t i = 0; exposed[i]; i++) {
		long lo, hi;
		char proto[8];
		int port = 0, r;
		if (exposed_parse(exposed[i], &lo, &hi, proto) < 0)
			return nr_error_set(err, RT_ERR_CORRUPT, EINVAL,
					    "-P: the image exposes \"%s\", not PORT[-END][/tcp|udp|sctp]", exposed[i]);
		for (long p = lo; p <= hi; p++) {
			if ((r = free_port(proto, &port)) < 0)
				return nr_error_set(err, RT_ERR_SYSTEM, -r,
						    "-P: cannot find a free host port for %ld/%s: %s", p, proto,
						    strerror(-r));
			if (json_array_append_new(arr, json_pack("{s:i, s:i, s:s}", "hostPort", port, "containerPort",
								 (int)p, "protocol", proto)) < 0)
				return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
		}
	}
	char *text = json_dumps(doc, JSON_COMPACT);
	if (!text)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	free(*caps);
	*caps = text;
	return 0;
}

/* Layers, Env, WorkingDir, User and -P: what only an image has. */
static int apply_image(struct image_run *im, struct run_opts *o, struct nr_error *err)
{
	const struct img_config *cfg = &im->cfg;
	size_t n = rt_strv_len(im->lowers);

	if (o->n_rootfs)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "--rootfs cannot be used with an image: the image's layers are the root (use -- "
				    "COMMAND for --rootfs layers without an image)");
	if (n == 0)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "the image %s has no layers: nothing to run on",
				    o->image);
	if (n > RT_LAYERS_MAX)
		return nr_error_set(err, RT_ERR_USAGE, E2BIG, "the image %s has %zu layers; netns-run runs at most %d",
				    o->image, n, RT_LAYERS_MAX);
	for (size_t i = 0; i < n; i++)
		o->rootfs[i] = im->lowers[i];
	o->n_rootfs = n;
	o->image_id = im->id;
	o->image_env = cfg->env;
	if (!o->workdir && cfg->working_dir && *cfg->working_dir) {
		/* The spec wants it absolute; Docker resolves a relative one against /. */
		if (asprintf(&im->workdir, "%s%s", cfg->working_dir[0] == '/' ? "" : "/", cfg->working_dir) < 0) {
			im->workdir = NULL;
			return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
		}
		o->workdir = im->workdir;
	}
	if (!o->user && cfg->user && *cfg->user)
		o->user = cfg->user;
	if (o->publish_all)
		return image_publish_all(cfg->exposed, &o->caps, err);
	return 0;
}

int image_run_apply(struct image_run *im, struct run_opts *o, char **command, struct nr_error *err)
{
	int r;

	if (!im && !(im = calloc(1, sizeof(*im))))
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	image_run_free(o->img);
	o->img = im; /* freed with o (run_opts_free), whatever happens below */
	if (im->id[0] && (r = apply_image(im, o, err)) < 0)
		return r;
	if ((r = image_argv_build(im->cfg.entrypoint, im->cfg.cmd, o->entrypoint, command, &im->argv, err)) < 0)
		return r;
	if (!im->argv[0])
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "no command specified: the image %s has no Entrypoint or Cmd (give COMMAND after it)",
				    o->image ? o->image : "-");
	o->argv = im->argv;
	return 0;
}

int image_run_pin(const struct run_opts *o, struct nr_error *err)
{
	_cleanup_img_store_ struct img_store *st = NULL;
	_cleanup_img_image_ struct img_image *im = NULL;
	struct nr_error e = { 0 };
	char buf[PATH_MAX];
	struct stat s;
	int r;

	if (!o->image_id)
		return 0;
	if ((r = img_store_open(rt_paths()->state_dir, IMG_LOCK_SHARED, &st, err)) < 0)
		return nr_error_wrap(err, r, "the image store");
	if ((r = img_image_find(st, o->image_id, &im, &e)) < 0)
		return nr_error_set(err, RT_ERR_NOT_FOUND, ENOENT,
				    "the image %s (%s) was removed while the container was being created", o->image,
				    o->image_id);
	if (im->n_layers != o->n_rootfs)
		return nr_error_set(err, RT_ERR_CONFLICT, ESTALE,
				    "the image %s changed while the container was being created", o->image);
	for (size_t i = 0; i < im->n_layers; i++) {
		const char *d = img_layer_dir(st, im->layers[im->n_layers - 1 - i].chain_id, buf, sizeof(buf));
		if (!d || strcmp(d, o->rootfs[i]) || stat(d, &s) < 0 || !S_ISDIR(s.st_mode))
			return nr_error_set(err, RT_ERR_CORRUPT, ENOENT,
					    "the image %s lacks its layer %s (removed meanwhile, or a damaged store: "
					    "netns-run load it again)",
					    o->image, im->layers[im->n_layers - 1 - i].chain_id);
	}
	return 0;
}
