/* An rtnetlink socket (libnl-route-3) that keeps the kernel's own errno and extended-ack
 * text for the last failed request, so messages can say what the kernel said. */
#ifndef NETNS_RUN_NLSOCK_H
#define NETNS_RUN_NLSOCK_H

#include <netlink/netlink.h>

#include "base/cleanup.h"
#include "base/error.h"

struct nlsock {
	struct nl_sock *sk;
	int last_errno;        /* errno of the last NLMSG_ERROR, 0 if none */
	char last_extack[256]; /* NLMSGERR_ATTR_MSG of it, "" if the kernel gave none */
};

/* Open and connect in the calling thread's current network namespace. */
int nlsock_open(struct nlsock **ret, struct nr_error *err);
void nlsock_close(struct nlsock *s);
DEFINE_PTR_CLEANUP(nlsock_closep, struct nlsock *, nlsock_close)
#define _cleanup_nlsock_ _cleanup_(nlsock_closep)

/* Turn a libnl return value (negative NLE_*) into a negative errno and fill err with
 * "<context>: <strerror> (kernel: <extack>)".  Uses the kernel's errno when one arrived. */
int nlsock_error(struct nlsock *s, int nlerr, struct nr_error *err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Forget the last error before a new request. */
void nlsock_reset(struct nlsock *s);

#endif
