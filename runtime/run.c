/* `netns-run run`: this process stays as the container's monitor — it creates the
 * container, networks it before the command starts, forwards signals, waits, and tears
 * everything down when the command ends.  With -d it does so in the background. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup_json.h"
#include "child.h"
#include "base/cleanup.h"
#include "ctr.h"
#include "base/fdio.h"
#include "base/json_field.h"
#include "nl/link.h"
#include "nl/netns.h"
#include "nl/nlsock.h"
#include "net.h"
#include "rt.h"
#include "state.h"
#include "userns.h"

/* The kernel's struct clone_args, version 2 (glibc does not export it). */
struct clone_args_v2 {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup;
};
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

struct run {
	struct run_opts o;
	char id[RT_ID_LEN + 1];
	char name[RT_NAME_MAX];
	char dir[512];
	const char *hostname;
	struct net_plan net;
	json_t *st;
	char **envp;
	int join_fd;
	pid_t pid;
	int pidfd;
	int status_rd; /* the init writes the command's exit status here before it exits */
	int notify_fd; /* -d: tells the waiting CLI how the start went */
	int layer_sock; /* --userns: our end of the socket the idmapped layers go through */
	bool created;  /* the container directory is ours to remove on failure */
	bool net_added; /* ADD succeeded: a failed start must DEL (a failed ADD undid itself) */
};

static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};

static int save(struct run *c, struct nr_error *err)
{
	return state_save(c->name, c->st, err);
}

static int check_inputs(const struct run_opts *o, struct nr_error *err)
{
	struct stat s;

	for (size_t i = 0; i < o->n_rootfs; i++)
		if (o->rootfs[i][0] != '/' || stat(o->rootfs[i], &s) < 0 || !S_ISDIR(s.st_mode))
			return nr_error_set(err, CNI_ERR_INVALID_CONFIG, ENOENT,
					    "--rootfs %s: not an absolute path to a directory", o->rootfs[i]);
	for (size_t i = 0; i < o->n_vols; i++)
		if (stat(o->vols[i].host, &s) < 0)
			return nr_error_set(err, CNI_ERR_INVALID_CONFIG, errno, "-v %s: %s", o->vols[i].host,
					    strerror(errno));
	return 0;
}

/* Reserve the name and create the container directory, under the state lock. */
static int create(struct run *c, struct nr_error *err)
{
	_cleanup_close_ int lock = -1;
	char p[600];
	int r;

	if ((r = rt_random_id(c->id)) < 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, r, "cannot make an id: %s", strerror(-r));
	snprintf(c->name, sizeof(c->name), "%s", c->o.name[0] ? c->o.name : c->id);
	if (!c->o.name[0])
		c->name[12] = '\0';
	c->hostname = c->o.hostname ? c->o.hostname : c->name;
	if ((r = check_inputs(&c->o, err)) < 0)
		return r;
	if ((lock = state_lock(err)) < 0)
		return lock;
	rt_ctr_path(c->dir, sizeof(c->dir), c->name, NULL);
	if (access(c->dir, F_OK) == 0)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EEXIST,
				    "the container name %s is already in use (remove it with `netns-run rm %s`)", c->name,
				    c->name);
	if ((r = net_plan_make(c->o.net, &c->net, err)) < 0)
		return r;
	if (c->net.owner[0]) {
		c->join_fd = open(rt_ctr_path(p, sizeof(p), c->net.owner, "netns"), O_RDONLY | O_CLOEXEC);
		if (c->join_fd < 0)
			return nr_error_set(err, CNI_ERR_UNKNOWN_CONTAINER, errno, "--net=%s: %s", c->o.net,
					    strerror(errno));
	}
	/* 0711: a container's root in a user namespace must reach its layers and files. */
	if (mkdir(c->dir, 0711) < 0)
		return nr_error_set(err, CNI_ERR_IO, errno, "cannot create %s: %s", c->dir, strerror(errno));
	c->created = true;
	static const char *const sub[] = {"upper", "work", "merged"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/%s", c->dir, sub[i]);
		if (mkdir(p, 0755) < 0)
			return nr_error_set(err, CNI_ERR_IO, errno, "cannot create %s: %s", p, strerror(errno));
	}
	json_t *env_json = NULL;
	c->envp = env_build(&c->o, c->hostname, &env_json);
	json_t *argv = json_array();
	for (char **a = c->o.argv; *a; a++)
		json_array_append_new(argv, json_string(*a));
	c->st = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:b, s:o, s:o, s:o, s:I, s:s}", "id", c->id, "name",
			  c->name, "status", "created", "hostname", c->hostname, "monitor", (json_int_t)getpid(),
			  "monitor_start", (json_int_t)pid_start_time(getpid()), "rm", c->o.rm, "network",
			  net_plan_to_json(&c->net), "argv", argv, "env", env_json, "created",
			  (json_int_t)time(NULL), "user", c->o.user ? c->o.user : "");
	if (!c->st || !c->envp)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	if (c->o.userns_base)
		json_object_set_new(c->st, "userns", json_pack("{s:I, s:I}", "base", (json_int_t)c->o.userns_base, "count",
							       (json_int_t)c->o.userns_count));
	if (c->o.ports)
		json_object_set_new(c->st, "capability_args", json_pack("{s:O}", "portMappings", c->o.ports));
	return save(c, err);
}

