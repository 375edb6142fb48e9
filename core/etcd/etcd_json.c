#include "etcd_json.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/json_field.h"
#include "etcd_b64.h"

/* ---- requests ---------------------------------------------------------------------- */

static json_t *b64(const char *data, size_t len)
{
	_cleanup_free_ char *s = etcd_b64_encode(data, len);

	return s ? json_string(s) : NULL;
}

/* int64s go as strings, as the gateway sends them: a JSON number loses digits past 2^53
 * in many decoders, and lease IDs are that large. */
static json_t *i64(int64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	return json_string(buf);
}

/* The end of the range of keys that start with prefix: its last byte that is not 0xff
 * plus one, what follows dropped.  A prefix of only 0xff bytes (or none) has no end:
 * etcd's "\0" means every key from the start on. */
static json_t *prefix_end(const char *prefix)
{
	size_t n = strlen(prefix);
	_cleanup_free_ char *end = malloc(n + 1);

	if (!end)
		return NULL;
	memcpy(end, prefix, n);
	while (n > 0 && (unsigned char)end[n - 1] == 0xff)
		n--;
	if (n == 0)
		return b64("", 1);
	end[n - 1] = (char)((unsigned char)end[n - 1] + 1);
	return b64(end, n);
}

/* The key of a range: the empty prefix is every key, which etcd spells key "\0". */
static json_t *range_key(const char *key, enum etcd_match m)
{
	return m == ETCD_PREFIX && !*key ? b64("", 1) : b64(key, strlen(key));
}

static char *dump(json_t *req)
{
	char *s = req ? json_dumps(req, JSON_COMPACT) : NULL;

	json_decref(req);
	return s;
}

/* A member, or nothing when v is NULL (out of memory): json_dumps of a NULL request then says so. */
static json_t *with(json_t *obj, const char *key, json_t *v)
{
	if (!obj || !v || json_object_set_new(obj, key, v) < 0) {
		json_decref(obj);
		json_decref(v);
		return NULL;
	}
	return obj;
}

static json_t *range_body(const char *key, enum etcd_match m)
{
	json_t *o = with(json_object(), "key", range_key(key, m));

	return m == ETCD_PREFIX ? with(o, "range_end", prefix_end(key)) : o;
}

static json_t *put_body(const char *key, const char *value, int64_t lease)
{
	json_t *o = with(with(json_object(), "key", b64(key, strlen(key))), "value", b64(value, strlen(value)));

	return lease ? with(o, "lease", i64(lease)) : o;
}

static json_t *one(json_t *v)
{
	json_t *a = json_array();

	if (!a || !v || json_array_append_new(a, v) < 0) {
		json_decref(a);
		json_decref(v);
		return NULL;
	}
	return a;
}

char *etcd_json_range_req(const char *key, enum etcd_match m)
{
	return dump(range_body(key, m));
}

char *etcd_json_put_req(const char *key, const char *value, int64_t lease)
{
	return dump(put_body(key, value, lease));
}

char *etcd_json_delete_req(const char *key, enum etcd_match m)
{
	return dump(range_body(key, m));
}

char *etcd_json_create_req(const char *key, const char *value, int64_t lease)
{
	json_t *cmp = with(with(with(json_object(), "target", json_string("CREATE")), "key", b64(key, strlen(key))),
			   "create_revision", i64(0));
	json_t *txn = with(json_object(), "compare", one(cmp));

	txn = with(txn, "success", one(with(json_object(), "request_put", put_body(key, value, lease))));
	return dump(with(txn, "failure", one(with(json_object(), "request_range", range_body(key, ETCD_KEY)))));
}

char *etcd_json_delete_if_req(const char *key, const char *value, int64_t lease)
{
	json_t *cmp = with(json_object(), "key", b64(key, strlen(key)));
	json_t *txn;

	if (value)
		cmp = with(with(cmp, "target", json_string("VALUE")), "value", b64(value, strlen(value)));
	else
		cmp = with(with(cmp, "target", json_string("LEASE")), "lease", i64(lease));
	txn = with(json_object(), "compare", one(cmp));
	return dump(with(txn, "success", one(with(json_object(), "request_delete_range", range_body(key, ETCD_KEY)))));
}

