/* The v1 implementation of the cgroup manager: one directory per hierarchy, nested under
 * the caller's own cgroup (<mount><caller>/netns-run/NAME) so limits put on whoever runs
 * us still hold. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fdio.h"
#include "cgroup_internal.h"

/* The controllers a container may be placed under, when their hierarchies are mounted:
 * those whose limits, statistics or rules we use (blkio only for --io-weight).  Each one
 * costs two cgroupfs operations per container and a memory cgroup is not cheap to make;
 * net_cls and the rest would only add to that.  The freezer (commit --pause) only on a
 * legacy machine: with a v2 tree beside the v1 ones, its cgroup.freeze does the job. */
static const enum cgroup_ctl used[] = { CGROUP_MEMORY,  CGROUP_CPU,   CGROUP_CPUACCT, CGROUP_PIDS,
					CGROUP_DEVICES, CGROUP_BLKIO, CGROUP_FREEZER };

/* /proc/self/mountinfo and /proc/self/cgroup, read once for all controllers: mountinfo
 * is long, and reading it per controller showed in profiles of a container start. */
struct v1_view {
	char *mountinfo, *self;
};

static void v1_view_release(struct v1_view *v)
{
	free(v->mountinfo);
	free(v->self);
	v->mountinfo = v->self = NULL;
}

static char *read_text(const char *path)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf = NULL;
	size_t len;

	if (fd < 0 || fd_read_all(fd, 1 << 20, &buf, &len) < 0)
		return NULL;
	return buf;
}

static int v1_view_load(struct v1_view *v)
{
	v->mountinfo = read_text("/proc/self/mountinfo");
	v->self = read_text("/proc/self/cgroup");
	if (v->mountinfo && v->self)
		return 0;
	v1_view_release(v);
	return -EIO;
}

/* Where hierarchy ctl would hold netns-run<suffix>: <mount><our cgroup>/netns-run<suffix>. */
static int v1_dir(const struct v1_view *v, const char *ctl, const char *suffix, char *buf, size_t len)
{
	char mnt[512], self[512];

	if (cgroup_mountinfo_find(v->mountinfo, ctl, mnt, sizeof(mnt)) < 0 ||
	    cgroup_proc_find(v->self, ctl, self, sizeof(self)) < 0)
		return -ENOENT;
	snprintf(buf, len, "%s%s/netns-run%s", mnt, self, suffix);
	return 0;
}

/* The paths of the container's v1 cgroups; nothing is created yet (v1_make). */
static int v1_plan(struct cgroup_set *cg, const char *name, const struct cgroup_limits *lim, struct nr_error *err)
{
	_cleanup_(v1_view_release) struct v1_view view = { 0 };
	char suffix[300], dir[1024];

	if (v1_view_load(&view) < 0)
		return nr_error_set(err, CNI_ERR_IO, EIO, "cannot read /proc/self/mountinfo and /proc/self/cgroup");
	snprintf(suffix, sizeof(suffix), "/%s", name);
	for (size_t i = 0; i < sizeof(used) / sizeof(used[0]); i++) {
		if ((used[i] == CGROUP_BLKIO && !lim->io_weight) ||
		    (used[i] == CGROUP_FREEZER && cg->layout != CGROUP_LAYOUT_LEGACY) ||
		    v1_dir(&view, cgroup_ctl_names[used[i]], suffix, dir, sizeof(dir)) < 0)
			continue;
		if (cgroup_set_put(cg, used[i], dir) < 0)
			return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	}
	return 0;
}

/* Docker's device rules: the nodes of our minimal /dev and ptys; mknod of anything (the
 * node stays useless without an allow rule). */
static const char *const dev_allow[] = { "c *:* m",   "b *:* m",   "c 1:3 rwm",   "c 1:5 rwm",
					 "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm",   "c 5:0 rwm",
					 "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm", "c 10:200 rwm" };

static int dev_rules_write(const char *dir, struct nr_error *err)
{
	int r = cgroup_file_write(dir, "devices.deny", "a");

	for (size_t i = 0; r >= 0 && i < sizeof(dev_allow) / sizeof(dev_allow[0]); i++)
		r = cgroup_file_write(dir, "devices.allow", dev_allow[i]);
	return r < 0 ? nr_error_set(err, CNI_ERR_IO, r, "cannot write the device rules of %s: %s", dir, strerror(-r))
		     : 0;
}

/* Whether dir's rules are ours already: a new v1 devices cgroup starts with a copy of its
 * parent's, and our "netns-run" parent carries them (v1_make). */
static bool dev_rules_present(const char *dir)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *have = NULL;
	char path[1100], want[512] = "";
	size_t len;

	for (size_t i = 0; i < sizeof(dev_allow) / sizeof(dev_allow[0]); i++)
		snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s\n", dev_allow[i]);
	snprintf(path, sizeof(path), "%s/devices.list", dir);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fd_read_all(fd, 4096, &have, &len) < 0)
		return false;
	return strcmp(have, want) == 0;
}