static int start_child(struct run *c, int go_rd, int err_wr, int status_wr, struct nr_error *err)
{
	_cleanup_cgroup_set_ struct cgroup_set *cg = cgroup_set_from_json(json_object_get(c->st, "cgroup"));
	struct child_cfg cfg = {
		.o = &c->o,
		.ctr_dir = c->dir,
		.hostname = c->hostname,
		.join_netns_fd = c->join_fd,
		.go_fd = go_rd,
		.err_fd = err_wr,
		.status_fd = status_wr,
		.envp = c->envp,
		.cgroup = cg,
		.fd_sock = -1,
	};
	int sp[2] = {-1, -1};
	uint64_t flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_PIDFD;
	struct clone_args_v2 ca = {.pidfd = (uint64_t)(uintptr_t)&c->pidfd, .exit_signal = SIGCHLD};
	_cleanup_close_ int cgfd = cgroup_unified_fd(cfg.cgroup);
	pid_t pid;

	if (!strcmp(c->net.mode, "none") || !strcmp(c->net.mode, "cni"))
		flags |= CLONE_NEWNET;
	if (c->o.userns_base) {
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
			return nr_error_set(err, CNI_ERR_INTERNAL, errno, "socketpair: %s", strerror(errno));
		flags |= CLONE_NEWUSER;
		cfg.fd_sock = sp[1];
		c->layer_sock = sp[0];
	}
	ca.flags = flags;
	if (cgfd >= 0) {
		ca.flags |= CLONE_INTO_CGROUP;
		ca.cgroup = (uint64_t)cgfd;
		cfg.in_unified = true;
	}
	fflush(NULL);
	pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid < 0 && cgfd >= 0) { /* before Linux 5.7: join by moving instead */
		ca.flags &= ~CLONE_INTO_CGROUP;
		ca.cgroup = 0;
		cfg.in_unified = false;
		pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
	}
	if (pid < 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, errno, "cannot create the container's namespaces: %s",
				    strerror(errno));
	if (pid == 0)
		child_main(&cfg);
	if (sp[1] >= 0)
		close(sp[1]);
	c->pid = pid;
	return 0;
}

static int bind_netns(struct run *c, struct nr_error *err)
{
	char src[64], dst[600];
	int fd;

	rt_ctr_path(dst, sizeof(dst), c->name, "netns");
	fd = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return nr_error_set(err, CNI_ERR_IO, errno, "cannot create %s: %s", dst, strerror(errno));
	close(fd);
	snprintf(src, sizeof(src), "/proc/%d/ns/net", (int)c->pid);
	if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
		return nr_error_set(err, CNI_ERR_IO, errno, "cannot bind-mount the network namespace on %s: %s", dst,
				    strerror(errno));
	return 0;
}

static int lo_up(void *arg, struct nr_error *err)
{
	_cleanup_nlsock_ struct nlsock *s = NULL;
	int r = nlsock_open(&s, err);

	(void)arg;
	return r < 0 ? r : link_set_up(s, "lo", true, err);
}

