/* The seccomp filter's pieces of a container start, each timed alone (docs/security.md,
 * "Cost"): the runtime's lookup of the compiled default profile (cache hit), a compile
 * (cache miss), the kernel's load of it, and a process's fork + exec of /bin/true with the
 * filter loaded before the exec against without.  Usage: seccomp-cost [ROUNDS]; runs in a temporary state dir. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/rt.h"
#include "engine/seccomp_filter.h"

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

static long long median(long long *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_ll);
	return v[n / 2];
}

/* The seccomp(SECCOMP_SET_MODE_FILTER) call alone, in a fresh child (a filter stays for
 * good): ns, through a pipe. */
static long long load_alone(const struct rt_seccomp_bpf *prog)
{
	int p[2];
	long long d = -1;

	if (pipe(p) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		long long t0 = now_ns();
		if (rt_seccomp_load(prog) < 0)
			_exit(1);
		d = now_ns() - t0;
		_exit(write(p[1], &d, sizeof(d)) == sizeof(d) ? 0 : 1);
	}
	close(p[1]);
	if (read(p[0], &d, sizeof(d)) != sizeof(d))
		d = -1;
	close(p[0]);
	waitpid(pid, NULL, 0);
	return d;
}

/* fork, (load), exec /bin/true, wait: ns */
static long long spawn_true(const struct rt_seccomp_bpf *prog)
{
	long long t0 = now_ns();
	pid_t pid = fork();

	if (pid == 0) {
		if (prog && rt_seccomp_load(prog) < 0)
			_exit(2);
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	int st;
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		return -1;
	return now_ns() - t0;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 200;
	char dir[] = "/tmp/nr-seccomp-cost.XXXXXX";
	struct nr_error err = { 0 };
	struct rt_seccomp_bpf *prog = NULL;
	struct rt_seccomp_env env;
	const uint64_t caps = 0xa80425fbULL; /* Docker's default 14 */
	long long *with = calloc((size_t)n, sizeof(long long)), *without = calloc((size_t)n, sizeof(long long));

	if (n < 1 || !with || !without || !mkdtemp(dir))
		return 1;
	setenv("NETNS_RUN_STATE_DIR", dir, 1);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	rt_seccomp_env_host(caps, &env);
	for (int i = 0; i < 20 && i < n; i++) {
		long long t0 = now_ns();
		if (rt_seccomp_compile(rt_seccomp_default_json, __builtin_strlen(rt_seccomp_default_json), &env, &prog,
				       &err) < 0) {
			fprintf(stderr, "seccomp-cost: %s\n", err.msg);
			return 1;
		}
		with[i] = now_ns() - t0;
		free(prog);
	}
	printf("%-44s %8lld us\n", "compile Docker's default profile (miss)", median(with, n < 20 ? n : 20) / 1000);
	if (rt_seccomp_prepare(NULL, caps, &prog, &err) < 0)
		return 1;
	free(prog);
	for (int i = 0; i < n; i++) {
		long long t0 = now_ns();
		if (rt_seccomp_prepare(NULL, caps, &prog, &err) < 0)
			return 1;
		with[i] = now_ns() - t0;
		free(prog);
	}
	printf("%-44s %8lld us\n", "read the compiled filter back (cache hit)", median(with, n) / 1000);
	rt_seccomp_prepare(NULL, caps, &prog, &err);
	for (int i = 0; i < n; i++)
		if ((with[i] = load_alone(prog)) < 0)
			return 1;
	printf("%-44s %8lld us (%u instructions)\n", "seccomp() loading it (the kernel's share)",
	       median(with, n) / 1000, prog->n);
	for (int i = 0; i < n; i++) {
		with[i] = spawn_true(prog);
		without[i] = spawn_true(NULL);
		if (with[i] < 0 || without[i] < 0)
			return 1;
	}
	printf("%-44s %8lld us\n", "fork+exec true, filter loaded", median(with, n) / 1000);
	printf("%-44s %8lld us\n", "fork+exec true, no filter", median(without, n) / 1000);
	free(prog);
	free(with);
	free(without);
	rt_rm_rf(dir);
	return 0;
}
