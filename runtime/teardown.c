#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

#include "cgroup_json.h"
#include "ctr.h"
#include "net.h"
#include "rt.h"
#include "state.h"

static void keep_first(struct nr_error *err, int *ret, int r, const struct nr_error *e)
{
	if (r < 0 && *ret >= 0) {
		*ret = r;
		nr_error_copy(err, e);
	}
}

int ctr_net_down(const char *name, json_t *st, struct nr_error *err)
{
	struct net_plan plan;
	char netns[512];
	int r;

	if (json_is_true(json_object_get(st, "net_done")))
		return 0;
	rt_ctr_path(netns, sizeof(netns), name, "netns");
	/* DEL even when the namespace is gone: plugins release what lives outside it
	 * (the host veth end, leases, masquerade elements) from the cached result. */
	r = net_plan_from_state(st, &plan, err);
	if (r >= 0) {
		bool have_ns = access(netns, F_OK) == 0;
		r = net_del(&plan, state_str(st, "id"), have_ns ? netns : "", err);
		if (r < 0)
			nr_error_wrap(err, r, "network %s: DEL", plan.conf ? plan.conf->name : plan.mode);
		net_plan_clear(&plan);
	}
	if (r >= 0)
		json_object_set_new(st, "net_done", json_true());
	return r;
}

int ctr_teardown(const char *name, json_t *st, bool remove, struct nr_error *err)
{
	struct nr_error e = {0};
	char netns[512], dir[512];
	int ret = 0, r;

	rt_ctr_path(netns, sizeof(netns), name, "netns");
	rt_ctr_path(dir, sizeof(dir), name, NULL);
	r = ctr_net_down(name, st, &e);
	keep_first(err, &ret, r, &e);
	if (umount2(netns, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT) {
		r = nr_error_set(&e, CNI_ERR_IO, errno, "cannot unmount %s: %s", netns, strerror(errno));
		keep_first(err, &ret, r, &e);
	}
	unlink(netns);
	struct cgroup_set *cg = cgroup_set_from_json(json_object_get(st, "cgroup"));
	if (cg) {
		r = cgroup_destroy(cg, &e);
		cgroup_set_free(cg);
		keep_first(err, &ret, r, &e);
	} else {
		cgroup_destroy_by_name(name);
	}
	if (remove || json_is_true(json_object_get(st, "rm"))) {
		if (ret >= 0) {
			r = rm_rf(dir);
			if (r < 0) {
				r = nr_error_set(&e, CNI_ERR_IO, r, "cannot remove %s: %s", dir, strerror(-r));
				keep_first(err, &ret, r, &e);
			}
			return ret;
		}
	}
	if (strcmp(state_str(st, "status"), "exited")) {
		json_object_set_new(st, "status", json_string("exited"));
		json_object_set_new(st, "finished", json_integer((json_int_t)time(NULL)));
	}
	r = state_save(name, st, &e);
	keep_first(err, &ret, r, &e);
	return ret;
}
