/* `network connect` and `network disconnect` (net_attach.h): a further attachment of a
 * running container, made and undone under the container store's lock. */
#include "net_attach.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "ctr.h"
#include "dns_net.h"
#include "net.h"
#include "rt.h"
#include "rt_error.h"

/* hosts and resolv.conf again from the record (in place: the container's bind mounts of
 * them hold the inodes), with the first network's cached result for resolv.conf. */
static int etc_rewrite(const struct ctr_record *rec, struct nr_error *err)
{
	_cleanup_result_ struct cni_result *res = NULL;
	struct net_plan p;
	char dir[512];
	int r;

	if (net_plan_from_record(rec, &p, NULL) >= 0)
		net_result(&p, rec->id, &res, NULL);
	net_plan_clear(&p);
	rt_ctr_path(dir, sizeof(dir), rec->name, NULL);
	r = etc_write(dir, rec->hostname ? rec->hostname : rec->name, false, rec, res, err);
	return r < 0 ? nr_error_wrap(err, r, "container %s", rec->name) : 0;
}

/* Docker's refusals for a container whose network namespace is not its own to extend. */
static int mode_refused(const struct ctr_record *rec, const char *verb, struct nr_error *err)
{
	switch (rec->net.mode) {
	case CTR_NET_CNI:
		return 0;
	case CTR_NET_HOST:
		return nr_error_set(err, RT_ERR_CONFLICT, EINVAL,
				    "container %s: container cannot be disconnected from host network or connected to "
				    "host network",
				    rec->name);
	case CTR_NET_NONE:
		return nr_error_set(err, RT_ERR_CONFLICT, EINVAL,
				    "container %s: container cannot be connected to multiple networks with one of the "
				    "networks in private (none) mode",
				    rec->name);
	default:
		return nr_error_set(err, RT_ERR_CONFLICT, EINVAL,
				    "container %s: container sharing network namespace with another container or host "
				    "cannot be %s any other network (it uses container:%s's)",
				    rec->name, verb, rec->net.owner);
	}
}

/* The lowest ethN no attachment uses. */
static void free_ifname(const struct ctr_record *rec, char *buf, size_t len)
{
	for (int i = 0;; i++) {
		bool used = false;
		snprintf(buf, len, "eth%d", i);
		used = !strcmp(rec->net.ifname, buf);
		for (size_t k = 0; !used && k < rec->n_more; k++)
			used = !strcmp(rec->more[k].ifname, buf);
		if (!used)
			return;
	}
}

/* Undo a connect after its ADD: names, DEL, the attachment out of the record. */
static void connect_rollback(struct ctr_record *rec, struct nr_error *err)
{
	struct nr_error e = { 0 };
	struct ctr_network *n = &rec->more[rec->n_more - 1];

	if (net_endpoint_down(rec, n, &e) < 0)
		nr_error_details(err, "and undoing the connect failed: %s", e.msg);
	ctr_record_drop_network(rec, rec->n_more - 1);
	etc_rewrite(rec, NULL);
	ctr_store_save(rec, NULL);
}

static int connect_locked(struct ctr_record *rec, const struct net_endpoint_opts *e, struct nr_error *err)
{
	_cleanup_result_ struct cni_result *res = NULL;
	struct net_plan p = { 0 };
	struct ctr_network *n;
	char netns[512];
	int r;
	/* Created, its monitor waiting for "start" (the start's first save records the init
	 * under this lock, after net_connect_adopt): recorded now, ADDed by the start. */
	bool pending = rec->status == CTR_CREATED && !rec->pid && ctr_monitor_alive(rec);

	if (!pending && !ctr_running(rec))
		/* The network namespace lives as long as the command: there is nothing to add an
		 * interface to (Docker records the network for the next start; an exited
		 * container starts again from its create body). */
		return nr_error_set(err, RT_ERR_CONFLICT, ESRCH,
				    "container %s is not running: only a running or created container can be "
				    "connected",
				    rec->name);
	/* A start still under way saves its own record: it would lose this attachment. */
	if (!pending && rec->status != CTR_RUNNING)
		return nr_error_set(err, RT_ERR_CONFLICT, EBUSY,
				    "container %s is still starting: connect it once it runs", rec->name);
	if ((r = mode_refused(rec, "connected to", err)) < 0)
		return r;
	if (net_mode_for_spec(e->network)->mode != CTR_NET_CNI)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "%s is a network mode, not a network: only CNI networks can be connected",
				    e->network);
	if (ctr_record_network(rec, e->network))
		return nr_error_set(err, RT_ERR_CONFLICT, EEXIST, "container %s is already connected to network %s",
				    rec->name, e->network);
	if (rec->n_more + 1 >= CTR_NETWORKS_MAX)
		return nr_error_set(err, RT_ERR_USAGE, E2BIG, "container %s: at most %d networks per container",
				    rec->name, CTR_NETWORKS_MAX);
	if ((r = net_plan_make(e->network, &p, err)) < 0) {
		/* The plan speaks of --net=NAME, run's option: here NAME is an operand. */
		if (err && !strncmp(err->msg, "--net=", 6) && strchr(err->msg, ':')) {
			char msg[sizeof(err->msg)];
			snprintf(msg, sizeof(msg), "network %s:%s", e->network, strchr(err->msg, ':') + 1);
			snprintf(err->msg, sizeof(err->msg), "%s", msg);
		}
		goto out;
	}
	if (!(n = ctr_record_add_network(rec))) {
		r = nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
		goto out;
	}
	free_ifname(rec, p.ifname, sizeof(p.ifname));
	net_plan_further(&p);
	net_plan_request(&p, e);
	if ((r = net_plan_to_record(&p, n, err)) < 0 || (r = net_endpoint_request(e, n, err)) < 0) {
		ctr_record_drop_network(rec, rec->n_more - 1);
		goto out;
	}
	if (pending) {
		n->done = true;
		if ((r = ctr_store_save(rec, err)) < 0)
			ctr_record_drop_network(rec, rec->n_more - 1);
		goto out;
	}
	rt_ctr_path(netns, sizeof(netns), rec->name, "netns");
	/* Recorded before the ADD, as the start does: a netns-run killed in between leaves an
	 * attachment whose DEL the container's teardown (or gc) runs, not an unknown one. */
	if ((r = ctr_store_save(rec, err)) < 0) {
		ctr_record_drop_network(rec, rec->n_more - 1);
		goto out;
	}
	/* A failed ADD undid itself. */
	if ((r = net_endpoint_add(&p, rec->id, netns, NULL, n, &res, err)) < 0) {
		ctr_record_drop_network(rec, rec->n_more - 1);
		ctr_store_save(rec, NULL);
		goto out;
	}
	if ((r = net_endpoint_drop_default_routes(netns, n->ifname, res, err)) < 0 ||
	    (r = net_endpoint_dns_join(rec, p.conf, n, err)) < 0 || (r = etc_rewrite(rec, err)) < 0 ||
	    (r = ctr_store_save(rec, err)) < 0) {
		connect_rollback(rec, err);
		goto out;
	}
