/* The etcd v3 client (issue 20): etcd's JSON gateway (POST /v3/...) over HTTP/1.1 with
 * libcurl, for the overlay agent.  docs/multihost.md says why the gateway and not gRPC.
 *
 * One client holds one kept-alive connection to one member of the cluster; a request that
 * cannot reach it (refused, timed out, reset, TLS failure, or "unavailable" from a member
 * without a leader) is sent to the next member, each member once.  Every request is bounded:
 * connect_timeout_ms to connect, request_timeout_ms in all, per member tried.
 *
 * Errors follow core/base/error.h.  Members unreachable: -ECONNREFUSED, -ETIMEDOUT,
 * -EHOSTUNREACH ... with code CNI_ERR_TRY_AGAIN and "etcd 192.0.2.1:2379: connection refused;
 * tried 3 members"; a response that does not decode: -EBADMSG, CNI_ERR_DECODE; a request
 * etcd refused: CNI_ERR_INTERNAL with etcd's own words.
 *
 * Thread safety: requests on one client are serialised (a mutex around its connection);
 * a watch has a connection of its own and may run in another thread than the requests.
 *
 * Keys and values are bytes to etcd; here they are NUL-terminated strings on the way in,
 * and NUL-terminated with their length on the way out. */
#ifndef NETNS_RUN_ETCD_H
#define NETNS_RUN_ETCD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

#define ETCD_CONNECT_TIMEOUT_MS 1000
#define ETCD_REQUEST_TIMEOUT_MS 3000

struct etcd_options {
	const char *endpoints;       /* etcd://HOST:PORT[,HOST:PORT...] (http) or etcds://... (https) */
	bool tls;                    /* https with an etcd:// list too */
	const char *cacert;          /* PEM CA bundle the members' certificates must chain to (default: the system's) */
	const char *cert;            /* PEM client certificate, for members started with --client-cert-auth */
	const char *key;             /* its PEM private key */
	unsigned connect_timeout_ms; /* per member; 0: ETCD_CONNECT_TIMEOUT_MS */
	unsigned request_timeout_ms; /* per member, connecting included; 0: ETCD_REQUEST_TIMEOUT_MS */
};

struct etcd_client;

int etcd_client_new(const struct etcd_options *opts, struct etcd_client **ret, struct nr_error *err);
void etcd_client_free(struct etcd_client *c);
/* The member requests go to first ("HOST:PORT"): the last one that answered. */
const char *etcd_client_member(struct etcd_client *c);
/* Connections opened so far: stays 1 while the member answers (the connection is kept). */
unsigned etcd_client_connections(struct etcd_client *c);

struct etcd_kv {
	char *key, *value; /* NUL-terminated; may hold NULs of their own: use the lengths */
	size_t key_len, value_len;
	int64_t create_revision, mod_revision, version;
	int64_t lease; /* 0: none */
};

struct etcd_kvs {
	struct etcd_kv *kv;
	size_t n;
	int64_t revision; /* the store's revision the answer was read at */
	bool more;        /* etcd had more than it sent */
};

void etcd_kv_clear(struct etcd_kv *kv);
void etcd_kvs_clear(struct etcd_kvs *kvs);

enum etcd_match {
	ETCD_KEY,    /* the key itself */
	ETCD_PREFIX, /* every key that starts with it */
};

/* Read a key or a prefix (linearizable: a member cut off from the others refuses). */
int etcd_get(struct etcd_client *c, const char *key, enum etcd_match m, struct etcd_kvs *ret, struct nr_error *err);
/* lease 0: none.  ret_revision (may be NULL): the revision of the write. */
int etcd_put(struct etcd_client *c, const char *key, const char *value, int64_t lease, int64_t *ret_revision,
	     struct nr_error *err);
/* ret_deleted (may be NULL): how many keys went. */
int etcd_delete(struct etcd_client *c, const char *key, enum etcd_match m, int64_t *ret_deleted, struct nr_error *err);

/* Put key only if it does not exist (one transaction: create_revision == 0).  1: created;
 * 0: it exists, and ret_holder (may be NULL) gets it.  A retry on another member after a
 * lost answer may find our own write: the holder's value and lease tell. */
int etcd_create(struct etcd_client *c, const char *key, const char *value, int64_t lease, struct etcd_kv *ret_holder,
		struct nr_error *err);
/* Delete key only if it holds value / is attached to lease.  1: deleted; 0: it did not
 * (or it was not there). */
int etcd_delete_if_value(struct etcd_client *c, const char *key, const char *value, struct nr_error *err);
int etcd_delete_if_lease(struct etcd_client *c, const char *key, int64_t lease, struct nr_error *err);

/* Leases: a key put with a lease goes when the lease is revoked or expires. */
int etcd_lease_grant(struct etcd_client *c, int64_t ttl_s, int64_t *ret_id, int64_t *ret_ttl, struct nr_error *err);
/* One keep-alive: the lease's TTL starts again; *ret_ttl (may be NULL) is it.  -ENOENT: the lease is gone. */
int etcd_lease_keepalive(struct etcd_client *c, int64_t id, int64_t *ret_ttl, struct nr_error *err);
/* 1: revoked (its keys are gone); 0: it was gone already. */
int etcd_lease_revoke(struct etcd_client *c, int64_t id, struct nr_error *err);
/* The seconds left.  -ENOENT: the lease is gone (expired or revoked). */
int etcd_lease_ttl(struct etcd_client *c, int64_t id, int64_t *ret_ttl, struct nr_error *err);

/* Watch: the changes under a prefix, from a revision on, as a stream. */
enum etcd_event_type {
	ETCD_EVENT_CREATED, /* the watch is in place: later writes will be seen; kv is NULL */
	ETCD_EVENT_PUT,
	ETCD_EVENT_DELETE, /* kv has the key and the revision of the delete, no value */
};

struct etcd_event {
	enum etcd_event_type type;
	const struct etcd_kv *kv; /* valid during the call only */
	int64_t revision;         /* the event's revision; CREATED: the store's */
};

/* Called for each event in order; a non-zero return ends etcd_watch_run with that value. */
typedef int (*etcd_watch_fn)(const struct etcd_event *ev, void *userdata);

struct etcd_watch;

/* start_revision 0: from now.  The watch uses its own connection, made by etcd_watch_run. */
int etcd_watch_new(struct etcd_client *c, const char *prefix, int64_t start_revision, struct etcd_watch **ret,
		   struct nr_error *err);
/* Deliver events until etcd_watch_stop (returns 0), a callback's non-zero return (returns
 * it), or an error.  A stream that breaks is resumed on the next member from the revision
 * after the last delivered event (CREATED is delivered again); when no member takes the
 * watch, the error is -ECONNREFUSED ... as for requests.  -ESTALE: the revision wanted was
 * compacted (etcd_watch_compact_revision says to what): read the prefix again and watch
 * from the revision of that read + 1.  Run may be called again after an error: it resumes. */
int etcd_watch_run(struct etcd_watch *w, etcd_watch_fn fn, void *userdata, struct nr_error *err);
/* From any thread (not a signal handler): etcd_watch_run returns 0 promptly.  For good:
 * a later etcd_watch_run returns 0 at once. */
void etcd_watch_stop(struct etcd_watch *w);
/* The revision a resumed watch starts from. */
int64_t etcd_watch_next_revision(struct etcd_watch *w);
int64_t etcd_watch_compact_revision(struct etcd_watch *w);
void etcd_watch_free(struct etcd_watch *w);

#endif
