/* The client's transport, shared by its request files (etcd_kv.c, etcd_lease.c) and the
 * watch (etcd_watch.c): the members, TLS, timeouts and the kept connection. */
#ifndef NETNS_RUN_ETCD_HTTP_H
#define NETNS_RUN_ETCD_HTTP_H

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>

#include "etcd.h"
#include "etcd_endpoints.h"

/* An answer larger than this is refused: the agent's keys are a few hundred bytes each. */
#define ETCD_MAX_RESPONSE (64u << 20)

struct etcd_client {
	struct etcd_member *members;
	size_t n;
	bool tls;
	char *cacert, *cert, *key;
	long connect_ms, request_ms;
	atomic_size_t current; /* the member tried first: the last that answered */
	pthread_mutex_t lock;  /* over what follows */
	CURL *curl;            /* its connection cache keeps the connection to the member */
	struct curl_slist *headers;
	unsigned connections;
};

struct etcd_buf {
	char *data;
	size_t len, cap;
};

void etcd_buf_free(struct etcd_buf *b);
/* Append, keeping data NUL-terminated; -ENOMEM, or -EFBIG past ETCD_MAX_RESPONSE. */
int etcd_buf_append(struct etcd_buf *b, const void *data, size_t len);

/* What every handle of the client gets: TLS files, timeouts, no signals, HTTP/1.1. */
int etcd_http_setup(struct etcd_client *c, CURL *h);
/* A transfer that failed: the errno, and a message naming the member. */
int etcd_http_fail(struct etcd_client *c, const struct etcd_member *m, CURL *h, CURLcode rc, const char *errbuf,
		   long timeout_ms, struct nr_error *err);
/* An answer other than 200 (body: what came with it): the error, with etcd's words when
 * it is the gateway's.  true: another member may do better (unavailable, no leader). */
bool etcd_http_refused(const struct etcd_member *m, long status, const struct etcd_buf *body, int *ret,
		       struct nr_error *err);
/* "; tried N members" after the last member's error. */
int etcd_http_exhausted(struct etcd_client *c, size_t tried, int r, struct nr_error *err);

/* POST body to path (under /v3), one member after another until one answers; *resp is
 * the answer of a 200.  Other answers are errors with etcd's words.  body is malloc'd
 * and freed here (NULL: the caller ran out of memory building it). */
int etcd_http_call(struct etcd_client *c, const char *path, char *body, struct etcd_buf *resp, struct nr_error *err);

#endif
