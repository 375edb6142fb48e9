/* The cgroup manager: one container's cgroups, v1 and v2 alike.  The layout is detected,
 * never assumed, and each controller is used where it is mounted; a v1 and a v2
 * implementation sit behind one table of operations (cgroup_internal.h).  Where the
 * directories go and why: docs/runtime.md, "Cgroups". */
#ifndef NETNS_RUN_CGROUP_H
#define NETNS_RUN_CGROUP_H

#include <stdbool.h>
#include <sys/types.h>

#include "base/cleanup.h"
#include "base/error.h"

/* How /sys/fs/cgroup is laid out: a cgroup2 (unified); a tmpfs of v1 hierarchies with a
 * cgroup2 at /sys/fs/cgroup/unified (hybrid) or without one (legacy). */
enum cgroup_layout {
	CGROUP_LAYOUT_NONE, /* none of these, or unknown (a record without cgroups) */
	CGROUP_LAYOUT_UNIFIED,
	CGROUP_LAYOUT_HYBRID,
	CGROUP_LAYOUT_LEGACY,
};

/* "unified", "hybrid", "legacy"; NULL for CGROUP_LAYOUT_NONE. */
const char *cgroup_layout_name(enum cgroup_layout layout);
/* The layout named name; CGROUP_LAYOUT_NONE for NULL or an unknown name. */
enum cgroup_layout cgroup_layout_from_name(const char *name);
/* statfs of /sys/fs/cgroup (and of its "unified"). */
enum cgroup_layout cgroup_layout_detect(void);

/* The controllers a container may have a cgroup in, and the unified tree (which on a
 * hybrid machine holds only processes).  The order is the order of creation: the
 * directories are removed in reverse. */
enum cgroup_ctl {
	CGROUP_UNIFIED,
	CGROUP_MEMORY,
	CGROUP_CPU,
	CGROUP_CPUACCT,
	CGROUP_PIDS,
	CGROUP_DEVICES,
	CGROUP_BLKIO,   /* v1's block I/O controller */
	CGROUP_IO,      /* v2's */
	CGROUP_FREEZER, /* v1's, on a legacy machine only: elsewhere the v2 tree freezes */
	CGROUP_CTL_COUNT,
};

/* "unified", "memory", "cpu", "cpuacct", "pids", "devices", "blkio", "io", "freezer". */
extern const char *const cgroup_ctl_names[CGROUP_CTL_COUNT];

/* A container's cgroups: the directory of each controller, NULL where it has none.
 * Co-mounted v1 controllers (cpu,cpuacct) share a directory, and on a unified machine
 * every enabled controller's is the unified one. */
struct cgroup_set {
	enum cgroup_layout layout;
	char *path[CGROUP_CTL_COUNT];
};

struct cgroup_set *cgroup_set_new(enum cgroup_layout layout);
void cgroup_set_free(struct cgroup_set *cg);
DEFINE_PTR_CLEANUP(cgroup_set_freep, struct cgroup_set *, cgroup_set_free)
#define _cleanup_cgroup_set_ _cleanup_(cgroup_set_freep)

/* Set (a copy of dir) or clear (NULL) ctl's directory: 0 or -ENOMEM. */
int cgroup_set_put(struct cgroup_set *cg, enum cgroup_ctl ctl, const char *dir);
/* The directory of the controller named name (a v1 mount option such as "cpuacct");
 * NULL when it has none or the name is not one of ours. */
const char *cgroup_set_path_by_name(const struct cgroup_set *cg, const char *name);
/* The distinct directories, in creation order, into ret; their count. */
size_t cgroup_set_dirs(const struct cgroup_set *cg, const char *ret[CGROUP_CTL_COUNT]);

struct cgroup_limits {
	long long memory; /* bytes, 0 = none */
	double cpus;      /* 0 = none */
	long long pids;   /* 0 = none */
	int io_weight;    /* 10..1000 (blkio scale), 0 = none */
};

/* Create the container's v2 cgroup directory and plan its v1 ones (paths in *ret, not
 * created) for the controllers lim needs.  On failure nothing is left. */
