#include "cni_cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fdio.h"
#include "base/json_field.h"
#include "cni_chain.h"
#include "cni_cleanup.h"
#include "cni_config.h"
#include "cni_env.h"

#define CACHE_ENTRY_MAX (4u << 20)

void cni_cache_entry_free(struct cni_cache_entry *e)
{
	if (!e)
		return;
	free(e->network);
	free(e->container_id);
	free(e->ifname);
	free(e->netns);
	free(e->args);
	json_decref(e->caps);
	json_decref(e->result);
	free(e);
}

static const char *dir_or_default(const char *cache_dir)
{
	return cache_dir && *cache_dir ? cache_dir : CNI_CHAIN_DEFAULT_CACHE_DIR;
}

int cni_cache_path(const char *cache_dir, const char *network, const char *container_id, const char *ifname, char *buf,
		   size_t len, struct nr_error *err)
{
	if (!network || !cni_name_valid(network))
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "network name '%s' is invalid",
				    network ? network : "");
	if (!container_id || !cni_container_id_valid(container_id))
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "container id '%s' is invalid",
				    container_id ? container_id : "");
	if (cni_ifname_validate(ifname, NULL) < 0)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "interface name '%s' is invalid",
				    ifname ? ifname : "");
	if ((size_t)snprintf(buf, len, "%s/%s-%s-%s", dir_or_default(cache_dir), network, container_id, ifname) >= len)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, ENAMETOOLONG, "cache path for %s-%s-%s is too long",
				    network, container_id, ifname);
	return 0;
}

/* mkdir -p: parents 0755, the last component `mode`. */
static int mkdir_parents(const char *dir, mode_t mode, struct nr_error *err)
{
	char p[PATH_MAX];

	if ((size_t)snprintf(p, sizeof(p), "%s", dir) >= sizeof(p))
		return nr_error_set(err, CNI_ERR_IO, ENAMETOOLONG, "cache directory %s: path too long", dir);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return nr_error_set(err, CNI_ERR_IO, errno, "cannot create %s: %s", p, strerror(errno));
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return nr_error_set(err, CNI_ERR_IO, errno, "cannot create cache directory %s: %s", p, strerror(errno));
	return 0;
}

/* "K=V;K2=V2" -> [["K","V"],["K2","V2"]], libcni's shape. */
static json_t *args_to_json(const char *args)
{
	_cleanup_free_ char *copy = strdup(args);
	json_t *a = json_array();
	char *save = NULL;

	if (!copy || !a) {
		json_decref(a);
		return NULL;
	}
	for (char *kv = strtok_r(copy, ";", &save); kv; kv = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(kv, '=');
		if (eq)
			*eq = '\0';
		json_array_append_new(a, json_pack("[ss]", kv, eq ? eq + 1 : ""));
	}
	return a;
}

static char *args_from_json(json_t *a)
{
	char *s = NULL;
	size_t len = 0, i;
	FILE *f;
	json_t *kv;

	if (!json_is_array(a) || json_array_size(a) == 0 || !(f = open_memstream(&s, &len)))
		return NULL;
	json_array_foreach(a, i, kv) {
		const char *k = json_string_value(json_array_get(kv, 0));
		const char *v = json_string_value(json_array_get(kv, 1));
		if (k)
			fprintf(f, "%s%s=%s", i ? ";" : "", k, v ? v : "");
	}
	fclose(f);
	return s;
}

static json_t *entry_to_json(const struct cni_cache_entry *e)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "kind", CNI_CACHE_KIND, "containerId", e->container_id, "ifName",
			      e->ifname, "networkName", e->network);

	if (!o)
		return NULL;
	if (e->netns && *e->netns)
		json_object_set_new(o, "netns", json_string(e->netns));
	if (e->args && *e->args)
		json_object_set_new(o, "cniArgs", args_to_json(e->args));
	if (e->caps && json_object_size(e->caps))
		json_object_set(o, "capabilityArgs", e->caps);
	if (e->result)
		json_object_set(o, "result", e->result);
	return o;
}

