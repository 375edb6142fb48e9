/* Inside the cgroup manager: the table of operations its v1 (cgroup_v1.c) and v2
 * (cgroup_v2.c) implementations fill in, as crun's cgroup managers do, and the few file
 * helpers they share (cgroup.c).  Not for the rest of the runtime: cgroup.h is. */
#ifndef NETNS_RUN_CGROUP_INTERNAL_H
#define NETNS_RUN_CGROUP_INTERNAL_H

#include "cgroup.h"
#include "cgroup_values.h"

#define CG_ROOT "/sys/fs/cgroup"

struct cgroup_ops {
	/* Place the container in this version's hierarchies: v2 makes its directory at once
	 * (the child is cloned into it), v1 only fills in the paths (made by .make). */
	int (*plan)(struct cgroup_set *cg, const char *name, const struct cgroup_limits *lim, struct nr_error *err);
	/* Make the planned directories; NULL when .plan made them. */
	int (*make)(const struct cgroup_set *cg, struct nr_error *err);
	/* The limits' values (cgroup_values.h), and the controller io_weight writes. */
	size_t (*memory)(long long bytes, struct cgroup_write w[CGROUP_WRITES_MAX]);
	size_t (*cpus)(double cpus, struct cgroup_write w[CGROUP_WRITES_MAX]);
	size_t (*pids)(long long pids, struct cgroup_write w[CGROUP_WRITES_MAX]);
	size_t (*io_weight)(int weight, bool bfq, struct cgroup_write w[CGROUP_WRITES_MAX]);
	enum cgroup_ctl io_ctl;
	/* The device rules; NULL where the version has no devices files. */
	int (*devices)(const struct cgroup_set *cg, struct nr_error *err);
	/* The file of a directory that moves pid (0: the calling thread) into it. */
	const char *(*attach_file)(pid_t pid);
	bool (*oom_killed)(const struct cgroup_set *cg);
	void (*usage)(const struct cgroup_set *cg, long long *mem, long long *cpu_ns, long long *pids);
	/* Ask for frozen (or thawed) in the container's directory of this version; .frozen
	 * reads whether the kernel has done it. */
	int (*freeze)(const struct cgroup_set *cg, bool frozen);
	bool (*frozen)(const struct cgroup_set *cg);
	bool (*freeze_requested)(const struct cgroup_set *cg);
	/* rmdir netns-run<suffix> in every hierarchy of this version (empty ones only). */
	void (*remove)(enum cgroup_layout layout, const char *suffix);
};

extern const struct cgroup_ops cgroup_v1_ops;
extern const struct cgroup_ops cgroup_v2_ops;

/* The one way a value reaches cgroupfs: dir/file gets val in one write.  -errno. */
int cgroup_file_write(const char *dir, const char *file, const char *val);
/* Whether dir/file exists (dir may be NULL: no). */
bool cgroup_file_exists(const char *dir, const char *file);
/* The number on dir/file's first line, or after "key " on the line starting so; -1 when
 * there is none (dir may be NULL). */
long long cgroup_file_read_ll(const char *dir, const char *file, const char *key);
/* Make the container's directory path, taking over an empty one left behind; the
 * "netns-run" parent too when a concurrent teardown has just removed it. */
int cgroup_dir_make(const char *path, struct nr_error *err);

#endif
