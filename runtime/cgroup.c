#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdio.h"
#include "base/json_field.h"
#include "rt.h"

#define CG_ROOT "/sys/fs/cgroup"

/* The v1 controllers a container may be placed under, when their hierarchies are mounted:
 * those whose limits, statistics or rules we use (blkio only for --io-weight).  Each one is
 * two cgroupfs operations per container, and a memory cgroup is not cheap to make; freezer,
 * net_cls and the rest would only add to that (nothing of ours pauses a container). */
static const char *const v1[] = {"memory", "cpu", "cpuacct", "pids", "devices", "blkio"};

static bool is_fs(const char *path, long magic)
{
	struct statfs sf;

	return statfs(path, &sf) == 0 && sf.f_type == magic;
}

const char *cgroup_mode(void)
{
	if (is_fs(CG_ROOT, CGROUP2_SUPER_MAGIC))
		return "unified";
	if (!is_fs(CG_ROOT, TMPFS_MAGIC))
		return NULL;
	return is_fs(CG_ROOT "/unified", CGROUP2_SUPER_MAGIC) ? "hybrid" : "legacy";
}

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

/* The mount point of the v1 hierarchy carrying controller ctl, from mountinfo. */
static int v1_mount(const struct v1_view *v, const char *ctl, char *buf, size_t len)
{
	_cleanup_fclose_ FILE *f = fmemopen(v->mountinfo, strlen(v->mountinfo), "r");
	char line[1024];

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char mnt[512], fstype[64], src[64], opts[512];
		char *sep = strstr(line, " - ");
		if (!sep || sscanf(sep + 3, "%63s %63s %511s", fstype, src, opts) != 3 || strcmp(fstype, "cgroup"))
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %511s", mnt) != 1)
			continue;
		for (char *save = NULL, *o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save))
			if (!strcmp(o, ctl)) {
				snprintf(buf, len, "%s", mnt);
				return 0;
			}
	}
	return -ENOENT;
}

/* Our own cgroup in the v1 hierarchy holding ctl, from /proc/self/cgroup. */
static int v1_self(const struct v1_view *v, const char *ctl, char *buf, size_t len)
{
	_cleanup_fclose_ FILE *f = fmemopen(v->self, strlen(v->self), "r");
	char line[1024];

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		line[strcspn(line, "\n")] = '\0';
		c2[1 + strcspn(c2 + 1, "\n")] = '\0';
		for (char *save = NULL, *o = strtok_r(c1 + 1, ",", &save); o; o = strtok_r(NULL, ",", &save))
			if (!strcmp(o, ctl)) {
				snprintf(buf, len, "%s", strcmp(c2 + 1, "/") ? c2 + 1 : "");
				return 0;
			}
	}
	return -ENOENT;
}

static int cg_write(json_t *paths, const char *ctl, const char *file, const char *val, struct nr_error *err)
{
	const char *dir = json_string_value(json_object_get(paths, ctl));
	char path[1024];
	int r;

	if (!dir)
		return nr_error_set(err, CNI_ERR_NOT_AVAILABLE, ENOTSUP, "the %s cgroup controller is not available here",
				    ctl);
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	r = write_str(path, val);
	if (r < 0)
		return nr_error_set(err, CNI_ERR_IO, r, "cannot write %s to %s: %s", val, path, strerror(-r));
	return 0;
}

static bool cg_has(json_t *paths, const char *ctl, const char *file)
{
	const char *dir = json_string_value(json_object_get(paths, ctl));
	char path[1024];

	if (!dir)
		return false;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return access(path, F_OK) == 0;
}

/* mkdir that also makes the parent ("netns-run") when a concurrent teardown has just
 * removed it as empty (see cgroup_destroy). */