char *etcd_json_lease_grant_req(int64_t ttl)
{
	return dump(with(json_object(), "TTL", i64(ttl)));
}

char *etcd_json_lease_id_req(int64_t id)
{
	return dump(with(json_object(), "ID", i64(id)));
}

char *etcd_json_watch_req(const char *prefix, int64_t start_revision)
{
	json_t *cr = range_body(prefix, ETCD_PREFIX);

	if (start_revision)
		cr = with(cr, "start_revision", i64(start_revision));
	return dump(with(json_object(), "create_request", cr));
}

/* ---- answers ----------------------------------------------------------------------- */

static int bad(struct nr_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(struct nr_error *err, const char *fmt, ...)
{
	char msg[NR_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return nr_error_set(err, CNI_ERR_DECODE, EBADMSG, "etcd response: %s", msg);
}

static int load(const char *body, size_t len, json_t **ret, struct nr_error *err)
{
	json_error_t jerr;
	json_t *root;

	if (len == 0)
		return bad(err, "empty");
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return bad(err, "not JSON: %s (column %d)", jerr.text, jerr.column);
	if (!json_is_object(root)) {
		json_decref(root);
		return bad(err, "not a JSON object");
	}
	*ret = root;
	return 0;
}

/* A member of the given JSON type, or NULL when absent or null (the gateway omits zero values). */
static int member(json_t *obj, const char *key, json_type type, const char *type_name, json_t **ret,
		  struct nr_error *err)
{
	json_t *v = json_object_get(obj, key);

	*ret = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (json_typeof(v) != type && !(type == JSON_TRUE && json_is_boolean(v)))
		return bad(err, "'%s' must be %s", key, type_name);
	*ret = v;
	return 0;
}

/* An int64: a JSON string of decimal digits as the gateway sends it, or a JSON integer; absent is 0. */
static int get_i64(json_t *obj, const char *key, int64_t *ret, struct nr_error *err)
{
	json_t *v = json_object_get(obj, key);
	const char *s, *p;
	char *end;
	long long x;

	*ret = 0;
	if (!v || json_is_null(v))
		return 0;
	if (json_is_integer(v)) {
		*ret = json_integer_value(v);
		return 0;
	}
	if (!json_is_string(v))
		return bad(err, "'%s' must be an integer", key);
	s = json_string_value(v);
	p = *s == '-' ? s + 1 : s;
	if (*p < '0' || *p > '9' || strlen(s) != json_string_length(v))
		return bad(err, "'%s' must be an integer, not \"%.32s\"", key, s);
	errno = 0;
	x = strtoll(s, &end, 10);
	if (*end)
		return bad(err, "'%s' must be an integer, not \"%.32s\"", key, s);
	if (errno == ERANGE)
		return bad(err, "'%s' is out of range: %.32s", key, s);
	*ret = x;
	return 0;
}

static int get_bool(json_t *obj, const char *key, bool *ret, struct nr_error *err)
{
	json_t *v;
	int r = member(obj, key, JSON_TRUE, "true or false", &v, err);

	*ret = v && json_is_true(v);
	return r;
}

/* Base64 bytes; absent is empty. */
static int get_bytes(json_t *obj, const char *key, char **ret, size_t *ret_len, struct nr_error *err)
{
	json_t *v;
	int r = member(obj, key, JSON_STRING, "a base64 string", &v, err);

	if (r < 0)
		return r;
	r = etcd_b64_decode(v ? json_string_value(v) : "", v ? json_string_length(v) : 0, ret, ret_len);
	if (r == -ENOMEM)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "etcd response: out of memory");
	return r < 0 ? bad(err, "'%s' is not base64", key) : 0;
}

void etcd_kv_clear(struct etcd_kv *kv)
{
	if (!kv)
		return;
	free(kv->key);
	free(kv->value);
	memset(kv, 0, sizeof(*kv));
}

void etcd_kvs_clear(struct etcd_kvs *kvs)
{
	if (!kvs)
		return;
	for (size_t i = 0; i < kvs->n; i++)
		etcd_kv_clear(&kvs->kv[i]);
	free(kvs->kv);
	memset(kvs, 0, sizeof(*kvs));
}

static int parse_kv(json_t *o, struct etcd_kv *kv, struct nr_error *err)
{
	int r;

	memset(kv, 0, sizeof(*kv));
	if (!json_is_object(o))
		return bad(err, "a key-value must be an object");
	if ((r = get_bytes(o, "key", &kv->key, &kv->key_len, err)) < 0 ||
	    (r = get_bytes(o, "value", &kv->value, &kv->value_len, err)) < 0 ||
	    (r = get_i64(o, "create_revision", &kv->create_revision, err)) < 0 ||
	    (r = get_i64(o, "mod_revision", &kv->mod_revision, err)) < 0 ||
	    (r = get_i64(o, "version", &kv->version, err)) < 0 || (r = get_i64(o, "lease", &kv->lease, err)) < 0)
		etcd_kv_clear(kv);
	return r;
}

/* Every unary answer has a header: an object without one is not etcd's. */
static int header_revision(json_t *root, bool required, int64_t *ret, struct nr_error *err)
{
	json_t *h;
	int r = member(root, "header", JSON_OBJECT, "an object", &h, err);

	*ret = 0;
	if (r < 0)
		return r;
	if (!h)
		return required ? bad(err, "no 'header'; is this an etcd member?") : 0;
	return get_i64(h, "revision", ret, err);
}

/* A range answer (also inside a transaction's response_range). */
static int parse_range(json_t *o, struct etcd_kvs *ret, struct nr_error *err)
{
	struct etcd_kvs kvs = { 0 };
	int64_t count;
	json_t *a;
	int r;

	if ((r = header_revision(o, false, &kvs.revision, err)) < 0 || (r = get_bool(o, "more", &kvs.more, err)) < 0 ||
	    (r = get_i64(o, "count", &count, err)) < 0 || (r = member(o, "kvs", JSON_ARRAY, "an array", &a, err)) < 0)
		return r;
	if (a && json_array_size(a)) {
		kvs.kv = calloc(json_array_size(a), sizeof(*kvs.kv));
		if (!kvs.kv)
			return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "etcd response: out of memory");
		for (size_t i = 0; i < json_array_size(a); i++) {
			if ((r = parse_kv(json_array_get(a, i), &kvs.kv[i], err)) < 0) {
				etcd_kvs_clear(&kvs);
				return r;
			}
			kvs.n++;
		}
	}
	*ret = kvs;
	return 0;
}

