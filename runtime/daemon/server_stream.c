/* Streamed answers (api_reply_stream) and hijacked connections (api_reply_hijack). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/dlog.h"
#include "daemon/server.h"

/* ---- streams ------------------------------------------------------------------------ */

struct stream_reader {
	int rd;     /* the pipe fn's thread writes */
	int client; /* the connection's socket, watched for the client going away */
};

struct stream_writer {
	int wr;
	api_stream_fn fn;
	void *ctx;
	void (*free_ctx)(void *);
};

/* MHD's reader.  With MHD's internal threads a reader may not answer "0 bytes, ask
 * again" (microhttpd.h: it would spin), so it blocks here until fn wrote something, fn
 * ended (EOF: the end of the answer), the client left, or the daemon stops. */
static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream_reader *s = cls;
	struct pollfd pfd[3] = {
		{ .fd = s->rd, .events = POLLIN },
		/* POLLRDHUP: the peer closed (or shut down its side); a client of a stream
		 * sends nothing more, so that means it left. */
		{ .fd = s->client, .events = POLLRDHUP },
		{ .fd = server_stop_fd(), .events = POLLIN },
	};

	for (;;) {
		int n = poll(pfd, 3, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return MHD_CONTENT_READER_END_WITH_ERROR;
		if (pfd[0].revents) {
			ssize_t got = read(s->rd, buf, max);
			if (got < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (got > 0)
				return got;
			return got == 0 ? MHD_CONTENT_READER_END_OF_STREAM : MHD_CONTENT_READER_END_WITH_ERROR;
		}
		/* The client left, or the daemon stops: closing rd makes fn's next write fail
		 * with EPIPE, and fn returns. */
		if (pfd[1].revents || pfd[2].revents)
			return MHD_CONTENT_READER_END_WITH_ERROR;
	}
}

static void stream_reader_free(void *cls)
{
	struct stream_reader *s = cls;

	close(s->rd);
	free(s);
}

static void *stream_thread(void *arg)
{
	struct stream_writer *w = arg;

	w->fn(w->wr, w->ctx);
	close(w->wr);
	if (w->free_ctx)
		w->free_ctx(w->ctx);
	free(w);
	return NULL;
}

/* Start fn(arg) in a detached thread. */
static int thread_detached(void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	pthread_t t;
	int r;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	r = pthread_create(&t, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	return -r;
}

static int conn_fd(struct api_conn *c)
{
	const union MHD_ConnectionInfo *ci = c->mc ? MHD_get_connection_info(c->mc, MHD_CONNECTION_INFO_CONNECTION_FD)
						   : NULL;

	return ci ? ci->connect_fd : -1;
}

/* A stream or a hijack is not cut by the idle timeout meant for slow clients. */
static void conn_no_timeout(struct api_conn *c)
{
	if (c->mc)
		MHD_set_connection_option(c->mc, MHD_CONNECTION_OPTION_TIMEOUT, 0u);
}

int api_reply_stream(struct api_req *r, unsigned status, const char *content_type, api_stream_fn fn, void *ctx,
		     void (*free_ctx)(void *))
{
	struct api_conn *c = r->conn;
	struct stream_reader *rd = NULL;
	struct stream_writer *w = NULL;
	struct MHD_Response *resp;
	int p[2] = { -1, -1 }, ret = -ENOMEM;

	if (pipe2(p, O_CLOEXEC) < 0) {
		ret = -errno;
		goto fail;
	}
	rd = calloc(1, sizeof(*rd));
	w = calloc(1, sizeof(*w));
	if (!rd || !w)
		goto fail;
	*rd = (struct stream_reader){ .rd = p[0], .client = conn_fd(c) };
	*w = (struct stream_writer){ .wr = p[1], .fn = fn, .ctx = ctx, .free_ctx = free_ctx };
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, stream_read, rd, stream_reader_free);
	if (!resp)
		goto fail;
	p[0] = -1; /* the response owns the reader now */
	rd = NULL;
	if (content_type)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	conn_no_timeout(c);
	ret = api_conn_set_response(c, status, resp);
	if (ret < 0) {
		close(p[1]);
		free(w);
		if (free_ctx)
			free_ctx(ctx);
		return ret;
	}
	ret = thread_detached(stream_thread, w);
	if (ret < 0) {
		/* The answer is queued: it ends at once, with no body. */
		dlog_error("%s %s: no thread for the stream: %s", r->method, r->path, strerror(-ret));
		close(p[1]);
		free(w);
		if (free_ctx)
			free_ctx(ctx);
	}
	return 0;
fail:
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	free(rd);
	free(w);
	if (free_ctx)
		free_ctx(ctx);
	return api_reply_error(r, 500, "cannot set up the stream: %s", strerror(-ret));
}

/* ---- hijack ------------------------------------------------------------------------- */

struct hijack {
	api_hijack_fn fn;
	void *ctx;
	void (*free_ctx)(void *);
	/* set by the upgrade callback */
	int sock;
	struct MHD_UpgradeResponseHandle *urh;
	char *extra;
	size_t n_extra;
	int inner; /* the relay's end when there were extra bytes */
};

/* Bytes the client sent right after its request's headers reach MHD with the headers;
 * MHD hands them over apart from the socket.  fn must read them first, so then fn gets
 * one end of a socketpair and this relay (in its own thread) writes them, then copies
 * both ways, passing each direction's half-close on.  It ends when fn closed its end or
 * the client cannot be written to. */
static void *hijack_relay(void *arg)
{
	struct hijack *h = arg;
	int a = h->sock, b = h->inner;
	bool a_eof = false, b_eof = false;
	char buf[32 * 1024];

	if (api_write_all(b, h->extra, h->n_extra) < 0)
		goto out;
	for (;;) {
		/* After fn's half-close only its full close (POLLHUP) is awaited on b. */
		struct pollfd pfd[2] = { { .fd = a, .events = a_eof ? 0 : POLLIN },
					 { .fd = b, .events = b_eof ? 0 : POLLIN } };
		ssize_t n;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (!a_eof && pfd[0].revents) {
			n = read(a, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				a_eof = true;
				shutdown(b, SHUT_WR);
			} else if (api_write_all(b, buf, (size_t)n) < 0) {
				break;
			}
		}
		if (b_eof) {
			if (pfd[1].revents & (POLLHUP | POLLERR))
				break;
			continue;
		}
		if (pfd[1].revents) {
			n = read(b, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				break;
			if (n == 0) {
				b_eof = true;
				shutdown(a, SHUT_WR);
				if (pfd[1].revents & POLLHUP)
					break; /* fn closed, not only half-closed */
			} else if (api_write_all(a, buf, (size_t)n) < 0) {
				break;
			}
		}
	}
out:
	close(b);
	return NULL;
}

static void *hijack_thread(void *arg)
{
	struct hijack *h = arg;
	pthread_t relay;
	bool relayed = false;
	int fd = h->sock;

	server_track_sock(h->sock, true);
	/* MHD's sockets are non-blocking; fn (and the relay) read and write blocking. */
	int fl = fcntl(h->sock, F_GETFL);
	if (fl >= 0)
		fcntl(h->sock, F_SETFL, fl & ~O_NONBLOCK);
	if (h->n_extra) {
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0) {
			h->inner = sv[1];
			if (pthread_create(&relay, NULL, hijack_relay, h) == 0) {
				relayed = true;
				fd = sv[0];
			} else {
				close(sv[0]);
				close(sv[1]);
			}
		}
		if (!relayed)
			dlog_warn("hijack: %zu bytes sent early by the client are lost (no relay)", h->n_extra);
	}
	h->fn(fd, h->ctx);
	if (relayed) {
		close(fd);
		pthread_join(relay, NULL);
	}
	server_track_sock(h->sock, false);
	MHD_upgrade_action(h->urh, MHD_UPGRADE_ACTION_CLOSE);
	server_hijack_drop(h);
	return NULL;
}

static void hijack_upgraded(void *cls, struct MHD_Connection *mc, void *req_cls, const char *extra_in,
			    size_t extra_in_size, MHD_socket sock, struct MHD_UpgradeResponseHandle *urh)
{
	struct hijack *h = cls;
	struct api_conn *c = req_cls;

	/* From here on h is the session's (the connection's thread is the only one that
	 * reads c->hijack: no lock). */
	if (c)
		c->hijack = NULL;
	h->sock = sock;
	h->urh = urh;
	if (extra_in_size) {
		h->extra = malloc(extra_in_size);
		if (h->extra) {
			memcpy(h->extra, extra_in, extra_in_size);
			h->n_extra = extra_in_size;
		}
	}
	/* fn blocks for as long as the session lasts; MHD's connection thread must go back
	 * to its loop (it forwards TLS for the upgraded socket). */
	if (thread_detached(hijack_thread, h) < 0) {
		dlog_error("hijack: no thread: closing the connection");
		MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
		server_hijack_drop(h);
	}
}

void server_hijack_drop(void *p)
{
	struct hijack *h = p;

	if (h->free_ctx)
		h->free_ctx(h->ctx);
	free(h->extra);
	free(h);
}

bool api_hijack_asked(const struct api_req *r)
{
	const char *up = api_header(r, MHD_HTTP_HEADER_UPGRADE);

	return r->conn && r->conn->http11 && up && *up;
}

int api_reply_no_hijack(struct api_req *r)
{
	return api_reply_error(r, 400,
			       "%s hijacks the connection: send it over HTTP/1.1 with the headers Connection: Upgrade "
			       "and Upgrade: tcp (as the docker CLI does)",
			       r->path);
}

int api_reply_hijack(struct api_req *r, const char *content_type, api_hijack_fn fn, void *ctx, void (*free_ctx)(void *))
{
	struct hijack *h = NULL;
	struct MHD_Response *resp;
	int ret;

	if (!api_hijack_asked(r)) {
		if (free_ctx)
			free_ctx(ctx);
		return api_reply_no_hijack(r);
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		if (free_ctx)
			free_ctx(ctx);
		return api_reply_error(r, 500, "out of memory");
	}
	*h = (struct hijack){ .fn = fn, .ctx = ctx, .free_ctx = free_ctx, .sock = -1, .inner = -1 };
	resp = MHD_create_response_for_upgrade(hijack_upgraded, h);
	if (!resp) {
		free(h);
		if (free_ctx)
			free_ctx(ctx);
		return api_reply_error(r, 500, "cannot upgrade the connection");
	}
	/* MHD_create_response_for_upgrade has put "Connection: Upgrade" already (a second
	 * one would go out as "Upgrade, Upgrade"). */
	MHD_add_response_header(resp, MHD_HTTP_HEADER_UPGRADE, "tcp");
	if (content_type)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	ret = api_conn_set_response(r->conn, MHD_HTTP_SWITCHING_PROTOCOLS, resp);
	if (ret < 0) {
		free(h);
		if (free_ctx)
			free_ctx(ctx);
		return ret;
	}
	conn_no_timeout(r->conn);
	r->conn->hijacked = true;
	/* The connection holds h until the upgrade: if it never happens (the client left
	 * before the 101, or MHD would not queue it), MHD destroys the response without
	 * calling hijack_upgraded, and conn_free drops h (and ctx) instead. */
	r->conn->hijack = h;
	return 0;
}