/* The addresses of a result, for ps and inspect. */
static json_t *addresses(const struct cni_result *res)
{
	json_t *a = json_array();

	for (size_t i = 0; res && a && i < res->n_ips; i++)
		json_array_append_new(a, json_string(res->ips[i].address));
	return a;
}

static int network_up(struct run *c, struct nr_error *err)
{
	_cleanup_result_ struct cni_result *res = NULL;
	char netns[600], owner_ns[600];
	const char *path = "";
	int r;

	if (!strcmp(c->net.mode, "none") || !strcmp(c->net.mode, "cni")) {
		if ((r = bind_netns(c, err)) < 0)
			return r;
		path = rt_ctr_path(netns, sizeof(netns), c->name, "netns");
		/* A network's chain configures its own interface; loopback is the runtime's, as
		 * with podman and docker (for none, the none plugin does it). */
		if (!strcmp(c->net.mode, "cni") && (r = netns_run_path(path, lo_up, NULL, err)) < 0)
			return nr_error_wrap(err, r, "bringing up lo");
	} else if (!strcmp(c->net.mode, "container")) {
		path = rt_ctr_path(owner_ns, sizeof(owner_ns), c->net.owner, "netns");
	} else {
		/* host: the plugin's own namespace is the one we share. */
		path = "/proc/self/ns/net";
	}
	json_object_set_new(c->st, "netns_path", json_string(path));
	r = net_add(&c->net, c->id, path, json_object_get(c->st, "capability_args"), &res, err);
	if (r < 0)
		return nr_error_wrap(err, r, "network %s", c->net.conf ? c->net.conf->name : c->net.mode);
	c->net_added = true;
	if (!res && !strcmp(c->net.mode, "container")) {
		/* Without plugins/container, show the owner's own result. */
		_cleanup_json_ json_t *ost = NULL;
		struct net_plan op;
		if (state_load(c->net.owner, &ost, NULL) >= 0 && net_plan_from_state(ost, &op, NULL) >= 0) {
			net_result(&op, state_str(ost, "id"), &res, NULL);
			net_plan_clear(&op);
		}
	}
	json_object_set_new(c->st, "addresses", addresses(res));
	return etc_write(c->dir, c->hostname, !strcmp(c->net.mode, "host"), res, err);
}

/* Wait for the child's setup: EOF on the error pipe means it is running the command. */
static int wait_setup(int err_rd, struct nr_error *err)
{
	_cleanup_free_ char *msg = NULL;
	size_t len = 0;
	int r = fd_read_all(err_rd, 4096, &msg, &len);

	if (r < 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, r, "lost the container during its setup: %s", strerror(-r));
	if (len > 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, EIO, "%s", msg);
	return 0;
}

static int child_status(struct run *c)
{
	int st;

	while (waitpid(c->pid, &st, 0) < 0)
		if (errno != EINTR)
			return RT_EXIT_RUNTIME;
	c->pid = 0;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Forward signals to the init until the command ends; returns its exit status.  The
 * init reports it before exiting, so the network's DEL can run while the kernel takes
 * the container's namespaces down; c->pid is then still to be reaped (child_status).
 * An init that died without a word (SIGKILL) is waited for through its pidfd. */
static int supervise(struct run *c, int sfd)
{
	struct pollfd p[3] = {{.fd = c->pidfd, .events = POLLIN},
			      {.fd = sfd, .events = POLLIN},
			      {.fd = c->status_rd, .events = POLLIN}};

	for (;;) {
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[2].revents) {
			int status;
			if (read(c->status_rd, &status, sizeof(status)) == (ssize_t)sizeof(status))
				return status;
			p[2].fd = -1; /* EOF: the init is gone without a status */
		}
		if (p[0].revents)
			break;
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				syscall(SYS_pidfd_send_signal, c->pidfd, (int)si.ssi_signo, NULL, 0);
		}
	}
	return child_status(c);
}