int etcd_json_range(const char *body, size_t len, struct etcd_kvs *ret, struct nr_error *err)
{
	_cleanup_json_ json_t *root = NULL;
	int64_t rev;
	int r;

	if ((r = load(body, len, &root, err)) < 0 || (r = header_revision(root, true, &rev, err)) < 0)
		return r;
	return parse_range(root, ret, err);
}

int etcd_json_put(const char *body, size_t len, int64_t *ret_revision, struct nr_error *err)
{
	_cleanup_json_ json_t *root = NULL;
	int r;

	if ((r = load(body, len, &root, err)) < 0)
		return r;
	return header_revision(root, true, ret_revision, err);
}

int etcd_json_delete(const char *body, size_t len, int64_t *ret_deleted, struct nr_error *err)
{
	_cleanup_json_ json_t *root = NULL;
	int64_t rev;
	int r;

	if ((r = load(body, len, &root, err)) < 0 || (r = header_revision(root, true, &rev, err)) < 0)
		return r;
	return get_i64(root, "deleted", ret_deleted, err);
}

int etcd_json_txn(const char *body, size_t len, bool *ret_succeeded, struct etcd_kv *ret_kv, struct nr_error *err)
{
	_cleanup_json_ json_t *root = NULL;
	json_t *a, *v;
	int64_t rev;
	size_t i;
	int r;

	memset(ret_kv, 0, sizeof(*ret_kv));
	if ((r = load(body, len, &root, err)) < 0 || (r = header_revision(root, true, &rev, err)) < 0 ||
	    (r = get_bool(root, "succeeded", ret_succeeded, err)) < 0 ||
	    (r = member(root, "responses", JSON_ARRAY, "an array", &a, err)) < 0)
		return r;
	json_array_foreach(a, i, v) {
		struct etcd_kvs kvs;
		json_t *range;

		if (!json_is_object(v))
			return bad(err, "'responses' must hold objects");
		if ((r = member(v, "response_range", JSON_OBJECT, "an object", &range, err)) < 0)
			return r;
		if (!range)
			continue;
		if ((r = parse_range(range, &kvs, err)) < 0)
			return r;
		if (kvs.n) {
			*ret_kv = kvs.kv[0];
			memset(&kvs.kv[0], 0, sizeof(kvs.kv[0]));
		}
		etcd_kvs_clear(&kvs);
		break;
	}
	return 0;
}

