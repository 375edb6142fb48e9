/* A container's run, from its creation to its teardown (run.h).  The start is a list of
 * steps (start_steps) whose made things are recorded in struct ctr_run for the rollback
 * (start_rollback), as the bridge plugin's ADD does; the parent/child conversation is
 * start_proto.h's. */
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

#include "base/cleanup.h"
#include "cgroup.h"
#include "child.h"
#include "ctr.h"
#include "image_run.h"
#include "log.h"
#include "net.h"
#include "net_attach.h"
#include "nl/link.h"
#include "nl/netns.h"
#include "nl/nlsock.h"
#include "pty.h"
#include "rt.h"
#include "rt_error.h"
#include "run.h"
#include "start_proto.h"
#include "tty_relay.h"
#include "upper.h"
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

struct ctr_run {
	const struct run_opts *o;
	char id[RT_ID_LEN + 1];
	char name[RT_NAME_MAX];
	char dir[512];
	const char *hostname;
	char short_id[13]; /* the hostname when run_opts asks for the id's (hostname_id) */
	struct net_plan net;
	/* Further networks (run --network repeated): eth1…, rec->more in the same order. */
	struct net_plan more[RT_NETWORKS_MAX];
	size_t n_more;
	struct ctr_record *rec;
	int join_fd;
	pid_t pid;
	int pidfd;
	int cmd_pidfd;  /* the command's, to notice a stopped init (start_watch_command) */
	int status_rd;  /* the init writes the command's exit status here before it exits */
	int layer_sock; /* --userns: our end of the socket the idmapped layers go through */
	int console;    /* -t: our end of the socket the pty's master comes through */
	struct tty_stdio io;
	struct tty_relay tty;
	struct ctr_log *log; /* -d: the capped log the container's output is relayed to */
	const struct ctr_run_hook *hook;
	bool again;           /* an exited container made ready again: never removed on failure */
	long long created_at; /* again: the first creation's time */
	/* What exists, for the rollback of a failed start. */
	bool created;   /* the container directory is ours to remove on failure */
	bool net_added; /* ADD succeeded: a failed start must DEL (a failed ADD undid itself) */
	bool more_added[RT_NETWORKS_MAX];
	bool done; /* started and torn down, or rolled back: nothing left to undo */
};

static int save(struct ctr_run *c, struct nr_error *err)
{
	return ctr_store_save(c->rec, err);
}

static int check_inputs(const struct run_opts *o, struct nr_error *err)
{
	struct stat s;

	/* An image's layers are checked under the lock, when it is pinned (image_run_pin). */
	for (size_t i = 0; !o->image_id && i < o->n_rootfs; i++)
		if (o->rootfs[i][0] != '/' || stat(o->rootfs[i], &s) < 0 || !S_ISDIR(s.st_mode))
			return nr_error_set(err, RT_ERR_USAGE, ENOENT,
					    "--rootfs %s: not an absolute path to a directory", o->rootfs[i]);
	for (size_t i = 0; i < o->n_vols; i++)
		if (stat(o->vols[i].host, &s) < 0)
			return nr_error_set(err, RT_ERR_USAGE, errno, "-v %s: %s", o->vols[i].host, strerror(errno));
	return 0;
}

/* The further networks' plans (the parser let only CNI networks through; a network named
 * like a mode is refused here too), each on the next ethN. */
static int plan_more(struct ctr_run *c, struct nr_error *err)
{
	int r;

	for (size_t i = 1; i < c->o->n_nets; i++) {
		struct net_plan *p = &c->more[c->n_more];
		if (net_mode_for_spec(c->o->nets[i].network)->mode != CTR_NET_CNI)
			return nr_error_set(err, RT_ERR_USAGE, EINVAL,
					    "conflicting options: cannot attach both user-defined and non-user-defined "
					    "network-modes (--network %s)",
					    c->o->nets[i].network);
		if ((r = net_plan_make(c->o->nets[i].network, p, err)) < 0)
			return r;
		c->n_more++;
		snprintf(p->ifname, sizeof(p->ifname), "eth%zu", i);
		net_plan_further(p);
	}
	return 0;
}

