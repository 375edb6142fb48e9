/* Cgroups for one container, v1 and v2 alike.  The layout is detected, never assumed:
 * statfs(/sys/fs/cgroup) is cgroup2 (unified), or a tmpfs holding v1 hierarchies with
 * or without a cgroup2 at /sys/fs/cgroup/unified (hybrid / legacy).  Each controller is
 * used where it is mounted: on a hybrid machine memory, cpu, pids and blkio are v1 while
 * the unified tree only tracks processes.
 *
 * Where: v1 hierarchies nest the container under the caller's own cgroup
 * (<caller>/netns-run/<name>), so limits put on whoever runs us still hold; the v2 tree
 * puts it at /netns-run/<name> because v2 forbids processes in a cgroup that hands
 * controllers to children, and the caller's cgroup usually has processes.
 *
 * The result is a JSON object kept in the container's state:
 *   {"mode": "hybrid", "paths": {"memory": "/sys/fs/cgroup/memory/…", …, "unified": …}} */
#ifndef NETNS_RUN_CGROUP_H
#define NETNS_RUN_CGROUP_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "base/error.h"

struct cgroup_limits {
	long long memory; /* bytes, 0 = none */
	double cpus;      /* 0 = none */
	long long pids;   /* 0 = none */
	int io_weight;    /* 10..1000 (blkio scale), 0 = none */
};

/* "unified", "hybrid" or "legacy"; NULL when /sys/fs/cgroup is none of these. */
const char *cgroup_mode(void);

/* Create the container's v2 cgroup directory and plan its v1 ones (paths and dirs in
 * *ret, not created) for the controllers lim needs.  On failure nothing is left. */
int cgroup_create(const char *name, const struct cgroup_limits *lim, json_t **ret, struct nr_error *err);

/* Whether cg has v1 hierarchies (hybrid or legacy), to be made by cgroup_create_v1(). */
bool cgroup_has_v1(json_t *cg);

/* Create the planned v1 directories.  A starting container does it itself, in the child,
 * while the runtime runs the network's ADD: about 15 cgroupfs operations off the critical
 * path.  What exists of them is removed by cgroup_destroy() like the rest. */
int cgroup_create_v1(json_t *cg, struct nr_error *err);

/* Write the limits and (v1) the device rules.  Separate from creation so a container
 * start writes them while its child builds the root; done before the command runs. */
int cgroup_configure(json_t *cg, const struct cgroup_limits *lim, struct nr_error *err);

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
 * that which names. */
int cgroup_attach(json_t *cg, pid_t pid, unsigned which, struct nr_error *err);

/* For the calling thread to join the v1 devices cgroup later, after pivot_root has hidden
 * the hierarchy: an open `tasks` file of it, to write "0" to; -1 when there is none. */
int cgroup_devices_join_fd(json_t *cg);

/* An O_PATH descriptor of the container's v2 cgroup for clone3's CLONE_INTO_CGROUP, or
 * -1 when there is none.  Placing a process at fork costs nothing, while moving one
 * waits for an RCU grace period (milliseconds) on the kernel's global cgroup lock. */
int cgroup_unified_fd(json_t *cg);

/* Whether the kernel's OOM killer killed something in the container. */
bool cgroup_oom_killed(json_t *cg);

/* Current use: memory bytes, cpu nanoseconds, tasks (-1 when unknown). */
void cgroup_usage(json_t *cg, long long *mem, long long *cpu_ns, long long *pids);

/* Kill what is left and remove every directory, retrying a bounded number of times
 * while the kernel finishes tearing down dead tasks.  Missing directories are fine. */
int cgroup_destroy(json_t *cg, struct nr_error *err);

/* The empty cgroup directories of container name, found by name: for a record without its
 * cgroup paths, left by a netns-run killed while it was creating them. */
void cgroup_destroy_by_name(const char *name);

/* Remove the "netns-run" parent directories where no container is left.  They stay
 * between containers, as docker's and podman's do: making and removing them (and writing
 * the device rules they pass on) was a fifth of a `run --net=none` (docs/runtime.md);
 * `netns-run gc` calls this. */
void cgroup_prune_parents(void);

#endif
