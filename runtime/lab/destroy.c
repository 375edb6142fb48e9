/* lab_destroy (lab.h): from the lab's state alone — the ends of its links in the host's
 * namespace, its containers (their ends of links go with their namespaces), the bridges
 * and the management network it made, then the state.  Everything already gone counts
 * as removed; a failure does not stop the rest, and the first is returned (the state
 * then stays, for another try). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/network_host.h"
#include "engine/rt_error.h"
#include "lab/deploy.h"
#include "lab/lab.h"
#include "lab/lab_node.h"
#include "lab/lab_state.h"
#include "nl/link.h"

/* Keep the first failure in err; later ones go to its details. */
static void note(int r, const struct nr_error *e, int *first, struct nr_error *err)
{
	if (r >= 0)
		return;
	if (*first == 0) {
		*first = r;
		nr_error_copy(err, e);
	} else {
		nr_error_details(err, "also: %s", e->msg);
	}
}

static void host_links(const struct lab_state *st, struct lab_ns *host, int *first, struct nr_error *err)
{
	struct nr_error e = { 0 };

	for (size_t i = 0; i < st->n_links; i++)
		for (size_t k = 0; st->links[i].host && st->links[i].host[k]; k++)
			note(link_delete(host->s, st->links[i].host[k], &e), &e, first, err);
}

static void containers(const struct lab_state *st, int *first, struct nr_error *err)
{
	_cleanup_free_ char(*names)[RT_NAME_MAX] = calloc(st->n_nodes + 1, sizeof(*names));
	_cleanup_free_ struct lab_job_result *res = calloc(st->n_nodes + 1, sizeof(*res));
	struct nr_error e = { 0 };
	size_t n = 0;

	if (!names || !res) {
		note(-ENOMEM, &(struct nr_error){ .code = RT_ERR_NOMEM, .msg = "out of memory" }, first, err);
		return;
	}
	for (size_t i = 0; i < st->n_nodes; i++)
		if (st->nodes[i].kind == LAB_KIND_LINUX && st->nodes[i].container[0])
			memcpy(names[n++], st->nodes[i].container, RT_NAME_MAX);
	if (lab_nodes_remove(names, n, res, &e) > 0)
		for (size_t i = 0; i < n; i++)
			note(res[i].r, &res[i].err, first, err);
}

static void bridges(const struct lab_state *st, struct lab_ns *host, int *first, struct nr_error *err)
{
	struct nr_error e = { 0 };

	for (size_t i = 0; i < st->n_nodes; i++)
		if (st->nodes[i].kind == LAB_KIND_BRIDGE && st->nodes[i].made)
			note(link_delete(host->s, st->nodes[i].name, &e), &e, first, err);
}

static void mgmt(const struct lab_state *st, int *first, struct nr_error *err)
{
	struct nr_error e = { 0 };
	int r;

	if (!st->mgmt_network || !st->mgmt_made)
		return;
	r = nethost_rm_one(st->mgmt_network, &e);
	if (r < 0 && e.code == RT_ERR_NOT_FOUND)
		r = 0;
	if (r < 0)
		nr_error_wrap(&e, r, "management network %s", st->mgmt_network);
	note(r, &e, first, err);
}

int lab_destroy_locked(const char *name, bool cleanup, struct nr_error *err)
{
	_cleanup_lab_state_ struct lab_state *st = NULL;
	struct lab_ns host = { .fd = -1 };
	int r, first = 0;

	r = lab_state_load(name, &st, err);
	if (r == -ENOENT) { /* nothing left of it: what destroy wants */
		nr_error_clear(err);
		return cleanup ? lab_state_remove(name, true, err) : 0;
	}
	if (r < 0)
		return r;
	if ((r = lab_ns_open(NULL, &host, err)) < 0)
		return r;
	host_links(st, &host, &first, err);
	containers(st, &first, err);
	bridges(st, &host, &first, err);
	lab_ns_close(&host);
	mgmt(st, &first, err);
	if (first < 0)
		return nr_error_wrap(err, first, "destroying lab %s", name);
	return lab_state_remove(name, cleanup, err);
}

int lab_destroy(const char *lab_name, bool cleanup, struct nr_error *err)
{
	int lock, r;

	if (!lab_name_valid(lab_name))
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "not a valid lab name: %s", lab_name);
	if ((lock = lab_state_lock(err)) < 0)
		return lock;
	r = lab_destroy_locked(lab_name, cleanup, err);
	close(lock);
	return r;
}
