/* The server's side of api.h: what server.c, api.c, router.c and listen.c share, and
 * what their tests reach.  Handlers never include this (nor <microhttpd.h>). */
#ifndef NETNS_RUN_DAEMON_SERVER_H
#define NETNS_RUN_DAEMON_SERVER_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "daemon/api.h"
#include "daemon/routes.h"

/* One key=value of the query string or one request header; MHD owns the strings for the
 * request's lifetime.  value NULL: a bare key ("?all"). */
struct api_kv {
	const char *key, *value;
};

#define API_KV_MAX 64

struct api_conn {
	struct MHD_Connection *mc; /* NULL in unit tests */
	const struct api_route *route;
	struct api_req req;
	const char *url; /* as the client sent it (decoded), for the log */
	char *path_buf;  /* the path the params point into */
	struct api_kv query[API_KV_MAX], headers[API_KV_MAX];
	size_t n_query, n_headers;
	/* API_BODY_WHOLE */
	char *body;
	size_t body_len;
	bool body_too_big;
	size_t discarded; /* body bytes dropped after an early refusal */
	size_t body_seen; /* body bytes received, kept or dropped (the deadline's pace) */
	/* The answer, made by api_reply_* (from the handler's thread) and queued by the
	 * connection's thread in the access handler. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct MHD_Response *resp;
	unsigned status;
	bool replied;
	bool handled; /* the handler ran (or the answer was decided without it) */
	/* API_BODY_STREAM: our end of the body's socketpair, the handler's thread */
	int body_wr;
	bool body_aborted;
	pthread_t worker;
	bool worker_started, worker_done;
	struct timespec start;
	bool queued;
	bool hijacked;
	bool http11; /* the request is HTTP/1.1 (or later): the only kind MHD upgrades */
	/* api_reply_hijack's session until MHD hands the socket over (hijack_upgraded takes
	 * it); a connection that ends before that (the client left before the 101) frees it
	 * with server_hijack_drop, so that its context (an attach's monitor socket, an exec's
	 * claim) is not lost. */
	void *hijack;
};

/* router.c.  The API version a path asks for: "/v1.41/containers/json" gives 41 and
 * *ret_rest "/containers/json"; an unversioned path API_VERSION_MAX's minor and itself.
 * ver (at least 16 bytes) receives the version as given, for messages. */
enum api_version_check {
	API_VERSION_OK,
	API_VERSION_TOO_OLD, /* below API_VERSION_MIN: Docker's 400 "client version … is too old" */
	API_VERSION_TOO_NEW, /* above API_VERSION_MAX */
	API_VERSION_BAD,     /* "/v" and not a version: not a path we serve (404) */
};
enum api_version_check api_path_version(const char *path, int *ret_minor, const char **ret_rest, char ver[16]);
/* Whether a (decoded) path is one the router may look up: absolute, no "." or ".."
 * segment, no empty segment but a trailing one, no NUL, bounded length. */
bool api_path_clean(const char *path);

/* api.c */
int api_parse_bool(const char *v, bool dflt, bool *ret);
int api_parse_long(const char *v, long dflt, long *ret);
/* The status an engine error maps to. */
unsigned api_error_status(const struct nr_error *err);
/* Queue the answer made for c (from the connection's thread). */
int api_conn_set_response(struct api_conn *c, unsigned status, struct MHD_Response *resp);

/* server_stream.c: free a hijack that never happened (its free_ctx runs). */
void server_hijack_drop(void *hijack);

/* server.c: the hijacked sockets and the streams still running, cut at shutdown. */
void server_track_sock(int sock, bool add);
/* An eventfd that becomes readable when the daemon stops (streams poll it). */
int server_stop_fd(void);
/* server_watch.c: the deadline for each request's headers (slow clients).  init starts
 * the watchdog; notify is MHD's MHD_OPTION_NOTIFY_CONNECTION; busy marks a connection
 * past its headers (true) or back to awaiting the next request (false); hijacked
 * connections stay busy for good. */
void server_watch_init(unsigned timeout);
void server_watch_notify(void *cls, struct MHD_Connection *mc, void **socket_context,
			 enum MHD_ConnectionNotificationCode toe);
void server_watch_busy(struct MHD_Connection *mc, bool busy);
/* Push a connection's deadline back (a body arriving at a fair pace: server.c). */
void server_watch_extend(struct MHD_Connection *mc, unsigned seconds);
/* A body earns a second of its deadline per this many bytes: a client sending at least
 * that fast (64 KiB/s) is never cut, a trickle is. */
#define SERVER_BODY_RATE (64 * 1024)
/* Shut down every connection's socket (at the end of shutdown's grace period): a stream
 * whose client stopped reading would otherwise keep MHD's thread waiting to write, and
 * MHD_stop_daemon waiting for it. */
void server_watch_cut_all(void);
/* The access handler and the completion callback for every listener. */
enum MHD_Result server_access(void *cls, struct MHD_Connection *mc, const char *url, const char *method,
			      const char *version, const char *upload_data, size_t *upload_data_size, void **req_cls);
void server_completed(void *cls, struct MHD_Connection *mc, void **req_cls, enum MHD_RequestTerminationCode toe);

#endif