int cni_cache_write(const char *cache_dir, const struct cni_cache_entry *e, struct nr_error *err)
{
	_cleanup_json_ json_t *o = NULL;
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int fd = -1;
	char path[PATH_MAX], tmp[PATH_MAX];
	const char *dir = dir_or_default(cache_dir);
	int r;

	if ((r = cni_cache_path(dir, e->network, e->container_id, e->ifname, path, sizeof(path), err)) < 0)
		return r;
	if ((r = mkdir_parents(dir, 0700, err)) < 0)
		return r;
	if (!(o = entry_to_json(e)) || !(text = json_dumps(o, JSON_COMPACT)))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	/* Hidden, so a directory walk never takes a half-written file for an entry. */
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s-%s-%s.XXXXXX", dir, e->network, e->container_id, e->ifname) >=
	    sizeof(tmp))
		return nr_error_set(err, CNI_ERR_IO, ENAMETOOLONG, "cache path too long");
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0)
		return nr_error_set(err, CNI_ERR_IO, errno, "cannot create a file in %s: %s", dir, strerror(errno));
	if (fchmod(fd, 0600) < 0 || (r = fd_write_all(fd, text, strlen(text))) < 0 || fsync(fd) < 0) {
		int e2 = r < 0 ? -r : errno;
		unlink(tmp);
		return nr_error_set(err, CNI_ERR_IO, e2, "cannot write %s: %s", tmp, strerror(e2));
	}
	if (rename(tmp, path) < 0) {
		int e2 = errno;
		unlink(tmp);
		return nr_error_set(err, CNI_ERR_IO, e2, "cannot rename %s to %s: %s", tmp, path, strerror(e2));
	}
	/* The entry must survive a crash right after ADD returns: make the rename durable. */
	_cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0)
		fsync(dfd);
	return 0;
}

static int dup_field(json_t *o, const char *key, bool required, char **ret, const char *what, struct nr_error *err)
{
	const char *s = NULL;
	int r = jfield_string(o, key, what, required, &s, err);

	if (r < 0)
		return r;
	if (s && !(*ret = strdup(s)))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	return 0;
}

static int entry_from_json(json_t *o, const char *what, struct cni_cache_entry **ret, struct nr_error *err)
{
	_cleanup_(cni_cache_entry_freep) struct cni_cache_entry *e = calloc(1, sizeof(*e));
	const char *kind = NULL;
	json_t *caps = NULL, *res = NULL;
	int r;

	if (!e)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	if ((r = jfield_string(o, "kind", what, true, &kind, err)) < 0)
		return r;
	if (strcmp(kind, CNI_CACHE_KIND) != 0)
		return nr_error_set(err, CNI_ERR_DECODE, EINVAL, "%s: kind '%s' is not %s", what, kind, CNI_CACHE_KIND);
	if ((r = dup_field(o, "networkName", true, &e->network, what, err)) < 0 ||
	    (r = dup_field(o, "containerId", true, &e->container_id, what, err)) < 0 ||
	    (r = dup_field(o, "ifName", true, &e->ifname, what, err)) < 0 ||
	    (r = dup_field(o, "netns", false, &e->netns, what, err)) < 0 ||
	    (r = jfield_object(o, "capabilityArgs", what, false, &caps, err)) < 0 ||
	    (r = jfield_object(o, "result", what, false, &res, err)) < 0)
		return r;
	e->args = args_from_json(json_object_get(o, "cniArgs"));
	e->caps = json_incref(caps);
	e->result = json_incref(res);
	*ret = TAKE_PTR(e);
	return 0;
}

static int load_file(const char *path, struct cni_cache_entry **ret, struct nr_error *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	_cleanup_free_ char *buf = NULL;
	_cleanup_json_ json_t *o = NULL;
	size_t len;
	int r;

	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return nr_error_set(err, CNI_ERR_IO, errno, "cannot open cache entry %s: %s", path, strerror(errno));
	}
	if ((r = fd_read_all(fd, CACHE_ENTRY_MAX, &buf, &len)) < 0)
		return nr_error_set(err, CNI_ERR_IO, r, "cannot read cache entry %s: %s", path, strerror(-r));
	if ((r = json_parse_object(buf, len, path, &o, err)) < 0)
		return r;
	return entry_from_json(o, path, ret, err);
}

