/* The body's socketpair (server_body.h).  A pipe could only say EOF, and a truncated
 * upload must not look like a whole one; a stream socket can say more.  Closing a unix
 * stream socket whose own receive queue still holds data makes its peer's reads fail
 * with ECONNRESET once the peer has read what was sent (unix_release_sock() sets
 * sk_err; unix_stream_read_generic() reports it only when its queue is empty).  So at
 * the start the handler's end sends one byte to ours, which we leave unread: we read it
 * just before a clean close, and leave it there for a close that means "cut". */
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/server_body.h"

int body_pipe_open(int ret[2])
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	if (send(sv[0], "", 1, MSG_NOSIGNAL) != 1) {
		int r = -errno;
		close(sv[0]);
		close(sv[1]);
		return r;
	}
	shutdown(sv[0], SHUT_WR); /* the handler only reads */
	ret[0] = sv[0];
	ret[1] = sv[1];
	return 0;
}

int body_pipe_write(int wr, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = send(wr, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == ECONNRESET ? -EPIPE : -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

void body_pipe_close(int wr, bool complete)
{
	char c;

	if (complete)
		while (recv(wr, &c, 1, MSG_DONTWAIT) < 0 && errno == EINTR)
			;
	close(wr);
}
