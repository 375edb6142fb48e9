/* The topology file (containerlab's format, the parts docs/labs.md lists): loaded with
 * libyaml's document API, read section by section into struct lab_topo, then checked
 * whole (topology_check.c) before the caller makes anything. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/rt_error.h"
#include "topology_internal.h"

/* Far above any lab's file; a bound so a wrong path (a disk image) fails at once. */
#define LAB_FILE_MAX (16 << 20)

static const char
	*const kind_names[] = { [LAB_KIND_LINUX] = "linux", [LAB_KIND_BRIDGE] = "bridge", [LAB_KIND_HOST] = "host" };

const char *lab_kind_name(enum lab_kind k)
{
	return (unsigned)k < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[k] : "?";
}

static int kind_parse(struct tp *p, yaml_node_t *v, const char *where, enum lab_kind *ret)
{
	const char *s;
	int r;

	if ((r = tp_scalar(p, v, where, &s)) < 0)
		return r;
	for (size_t i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
		if (!strcmp(s, kind_names[i])) {
			*ret = (enum lab_kind)i;
			return 0;
		}
	return tp_fail(p, v, "%s: kind '%s' is not supported (linux, bridge or host)", where, s);
}

long lab_topo_node(const struct lab_topo *t, const char *name)
{
	for (size_t i = 0; t && i < t->n_nodes; i++)
		if (!strcmp(t->nodes[i].name, name))
			return (long)i;
	return -1;
}

void lab_topo_free(struct lab_topo *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_nodes; i++)
		lab_node_clear(&t->nodes[i]);
	for (size_t i = 0; i < t->n_links; i++)
		lab_link_clear(&t->links[i]);
	free(t->nodes);
	free(t->links);
	free(t->mgmt.network);
	free(t->mgmt.ipv4_subnet);
	free(t->dir);
	free(t->path);
	free(t);
}

/* What one parse reads before it builds nodes: sections are taken in their order of
 * inheritance (defaults, kinds, nodes), whatever their order in the file. */
struct tp_sections {
	yaml_node_t *name, *mgmt, *topology;
	yaml_node_t *nodes, *kinds, *defaults, *links;
	struct tp_cfg defaults_cfg;
	struct tp_cfg kind_cfg[3];
};

static const char *const top_keys[] = { "name", "mgmt", "topology", NULL };
static const char *const top_refused[] = { "prefix", "settings", "debug", NULL };
static const char *const topo_keys[] = { "nodes", "kinds", "defaults", "links", NULL };
static const char *const topo_refused[] = { "groups", NULL };
static const char *const mgmt_keys[] = { "network", "ipv4-subnet", "ipv4_subnet", NULL };
static const char *const mgmt_refused[] = { "bridge",          "ipv6-subnet", "ipv6_subnet", "ipv4-gw",
					    "ipv6-gw",         "ipv4-range",  "ipv6-range",  "mtu",
					    "external-access", "driver-opts", NULL };

static int top_key(struct tp *p, int key, yaml_node_t *k, yaml_node_t *v, void *arg)
{
	struct tp_sections *s = arg;
	yaml_node_t **slot[] = { &s->name, &s->mgmt, &s->topology };

	*slot[key] = v;
	return 0;
}

static int topo_key(struct tp *p, int key, yaml_node_t *k, yaml_node_t *v, void *arg)
{
	struct tp_sections *s = arg;
	yaml_node_t **slot[] = { &s->nodes, &s->kinds, &s->defaults, &s->links };

	*slot[key] = v;
	return 0;
}

static int mgmt_key(struct tp *p, int key, yaml_node_t *k, yaml_node_t *v, void *arg)
{
	char **field = key == 0 ? &p->t->mgmt.network : &p->t->mgmt.ipv4_subnet;
	const char *s;
	int r;

	if (*field)
		return tp_fail(p, k, "mgmt: the subnet given twice (ipv4-subnet and ipv4_subnet)");
	if ((r = tp_scalar(p, v, key == 0 ? "mgmt.network" : "mgmt.ipv4-subnet", &s)) < 0)
		return r;
	if (!(*field = strdup(s)))
		return tp_nomem(p);
	return 0;
}

/* A node's settings sans what a bridge or host node takes (its labels only). */
static struct tp_cfg cfg_for_kind(const struct tp_cfg *c, enum lab_kind k)
{
	struct tp_cfg o = { .map = c->map };

