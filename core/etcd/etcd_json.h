/* etcd's JSON gateway on the wire: request bodies built, answers parsed.  No I/O here, so
 * that tests/fuzz/fuzz_etcd_response.c and tests/unit/etcd can drive every parser.
 *
 * What the gateway sends (grpc-gateway's jsonpb, fields under their proto names): int64
 * and uint64 as JSON strings ("revision":"12"), bytes as base64, enums by name
 * ("type":"DELETE"), and every zero or empty field omitted (an absent "TTL" is 0, an
 * absent "succeeded" false, an absent event type PUT).  A streamed call (watch, lease
 * keepalive) answers with a sequence of {"result":{...}} or {"error":{...}} objects.
 *
 * Every parser: >= 0, or -EBADMSG with CNI_ERR_DECODE and a message naming the field
 * (-ENOMEM when out of memory). */
#ifndef NETNS_RUN_ETCD_JSON_H
#define NETNS_RUN_ETCD_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "etcd.h"

/* Request bodies: malloc'd JSON text, or NULL when out of memory. */
char *etcd_json_range_req(const char *key, enum etcd_match m);
char *etcd_json_put_req(const char *key, const char *value, int64_t lease);
char *etcd_json_delete_req(const char *key, enum etcd_match m);
/* The transaction of etcd_create: compare create_revision == 0, put, else range. */
char *etcd_json_create_req(const char *key, const char *value, int64_t lease);
/* The transaction of etcd_delete_if_*: compare the value (value not NULL) or the lease, delete. */
char *etcd_json_delete_if_req(const char *key, const char *value, int64_t lease);
/* {"TTL":"ttl"} for a grant, {"ID":"id"} for the others. */
char *etcd_json_lease_grant_req(int64_t ttl);
char *etcd_json_lease_id_req(int64_t id);
char *etcd_json_watch_req(const char *prefix, int64_t start_revision);

/* The answers of a 200. */
int etcd_json_range(const char *body, size_t len, struct etcd_kvs *ret, struct nr_error *err);
int etcd_json_put(const char *body, size_t len, int64_t *ret_revision, struct nr_error *err);
int etcd_json_delete(const char *body, size_t len, int64_t *ret_deleted, struct nr_error *err);
/* A transaction: whether the compare held, and the first key of the first range
 * response (ret_kv cleared when there is none). */
int etcd_json_txn(const char *body, size_t len, bool *ret_succeeded, struct etcd_kv *ret_kv, struct nr_error *err);
int etcd_json_lease_grant(const char *body, size_t len, int64_t *ret_id, int64_t *ret_ttl, struct nr_error *err);
/* The keep-alive stream's first answer.  -ENOENT (code CNI_ERR_INTERNAL): the lease is gone. */
int etcd_json_lease_keepalive(const char *body, size_t len, int64_t *ret_ttl, struct nr_error *err);
/* /v3/lease/timetolive.  -ENOENT: the lease is gone. */
int etcd_json_lease_ttl(const char *body, size_t len, int64_t *ret_ttl, struct nr_error *err);

/* An error answer (a non-200 body {"error":"..","message":"..","code":N}, or a stream's
 * {"error":{"grpc_code":N,"message":".."}}): etcd's gRPC code and message.  -EBADMSG
 * when the body is neither (msg then says what came). */
int etcd_json_error(const char *body, size_t len, int *ret_code, char *msg, size_t msg_size);
/* The errno of a gRPC status code (5 NotFound: ENOENT, 14 Unavailable: EAGAIN ...). */
int etcd_grpc_errno(int code);

/* The stream's framing: the length of the first complete JSON object in buf (leading
 * white space counted in), 0 when it is not complete yet, -EBADMSG when buf does not
 * start (after white space) with an object. */
ssize_t etcd_json_frame(const char *buf, size_t len);

struct etcd_watch_event {
	enum etcd_event_type type; /* PUT or DELETE */
	struct etcd_kv kv;
};

/* One object of the watch stream. */
struct etcd_watch_msg {
	bool error; /* {"error":...}: the stream failed; code and message say why */
	int code;
	char message[256];
	bool created, canceled;
	int64_t revision;         /* the header's */
	int64_t compact_revision; /* canceled because the start revision was compacted */
	struct etcd_watch_event *ev;
	size_t n;
};

int etcd_json_watch_msg(const char *obj, size_t len, struct etcd_watch_msg *ret, struct nr_error *err);
void etcd_watch_msg_clear(struct etcd_watch_msg *m);

#endif
