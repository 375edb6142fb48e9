/* The daemon's HTTP side as its handlers see it (issue 18): a request, already routed,
 * and the ways to answer it.  server.c owns libmicrohttpd; no handler includes
 * <microhttpd.h>.  Every handler answers exactly once, through one api_reply_* call, and
 * returns what that call returned (negative: the server answers 500 itself if nothing
 * was queued). */
#ifndef NETNS_RUN_DAEMON_API_H
#define NETNS_RUN_DAEMON_API_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

/* The API versions we serve: /v1.41/… up to /v1.50/… (the docker 28 CLI's cap), and
 * unversioned paths (the newest). */
#define API_VERSION_MIN "1.41"
#define API_VERSION_MAX "1.50"

/* A JSON (or other small) request body is read whole, up to this; bigger: 413. */
#define API_BODY_MAX (4 << 20)

#define API_PARAMS_MAX 2

struct api_conn; /* server.c's: the connection under the request */

struct api_req {
	const char *method;                 /* "GET", "HEAD", "POST", "PUT", "DELETE" */
	const char *path;                   /* without "/vX.Y", decoded: "/containers/web/start" */
	int version_minor;                  /* 41..50: the path's, or 50 for an unversioned path */
	const char *params[API_PARAMS_MAX]; /* the route's {placeholders}, in order */
	/* API_BODY_WHOLE routes: the body, NUL-terminated (len 0 when none). */
	const char *body;
	size_t body_len;
	/* API_BODY_STREAM routes: the body as it arrives, read from this descriptor until EOF
	 * (a client that goes away mid-upload: EOF early, or an error).  -1 otherwise. */
	int body_fd;
	struct api_conn *conn;
};

/* The query string's value of key (decoded); NULL when absent. */
const char *api_query(const struct api_req *r, const char *key);
/* Every value of a repeated key (?names=a&names=b, ?changes=…), in order, into ret (at
 * most max); how many.  (Added for save's names and import's and commit's changes; a
 * weak stand-in in query_all_weak.c answers api_query's one value until the server
 * defines it.) */
size_t api_query_all(const struct api_req *r, const char *key, const char **ret, size_t max);
/* Docker's booleans: "1", "true", "True" (and "" for a bare key) are true; "0",
 * "false", "False" false; absent: dflt.  Anything else: -EINVAL. */
int api_query_bool(const struct api_req *r, const char *key, bool dflt, bool *ret);
/* A decimal integer; absent: dflt.  -EINVAL on garbage. */
int api_query_long(const struct api_req *r, const char *key, long dflt, long *ret);
/* A request header (case-insensitive name); NULL when absent. */
const char *api_header(const struct api_req *r, const char *name);

/* Answers.  body is stolen (freed by the call, even on failure). */
int api_reply_json(struct api_req *r, unsigned status, json_t *body);
int api_reply_data(struct api_req *r, unsigned status, const char *content_type, const void *buf, size_t len);
/* 204 No Content, 304 Not Modified, 201 with no body … */
int api_reply_empty(struct api_req *r, unsigned status);
/* {"message": "…"} with status. */
int api_reply_error(struct api_req *r, unsigned status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* An engine error: its kind picks the status (RT_ERR_USAGE 400, RT_ERR_NOT_FOUND 404,
 * RT_ERR_CONFLICT 409, others and CNI codes 500), its message the body. */
int api_reply_nr_error(struct api_req *r, const struct nr_error *err);

/* A streamed answer (logs, events, stats, wait, load's progress, save's tar): the headers
 * go out at once; fn runs in a thread of its own and writes the body to out (a blocking
 * descriptor; a write failing with EPIPE means the client left: fn returns).  The answer
 * ends when fn returns.  free_ctx (may be NULL) is called on ctx afterwards, also when
 * the stream could not be set up. */
typedef void (*api_stream_fn)(int out, void *ctx);
int api_reply_stream(struct api_req *r, unsigned status, const char *content_type, api_stream_fn fn, void *ctx,
		     void (*free_ctx)(void *));

/* Docker's hijack (attach, exec start): "101 UPGRADED" with Connection: Upgrade,
 * Upgrade: tcp and content_type ("application/vnd.docker.raw-stream" with a tty,
 * "application/vnd.docker.multiplexed-stream" without).  fn then owns the raw
 * connection, sock, in a thread of its own: what the client sends is readable on it,
 * what fn writes reaches the client; shutdown(sock, SHUT_WR) half-closes.  The server
 * closes sock after fn returns; free_ctx as above. */
typedef void (*api_hijack_fn)(int sock, void *ctx);
int api_reply_hijack(struct api_req *r, const char *content_type, api_hijack_fn fn, void *ctx,
		     void (*free_ctx)(void *));
/* Whether the request asked for the hijack: HTTP/1.1 with an Upgrade header, as every
 * Docker client sends (Connection: Upgrade, Upgrade: tcp).  Docker answers a request
 * without it "200 OK" and the raw stream; libmicrohttpd can hand a socket over only with
 * a 101, which may answer only a request that asked to switch (RFC 9110, 7.8), so such a
 * request is refused: api_reply_hijack answers it 400 itself, and api_reply_no_hijack
 * lets a handler do so before it does anything. */
bool api_hijack_asked(const struct api_req *r);
int api_reply_no_hijack(struct api_req *r);

/* Docker's stream multiplexing (attach and logs without a tty): an 8-byte header
 * {stream, 0, 0, 0, size as 32-bit big-endian} before each chunk; stream 0 stdin, 1
 * stdout, 2 stderr, 3 systemerr.  Writes it all (or -errno). */
int api_write_frame(int fd, int stream, const void *buf, size_t len);
/* Write all of buf (or -errno), as a stream's or hijack's body. */
int api_write_all(int fd, const void *buf, size_t len);
/* One JSON value followed by "\n" (events, stats, load's progress). */
int api_write_json_line(int fd, json_t *v);

#endif