static int mkdir_in_parent(const char *path)
{
	char parent[1024], *slash;

	for (int attempt = 0; attempt < 3; attempt++) {
		if (mkdir(path, 0755) == 0)
			return 0;
		if (errno != ENOENT)
			return -errno;
		snprintf(parent, sizeof(parent), "%s", path);
		if (!(slash = strrchr(parent, '/')))
			return -ENOENT;
		*slash = '\0';
		if (mkdir(parent, 0755) < 0 && errno != EEXIST)
			return -errno;
	}
	return -ENOENT;
}

static int mkdir_cg(const char *path, json_t *made, struct nr_error *err)
{
	int r = mkdir_in_parent(path);

	if (r == 0) {
		json_array_append_new(made, json_string(path));
		return 0;
	}
	/* An empty one left by a container of the same name whose teardown never ran: take
	 * it over (rmdir fails while it has tasks or children, and then we refuse). */
	if (r == -EEXIST && rmdir(path) == 0 && mkdir(path, 0755) == 0) {
		json_array_append_new(made, json_string(path));
		return 0;
	}
	if (errno == EEXIST || errno == EBUSY)
		return nr_error_set(err, CNI_ERR_INTERNAL, EEXIST, "cgroup %s already exists and is in use", path);
	return nr_error_set(err, CNI_ERR_IO, errno, "cannot create cgroup %s: %s", path, strerror(errno));
}

