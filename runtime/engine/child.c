#include "child.h"

#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "cgroup.h"
#include "rt.h"
#include "rt_error.h"
#include "start_proto.h"
#include "userns.h"

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Nothing of the runtime's may reach the container: the init never execs, so
 * close-on-exec does not help; close every descriptor but the ones it needs.
 * close_range over the gaps: listing /proc/self/fd instead costs every start
 * (docs/benchmarks.md, "Runtime figures out of the code"). */
static void close_other_fds(const struct child_cfg *c)
{
	int keep[] = { 2, c->go_fd, c->err_fd, c->status_fd, c->join_netns_fd, c->fd_sock, c->console_sock };
	size_t n = sizeof(keep) / sizeof(keep[0]);
	unsigned int from = 3;

	qsort(keep, n, sizeof(keep[0]), cmp_int);
	for (size_t i = 0; i < n; i++) {
		if (keep[i] < (int)from)
			continue;
		if ((unsigned int)keep[i] > from)
			close_range(from, (unsigned int)keep[i] - 1, 0);
		from = (unsigned int)keep[i] + 1;
	}
	close_range(from, ~0U, 0);
}

void child_main(const struct child_cfg *c)
{
	struct nr_error err = { 0 };
	struct caller_block caller;
	sigset_t none;
	int layers[RT_LAYERS_MAX], n_layers = 0;
	int devices_fd = -1;
	int r;

	close_other_fds(c);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	/* The container dies with the netns-run process that watches it, so a killed runtime
	 * leaves only state for gc, never a running container nobody owns. */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* Its own session: terminal signals reach the runtime, which forwards them once. */
	setsid();
	/* Found now, while the runtime makes the cgroups; wiped by the init (init_run). */
	if ((r = caller_block_find(&caller)) < 0) {
		r = nr_error_set(&err, RT_ERR_SYSTEM, -r, "cannot find the caller's arguments in /proc/self/stat: %s",
				 strerror(-r));
		goto fail;
	}
	if (c->fd_sock >= 0) {
		/* The layers come once our ids are mapped: then become the namespace's root. */
		n_layers = fds_recv(c->fd_sock, layers, RT_LAYERS_MAX);
		if (n_layers <= 0)
			_exit(RT_EXIT_RUNTIME); /* the runtime gave up before sending them */
		if (setresgid(0, 0, 0) < 0 || setgroups(0, NULL) < 0 || setresuid(0, 0, 0) < 0) {
			r = nr_error_set(&err, RT_ERR_SYSTEM, errno, "cannot become root in the user namespace: %s",
					 strerror(errno));
			goto fail;
		}
	}
	if (c->join_netns_fd >= 0 && setns(c->join_netns_fd, CLONE_NEWNET) < 0) {
		r = nr_error_set(&err, RT_ERR_SYSTEM, errno, "cannot join the network namespace: %s", strerror(errno));
		goto fail;
	}
	if (sethostname(c->hostname, strlen(c->hostname)) < 0) {
		r = nr_error_set(&err, RT_ERR_SYSTEM, errno, "cannot set the hostname: %s", strerror(errno));
		goto fail;
	}
	/* The overlay, /proc and /sys while the runtime makes our cgroups and writes their
	 * limits; the rest of the root while it runs the network's ADD (the /etc files it
	 * fills in afterwards are bind-mounted already); the command waits for the network. */
	if ((r = rootfs_prepare(c, layers, n_layers, &err)) < 0)
		goto fail;
	if (!start_expect(c->go_fd, START_CGROUPS_READY))
		_exit(RT_EXIT_RUNTIME); /* the runtime gave up while making the cgroups */
	/* Join them ourselves (cheap for the calling thread: cgroup.c), all but devices,
	 * whose rules would refuse the mknod of our /dev nodes.  (In a user namespace we may
	 * not: the runtime moved us before sending the layers.) */
	if (c->fd_sock < 0 &&
	    cgroup_attach(c->cgroup, 0, CG_JOIN_V1 | (c->in_unified ? 0 : CG_JOIN_UNIFIED), &err) < 0) {
		r = -1;
		goto fail;
	}
	if (c->fd_sock < 0)
		devices_fd = cgroup_devices_join_fd(c->cgroup);
	/* In our cgroups now, so they are the namespace's root. */
	if (unshare(CLONE_NEWCGROUP) < 0) {
		r = nr_error_set(&err, RT_ERR_SYSTEM, errno, "cannot create a cgroup namespace: %s", strerror(errno));
		goto fail;
	}
	if ((r = rootfs_finish(c, &err)) < 0 || (r = security_early(c->o, &err)) < 0)
		goto fail;
	if (!start_expect(c->go_fd, START_NETWORK_READY))
		_exit(RT_EXIT_RUNTIME); /* the runtime gave up before the start */
	close(c->go_fd);
	/* The device rules were written before 'c', and /dev is made now. */
	if (devices_fd >= 0) {
		if (write(devices_fd, "0", 1) != 1) {
			r = nr_error_set(&err, RT_ERR_SYSTEM, errno, "cannot join the devices cgroup: %s",
					 strerror(errno));
			goto fail;
		}
		close(devices_fd);
	}
	if ((r = security_apply(c->o, &err)) < 0)
		goto fail;
	init_run(c, &caller);
fail:
	(void)r;
	start_report_error(c->err_fd, &err);
	_exit(RT_EXIT_RUNTIME);
}
