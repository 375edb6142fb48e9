/* ps, inspect, stop, rm: reading and ending containers from their records. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup_json.h"
#include "base/cleanup.h"
#include "ctr.h"
#include "base/json_field.h"
#include "net.h"
#include "rt.h"
#include "state.h"

/* Shared option loop for the small verbs: -h prints usage; unknown options are 125. */
static int small_opts(int argc, char **argv, const char *usage, const char *optstr, const struct option *extra,
		      int (*on_opt)(int c, const char *arg, void *ctx), void *ctx, int min_args)
{
	struct option longopts[8] = {{"help", no_argument, NULL, 'h'}};
	int c, n = 1;

	for (const struct option *o = extra; o && o->name && n < 7; o++)
		longopts[n++] = *o;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, optstr, longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			return 0;
		}
		if (c == '?' || c == ':' || !on_opt || on_opt(c, optarg, ctx) < 0) {
			fprintf(stderr, "netns-run %s: bad option %s (see --help)\n", argv[0], argv[optind - 1]);
			return -RT_EXIT_RUNTIME;
		}
	}
	if (argc - optind < min_args) {
		fprintf(stderr, "netns-run %s: missing arguments (see --help)\n", argv[0]);
		return -RT_EXIT_RUNTIME;
	}
	return 1;
}

static int pidfd_of(pid_t pid, unsigned long long start)
{
	int fd;

	if (!pid_is(pid, start))
		return -ESRCH;
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return -errno;
	/* The pid could have been reused between the check and the open. */
	if (!pid_is(pid, start)) {
		close(fd);
		return -ESRCH;
	}
	return fd;
}