/* v2: enable the controllers it offers for the children of dir. */
static void v2_delegate(const char *dir)
{
	char path[1024], have[512] = "", want[512] = "";
	static const char *const ctls[] = {"memory", "cpu", "pids", "io"};

	snprintf(path, sizeof(path), "%s/cgroup.controllers", dir);
	if (file_read_line(path, have, sizeof(have)) < 0)
		return;
	for (size_t i = 0; i < sizeof(ctls) / sizeof(ctls[0]); i++) {
		char *p = strstr(have, ctls[i]);
		size_t n = strlen(ctls[i]);
		if (p && (p == have || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0')) {
			size_t used = strlen(want);
			snprintf(want + used, sizeof(want) - used, "%s+%s", used ? " " : "", ctls[i]);
		}
	}
	if (want[0]) {
		snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
		write_str(path, want);
	}
}

static int create_unified(const char *name, const char *mode, json_t *paths, json_t *made, struct nr_error *err)
{
	const char *root = strcmp(mode, "unified") ? CG_ROOT "/unified" : CG_ROOT;
	char dir[1024];
	int r;

	snprintf(dir, sizeof(dir), "%s/netns-run", root);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return nr_error_set(err, CNI_ERR_IO, errno, "cannot create cgroup %s: %s", dir, strerror(errno));
	if (!strcmp(mode, "unified")) {
		v2_delegate(root);
		v2_delegate(dir);
	}
	snprintf(dir, sizeof(dir), "%s/netns-run/%s", root, name);
	if ((r = mkdir_cg(dir, made, err)) < 0)
		return r;
	json_object_set_new(paths, "unified", json_string(dir));
	if (!strcmp(mode, "unified")) {
		/* A controller is on when its interface file appears in the child. */
		static const char *const probe[][2] = {
			{"memory", "memory.max"}, {"cpu", "cpu.max"}, {"pids", "pids.max"}, {"io", "io.stat"}};
		char file[1100];
		for (size_t i = 0; i < sizeof(probe) / sizeof(probe[0]); i++) {
			snprintf(file, sizeof(file), "%s/%s", dir, probe[i][1]);
			if (access(file, F_OK) == 0)
				json_object_set_new(paths, probe[i][0], json_string(dir));
		}
	}
	return 0;
}

/* Where the container's v1 cgroups go (<mount><our cgroup>/netns-run/<name>), into paths
 * and, once each, into dirs; nothing is created yet. */
static int plan_v1(const char *name, bool io, json_t *paths, json_t *dirs, struct nr_error *err)
{
	_cleanup_(v1_view_release) struct v1_view view = { 0 };
	char dir[1024];

	if (v1_view_load(&view) < 0)
		return nr_error_set(err, CNI_ERR_IO, EIO, "cannot read /proc/self/mountinfo and /proc/self/cgroup");
	for (size_t i = 0; i < sizeof(v1) / sizeof(v1[0]); i++) {
		char mnt[512], self[512];
		bool seen = false;
		size_t k;
		json_t *v;
		if ((!io && !strcmp(v1[i], "blkio")) || v1_mount(&view, v1[i], mnt, sizeof(mnt)) < 0 ||
		    v1_self(&view, v1[i], self, sizeof(self)) < 0)
			continue;
		snprintf(dir, sizeof(dir), "%s%s/netns-run/%s", mnt, self, name);
		/* Co-mounted controllers (cpu,cpuacct) share one directory. */
		json_array_foreach(dirs, k, v) seen = seen || !strcmp(json_string_value(v), dir);
		if (!seen)
			json_array_append_new(dirs, json_string(dir));
		json_object_set_new(paths, v1[i], json_string(dir));
	}
	return 0;
}

/* Docker's device rules: the nodes of our minimal /dev and ptys; mknod of anything (the
 * node stays useless without an allow rule). */
static const char *const dev_allow[] = {"c *:* m",   "b *:* m",   "c 1:3 rwm", "c 1:5 rwm",   "c 1:7 rwm",
					"c 1:8 rwm", "c 1:9 rwm", "c 5:0 rwm", "c 5:1 rwm",   "c 5:2 rwm",
					"c 136:* rwm", "c 10:200 rwm"};

static int dev_rules_write(const char *dir, struct nr_error *err)
{
	char path[1100];
	int r;

	snprintf(path, sizeof(path), "%s/devices.deny", dir);
	r = write_str(path, "a");
	snprintf(path, sizeof(path), "%s/devices.allow", dir);
	for (size_t i = 0; r >= 0 && i < sizeof(dev_allow) / sizeof(dev_allow[0]); i++)
		r = write_str(path, dev_allow[i]);
	return r < 0 ? nr_error_set(err, CNI_ERR_IO, r, "cannot write the device rules of %s: %s", dir, strerror(-r))
		     : 0;
}

/* Whether dir's rules are ours already: a new v1 devices cgroup starts with a copy of its
 * parent's, and our "netns-run" parent carries them (cgroup_create_v1). */
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

static int v1_devices(json_t *paths, struct nr_error *err)
{
	const char *dir = json_string_value(json_object_get(paths, "devices"));

	if (!dir || dev_rules_present(dir))
		return 0;
	return dev_rules_write(dir, err);
}

int cgroup_create_v1(json_t *cg, struct nr_error *err)
{
	json_t *paths = json_object_get(cg, "paths"), *dirs = json_object_get(cg, "dirs"), *v;
	const char *unified = json_string_value(json_object_get(paths, "unified"));
	const char *devices = json_string_value(json_object_get(paths, "devices"));
	_cleanup_json_ json_t *made = json_array();
	size_t i;
	int r;

	if (!made)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	json_array_foreach(dirs, i, v) {
		const char *dir = json_string_value(v);
		char parent[1024];
		if (unified && !strcmp(dir, unified))
			continue;
		snprintf(parent, sizeof(parent), "%s", dir);
		*strrchr(parent, '/') = '\0';
		if (mkdir(parent, 0755) == 0) {
			/* The parent stays (cgroup_prune_parents): with the device rules on it,
			 * each container's devices cgroup is born with them. */
			if (devices && !strcmp(dir, devices))
				dev_rules_write(parent, NULL);
		} else if (errno != EEXIST) {
			return nr_error_set(err, CNI_ERR_IO, errno, "cannot create cgroup %s: %s", parent,
					    strerror(errno));
		}
		if ((r = mkdir_cg(dir, made, err)) < 0)
			return r;
	}
	return 0;
}

static int apply_limits(json_t *paths, bool v2, const struct cgroup_limits *lim, struct nr_error *err)
{
	char val[64];
	int r;

	if (lim->memory) {
		snprintf(val, sizeof(val), "%lld", lim->memory);
		if (v2) {
			r = cg_write(paths, "memory", "memory.max", val, err);
			if (r >= 0 && cg_has(paths, "memory", "memory.swap.max"))
				r = cg_write(paths, "memory", "memory.swap.max", "0", err);
		} else {
			r = cg_write(paths, "memory", "memory.limit_in_bytes", val, err);
			/* Memory plus swap at the same figure: no swapping past the limit, so an
			 * allocation beyond it is an OOM kill, as with docker --memory-swap=--memory. */
			if (r >= 0 && cg_has(paths, "memory", "memory.memsw.limit_in_bytes"))
				r = cg_write(paths, "memory", "memory.memsw.limit_in_bytes", val, err);
		}
		if (r < 0)
			return nr_error_wrap(err, r, "--memory");
	}
	if (lim->cpus > 0) {
		long long quota = (long long)(lim->cpus * 100000 + 0.5);
		if (v2) {
			snprintf(val, sizeof(val), "%lld 100000", quota);
			r = cg_write(paths, "cpu", "cpu.max", val, err);
		} else {
			r = cg_write(paths, "cpu", "cpu.cfs_period_us", "100000", err);
			snprintf(val, sizeof(val), "%lld", quota);
			if (r >= 0)
				r = cg_write(paths, "cpu", "cpu.cfs_quota_us", val, err);
		}
		if (r < 0)
			return nr_error_wrap(err, r, "--cpus");
	}
	if (lim->pids) {
		snprintf(val, sizeof(val), "%lld", lim->pids);
		r = cg_write(paths, "pids", "pids.max", val, err);
		if (r < 0)
			return nr_error_wrap(err, r, "--pids-limit");
	}
	if (lim->io_weight) {
		const char *ctl = v2 ? "io" : "blkio";
		const char *bfq = v2 ? "io.bfq.weight" : "blkio.bfq.weight";
		const char *plain = v2 ? "io.weight" : "blkio.weight";
		int w = lim->io_weight;
		if (v2 && !cg_has(paths, ctl, bfq)) /* io.weight is 1..10000; map as runc does */
			w = 1 + (w - 10) * 9999 / 990;
		snprintf(val, sizeof(val), v2 && !cg_has(paths, ctl, bfq) ? "default %d" : "%d", w);
		if (cg_has(paths, ctl, bfq))
			r = cg_write(paths, ctl, bfq, val, err);
		else if (cg_has(paths, ctl, plain))
			r = cg_write(paths, ctl, plain, val, err);
		else
			r = nr_error_set(err, CNI_ERR_NOT_AVAILABLE, ENOTSUP,
					 "no I/O weight here (%s neither %s nor %s: the block scheduler has no weights)",
					 ctl, bfq, plain);
		if (r < 0)
			return nr_error_wrap(err, r, "--io-weight");
	}
	return 0;
}

static void rmdir_all(json_t *made)
{
	for (size_t i = json_array_size(made); i-- > 0;)
		rmdir(json_string_value(json_array_get(made, i)));
}

int cgroup_create(const char *name, const struct cgroup_limits *lim, json_t **ret, struct nr_error *err)
{
	const char *mode = cgroup_mode();
	_cleanup_json_ json_t *paths = json_object();
	_cleanup_json_ json_t *dirs = json_array();
	int r = 0;

	if (!mode)
		return nr_error_set(err, CNI_ERR_NOT_AVAILABLE, ENOTSUP,
				    "/sys/fs/cgroup is neither a cgroup2 nor a tmpfs of cgroup hierarchies");
	if (!paths || !dirs)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	if (strcmp(mode, "legacy"))
		r = create_unified(name, mode, paths, dirs, err);
	if (r >= 0 && strcmp(mode, "unified"))
		r = plan_v1(name, lim->io_weight != 0, paths, dirs, err);
	if (r < 0) {
		rmdir_all(dirs);
		return r;
	}
	*ret = json_pack("{s:s, s:O, s:O}", "mode", mode, "paths", paths, "dirs", dirs);
	return *ret ? 0 : nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
}

bool cgroup_has_v1(json_t *cg)
{
	return strcmp(json_string_value(json_object_get(cg, "mode")) ?: "", "unified") != 0;
}

int cgroup_configure(json_t *cg, const struct cgroup_limits *lim, struct nr_error *err)
{
	json_t *paths = json_object_get(cg, "paths");
	int r;

	bool v2 = !strcmp(json_string_value(json_object_get(cg, "mode")) ?: "", "unified");

	if ((r = apply_limits(paths, v2, lim, err)) < 0)
		return r;
	return v1_devices(paths, err);
}

int cgroup_devices_join_fd(json_t *cg)
{
	const char *dir = json_string_value(json_object_get(json_object_get(cg, "paths"), "devices"));
	char path[1100];

	if (!dir)
		return -1;
	snprintf(path, sizeof(path), "%s/tasks", dir);
	return open(path, O_WRONLY | O_CLOEXEC);
}

int cgroup_unified_fd(json_t *cg)
{
	const char *dir = json_string_value(json_object_get(json_object_get(cg, "paths"), "unified"));

	return dir ? open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
}

int cgroup_attach(json_t *cg, pid_t pid, unsigned which, struct nr_error *err)
{
	json_t *dirs = json_object_get(cg, "dirs"), *v;
	json_t *paths = json_object_get(cg, "paths");
	const char *unified = json_string_value(json_object_get(paths, "unified"));
	const char *devices = json_string_value(json_object_get(paths, "devices"));
	char path[1100], val[32];
	size_t i;
	int r;

	snprintf(val, sizeof(val), "%d", (int)pid);
	json_array_foreach(dirs, i, v) {
		const char *dir = json_string_value(v);
		bool is_unified = unified && !strcmp(unified, dir), is_devices = devices && !strcmp(devices, dir);
		if (!(which & (is_unified ? CG_JOIN_UNIFIED : is_devices ? CG_JOIN_DEVICES : CG_JOIN_V1)))
			continue;
		/* Moving a process through cgroup.procs write-locks the kernel's global
		 * cgroup_threadgroup_rwsem, which waits for an RCU grace period: 7-15 ms per
		 * run on an idle machine here.  A v1 hierarchy's `tasks` file given "0" moves
		 * only the calling thread, and the kernel skips that lock for it (cgroup.c,
		 * cgroup_procs_write_start: "If the thread is `current`, ... we can skip the
		 * global lock"); our callers are single-threaded, so the thread is the process.
		 * v2 has no such file for domain cgroups: there CLONE_INTO_CGROUP does it. */
		snprintf(path, sizeof(path), "%s/%s", dir, pid == 0 && !is_unified ? "tasks" : "cgroup.procs");
		r = write_str(path, val);
		if (r < 0)
			return nr_error_set(err, CNI_ERR_IO, r, "cannot move %s into %s: %s",
					    pid ? val : "the container", dir, strerror(-r));
	}
	return 0;
}

static long long read_ll(const char *dir, const char *file, const char *key)
{
	char path[1100], line[256];
	_cleanup_fclose_ FILE *f = NULL;
	long long v = -1;

	if (!dir)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!key)
			return strtoll(line, NULL, 10);
		size_t n = strlen(key);
		if (!strncmp(line, key, n) && line[n] == ' ')
			return strtoll(line + n + 1, NULL, 10);
	}
	return v;
}

