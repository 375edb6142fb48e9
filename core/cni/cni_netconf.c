/* Networks as files: conflists (and single-plugin .conf files wrapped into a list of one)
 * found in configuration directories, the way libcni finds them. */
#include "cni_chain.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fdio.h"
#include "base/json_field.h"
#include "cni_cleanup.h"
#include "cni_config.h"
#include "cni_version.h"

/* A configuration file larger than this is not a configuration file. */
#define NETCONF_MAX_BYTES (1u << 20)

void cni_netconf_free(struct cni_netconf *n)
{
	if (!n)
		return;
	free(n->name);
	free(n->cni_version);
	free(n->path);
	json_decref(n->list);
	free(n);
}

/* disableCheck and disableGC: libcni also takes the strings "true" and "false". */
static int list_flag(json_t *list, const char *key, const char *what, bool *ret, struct nr_error *err)
{
	json_t *v = json_object_get(list, key);

	if (!v || json_is_null(v))
		return 0;
	if (json_is_boolean(v)) {
		*ret = json_is_true(v);
		return 0;
	}
	if (json_is_string(v) &&
	    (strcmp(json_string_value(v), "true") == 0 || strcmp(json_string_value(v), "false") == 0)) {
		*ret = strcmp(json_string_value(v), "true") == 0;
		return 0;
	}
	return nr_error_set(err, CNI_ERR_DECODE, EINVAL, "%s: '%s' must be true or false", what, key);
}

static int check_plugins(json_t *plugins, const char *what, struct nr_error *err)
{
	size_t i;
	json_t *p;

	if (!plugins)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "%s: 'plugins' is required", what);
	if (json_array_size(plugins) == 0)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "%s: 'plugins' is empty", what);
	json_array_foreach(plugins, i, p) {
		json_t *t;
		if (!json_is_object(p))
			return nr_error_set(err, CNI_ERR_DECODE, EINVAL, "%s: plugins[%zu] must be an object", what, i);
		t = json_get_go(p, "type");
		if (!json_is_string(t) || !*json_string_value(t))
			return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "%s: plugins[%zu] has no 'type'", what,
					    i);
	}
	return 0;
}

/* A single plugin's config becomes {cniVersion, name, plugins: [it]}, as libcni wraps it. */
static int wrap_single(json_t **root, struct nr_error *err)
{
	json_t *list = json_pack("{s:O?, s:O?, s:[O]}", "cniVersion", json_object_get(*root, "cniVersion"), "name",
				 json_object_get(*root, "name"), "plugins", *root);

	if (!list)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	json_decref(*root);
	*root = list;
	return 0;
}

int cni_netconf_parse(const char *buf, size_t len, const char *what, struct cni_netconf **ret, struct nr_error *err)
{
	_cleanup_(cni_netconf_freep) struct cni_netconf *n = NULL;
	_cleanup_json_ json_t *root = NULL;
	const char *name = NULL, *ver = NULL;
	json_t *plugins = NULL;
	int r;

	if ((r = json_parse_object(buf, len, what, &root, err)) < 0)
		return r;
	if (!json_object_get(root, "plugins") && json_object_get(root, "type") && (r = wrap_single(&root, err)) < 0)
		return r;
	if ((r = jfield_string(root, "name", what, true, &name, err)) < 0 ||
	    (r = jfield_string(root, "cniVersion", what, false, &ver, err)) < 0 ||
	    (r = jfield_array(root, "plugins", what, &plugins, err)) < 0)
		return r;
	if (!cni_name_valid(name))
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				    "%s: network name '%s' is invalid: it must start with a letter or digit, followed by letters, digits, '_', '.' or '-'",
				    what, name);
	if (!ver)
		return nr_error_set(err, CNI_ERR_INCOMPATIBLE_VERSION, EINVAL, "%s: 'cniVersion' is required", what);
	if (!cni_version_is_supported(ver))
		return nr_error_set(err, CNI_ERR_INCOMPATIBLE_VERSION, EINVAL, "%s: cniVersion '%s' is not supported",
				    what, ver);
	if ((r = check_plugins(plugins, what, err)) < 0)
		return r;

	if (!(n = calloc(1, sizeof(*n))) || !(n->name = strdup(name)) || !(n->cni_version = strdup(ver)))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	if ((r = list_flag(root, "disableCheck", what, &n->disable_check, err)) < 0 ||
	    (r = list_flag(root, "disableGC", what, &n->disable_gc, err)) < 0)
		return r;
	n->list = TAKE_PTR(root);
	*ret = TAKE_PTR(n);
	return 0;
}

static int parse_file(const char *path, struct cni_netconf **ret, struct nr_error *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r;

	if (fd < 0)
		return nr_error_set(err, CNI_ERR_IO, errno, "cannot open %s: %s", path, strerror(errno));
	if ((r = fd_read_all(fd, NETCONF_MAX_BYTES, &buf, &len)) < 0)
		return nr_error_set(err, CNI_ERR_IO, r, "cannot read %s: %s", path, strerror(-r));
	if ((r = cni_netconf_parse(buf, len, path, ret, err)) < 0)
		return r;
	if (!((*ret)->path = strdup(path))) {
		cni_netconf_free(TAKE_PTR(*ret));
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	}
	return 0;
}

