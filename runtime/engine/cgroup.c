/* The cgroup manager: a container's set of cgroups, and the choice of implementation
 * (cgroup_v1.c, cgroup_v2.c) by layout and by directory. */
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

#include "cgroup_internal.h"

const char *const cgroup_ctl_names[CGROUP_CTL_COUNT] = {
	[CGROUP_UNIFIED] = "unified", [CGROUP_MEMORY] = "memory", [CGROUP_CPU] = "cpu",
	[CGROUP_CPUACCT] = "cpuacct", [CGROUP_PIDS] = "pids",     [CGROUP_DEVICES] = "devices",
	[CGROUP_BLKIO] = "blkio",     [CGROUP_IO] = "io",         [CGROUP_FREEZER] = "freezer",
};

static const char *const layout_names[] = {
	[CGROUP_LAYOUT_UNIFIED] = "unified",
	[CGROUP_LAYOUT_HYBRID] = "hybrid",
	[CGROUP_LAYOUT_LEGACY] = "legacy",
};

const char *cgroup_layout_name(enum cgroup_layout layout)
{
	return layout > CGROUP_LAYOUT_NONE && layout <= CGROUP_LAYOUT_LEGACY ? layout_names[layout] : NULL;
}

enum cgroup_layout cgroup_layout_from_name(const char *name)
{
	for (int l = CGROUP_LAYOUT_UNIFIED; name && l <= CGROUP_LAYOUT_LEGACY; l++)
		if (!strcmp(name, layout_names[l]))
			return (enum cgroup_layout)l;
	return CGROUP_LAYOUT_NONE;
}

static bool is_fs(const char *path, long magic)
{
	struct statfs sf;

	return statfs(path, &sf) == 0 && sf.f_type == magic;
}

enum cgroup_layout cgroup_layout_detect(void)
{
	if (is_fs(CG_ROOT, CGROUP2_SUPER_MAGIC))
		return CGROUP_LAYOUT_UNIFIED;
	if (!is_fs(CG_ROOT, TMPFS_MAGIC))
		return CGROUP_LAYOUT_NONE;
	return is_fs(CG_ROOT "/unified", CGROUP2_SUPER_MAGIC) ? CGROUP_LAYOUT_HYBRID : CGROUP_LAYOUT_LEGACY;
}

struct cgroup_set *cgroup_set_new(enum cgroup_layout layout)
{
	struct cgroup_set *cg = calloc(1, sizeof(*cg));

	if (cg)
		cg->layout = layout;
	return cg;
}

void cgroup_set_free(struct cgroup_set *cg)
{
	if (!cg)
		return;
	for (size_t i = 0; i < CGROUP_CTL_COUNT; i++)
		free(cg->path[i]);
	free(cg);
}

int cgroup_set_put(struct cgroup_set *cg, enum cgroup_ctl ctl, const char *dir)
{
	char *copy = NULL;

	if (dir && !(copy = strdup(dir)))
		return -ENOMEM;
	free(cg->path[ctl]);
	cg->path[ctl] = copy;
	return 0;
}

const char *cgroup_set_path_by_name(const struct cgroup_set *cg, const char *name)
{
	for (size_t i = 0; cg && i < CGROUP_CTL_COUNT; i++)
		if (!strcmp(name, cgroup_ctl_names[i]))
			return cg->path[i];
	return NULL;
}

size_t cgroup_set_dirs(const struct cgroup_set *cg, const char *ret[CGROUP_CTL_COUNT])
{
	size_t n = 0;

	for (size_t i = 0; cg && i < CGROUP_CTL_COUNT; i++) {
		bool seen = !cg->path[i];
		for (size_t k = 0; !seen && k < n; k++)
			seen = !strcmp(ret[k], cg->path[i]);
		if (!seen)
			ret[n++] = cg->path[i];
	}
	return n;
}

/* Limits and usage belong to the version holding the controllers: on a hybrid machine
 * the unified tree has none. */
static const struct cgroup_ops *ops_of(const struct cgroup_set *cg)
{
	return cg->layout == CGROUP_LAYOUT_UNIFIED ? &cgroup_v2_ops : &cgroup_v1_ops;
}

