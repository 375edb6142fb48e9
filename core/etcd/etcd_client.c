/* The client and its transport: one libcurl easy handle, reused so that its connection
 * to the member stays open between requests, and failover from member to member. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "etcd_http.h"
#include "etcd_json.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

/* curl_global_init is not safe against other threads using libcurl: once, before any handle. */
static void curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

void etcd_buf_free(struct etcd_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

int etcd_buf_append(struct etcd_buf *b, const void *data, size_t len)
{
	if (len > ETCD_MAX_RESPONSE - b->len)
		return -EFBIG;
	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;

		while (cap < b->len + len + 1)
			cap *= 2;
		if (!(p = realloc(b->data, cap)))
			return -ENOMEM;
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

static char *dup_opt(const char *s, bool *oom)
{
	char *d = s && *s ? strdup(s) : NULL;

	if (s && *s && !d)
		*oom = true;
	return d;
}

void etcd_client_free(struct etcd_client *c)
{
	if (!c)
		return;
	if (c->curl)
		curl_easy_cleanup(c->curl);
	curl_slist_free_all(c->headers);
	pthread_mutex_destroy(&c->lock);
	free(c->members);
	free(c->cacert);
	free(c->cert);
	free(c->key);
	free(c);
}

DEFINE_PTR_CLEANUP(etcd_client_freep, struct etcd_client *, etcd_client_free)

int etcd_client_new(const struct etcd_options *o, struct etcd_client **ret, struct nr_error *err)
{
	_cleanup_(etcd_client_freep) struct etcd_client *c = NULL;
	bool oom = false;
	int r;

	c = calloc(1, sizeof(*c));
	if (!c)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "etcd client: out of memory");
	pthread_mutex_init(&c->lock, NULL);
	if ((r = etcd_endpoints_parse(o->endpoints, o->tls, &c->members, &c->n, &c->tls, err)) < 0)
		return r;
	if ((o->cert && *o->cert) != (o->key && *o->key))
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				    "etcd client: a client certificate and its key go together (got only the %s)",
				    o->cert && *o->cert ? "certificate" : "key");
	/* Certificates over plain http would be ignored: the user meant https. */
	if (!c->tls && ((o->cert && *o->cert) || (o->cacert && *o->cacert)))
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				    "etcd client: certificates given for '%.200s', which is not https (etcds://)",
				    o->endpoints);
	c->cacert = dup_opt(o->cacert, &oom);
	c->cert = dup_opt(o->cert, &oom);
	c->key = dup_opt(o->key, &oom);
	c->connect_ms = o->connect_timeout_ms ? o->connect_timeout_ms : ETCD_CONNECT_TIMEOUT_MS;
	c->request_ms = o->request_timeout_ms ? o->request_timeout_ms : ETCD_REQUEST_TIMEOUT_MS;
	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK)
		return nr_error_set(err, CNI_ERR_INTERNAL, EIO, "etcd client: libcurl: %s",
				    curl_easy_strerror(curl_init_rc));
	c->headers = curl_slist_append(NULL, "Content-Type: application/json");
	/* No "Expect: 100-continue" on bodies over 1 KiB: a wait for an answer etcd never sends. */
	if (c->headers)
		c->headers = curl_slist_append(c->headers, "Expect:");
	c->curl = curl_easy_init();
	if (oom || !c->headers || !c->curl || etcd_http_setup(c, c->curl) < 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "etcd client: out of memory");
	*ret = TAKE_PTR(c);
	return 0;
}

const char *etcd_client_member(struct etcd_client *c)
{
	return c->members[atomic_load(&c->current) % c->n].name;
}

unsigned etcd_client_connections(struct etcd_client *c)
{
	unsigned n;

	pthread_mutex_lock(&c->lock);
	n = c->connections;
	pthread_mutex_unlock(&c->lock);
	return n;
}

