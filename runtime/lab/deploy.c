/* lab_deploy (lab.h): the management network, bridges, linux nodes in parallel, links,
 * then each new node's exec list — as steps that record what they made, so that a
 * failure undoes exactly this call's work (deploy_undo) and a re-run keeps what is
 * there.  The state is saved before the nodes and the links with what they are about to
 * make (their names), and right after the management network and the bridges with
 * whether the lab made them (known only then), so a deploy killed half-way still leaves
 * destroy the names of everything. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/container.h"
#include "engine/ctr.h"
#include "engine/netdef.h"
#include "engine/netdef_query.h"
#include "engine/network_host.h"
#include "engine/rt_error.h"
#include "lab/deploy.h"
#include "lab/lab.h"
#include "lab/lab_link.h"
#include "lab/lab_node.h"
#include "lab/lab_state.h"
#include "nl/bridge.h"
#include "nl/link.h"

static int nomem(struct nr_error *err)
{
	return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
}

static void deploy_free(struct deploy *d)
{
	if (d->ns)
		for (size_t i = 0; i < d->t->n_nodes; i++)
			lab_ns_close(&d->ns[i]);
	lab_state_free(d->st);
	free(d->orig);
	free(d->ctrs);
	free(d->node_made);
	free(d->link_made);
	free(d->ns);
}

static int mgmt_step(struct deploy *d, struct nr_error *err)
{
	const struct lab_topo *t = d->t;
	struct netdef_set set = { 0 };
	int r;

	if (!t->mgmt.network)
		return 0;
	if ((r = netdef_set_load(&set, false, err)) < 0)
		return nr_error_wrap(err, r, "management network %s", t->mgmt.network);
	bool there = netdef_find(set.v, set.n, t->mgmt.network) != NULL;
	netdef_set_release(&set);
	if (!d->st->mgmt_network && !(d->st->mgmt_network = strdup(t->mgmt.network)))
		return nomem(err);
	if (there)
		return 0;
	struct netdef_opts o = { .name = t->mgmt.network };
	if (t->mgmt.ipv4_subnet) {
		o.subnets[0].subnet = t->mgmt.ipv4_subnet;
		o.n_subnets = 1;
	}
	if ((r = netdef_create(&o, NULL, err)) < 0)
		return nr_error_wrap(err, r, "management network %s", t->mgmt.network);
	d->mgmt_made = d->st->mgmt_made = true;
	return 0;
}

static int bridge_step(struct deploy *d, size_t i, struct nr_error *err)
{
	const struct lab_node *n = &d->t->nodes[i];
	struct lab_state_node *sn = lab_state_node(d->st, n->name);
	int r, ifindex;

	if (strlen(n->name) >= LAB_IFNAME_MAX)
		return nr_error_set(err, RT_ERR_USAGE, ENAMETOOLONG,
				    "node %s: a bridge's name is at most %d characters", n->name, LAB_IFNAME_MAX - 1);
	if ((r = lab_ns_open(NULL, &d->ns[i], err)) < 0)
		return nr_error_wrap(err, r, "node %s", n->name);
	if (!sn && !(sn = lab_state_add_node(d->st, n->name, n->kind)))
		return nomem(err);
	if ((r = bridge_ensure(d->ns[i].s, n->name, 0, NULL, false, &ifindex, err)) < 0)
		return nr_error_wrap(err, r, "node %s", n->name);
	d->ns[i].bridge = ifindex;
	if (r == 1)
		d->node_made[i] = sn->made = true;
	return 0;
}

static int host_step(struct deploy *d, size_t i, struct nr_error *err)
{
	const struct lab_node *n = &d->t->nodes[i];
	int r;

	if ((r = lab_ns_open(NULL, &d->ns[i], err)) < 0)
		return nr_error_wrap(err, r, "node %s", n->name);
	if (!lab_state_node(d->st, n->name) && !lab_state_add_node(d->st, n->name, n->kind))
		return nomem(err);
	return 0;
}

/* Whether the container is there and running (kept); an exited one is removed to be
 * started again. */