int cgroup_create(const char *name, const struct cgroup_limits *lim, struct cgroup_set **ret, struct nr_error *err);

/* Whether cg has v1 hierarchies (hybrid or legacy), to be made by cgroup_create_v1(). */
bool cgroup_has_v1(const struct cgroup_set *cg);

/* Create the planned v1 directories.  A starting container does it itself, in the child,
 * while the runtime runs the network's ADD, off the critical path.  What exists of them
 * is removed by cgroup_destroy() like the rest. */
int cgroup_create_v1(const struct cgroup_set *cg, struct nr_error *err);

/* Write the limits and (v1) the device rules.  Separate from creation so a container
 * start writes them while its child builds the root; done before the command runs. */
int cgroup_configure(const struct cgroup_set *cg, const struct cgroup_limits *lim, struct nr_error *err);

/* Which of a container's cgroups cgroup_attach() joins. */
enum {
	CG_JOIN_UNIFIED = 1, /* the v2 one (hybrid or unified) */
	CG_JOIN_V1 = 2,      /* the v1 ones but devices */
	CG_JOIN_DEVICES = 4, /* v1 devices (a starting container joins it last, through
			      * cgroup_devices_join_fd, once its rules are written and its
			      * /dev nodes made: the rules would refuse the mknod) */
	CG_JOIN_ALL = 7,
};

/* Move pid (0: the calling process, which must be single-threaded) into the cgroups of cg
 * that which names.  Here and below, a NULL cg has no cgroups. */
int cgroup_attach(const struct cgroup_set *cg, pid_t pid, unsigned which, struct nr_error *err);

/* For the calling thread to join the v1 devices cgroup later, after pivot_root has hidden
 * the hierarchy: an open `tasks` file of it, to write "0" to; -1 when there is none. */
int cgroup_devices_join_fd(const struct cgroup_set *cg);

/* An O_PATH descriptor of the container's v2 cgroup for clone3's CLONE_INTO_CGROUP, or
 * -1 when there is none.  Placing a process at fork is free, while moving one waits for
 * an RCU grace period on the kernel's global cgroup lock. */
int cgroup_unified_fd(const struct cgroup_set *cg);

/* Whether the kernel's OOM killer killed something in the container (cg may be NULL). */
bool cgroup_oom_killed(const struct cgroup_set *cg);

/* Current use: memory bytes, cpu nanoseconds, tasks (-1 when unknown; cg may be NULL). */
void cgroup_usage(const struct cgroup_set *cg, long long *mem, long long *cpu_ns, long long *pids);

/* Freeze (`commit --pause`) or thaw every process of the container, and wait until the
 * kernel says they are (frozen: all stopped outside any system call's critical part).
 * The v2 cgroup's cgroup.freeze where there is one (unified and hybrid machines), else
 * the v1 freezer's freezer.state; CNI_ERR_NOT_AVAILABLE when cg has neither. */
int cgroup_freeze(const struct cgroup_set *cg, bool frozen, struct nr_error *err);
/* Whether the container's cgroup is frozen now (false when it has no freezer). */
bool cgroup_frozen(const struct cgroup_set *cg);
/* Whether freezing it was asked for (frozen, or still freezing): what a thaw must undo. */
bool cgroup_freeze_requested(const struct cgroup_set *cg);

/* Kill what is left and remove every directory, retrying a bounded number of times
 * while the kernel finishes tearing down dead tasks.  Missing directories are fine. */
int cgroup_destroy(const struct cgroup_set *cg, struct nr_error *err);

/* The empty cgroup directories of container name, found by name: for a record without its
 * cgroup paths, left by a netns-run killed while it was creating them. */
void cgroup_destroy_by_name(const char *name);

/* Remove the "netns-run" parent directories where no container is left.  They stay
 * between containers, as docker's and podman's do, because making and removing them
 * (and writing the device rules they pass on) is a noticeable part of a container's
 * start (docs/runtime.md); `netns-run gc` calls this. */
void cgroup_prune_parents(void);

#endif
