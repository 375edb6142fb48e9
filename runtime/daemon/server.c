/* libmicrohttpd's side of a request: the access handler routes it, reads its body as its
 * route says, runs its handler and queues the answer the handler made (api.c); the
 * completion callback logs it and frees what it held.  Every MHD callback of a
 * connection runs in that connection's own thread (MHD_USE_THREAD_PER_CONNECTION). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "daemon/dlog.h"
#include "daemon/server.h"
#include "daemon/server_body.h"
#include "daemon/server_run.h"

/* ---- what shutdown must reach ------------------------------------------------------- */

static pthread_mutex_t track_lock = PTHREAD_MUTEX_INITIALIZER;
static int *tracked; /* hijacked sockets, under track_lock */
static size_t n_tracked, cap_tracked;
static int stop_fd = -1;
static pthread_once_t stop_once = PTHREAD_ONCE_INIT;
static long in_flight; /* requests between their first call and completion; under track_lock */

static void stop_fd_make(void)
{
	stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

int server_stop_fd(void)
{
	pthread_once(&stop_once, stop_fd_make);
	return stop_fd;
}

void server_track_sock(int sock, bool add)
{
	pthread_mutex_lock(&track_lock);
	if (add) {
		if (n_tracked == cap_tracked) {
			size_t cap = cap_tracked ? cap_tracked * 2 : 16;
			int *t = realloc(tracked, cap * sizeof(*t));
			if (t) {
				tracked = t;
				cap_tracked = cap;
			}
		}
		if (n_tracked < cap_tracked)
			tracked[n_tracked++] = sock;
	} else {
		for (size_t i = 0; i < n_tracked; i++)
			if (tracked[i] == sock) {
				tracked[i] = tracked[--n_tracked];
				break;
			}
	}
	pthread_mutex_unlock(&track_lock);
}

long server_in_flight(void)
{
	pthread_mutex_lock(&track_lock);
	long n = in_flight;
	pthread_mutex_unlock(&track_lock);
	return n;
}

void server_cut_all(void)
{
	uint64_t one = 1;

	if (write(server_stop_fd(), &one, sizeof(one)) < 0) {
		/* already signalled */
	}
	pthread_mutex_lock(&track_lock);
	for (size_t i = 0; i < n_tracked; i++)
		shutdown(tracked[i], SHUT_RDWR);
	pthread_mutex_unlock(&track_lock);
	server_watch_cut_all();
}

/* ---- a request ---------------------------------------------------------------------- */

static enum MHD_Result collect_kv(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct api_conn *c = cls;
	struct api_kv *kv = kind == MHD_GET_ARGUMENT_KIND ? c->query : c->headers;
	size_t *n = kind == MHD_GET_ARGUMENT_KIND ? &c->n_query : &c->n_headers;

	/* More than API_KV_MAX: the rest is not looked at (no handler takes that many). */
	if (*n < API_KV_MAX)
		kv[(*n)++] = (struct api_kv){ key, value };
	return MHD_YES;
}

static struct api_conn *conn_new(struct MHD_Connection *mc, const char *method, const char *url, const char *version)
{
	struct api_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->cond, NULL);
	clock_gettime(CLOCK_MONOTONIC, &c->start);
	c->mc = mc;
	c->body_wr = -1;
	c->req.body_fd = -1;
	c->req.method = method;
	c->req.path = url;
	c->url = url;
	c->req.conn = c;
	c->req.body = "";
	c->http11 = version && strcmp(version, MHD_HTTP_VERSION_1_0) != 0 && strncmp(version, "HTTP/0.", 7) != 0;
	return c;
}

static void conn_free(struct api_conn *c)
{
	if (c->body_wr >= 0)
		body_pipe_close(c->body_wr, false);
	if (c->worker_started)
		pthread_join(c->worker, NULL);
	if (c->resp && !c->queued)
		MHD_destroy_response(c->resp);
	if (c->hijack)
		server_hijack_drop(c->hijack);
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->cond);
	free(c->path_buf);
	free(c->body);
	free(c);
}

/* Answer without running a handler (routing errors, body limits). */
#define conn_refuse(c, status, ...)                                \
	do {                                                       \
		api_reply_error(&(c)->req, (status), __VA_ARGS__); \
		(c)->handled = true;                               \
	} while (0)