int cni_cache_load(const char *cache_dir, const char *network, const char *container_id, const char *ifname,
		   struct cni_cache_entry **ret, struct nr_error *err)
{
	_cleanup_(cni_cache_entry_freep) struct cni_cache_entry *e = NULL;
	char path[PATH_MAX];
	int r;

	*ret = NULL;
	if ((r = cni_cache_path(cache_dir, network, container_id, ifname, path, sizeof(path), err)) < 0)
		return r;
	if ((r = load_file(path, &e, err)) < 0 || !e)
		return r;
	if (strcmp(e->network, network) != 0 || strcmp(e->container_id, container_id) != 0 ||
	    strcmp(e->ifname, ifname) != 0)
		return nr_error_set(err, CNI_ERR_DECODE, EINVAL, "cache entry %s names another attachment (%s-%s-%s)",
				    path, e->network, e->container_id, e->ifname);
	*ret = TAKE_PTR(e);
	return 0;
}

int cni_cache_remove(const char *cache_dir, const char *network, const char *container_id, const char *ifname,
		     struct nr_error *err)
{
	char path[PATH_MAX];
	int r;

	if ((r = cni_cache_path(cache_dir, network, container_id, ifname, path, sizeof(path), err)) < 0)
		return r;
	if (unlink(path) < 0 && errno != ENOENT)
		return nr_error_set(err, CNI_ERR_IO, errno, "cannot remove cache entry %s: %s", path, strerror(errno));
	return 0;
}

/* Whether e belongs to network and its file is the one its fields name. */
static bool entry_named(const struct cni_cache_entry *e, const char *network, const char *file_name)
{
	_cleanup_free_ char *want = NULL;

	if (strcmp(e->network, network) != 0)
		return false;
	if (asprintf(&want, "%s-%s-%s", e->network, e->container_id, e->ifname) < 0) {
		want = NULL;
		return false;
	}
	return strcmp(want, file_name) == 0;
}

int cni_cache_foreach(const char *cache_dir, const char *network, cni_cache_fn fn, void *arg, struct nr_error *err)
{
	const char *dir = dir_or_default(cache_dir);
	size_t plen = strlen(network);
	struct dirent **ents = NULL;
	int n = scandir(dir, &ents, NULL, alphasort), r = 0, i;

	if (n < 0) {
		if (errno == ENOENT)
			return 0;
		return nr_error_set(err, CNI_ERR_IO, errno, "cannot read cache directory %s: %s", dir, strerror(errno));
	}
	for (i = 0; i < n && r == 0; i++) {
		_cleanup_(cni_cache_entry_freep) struct cni_cache_entry *e = NULL;
		_cleanup_free_ char *path = NULL;
		const char *name = ents[i]->d_name;

		/* The file name starts with the network's; the entry itself says whose it is. */
		if (name[0] == '.' || strncmp(name, network, plen) != 0 || name[plen] != '-')
			continue;
		if (asprintf(&path, "%s/%s", dir, name) < 0) {
			path = NULL;
			r = nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
			break;
		}
		if (load_file(path, &e, NULL) < 0 || !e || !entry_named(e, network, name))
			continue;
		r = fn(e, arg, err);
	}
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return r;
}

int cni_cache_read(const char *cache_dir, const char *network, const char *container_id, const char *ifname,
		   struct cni_result **ret, json_t **ret_caps, struct nr_error *err)
{
	_cleanup_(cni_cache_entry_freep) struct cni_cache_entry *e = NULL;
	_cleanup_result_ struct cni_result *res = NULL;
	int r;

	*ret = NULL;
	if (ret_caps)
		*ret_caps = NULL;
	if ((r = cni_cache_load(cache_dir, network, container_id, ifname, &e, err)) < 0 || !e)
		return r;
	if (!e->result)
		return 0;
	if ((r = cni_result_parse(e->result, "cached result", &res, err)) < 0)
		return r;
	if (ret_caps)
		*ret_caps = TAKE_PTR(e->caps);
	*ret = TAKE_PTR(res);
	return 0;
}