int etcd_http_setup(struct etcd_client *c, CURL *h)
{
	CURLcode rc = CURLE_OK;

#define SET(opt, val)                                       \
	do {                                                \
		if (rc == CURLE_OK)                         \
			rc = curl_easy_setopt(h, opt, val); \
	} while (0)
	/* Timeouts are signals otherwise (SIGALRM around the resolver): wrong in a threaded agent. */
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	SET(CURLOPT_PROTOCOLS_STR, c->tls ? "https" : "http");
	SET(CURLOPT_CONNECTTIMEOUT_MS, c->connect_ms);
	SET(CURLOPT_HTTPHEADER, c->headers);
	SET(CURLOPT_POST, 1L);
	/* A proxy from the environment would stand between us and the members. */
	SET(CURLOPT_PROXY, "");
	SET(CURLOPT_TCP_NODELAY, 1L);
	if (c->tls) {
		SET(CURLOPT_SSL_VERIFYPEER, 1L);
		SET(CURLOPT_SSL_VERIFYHOST, 2L);
		if (c->cacert)
			SET(CURLOPT_CAINFO, c->cacert);
		if (c->cert) {
			SET(CURLOPT_SSLCERT, c->cert);
			SET(CURLOPT_SSLCERTTYPE, "PEM");
			SET(CURLOPT_SSLKEY, c->key);
			SET(CURLOPT_SSLKEYTYPE, "PEM");
		}
	}
#undef SET
	return rc == CURLE_OK ? 0 : -ENOMEM;
}

int etcd_http_fail(struct etcd_client *c, const struct etcd_member *m, CURL *h, CURLcode rc, const char *errbuf,
		   long timeout_ms, struct nr_error *err)
{
	curl_off_t connected_us = 0;
	char what[CURL_ERROR_SIZE];
	long os_errno = 0;
	size_t n;
	int e;

	/* libcurl's own words, without its trailing blank. */
	snprintf(what, sizeof(what), "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
	for (n = strlen(what); n > 0 && (what[n - 1] == ' ' || what[n - 1] == '\n'); n--)
		what[n - 1] = '\0';
	errbuf = what;
	curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
		e = os_errno > 0 ? (int)os_errno : ECONNREFUSED;
		/* "connection refused", as it reads inside a sentence */
		snprintf(what, sizeof(what), "%s", strerror(e));
		what[0] = (char)tolower((unsigned char)what[0]);
		return nr_error_set(err, CNI_ERR_TRY_AGAIN, e, "etcd %s: %s", m->name, what);
	case CURLE_OPERATION_TIMEDOUT:
		/* libcurl says the same of both timeouts: whether a connection was made tells them apart. */
		curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &connected_us);
		if (!connected_us)
			return nr_error_set(err, CNI_ERR_TRY_AGAIN, ETIMEDOUT, "etcd %s: no connection within %ld ms",
					    m->name, c->connect_ms < timeout_ms ? c->connect_ms : timeout_ms);
		return nr_error_set(err, CNI_ERR_TRY_AGAIN, ETIMEDOUT, "etcd %s: no answer within %ld ms", m->name,
				    timeout_ms);
	case CURLE_COULDNT_RESOLVE_HOST:
		return nr_error_set(err, CNI_ERR_TRY_AGAIN, EHOSTUNREACH, "etcd %s: cannot resolve the host name",
				    m->name);
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
		/* TLS 1.3 sends the member's refusal of our certificate after the handshake: it
		 * arrives as a read error ("sslv3 alert bad certificate"). */
		if (c->tls && strstr(errbuf, "SSL"))
			return nr_error_set(err, CNI_ERR_TRY_AGAIN, EPROTO, "etcd %s: TLS: %s", m->name, errbuf);
		/* fall through */
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		return nr_error_set(err, CNI_ERR_TRY_AGAIN, ECONNRESET, "etcd %s: connection lost (%s)", m->name,
				    errbuf);
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ENGINE_NOTFOUND:
		return nr_error_set(err, CNI_ERR_TRY_AGAIN, EPROTO, "etcd %s: TLS: %s", m->name, errbuf);
	default:
		return nr_error_set(err, CNI_ERR_TRY_AGAIN, EIO, "etcd %s: %s", m->name, errbuf);
	}
}