	if (k == LAB_KIND_LINUX)
		return *c;
	o.v[NK_LABELS] = c->v[NK_LABELS];
	return o;
}

static int kinds_read(struct tp *p, struct tp_sections *s)
{
	const char *name;
	enum lab_kind k;
	char where[128];
	int r;

	if (!s->kinds || tp_is_null(s->kinds))
		return 0;
	if (s->kinds->type != YAML_MAPPING_NODE)
		return tp_fail(p, s->kinds, "topology.kinds: expected a map of KIND: settings");
	for (yaml_node_pair_t *pr = s->kinds->data.mapping.pairs.start; pr < s->kinds->data.mapping.pairs.top; pr++) {
		yaml_node_t *kn = tp_node(p, pr->key), *vn = tp_node(p, pr->value);
		if ((r = kind_parse(p, kn, "topology.kinds", &k)) < 0)
			return r;
		name = kind_names[k];
		snprintf(where, sizeof(where), "topology.kinds.%s", name);
		if (s->kind_cfg[k].map)
			return tp_fail(p, kn, "topology.kinds: kind '%s' given twice", name);
		if ((r = tp_cfg_read(p, vn, where, &s->kind_cfg[k])) < 0)
			return r;
		s->kind_cfg[k].map = vn;
		if (s->kind_cfg[k].v[NK_KIND])
			return tp_fail(p, s->kind_cfg[k].v[NK_KIND], "%s: a kind's settings cannot change its kind",
				       where);
		if (s->kind_cfg[k].v[NK_MGMT_IPV4])
			return tp_fail(p, s->kind_cfg[k].v[NK_MGMT_IPV4],
				       "%s: mgmt-ipv4 belongs to one node, not to a kind", where);
		if ((r = tp_cfg_fits_kind(p, &s->kind_cfg[k], where, k)) < 0)
			return r;
	}
	return 0;
}

/* Checked once here, so a mistake in a section no node inherits is still reported. */
static int section_check(struct tp *p, const struct tp_cfg *c, const char *where)
{
	struct lab_node scratch = { 0 };
	int r = tp_cfg_apply(p, c, where, &scratch);

	lab_node_clear(&scratch);
	return r;
}

static int node_build(struct tp *p, struct tp_sections *s, yaml_node_t *kn, yaml_node_t *vn, struct lab_node *n)
{
	struct tp_cfg own, c;
	enum lab_kind k = LAB_KIND_LINUX;
	const char *name;
	char where[LAB_NAME_MAX + 16];
	int r;

	if ((r = tp_scalar(p, kn, "topology.nodes", &name)) < 0)
		return r;
	if (strlen(name) >= LAB_NAME_MAX)
		return tp_fail(p, kn, "node name '%.40s...' is %zu characters long; at most %d are allowed", name,
			       strlen(name), LAB_NAME_MAX - 1);
	snprintf(n->name, sizeof(n->name), "%s", name);
	n->line = tp_line(kn);
	snprintf(where, sizeof(where), "node '%s'", name);
	if ((r = tp_cfg_read(p, vn, where, &own)) < 0)
		return r;
	if (own.v[NK_KIND])
		r = kind_parse(p, own.v[NK_KIND], where, &k);
	else if (s->defaults_cfg.v[NK_KIND])
		r = kind_parse(p, s->defaults_cfg.v[NK_KIND], "topology.defaults", &k);
	if (r < 0 || (r = tp_cfg_fits_kind(p, &own, where, k)) < 0)
		return r;
	n->kind = k;
	c = cfg_for_kind(&s->defaults_cfg, k);
	if ((r = tp_cfg_apply(p, &c, where, n)) < 0)
		return r;
	if ((r = tp_cfg_apply(p, &s->kind_cfg[k], where, n)) < 0 || (r = tp_cfg_apply(p, &own, where, n)) < 0)
		return r;
	if (k == LAB_KIND_LINUX && !n->network_mode && !(n->network_mode = strdup("none")))
		return tp_nomem(p);
	return 0;
}