int etcd_json_lease_grant(const char *body, size_t len, int64_t *ret_id, int64_t *ret_ttl, struct nr_error *err)
{
	_cleanup_json_ json_t *root = NULL;
	int64_t rev, id, ttl;
	json_t *e;
	int r;

	if ((r = load(body, len, &root, err)) < 0 || (r = header_revision(root, true, &rev, err)) < 0 ||
	    (r = member(root, "error", JSON_STRING, "a string", &e, err)) < 0 ||
	    (r = get_i64(root, "ID", &id, err)) < 0 || (r = get_i64(root, "TTL", &ttl, err)) < 0)
		return r;
	if (e && json_string_length(e))
		return nr_error_set(err, CNI_ERR_INTERNAL, EPROTO, "etcd refused the lease: %.200s",
				    json_string_value(e));
	if (id <= 0 || ttl <= 0)
		return bad(err, "a lease grant without an ID or a TTL");
	*ret_id = id;
	*ret_ttl = ttl;
	return 0;
}

/* The first object of a stream: its "result", or the stream's error as an error. */
static int stream_result(const char *body, size_t len, json_t **ret_root, json_t **ret_result, struct nr_error *err)
{
	ssize_t n = etcd_json_frame(body, len);
	json_t *root = NULL, *res, *e;
	int r;

	if (n < 0)
		return bad(err, "the stream does not start with a JSON object");
	if ((r = load(body, n ? (size_t)n : len, &root, err)) < 0)
		return r;
	/* The stream's error is an object; a call refused before it began answers a unary one, a string. */
	e = json_object_get(root, "error");
	if ((r = member(root, "result", JSON_OBJECT, "an object", &res, err)) < 0)
		goto fail;
	if (e) {
		char msg[256];
		int code = 0;

		json_decref(root);
		if (etcd_json_error(body, (size_t)(n ? n : (ssize_t)len), &code, msg, sizeof(msg)) < 0)
			return bad(err, "%s", msg);
		return nr_error_set(err, CNI_ERR_INTERNAL, etcd_grpc_errno(code), "etcd: %s", msg);
	}
	if (!res) {
		r = bad(err, "a stream object without 'result' or 'error'");
		goto fail;
	}
	*ret_root = root;
	*ret_result = res;
	return 0;
fail:
	json_decref(root);
	return r;
}