static int make_dir(struct ctr_run *c, struct nr_error *err)
{
	char p[600];

	if (mkdir(c->dir, 0711) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot create %s: %s", c->dir, strerror(errno));
	c->created = true;
	snprintf(p, sizeof(p), "%s/merged", c->dir);
	if (mkdir(p, 0755) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot create %s: %s", p, strerror(errno));
	return upper_create(c->dir, err);
}

/* Again, under the store's lock: the exited container's id and creation time; a
 * teardown its monitor did not finish (killed) is finished first, as gc would.  From
 * here on a failure leaves it exited (start_rollback). */
static int reuse(struct ctr_run *c, struct nr_error *err)
{
	_cleanup_record_ struct ctr_record *old = NULL;
	int r;

	if ((r = ctr_store_load(c->name, &old, err)) < 0)
		return r;
	if (ctr_running(old) || (old->status != CTR_EXITED && ctr_monitor_alive(old)))
		return nr_error_set(err, RT_ERR_CONFLICT, EBUSY, "container %s is already running", c->name);
	if (old->status == CTR_EXITED && ctr_monitor_alive(old))
		return nr_error_set(err, RT_ERR_CONFLICT, EBUSY, "container %s is still being torn down", c->name);
	if ((old->status != CTR_EXITED || !ctr_net_all_done(old)) && (r = ctr_teardown(old, false, err)) < 0)
		return nr_error_wrap(err, r, "finishing the teardown of %s", c->name);
	if (access(c->dir, F_OK) < 0) /* it was to be removed (--rm), and now is */
		return nr_error_set(err, RT_ERR_NOT_FOUND, ENOENT, "no such container: %s", c->name);
	snprintf(c->id, sizeof(c->id), "%s", old->id);
	c->created_at = old->created;
	c->created = true;
	return 0;
}

/* Reserve the name and create the container directory, under the state lock. */
static int create(struct ctr_run *c, struct nr_error *err)
{
	_cleanup_close_ int lock = -1;
	char p[600];
	int r;

	if (!c->again && (r = rt_random_id(c->id)) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, r, "cannot make an id: %s", strerror(-r));
	if (c->again && !c->o->name[0])
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "starting a container again needs its name");
	snprintf(c->name, sizeof(c->name), "%s", c->o->name[0] ? c->o->name : c->id);
	if (!c->o->name[0])
		c->name[12] = '\0';
	if ((r = check_inputs(c->o, err)) < 0)
		return r;
	if ((lock = ctr_store_lock(err)) < 0)
		return lock;
	rt_ctr_path(c->dir, sizeof(c->dir), c->name, NULL);
	if (c->again && (r = reuse(c, err)) < 0)
		return r;
	snprintf(c->short_id, sizeof(c->short_id), "%s", c->id);
	c->hostname = c->o->hostname ? c->o->hostname : c->o->hostname_id ? c->short_id : c->name;
	if (!c->again && access(c->dir, F_OK) == 0)
		return nr_error_set(err, RT_ERR_CONFLICT, EEXIST,
				    "the container name %s is already in use (remove it with `netns-run rm %s`)",
				    c->name, c->name);
	/* Lock order: the container store's, then the image store's (rmi's order too). */
	if ((r = image_run_pin(c->o, err)) < 0)
		return r;
	if ((r = net_plan_make(c->o->net, &c->net, err)) < 0 || (r = plan_more(c, err)) < 0)
		return r;
	if (c->net.owner[0]) {
		c->join_fd = open(rt_ctr_path(p, sizeof(p), c->net.owner, "netns"), O_RDONLY | O_CLOEXEC);
		if (c->join_fd < 0)
			return nr_error_set(err, RT_ERR_NOT_FOUND, errno, "--net=%s: %s", c->o->net, strerror(errno));
	}
	/* 0711: a container's root in a user namespace must reach its layers and files.
	 * Again: they exist, the writable layer with what the first run wrote. */
	if (!c->again && (r = make_dir(c, err)) < 0)
		return r;
	if (c->o->detach && (r = ctr_log_open(c->dir, c->o->log_max_size, c->o->log_max_files, &c->log, err)) < 0)
		return r;
	struct ctr_record *rec = c->rec = ctr_record_new();
	if (!rec)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	snprintf(rec->id, sizeof(rec->id), "%s", c->id);
	snprintf(rec->name, sizeof(rec->name), "%s", c->name);
	rec->status = CTR_CREATED;
	rec->monitor = getpid();
	rec->monitor_start = rt_pid_start_time(getpid());
	rec->rm = c->o->rm;
	rec->created = c->again ? c->created_at : time(NULL);
	rec->userns_base = c->o->userns_base;
	rec->userns_count = c->o->userns_base ? c->o->userns_count : 0;
	rec->hostname = strdup(c->hostname);
	rec->user = c->o->user ? strdup(c->o->user) : NULL;
	rec->image = c->o->image_id ? strdup(c->o->image_id) : NULL;
	rec->image_ref = c->o->image ? strdup(c->o->image) : NULL;
	rec->argv = rt_strv_copy(c->o->argv);
	rec->env = env_build(c->o, c->hostname);
	rec->capability_args = c->o->caps ? strdup(c->o->caps) : NULL;
	if (!rec->hostname || (c->o->user && !rec->user) || !rec->argv || !rec->env ||
	    (c->o->image_id && !rec->image) || (c->o->image && !rec->image_ref) ||
	    (c->o->caps && !rec->capability_args) || security_to_record(c->o, rec) < 0)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	net_plan_request(&c->net, c->o->n_nets ? &c->o->nets[0] : NULL);
	if ((r = net_plan_to_record(&c->net, &rec->net, err)) < 0 ||
	    (c->o->n_nets && (r = net_endpoint_request(&c->o->nets[0], &rec->net, err)) < 0))
		return r;
	for (size_t i = 0; i < c->n_more; i++) {
		struct ctr_network *n = ctr_record_add_network(rec);
		if (!n)
			return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
		net_plan_request(&c->more[i], &c->o->nets[i + 1]);
		if ((r = net_plan_to_record(&c->more[i], n, err)) < 0 ||
		    (r = net_endpoint_request(&c->o->nets[i + 1], n, err)) < 0)
			return r;
	}
	return save(c, err);
}

static int start_child(struct ctr_run *c, const struct start_channel *ch, struct nr_error *err)
{
	struct child_cfg cfg = {
		.o = c->o,
		.ctr_dir = c->dir,
		.hostname = c->hostname,
		.join_netns_fd = c->join_fd,
		.go_fd = ch->go[0],
		.err_fd = ch->err[1],
		.status_fd = ch->status[1],
		.envp = c->rec->env,
		.cgroup = c->rec->cgroup,
		.fd_sock = -1,
		.console_sock = -1,
	};
	_cleanup_close_ int child_sock = -1, console_child = -1;
	uint64_t flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_PIDFD;
	struct clone_args_v2 ca = { .pidfd = (uint64_t)(uintptr_t)&c->pidfd, .exit_signal = SIGCHLD };
	_cleanup_close_ int cgfd = cgroup_unified_fd(cfg.cgroup);
	pid_t pid;

	if (c->net.ops->own_netns)
		flags |= CLONE_NEWNET;
	if (c->o->userns_base) {
		int sp[2];
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
			return nr_error_set(err, RT_ERR_SYSTEM, errno, "socketpair: %s", strerror(errno));
		flags |= CLONE_NEWUSER;
		cfg.fd_sock = child_sock = sp[1];
		c->layer_sock = sp[0];
	}
	if (c->o->tty) {
		int sp[2], r = pty_socket_pair(sp);
		if (r < 0)
			return nr_error_set(err, RT_ERR_SYSTEM, r, "socketpair: %s", strerror(-r));
		c->console = sp[0];
		cfg.console_sock = console_child = sp[1];
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
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot create the container's namespaces: %s",
				    strerror(errno));
	if (pid == 0)
		child_main(&cfg);
	c->pid = pid;
	return 0;
}

static int bind_netns(struct ctr_run *c, struct nr_error *err)
{
	char src[64], dst[600];
	int fd;

	rt_ctr_path(dst, sizeof(dst), c->name, "netns");
	fd = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot create %s: %s", dst, strerror(errno));
	close(fd);
	snprintf(src, sizeof(src), "/proc/%d/ns/net", (int)c->pid);
	if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot bind-mount the network namespace on %s: %s", dst,
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

/* A further network: ADD on the next ethN of the same netns, its default route left to
 * the first network, its names on its DNS responder. */
static int further_network_up(struct ctr_run *c, size_t i, const char *path, struct nr_error *err)
{
	_cleanup_result_ struct cni_result *res = NULL;
	struct ctr_network *n = &c->rec->more[i];
	int r;

	if ((r = net_endpoint_add(&c->more[i], c->id, path, NULL, n, &res, err)) < 0)
		return r;
	c->more_added[i] = true;
	if ((r = net_endpoint_drop_default_routes(path, n->ifname, res, err)) < 0)
		return r;
	return net_endpoint_dns_join(c->rec, c->more[i].conf, n, err);
}

static int network_up(struct ctr_run *c, struct nr_error *err)
{
	_cleanup_result_ struct cni_result *res = NULL;
	const struct net_mode_ops *m = c->net.ops;
	char netns[600];
	const char *path;
	int r;

	if (m->own_netns && (r = bind_netns(c, err)) < 0)
		return r;
	path = m->netns_path(&c->net, c->name, netns, sizeof(netns));
	/* A network's chain configures its own interface; loopback is the runtime's, as
	 * with podman and docker (for none, the none plugin does it). */
	if (m->runtime_lo && (r = netns_run_path(path, lo_up, NULL, err)) < 0)
		return nr_error_wrap(err, r, "bringing up lo");
	free(c->rec->netns_path);
	if (!(c->rec->netns_path = strdup(path)))
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	/* The chain's messages name the network and plugin already. */
	if ((r = net_endpoint_add(&c->net, c->id, path, c->rec->capability_args, &c->rec->net, &res, err)) < 0)
		return r;
	c->net_added = true;
	if (!res && m->shown_result) {
		m->shown_result(&c->net, &res);
		if (net_endpoint_fill(&c->rec->net, res) < 0)
			return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	}
	if ((r = net_endpoint_dns_join(c->rec, c->net.conf, &c->rec->net, err)) < 0)
		return r;
	for (size_t i = 0; i < c->n_more; i++)
		if ((r = further_network_up(c, i, path, err)) < 0)
			return r;
	return etc_write(c->dir, c->hostname, m->host_resolvers, c->rec, res, err);
}

static int child_status(struct ctr_run *c)
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
 * An init that died without a word (SIGKILL) is waited for through its pidfd.  With -t
 * the pty is relayed meanwhile, and SIGWINCH becomes the pty's new size (the kernel
 * then signals the pty's foreground process group, as a terminal does). */
static int supervise(struct ctr_run *c, int sfd)
{
	struct pollfd p[5 + TTY_RELAY_NFDS + CTR_RUN_HOOK_NFDS] = { { .fd = c->pidfd, .events = POLLIN },
								    { .fd = sfd, .events = POLLIN },
								    { .fd = c->status_rd, .events = POLLIN },
								    { .fd = c->cmd_pidfd, .events = POLLIN },
								    { .fd = ctr_log_reader_fd(c->log),
								      .events = POLLIN } };
	int n, status = -1, timeout = -1;

	for (;;) {
		size_t nhook = 0;
		tty_relay_pollfds(&c->tty, p + 5);
		if (c->hook)
			nhook = c->hook->pollfds(c->hook->ctx, p + 5 + TTY_RELAY_NFDS, CTR_RUN_HOOK_NFDS);
		if ((n = poll(p, 5 + TTY_RELAY_NFDS + nhook, timeout)) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		tty_relay_handle(&c->tty, p + 5);
		if (nhook)
			c->hook->handle(c->hook->ctx, p + 5 + TTY_RELAY_NFDS, nhook);
		if (n == 0) { /* the command ended, the init said nothing: it is stopped */
			status = start_status_unreaped(c->pidfd, c->cmd_pidfd);
			break;
		}
		if (p[3].revents) {
			p[3].fd = -1;
			timeout = START_INIT_GRACE_MS;
		}
		if (p[2].revents) {
			if (start_read_status(c->status_rd, &status))
				break;
			p[2].fd = -1; /* EOF: the init is gone without a status */
		}
		if (p[4].revents & POLLIN)
			ctr_log_pump(c->log);
		else if (p[4].revents)
			p[4].fd = -1;
		if (p[0].revents)
			break;
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
				continue;
			if (si.ssi_signo == SIGWINCH && c->tty.master >= 0)
				tty_relay_sync_size(&c->tty);
			else
				syscall(SYS_pidfd_send_signal, c->pidfd, (int)si.ssi_signo, NULL, 0);
		}
	}
	tty_relay_drain(&c->tty);
	return status >= 0 ? status : child_status(c);
}

/* What a start made, undone: stop the child, DEL what ADD made, remove the cgroups, the
 * netns file and the directory. */
static void start_rollback(struct ctr_run *c, struct nr_error *err)
{
	struct nr_error e = { 0 };

	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		child_status(c);
	}
	if (c->created && c->rec) {
		/* Again: the container stays, exited, its layer kept (unless --rm). */
		c->rec->rm = c->again ? c->o->rm : true;
		if (!c->net_added)
			c->rec->net.done = true;
		for (size_t i = 0; i < c->rec->n_more; i++)
			if (!c->more_added[i])
				c->rec->more[i].done = true;
		if (ctr_teardown(c->rec, c->rec->rm, &e) < 0)
			nr_error_details(err, "and undoing the start failed: %s", e.msg);
	} else if (c->created && !c->again) {
		upper_remove_dir(c->dir);
	}
	c->done = true;
}

/* The start's first save, under the store's lock: what `network connect` recorded while
 * the container was created joins the start's networks first (net_connect_adopt); from
 * this save on the record names a live init, and a connect waits for the start to end. */
static int save_started(struct ctr_run *c, struct nr_error *err)
{
	_cleanup_close_ int lock = ctr_store_lock(err);
	int r;

	if (lock < 0)
		return lock;
	if ((r = net_connect_adopt(c->rec, c->more, &c->n_more, RT_NETWORKS_MAX, err)) < 0)
		return r;
	return save(c, err);
}

/* Everything between created and running, in order; the caller rolls back on failure.
 * The order is the start's performance (docs/runtime.md, "Cost"): the child builds the
 * first half of its root while the v1 cgroups are made and every limit written, and the
 * second half while the network's ADD runs. */
static int start_steps(struct ctr_run *c, struct nr_error *err)
{
	struct cgroup_limits lim = {
		.memory = c->o->memory, .cpus = c->o->cpus, .pids = c->o->pids, .io_weight = c->o->io_weight
	};
	_cleanup_start_channel_ struct start_channel ch = START_CHANNEL_INIT;
	int r;

	/* v1 cgroups are made after the clone, while the child builds the first half of its
	 * root; in a user namespace the child cannot join them itself, so they exist before
	 * it does and userns_prepare moves it. */
	if ((r = cgroup_create(c->name, &lim, &c->rec->cgroup, err)) < 0)
		return r;
	const struct cgroup_set *cg = c->rec->cgroup;
	bool v1_after_clone = cgroup_has_v1(cg) && !c->o->userns_base;
	if (cgroup_has_v1(cg) && !v1_after_clone && (r = cgroup_create_v1(cg, err)) < 0)
		return r;
	if ((r = start_channel_open(&ch, err)) < 0 || (r = start_child(c, &ch, err)) < 0)
		return r;
	start_channel_parent_side(&ch);
	c->status_rd = TAKE_FD(ch.status[0]);
	/* Limits and device rules before the child may join, and the /etc files it
	 * bind-mounts after that (filled in after ADD); a child that already failed has
	 * closed the pipe, and its message (start_wait_setup) says why.  Until the save
	 * below, a killed runtime leaves cgroups that gc finds by the container's name. */
	if ((v1_after_clone && (r = cgroup_create_v1(cg, err)) < 0) || (r = cgroup_configure(cg, &lim, err)) < 0 ||
	    (r = etc_write(c->dir, c->hostname, c->net.ops->host_resolvers, NULL, NULL, err)) < 0)
		return r;
	bool sent = start_send(ch.go[1], START_CGROUPS_READY);
	c->rec->pid = c->pid;
	c->rec->pid_start = rt_pid_start_time(c->pid);
	if ((r = save_started(c, err)) < 0)
		return r;
	if (c->o->userns_base && (r = userns_prepare(c->pid, c->dir, c->o, cg, c->layer_sock, err)) < 0)
		return r;
	if ((r = network_up(c, err)) < 0 || (r = save(c, err)) < 0)
		return r;
	sent = sent && start_send(ch.go[1], START_NETWORK_READY);
	if ((r = start_wait_setup(ch.err[0], err)) < 0)
		return r;
	c->cmd_pidfd = start_watch_command(c->pid);
	if (!sent)
		return nr_error_set(err, RT_ERR_SYSTEM, EPIPE, "the container's init went away during setup");
	c->rec->status = CTR_RUNNING;
	c->rec->started = time(NULL);
	return save(c, err);
}

int ctr_run_start(struct ctr_run *c, struct nr_error *err)
{
	int r = start_steps(c, err);

	if (r < 0 && c->again) { /* it stays, exited: as Docker's, with the runtime's status */
		c->rec->has_exit_code = true;
		c->rec->exit_code = RT_EXIT_RUNTIME;
	}
	if (r < 0)
		start_rollback(c, err);
	return r;
}

static int run_create(const struct run_opts *o, bool again, struct ctr_run **ret, struct nr_error *err)
{
	_cleanup_ctr_run_ struct ctr_run *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	*c = (struct ctr_run){ .o = o,
			       .again = again,
			       .join_fd = -1,
			       .pidfd = -1,
			       .cmd_pidfd = -1,
			       .status_rd = -1,
			       .layer_sock = -1,
			       .console = -1 };
	c->io = (struct tty_stdio){ .in = o->interactive ? 0 : -1, .out = 1, .term = -1 };
	tty_relay_init(&c->tty, -1, &c->io);
	if ((r = create(c, err)) < 0) {
		start_rollback(c, err);
		return r;
	}
	*ret = TAKE_PTR(c);
	return 0;
}

int ctr_run_create(const struct run_opts *o, struct ctr_run **ret, struct nr_error *err)
{
	return run_create(o, false, ret, err);
}

int ctr_run_create_again(const struct run_opts *o, struct ctr_run **ret, struct nr_error *err)
{
	return run_create(o, true, ret, err);
}

void ctr_run_set_stdio(struct ctr_run *c, const struct tty_stdio *io)
{
	c->io = *io;
}

void ctr_run_set_hook(struct ctr_run *c, const struct ctr_run_hook *h)
{
	c->hook = h;
}

int ctr_run_resize(struct ctr_run *c, unsigned short rows, unsigned short cols)
{
	struct winsize ws = { .ws_row = rows, .ws_col = cols };

	if (c->tty.master < 0)
		return -ENOTTY;
	tty_relay_resize(&c->tty, &ws);
	return 0;
}

/* The record's networks as saved: `network connect` and `disconnect` change them (under
 * the store's lock) while the container runs. */
static void sync_networks(struct ctr_run *c)
{
	_cleanup_record_ struct ctr_record *disk = NULL;
	struct ctr_record *rec = c->rec;

	if (ctr_store_load(c->name, &disk, NULL) < 0 || strcmp(disk->id, rec->id))
		return;
	ctr_network_clear(&rec->net);
	for (size_t i = 0; i < rec->n_more; i++)
		ctr_network_clear(&rec->more[i]);
	free(rec->more);
	rec->net = disk->net;
	rec->more = disk->more;
	rec->n_more = disk->n_more;
	memset(&disk->net, 0, sizeof(disk->net));
	disk->more = NULL;
	disk->n_more = 0;
}

int ctr_run_wait(struct ctr_run *c, int sigfd, int *ret_status, struct nr_error *err)
{
	int status;

	/* The command sent its pty's master before its exec, so before the start ended; or
	 * it failed first (and said why), and the init's exit closes the socket. */
	if (c->console >= 0) {
		int m = pty_master_recv(c->console);
		if (c->log) { /* -d: the pty's output goes to the capped log */
			c->io.sink = ctr_log_sink;
			c->io.sink_ctx = c->log;
		}
		tty_relay_init(&c->tty, m >= 0 ? m : -1, &c->io);
	}
	status = supervise(c, sigfd);

	/* Under the lock, until the init is reaped (a connect needs a live init): the networks
	 * `network connect`/`disconnect` changed, then their DELs. */
	int lock = ctr_store_lock(NULL);
	sync_networks(c);
	if (c->pid > 0) {
		/* DEL overlaps the init's exit; a failure is reported by ctr_teardown's retry. */
		struct nr_error early = { 0 };
		ctr_net_down(c->rec, &early);
		child_status(c);
	}
	if (lock >= 0) {
		save(c, NULL);
		close(lock);
	}
	/* The container is gone: what it wrote last, before its monitor writes to the pipe. */
	ctr_log_pump(c->log);
	if (cgroup_oom_killed(c->rec->cgroup)) {
		c->rec->oom = true;
		status = 137;
	}
	c->rec->has_exit_code = true;
	c->rec->exit_code = status;
	c->rec->status = CTR_EXITED;
	c->rec->finished = time(NULL);
	c->done = true;
	*ret_status = status;
	if (c->hook && c->hook->ended)
		c->hook->ended(c->hook->ctx, status);
	return ctr_teardown(c->rec, c->o->rm, err);
}

const struct ctr_record *ctr_run_record(const struct ctr_run *c)
{
	return c->rec;
}

const char *ctr_run_dir(const struct ctr_run *c)
{
	return c->dir;
}

int ctr_run_log_fd(const struct ctr_run *c)
{
	return ctr_log_writer_fd(c->log);
}

void ctr_run_free(struct ctr_run *c)
{
	if (!c)
		return;
	if (!c->done && c->created)
		start_rollback(c, NULL);
	ctr_record_free(c->rec);
	net_plan_clear(&c->net);
	for (size_t i = 0; i < c->n_more; i++)
		net_plan_clear(&c->more[i]);
	if (c->join_fd >= 0)
		close(c->join_fd);
	if (c->pidfd >= 0)
		close(c->pidfd);
	if (c->cmd_pidfd >= 0)
		close(c->cmd_pidfd);
	if (c->status_rd >= 0)
		close(c->status_rd);
	if (c->layer_sock >= 0)
		close(c->layer_sock);
	if (c->console >= 0)
		close(c->console);
	tty_relay_close(&c->tty);
	ctr_log_free(c->log);
	free(c);
}
