/* cni-time: run one CNI plugin N times and print, per run, its wall time, CPU time and peak
 * RSS, measured around posix_spawn .. wait4 so that no shell fork or clock process is counted.
 * wait4's rusage covers the plugin and every child it waited for (IPAM, iptables), so the
 * figures are those of the whole invocation, as a runtime sees it.
 *
 * Usage: cni-time CMD N NETNS_PREFIX PLUGIN CONF_FILE [ARG...]
 *   Run i (0..N-1) gets CNI_CONTAINERID=bench-<i> and CNI_NETNS=<NETNS_PREFIX><i>; the
 *   rest of the CNI environment (CNI_IFNAME, CNI_PATH) is inherited.  stdin is CONF_FILE.
 *   ARGs are passed to PLUGIN (a CNI plugin takes none; bench/floor takes its network).
 * Output: one line per run, "wall_us cpu_us maxrss_kB".  A failing run prints the plugin's
 * output to stderr and ends the program with status 1. */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static long long now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static long long tv_us(struct timeval tv)
{
	return tv.tv_sec * 1000000LL + tv.tv_usec;
}

/* A memfd holding the whole of PATH: stdin for every run, rewound before each. */
static int load_conf(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	int fd = memfd_create("cni-conf", 0);
	char buf[4096];
	size_t n;
	while (fd >= 0 && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (write(fd, buf, n) != (ssize_t)n) {
			close(fd);
			fd = -1;
		}
	fclose(f);
	return fd;
}

static void dump_output(int fd)
{
	char buf[4096];
	ssize_t n;
	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, n, stderr);
	fputc('\n', stderr);
}

int main(int argc, char **argv)
{
	if (argc < 6) {
		fprintf(stderr, "usage: %s CMD N NETNS_PREFIX PLUGIN CONF_FILE [ARG...]\n", argv[0]);
		return 2;
	}
	const char *cmd = argv[1], *prefix = argv[3], *plugin = argv[4];
	int n = atoi(argv[2]);
	int in = load_conf(argv[5]);
	int out = memfd_create("cni-out", 0);
	if (in < 0 || out < 0) {
		fprintf(stderr, "cni-time: %s: %s\n", argv[5], strerror(errno));
		return 2;
	}

	/* The child's environment: ours minus the CNI variables set per run, plus those. */
	size_t nenv = 0;
	while (environ[nenv])
		nenv++;
	char **env = calloc(nenv + 4, sizeof(*env));
	char ev_cmd[64], ev_id[64], ev_ns[4096];
	size_t k = 0;
	for (size_t i = 0; i < nenv; i++)
		if (strncmp(environ[i], "CNI_COMMAND=", 12) && strncmp(environ[i], "CNI_CONTAINERID=", 16) &&
		    strncmp(environ[i], "CNI_NETNS=", 10))
			env[k++] = environ[i];
	env[k++] = ev_cmd;
	env[k++] = ev_id;
	env[k++] = ev_ns;
	snprintf(ev_cmd, sizeof(ev_cmd), "CNI_COMMAND=%s", cmd);

	/* The child's argv: PLUGIN ARG... NULL, in place of CONF_FILE ARG... NULL (loaded above). */
	char **child_argv = argv + 5;
	child_argv[0] = (char *)plugin;

	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in, 0);
	posix_spawn_file_actions_adddup2(&fa, out, 1);

	for (int i = 0; i < n; i++) {
		snprintf(ev_id, sizeof(ev_id), "CNI_CONTAINERID=bench-%d", i);
		snprintf(ev_ns, sizeof(ev_ns), "CNI_NETNS=%s%d", prefix, i);
		/* The memfds' offsets are shared with the child: rewind both before it starts. */
		lseek(in, 0, SEEK_SET);
		lseek(out, 0, SEEK_SET);
		if (ftruncate(out, 0) < 0)
			return 2;

		struct rusage ru;
		int status;
		pid_t pid;
		long long t0 = now_us();
		int r = posix_spawn(&pid, plugin, &fa, NULL, child_argv, env);
		if (r) {
			fprintf(stderr, "cni-time: %s: %s\n", plugin, strerror(r));
			return 2;
		}
		if (wait4(pid, &status, 0, &ru) < 0)
			return 2;
		long long t1 = now_us();
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "cni-time: %s %s run %d failed (status %#x):\n", plugin, cmd, i, status);
			dump_output(out);
			return 1;
		}
		printf("%lld %lld %ld\n", t1 - t0, tv_us(ru.ru_utime) + tv_us(ru.ru_stime), ru.ru_maxrss);
	}
	return 0;
}