static int nodes_read(struct tp *p, struct tp_sections *s)
{
	struct lab_topo *t = p->t;
	size_t count;
	int r;

	if (!s->nodes || tp_is_null(s->nodes))
		return tp_fail(p, s->topology, "topology.nodes: a lab needs at least one node");
	if (s->nodes->type != YAML_MAPPING_NODE)
		return tp_fail(p, s->nodes, "topology.nodes: expected a map of NAME: settings");
	count = (size_t)(s->nodes->data.mapping.pairs.top - s->nodes->data.mapping.pairs.start);
	/* Refused before any node is read: the size alone decides. */
	if (count > LAB_NODES_MAX)
		return tp_fail(p, s->nodes, "topology.nodes: %zu nodes; a lab has at most %d", count, LAB_NODES_MAX);
	if (count == 0)
		return tp_fail(p, s->nodes, "topology.nodes: a lab needs at least one node");
	/* One more for the implicit "host" node of host:IFNAME endpoints. */
	if (!(t->nodes = calloc(count + 1, sizeof(*t->nodes))))
		return tp_nomem(p);
	for (yaml_node_pair_t *pr = s->nodes->data.mapping.pairs.start; pr < s->nodes->data.mapping.pairs.top; pr++) {
		r = node_build(p, s, tp_node(p, pr->key), tp_node(p, pr->value), &t->nodes[t->n_nodes]);
		t->n_nodes++;
		if (r < 0)
			return r;
	}
	return 0;
}

static int doc_read(struct tp *p, yaml_node_t *root)
{
	_cleanup_free_ struct tp_sections *s = calloc(1, sizeof(*s));
	const char *name;
	int r;

	if (!s)
		return tp_nomem(p);
	if (!root || tp_is_null(root))
		return tp_fail(p, NULL, "empty topology file");
	if ((r = tp_map_walk(p, root, "the topology file", &(struct tp_keys){ top_keys, top_refused }, top_key, s)) < 0)
		return r;
	if (!s->name)
		return tp_fail(p, root, "the lab needs a name (name: NAME)");
	if ((r = tp_scalar(p, s->name, "name", &name)) < 0)
		return r;
	if (strlen(name) >= LAB_NAME_MAX)
		return tp_fail(p, s->name, "lab name '%.40s...' is %zu characters long; at most %d are allowed", name,
			       strlen(name), LAB_NAME_MAX - 1);
	snprintf(p->t->name, sizeof(p->t->name), "%s", name);
	if (s->mgmt) {
		p->mgmt_given = true;
		if ((r = tp_map_walk(p, s->mgmt, "mgmt", &(struct tp_keys){ mgmt_keys, mgmt_refused }, mgmt_key,
				     NULL)) < 0)
			return r;
		/* containerlab's default management network's name. */
		if (!p->t->mgmt.network && !(p->t->mgmt.network = strdup("clab")))
			return tp_nomem(p);
	}
	if (!s->topology)
		return tp_fail(p, root, "the lab needs a topology section (topology: nodes: ...)");
	if ((r = tp_map_walk(p, s->topology, "topology", &(struct tp_keys){ topo_keys, topo_refused }, topo_key, s)) <
	    0)
		return r;
	if (s->defaults) {
		if ((r = tp_cfg_read(p, s->defaults, "topology.defaults", &s->defaults_cfg)) < 0)
			return r;
		if (s->defaults_cfg.v[NK_MGMT_IPV4])
			return tp_fail(p, s->defaults_cfg.v[NK_MGMT_IPV4],
				       "topology.defaults: mgmt-ipv4 belongs to one node, not to all");
		if ((r = section_check(p, &s->defaults_cfg, "topology.defaults")) < 0)
			return r;
	}
	if ((r = kinds_read(p, s)) < 0)
		return r;
	for (int k = 0; k < 3; k++)
		if ((r = section_check(p, &s->kind_cfg[k], "topology.kinds")) < 0)
			return r;
	if ((r = nodes_read(p, s)) < 0)
		return r;
	if (s->links && (r = tp_links_read(p, s->links)) < 0)
		return r;
	return tp_check(p);
}

static int syntax_error(struct tp *p, const yaml_parser_t *y)
{
	if (y->error == YAML_MEMORY_ERROR)
		return tp_nomem(p);
	if (y->context)
		return nr_error_set(p->err, RT_ERR_USAGE, EINVAL, "%s:%zu:%zu: YAML syntax error: %s %s (line %zu)",
				    p->name, y->problem_mark.line + 1, y->problem_mark.column + 1,
				    y->problem ? y->problem : "?", y->context, y->context_mark.line + 1);
	return nr_error_set(p->err, RT_ERR_USAGE, EINVAL, "%s:%zu:%zu: YAML syntax error: %s", p->name,
			    y->problem_mark.line + 1, y->problem_mark.column + 1, y->problem ? y->problem : "?");
}