/* Route the request: the version prefix, the table; a refusal is answered at once. */
static void conn_route(struct api_conn *c, const char *method, const char *url)
{
	const char *rest;
	char ver[16];
	size_t n_params;
	unsigned status;

	switch (api_path_version(url, &c->req.version_minor, &rest, ver)) {
	case API_VERSION_TOO_OLD:
		conn_refuse(c, 400,
			    "client version %s is too old. Minimum supported API version is %s, please upgrade your "
			    "client to a newer version",
			    ver, API_VERSION_MIN);
		return;
	case API_VERSION_TOO_NEW:
		conn_refuse(c, 400, "client version %s is too new. Maximum supported API version is %s", ver,
			    API_VERSION_MAX);
		return;
	case API_VERSION_BAD:
		rest = url;
		break;
	case API_VERSION_OK:
		break;
	}
	c->req.path = rest;
	c->path_buf = strdup(rest);
	if (!c->path_buf) {
		conn_refuse(c, 500, "out of memory");
		return;
	}
	c->route = api_route_find(method, c->path_buf, c->req.params, &n_params, &status);
	if (!c->route) {
		/* Docker answers a known path with the wrong method as it answers an unknown
		 * one (its router's MethodNotAllowedHandler is its NotFoundHandler). */
		conn_refuse(c, 404, "page not found: %s %s is not implemented by netns-run", method, rest);
		return;
	}
	const char *keys[API_KV_MAX], *unknown;
	for (size_t i = 0; i < c->n_query; i++)
		keys[i] = c->query[i].key;
	if ((unknown = api_route_query_unknown(c->route, keys, c->n_query)))
		conn_refuse(c, 400, "unknown query parameter for %s %s: %s", method, rest, unknown);
}