static bool wait_fd(int fd, int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int r;

	while ((r = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
		;
	return r > 0;
}

/* Without pidfds (valgrind, old kernels): signal by pid, which pid_is has just checked,
 * and look again every 10 ms until the time is up. */
static int signal_wait_by_pid(pid_t pid, unsigned long long start, int sig, int timeout_ms)
{
	if (!pid_is(pid, start))
		return 0;
	if (kill(pid, sig) < 0 && errno != ESRCH)
		return -errno;
	for (int waited = 0; waited < timeout_ms; waited += 10) {
		if (!pid_is(pid, start))
			return 0;
		usleep(10000);
	}
	return pid_is(pid, start) ? -ETIMEDOUT : 0;
}

int ctr_signal_wait(json_t *st, int sig, int timeout_ms)
{
	pid_t pid = (pid_t)state_int(st, "pid");
	unsigned long long start = (unsigned long long)state_int(st, "pid_start");
	_cleanup_close_ int fd = pidfd_of(pid, start);

	if (fd == -ESRCH)
		return 0;
	if (fd < 0)
		return signal_wait_by_pid(pid, start, sig, timeout_ms);
	if (syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) < 0 && errno != ESRCH)
		return -errno;
	return wait_fd(fd, timeout_ms) ? 0 : -ETIMEDOUT;
}

/* The monitor tears down after the init ends; give it a bounded time to finish. */
static void wait_monitor(json_t *st, int timeout_ms)
{
	pid_t pid = (pid_t)state_int(st, "monitor");
	unsigned long long start = (unsigned long long)state_int(st, "monitor_start");
	_cleanup_close_ int fd = pidfd_of(pid, start);

	if (fd >= 0)
		wait_fd(fd, timeout_ms);
	else if (fd != -ESRCH)
		signal_wait_by_pid(pid, start, 0, timeout_ms);
}

static const char *status_of(json_t *st, char *buf, size_t len)
{
	const char *s = state_str(st, "status");

	if (!strcmp(s, "exited")) {
		if (!json_object_get(st, "exit_code"))
			return "exited (?)"; /* its netns-run was killed: nobody saw the status */
		snprintf(buf, len, "exited (%lld)%s", state_int(st, "exit_code"),
			 json_is_true(json_object_get(st, "oom")) ? " oom" : "");
		return buf;
	}
	if (!state_init_alive(st))
		return "dead";
	return s;
}

struct ps_ctx {
	bool all;
};

static int ps_opt(int c, const char *arg, void *ctx)
{
	(void)arg;
	if (c != 'a')
		return -1;
	((struct ps_ctx *)ctx)->all = true;
	return 0;
}

int cmd_ps(int argc, char **argv)
{
	static const struct option extra[] = {{"all", no_argument, NULL, 'a'}, {0}};
	struct ps_ctx ctx = {0};
	struct nr_error err = {0};
	char **names = NULL;
	int r = small_opts(argc, argv,
			   "Usage: netns-run ps [-a]\n\nList running containers: name, id, init pid, network, addresses,\n"
			   "state, and current memory, cpu and task use.\n\n  -a, --all   also exited ones\n",
			   "+ha", extra, ps_opt, &ctx, 0);

	if (r <= 0)
		return -r;
	if (state_names(&names, &err) < 0) {
		rt_print_error(&err);
		return RT_EXIT_RUNTIME;
	}
	printf("%-16s %-12s %-8s %-18s %-20s %-14s %-9s %-8s %s\n", "NAME", "ID", "PID", "NETWORK", "ADDRESSES",
	       "STATE", "MEM", "CPU", "PIDS");
	for (char **p = names; *p; p++) {
		_cleanup_json_ json_t *st = NULL;
		char id[13], addrs[256] = "", sbuf[64], mem[32] = "-", cpu[32] = "-", pids[16] = "-";
		size_t used = 0, i;
		json_t *v, *net;
		if (state_load(*p, &st, NULL) < 0)
			continue;
		bool running = strcmp(state_str(st, "status"), "exited") && state_init_alive(st);
		if (!ctx.all && !running)
			continue;
		snprintf(id, sizeof(id), "%s", state_str(st, "id"));
		json_array_foreach(json_object_get(st, "addresses"), i, v)
			used += snprintf(addrs + used, used < sizeof(addrs) ? sizeof(addrs) - used : 0, "%s%s",
					 i ? "," : "", json_string_value(v));
		net = json_object_get(st, "network");
		if (running && json_object_get(st, "cgroup")) {
			long long m, c, n;
			_cleanup_cgroup_set_ struct cgroup_set *cg = cgroup_set_from_json(json_object_get(st, "cgroup"));
			cgroup_usage(cg, &m, &c, &n);
			if (m >= 0)
				snprintf(mem, sizeof(mem), "%.1fMiB", m / 1048576.0);
			if (c >= 0)
				snprintf(cpu, sizeof(cpu), "%.2fs", c / 1e9);
			if (n >= 0)
				snprintf(pids, sizeof(pids), "%lld", n);
		}
		char netname[80];
		snprintf(netname, sizeof(netname), "%s%s%s",
			 !strcmp(state_str(net, "mode"), "container") ? "container:" : "",
			 !strcmp(state_str(net, "mode"), "container") ? state_str(net, "owner")
			 : *state_str(net, "name")			    ? state_str(net, "name")
									    : state_str(net, "mode"),
			 "");
		printf("%-16s %-12s %-8lld %-18s %-20s %-14s %-9s %-8s %s\n", *p, id, running ? state_int(st, "pid") : 0,
		       netname, used ? addrs : "-", status_of(st, sbuf, sizeof(sbuf)), mem, cpu, pids);
	}
	state_names_free(names);
	return 0;
}

int cmd_inspect(int argc, char **argv)
{
	struct nr_error err = {0};
	_cleanup_json_ json_t *st = NULL;
	struct net_plan plan = {0};
	int r = small_opts(argc, argv,
			   "Usage: netns-run inspect NAME\n\nPrint the container's record as JSON, with its current\n"
			   "resource use, its network result from the CNI cache, and the outcome of the plugins'\n"
			   "CHECK while it runs.\n",
			   "+h", NULL, NULL, NULL, 1);

	if (r <= 0)
		return -r;
	const char *name = argv[optind];
	if (state_load(name, &st, &err) < 0) {
		rt_print_error(&err);
		return RT_EXIT_RUNTIME;
	}
	bool running = strcmp(state_str(st, "status"), "exited") && state_init_alive(st);
	json_object_set_new(st, "running", json_boolean(running));
	if (running && json_object_get(st, "cgroup")) {
		long long m, c, n;
		_cleanup_cgroup_set_ struct cgroup_set *cg = cgroup_set_from_json(json_object_get(st, "cgroup"));
		cgroup_usage(cg, &m, &c, &n);
		json_object_set_new(st, "usage", json_pack("{s:I, s:I, s:I}", "memory_bytes", (json_int_t)m, "cpu_ns",
							   (json_int_t)c, "pids", (json_int_t)n));
	}
	if (net_plan_from_state(st, &plan, &err) >= 0) {
		_cleanup_result_ struct cni_result *res = NULL;
		if (net_result(&plan, state_str(st, "id"), &res, NULL) >= 0 && res)
			json_object_set_new(st, "network_result",
					    cni_result_to_json(res, plan.conf ? plan.conf->cni_version : "1.1.0"));
		if (running && plan.conf) {
			struct nr_error ce = {0};
			r = net_check(&plan, state_str(st, "id"), state_str(st, "netns_path"), &ce);
			json_object_set_new(st, "check", r < 0 ? json_string(ce.msg) : json_string("ok"));
		}
		net_plan_clear(&plan);
	}
	char *text = json_dumps(st, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (text)
		puts(text);
	free(text);
	return 0;
}

struct stop_ctx {
	int timeout;
	bool force;
};

static int stop_opt(int c, const char *arg, void *vctx)
{
	struct stop_ctx *ctx = vctx;
	char *end;

	if (c == 'f') {
		ctx->force = true;
		return 0;
	}
	if (c != 't')
		return -1;
	ctx->timeout = (int)strtol(arg, &end, 10);
	return *end || ctx->timeout < 0 ? -1 : 0;
}

/* End the container (TERM, then KILL after timeout s) and wait for its teardown. */
static int stop_one(const char *name, int timeout, struct nr_error *err)
{
	_cleanup_json_ json_t *st = NULL;
	int r;

	if ((r = state_load(name, &st, err)) < 0)
		return r;
	if (ctr_signal_wait(st, SIGTERM, timeout * 1000) == -ETIMEDOUT)
		ctr_signal_wait(st, SIGKILL, 10000);
	wait_monitor(st, 15000);
	/* A monitor that was killed leaves the teardown to us. */
	gc_reconcile(false, NULL);
	return 0;
}

int cmd_stop(int argc, char **argv)
{
	static const struct option extra[] = {{"time", required_argument, NULL, 't'}, {0}};
	struct stop_ctx ctx = {.timeout = 10};
	struct nr_error err = {0};
	int r = small_opts(argc, argv,
			   "Usage: netns-run stop [-t SECONDS] NAME...\n\nSend SIGTERM to the container's init (which "
			   "passes it to the command),\nSIGKILL after -t seconds (default 10), and wait until its network "
			   "and\ncgroups are gone.\n",
			   "+ht:", extra, stop_opt, &ctx, 1);
	int status = 0;

	if (r <= 0)
		return -r;
	for (int i = optind; i < argc; i++) {
		if (stop_one(argv[i], ctx.timeout, &err) < 0) {
			rt_print_error(&err);
			status = RT_EXIT_RUNTIME;
			continue;
		}
		printf("%s\n", argv[i]);
	}
	return status;
}

int cmd_rm(int argc, char **argv)
{
	static const struct option extra[] = {{"force", no_argument, NULL, 'f'}, {0}};
	struct stop_ctx ctx = {0};
	struct nr_error err = {0};
	int r = small_opts(argc, argv,
			   "Usage: netns-run rm [-f] NAME...\n\nRemove stopped containers: their record and writable "
			   "layer.\n\n  -f, --force   kill a running one first, and remove the record even when\n"
			   "                the network's DEL fails (saying so)\n",
			   "+hf", extra, stop_opt, &ctx, 1);
	int status = 0;

	if (r <= 0)
		return -r;
	for (int i = optind; i < argc; i++) {
		_cleanup_json_ json_t *st = NULL;
		const char *name = argv[i];
		if (state_load(name, &st, &err) < 0) {
			rt_print_error(&err);
			status = RT_EXIT_RUNTIME;
			continue;
		}
		if (strcmp(state_str(st, "status"), "exited") && state_init_alive(st)) {
			if (!ctx.force) {
				fprintf(stderr,
					"netns-run: container %s is running: stop it first, or use rm -f\n", name);
				status = RT_EXIT_RUNTIME;
				continue;
			}
			ctr_signal_wait(st, SIGKILL, 10000);
		}
		wait_monitor(st, 15000);
		int lock = state_lock(&err);
		if (lock < 0) {
			rt_print_error(&err);
			return RT_EXIT_RUNTIME;
		}
		json_decref(st);
		st = NULL;
		r = state_load(name, &st, &err);
		if (r >= 0)
			r = ctr_teardown(name, st, true, &err);
		if (r < 0 && ctx.force && st) {
			/* -f removes the record even when a plugin cannot DEL (say it was
			 * uninstalled): say what may be left, then forget it. */
			fprintf(stderr, "netns-run: warning: %s: %s; removing it anyway\n", name, err.msg);
			json_object_set_new(st, "net_done", json_true());
			r = ctr_teardown(name, st, true, &err);
		}
		close(lock);
		if (r < 0 && err.code != CNI_ERR_UNKNOWN_CONTAINER) {
			rt_print_error(&err);
			status = RT_EXIT_RUNTIME;
			continue;
		}
		printf("%s\n", name);
	}
	return status;
}
