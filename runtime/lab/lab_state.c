/* A lab's state: the record of what deploy made (lab_state.h), serialised here only. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/json_field.h"
#include "engine/container.h"
#include "engine/rt_error.h"
#include "lab/lab_state.h"

/* A state file is small (a line per node and link); anything bigger is not ours. */
#define LAB_STATE_MAX (16 << 20)

struct lab_state *lab_state_new(const char *name)
{
	struct lab_state *st = calloc(1, sizeof(*st));

	if (st)
		snprintf(st->name, sizeof(st->name), "%s", name);
	return st;
}

void lab_state_free(struct lab_state *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->n_nodes; i++)
		rt_strv_free(st->nodes[i].labels);
	for (size_t i = 0; i < st->n_links; i++)
		rt_strv_free(st->links[i].host);
	free(st->nodes);
	free(st->links);
	free(st->topology);
	free(st->mgmt_network);
	free(st);
}

int lab_container_name(const char *lab, const char *node, char buf[RT_NAME_MAX], struct nr_error *err)
{
	int n = snprintf(buf, RT_NAME_MAX, "lab-%s-%s", lab, node);

	if (n < 0 || n >= RT_NAME_MAX)
		return nr_error_set(err, RT_ERR_USAGE, ENAMETOOLONG,
				    "node %s: its container name lab-%s-%s is longer than %d characters", node, lab,
				    node, RT_NAME_MAX - 1);
	if (!rt_name_valid(buf))
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "node %s: lab-%s-%s is not a valid container name ([a-zA-Z0-9][a-zA-Z0-9_.-]*)",
				    node, lab, node);
	return 0;
}

static const char *labs_dir(char *buf, size_t len)
{
	snprintf(buf, len, "%s/labs", rt_paths()->state_dir);
	return buf;
}

static const char *lab_file(char *buf, size_t len, const char *name, const char *file)
{
	snprintf(buf, len, "%s/labs/%s%s%s", rt_paths()->state_dir, name, file ? "/" : "", file ? file : "");
	return buf;
}

