/* The v2 implementation of the cgroup manager: the unified tree, with its controllers on
 * a unified machine and holding only processes on a hybrid one. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fdio.h"
#include "cgroup_internal.h"

static const char *root_of(enum cgroup_layout layout)
{
	return layout == CGROUP_LAYOUT_UNIFIED ? CG_ROOT : CG_ROOT "/unified";
}

/* Enable the controllers dir offers for its children. */
static void delegate(const char *dir)
{
	char path[1024], have[512] = "", want[512];

	snprintf(path, sizeof(path), "%s/cgroup.controllers", dir);
	if (file_read_line(path, have, sizeof(have)) < 0)
		return;
	cgroup_subtree_want(have, want, sizeof(want));
	if (want[0])
		cgroup_file_write(dir, "cgroup.subtree_control", want);
}

/* /netns-run/NAME at the root of the tree, not under the caller's cgroup: v2 forbids
 * processes in a cgroup that hands controllers down, and the caller's has processes. */
static int v2_plan(struct cgroup_set *cg, const char *name, const struct cgroup_limits *lim, struct nr_error *err)
{
	/* A controller is on when its interface file appears in the child. */
	static const struct {
		enum cgroup_ctl ctl;
		const char *file;
	} probe[] = { { CGROUP_MEMORY, "memory.max" },
		      { CGROUP_CPU, "cpu.max" },
		      { CGROUP_PIDS, "pids.max" },
		      { CGROUP_IO, "io.stat" } };
	const char *root = root_of(cg->layout);
	bool unified = cg->layout == CGROUP_LAYOUT_UNIFIED;
	char dir[1024];
	int r;

	snprintf(dir, sizeof(dir), "%s/netns-run", root);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return nr_error_set(err, CNI_ERR_IO, errno, "cannot create cgroup %s: %s", dir, strerror(errno));
	if (unified) {
		delegate(root);
		delegate(dir);
	}
	snprintf(dir, sizeof(dir), "%s/netns-run/%s", root, name);
	if ((r = cgroup_dir_make(dir, err)) < 0)
		return r;
	if (cgroup_set_put(cg, CGROUP_UNIFIED, dir) < 0) {
		rmdir(dir);
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	}
	for (size_t i = 0; unified && i < sizeof(probe) / sizeof(probe[0]); i++)
		if (cgroup_file_exists(dir, probe[i].file) && cgroup_set_put(cg, probe[i].ctl, dir) < 0)
			return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	return 0;
}

/* v2 has no `tasks` file for a domain cgroup: a process is moved whole, which is why a
 * starting container's child is cloned straight into its cgroup. */
static const char *v2_attach_file(pid_t pid)
{
	return "cgroup.procs";
}

static bool v2_oom_killed(const struct cgroup_set *cg)
{
	return cgroup_file_read_ll(cg->path[CGROUP_MEMORY], "memory.events", "oom_kill") > 0;
}

static void v2_usage(const struct cgroup_set *cg, long long *mem, long long *cpu_ns, long long *pids)
{
	/* cpu.stat is there without the cpu controller too. */
	long long us = cgroup_file_read_ll(cg->path[CGROUP_UNIFIED], "cpu.stat", "usage_usec");

	*mem = cgroup_file_read_ll(cg->path[CGROUP_MEMORY], "memory.current", NULL);
	*pids = cgroup_file_read_ll(cg->path[CGROUP_PIDS], "pids.current", NULL);
	*cpu_ns = us < 0 ? -1 : us * 1000;
}

static int v2_freeze(const struct cgroup_set *cg, bool frozen)
{
	return cgroup_file_write(cg->path[CGROUP_UNIFIED], "cgroup.freeze", frozen ? "1" : "0");
}

/* cgroup.events says "frozen 1" once every task of the cgroup has stopped. */
static bool v2_frozen(const struct cgroup_set *cg)
{
	return cgroup_file_read_ll(cg->path[CGROUP_UNIFIED], "cgroup.events", "frozen") == 1;
}

/* cgroup.freeze reads back what was asked, while cgroup.events says what is done. */
static bool v2_freeze_requested(const struct cgroup_set *cg)
{
	return cgroup_file_read_ll(cg->path[CGROUP_UNIFIED], "cgroup.freeze", NULL) == 1;
}

static void v2_remove(enum cgroup_layout layout, const char *suffix)
{
	char dir[1024];

	snprintf(dir, sizeof(dir), "%s/netns-run%s", root_of(layout), suffix);
	rmdir(dir);
}

const struct cgroup_ops cgroup_v2_ops = {
	.plan = v2_plan,
	.memory = cgroup_v2_memory_writes,
	.cpus = cgroup_v2_cpus_writes,
	.pids = cgroup_pids_writes,
	.io_weight = cgroup_v2_io_weight_writes,
	.io_ctl = CGROUP_IO,
	.attach_file = v2_attach_file,
	.oom_killed = v2_oom_killed,
	.usage = v2_usage,
	.freeze = v2_freeze,
	.frozen = v2_frozen,
	.freeze_requested = v2_freeze_requested,
	.remove = v2_remove,
};
