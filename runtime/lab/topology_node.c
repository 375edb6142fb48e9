/* A node's settings: read per section (topology.defaults, topology.kinds.KIND, the node
 * itself) and laid over each other in that order, as containerlab inherits them. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "engine/opts.h"
#include "engine/rt_error.h"
#include "engine/security.h"
#include "engine/volume_spec.h"
#include "topology_internal.h"

/* In enum tp_node_key's order; "mgmt_ipv4" is containerlab's older spelling of mgmt-ipv4. */
static const char *const node_keys[] = {
	"kind",         "image",     "cmd",     "exec",     "env",        "binds",     "labels",
	"network-mode", "mgmt-ipv4", "cap-add", "cap-drop", "sysctl-net", "mgmt_ipv4", NULL,
};
#define NK_MGMT_IPV4_OLD NK_COUNT

/* containerlab's node keys that a lab here cannot honour: refused by name, so that a file
 * relying on one does not half-work (docs/labs.md lists them). */
static const char *const node_refused[] = {
	"type",
	"group",
	"license",
	"startup-config",
	"startup-delay",
	"enforce-startup-config",
	"suppress-startup-config",
	"auto-remove",
	"restart-policy",
	"image-pull-policy",
	"ports",
	"publish",
	"env-files",
	"user",
	"entrypoint",
	"runtime",
	"mgmt-ipv6",
	"mgmt_ipv6",
	"cpu",
	"cpu-set",
	"memory",
	"sysctls",
	"devices",
	"shm-size",
	"dns",
	"certificate",
	"healthcheck",
	"aliases",
	"stages",
	"wait-for",
	"extras",
	"config",
	"components",
	"sandbox",
	"kernel",
	"SANs",
	"network-aliases",
	NULL,
};

static const struct tp_keys node_table = { node_keys, node_refused };

/* What one container takes (engine/opts.h's run_opts arrays); labels: a bound, so that the
 * merges stay cheap. */
#define LAB_BINDS_MAX ((int)(sizeof(((struct run_opts *)0)->vols) / sizeof(struct volume)))
#define LAB_ENV_MAX ((int)(sizeof(((struct run_opts *)0)->env) / sizeof(char *)))
#define LAB_LABELS_MAX 256

static int cfg_key(struct tp *p, int key, yaml_node_t *k, yaml_node_t *v, void *arg)
{
	struct tp_cfg *c = arg;

	if (key == NK_MGMT_IPV4_OLD)
		key = NK_MGMT_IPV4;
	if (c->v[key])
		return tp_fail(p, k, "key '%s' given twice (as mgmt-ipv4 and mgmt_ipv4)", node_keys[key]);
	c->v[key] = v;
	return 0;
}

int tp_cfg_read(struct tp *p, yaml_node_t *n, const char *where, struct tp_cfg *ret)
{
	*ret = (struct tp_cfg){ .map = n };
	return tp_map_walk(p, n, where, &node_table, cfg_key, ret);
}

int tp_cfg_fits_kind(struct tp *p, const struct tp_cfg *c, const char *where, enum lab_kind k)
{
	if (k == LAB_KIND_LINUX)
		return 0;
	for (int i = 0; i < NK_COUNT; i++)
		if (c->v[i] && i != NK_KIND && i != NK_LABELS)
			return tp_fail(p, c->v[i], "%s: '%s' does not apply to a %s node (it is no container)", where,
				       node_keys[i], lab_kind_name(k));
	return 0;
}

void lab_node_clear(struct lab_node *n)
{
	free(n->image);
	free(n->cmd);
	lab_strv_free(n->exec);
	lab_strv_free(n->env);
	lab_strv_free(n->binds);
	lab_strv_free(n->labels);
	free(n->network_mode);
	free(n->mgmt_ipv4);
	lab_strv_free(n->cap_add);
	lab_strv_free(n->cap_drop);
	*n = (struct lab_node){ 0 };
}