int lab_state_lock(struct nr_error *err)
{
	char dir[PATH_MAX], path[PATH_MAX + 8];
	int fd, r;

	if ((r = rt_mkdir_p(labs_dir(dir, sizeof(dir)), 0700)) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, r, "cannot create %s: %s", dir, strerror(-r));
	snprintf(path, sizeof(path), "%s/lock", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot open %s: %s", path, strerror(errno));
	while (flock(fd, LOCK_EX) < 0) {
		if (errno == EINTR)
			continue;
		r = -errno;
		close(fd);
		return nr_error_set(err, RT_ERR_SYSTEM, r, "cannot lock %s: %s", path, strerror(-r));
	}
	return fd;
}

static const char
	*const kind_names[] = { [LAB_KIND_LINUX] = "linux", [LAB_KIND_BRIDGE] = "bridge", [LAB_KIND_HOST] = "host" };

json_t *lab_labels_json(char *const *v)
{
	json_t *o = json_object();

	for (size_t i = 0; o && v && v[i]; i++) {
		const char *eq = strchr(v[i], '=');
		char key[256];
		snprintf(key, sizeof(key), "%.*s", eq ? (int)(eq - v[i]) : (int)strlen(v[i]), v[i]);
		if (json_object_set_new(o, key, json_string(eq ? eq + 1 : "")) < 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

static json_t *strv_to_array(char *const *v)
{
	json_t *a = json_array();

	for (size_t i = 0; a && v && v[i]; i++)
		if (json_array_append_new(a, json_string(v[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *node_to_json(const struct lab_state_node *n)
{
	json_t *o = json_pack("{s:s, s:s}", "name", n->name, "kind", kind_names[n->kind]);

	if (!o)
		return NULL;
	if ((n->container[0] && json_object_set_new(o, "container", json_string(n->container)) < 0) ||
	    (n->kind == LAB_KIND_BRIDGE && json_object_set_new(o, "made", json_boolean(n->made)) < 0) ||
	    (n->kind == LAB_KIND_LINUX && json_object_set_new(o, "configured", json_boolean(n->configured)) < 0) ||
	    (n->labels && json_object_set_new(o, "labels", lab_labels_json(n->labels)) < 0)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int lab_state_to_json(const struct lab_state *st, char **ret, struct nr_error *err)
{
	_cleanup_json_ json_t *root = json_pack("{s:i, s:s, s:I}", "version", LAB_STATE_VERSION, "name", st->name,
						"created", (json_int_t)st->created);
	json_t *nodes = json_array(), *links = json_array();
	bool ok = root && nodes && links;

	if (ok && st->topology)
		ok = json_object_set_new(root, "topology", json_string(st->topology)) == 0;
	if (ok && st->mgmt_network)
		ok = json_object_set_new(root, "mgmt",
					 json_pack("{s:s, s:b}", "network", st->mgmt_network, "made", st->mgmt_made)) ==
		     0;
	for (size_t i = 0; ok && i < st->n_nodes; i++)
		ok = json_array_append_new(nodes, node_to_json(&st->nodes[i])) == 0;
	for (size_t i = 0; ok && i < st->n_links; i++) {
		const struct lab_state_link *l = &st->links[i];
		json_t *o = json_pack("{s:s, s:s}", "a", l->a, "b", l->b);
		if (o && l->host && json_object_set_new(o, "host", strv_to_array(l->host)) < 0) {
			json_decref(o);
			o = NULL;
		}
		ok = json_array_append_new(links, o) == 0;
	}
	if (ok) {
		ok = json_object_set(root, "nodes", nodes) == 0 && json_object_set(root, "links", links) == 0;
	}
	json_decref(nodes);
	json_decref(links);
	if (ok && (*ret = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER)))
		return 0;
	return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
}

static int corrupt(struct nr_error *err, const char *what, const char *why)
{
	return nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "%s: %s", what, why);
}

static int kv_to_strv(json_t *obj, char ***ret)
{
	const char *k;
	json_t *v;

	json_object_foreach(obj, k, v) {
		char buf[1024];
		if (!json_is_string(v))
			return -EINVAL;
		snprintf(buf, sizeof(buf), "%s=%s", k, json_string_value(v));
		if (rt_strv_push(ret, buf) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int node_from_json(struct lab_state *st, json_t *o, const char *what, struct nr_error *err)
{
	const char *name = json_string_value(json_object_get(o, "name"));
	const char *kind = json_string_value(json_object_get(o, "kind"));
	const char *ctr = json_string_value(json_object_get(o, "container"));
	json_t *labels = json_object_get(o, "labels");
	struct lab_state_node *n;
	size_t k;

	if (!name || !kind)
		return corrupt(err, what, "a node without a name or kind");
	for (k = 0; k < sizeof(kind_names) / sizeof(kind_names[0]) && strcmp(kind, kind_names[k]); k++)
		;
	if (k == sizeof(kind_names) / sizeof(kind_names[0]))
		return corrupt(err, what, "a node of an unknown kind");
	if (!(n = lab_state_add_node(st, name, (enum lab_kind)k)))
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	if (ctr)
		snprintf(n->container, sizeof(n->container), "%s", ctr);
	n->made = json_is_true(json_object_get(o, "made"));
	n->configured = json_is_true(json_object_get(o, "configured"));
	if (labels && (!json_is_object(labels) || kv_to_strv(labels, &n->labels) < 0))
		return corrupt(err, what, "labels that are not an object of strings");
	return 0;
}

static int link_from_json(struct lab_state *st, json_t *o, const char *what, struct nr_error *err)
{
	const char *a = json_string_value(json_object_get(o, "a")), *b = json_string_value(json_object_get(o, "b"));
	json_t *host = json_object_get(o, "host"), *v;
	struct lab_state_link *l;
	size_t i;

	if (!a || !b)
		return corrupt(err, what, "a link without both ends");
	if (!(l = lab_state_add_link(st, a, b)))
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	json_array_foreach(host, i, v) {
		if (!json_is_string(v))
			return corrupt(err, what, "a host interface that is not a string");
		if (rt_strv_push(&l->host, json_string_value(v)) < 0)
			return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	}
	return 0;
}

int lab_state_from_json(const char *text, const char *what, struct lab_state **ret, struct nr_error *err)
{
	json_error_t je;
	_cleanup_json_ json_t *root = json_loads(text, 0, &je);
	_cleanup_lab_state_ struct lab_state *st = NULL;
	json_t *v;
	size_t i;
	int r;

	if (!json_is_object(root))
		return corrupt(err, what, "not a JSON object");
	if (json_integer_value(json_object_get(root, "version")) > LAB_STATE_VERSION)
		return corrupt(err, what, "written by a newer netns-run");
	const char *name = json_string_value(json_object_get(root, "name"));
	if (!name || !lab_name_valid(name))
		return corrupt(err, what, "no valid lab name");
	if (!(st = lab_state_new(name)))
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	st->created = json_integer_value(json_object_get(root, "created"));
	const char *topo = json_string_value(json_object_get(root, "topology"));
	json_t *mgmt = json_object_get(root, "mgmt");
	const char *net = json_string_value(json_object_get(mgmt, "network"));
	if ((topo && !(st->topology = strdup(topo))) || (net && !(st->mgmt_network = strdup(net))))
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	st->mgmt_made = json_is_true(json_object_get(mgmt, "made"));
	json_array_foreach(json_object_get(root, "nodes"), i, v)
		if ((r = node_from_json(st, v, what, err)) < 0)
			return r;
	json_array_foreach(json_object_get(root, "links"), i, v)
		if ((r = link_from_json(st, v, what, err)) < 0)
			return r;
	*ret = TAKE_PTR(st);
	return 0;
}

int lab_state_load(const char *name, struct lab_state **ret, struct nr_error *err)
{
	char path[PATH_MAX];
	_cleanup_free_ char *buf = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	long len;

	if (!lab_name_valid(name))
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "not a valid lab name: %s", name);
	lab_file(path, sizeof(path), name, "state.json");
	if (!(f = fopen(path, "re")))
		return errno == ENOENT
			       ? nr_error_set(err, RT_ERR_NOT_FOUND, ENOENT, "no such lab: %s", name)
			       : nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot read %s: %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) < 0 || (len = ftell(f)) < 0 || len > LAB_STATE_MAX || fseek(f, 0, SEEK_SET) < 0)
		return corrupt(err, path, "unreadable or too big");
	if (!(buf = calloc(1, (size_t)len + 1)))
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	if (fread(buf, 1, (size_t)len, f) != (size_t)len)
		return nr_error_set(err, RT_ERR_SYSTEM, EIO, "cannot read %s", path);
	return lab_state_from_json(buf, path, ret, err);
}

int lab_state_save(const struct lab_state *st, struct nr_error *err)
{
	char path[PATH_MAX];
	_cleanup_free_ char *text = NULL;
	int r;

	if ((r = lab_state_to_json(st, &text, err)) < 0)
		return r;
	if ((r = rt_mkdir_p(lab_file(path, sizeof(path), st->name, NULL), 0700)) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, r, "cannot create %s: %s", path, strerror(-r));
	lab_file(path, sizeof(path), st->name, "state.json");
	if ((r = rt_write_file_atomic(path, text, 0600)) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, r, "cannot write %s: %s", path, strerror(-r));
	return 0;
}

int lab_state_remove(const char *name, bool all, struct nr_error *err)
{
	char path[PATH_MAX];
	int r;

	if (!lab_name_valid(name))
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "not a valid lab name: %s", name);
	if (!all) {
		if (unlink(lab_file(path, sizeof(path), name, "state.json")) < 0 && errno != ENOENT)
			return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot remove %s: %s", path, strerror(errno));
		/* Files of the user's beside it keep the directory. */
		rmdir(lab_file(path, sizeof(path), name, NULL));
		return 0;
	}
	r = rt_rm_rf(lab_file(path, sizeof(path), name, NULL));
	if (r < 0 && r != -ENOENT)
		return nr_error_set(err, RT_ERR_SYSTEM, r, "cannot remove %s: %s", path, strerror(-r));
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int lab_state_names(char ***ret, struct nr_error *err)
{
	char dir[PATH_MAX], path[PATH_MAX + 300];
	_cleanup_strv_ char **names = calloc(1, sizeof(char *));
	DIR *d;
	struct dirent *e;

	if (!names)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	if (!(d = opendir(labs_dir(dir, sizeof(dir))))) {
		if (errno != ENOENT)
			return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot read %s: %s", dir, strerror(errno));
		*ret = TAKE_PTR(names);
		return 0;
	}
	while ((e = readdir(d))) {
		snprintf(path, sizeof(path), "%s/%s/state.json", dir, e->d_name);
		if (e->d_name[0] == '.' || !lab_name_valid(e->d_name) || access(path, F_OK) < 0)
			continue;
		if (rt_strv_push(&names, e->d_name) < 0) {
			closedir(d);
			return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
		}
	}
	closedir(d);
	qsort(names, rt_strv_len(names), sizeof(char *), cmp_str);
	*ret = TAKE_PTR(names);
	return 0;
}

struct lab_state_node *lab_state_node(const struct lab_state *st, const char *name)
{
	for (size_t i = 0; i < st->n_nodes; i++)
		if (!strcmp(st->nodes[i].name, name))
			return &st->nodes[i];
	return NULL;
}

struct lab_state_link *lab_state_link(const struct lab_state *st, const char *a, const char *b)
{
	for (size_t i = 0; i < st->n_links; i++) {
		const struct lab_state_link *l = &st->links[i];
		if ((!strcmp(l->a, a) && !strcmp(l->b, b)) || (!strcmp(l->a, b) && !strcmp(l->b, a)))
			return &st->links[i];
	}
	return NULL;
}

struct lab_state_node *lab_state_add_node(struct lab_state *st, const char *name, enum lab_kind kind)
{
	struct lab_state_node *v = realloc(st->nodes, (st->n_nodes + 1) * sizeof(*v));

	if (!v)
		return NULL;
	st->nodes = v;
	v = &st->nodes[st->n_nodes++];
	*v = (struct lab_state_node){ .kind = kind };
	snprintf(v->name, sizeof(v->name), "%s", name);
	return v;
}

struct lab_state_link *lab_state_add_link(struct lab_state *st, const char *a, const char *b)
{
	struct lab_state_link *v = realloc(st->links, (st->n_links + 1) * sizeof(*v));

	if (!v)
		return NULL;
	st->links = v;
	v = &st->links[st->n_links++];
	*v = (struct lab_state_link){ 0 };
	snprintf(v->a, sizeof(v->a), "%s", a);
	snprintf(v->b, sizeof(v->b), "%s", b);
	return v;
}