static const char *cg_path(json_t *cg, const char *ctl)
{
	return json_string_value(json_object_get(json_object_get(cg, "paths"), ctl));
}

bool cgroup_oom_killed(json_t *cg)
{
	bool v2 = !strcmp(json_string_value(json_object_get(cg, "mode")) ?: "", "unified");
	long long n = read_ll(cg_path(cg, "memory"), v2 ? "memory.events" : "memory.oom_control", "oom_kill");

	return n > 0;
}

void cgroup_usage(json_t *cg, long long *mem, long long *cpu_ns, long long *pids)
{
	bool v2 = !strcmp(json_string_value(json_object_get(cg, "mode")) ?: "", "unified");

	*mem = read_ll(cg_path(cg, "memory"), v2 ? "memory.current" : "memory.usage_in_bytes", NULL);
	*pids = read_ll(cg_path(cg, "pids"), "pids.current", NULL);
	if (v2) {
		long long us = read_ll(cg_path(cg, "unified"), "cpu.stat", "usage_usec");
		*cpu_ns = us < 0 ? -1 : us * 1000;
	} else {
		*cpu_ns = read_ll(cg_path(cg, "cpuacct"), "cpuacct.usage", NULL);
	}
}

static void kill_procs(const char *dir)
{
	char path[1100], line[64];
	_cleanup_fclose_ FILE *f = NULL;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		pid_t p = (pid_t)strtol(line, NULL, 10);
		if (p > 0)
			kill(p, SIGKILL);
	}
}