static void *stream_worker(void *arg)
{
	struct api_conn *c = arg;
	int r = c->route->fn(&c->req);

	close(c->req.body_fd);
	c->req.body_fd = -1;
	pthread_mutex_lock(&c->lock);
	if (r < 0 && !c->replied)
		dlog_error("%s %s: the handler failed (%s) without answering", c->req.method, c->req.path,
			   strerror(-r));
	c->worker_done = true;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

static void conn_start_stream(struct api_conn *c)
{
	int sv[2], r = body_pipe_open(sv);

	if (r == 0) {
		c->req.body_fd = sv[0];
		c->body_wr = sv[1];
		/* An upload's pace is the handler's (unpacking a layer): not a slow client. */
		MHD_set_connection_option(c->mc, MHD_CONNECTION_OPTION_TIMEOUT, 0u);
		r = -pthread_create(&c->worker, NULL, stream_worker, c);
		if (r == 0) {
			c->worker_started = true;
			return;
		}
		close(sv[0]);
		close(sv[1]);
		c->req.body_fd = c->body_wr = -1;
	}
	conn_refuse(c, 500, "cannot take the body: %s", strerror(-r));
}

static enum MHD_Result conn_queue(struct api_conn *c)
{
	enum MHD_Result ok;

	if (!c->replied)
		api_reply_error(&c->req, 500, "%s %s: the handler gave no answer", c->req.method, c->req.path);
	if (!c->resp)
		return MHD_NO;
	c->queued = true;
	server_response_headers(c->resp);
	ok = MHD_queue_response(c->mc, c->status, c->resp);
	MHD_destroy_response(c->resp); /* MHD holds its own reference */
	if (ok != MHD_YES)
		dlog_warn("%s %s: the answer (%u) could not be queued", c->req.method, c->req.path, c->status);
	return ok;
}

enum MHD_Result server_access(void *cls, struct MHD_Connection *mc, const char *url, const char *method,
			      const char *version, const char *upload_data, size_t *upload_data_size, void **req_cls)
{
	struct api_conn *c = *req_cls;
	const struct server_listener *l = cls;

	if (!c) {
		/* The headers are in. */
		c = conn_new(mc, method, url, version);
		if (!c)
			return MHD_NO;
		*req_cls = c;
		/* The body (and, for a refused request, the rest of it, which is dropped) gets a
		 * deadline of its own: a client dribbling a JSON body is cut as one dribbling
		 * its headers is (unless it keeps a fair pace: SERVER_BODY_RATE).  An upload
		 * is paced by its handler, not by the client: never cut.  The handler's run is
		 * not the client's doing either: busy from there on. */
		server_watch_busy(mc, false);
		pthread_mutex_lock(&track_lock);
		in_flight++;
		pthread_mutex_unlock(&track_lock);
		MHD_get_connection_values(mc, MHD_GET_ARGUMENT_KIND, collect_kv, c);
		MHD_get_connection_values(mc, MHD_HEADER_KIND, collect_kv, c);
		if (l && !server_client_allowed(l, mc)) {
			conn_refuse(c, 403, "a client certificate signed by the --tlscacert is required");
			return conn_queue(c);
		}
		conn_route(c, method, url);
		if (!c->handled && c->route->body == API_BODY_WHOLE) {
			const char *cl = MHD_lookup_connection_value(mc, MHD_HEADER_KIND,
								     MHD_HTTP_HEADER_CONTENT_LENGTH);
			/* Known too big: refused before a byte is read (and before "100 Continue"). */
			if (cl && strtoull(cl, NULL, 10) > API_BODY_MAX)
				c->body_too_big = true;
		}
		if (!c->handled && c->route->body == API_BODY_STREAM) {
			server_watch_busy(mc, true);
			conn_start_stream(c);
		}
		if (c->body_too_big) {
			conn_refuse(c, 413, "request body too large: at most %d bytes", API_BODY_MAX);
			return conn_queue(c);
		}
		if (c->handled)
			return conn_queue(c);
		return MHD_YES;
	}
	if (c->queued) {
		/* Answered early: what still comes is dropped. */
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		/* A body coming at a fair pace is not a slow client, however big it is (a
		 * refused one is read to its end too). */
		size_t before = c->body_seen / SERVER_BODY_RATE;
		c->body_seen += n;
		if (c->body_seen / SERVER_BODY_RATE > before)
			server_watch_extend(mc, (unsigned)(c->body_seen / SERVER_BODY_RATE - before));
		if (c->handled || !c->route) {
			/* Answered already (413, a refusal): MHD lets an answer be queued only
			 * once the body is in, so the rest is read and dropped, up to a bound
			 * past which the connection is cut. */
			c->discarded += n;
			return c->discarded > 4 * (size_t)API_BODY_MAX ? MHD_NO : MHD_YES;
		}
		switch (c->route->body) {
		case API_BODY_NONE:
			/* A body nobody reads is dropped, within the same bound. */
			c->discarded += n;
			if (c->discarded > 4 * (size_t)API_BODY_MAX)
				return MHD_NO;
			break;
		case API_BODY_WHOLE:
			if (c->body_len + n > API_BODY_MAX) {
				/* Never buffered beyond the limit. */
				free(c->body);
				c->body = NULL;
				c->body_len = 0;
				conn_refuse(c, 413, "request body too large: at most %d bytes", API_BODY_MAX);
				break;
			}
			char *b = realloc(c->body, c->body_len + n + 1);
			if (!b) {
				free(c->body);
				c->body = NULL;
				c->body_len = 0;
				conn_refuse(c, 500, "out of memory");
				break;
			}
			memcpy(b + c->body_len, upload_data, n);
			c->body = b;
			c->body_len += n;
			b[c->body_len] = '\0';
			break;
		case API_BODY_STREAM:
			if (c->body_wr >= 0 && body_pipe_write(c->body_wr, upload_data, n) < 0) {
				/* The handler stopped reading: it has what it wants; the rest is
				 * dropped as it comes. */
				body_pipe_close(c->body_wr, true);
				c->body_wr = -1;
			}
			break;
		}
		return MHD_YES;
	}
	/* The whole request is in. */
	server_watch_busy(mc, true);
	if (!c->handled) {
		c->handled = true;
		if (c->route->body == API_BODY_STREAM) {
			if (c->body_wr >= 0)
				body_pipe_close(c->body_wr, true);
			c->body_wr = -1;
			pthread_mutex_lock(&c->lock);
			while (!c->replied && !c->worker_done)
				pthread_cond_wait(&c->cond, &c->lock);
			pthread_mutex_unlock(&c->lock);
		} else {
			if (c->route->body == API_BODY_WHOLE && c->body) {
				c->req.body = c->body;
				c->req.body_len = c->body_len;
			}
			int r = c->route->fn(&c->req);
			if (r < 0 && !c->replied)
				dlog_error("%s %s: the handler failed (%s) without answering", method, c->req.path,
					   strerror(-r));
		}
	}
	return conn_queue(c);
}

void server_completed(void *cls, struct MHD_Connection *mc, void **req_cls, enum MHD_RequestTerminationCode toe)
{
	struct api_conn *c = *req_cls;
	struct timespec now;

	if (!c)
		return;
	*req_cls = NULL;
	if (c->body_wr >= 0) {
		/* The client left mid-upload: the handler's reads fail, it rolls back. */
		body_pipe_close(c->body_wr, false);
		c->body_wr = -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (dlog_debug_enabled()) {
		double ms = (double)(now.tv_sec - c->start.tv_sec) * 1e3 +
			    (double)(now.tv_nsec - c->start.tv_nsec) / 1e6;
		dlog_debug("%s %s %u %.1fms%s", c->req.method, c->url, c->status, ms,
			   toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (cut)");
	}
	/* The next request on this connection has its own deadline for its headers; a
	 * hijacked one is not waiting for any. */
	if (!c->hijacked)
		server_watch_busy(mc, false);
	conn_free(c);
	pthread_mutex_lock(&track_lock);
	in_flight--;
	pthread_mutex_unlock(&track_lock);
}