static int linux_present(const char *ctr, struct nr_error *err)
{
	_cleanup_record_ struct ctr_record *rec = NULL;
	int r = ctr_store_load(ctr, &rec, err);

	if (r == -ENOENT) {
		nr_error_clear(err);
		return 0;
	}
	if (r < 0)
		return r;
	if (ctr_running(rec))
		return 1;
	if ((r = ctr_remove(ctr, true, NULL, err)) < 0)
		return r;
	return 0;
}

static int linux_record(struct deploy *d, size_t i, struct nr_error *err)
{
	const struct lab_node *n = &d->t->nodes[i];
	struct lab_state_node *sn = lab_state_node(d->st, n->name);

	if (!sn && !(sn = lab_state_add_node(d->st, n->name, n->kind)))
		return nomem(err);
	snprintf(sn->container, sizeof(sn->container), "%s", d->ctrs[i]);
	rt_strv_free(sn->labels);
	sn->labels = NULL;
	if (n->labels && !(sn->labels = rt_strv_copy(n->labels)))
		return nomem(err);
	return 0;
}

static int nodes_step(struct deploy *d, struct nr_error *err)
{
	const struct lab_topo *t = d->t;
	_cleanup_free_ size_t *idx = calloc(t->n_nodes + 1, sizeof(*idx));
	_cleanup_free_ char(*names)[RT_NAME_MAX] = calloc(t->n_nodes + 1, sizeof(*names));
	_cleanup_free_ struct lab_job_result *res = calloc(t->n_nodes + 1, sizeof(*res));
	size_t n = 0;
	int r;

	if (!idx || !names || !res)
		return nomem(err);
	for (size_t i = 0; i < t->n_nodes; i++) {
		if (t->nodes[i].kind != LAB_KIND_LINUX)
			continue;
		int present = linux_present(d->ctrs[i], err);
		if (present < 0)
			return nr_error_wrap(err, present, "node %s", t->nodes[i].name);
		if ((r = linux_record(d, i, err)) < 0)
			return r;
		if (present)
			continue;
		idx[n] = i;
		memcpy(names[n++], d->ctrs[i], RT_NAME_MAX);
	}
	if (!n)
		return 0;
	/* Their names first: a deploy killed from here on leaves destroy what to remove. */
	if ((r = lab_state_save(d->st, err)) < 0)
		return r;
	if ((r = lab_nodes_start(t, idx, names, n, res, err)) < 0)
		return r;
	int first = -1;
	for (size_t k = 0; k < n; k++) {
		if (res[k].r >= 0)
			d->node_made[idx[k]] = true;
		else if (first < 0)
			first = (int)k;
	}
	if (first < 0)
		return 0;
	nr_error_copy(err, &res[first].err);
	if (strncmp(err->msg, "node ", 5) != 0)
		nr_error_wrap(err, res[first].r, "node %s", t->nodes[idx[first]].name);
	return res[first].r;
}

static int open_linux_ns(struct deploy *d, size_t i, struct nr_error *err)
{
	_cleanup_record_ struct ctr_record *rec = NULL;
	const char *name = d->t->nodes[i].name;
	int r;

	if ((r = ctr_store_load(d->ctrs[i], &rec, err)) < 0)
		return nr_error_wrap(err, r, "node %s", name);
	if (!ctr_running(rec) || !rec->netns_path)
		return nr_error_set(err, RT_ERR_CONFLICT, ESRCH, "node %s: its container %s is not running", name,
				    d->ctrs[i]);
	bool host = rec->net.mode == CTR_NET_HOST;
	if ((r = lab_ns_open(host ? NULL : rec->netns_path, &d->ns[i], err)) < 0)
		return nr_error_wrap(err, r, "node %s", name);
	return 0;
}

/* Whether node i lives in the host's namespace: a bridge, the host, network-mode host. */
static bool in_host_ns(const struct lab_topo *t, size_t i)
{
	const struct lab_node *n = &t->nodes[i];

	return n->kind != LAB_KIND_LINUX || (n->network_mode && !strcmp(n->network_mode, "host"));
}

/* Node i's namespace is one this deploy made: its container made (again) here. */
static bool fresh_ns(const struct deploy *d, size_t i)
{
	return d->node_made[i] && !in_host_ns(d->t, i);
}

/* Node i's namespace open (a linux node's is opened when first needed). */
static int ns_need(struct deploy *d, size_t i, struct nr_error *err)
{
	return d->ns[i].fd >= 0 ? 0 : open_linux_ns(d, i, err);
}

