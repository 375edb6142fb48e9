/* The listening sockets: one UDP and one TCP socket per gateway address. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "engine/rt_error.h"
#include "server.h"

int dns_listen(const struct ip_addr *a, int port, int type, int *ret_fd, struct nr_error *err)
{
	_cleanup_close_ int fd = socket(a->family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	char buf[INET6_ADDRSTRLEN];
	struct sockaddr_storage ss;
	socklen_t len = dns_sockaddr(a, port, &ss);
	int one = 1;

	if (fd < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "socket: %s", strerror(errno));
	/* IP_FREEBIND: the responder may start before the bridge holds its gateway address
	 * (and keep listening while it comes and goes); the kernel accepts the bind anyway and
	 * delivers once the address exists.  Linux reads it for IPv6 sockets too. */
	if (setsockopt(fd, SOL_IP, IP_FREEBIND, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    (a->family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0))
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "setsockopt: %s", strerror(errno));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot listen on %s port %d (%s): %s",
				    ip_addr_format(a, buf, sizeof(buf)), port, type == SOCK_DGRAM ? "udp" : "tcp",
				    strerror(errno));
	if (type == SOCK_STREAM && listen(fd, 64) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "listen: %s", strerror(errno));
	*ret_fd = TAKE_FD(fd);
	return 0;
}