int etcd_http_exhausted(struct etcd_client *c, size_t tried, int r, struct nr_error *err)
{
	if (err && c->n > 1) {
		size_t len = strnlen(err->msg, sizeof(err->msg));
		snprintf(err->msg + len, sizeof(err->msg) - len, "; tried %zu members", tried);
	}
	return r;
}

static size_t on_body(char *data, size_t size, size_t n, void *userdata)
{
	/* A short count makes libcurl stop the transfer (CURLE_WRITE_ERROR). */
	return etcd_buf_append(userdata, data, size * n) < 0 ? 0 : size * n;
}

/* One try on member m.  1: an answer came (a 200 in *resp, or the error etcd gave);
 * 0: the member is out of reach or unavailable, try the next; err says why in both. */
static int call_one(struct etcd_client *c, const struct etcd_member *m, const char *path, const char *body,
		    struct etcd_buf *resp, int *ret, struct nr_error *err)
{
	char url[sizeof(m->url) + 64], errbuf[CURL_ERROR_SIZE] = "";
	long status = 0, conns = 0;
	CURLcode rc;

	etcd_buf_free(resp);
	snprintf(url, sizeof(url), "%s/v3/%s", m->url, path);
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, c->request_ms);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, resp);
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, errbuf);
	rc = curl_easy_perform(c->curl);
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, NULL);
	if (curl_easy_getinfo(c->curl, CURLINFO_NUM_CONNECTS, &conns) == CURLE_OK)
		c->connections += (unsigned)conns;
	if (rc == CURLE_WRITE_ERROR && resp->len + CURL_MAX_WRITE_SIZE > ETCD_MAX_RESPONSE) {
		*ret = nr_error_set(err, CNI_ERR_DECODE, EFBIG, "etcd %s: an answer larger than %u MiB", m->name,
				    ETCD_MAX_RESPONSE >> 20);
		return 1;
	}
	if (rc != CURLE_OK) {
		*ret = etcd_http_fail(c, m, c->curl, rc, errbuf, c->request_ms, err);
		return 0;
	}
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status == 200) {
		*ret = 0;
		return 1;
	}
	return !etcd_http_refused(m, status, resp, ret, err);
}

bool etcd_http_refused(const struct etcd_member *m, long status, const struct etcd_buf *body, int *ret,
		       struct nr_error *err)
{
	char msg[256];
	int code = 0;

	if (etcd_json_error(body->data ? body->data : "", body->len, &code, msg, sizeof(msg)) < 0) {
		/* Not the gateway's error: something else listens there, or a proxy answered. */
		*ret = nr_error_set(err, CNI_ERR_DECODE, EBADMSG, "etcd %s: HTTP %ld: %s", m->name, status,
				    msg[0] ? msg : "(no body)");
		return status >= 500;
	}
	*ret = nr_error_set(err, code == 14 ? CNI_ERR_TRY_AGAIN : CNI_ERR_INTERNAL, etcd_grpc_errno(code),
			    "etcd %s: %s", m->name, msg);
	/* Unavailable (no leader, stopping) or a deadline: another member may do. */
	return code == 14 || code == 4 || status == 503;
}

int etcd_http_call(struct etcd_client *c, const char *path, char *body, struct etcd_buf *resp, struct nr_error *err)
{
	_cleanup_free_ char *b = body;
	size_t first, tried;
	int r = -EIO;

	if (!b)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "etcd: out of memory");
	pthread_mutex_lock(&c->lock);
	first = atomic_load(&c->current);
	for (tried = 0; tried < c->n; tried++) {
		size_t i = (first + tried) % c->n;

		if (call_one(c, &c->members[i], path, b, resp, &r, err)) {
			atomic_store(&c->current, i);
			break;
		}
	}
	pthread_mutex_unlock(&c->lock);
	if (tried == c->n)
		return etcd_http_exhausted(c, tried, r, err);
	if (r < 0)
		etcd_buf_free(resp);
	return r;
}