/* l in the state: 1 when an earlier deploy recorded it already, 0 when added now. */
static int link_record(struct deploy *d, const struct lab_link *l, struct nr_error *err)
{
	char a[LAB_ENDPOINT_MAX], b[LAB_ENDPOINT_MAX];
	struct lab_state_link *sl;

	lab_endpoint_name(d->t, &l->a, a, sizeof(a));
	lab_endpoint_name(d->t, &l->b, b, sizeof(b));
	if ((sl = lab_state_link(d->st, a, b)))
		return 1;
	if (!(sl = lab_state_add_link(d->st, a, b)))
		return nomem(err);
	if ((in_host_ns(d->t, l->a.node) && rt_strv_push(&sl->host, l->a.ifname) < 0) ||
	    (in_host_ns(d->t, l->b.node) && rt_strv_push(&sl->host, l->b.ifname) < 0))
		return nomem(err);
	return 0;
}

/* A linux node's namespace is open from its first link to its last: two descriptors a
 * node, and a lab has up to LAB_NODES_MAX nodes. */
static void ns_done(struct deploy *d, size_t i, size_t *left)
{
	if (--left[i] == 0 && d->t->nodes[i].kind == LAB_KIND_LINUX)
		lab_ns_close(&d->ns[i]);
}

static int links_step(struct deploy *d, struct nr_error *err)
{
	const struct lab_topo *t = d->t;
	_cleanup_free_ size_t *left = calloc(t->n_nodes + 1, sizeof(*left));
	_cleanup_free_ bool *known = calloc(t->n_links + 1, sizeof(*known));
	int r;

	if (!left || !known)
		return nomem(err);
	for (size_t i = 0; i < t->n_links; i++) {
		left[t->links[i].a.node]++;
		left[t->links[i].b.node]++;
		if ((r = link_record(d, &t->links[i], err)) < 0)
			return r;
		known[i] = r == 1;
	}
	if ((r = lab_state_save(d->st, err)) < 0)
		return r;
	for (size_t i = 0; i < t->n_links; i++) {
		const struct lab_link *l = &t->links[i];
		struct lab_ns *a = &d->ns[l->a.node], *b = &d->ns[l->b.node];
		if ((r = ns_need(d, l->a.node, err)) < 0 || (r = ns_need(d, l->b.node, err)) < 0 ||
		    (r = lab_link_exists(t, l, a, known[i] && fresh_ns(d, l->a.node), b,
					 known[i] && fresh_ns(d, l->b.node), err)) < 0)
			return r;
		if (r == 0 && (r = lab_link_create(t, l, a, b, err)) < 0)
			return r;
		d->link_made[i] = r == 0;
		ns_done(d, l->a.node, left);
		ns_done(d, l->b.node, left);
	}
	return 0;
}

/* Undo what this call made, in reverse; carries on past failures (they go into the
 * error's details: the first one is what the user acts on). */
static void deploy_undo(struct deploy *d, struct nr_error *err)
{
	const struct lab_topo *t = d->t;
	struct nr_error e = { 0 };

	for (size_t i = t->n_links; i-- > 0;) {
		const struct lab_link *l = &t->links[i];
		if (d->link_made[i] &&
		    (ns_need(d, l->a.node, &e) < 0 || lab_link_delete(&d->ns[l->a.node], l->a.ifname, &e) < 0))
			nr_error_details(err, "and undoing: %s", e.msg);
		if (t->nodes[l->a.node].kind == LAB_KIND_LINUX)
			lab_ns_close(&d->ns[l->a.node]);
	}
	_cleanup_free_ char(*names)[RT_NAME_MAX] = calloc(t->n_nodes + 1, sizeof(*names));
	_cleanup_free_ struct lab_job_result *res = calloc(t->n_nodes + 1, sizeof(*res));
	size_t n = 0;
	for (size_t i = 0; names && res && i < t->n_nodes; i++)
		if (t->nodes[i].kind == LAB_KIND_LINUX && d->node_made[i])
			memcpy(names[n++], d->ctrs[i], RT_NAME_MAX);
	if (n && lab_nodes_remove(names, n, res, &e) != 0)
		nr_error_details(err, "and undoing: some nodes' containers are left (%s)", e.msg);
	for (size_t i = 0; i < t->n_nodes; i++)
		if (t->nodes[i].kind == LAB_KIND_BRIDGE && d->node_made[i] &&
		    link_delete(d->ns[i].s, t->nodes[i].name, &e) < 0)
			nr_error_details(err, "and undoing: %s", e.msg);
	if (d->mgmt_made && nethost_rm_one(t->mgmt.network, &e) < 0)
		nr_error_details(err, "and undoing: %s", e.msg);
	/* The state as it was before this call. */
	if (d->orig) {
		_cleanup_lab_state_ struct lab_state *old = NULL;
		if (lab_state_from_json(d->orig, "state", &old, &e) < 0 || lab_state_save(old, &e) < 0)
			nr_error_details(err, "and undoing: %s", e.msg);
	} else if (lab_state_remove(t->name, true, &e) < 0) {
		nr_error_details(err, "and undoing: %s", e.msg);
	}
}