out:
	net_plan_clear(&p);
	return r;
}

int net_connect(const char *container, const struct net_endpoint_opts *e, struct nr_error *err)
{
	_cleanup_record_ struct ctr_record *rec = NULL;
	_cleanup_close_ int lock = -1;
	int r;

	if ((lock = ctr_store_lock(err)) < 0)
		return lock;
	if ((r = ctr_store_load(container, &rec, err)) < 0)
		return r;
	r = connect_locked(rec, e, err);
	if (r >= 0)
		dns_net_ensure(e->network, NULL);
	return r;
}

int net_connect_adopt(struct ctr_record *rec, struct net_plan *plans, size_t *n_plans, size_t max, struct nr_error *err)
{
	_cleanup_record_ struct ctr_record *disk = NULL;
	int r;

	if (ctr_store_load(rec->name, &disk, NULL) < 0 || strcmp(disk->id, rec->id))
		return 0;
	for (size_t i = 0; i < disk->n_more; i++) {
		struct ctr_network *d = &disk->more[i], *n;
		if (!d->name || ctr_record_network(rec, d->name))
			continue;
		if (*n_plans == max || rec->n_more + 1 >= CTR_NETWORKS_MAX)
			return nr_error_set(err, RT_ERR_USAGE, E2BIG, "container %s: at most %d networks per container",
					    rec->name, CTR_NETWORKS_MAX);
		/* The plan from what the connect recorded (the conflist as it made it for a
		 * further network), as a DEL would make it. */
		if ((r = net_plan_from_network(d, &plans[*n_plans], err)) < 0)
			return nr_error_wrap(err, r, "network %s, connected before the start", d->name);
		(*n_plans)++;
		if (!(n = ctr_record_add_network(rec)))
			return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
		*n = *d;
		memset(d, 0, sizeof(*d));
		n->done = false;
	}
	return 0;
}

/* The first network goes: a further one (eth1…) takes its place in the record, keeping
 * its interface name; without one the record keeps an empty, finished attachment. */
static void drop_first(struct ctr_record *rec)
{
	ctr_network_clear(&rec->net);
	if (!rec->n_more) {
		rec->net.mode = CTR_NET_CNI;
		rec->net.done = true;
		return;
	}
	rec->net = rec->more[0];
	memmove(&rec->more[0], &rec->more[1], (rec->n_more - 1) * sizeof(*rec->more));
	rec->n_more--;
}

int net_disconnect(const char *network, const char *container, bool force, struct nr_error *err)
{
	_cleanup_record_ struct ctr_record *rec = NULL;
	_cleanup_close_ int lock = -1;
	struct ctr_network *n;
	int r;

	if ((lock = ctr_store_lock(err)) < 0)
		return lock;
	if ((r = ctr_store_load(container, &rec, err)) < 0) {
		if (force && err && err->code == RT_ERR_NOT_FOUND) {
			nr_error_clear(err);
			return 0;
		}
		return r;
	}
	if ((r = mode_refused(rec, "disconnected from", err)) < 0)
		return r;
	if (!(n = ctr_record_network(rec, network))) {
		if (force)
			return 0;
		return nr_error_set(err, RT_ERR_NOT_FOUND, ENOENT, "container %s is not connected to network %s",
				    rec->name, network);
	}
	bool dns = n->dns;
	r = net_endpoint_down(rec, n, err);
	if (r < 0 && !force) {
		ctr_store_save(rec, NULL); /* what went (its names) is recorded */
		return r;
	}
	if (r < 0)
		nr_error_clear(err); /* -f: forgotten, whatever the plugins left */
	if (n == &rec->net)
		drop_first(rec);
	else
		ctr_record_drop_network(rec, (size_t)(n - rec->more));
	if (ctr_running(rec) && (r = etc_rewrite(rec, err)) < 0)
		return r;
	if ((r = ctr_store_save(rec, err)) < 0)
		return r;
	if (dns)
		dns_net_ensure(network, NULL);
	return 0;
}
