#include "cgroup_values.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/cleanup.h"

__attribute__((format(printf, 4, 5))) static size_t put(struct cgroup_write *w, const char *file, bool if_present,
							const char *fmt, ...)
{
	va_list ap;

	w->file = file;
	w->if_present = if_present;
	va_start(ap, fmt);
	vsnprintf(w->value, sizeof(w->value), fmt, ap);
	va_end(ap);
	return 1;
}

size_t cgroup_v1_memory_writes(long long bytes, struct cgroup_write w[CGROUP_WRITES_MAX])
{
	/* Memory plus swap at the same figure: no swapping past the limit, so an allocation
	 * beyond it is an OOM kill, as with docker --memory-swap=--memory. */
	return put(&w[0], "memory.limit_in_bytes", false, "%lld", bytes) +
	       put(&w[1], "memory.memsw.limit_in_bytes", true, "%lld", bytes);
}

size_t cgroup_v2_memory_writes(long long bytes, struct cgroup_write w[CGROUP_WRITES_MAX])
{
	return put(&w[0], "memory.max", false, "%lld", bytes) + put(&w[1], "memory.swap.max", true, "0");
}

static long long cpu_quota(double cpus)
{
	return (long long)(cpus * 100000 + 0.5);
}

size_t cgroup_v1_cpus_writes(double cpus, struct cgroup_write w[CGROUP_WRITES_MAX])
{
	return put(&w[0], "cpu.cfs_period_us", false, "100000") +
	       put(&w[1], "cpu.cfs_quota_us", false, "%lld", cpu_quota(cpus));
}

size_t cgroup_v2_cpus_writes(double cpus, struct cgroup_write w[CGROUP_WRITES_MAX])
{
	return put(&w[0], "cpu.max", false, "%lld 100000", cpu_quota(cpus));
}

size_t cgroup_pids_writes(long long pids, struct cgroup_write w[CGROUP_WRITES_MAX])
{
	return put(&w[0], "pids.max", false, "%lld", pids);
}

int cgroup_io_weight_to_v2(int weight)
{
	return 1 + (weight - 10) * 9999 / 990;
}

size_t cgroup_v1_io_weight_writes(int weight, bool bfq, struct cgroup_write w[CGROUP_WRITES_MAX])
{
	return put(&w[0], bfq ? "blkio.bfq.weight" : "blkio.weight", false, "%d", weight);
}

size_t cgroup_v2_io_weight_writes(int weight, bool bfq, struct cgroup_write w[CGROUP_WRITES_MAX])
{
	if (bfq)
		return put(&w[0], "io.bfq.weight", false, "%d", weight);
	return put(&w[0], "io.weight", false, "default %d", cgroup_io_weight_to_v2(weight));
}

int cgroup_mountinfo_find(const char *mountinfo, const char *ctl, char *buf, size_t len)
{
	_cleanup_fclose_ FILE *f = fmemopen((void *)mountinfo, strlen(mountinfo), "r");
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

int cgroup_proc_find(const char *self, const char *ctl, char *buf, size_t len)
{
	_cleanup_fclose_ FILE *f = fmemopen((void *)self, strlen(self), "r");
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

/* Whether the space-separated list has word (not merely a word starting with it:
 * "cpuset" is listed before "cpu"). */
static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0' || p[n] == '\n'))
			return true;
	return false;
}

void cgroup_subtree_want(const char *have, char *want, size_t len)
{
	static const char *const ctls[] = { "memory", "cpu", "pids", "io" };

	want[0] = '\0';
	for (size_t i = 0; i < sizeof(ctls) / sizeof(ctls[0]); i++)
		if (has_word(have, ctls[i])) {
			size_t used = strlen(want);
			snprintf(want + used, len - used, "%s+%s", used ? " " : "", ctls[i]);
		}
}