static int set_str(struct tp *p, yaml_node_t *v, const char *what, char **field)
{
	const char *s;
	char *d;
	int r;

	if (tp_is_null(v)) {
		free(*field);
		*field = NULL;
		return 0;
	}
	if ((r = tp_scalar(p, v, what, &s)) < 0)
		return r;
	if (!*s)
		return tp_fail(p, v, "%s: empty (leave it out, or write null, for the default)", what);
	if (!(d = strdup(s)))
		return tp_nomem(p);
	free(*field);
	*field = d;
	return 0;
}

static int set_strv(struct tp *p, yaml_node_t *v, const char *what, lab_strv *field)
{
	lab_strv nv = NULL;
	int r;

	if (!tp_is_null(v) && (r = tp_strv(p, v, what, &nv)) < 0)
		return r;
	lab_strv_free(*field);
	*field = nv;
	return 0;
}

/* "HOST:CTR[:MODE]" with HOST taken from the topology file's directory when relative;
 * checked as `run -v` checks it. */
static int bind_resolve(struct tp *p, yaml_node_t *v, const char *where, const char *spec, char **ret, char **ret_cont)
{
	_cleanup_free_ char *full = NULL, *copy = NULL;
	struct volume vol;
	struct nr_error e = { 0 };
	const char *host = spec;

	if (!*spec || *spec == ':' || !strchr(spec, ':'))
		return tp_fail(p, v, "%s: binds: '%s' is not HOST:CONTAINER[:ro|:rw]", where, spec);
	const char *home = getenv("HOME");

	if (!strncmp(host, "./", 2))
		host += 2;
	/* "~/" is the user's home, as containerlab expands it. */
	if (!strncmp(host, "~/", 2) && home && *home == '/') {
		if (asprintf(&full, "%s/%s", home, host + 2) < 0)
			full = NULL;
	} else if (*host == '/')
		full = strdup(host);
	else if (asprintf(&full, "%s/%s", p->t->dir, host) < 0)
		full = NULL;
	if (!full || !(copy = strdup(full)))
		return tp_nomem(p);
	if (volume_spec_parse(copy, &vol, &e) < 0)
		return tp_fail(p, v, "%s: binds: '%s': %s", where, spec, e.msg);
	if (!(*ret_cont = strdup(vol.cont)))
		return tp_nomem(p);
	*ret = TAKE_PTR(full);
	return 0;
}

/* containerlab merges binds down the sections: one for the same container path replaces
 * the earlier. */
static int binds_merge(struct tp *p, yaml_node_t *v, const char *where, lab_strv *field)
{
	lab_strv given = NULL, conts = NULL;
	size_t have = lab_strv_len(*field);
	int r;

	if (tp_is_null(v))
		return 0;
	if ((r = tp_strv(p, v, "binds", &given)) < 0)
		return r;
	/* The container paths of what the field holds (checked when it was added). */
	for (size_t j = 0; j < have && r >= 0; j++) {
		struct volume vol;
		char *copy = strdup((*field)[j]);
		if (!copy || volume_spec_parse(copy, &vol, NULL) < 0 || lab_strv_push(&conts, strdup(vol.cont)) < 0)
			r = tp_nomem(p);
		free(copy);
	}
	for (size_t i = 0; given[i] && r >= 0; i++) {
		char *b = NULL, *cont = NULL;
		size_t j;
		yaml_node_t *item = tp_node(p, v->data.sequence.items.start[i]);
		if ((r = bind_resolve(p, item, where, given[i], &b, &cont)) < 0)
			break;
		for (j = 0; j < have && strcmp(conts[j], cont); j++)
			;
		if (j < have) {
			free((*field)[j]);
			(*field)[j] = b;
			free(cont);
			continue;
		}
		if (have >= LAB_BINDS_MAX) {
			free(b);
			free(cont);
			r = tp_fail(p, item, "%s: more than %d binds (a container takes at most %d)", where,
				    LAB_BINDS_MAX, LAB_BINDS_MAX);
		} else if (lab_strv_push(field, b) < 0 || lab_strv_push(&conts, cont) < 0) {
			r = tp_nomem(p);
		} else {
			have++;
		}
	}
	lab_strv_free(conts);
	lab_strv_free(given);
	return r;
}

