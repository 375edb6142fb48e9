#include "child.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "cgroup.h"
#include "rt.h"

/* Nothing of the runtime's may reach the container: the init never execs, so
 * close-on-exec does not help; close every descriptor but the three it needs. */
static void close_other_fds(const struct child_cfg *c)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		int fd = atoi(de->d_name);
		if (fd > 2 && fd != dirfd(d) && fd != c->go_fd && fd != c->err_fd && fd != c->join_netns_fd)
			close(fd);
	}
	closedir(d);
}

void child_main(const struct child_cfg *c)
{
	struct nr_error err = {0};
	sigset_t none;
	char go;
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
	/* Joining v1 cgroups waits for an RCU grace period; doing it here overlaps that
	 * wait with the runtime's network setup. */
	if (cgroup_attach(c->cgroup, 0, c->in_unified, &err) < 0) {
		r = -1;
		goto fail;
	}
	if (read(c->go_fd, &go, 1) != 1)
		_exit(RT_EXIT_RUNTIME); /* the runtime gave up before the start */
	close(c->go_fd);
	if (c->join_netns_fd >= 0 && setns(c->join_netns_fd, CLONE_NEWNET) < 0) {
		r = nr_error_set(&err, CNI_ERR_INTERNAL, errno, "cannot join the network namespace: %s",
				 strerror(errno));
		goto fail;
	}
	/* After the runtime moved us into our cgroups, so they are the namespace's root. */
	if (unshare(CLONE_NEWCGROUP) < 0) {
		r = nr_error_set(&err, CNI_ERR_INTERNAL, errno, "cannot create a cgroup namespace: %s",
				 strerror(errno));
		goto fail;
	}
	if (sethostname(c->hostname, strlen(c->hostname)) < 0) {
		r = nr_error_set(&err, CNI_ERR_INTERNAL, errno, "cannot set the hostname: %s", strerror(errno));
		goto fail;
	}
	if ((r = rootfs_setup(c, &err)) < 0 || (r = security_apply(&err)) < 0)
		goto fail;
	init_run(c);
fail:
	(void)r;
	dprintf(c->err_fd, "%s", err.msg);
	_exit(RT_EXIT_RUNTIME);
}
