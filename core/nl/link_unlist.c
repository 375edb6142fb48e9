#include "link_unlist.h"

#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/close_range.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/proctitle.h"
#include "link.h"
#include "nl_cleanup.h"

/* How long the caller waits for the kernel's announcement: a deletion queued behind a busy
 * rtnl lock takes long, one that never comes is a kernel that stopped answering. */
#define UNLIST_TIMEOUT_MS 30000
/* The descriptors a child keeps besides its pipe; more lingering ones close in the caller. */
#define UNLIST_MAX_KEEP 16

struct dellink_req {
	struct nlmsghdr h;
	struct ifinfomsg i;
};

/* Close every descriptor but keep[0..n) (sorted here, in place: after a fork only
 * async-signal-safe calls, so no qsort). */
static void close_all_but(int *keep, size_t n)
{
	unsigned int lo = 0;

	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
			int t = keep[j];
			keep[j] = keep[j - 1];
			keep[j - 1] = t;
		}
	for (size_t i = 0; i < n; i++) {
		if (keep[i] < 0 || (unsigned int)keep[i] < lo)
			continue;
		if ((unsigned int)keep[i] > lo)
			close_range(lo, (unsigned int)keep[i] - 1, 0);
		lo = (unsigned int)keep[i] + 1;
	}
	close_range(lo, ~0U, 0);
}

/* The child's whole life: make the request on a socket of its own (in the namespace it
 * was forked in), tell the caller how it went when the kernel answers, and exit, which
 * drops the lingering descriptors.  Raw system calls only. */
static _Noreturn void unlist_child(const struct dellink_req *req, int w, int *keep, size_t n_keep)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };
	char buf[1024];
	int fd, e = 0;
	ssize_t n;

	/* Not a copy of its caller in ps and /proc, where tools count the caller's processes. */
	proctitle_set("link-unlist");
	sigaction(SIGPIPE, &ign, NULL); /* the caller stops listening once the link is gone */
	keep[n_keep++] = w;
	close_all_but(keep, n_keep);
	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)) < 0 ||
	    send(fd, req, sizeof(*req), 0) < 0) {
		e = errno;
	} else if ((n = recv(fd, buf, sizeof(buf), 0)) < 0) {
		e = errno;
	} else if ((size_t)n >= sizeof(struct nlmsghdr) + sizeof(struct nlmsgerr) &&
		   ((const struct nlmsghdr *)buf)->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *ack = mnl_nlmsg_get_payload((const struct nlmsghdr *)buf);
		e = -ack->error;
	}
	if (write(w, &e, sizeof(e)) < 0) {
		/* nobody listens any more: the link was announced gone */
	}
	_exit(0);
}

/* clone3's arguments up to tls (CLONE_ARGS_SIZE_VER0), without <linux/sched.h>, which
 * clashes with <sched.h>. */
struct unlist_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

/* Fork the child with no exit signal: it sends none when it ends, so a caller that waits
 * for its own children (a monitor for its container's init, waitpid(-1) without __WALL)
 * never sees it; its zombie goes with the caller, whose reaper collects it.  Returns the
 * read end of the child's pipe, or -errno. */
static int unlist_spawn(const struct dellink_req *req, const int *linger, size_t n_linger)
{
	struct unlist_clone_args ca = { .exit_signal = 0 };
	int keep[UNLIST_MAX_KEEP + 1], p[2];
	size_t n_keep = 0;
	long pid;

	for (size_t i = 0; i < n_linger && n_keep < UNLIST_MAX_KEEP; i++)
		keep[n_keep++] = linger[i];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	if ((pid = syscall(SYS_clone3, &ca, sizeof(ca))) < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		return -e;
	}
	if (pid == 0)
		unlist_child(req, p[1], keep, n_keep);
	close(p[1]);
	return p[0];
}

struct announce {
	int ifindex;
	bool gone;
};

static int announce_cb(const struct nlmsghdr *nlh, void *data)
{
	struct announce *a = data;
	const struct ifinfomsg *ifi;

	if (nlh->nlmsg_type != RTM_DELLINK || mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifi))
		return MNL_CB_OK;
	ifi = mnl_nlmsg_get_payload(nlh);
	if (ifi->ifi_index == a->ifindex) {
		a->gone = true;
		return MNL_CB_STOP;
	}
	return MNL_CB_OK;
}