/* Capability names as `run --cap-add` takes them ("NET_ADMIN", "cap_net_raw", "ALL"). */
static int caps_merge(struct tp *p, yaml_node_t *v, const char *what, lab_strv *field)
{
	lab_strv given = NULL;
	struct nr_error e = { 0 };
	uint64_t mask = 0;
	size_t n;
	int r = 0;

	if (tp_is_null(v))
		return 0;
	if ((r = tp_strv(p, v, what, &given)) < 0)
		return r;
	n = lab_strv_len(given);
	/* Taken strings leave NULL holes: freed by count below. */
	for (size_t i = 0; i < n && r >= 0; i++) {
		size_t j;
		if (rt_cap_add_to(&mask, what, given[i], &e) < 0) {
			r = tp_fail(p, tp_node(p, v->data.sequence.items.start[i]), "%s", e.msg);
			break;
		}
		for (j = 0; *field && (*field)[j]; j++)
			if (!strcasecmp((*field)[j], given[i]))
				break;
		if (!(*field && (*field)[j]) && lab_strv_push(field, TAKE_PTR(given[i])) < 0)
			r = tp_nomem(p);
	}
	for (size_t i = 0; i < n; i++)
		free(given[i]);
	free(given);
	return r;
}

int tp_cfg_apply(struct tp *p, const struct tp_cfg *c, const char *where, struct lab_node *node)
{
	char what[160];
	const char *s;
	int r = 0;

	for (int i = 0; i < NK_COUNT && r >= 0; i++) {
		yaml_node_t *v = c->v[i];
		if (!v)
			continue;
		snprintf(what, sizeof(what), "%s: %s", where, node_keys[i]);
		switch ((enum tp_node_key)i) {
		case NK_KIND:
		case NK_COUNT:
			break;
		case NK_IMAGE:
			r = set_str(p, v, what, &node->image);
			break;
		case NK_CMD:
			r = set_str(p, v, what, &node->cmd);
			break;
		case NK_MGMT_IPV4:
			r = set_str(p, v, what, &node->mgmt_ipv4);
			break;
		case NK_NETWORK_MODE:
			if ((r = set_str(p, v, what, &node->network_mode)) < 0 || !node->network_mode)
				break;
			if (strcmp(node->network_mode, "none") && strcmp(node->network_mode, "host"))
				r = tp_fail(p, v, "%s: '%s' is not supported (none or host)", what, node->network_mode);
			break;
		case NK_EXEC:
			r = set_strv(p, v, what, &node->exec);
			break;
		case NK_ENV:
			if (!tp_is_null(v))
				r = tp_kv_merge(p, v, what, LAB_ENV_MAX, &node->env);
			break;
		case NK_LABELS:
			if (!tp_is_null(v))
				r = tp_kv_merge(p, v, what, LAB_LABELS_MAX, &node->labels);
			break;
		case NK_BINDS:
			r = binds_merge(p, v, where, &node->binds);
			break;
		case NK_CAP_ADD:
			r = caps_merge(p, v, "cap-add", &node->cap_add);
			break;
		case NK_CAP_DROP:
			r = caps_merge(p, v, "cap-drop", &node->cap_drop);
			break;
		case NK_SYSCTL_NET:
			if (tp_is_null(v)) {
				node->sysctl_net_ro = false;
				break;
			}
			if ((r = tp_scalar(p, v, what, &s)) < 0)
				break;
			if (strcmp(s, "ro") && strcmp(s, "rw"))
				r = tp_fail(p, v, "%s: '%s': expected ro or rw", what, s);
			node->sysctl_net_ro = !strcmp(s, "ro");
			break;
		}
	}
	return r;
}
