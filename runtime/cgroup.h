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

#include "error.h"

struct cgroup_limits {
	long long memory; /* bytes, 0 = none */
	double cpus;      /* 0 = none */
	long long pids;   /* 0 = none */
	int io_weight;    /* 10..1000 (blkio scale), 0 = none */
};

/* "unified", "hybrid" or "legacy"; NULL when /sys/fs/cgroup is none of these. */
const char *cgroup_mode(void);

/* Create the container's cgroups and apply the limits.  On failure nothing is left. */
int cgroup_create(const char *name, const struct cgroup_limits *lim, json_t **ret, struct nr_error *err);

/* Move pid (0: the calling process, which must be single-threaded) into every cgroup of
 * cg, or into all but the v2 one when the process was cloned into it already
 * (skip_unified). */
int cgroup_attach(json_t *cg, pid_t pid, bool skip_unified, struct nr_error *err);

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

#endif
