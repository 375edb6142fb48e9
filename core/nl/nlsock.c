#include "nlsock.h"

#include <errno.h>
#include <linux/netlink.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "extack.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* libnl 3.7 hands us the nlmsgerr but not the extended-ack attributes behind it; they
 * sit in the same buffer, right after the error message's header. */
static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct nlsock *s = arg;

	(void)nla;
	s->last_errno = -e->error;
	nlmsg_ext_ack_msg((const struct nlmsghdr *)((const char *)e - NLMSG_HDRLEN), s->last_extack,
			  sizeof(s->last_extack));
	return NL_STOP;
}

int nlsock_open(struct nlsock **ret, struct nr_error *err)
{
	struct nlsock *s = calloc(1, sizeof(*s));
	struct nl_cb *cb;
	int one = 1, r;

	if (!s)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	s->sk = nl_socket_alloc();
	if (!s->sk) {
		free(s);
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "cannot allocate a netlink socket");
	}
	r = nl_connect(s->sk, NETLINK_ROUTE);
	if (r < 0) {
		nl_socket_free(s->sk);
		free(s);
		return nr_error_set(err, CNI_ERR_INTERNAL, EIO, "cannot open an rtnetlink socket: %s", nl_geterror(r));
	}
	/* Both are best effort: kernels before 4.12 have no extended ack. */
	setsockopt(nl_socket_get_fd(s->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(s->sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	/* libnl peeks at every message to size its buffer, two recvmsg calls for each; a
	 * buffer that fits any link dump we ask for (a link is under 2 KB) makes it one. */
	nl_socket_disable_msg_peek(s->sk);
	nl_socket_set_msg_buf_size(s->sk, 32768);
	/* nl_socket_get_cb() hands out a reference of its own. */
	cb = nl_socket_get_cb(s->sk);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, s);
	nl_cb_put(cb);
	*ret = s;
	return 0;
}

void nlsock_close(struct nlsock *s)
{
	if (!s)
		return;
	nl_socket_free(s->sk);
	free(s);
}

void nlsock_reset(struct nlsock *s)
{
	s->last_errno = 0;
	s->last_extack[0] = '\0';
}

/* The errno behind a libnl error code, for the cases where the kernel did not send one. */
static int nle_to_errno(int nlerr)
{
	switch (-nlerr) {
	case NLE_EXIST:
		return EEXIST;
	case NLE_OBJ_NOTFOUND:
	case NLE_NODEV:
		return ENODEV;
	case NLE_NOMEM:
		return ENOMEM;
	case NLE_PERM:
		return EPERM;
	case NLE_BUSY:
		return EBUSY;
	case NLE_INVAL:
		return EINVAL;
	case NLE_RANGE:
		return ERANGE;
	case NLE_NOADDR:
		return EADDRNOTAVAIL;
	case NLE_AF_NOSUPPORT:
		return EAFNOSUPPORT;
	case NLE_OPNOTSUPP:
		return EOPNOTSUPP;
	default:
		return EIO;
	}
}

int nlsock_error(struct nlsock *s, int nlerr, struct nr_error *err, const char *fmt, ...)
{
	char ctx[NR_ERROR_MSG_MAX];
	int e = s && s->last_errno ? s->last_errno : nle_to_errno(nlerr);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	if (s && s->last_extack[0])
		return nr_error_set(err, CNI_ERR_INTERNAL, e, "%s: %s (kernel: %s)", ctx, strerror(e), s->last_extack);
	return nr_error_set(err, CNI_ERR_INTERNAL, e, "%s: %s", ctx, strerror(e));
}
