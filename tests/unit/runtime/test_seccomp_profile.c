/* The seccomp profile compiler (runtime/engine/seccomp_profile.c) and the capability
 * names (security.c): Docker's format checked, conditions decided for a given capability
 * set, arch and kernel, and the compiled filters run in forked children (seccomp needs no
 * privilege under no_new_privs and binds only the child). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <linux/capability.h>
#include <sched.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/rt_error.h"
#include "engine/seccomp_filter.h"
#include "engine/security.h"

#define DEFAULT_CAPS 0xa80425fbULL /* Docker's 14 */

static struct rt_seccomp_env env_with(uint64_t caps)
{
	struct rt_seccomp_env env;

	rt_seccomp_env_host(caps, &env);
	return env;
}

static struct rt_seccomp_bpf *compile_ok(const char *text, const struct rt_seccomp_env *env)
{
	struct nr_error err = { 0 };
	struct rt_seccomp_bpf *prog = NULL;
	int r = rt_seccomp_compile(text, strlen(text), env, &prog, &err);

	if (r < 0)
		print_error("unexpected error: %s\n", err.msg);
	assert_int_equal(r, 0);
	assert_non_null(prog);
	assert_true(prog->n > 0);
	return prog;
}

/* The child's side: once the filter is in, only system calls.  Not instrumented, and no
 * _exit(): a sanitizer's bookkeeping before a no-return call (sigaltstack …) is refused
 * by a filter that allows little, and its report then spun forever.  The alarm bounds
 * a child that hangs anyway. */
__attribute__((no_sanitize_address, no_sanitize_undefined)) static void child_under(const struct rt_seccomp_bpf *prog,
										    long nr, long a0)
{
	alarm(10);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || rt_seccomp_load(prog) < 0)
		syscall(SYS_exit_group, 255);
	long r = syscall(nr, a0, 0, 0, 0, 0, 0);
	syscall(SYS_exit_group, r < 0 ? (errno & 0xff) : 0);
}

/* What `syscall(nr, a0)` returns in a child that loaded prog: 0, or the errno it failed
 * with; 255 when the child died (a kill action) or could not load the filter. */
static int errno_under(const struct rt_seccomp_bpf *prog, long nr, long a0)
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (pid == 0) {
		child_under(prog, nr, a0);
		_exit(255); /* not reached */
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 255;
}

static int getppid_errno(const char *text, const struct rt_seccomp_env *env)
{
	struct rt_seccomp_bpf *prog = compile_ok(text, env);
	int e = errno_under(prog, SYS_getppid, 0);

	free(prog);
	return e;
}

static void test_default_profile(void **state)
{
	struct rt_seccomp_env env = env_with(DEFAULT_CAPS);
	struct rt_seccomp_bpf *prog = compile_ok(rt_seccomp_default_json, &env);

	/* The escapes' first step, refused; ordinary calls allowed. */
	assert_int_equal(errno_under(prog, SYS_unshare, CLONE_NEWUSER), EPERM);
	assert_int_equal(errno_under(prog, SYS_unshare, CLONE_NEWNET), EPERM);
	assert_int_equal(errno_under(prog, SYS_mount, 0), EPERM);
	assert_int_equal(errno_under(prog, SYS_getppid, 0), 0);
	/* clone3's flags live in memory the filter cannot read: ENOSYS makes glibc use clone. */
	assert_int_equal(errno_under(prog, SYS_clone3, 0), ENOSYS);
	/* socket(AF_VSOCK) refused by its argument rule; personality(0xffffffff) (a query) allowed */
	assert_int_equal(errno_under(prog, SYS_socket, 40), EPERM);
	assert_int_equal(errno_under(prog, SYS_personality, 0xffffffffL), 0);
	free(prog);

	/* CAP_SYS_ADMIN (--cap-add) opens the namespace calls, as in Docker. */
	env = env_with(DEFAULT_CAPS | 1ULL << CAP_SYS_ADMIN);
	prog = compile_ok(rt_seccomp_default_json, &env);
	assert_int_equal(errno_under(prog, SYS_clone3, 0), EINVAL); /* reached the kernel (size 0) */
	free(prog);
	/* No capability at all, and every one: both compile (duplicate allows merge). */
	env = env_with(0);
	free(compile_ok(rt_seccomp_default_json, &env));
	env = env_with(~0ULL >> 1);
	free(compile_ok(rt_seccomp_default_json, &env));
}