int etcd_json_lease_keepalive(const char *body, size_t len, int64_t *ret_ttl, struct nr_error *err)
{
	_cleanup_json_ json_t *root = NULL;
	int64_t rev, id, ttl;
	json_t *res = NULL;
	int r;

	if ((r = stream_result(body, len, &root, &res, err)) < 0 || (r = header_revision(res, true, &rev, err)) < 0 ||
	    (r = get_i64(res, "ID", &id, err)) < 0 || (r = get_i64(res, "TTL", &ttl, err)) < 0)
		return r;
	/* etcd answers a keep-alive of a lease it does not have with a TTL of 0 (omitted). */
	if (ttl <= 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOENT,
				    "etcd lease %" PRIx64 " is gone (expired or revoked)", (uint64_t)id);
	*ret_ttl = ttl;
	return 0;
}

int etcd_json_lease_ttl(const char *body, size_t len, int64_t *ret_ttl, struct nr_error *err)
{
	_cleanup_json_ json_t *root = NULL;
	int64_t rev, id, ttl;
	int r;

	if ((r = load(body, len, &root, err)) < 0 || (r = header_revision(root, true, &rev, err)) < 0 ||
	    (r = get_i64(root, "ID", &id, err)) < 0 || (r = get_i64(root, "TTL", &ttl, err)) < 0)
		return r;
	/* -1 for a lease etcd does not have; 0 for one that expires now. */
	if (ttl < 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOENT,
				    "etcd lease %" PRIx64 " is gone (expired or revoked)", (uint64_t)id);
	*ret_ttl = ttl;
	return 0;
}