int cgroup_destroy(json_t *cg, struct nr_error *err)
{
	json_t *dirs = json_object_get(cg, "dirs");
	int r = 0;

	for (size_t i = json_array_size(dirs); i-- > 0;) {
		const char *dir = json_string_value(json_array_get(dirs, i));
		/* Dying tasks keep a cgroup busy for a moment after their pid namespace is gone:
		 * retry for up to ~2 s, killing stragglers, then give up and say so. */
		for (int attempt = 0;; attempt++) {
			if (rmdir(dir) == 0 || errno == ENOENT)
				break;
			if (errno != EBUSY || attempt == 200) {
				if (r == 0)
					r = nr_error_set(err, CNI_ERR_IO, errno, "cannot remove cgroup %s: %s", dir,
							 strerror(errno));
				break;
			}
			kill_procs(dir);
			nanosleep(&(struct timespec){.tv_nsec = 10 * 1000 * 1000}, NULL);
		}
	}
	return r;
}

/* rmdir <hierarchy>/…/netns-run<suffix> in every hierarchy, v1 controllers an older
 * netns-run used included; rmdir only takes an empty cgroup: nothing in use goes. */
static void rmdir_everywhere(const char *suffix)
{
	static const char *const all_v1[] = {"memory", "cpu", "cpuacct", "pids", "devices", "blkio", "freezer"};
	const char *mode = cgroup_mode();
	_cleanup_(v1_view_release) struct v1_view view = { 0 };
	char dir[1024], mnt[512], self[512];

	if (!mode)
		return;
	if (strcmp(mode, "legacy")) {
		snprintf(dir, sizeof(dir), "%s/netns-run%s", strcmp(mode, "unified") ? CG_ROOT "/unified" : CG_ROOT,
			 suffix);
		rmdir(dir);
		if (!strcmp(mode, "unified"))
			return;
	}
	if (v1_view_load(&view) < 0)
		return;
	for (size_t i = 0; i < sizeof(all_v1) / sizeof(all_v1[0]); i++)
		if (v1_mount(&view, all_v1[i], mnt, sizeof(mnt)) == 0 &&
		    v1_self(&view, all_v1[i], self, sizeof(self)) == 0) {
			snprintf(dir, sizeof(dir), "%s%s/netns-run%s", mnt, self, suffix);
			rmdir(dir);
		}
}

void cgroup_destroy_by_name(const char *name)
{
	char suffix[300];

	snprintf(suffix, sizeof(suffix), "/%s", name);
	rmdir_everywhere(suffix);
}

void cgroup_prune_parents(void)
{
	rmdir_everywhere("");
}