static void test_errno_ret(void **state)
{
	struct rt_seccomp_env env = env_with(0);

	assert_int_equal(getppid_errno("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getppid\"],"
				       "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":42}]}",
				       &env),
			 42);
	/* without errnoRet: EPERM */
	assert_int_equal(getppid_errno("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"name\":\"getppid\","
				       "\"action\":\"SCMP_ACT_ERRNO\"}]}",
				       &env),
			 EPERM);
	/* defaultErrnoRet */
	assert_int_equal(getppid_errno("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":7,\"syscalls\":[{"
				       "\"names\":[\"exit_group\",\"exit\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
				       &env),
			 7);
	/* a kill action: the child dies */
	assert_int_equal(getppid_errno("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getppid\"],"
				       "\"action\":\"SCMP_ACT_KILL_PROCESS\"}]}",
				       &env),
			 255);
}

static void test_conditions(void **state)
{
	struct rt_seccomp_env env = env_with(1ULL << CAP_SYS_ADMIN);
	const char *inc_caps =
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getppid\"],"
		"\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":9,\"includes\":{\"caps\":[\"CAP_SYS_ADMIN\"]}}]}";
	const char *exc_caps =
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getppid\"],"
		"\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":9,\"excludes\":{\"caps\":[\"CAP_SYS_ADMIN\"]}}]}";
	const char *min_kernel = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getppid\"],"
				 "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":9,\"includes\":{\"minKernel\":\"4.8\"}}]}";

	assert_int_equal(getppid_errno(inc_caps, &env), 9);
	assert_int_equal(getppid_errno(exc_caps, &env), 0);
	env = env_with(0);
	assert_int_equal(getppid_errno(inc_caps, &env), 0);
	assert_int_equal(getppid_errno(exc_caps, &env), 9);
	env.kmaj = 4;
	env.kmin = 8;
	assert_int_equal(getppid_errno(min_kernel, &env), 9);
	env.kmin = 7;
	assert_int_equal(getppid_errno(min_kernel, &env), 0);
	env.kmaj = 5;
	env.kmin = 0;
	assert_int_equal(getppid_errno(min_kernel, &env), 9);
#if defined(__x86_64__)
	env = env_with(0);
	assert_int_equal(getppid_errno("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getppid\"],"
				       "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":9,\"includes\":{\"arches\":[\"amd64\"]}}]}",
				       &env),
			 9);
	assert_int_equal(getppid_errno("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getppid\"],"
				       "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":9,\"includes\":{\"arches\":[\"s390x\"]}}]}",
				       &env),
			 0);
	assert_int_equal(getppid_errno("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getppid\"],"
				       "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":9,\"excludes\":{\"arches\":[\"amd64\"]}}]}",
				       &env),
			 0);
#endif
}

static void test_args(void **state)
{
	struct rt_seccomp_env env = env_with(0);
	/* Two conditions on one argument: either matches (one rule each, as runc adds them). */
	struct rt_seccomp_bpf *prog =
		compile_ok("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_"
			   "ERRNO\",\"errnoRet\":11,\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"},{\"index\":0,\"value\":"
			   "2,\"op\":\"SCMP_CMP_EQ\"}]}]}",
			   &env);

	assert_int_equal(errno_under(prog, SYS_personality, 1), 11);
	assert_int_equal(errno_under(prog, SYS_personality, 2), 11);
	assert_int_equal(errno_under(prog, SYS_personality, 0xffffffffL), 0);
	free(prog);
	/* On two arguments: both must match.  MASKED_EQ: (arg & value) == valueTwo. */
	prog = compile_ok("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"personality\"],\"action\":"
			  "\"SCMP_ACT_ERRNO\",\"errnoRet\":11,\"args\":[{\"index\":0,\"value\":240,\"valueTwo\":"
			  "16,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}",
			  &env);
	assert_int_equal(errno_under(prog, SYS_personality, 0x11), 11);
	assert_int_equal(errno_under(prog, SYS_personality, 0x21), 0);
	free(prog);
}

