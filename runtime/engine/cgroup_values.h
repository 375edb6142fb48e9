/* The text of cgroupfs and /proc, without touching either: what a limit writes to which
 * file, and what we read out of /proc/self/mountinfo, /proc/self/cgroup and
 * cgroup.controllers.  Pure functions, so tests/unit/runtime/test_cgroup_values.c
 * checks them without a kernel. */
#ifndef NETNS_RUN_CGROUP_VALUES_H
#define NETNS_RUN_CGROUP_VALUES_H

#include <stdbool.h>
#include <stddef.h>

/* One value for one interface file of a controller's directory. */
struct cgroup_write {
	const char *file; /* "memory.max" */
	char value[32];
	bool if_present; /* skipped where the kernel has no such file (swap accounting off) */
};

/* A limit writes at most this many files. */
#define CGROUP_WRITES_MAX 2

/* Each fills w in the order the files are written and returns how many it filled. */
size_t cgroup_v1_memory_writes(long long bytes, struct cgroup_write w[CGROUP_WRITES_MAX]);
size_t cgroup_v2_memory_writes(long long bytes, struct cgroup_write w[CGROUP_WRITES_MAX]);
size_t cgroup_v1_cpus_writes(double cpus, struct cgroup_write w[CGROUP_WRITES_MAX]);
size_t cgroup_v2_cpus_writes(double cpus, struct cgroup_write w[CGROUP_WRITES_MAX]);
size_t cgroup_pids_writes(long long pids, struct cgroup_write w[CGROUP_WRITES_MAX]);
/* weight on the blkio scale (10..1000); bfq: whether the bfq scheduler's file is there,
 * which takes that scale in v1 and v2 alike. */
size_t cgroup_v1_io_weight_writes(int weight, bool bfq, struct cgroup_write w[CGROUP_WRITES_MAX]);
size_t cgroup_v2_io_weight_writes(int weight, bool bfq, struct cgroup_write w[CGROUP_WRITES_MAX]);

/* A blkio weight (10..1000) on io.weight's scale (1..10000), mapped as runc does. */
int cgroup_io_weight_to_v2(int weight);

/* The mount point of the v1 hierarchy carrying controller ctl, from the text of
 * /proc/self/mountinfo: 0, or -ENOENT. */
int cgroup_mountinfo_find(const char *mountinfo, const char *ctl, char *buf, size_t len);

/* Our own cgroup in the v1 hierarchy holding ctl, from the text of /proc/self/cgroup
 * ("" for the root): 0, or -ENOENT. */
int cgroup_proc_find(const char *self, const char *ctl, char *buf, size_t len);

/* What to write to cgroup.subtree_control to hand the controllers we use ("memory cpu
 * pids io") that have (cgroup.controllers' text) down to the children: "+memory +pids";
 * "" when none. */
void cgroup_subtree_want(const char *have, char *want, size_t len);

#endif