static int deploy_init(struct deploy *d, const struct lab_topo *t, struct nr_error *err)
{
	size_t n = t->n_nodes + 1;
	int r;

	*d = (struct deploy){ .t = t };
	d->ctrs = calloc(n, sizeof(*d->ctrs));
	d->node_made = calloc(n, sizeof(*d->node_made));
	d->link_made = calloc(t->n_links + 1, sizeof(*d->link_made));
	d->ns = calloc(n, sizeof(*d->ns));
	if (!d->ctrs || !d->node_made || !d->link_made || !d->ns)
		return nomem(err);
	for (size_t i = 0; i < t->n_nodes; i++)
		d->ns[i].fd = -1;
	for (size_t i = 0; i < t->n_nodes; i++)
		if (t->nodes[i].kind == LAB_KIND_LINUX &&
		    (r = lab_container_name(t->name, t->nodes[i].name, d->ctrs[i], err)) < 0)
			return r;
	r = lab_state_load(t->name, &d->st, err);
	if (r == -ENOENT) {
		nr_error_clear(err);
		if (!(d->st = lab_state_new(t->name)))
			return nomem(err);
		d->st->created = time(NULL);
	} else if (r < 0) {
		return r;
	} else if ((r = lab_state_to_json(d->st, &d->orig, err)) < 0) {
		return r;
	}
	free(d->st->topology);
	d->st->topology = t->path ? realpath(t->path, NULL) : NULL;
	return 0;
}

static int deploy_steps(struct deploy *d, struct nr_error *err)
{
	const struct lab_topo *t = d->t;
	int r;

	if ((r = mgmt_step(d, err)) < 0)
		return r;
	for (size_t i = 0; i < t->n_nodes; i++) {
		r = 0;
		if (t->nodes[i].kind == LAB_KIND_BRIDGE)
			r = bridge_step(d, i, err);
		else if (t->nodes[i].kind == LAB_KIND_HOST)
			r = host_step(d, i, err);
		if (r < 0)
			return r;
	}
	if ((r = lab_state_save(d->st, err)) < 0)
		return r;
	if ((r = nodes_step(d, err)) < 0 || (r = links_step(d, err)) < 0 || (r = deploy_exec_lists(d, err)) < 0)
		return r;
	return lab_state_save(d->st, err);
}

int lab_deploy(const struct lab_topo *t, bool reconfigure, struct nr_error *err)
{
	struct deploy d;
	int r, lock;

	if (!lab_name_valid(t->name))
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "not a valid lab name: '%s' ([a-zA-Z0-9][a-zA-Z0-9_.-]*, at most %d characters)",
				    t->name, LAB_NAME_MAX - 1);
	if ((lock = lab_state_lock(err)) < 0)
		return lock;
	/* Containers whose monitor died are torn down first, as `netns-run run` does. */
	ctr_gc_reconcile(NULL, NULL, NULL);
	if (reconfigure && (r = lab_destroy_locked(t->name, false, err)) < 0) {
		close(lock);
		return r;
	}
	if ((r = deploy_init(&d, t, err)) >= 0 && (r = deploy_steps(&d, err)) < 0)
		deploy_undo(&d, err);
	deploy_free(&d);
	close(lock);
	return r;
}