/* -d: the CLI forks the monitor and waits for one line: "ok" or the error. */
static int detach(struct run *c, struct nr_error *err)
{
	int fds[2];
	pid_t pid;
	char log[600];

	if (pipe2(fds, O_CLOEXEC) < 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, errno, "pipe: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, errno, "fork: %s", strerror(errno));
	if (pid > 0) {
		_cleanup_free_ char *msg = NULL;
		size_t len = 0;
		close(fds[1]);
		fd_read_all(fds[0], 4096, &msg, &len);
		if (msg && !strcmp(msg, "ok")) {
			printf("%s\n", c->name);
			exit(0);
		}
		fprintf(stderr, "netns-run: %s\n", msg && *msg ? msg : "the container did not start");
		exit(RT_EXIT_RUNTIME);
	}
	close(fds[0]);
	c->notify_fd = fds[1];
	setsid();
	/* The container's output and ours go to <dir>/log from now on. */
	snprintf(log, sizeof(log), "%s/log", c->dir);
	int in = open("/dev/null", O_RDONLY | O_CLOEXEC), out = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (in >= 0 && out >= 0) {
		dup2(in, 0);
		dup2(out, 1);
		dup2(out, 2);
	}
	if (in > 2)
		close(in);
	if (out > 2)
		close(out);
	json_object_set_new(c->st, "monitor", json_integer(getpid()));
	json_object_set_new(c->st, "monitor_start", json_integer((json_int_t)pid_start_time(getpid())));
	return save(c, err);
}

static void notify(struct run *c, const char *msg)
{
	if (c->notify_fd < 0)
		return;
	fd_write_all(c->notify_fd, msg, strlen(msg));
	close(c->notify_fd);
	c->notify_fd = -1;
}

/* Everything between "created" and "running"; on failure the caller tears down. */
static int start(struct run *c, struct nr_error *err)
{
	struct cgroup_limits lim = {.memory = c->o.memory, .cpus = c->o.cpus, .pids = c->o.pids,
				    .io_weight = c->o.io_weight};
	_cleanup_cgroup_set_ struct cgroup_set *cg = NULL;
	int go[2] = {-1, -1}, ep[2] = {-1, -1}, sp[2] = {-1, -1};
	int r;

	/* v1 cgroups are made after the clone, while the child builds the first half of its
	 * root; in a user namespace the child cannot join them itself, so they exist before
	 * it does and userns_prepare moves it. */
	bool v1_after_clone;
	if ((r = cgroup_create(c->name, &lim, &cg, err)) < 0)
		return r;
	json_object_set_new(c->st, "cgroup", cgroup_set_to_json(cg));
	v1_after_clone = cgroup_has_v1(cg) && !c->o.userns_base;
	if (cgroup_has_v1(cg) && !v1_after_clone && (r = cgroup_create_v1(cg, err)) < 0)
		return r;
	if (pipe2(go, O_CLOEXEC) < 0 || pipe2(ep, O_CLOEXEC) < 0 || pipe2(sp, O_CLOEXEC) < 0) {
		r = nr_error_set(err, CNI_ERR_INTERNAL, errno, "pipe: %s", strerror(errno));
		goto out;
	}
	if ((r = start_child(c, go[0], ep[1], sp[1], err)) < 0)
		goto out;
	close(go[0]);
	close(ep[1]);
	close(sp[1]);
	c->status_rd = sp[0];
	go[0] = ep[1] = sp[0] = sp[1] = -1;
	/* Limits and device rules before the child may join ('c'), and the /etc files it
	 * bind-mounts after that (filled in after ADD); a child that already failed has
	 * closed the pipe, and its message (wait_setup) says why.  Until the save below,
	 * a killed runtime leaves cgroups that gc finds by the container's name. */
	if ((v1_after_clone && (r = cgroup_create_v1(cg, err)) < 0) || (r = cgroup_configure(cg, &lim, err)) < 0 ||
	    (r = etc_write(c->dir, c->hostname, !strcmp(c->net.mode, "host"), NULL, err)) < 0)
		goto out;
	bool sent = write(go[1], "c", 1) == 1;
	json_object_set_new(c->st, "pid", json_integer(c->pid));
	json_object_set_new(c->st, "pid_start", json_integer((json_int_t)pid_start_time(c->pid)));
	if ((r = save(c, err)) < 0 || (c->o.userns_base && (r = userns_prepare(c->pid, c->dir, &c->o, cg, c->layer_sock, err)) < 0) ||
	    (r = network_up(c, err)) < 0 || (r = save(c, err)) < 0)
		goto out;
	sent = sent && write(go[1], "g", 1) == 1;
	if ((r = wait_setup(ep[0], err)) < 0)
		goto out;
	if (!sent) {
		r = nr_error_set(err, CNI_ERR_INTERNAL, EPIPE, "the container's init went away during setup");
		goto out;
	}
	json_object_set_new(c->st, "status", json_string("running"));
	json_object_set_new(c->st, "started", json_integer((json_int_t)time(NULL)));
	r = save(c, err);
out:
	for (int i = 0; i < 2; i++) {
		if (go[i] >= 0)
			close(go[i]);
		if (ep[i] >= 0)
			close(ep[i]);
		if (sp[i] >= 0)
			close(sp[i]);
	}
	return r;
}

/* A start that failed: stop the child, undo whatever was made, leave nothing. */
static void abort_run(struct run *c)
{
	struct nr_error e = {0};

	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		child_status(c);
	}
	if (c->created && c->st) {
		json_object_set_new(c->st, "rm", json_true());
		if (!c->net_added)
			json_object_set_new(c->st, "net_done", json_true());
	}
	if (c->created && c->st && ctr_teardown(c->name, c->st, true, &e) < 0)
		rt_print_error(&e);
	else if (c->created && !c->st)
		rm_rf(c->dir);
}

