/* The cgroup manager's pure half (runtime/cgroup_values.c): what each limit writes to
 * which file in v1 and v2, and the parsing of /proc/self/mountinfo, /proc/self/cgroup and
 * cgroup.controllers, on sample text.  No kernel. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

/* Compiled in: the runtime's sources are not in a library the unit tests link yet. */
#include "engine/cgroup_values.c"

static void expect_write(const struct cgroup_write *w, const char *file, const char *value, bool if_present)
{
	assert_string_equal(w->file, file);
	assert_string_equal(w->value, value);
	assert_int_equal(w->if_present, if_present);
}

static void test_memory(void **state)
{
	struct cgroup_write w[CGROUP_WRITES_MAX];

	assert_int_equal(cgroup_v1_memory_writes(268435456, w), 2);
	expect_write(&w[0], "memory.limit_in_bytes", "268435456", false);
	/* memory plus swap at the same figure, where swap accounting is on */
	expect_write(&w[1], "memory.memsw.limit_in_bytes", "268435456", true);
	assert_int_equal(cgroup_v2_memory_writes(268435456, w), 2);
	expect_write(&w[0], "memory.max", "268435456", false);
	expect_write(&w[1], "memory.swap.max", "0", true);
	assert_int_equal(cgroup_v2_memory_writes(9223372036854775807LL, w), 2);
	expect_write(&w[0], "memory.max", "9223372036854775807", false);
}

static void test_cpus(void **state)
{
	struct cgroup_write w[CGROUP_WRITES_MAX];

	/* the period first: a quota above the old period's would be refused */
	assert_int_equal(cgroup_v1_cpus_writes(1.5, w), 2);
	expect_write(&w[0], "cpu.cfs_period_us", "100000", false);
	expect_write(&w[1], "cpu.cfs_quota_us", "150000", false);
	assert_int_equal(cgroup_v1_cpus_writes(0.333333, w), 2);
	expect_write(&w[1], "cpu.cfs_quota_us", "33333", false);
	assert_int_equal(cgroup_v1_cpus_writes(0.000006, w), 2);
	expect_write(&w[1], "cpu.cfs_quota_us", "1", false); /* rounded, not truncated */
	assert_int_equal(cgroup_v2_cpus_writes(1.5, w), 1);
	expect_write(&w[0], "cpu.max", "150000 100000", false);
	assert_int_equal(cgroup_v2_cpus_writes(4, w), 1);
	expect_write(&w[0], "cpu.max", "400000 100000", false);
}

static void test_pids(void **state)
{
	struct cgroup_write w[CGROUP_WRITES_MAX];

	assert_int_equal(cgroup_pids_writes(100, w), 1);
	expect_write(&w[0], "pids.max", "100", false);
}

static void test_io_weight(void **state)
{
	struct cgroup_write w[CGROUP_WRITES_MAX];

	assert_int_equal(cgroup_v1_io_weight_writes(500, true, w), 1);
	expect_write(&w[0], "blkio.bfq.weight", "500", false);
	assert_int_equal(cgroup_v1_io_weight_writes(500, false, w), 1);
	expect_write(&w[0], "blkio.weight", "500", false);
	/* bfq takes the blkio scale in v2 too */
	assert_int_equal(cgroup_v2_io_weight_writes(500, true, w), 1);
	expect_write(&w[0], "io.bfq.weight", "500", false);
	assert_int_equal(cgroup_v2_io_weight_writes(500, false, w), 1);
	expect_write(&w[0], "io.weight", "default 4950", false);
	/* 10..1000 onto 1..10000, ends onto ends, as runc maps it */
	assert_int_equal(cgroup_io_weight_to_v2(10), 1);
	assert_int_equal(cgroup_io_weight_to_v2(100), 910);
	assert_int_equal(cgroup_io_weight_to_v2(1000), 10000);
	assert_int_equal(cgroup_v2_io_weight_writes(10, false, w), 1);
	expect_write(&w[0], "io.weight", "default 1", false);
}

static const char *mountinfo =
	"22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
	"30 22 0:27 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755\n"
	"31 30 0:28 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 "
	"rw,nsdelegate\n"
	"34 30 0:31 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup "
	"rw,cpu,cpuacct\n"
	"35 30 0:32 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,memory\n"
	"36 30 0:33 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,pids";

static void test_mountinfo(void **state)
{
	char buf[512];

	assert_int_equal(cgroup_mountinfo_find(mountinfo, "memory", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/sys/fs/cgroup/memory");
	/* co-mounted controllers share a mount point */
	assert_int_equal(cgroup_mountinfo_find(mountinfo, "cpu", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/sys/fs/cgroup/cpu,cpuacct");
	assert_int_equal(cgroup_mountinfo_find(mountinfo, "cpuacct", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/sys/fs/cgroup/cpu,cpuacct");
	/* the last line has no newline */
	assert_int_equal(cgroup_mountinfo_find(mountinfo, "pids", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/sys/fs/cgroup/pids");
	/* not mounted; and a cgroup2 or a tmpfs is no v1 hierarchy */
	assert_int_equal(cgroup_mountinfo_find(mountinfo, "blkio", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(cgroup_mountinfo_find(mountinfo, "nsdelegate", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(cgroup_mountinfo_find(mountinfo, "mode=755", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(cgroup_mountinfo_find("", "memory", buf, sizeof(buf)), -ENOENT);
}

static void test_proc_cgroup(void **state)
{
	static const char *self = "12:pids:/user.slice/user-0.slice/session-1.scope\n"
				  "4:memory:/process_api/32f9\n"
				  "3:cpu,cpuacct:/\n"
				  "1:name=systemd:/user.slice\n"
				  "0::/user.slice/user-0.slice/session-1.scope";
	char buf[512];

	assert_int_equal(cgroup_proc_find(self, "memory", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/process_api/32f9");
	assert_int_equal(cgroup_proc_find(self, "pids", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/user.slice/user-0.slice/session-1.scope");
	/* the root is "", so <mount><ours>/netns-run has one slash */
	assert_int_equal(cgroup_proc_find(self, "cpuacct", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(cgroup_proc_find(self, "devices", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(cgroup_proc_find("garbage\n", "memory", buf, sizeof(buf)), -ENOENT);
}

static void test_subtree_want(void **state)
{
	char want[512];

	/* "cpuset" comes first and must not hide "cpu" */
	cgroup_subtree_want("cpuset cpu io memory hugetlb pids rdma misc", want, sizeof(want));
	assert_string_equal(want, "+memory +cpu +pids +io");
	cgroup_subtree_want("cpuset io\n", want, sizeof(want));
	assert_string_equal(want, "+io");
	cgroup_subtree_want("cpuset hugetlb", want, sizeof(want));
	assert_string_equal(want, "");
	cgroup_subtree_want("", want, sizeof(want));
	assert_string_equal(want, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memory),       cmocka_unit_test(test_cpus),
		cmocka_unit_test(test_pids),         cmocka_unit_test(test_io_weight),
		cmocka_unit_test(test_mountinfo),    cmocka_unit_test(test_proc_cgroup),
		cmocka_unit_test(test_subtree_want),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