/* A directory's version: the unified one is v2's whatever the layout. */
static const struct cgroup_ops *ops_of_dir(const struct cgroup_set *cg, const char *dir)
{
	const char *unified = cg->path[CGROUP_UNIFIED];

	return unified && !strcmp(unified, dir) ? &cgroup_v2_ops : &cgroup_v1_ops;
}

int cgroup_file_write(const char *dir, const char *file, const char *val)
{
	char path[1100];
	int fd, r = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* Kernel files take one write; a short write is an error the kernel reports. */
	if (write(fd, val, strlen(val)) < 0)
		r = -errno;
	close(fd);
	return r;
}

bool cgroup_file_exists(const char *dir, const char *file)
{
	char path[1100];

	if (!dir)
		return false;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return access(path, F_OK) == 0;
}

long long cgroup_file_read_ll(const char *dir, const char *file, const char *key)
{
	char path[1100], line[256];
	_cleanup_fclose_ FILE *f = NULL;

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
	return -1;
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

int cgroup_dir_make(const char *path, struct nr_error *err)
{
	int r = mkdir_in_parent(path);

	if (r == 0)
		return 0;
	/* An empty one left by a container of the same name whose teardown never ran: take
	 * it over (rmdir fails while it has tasks or children, and then we refuse). */
	if (r == -EEXIST && rmdir(path) == 0 && mkdir(path, 0755) == 0)
		return 0;
	if (errno == EEXIST || errno == EBUSY)
		return nr_error_set(err, CNI_ERR_INTERNAL, EEXIST, "cgroup %s already exists and is in use", path);
	return nr_error_set(err, CNI_ERR_IO, errno, "cannot create cgroup %s: %s", path, strerror(errno));
}

static void rmdir_all(const struct cgroup_set *cg)
{
	const char *dirs[CGROUP_CTL_COUNT];

	for (size_t i = cgroup_set_dirs(cg, dirs); i-- > 0;)
		rmdir(dirs[i]);
}

int cgroup_create(const char *name, const struct cgroup_limits *lim, struct cgroup_set **ret, struct nr_error *err)
{
	enum cgroup_layout layout = cgroup_layout_detect();
	_cleanup_cgroup_set_ struct cgroup_set *cg = NULL;
	int r = 0;

	if (layout == CGROUP_LAYOUT_NONE)
		return nr_error_set(err, CNI_ERR_NOT_AVAILABLE, ENOTSUP,
				    "/sys/fs/cgroup is neither a cgroup2 nor a tmpfs of cgroup hierarchies");
	if (!(cg = cgroup_set_new(layout)))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	if (layout != CGROUP_LAYOUT_LEGACY)
		r = cgroup_v2_ops.plan(cg, name, lim, err);
	if (r >= 0 && layout != CGROUP_LAYOUT_UNIFIED)
		r = cgroup_v1_ops.plan(cg, name, lim, err);
	if (r < 0) {
		rmdir_all(cg);
		return r;
	}
	*ret = TAKE_PTR(cg);
	return 0;
}

bool cgroup_has_v1(const struct cgroup_set *cg)
{
	return cg && (cg->layout == CGROUP_LAYOUT_HYBRID || cg->layout == CGROUP_LAYOUT_LEGACY);
}

int cgroup_create_v1(const struct cgroup_set *cg, struct nr_error *err)
{
	return cgroup_v1_ops.make(cg, err);
}

/* Write one limit's values into ctl's directory. */
static int limit_write(const struct cgroup_set *cg, enum cgroup_ctl ctl, const struct cgroup_write *w, size_t n,
		       struct nr_error *err)
{
	const char *dir = cg->path[ctl];

	if (!dir)
		return nr_error_set(err, CNI_ERR_NOT_AVAILABLE, ENOTSUP,
				    "the %s cgroup controller is not available here", cgroup_ctl_names[ctl]);
	for (size_t i = 0; i < n; i++) {
		int r;
		if (w[i].if_present && !cgroup_file_exists(dir, w[i].file))
			continue;
		if ((r = cgroup_file_write(dir, w[i].file, w[i].value)) < 0)
			return nr_error_set(err, CNI_ERR_IO, r, "cannot write %s to %s/%s: %s", w[i].value, dir,
					    w[i].file, strerror(-r));
	}
	return 0;
}

/* The I/O weight goes to the bfq scheduler's file where there is one, else to the
 * controller's own; a device queue without a weighing scheduler has neither. */
static int io_weight_write(const struct cgroup_set *cg, const struct cgroup_ops *ops, int weight, struct nr_error *err)
{
	const char *dir = cg->path[ops->io_ctl];
	struct cgroup_write bfq[CGROUP_WRITES_MAX], plain[CGROUP_WRITES_MAX];
	size_t nb = ops->io_weight(weight, true, bfq), np = ops->io_weight(weight, false, plain);

	if (cgroup_file_exists(dir, bfq[0].file))
		return limit_write(cg, ops->io_ctl, bfq, nb, err);
	if (cgroup_file_exists(dir, plain[0].file))
		return limit_write(cg, ops->io_ctl, plain, np, err);
	return nr_error_set(err, CNI_ERR_NOT_AVAILABLE, ENOTSUP,
			    "no I/O weight here (%s neither %s nor %s: the block scheduler has no weights)",
			    cgroup_ctl_names[ops->io_ctl], bfq[0].file, plain[0].file);
}

int cgroup_configure(const struct cgroup_set *cg, const struct cgroup_limits *lim, struct nr_error *err)
{
	const struct cgroup_ops *ops = ops_of(cg);
	struct cgroup_write w[CGROUP_WRITES_MAX];
	int r;

	if (lim->memory && (r = limit_write(cg, CGROUP_MEMORY, w, ops->memory(lim->memory, w), err)) < 0)
		return nr_error_wrap(err, r, "--memory");
	if (lim->cpus > 0 && (r = limit_write(cg, CGROUP_CPU, w, ops->cpus(lim->cpus, w), err)) < 0)
		return nr_error_wrap(err, r, "--cpus");
	if (lim->pids && (r = limit_write(cg, CGROUP_PIDS, w, ops->pids(lim->pids, w), err)) < 0)
		return nr_error_wrap(err, r, "--pids-limit");
	if (lim->io_weight && (r = io_weight_write(cg, ops, lim->io_weight, err)) < 0)
		return nr_error_wrap(err, r, "--io-weight");
	return ops->devices ? ops->devices(cg, err) : 0;
}

int cgroup_devices_join_fd(const struct cgroup_set *cg)
{
	const char *dir = cg ? cg->path[CGROUP_DEVICES] : NULL;
	char path[1100];

	if (!dir)
		return -1;
	snprintf(path, sizeof(path), "%s/tasks", dir);
	return open(path, O_WRONLY | O_CLOEXEC);
}

int cgroup_unified_fd(const struct cgroup_set *cg)
{
	const char *dir = cg ? cg->path[CGROUP_UNIFIED] : NULL;

	return dir ? open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
}

int cgroup_attach(const struct cgroup_set *cg, pid_t pid, unsigned which, struct nr_error *err)
{
	const char *dirs[CGROUP_CTL_COUNT], *devices = cg ? cg->path[CGROUP_DEVICES] : NULL;
	size_t n = cgroup_set_dirs(cg, dirs);
	char val[32];
	int r;

	snprintf(val, sizeof(val), "%d", (int)pid);
	for (size_t i = 0; i < n; i++) {
		const struct cgroup_ops *ops = ops_of_dir(cg, dirs[i]);
		bool is_devices = devices && !strcmp(devices, dirs[i]);
		if (!(which & (ops == &cgroup_v2_ops ? CG_JOIN_UNIFIED : is_devices ? CG_JOIN_DEVICES : CG_JOIN_V1)))
			continue;
		r = cgroup_file_write(dirs[i], ops->attach_file(pid), val);
		if (r < 0)
			return nr_error_set(err, CNI_ERR_IO, r, "cannot move %s into %s: %s",
					    pid ? val : "the container", dirs[i], strerror(-r));
	}
	return 0;
}

bool cgroup_oom_killed(const struct cgroup_set *cg)
{
	return cg && ops_of(cg)->oom_killed(cg);
}

void cgroup_usage(const struct cgroup_set *cg, long long *mem, long long *cpu_ns, long long *pids)
{
	*mem = *cpu_ns = *pids = -1;
	if (cg)
		ops_of(cg)->usage(cg, mem, cpu_ns, pids);
}

/* The version that freezes: v2's cgroup.freeze (kernel 5.2) works in the unified tree of
 * a hybrid machine too, without any controller; v1's freezer only where there is no v2. */
static const struct cgroup_ops *freezer_of(const struct cgroup_set *cg)
{
	if (!cg)
		return NULL;
	if (cgroup_file_exists(cg->path[CGROUP_UNIFIED], "cgroup.freeze"))
		return &cgroup_v2_ops;
	return cg->path[CGROUP_FREEZER] ? &cgroup_v1_ops : NULL;
}

int cgroup_freeze(const struct cgroup_set *cg, bool frozen, struct nr_error *err)
{
	const struct cgroup_ops *ops = freezer_of(cg);
	int r;

	if (!ops)
		return nr_error_set(err, CNI_ERR_NOT_AVAILABLE, ENOTSUP,
				    "the container has no freezer cgroup (neither cgroup.freeze nor freezer.state)");
	if ((r = ops->freeze(cg, frozen)) < 0)
		return nr_error_set(err, CNI_ERR_IO, r, "cannot %s the container's cgroup: %s",
				    frozen ? "freeze" : "thaw", strerror(-r));
	/* Freezing completes asynchronously: a task in an uninterruptible sleep (a write to
	 * a slow disk) freezes when it wakes.  Bounded: ~10 s, then the request is undone. */
	for (int i = 0; i < 1000; i++) {
		if (ops->frozen(cg) == frozen)
			return 0;
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
	}
	if (frozen)
		ops->freeze(cg, false);
	return nr_error_set(err, CNI_ERR_IO, ETIMEDOUT, "the container's cgroup did not %s within 10 s",
			    frozen ? "freeze" : "thaw");
}

bool cgroup_frozen(const struct cgroup_set *cg)
{
	const struct cgroup_ops *ops = freezer_of(cg);

	return ops && ops->frozen(cg);
}

bool cgroup_freeze_requested(const struct cgroup_set *cg)
{
	const struct cgroup_ops *ops = freezer_of(cg);

	return ops && ops->freeze_requested(cg);
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

int cgroup_destroy(const struct cgroup_set *cg, struct nr_error *err)
{
	const char *dirs[CGROUP_CTL_COUNT];
	int r = 0;

	for (size_t i = cgroup_set_dirs(cg, dirs); i-- > 0;) {
		/* Dying tasks keep a cgroup busy for a moment after their pid namespace is gone:
		 * retry for up to ~2 s, killing stragglers, then give up and say so. */
		for (int attempt = 0;; attempt++) {
			if (rmdir(dirs[i]) == 0 || errno == ENOENT)
				break;
			if (errno != EBUSY || attempt == 200) {
				if (r == 0)
					r = nr_error_set(err, CNI_ERR_IO, errno, "cannot remove cgroup %s: %s", dirs[i],
							 strerror(errno));
				break;
			}
			kill_procs(dirs[i]);
			nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
		}
	}
	return r;
}

/* rmdir <hierarchy>/…/netns-run<suffix> in every hierarchy: only an empty cgroup goes. */
static void remove_everywhere(const char *suffix)
{
	enum cgroup_layout layout = cgroup_layout_detect();

	if (layout == CGROUP_LAYOUT_NONE)
		return;
	if (layout != CGROUP_LAYOUT_LEGACY)
		cgroup_v2_ops.remove(layout, suffix);
	if (layout != CGROUP_LAYOUT_UNIFIED)
		cgroup_v1_ops.remove(layout, suffix);
}

void cgroup_destroy_by_name(const char *name)
{
	char suffix[300];

	snprintf(suffix, sizeof(suffix), "/%s", name);
	remove_everywhere(suffix);
}

void cgroup_prune_parents(void)
{
	remove_everywhere("");
}
