/* `netns-run exec NAME CMD`: join a running container's namespaces and cgroups and run
 * CMD there with the container's environment and security settings. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup_json.h"
#include "child.h"
#include "base/cleanup.h"
#include "ctr.h"
#include "base/json_field.h"
#include "rt.h"
#include "state.h"

static const char usage[] =
	"Usage: netns-run exec [OPTIONS] NAME COMMAND [ARG...]\n"
	"\n"
	"Run COMMAND inside the running container NAME (its namespaces, cgroups, capabilities).\n"
	"\n"
	"  -e, --env K=V | K     set a variable (repeatable)\n"
	"  -w, --workdir DIR     working directory inside\n"
	"  -u, --user UID[:GID]  run as this user\n"
	"  -h, --help            this help\n";

/* A container with --userns: enter its user namespace first (the others belong to it),
 * as its root, once the cgroups, which need host root, are joined. */
static int join_userns(pid_t pid, struct nr_error *err)
{
	char path[64];
	struct stat ours, theirs;
	_cleanup_close_ int fd = -1;

	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	if (stat(path, &theirs) < 0 || stat("/proc/self/ns/user", &ours) < 0)
		return nr_error_set(err, CNI_ERR_UNKNOWN_CONTAINER, errno, "cannot read %s: %s", path, strerror(errno));
	if (ours.st_ino == theirs.st_ino && ours.st_dev == theirs.st_dev)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWUSER) < 0 || setresgid(0, 0, 0) < 0 || setgroups(0, NULL) < 0 ||
	    setresuid(0, 0, 0) < 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, errno, "cannot join the user namespace: %s", strerror(errno));
	return 0;
}

static int join(pid_t pid, unsigned long long start, const struct cgroup_set *cg, struct nr_error *err)
{
	static const struct {
		const char *name;
		int type;
	} ns[] = {{"cgroup", CLONE_NEWCGROUP}, {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS},
		  {"net", CLONE_NEWNET},       {"pid", CLONE_NEWPID}, {"mnt", CLONE_NEWNS}};
	int fds[6];
	int r = 0;

	/* Open all first: once in the container's mount namespace, /proc is the container's. */
	for (size_t i = 0; i < 6; i++) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns[i].name);
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0 && r == 0)
			r = nr_error_set(err, CNI_ERR_UNKNOWN_CONTAINER, errno, "cannot open %s: %s", path,
					 strerror(errno));
	}
	if (r == 0 && !pid_is(pid, start))
		r = nr_error_set(err, CNI_ERR_UNKNOWN_CONTAINER, ESRCH, "the container stopped");
	if (r == 0 && cg)
		r = cgroup_attach(cg, 0, CG_JOIN_ALL, err);
	if (r == 0)
		r = join_userns(pid, err);
	for (size_t i = 0; r == 0 && i < 6; i++)
		if (setns(fds[i], ns[i].type) < 0)
			r = nr_error_set(err, CNI_ERR_INTERNAL, errno, "cannot join the %s namespace: %s", ns[i].name,
					 strerror(errno));
	for (size_t i = 0; i < 6; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return r;
}

/* LeakSanitizer's check at exit reads /proc/self and stops the process with a tracer
 * task it clones: once joined to the container's mount and pid namespaces this process
 * has neither (the container's /proc does not show it; the tracer would be born in the
 * container's pid namespace), and the check hangs.  A sanitized build checks for leaks
 * here instead, before the join; the check at exit is then skipped. */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
static void leak_check_before_join(void)
{
	__lsan_do_leak_check();
}
#else
static void leak_check_before_join(void)
{
}
#endif

int cmd_exec(int argc, char **argv)
{
	static const struct option longopts[] = {{"env", required_argument, NULL, 'e'},
						 {"workdir", required_argument, NULL, 'w'},
						 {"user", required_argument, NULL, 'u'},
						 {"help", no_argument, NULL, 'h'},
						 {0}};
	struct run_opts o = {0};
	struct nr_error err = {0};
	_cleanup_json_ json_t *st = NULL;
	int c, status;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:e:w:u:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'e':
			if (o.n_env < sizeof(o.env) / sizeof(o.env[0]))
				o.env[o.n_env++] = optarg;
			break;
		case 'w':
			o.workdir = optarg;
			break;
		case 'u':
			o.user = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fprintf(stderr, "netns-run exec: bad option %s (see --help)\n", argv[optind - 1]);
			return RT_EXIT_RUNTIME;
		}
	}
	if (argc - optind < 2) {
		fprintf(stderr, "netns-run exec: expected NAME COMMAND [ARG...] (see --help)\n");
		return RT_EXIT_RUNTIME;
	}
	const char *name = argv[optind];
	o.argv = argv + optind + 1;
	if (state_load(name, &st, &err) < 0) {
		rt_print_error(&err);
		return RT_EXIT_RUNTIME;
	}
	if (strcmp(state_str(st, "status"), "running") || !state_init_alive(st)) {
		fprintf(stderr, "netns-run: container %s is not running\n", name);
		return RT_EXIT_RUNTIME;
	}
	json_t *env = json_deep_copy(json_object_get(st, "env"));
	if (!env)
		env = json_array();
	env_extend(env, &o);
	char **envp = env_from_json(env);
	json_decref(env);
	if (!o.user && *state_str(st, "user"))
		o.user = state_str(st, "user");
	_cleanup_cgroup_set_ struct cgroup_set *cg = cgroup_set_from_json(json_object_get(st, "cgroup"));
	leak_check_before_join();
	if (join((pid_t)state_int(st, "pid"), (unsigned long long)state_int(st, "pid_start"), cg, &err) < 0) {
		rt_print_error(&err);
		env_free(envp);
		return RT_EXIT_RUNTIME;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "netns-run: fork: %s\n", strerror(errno));
		return RT_EXIT_RUNTIME;
	}
	if (pid == 0) {
		if (security_apply(&err) < 0) {
			rt_print_error(&err);
			_exit(RT_EXIT_RUNTIME);
		}
		exec_command(&o, envp);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return RT_EXIT_RUNTIME;
	env_free(envp);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