int cmd_run(int argc, char **argv)
{
	struct run c = {.join_fd = -1, .pidfd = -1, .status_rd = -1, .notify_fd = -1, .layer_sock = -1};
	struct nr_error err = {0};
	sigset_t mask;
	_cleanup_close_ int sfd = -1;
	int r, status;

	/* A child that gave up closes its pipe; the write must fail, not kill us. */
	signal(SIGPIPE, SIG_IGN);
	r = run_opts_parse(argc, argv, &c.o, &err);
	if (r != 0)
		goto done_parse;
	gc_reconcile(false, NULL);
	if ((r = create(&c, &err)) < 0)
		goto fail;
	if (c.o.detach && (r = detach(&c, &err)) < 0)
		goto fail;
	sigemptyset(&mask);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(&mask, forwarded[i]);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if ((r = start(&c, &err)) < 0)
		goto fail;
	notify(&c, "ok");
	status = supervise(&c, sfd);
	if (c.pid > 0) {
		/* DEL overlaps the init's exit; a failure is reported by ctr_teardown's retry. */
		struct nr_error early = {0};
		ctr_net_down(c.name, c.st, &early);
		child_status(&c);
	}
	struct cgroup_set *cg = cgroup_set_from_json(json_object_get(c.st, "cgroup"));
	bool oom = cgroup_oom_killed(cg);
	cgroup_set_free(cg);
	if (oom) {
		fprintf(stderr, "netns-run: %s was killed by the kernel's OOM killer (memory limit %lld bytes)\n",
			c.name, c.o.memory);
		json_object_set_new(c.st, "oom", json_true());
		status = 137;
	}
	json_object_set_new(c.st, "exit_code", json_integer(status));
	json_object_set_new(c.st, "status", json_string("exited"));
	json_object_set_new(c.st, "finished", json_integer((json_int_t)time(NULL)));
	if (ctr_teardown(c.name, c.st, c.o.rm, &err) < 0)
		rt_print_error(&err);
	goto out;
fail:
	if (!err.msg[0])
		nr_error_set(&err, CNI_ERR_INTERNAL, r, "%s", strerror(-r));
	abort_run(&c);
	if (c.notify_fd >= 0)
		notify(&c, err.msg);
	else
		rt_print_error(&err);
	status = RT_EXIT_RUNTIME;
	goto out;
done_parse:
	if (r > 0)
		status = 0;
	else {
		rt_print_error(&err);
		status = RT_EXIT_RUNTIME;
	}
out:
	json_decref(c.st);
	env_free(c.envp);
	net_plan_clear(&c.net);
	run_opts_free(&c.o);
	if (c.join_fd >= 0)
		close(c.join_fd);
	if (c.pidfd >= 0)
		close(c.pidfd);
	if (c.status_rd >= 0)
		close(c.status_rd);
	if (c.layer_sock >= 0)
		close(c.layer_sock);
	return status;
}