static int parse(const char *buf, size_t len, const char *name, const char *dir, struct lab_topo **ret,
		 struct nr_error *err)
{
	_cleanup_(lab_topo_freep) struct lab_topo *t = calloc(1, sizeof(*t));
	struct tp p = { .name = name, .err = err, .t = t };
	yaml_parser_t y;
	yaml_document_t doc, next;
	int r;

	if (!t || !(t->path = strdup(name)) || !(t->dir = strdup(dir)))
		return tp_nomem(&p);
	if (!yaml_parser_initialize(&y))
		return tp_nomem(&p);
	yaml_parser_set_input_string(&y, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&y, &doc)) {
		r = syntax_error(&p, &y);
		yaml_parser_delete(&y);
		return r;
	}
	p.doc = &doc;
	r = doc_read(&p, yaml_document_get_root_node(&doc));
	/* A second document would be ignored by containerlab too quietly: say so. */
	if (r >= 0) {
		if (!yaml_parser_load(&y, &next))
			r = syntax_error(&p, &y);
		else {
			if (yaml_document_get_root_node(&next))
				r = tp_fail(&p, NULL, "more than one YAML document ('---'); a topology is one");
			yaml_document_delete(&next);
		}
	}
	for (size_t i = 0; i < 2 * t->n_links; i++)
		free(p.ep_nodes[i]);
	free(p.ep_nodes);
	free(p.ep_lines);
	yaml_document_delete(&doc);
	yaml_parser_delete(&y);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(t);
	return 0;
}

int lab_topo_parse_buf(const char *buf, size_t len, const char *name, struct lab_topo **ret, struct nr_error *err)
{
	char cwd[PATH_MAX];

	if (!getcwd(cwd, sizeof(cwd)))
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "%s: the current directory: %m", name);
	return parse(buf, len, name, cwd, ret, err);
}

/* containerlab's -t DIR: the one *.clab.yml (or .clab.yaml) file in DIR. */
static int topo_in_dir(const char *dir, char **ret, struct nr_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *found = NULL;
	int n = 0, r = 0;

	if (!d)
		return nr_error_set(err, RT_ERR_USAGE, errno, "cannot read the topology directory %s: %m", dir);
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if ((len > 9 && !strcmp(e->d_name + len - 9, ".clab.yml")) ||
		    (len > 10 && !strcmp(e->d_name + len - 10, ".clab.yaml"))) {
			if (n++ == 0 && asprintf(&found, "%s/%s", dir, e->d_name) < 0)
				found = NULL, r = -ENOMEM;
		}
	}
	closedir(d);
	if (r < 0)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "%s: out of memory", dir);
	if (n != 1) {
		free(found);
		return nr_error_set(err, RT_ERR_USAGE, n ? EEXIST : ENOENT,
				    "%s: %s *.clab.yml file in this directory; name the topology file", dir,
				    n ? "more than one" : "no");
	}
	*ret = found;
	return 0;
}

int lab_topo_parse_file(const char *path, struct lab_topo **ret, struct nr_error *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *buf = NULL, *copy = NULL, *dir = NULL, *in_dir = NULL;
	struct stat st;
	size_t len = 0;
	ssize_t n;
	int r;

	if (fd < 0 || fstat(fd, &st) < 0)
		return nr_error_set(err, RT_ERR_USAGE, errno, "cannot read the topology file %s: %m", path);
	if (S_ISDIR(st.st_mode)) {
		if ((r = topo_in_dir(path, &in_dir, err)) < 0)
			return r;
		closep(&fd);
		path = in_dir;
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) < 0)
			return nr_error_set(err, RT_ERR_USAGE, errno, "cannot read the topology file %s: %m", path);
	}
	if (!S_ISREG(st.st_mode) || st.st_size > LAB_FILE_MAX)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "%s: not a topology file (a regular file of at most %d MiB)", path,
				    LAB_FILE_MAX >> 20);
	if (!(buf = malloc((size_t)st.st_size + 1)))
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "%s: out of memory", path);
	while (len < (size_t)st.st_size && (n = read(fd, buf + len, (size_t)st.st_size - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot read the topology file %s: %m", path);
		len += (size_t)n;
	}
	/* Relative binds are the file's neighbours: its directory, absolute. */
	if (!(copy = strdup(path)))
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "%s: out of memory", path);
	if (!(dir = realpath(dirname(copy), NULL)))
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "%s: its directory: %m", path);
	return parse(buf, len, path, dir, ret, err);
}
