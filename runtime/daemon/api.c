/* The handlers' side of api.h: the query, the headers, the answers (made here, queued by
 * server.c's access handler from the connection's thread) and the stream writers. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "daemon/dlog.h"
#include "daemon/server.h"
#include "engine/rt_error.h"

const char *api_query(const struct api_req *r, const char *key)
{
	const struct api_conn *c = r->conn;

	for (size_t i = 0; c && i < c->n_query; i++)
		if (!strcmp(c->query[i].key, key))
			return c->query[i].value ? c->query[i].value : "";
	return NULL;
}

size_t api_query_all(const struct api_req *r, const char *key, const char **ret, size_t max)
{
	const struct api_conn *c = r->conn;
	size_t n = 0;

	/* MHD lists a repeated key once per occurrence, in the order sent. */
	for (size_t i = 0; c && i < c->n_query && n < max; i++)
		if (!strcmp(c->query[i].key, key))
			ret[n++] = c->query[i].value ? c->query[i].value : "";
	return n;
}

int api_parse_bool(const char *v, bool dflt, bool *ret)
{
	if (!v) {
		*ret = dflt;
		return 0;
	}
	/* Docker's httputils.BoolValue: "" (a bare key), 1, true, True are true, 0,
	 * false, False false. */
	if (!strcmp(v, "") || !strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "True")) {
		*ret = true;
		return 0;
	}
	if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "False")) {
		*ret = false;
		return 0;
	}
	return -EINVAL;
}

int api_parse_long(const char *v, long dflt, long *ret)
{
	char *end;
	long n;

	if (!v) {
		*ret = dflt;
		return 0;
	}
	if (!*v || (*v != '-' && (*v < '0' || *v > '9')))
		return -EINVAL;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*ret = n;
	return 0;
}

int api_query_bool(const struct api_req *r, const char *key, bool dflt, bool *ret)
{
	return api_parse_bool(api_query(r, key), dflt, ret);
}

int api_query_long(const struct api_req *r, const char *key, long dflt, long *ret)
{
	return api_parse_long(api_query(r, key), dflt, ret);
}

const char *api_header(const struct api_req *r, const char *name)
{
	const struct api_conn *c = r->conn;

	for (size_t i = 0; c && i < c->n_headers; i++)
		if (!strcasecmp(c->headers[i].key, name))
			return c->headers[i].value ? c->headers[i].value : "";
	return NULL;
}

int api_conn_set_response(struct api_conn *c, unsigned status, struct MHD_Response *resp)
{
	int r = 0;

	if (!resp)
		return -ENOMEM;
	pthread_mutex_lock(&c->lock);
	if (c->replied) {
		/* A handler answers once; a second answer is a bug in it, not the client's
		 * problem: keep the first. */
		r = -EALREADY;
	} else {
		c->resp = resp;
		c->status = status;
		c->replied = true;
		pthread_cond_broadcast(&c->cond);
	}
	pthread_mutex_unlock(&c->lock);
	if (r < 0) {
		dlog_error("%s %s: a second answer (%u) dropped", c->req.method, c->req.path, status);
		MHD_destroy_response(resp);
	}
	return r;
}

int api_reply_data(struct api_req *r, unsigned status, const char *content_type, const void *buf, size_t len)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)buf,
								    len ? MHD_RESPMEM_MUST_COPY
									: MHD_RESPMEM_PERSISTENT);

	if (resp && content_type)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	return api_conn_set_response(r->conn, status, resp);
}

int api_reply_json(struct api_req *r, unsigned status, json_t *body)
{
	char *text = body ? json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	struct MHD_Response *resp = NULL;
	size_t len;

	json_decref(body);
	if (!text)
		return api_reply_error(r, 500, "out of memory");
	/* Docker's encoder ends each JSON answer with a newline. */
	len = strlen(text);
	char *nl = realloc(text, len + 2);
	if (!nl) {
		free(text);
		return api_reply_error(r, 500, "out of memory");
	}
	nl[len++] = '\n';
	nl[len] = '\0';
	resp = MHD_create_response_from_buffer(len, nl, MHD_RESPMEM_MUST_FREE);
	if (!resp)
		free(nl);
	else
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	return api_conn_set_response(r->conn, status, resp);
}

int api_reply_empty(struct api_req *r, unsigned status)
{
	return api_reply_data(r, status, NULL, "", 0);
}

int api_reply_error(struct api_req *r, unsigned status, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (status >= 500)
		dlog_error("%s %s: %u %s", r->method, r->path, status, msg);
	json_t *body = json_pack("{s:s}", "message", msg);
	if (!body)
		return api_conn_set_response(r->conn, status,
					     MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT));
	return api_reply_json(r, status, body);
}

unsigned api_error_status(const struct nr_error *err)
{
	switch (err ? err->code : 0) {
	case RT_ERR_USAGE:
		return 400;
	case RT_ERR_NOT_FOUND:
		return 404;
	case RT_ERR_CONFLICT:
		return 409;
	default:
		return 500;
	}
}

int api_reply_nr_error(struct api_req *r, const struct nr_error *err)
{
	const char *msg = err && err->msg[0] ? err->msg : "internal error";

	return api_reply_error(r, api_error_status(err), "%s", msg);
}

int api_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };
			poll(&pfd, 1, -1);
			continue;
		}
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int api_write_frame(int fd, int stream, const void *buf, size_t len)
{
	unsigned char hdr[8] = { (unsigned char)stream, 0, 0, 0 };
	int r;

	if (len > UINT32_MAX)
		return -EMSGSIZE;
	hdr[4] = (unsigned char)(len >> 24);
	hdr[5] = (unsigned char)(len >> 16);
	hdr[6] = (unsigned char)(len >> 8);
	hdr[7] = (unsigned char)len;
	r = api_write_all(fd, hdr, sizeof(hdr));
	return r < 0 ? r : api_write_all(fd, buf, len);
}

int api_write_json_line(int fd, json_t *v)
{
	_cleanup_free_ char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	size_t len;

	if (!text)
		return -ENOMEM;
	len = strlen(text);
	text[len] = '\n'; /* over the NUL: the buffer is written by length */
	return api_write_all(fd, text, len + 1);
}