static void test_accepted(void **state)
{
	struct rt_seccomp_env env = env_with(DEFAULT_CAPS);
	static const char *const ok[] = {
		/* names libseccomp does not know are skipped, as runc does */
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"no_such_call\",\"exit_group\"],"
		"\"action\":\"SCMP_ACT_ALLOW\"}]}",
		/* null arrays, unknown members (comment), a rule repeating the default action */
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":null,\"archMap\":null,\"syscalls\":[{\"names\":"
		"[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":null,\"comment\":\"x\",\"includes\":{},\"excludes\":{"
		"}}]}",
		/* errnoRet on an allow is ignored; architectures by list */
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"defaultErrnoRet\":1,\"architectures\":[\"SCMP_ARCH_X86\","
		"\"SCMP_ARCH_X32\"]}",
		"{\"defaultAction\":\"SCMP_ACT_LOG\",\"syscalls\":[]}",
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		free(compile_ok(ok[i], &env));
}

static void test_refused(void **state)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "", "not valid JSON" },
		{ "[]", "must be a JSON object" },
		{ "{}", "'defaultAction' is required" },
		{ "{\"defaultAction\":1}", "'defaultAction' must be a string" },
		{ "{\"defaultAction\":\"SCMP_ACT_NOPE\"}", "unknown action \"SCMP_ACT_NOPE\"" },
		{ "{\"defaultAction\":\"SCMP_ACT_NOTIFY\"}", "SCMP_ACT_NOTIFY is not supported" },
		{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":-1}", "defaultErrnoRet" },
		{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":{}}", "'syscalls' must be an array" },
		{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[1]}", "'syscalls' must be an array of objects" },
		{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"]}]}",
		  "'action' is required" },
		{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[1],\"action\":\"SCMP_ACT_ERRNO\"}]}",
		  "'names' must be an array of strings" },
		{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"name\":\"read\",\"names\":[\"write\"],\"action\":"
		  "\"SCMP_ACT_ERRNO\"}]}",
		  "both 'name' and 'names'" },
		{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\","
		  "\"args\":[{\"index\":6,\"value\":0,\"op\":\"SCMP_CMP_EQ\"}]}]}",
		  "'index' is 6" },
		{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\","
		  "\"args\":[{\"index\":0,\"value\":0,\"op\":\"SCMP_CMP_ALMOST\"}]}]}",
		  "unknown operator \"SCMP_CMP_ALMOST\"" },
		{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\","
		  "\"args\":[{\"value\":0,\"op\":\"SCMP_CMP_EQ\"}]}]}",
		  "no 'index'" },
		{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\","
		  "\"args\":[{\"index\":0,\"value\":-1,\"op\":\"SCMP_CMP_EQ\"}]}]}",
		  "'value' is -1" },
		{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\","
		  "\"args\":[{},{},{},{},{},{},{}]}]}",
		  "" },
		{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_PDP11\"]}",
		  "unknown architecture \"SCMP_ARCH_PDP11\"" },
		{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"x86_64\"]}", "unknown architecture" },
		{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86\"],\"archMap\":[{"
		  "\"architecture\":\"SCMP_ARCH_X86_64\"}]}",
		  "must not both be given" },
		{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"archMap\":[{\"subArchitectures\":[]}]}",
		  "'architecture' is required" },
		{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\","
		  "\"includes\":{\"minKernel\":\"four\"}}]}",
		  "minKernel must be MAJOR.MINOR" },
		{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\","
		  "\"includes\":{\"caps\":\"CAP_SYS_ADMIN\"}}]}",
		  "'caps' must be an array" },
	};
	struct rt_seccomp_env env = env_with(DEFAULT_CAPS);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct nr_error err = { 0 };
		struct rt_seccomp_bpf *prog = NULL;
		int r = rt_seccomp_compile(bad[i].text, strlen(bad[i].text), &env, &prog, &err);

		if (r >= 0 || !strstr(err.msg, bad[i].msg))
			print_error("profile %zu (%s): r=%d, message \"%s\", want \"%s\"\n", i, bad[i].text, r, err.msg,
				    bad[i].msg);
		assert_true(r < 0);
		assert_null(prog);
		assert_non_null(strstr(err.msg, bad[i].msg));
		assert_non_null(strstr(err.msg, "seccomp profile"));
	}
}

