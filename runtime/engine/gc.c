/* gc: reconciling records with reality: a record whose init is gone and whose monitor is gone
 * too was left by a netns-run that was killed (or a machine that rebooted).  Its network
 * is DELeted with the cached result, its cgroups and netns file removed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "cgroup.h"
#include "ctr.h"
#include "dns_net.h"
#include "net.h"
#include "rt.h"
#include "rt_error.h"
#include "upper.h"

static bool stale(const struct ctr_record *rec)
{
	if (rec->status == CTR_EXITED)
		/* A teardown that did not finish (a DEL that failed) is retried. */
		return !ctr_net_all_done(rec) || rec->rm;
	return !ctr_init_alive(rec) && !ctr_monitor_alive(rec);
}

int ctr_gc_reconcile(ctr_gc_report_fn report, void *ctx, struct nr_error *err)
{
	_cleanup_close_ int lock = -1;
	_cleanup_strv_ char **names = NULL;
	int r, n = 0;

	if ((lock = ctr_store_lock(err)) < 0)
		return lock;
	if ((r = ctr_store_names(&names, err)) < 0)
		return r;
	for (char **p = names; *p; p++) {
		_cleanup_record_ struct ctr_record *rec = NULL;
		struct nr_error e = { 0 };
		if (ctr_store_load(*p, &rec, &e) < 0) {
			/* A directory without a record: a start that died before writing one. */
			char dir[512];
			if (e.code == RT_ERR_NOT_FOUND &&
			    upper_remove_dir(rt_ctr_path(dir, sizeof(dir), *p, NULL)) >= 0 && report)
				report(ctx, CTR_GC_NO_RECORD, *p, NULL);
			continue;
		}
		if (!stale(rec))
			continue;
		if (ctr_teardown(rec, false, &e) < 0) {
			if (report)
				report(ctx, CTR_GC_FAILED, *p, &e);
			continue;
		}
		n++;
		if (report)
			report(ctx, CTR_GC_CLEANED_UP, *p, NULL);
	}
	return n;
}

/* The DNS responders' names (dns_net.h): only containers that live keep theirs.  Under
 * the store's lock, so a container created meanwhile (its record is written under it,
 * before its names) is not taken for a dead one. */
static int gc_dns(ctr_gc_report_fn report, void *ctx)
{
	_cleanup_close_ int lock = -1;
	_cleanup_strv_ char **names = NULL, **live = NULL;
	struct nr_error e = { 0 };
	int r = 0;

	if ((lock = ctr_store_lock(&e)) < 0 || ctr_store_names(&names, &e) < 0)
		r = -1;
	for (char **p = names; r >= 0 && *p; p++) {
		_cleanup_record_ struct ctr_record *rec = NULL;
		if (ctr_store_load(*p, &rec, NULL) >= 0 && rec->status != CTR_EXITED && !stale(rec) &&
		    rt_strv_push(&live, rec->id) < 0)
			r = nr_error_set(&e, RT_ERR_NOMEM, ENOMEM, "out of memory");
	}
	if (r >= 0)
		r = dns_net_gc(live, &e);
	if (r < 0 && report)
		report(ctx, CTR_GC_FAILED, NULL, &e);
	return r < 0 ? -1 : 0;
}

/* The plugins' own GC for every network, with the attachments still in use. */
int ctr_gc_networks(ctr_gc_report_fn report, void *ctx)
{
	struct cni_netconf **nets = NULL;
	size_t n = 0, n_valid = 0;
	_cleanup_strv_ char **names = NULL;
	struct nr_error e = { 0 };
	int failed = 0;

	if (ctr_store_names(&names, &e) < 0 || net_list(&nets, &n, &e) < 0) {
		if (report)
			report(ctx, CTR_GC_FAILED, NULL, &e);
		return -1;
	}
	size_t count = rt_strv_len(names);
	struct ctr_record **recs = calloc(count + 1, sizeof(*recs));
	struct net_attachment *valid = calloc(count * CTR_NETWORKS_MAX + 1, sizeof(*valid));
	for (size_t i = 0; recs && valid && i < count; i++) {
		if (ctr_store_load(names[i], &recs[i], NULL) < 0 || recs[i]->status == CTR_EXITED)
			continue;
		/* Every attachment of a live container (issue 17: rec->more too). */
		for (size_t k = 0; k <= recs[i]->n_more && k < CTR_NETWORKS_MAX; k++) {
			const struct ctr_network *a = k ? &recs[i]->more[k - 1] : &recs[i]->net;
			if (a->name)
				valid[n_valid++] = (struct net_attachment){ a->name, recs[i]->id, a->ifname };
		}
	}
	for (size_t i = 0; i < n; i++) {
		int r = recs && valid ? net_gc(nets[i], valid, n_valid, &e)
				      : nr_error_set(&e, RT_ERR_NOMEM, ENOMEM, "out of memory");
		if (r < 0) {
			nr_error_wrap(&e, r, "gc of network %s", nets[i]->name);
			if (report)
				report(ctx, CTR_GC_FAILED, nets[i]->name, &e);
			failed++;
		} else if (report) {
			report(ctx, CTR_GC_NETWORK_DONE, nets[i]->name, NULL);
		}
		cni_netconf_free(nets[i]);
	}
	for (size_t i = 0; recs && i < count; i++)
		ctr_record_free(recs[i]);
	free(recs);
	free(valid);
	free(nets);
	if (gc_dns(report, ctx) < 0)
		failed++;
	/* A start racing with this is fine: its child makes the parent again when its own
	 * mkdir finds it gone, and then writes the device rules to its own cgroup. */
	cgroup_prune_parents();
	return failed ? -1 : 0;
}