static int v1_devices(const struct cgroup_set *cg, struct nr_error *err)
{
	const char *dir = cg->path[CGROUP_DEVICES];

	if (!dir || dev_rules_present(dir))
		return 0;
	return dev_rules_write(dir, err);
}

static int v1_make(const struct cgroup_set *cg, struct nr_error *err)
{
	const char *dirs[CGROUP_CTL_COUNT], *unified = cg->path[CGROUP_UNIFIED], *devices = cg->path[CGROUP_DEVICES];
	size_t n = cgroup_set_dirs(cg, dirs);
	int r;

	for (size_t i = 0; i < n; i++) {
		char parent[1024];
		if (unified && !strcmp(dirs[i], unified))
			continue;
		snprintf(parent, sizeof(parent), "%s", dirs[i]);
		*strrchr(parent, '/') = '\0';
		if (mkdir(parent, 0755) == 0) {
			/* The parent stays (cgroup_prune_parents): with the device rules on it,
			 * each container's devices cgroup is born with them. */
			if (devices && !strcmp(dirs[i], devices))
				dev_rules_write(parent, NULL);
		} else if (errno != EEXIST) {
			return nr_error_set(err, CNI_ERR_IO, errno, "cannot create cgroup %s: %s", parent,
					    strerror(errno));
		}
		if ((r = cgroup_dir_make(dirs[i], err)) < 0)
			return r;
	}
	return 0;
}

/* Moving a process through cgroup.procs write-locks the kernel's global
 * cgroup_threadgroup_rwsem, which waits for an RCU grace period.  A `tasks` file given
 * "0" moves only the calling thread, and the kernel skips that lock for it
 * (kernel/cgroup/cgroup.c, cgroup_procs_write_start: "If the thread is `current`, ... we
 * can skip the global lock"); our callers are single-threaded, so the thread is the
 * process.  The cost: docs/runtime.md, "Cgroups". */
static const char *v1_attach_file(pid_t pid)
{
	return pid == 0 ? "tasks" : "cgroup.procs";
}

static bool v1_oom_killed(const struct cgroup_set *cg)
{
	return cgroup_file_read_ll(cg->path[CGROUP_MEMORY], "memory.oom_control", "oom_kill") > 0;
}

static void v1_usage(const struct cgroup_set *cg, long long *mem, long long *cpu_ns, long long *pids)
{
	*mem = cgroup_file_read_ll(cg->path[CGROUP_MEMORY], "memory.usage_in_bytes", NULL);
	*pids = cgroup_file_read_ll(cg->path[CGROUP_PIDS], "pids.current", NULL);
	*cpu_ns = cgroup_file_read_ll(cg->path[CGROUP_CPUACCT], "cpuacct.usage", NULL);
}

static int v1_freeze(const struct cgroup_set *cg, bool frozen)
{
	return cgroup_file_write(cg->path[CGROUP_FREEZER], "freezer.state", frozen ? "FROZEN" : "THAWED");
}

/* freezer.state reads FREEZING until every task has stopped. */
static bool v1_frozen(const struct cgroup_set *cg)
{
	char path[1100], state[32] = "";

	snprintf(path, sizeof(path), "%s/freezer.state", cg->path[CGROUP_FREEZER]);
	return file_read_line(path, state, sizeof(state)) >= 0 && !strcmp(state, "FROZEN");
}

/* FREEZING or FROZEN: asked for, done or not. */
static bool v1_freeze_requested(const struct cgroup_set *cg)
{
	char path[1100], state[32] = "";

	snprintf(path, sizeof(path), "%s/freezer.state", cg->path[CGROUP_FREEZER]);
	return file_read_line(path, state, sizeof(state)) >= 0 && strcmp(state, "THAWED") != 0;
}

/* In every hierarchy ours could be in. */
static void v1_remove(enum cgroup_layout layout, const char *suffix)
{
	static const char *const all[] = { "memory", "cpu", "cpuacct", "pids", "devices", "blkio", "freezer" };
	_cleanup_(v1_view_release) struct v1_view view = { 0 };
	char dir[1024];

	if (v1_view_load(&view) < 0)
		return;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (v1_dir(&view, all[i], suffix, dir, sizeof(dir)) == 0)
			rmdir(dir);
}

const struct cgroup_ops cgroup_v1_ops = {
	.plan = v1_plan,
	.make = v1_make,
	.memory = cgroup_v1_memory_writes,
	.cpus = cgroup_v1_cpus_writes,
	.pids = cgroup_pids_writes,
	.io_weight = cgroup_v1_io_weight_writes,
	.io_ctl = CGROUP_BLKIO,
	.devices = v1_devices,
	.attach_file = v1_attach_file,
	.oom_killed = v1_oom_killed,
	.usage = v1_usage,
	.freeze = v1_freeze,
	.frozen = v1_frozen,
	.freeze_requested = v1_freeze_requested,
	.remove = v1_remove,
};