/* 1 when the link with this index is still in the namespace, 0 when not, or -errno. */
static int link_index_present(struct nlsock *s, int ifindex, struct nr_error *err)
{
	_cleanup_(rtnl_link_putp) struct rtnl_link *l = NULL;
	int r;

	nlsock_reset(s);
	r = rtnl_link_get_kernel(s->sk, ifindex, NULL, &l);
	if (r < 0 && (s->last_errno == ENODEV || r == -NLE_OBJ_NOTFOUND))
		return 0;
	if (r < 0)
		return nlsock_error(s, r, err, "looking up link %d", ifindex);
	return 1;
}

/* Wait for the kernel's RTM_DELLINK of ifindex on mon, or for the child's answer on rfd
 * (an error comes at once; success only after the barrier).  1: gone; 0: the child ended
 * without an answer and the link is still there; or -errno. */
static int wait_unlisted(struct nlsock *s, struct mnl_socket *mon, int rfd, int ifindex, const char *name,
			 struct nr_error *err)
{
	struct announce a = { .ifindex = ifindex };
	long deadline = clock_now_ms() + UNLIST_TIMEOUT_MS;
	char buf[MNL_SOCKET_BUFFER_SIZE];

	for (;;) {
		struct pollfd p[2] = { { mnl_socket_get_fd(mon), POLLIN, 0 }, { rfd, POLLIN, 0 } };
		long left = deadline - clock_now_ms();
		ssize_t n;
		int r, e;

		if (left <= 0)
			return nr_error_set(err, CNI_ERR_INTERNAL, ETIMEDOUT,
					    "deleting link %s: the kernel did not remove it in %d s", name,
					    UNLIST_TIMEOUT_MS / 1000);
		if ((r = poll(p, 2, (int)left)) < 0 && errno != EINTR)
			return nr_error_set(err, CNI_ERR_INTERNAL, errno, "deleting link %s: poll: %s", name,
					    strerror(errno));
		if (r <= 0)
			continue;
		if (p[0].revents) {
			n = mnl_socket_recvfrom(mon, buf, sizeof(buf));
			if (n < 0 && errno == ENOBUFS) {
				/* Announcements were dropped: ask instead. */
				if ((r = link_index_present(s, ifindex, err)) <= 0)
					return r < 0 ? r : 1;
			} else if (n > 0) {
				mnl_cb_run(buf, n, 0, 0, announce_cb, &a);
				if (a.gone)
					return 1;
			}
		}
		if (p[1].revents) {
			n = read(rfd, &e, sizeof(e));
			if (n == (ssize_t)sizeof(e) && (e == 0 || e == ENODEV))
				return 1;
			if (n == (ssize_t)sizeof(e))
				return nr_error_set(err, CNI_ERR_INTERNAL, e, "deleting link %s: %s", name,
						    strerror(e));
			if ((r = link_index_present(s, ifindex, err)) != 1)
				return r < 0 ? r : 1;
			return 0;
		}
	}
}

int link_delete_unlisted(struct nlsock *s, const char *name, const int *linger, size_t n_linger, struct nr_error *err)
{
	_cleanup_(mnl_closep) struct mnl_socket *mon = NULL;
	_cleanup_close_ int rfd = -1;
	struct dellink_req req = {
		.h = { .nlmsg_len = sizeof(req),
		       .nlmsg_type = RTM_DELLINK,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
		       .nlmsg_seq = 1 },
		.i = { .ifi_family = AF_UNSPEC },
	};
	int r;

	if ((r = link_index(s, name, err)) == -ENODEV) {
		nr_error_clear(err);
		return 0;
	}
	if (r < 0)
		return r;
	req.i.ifi_index = r;
	/* Listen before asking, so the announcement cannot be missed. */
	if (!(mon = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC)) ||
	    mnl_socket_bind(mon, RTMGRP_LINK, MNL_SOCKET_AUTOPID) < 0 ||
	    (rfd = unlist_spawn(&req, linger, n_linger)) < 0)
		return link_delete(s, name, err);
	r = wait_unlisted(s, mon, rfd, req.i.ifi_index, name, err);
	if (r == 0) /* the child died before asking */
		return link_delete(s, name, err);
	return r < 0 ? r : 0;
}
