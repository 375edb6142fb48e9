#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "ctr.h"
#include "net.h"
#include "rt.h"
#include "rt_error.h"
#include "upper.h"

static void keep_first(struct nr_error *err, int *ret, int r, const struct nr_error *e)
{
	if (r < 0 && *ret >= 0) {
		*ret = r;
		nr_error_copy(err, e);
	}
}

int ctr_net_down(struct ctr_record *rec, struct nr_error *err)
{
	struct nr_error e = { 0 };
	int ret = 0;

	/* Every attachment, each with its own conflist and ifname, carrying on past failures:
	 * the last ones first, the reverse of the start's order. */
	for (size_t i = rec->n_more; i-- > 0;)
		keep_first(err, &ret, net_endpoint_down(rec, &rec->more[i], &e), &e);
	keep_first(err, &ret, net_endpoint_down(rec, &rec->net, &e), &e);
	return ret;
}

bool ctr_net_all_done(const struct ctr_record *rec)
{
	for (size_t i = 0; i < rec->n_more; i++)
		if (!rec->more[i].done)
			return false;
	return rec->net.done;
}

void ctr_net_mark_done(struct ctr_record *rec)
{
	for (size_t i = 0; i < rec->n_more; i++)
		rec->more[i].done = true;
	rec->net.done = true;
}

int ctr_teardown(struct ctr_record *rec, bool remove, struct nr_error *err)
{
	struct nr_error e = { 0 };
	char netns[512], dir[512];
	int ret = 0, r;

	rt_ctr_path(netns, sizeof(netns), rec->name, "netns");
	rt_ctr_path(dir, sizeof(dir), rec->name, NULL);
	r = ctr_net_down(rec, &e);
	keep_first(err, &ret, r, &e);
	if (umount2(netns, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT) {
		r = nr_error_set(&e, RT_ERR_SYSTEM, errno, "cannot unmount %s: %s", netns, strerror(errno));
		keep_first(err, &ret, r, &e);
	}
	unlink(netns);
	if (rec->cgroup) {
		r = cgroup_destroy(rec->cgroup, &e);
		keep_first(err, &ret, r, &e);
	} else {
		cgroup_destroy_by_name(rec->name);
	}
	if ((remove || rec->rm) && ret >= 0) {
		r = upper_remove_dir(dir);
		if (r < 0) {
			r = nr_error_set(&e, RT_ERR_SYSTEM, r, "cannot remove %s: %s", dir, strerror(-r));
			keep_first(err, &ret, r, &e);
		}
		return ret;
	}
	if (rec->status != CTR_EXITED) {
		rec->status = CTR_EXITED;
		rec->finished = time(NULL);
	}
	r = ctr_store_save(rec, &e);
	keep_first(err, &ret, r, &e);
	return ret;
}