int etcd_json_error(const char *body, size_t len, int *ret_code, char *msg, size_t msg_size)
{
	_cleanup_json_ json_t *root = NULL;
	json_t *e, *m, *c;

	snprintf(msg, msg_size, "%.*s", len > 120 ? 120 : (int)len, body);
	/* Whatever came, the message must be one line a person can read. */
	for (char *p = msg; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	root = json_loadb(body, len, 0, NULL);
	e = json_is_object(root) ? json_object_get(root, "error") : NULL;
	if (json_is_object(e)) { /* a stream's: {"error":{"grpc_code":5,"message":".."}} */
		m = json_object_get(e, "message");
		c = json_object_get(e, "grpc_code");
	} else if (json_is_string(e)) { /* a unary call's: {"error":"..","message":"..","code":5} */
		m = json_object_get(root, "message");
		c = json_object_get(root, "code");
		if (!json_is_string(m) || !json_string_length(m))
			m = e;
	} else {
		return -EBADMSG;
	}
	if (!json_is_string(m) || (c && !json_is_integer(c)))
		return -EBADMSG;
	*ret_code = c ? (int)json_integer_value(c) : 2; /* gRPC's Unknown */
	snprintf(msg, msg_size, "%s", json_string_value(m));
	for (char *p = msg; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	/* Never an empty reason: the code at least. */
	if (!msg[0])
		snprintf(msg, msg_size, "an error without a message (gRPC code %d)", *ret_code);
	return 0;
}

int etcd_grpc_errno(int code)
{
	switch (code) {
	case 3: /* InvalidArgument */
		return EINVAL;
	case 4: /* DeadlineExceeded */
		return ETIMEDOUT;
	case 5: /* NotFound: a lease */
		return ENOENT;
	case 7:  /* PermissionDenied */
	case 16: /* Unauthenticated */
		return EACCES;
	case 8: /* ResourceExhausted: "database space exceeded", too many requests */
		return ENOSPC;
	case 9: /* FailedPrecondition */
		return EPERM;
	case 11: /* OutOfRange: a compacted or future revision */
		return ERANGE;
	case 14: /* Unavailable: no leader, stopping, too many requests */
		return EAGAIN;
	default:
		return EPROTO;
	}
}

/* ---- the watch stream -------------------------------------------------------------- */

ssize_t etcd_json_frame(const char *buf, size_t len)
{
	size_t i = 0, depth = 0;
	bool in_str = false, esc = false;

	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
		i++;
	if (i == len)
		return 0;
	if (buf[i] != '{')
		return -EBADMSG;
	/* Brackets outside strings: jansson checks the rest when the object is parsed. */
	for (; i < len; i++) {
		char ch = buf[i];

		if (in_str) {
			if (esc)
				esc = false;
			else if (ch == '\\')
				esc = true;
			else if (ch == '"')
				in_str = false;
		} else if (ch == '"') {
			in_str = true;
		} else if (ch == '{' || ch == '[') {
			depth++;
		} else if (ch == '}' || ch == ']') {
			if (--depth == 0)
				return (ssize_t)(i + 1);
		}
	}
	return 0;
}

void etcd_watch_msg_clear(struct etcd_watch_msg *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		etcd_kv_clear(&m->ev[i].kv);
	free(m->ev);
	memset(m, 0, sizeof(*m));
}

static int parse_event(json_t *o, struct etcd_watch_event *ev, struct nr_error *err)
{
	json_t *t, *kv;
	int r;

	if (!json_is_object(o))
		return bad(err, "a watch event must be an object");
	t = json_object_get(o, "type");
	/* The enum by name (jsonpb's default) or by number; PUT, the zero, is omitted. */
	if (!t || json_is_null(t) || (json_is_string(t) && !strcmp(json_string_value(t), "PUT")) ||
	    (json_is_integer(t) && json_integer_value(t) == 0))
		ev->type = ETCD_EVENT_PUT;
	else if ((json_is_string(t) && !strcmp(json_string_value(t), "DELETE")) ||
		 (json_is_integer(t) && json_integer_value(t) == 1))
		ev->type = ETCD_EVENT_DELETE;
	else
		return bad(err, "a watch event's 'type' must be PUT or DELETE");
	if ((r = member(o, "kv", JSON_OBJECT, "an object", &kv, err)) < 0)
		return r;
	if (!kv)
		return bad(err, "a watch event without 'kv'");
	return parse_kv(kv, &ev->kv, err);
}

int etcd_json_watch_msg(const char *obj, size_t len, struct etcd_watch_msg *ret, struct nr_error *err)
{
	_cleanup_json_ json_t *root = NULL;
	struct etcd_watch_msg m = { 0 };
	json_t *res, *e, *a, *reason;
	int r;

	if ((r = load(obj, len, &root, err)) < 0 ||
	    (r = member(root, "result", JSON_OBJECT, "an object", &res, err)) < 0)
		return r;
	/* The stream's error is an object; a watch refused before it began answers a unary one, a string. */
	if ((e = json_object_get(root, "error"))) {
		m.error = true;
		if (etcd_json_error(obj, len, &m.code, m.message, sizeof(m.message)) < 0)
			return bad(err, "a watch error without a message");
		*ret = m;
		return 0;
	}
	if (!res)
		return bad(err, "a watch answer without 'result' or 'error'");
	if ((r = header_revision(res, false, &m.revision, err)) < 0 ||
	    (r = get_bool(res, "created", &m.created, err)) < 0 ||
	    (r = get_bool(res, "canceled", &m.canceled, err)) < 0 ||
	    (r = get_i64(res, "compact_revision", &m.compact_revision, err)) < 0 ||
	    (r = member(res, "cancel_reason", JSON_STRING, "a string", &reason, err)) < 0 ||
	    (r = member(res, "events", JSON_ARRAY, "an array", &a, err)) < 0)
		return r;
	if (reason)
		snprintf(m.message, sizeof(m.message), "%s", json_string_value(reason));
	if (a && json_array_size(a)) {
		m.ev = calloc(json_array_size(a), sizeof(*m.ev));
		if (!m.ev)
			return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "etcd response: out of memory");
		for (size_t i = 0; i < json_array_size(a); i++) {
			if ((r = parse_event(json_array_get(a, i), &m.ev[i], err)) < 0) {
				etcd_watch_msg_clear(&m);
				return r;
			}
			m.n++;
		}
	}
	*ret = m;
	return 0;
}