static int conf_file_filter(const struct dirent *d)
{
	const char *dot = strrchr(d->d_name, '.');

	if (d->d_name[0] == '.' || !dot)
		return 0;
	return strcmp(dot, ".conflist") == 0 || strcmp(dot, ".conf") == 0 || strcmp(dot, ".json") == 0;
}

/* Called for each network that parses, in search order; returns > 0 to stop. */
typedef int (*netconf_fn)(struct cni_netconf **n, void *arg, struct nr_error *err);

struct walk_skipped {
	char text[NR_ERROR_DETAILS_MAX];
	size_t len;
};

static void note_skipped(struct walk_skipped *s, const struct nr_error *e)
{
	int w = snprintf(s->text + s->len, sizeof(s->text) - s->len, "%s%s", s->len ? "; " : "", e->msg);

	if (w > 0)
		s->len = s->len + (size_t)w >= sizeof(s->text) ? sizeof(s->text) - 1 : s->len + (size_t)w;
}

/* Files that do not parse are skipped (noted in skipped): one broken file must not hide
 * every other network.  A directory that does not exist holds no networks. */
static int walk_dirs(const char *const *dirs, netconf_fn fn, void *arg, struct walk_skipped *skipped,
		     struct nr_error *err)
{
	for (const char *const *d = dirs; d && *d; d++) {
		struct dirent **ents = NULL;
		int n = scandir(*d, &ents, conf_file_filter, alphasort), r = 0, i;

		if (n < 0) {
			if (errno == ENOENT || errno == ENOTDIR)
				continue;
			return nr_error_set(err, CNI_ERR_IO, errno, "cannot read configuration directory %s: %s", *d,
					    strerror(errno));
		}
		for (i = 0; i < n && r == 0; i++) {
			_cleanup_(cni_netconf_freep) struct cni_netconf *nc = NULL;
			_cleanup_free_ char *path = NULL;
			struct nr_error e = { 0 };

			if (asprintf(&path, "%s/%s", *d, ents[i]->d_name) < 0) {
				path = NULL;
				r = nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
				break;
			}
			if (parse_file(path, &nc, &e) < 0) {
				if (skipped)
					note_skipped(skipped, &e);
				continue;
			}
			r = fn(&nc, arg, err);
		}
		for (i = 0; i < n; i++)
			free(ents[i]);
		free(ents);
		if (r != 0)
			return r;
	}
	return 0;
}

struct find_op {
	const char *name;
	struct cni_netconf *found;
};

static int find_one(struct cni_netconf **n, void *arg, struct nr_error *err)
{
	struct find_op *op = arg;

	if (strcmp((*n)->name, op->name) != 0)
		return 0;
	op->found = TAKE_PTR(*n);
	return 1;
}

int cni_netconf_load(const char *const *dirs, const char *name, struct cni_netconf **ret, struct nr_error *err)
{
	struct find_op op = { .name = name };
	struct walk_skipped skipped = { 0 };
	char searched[512] = "";
	size_t len = 0;
	int r;

	if (!name || !cni_name_valid(name))
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "network name '%s' is invalid",
				    name ? name : "");
	if ((r = walk_dirs(dirs, find_one, &op, &skipped, err)) < 0)
		return r;
	if (op.found) {
		*ret = op.found;
		return 0;
	}
	for (const char *const *d = dirs; d && *d && len < sizeof(searched); d++) {
		int w = snprintf(searched + len, sizeof(searched) - len, "%s%s", len ? ", " : "", *d);
		len += w > 0 ? (size_t)w : 0;
	}
	r = nr_error_set(err, CNI_ERR_INTERNAL, ENOENT, "network '%s' was not found in %s", name,
			 len ? searched : "(no directories)");
	if (skipped.len)
		nr_error_details(err, "files skipped: %s", skipped.text);
	return r;
}

struct list_op {
	struct cni_netconf **v;
	size_t n;
};

static int list_one(struct cni_netconf **n, void *arg, struct nr_error *err)
{
	struct list_op *op = arg;
	struct cni_netconf **v;

	for (size_t i = 0; i < op->n; i++)
		if (strcmp(op->v[i]->name, (*n)->name) == 0)
			return 0; /* an earlier file (or directory) has this name already */
	if (!(v = realloc(op->v, (op->n + 1) * sizeof(*v))))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	op->v = v;
	op->v[op->n++] = TAKE_PTR(*n);
	return 0;
}

int cni_netconf_list(const char *const *dirs, struct cni_netconf ***ret, size_t *ret_n, struct nr_error *err)
{
	struct list_op op = { 0 };
	int r = walk_dirs(dirs, list_one, &op, NULL, err);

	if (r < 0) {
		for (size_t i = 0; i < op.n; i++)
			cni_netconf_free(op.v[i]);
		free(op.v);
		return r;
	}
	*ret = op.v;
	*ret_n = op.n;
	return 0;
}