static void test_cap_names(void **state)
{
	struct nr_error err = { 0 };
	uint64_t m = 0;

	/* The table follows the kernel's numbering (linux/capability.h). */
	static const struct {
		const char *name;
		int cap;
	} kernel[] = {
		{ "CAP_CHOWN", CAP_CHOWN },
		{ "CAP_DAC_READ_SEARCH", CAP_DAC_READ_SEARCH },
		{ "CAP_LINUX_IMMUTABLE", CAP_LINUX_IMMUTABLE },
		{ "CAP_SYS_MODULE", CAP_SYS_MODULE },
		{ "CAP_SYS_ADMIN", CAP_SYS_ADMIN },
		{ "CAP_MKNOD", CAP_MKNOD },
		{ "CAP_AUDIT_WRITE", CAP_AUDIT_WRITE },
		{ "CAP_SETFCAP", CAP_SETFCAP },
		{ "CAP_SYSLOG", CAP_SYSLOG },
		{ "CAP_AUDIT_READ", CAP_AUDIT_READ },
		{ "CAP_PERFMON", CAP_PERFMON },
		{ "CAP_BPF", CAP_BPF },
	};
	for (size_t i = 0; i < sizeof(kernel) / sizeof(kernel[0]); i++)
		assert_int_equal(rt_cap_from_name(kernel[i].name), kernel[i].cap);
	assert_int_equal(rt_cap_from_name("CAP_NET_ADMIN"), CAP_NET_ADMIN);
	assert_int_equal(rt_cap_from_name("CAP_CHECKPOINT_RESTORE"), 40);
	assert_int_equal(rt_cap_from_name("net_admin"), -1);
	assert_string_equal(rt_cap_name(CAP_SYS_ADMIN), "CAP_SYS_ADMIN");
	assert_null(rt_cap_name(41));
	assert_int_equal(rt_cap_add_to(&m, "--cap-add", "net_admin", &err), 0);
	assert_int_equal(rt_cap_add_to(&m, "--cap-add", "CAP_SYS_TIME", &err), 0);
	assert_int_equal(rt_cap_add_to(&m, "--cap-add", "Cap_Kill", &err), 0);
	assert_true(m == (1ULL << CAP_NET_ADMIN | 1ULL << CAP_SYS_TIME | 1ULL << CAP_KILL));
	assert_int_equal(rt_cap_add_to(&m, "--cap-drop", "all", &err), 0);
	assert_true(m & RT_CAP_ALL);
	assert_int_equal(rt_cap_add_to(&m, "--cap-add", "NET_NOPE", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "--cap-add NET_NOPE: unknown capability"));
	assert_int_equal(rt_cap_add_to(&m, "--cap-add", "", &err), -EINVAL);
	assert_int_equal(rt_cap_add_to(&m, "--cap-add",
				       "CAP_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
				       &err),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_profile), cmocka_unit_test(test_errno_ret),
		cmocka_unit_test(test_conditions),      cmocka_unit_test(test_args),
		cmocka_unit_test(test_accepted),        cmocka_unit_test(test_refused),
		cmocka_unit_test(test_cap_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
