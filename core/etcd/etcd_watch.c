/* The watch: POST /v3/watch answers with a stream of JSON objects that lasts as long as
 * the watch.  It runs on a connection of its own, through a multi handle so that
 * etcd_watch_stop can wake it from another thread (curl_multi_wakeup). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/cleanup.h"
#include "base/clock.h"
#include "etcd_http.h"
#include "etcd_json.h"

/* A stream that worked and broke is taken up again after this pause, on the next member. */
#define RESUME_PAUSE_MS 100
/* How often a quiet stream's TCP connection is probed, so that a member gone without a
 * word (powered off, cut off) is noticed: after idle + 9 probes (the kernel's count). */
#define KEEPIDLE_S 5
#define KEEPINTVL_S 2

struct etcd_watch {
	struct etcd_client *c;
	char *prefix;
	int64_t next_rev, compact_rev;
	CURLM *multi;
	atomic_bool stop;
	struct curl_slist *headers;

	/* One stream's state (etcd_watch_run). */
	struct etcd_buf buf;
	etcd_watch_fn fn;
	void *userdata;
	bool created;
	int result;         /* != 0: the stream is over: a callback's value, or an error */
	bool member_failed; /* ... because of the member: the next one may do */
	struct nr_error *err;
};

void etcd_watch_free(struct etcd_watch *w)
{
	if (!w)
		return;
	if (w->multi)
		curl_multi_cleanup(w->multi);
	curl_slist_free_all(w->headers);
	etcd_buf_free(&w->buf);
	free(w->prefix);
	free(w);
}

DEFINE_PTR_CLEANUP(etcd_watch_freep, struct etcd_watch *, etcd_watch_free)

int etcd_watch_new(struct etcd_client *c, const char *prefix, int64_t start_revision, struct etcd_watch **ret,
		   struct nr_error *err)
{
	_cleanup_(etcd_watch_freep) struct etcd_watch *w = calloc(1, sizeof(*w));

	if (!w || !(w->prefix = strdup(prefix)) || !(w->multi = curl_multi_init()))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "etcd watch: out of memory");
	w->c = c;
	w->next_rev = start_revision;
	/* The member must have a leader to take the watch, and cancels it when it loses the
	 * leader (gRPC metadata "hasleader", which the gateway forwards from this header, as
	 * clientv3.WithRequireLeader does): a member cut off from the others would otherwise
	 * keep the stream open and never send a thing. */
	w->headers = curl_slist_append(NULL, "Content-Type: application/json");
	if (w->headers)
		w->headers = curl_slist_append(w->headers, "Grpc-Metadata-hasleader: true");
	if (!w->headers)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "etcd watch: out of memory");
	*ret = TAKE_PTR(w);
	return 0;
}

void etcd_watch_stop(struct etcd_watch *w)
{
	atomic_store(&w->stop, true);
	curl_multi_wakeup(w->multi);
}

int64_t etcd_watch_next_revision(struct etcd_watch *w)
{
	return w->next_rev;
}

int64_t etcd_watch_compact_revision(struct etcd_watch *w)
{
	return w->compact_rev;
}

static int deliver(struct etcd_watch *w, enum etcd_event_type type, const struct etcd_kv *kv, int64_t rev)
{
	struct etcd_event ev = { .type = type, .kv = kv, .revision = rev };

	return w->fn(&ev, w->userdata);
}

/* One object of the stream.  Sets w->result when the stream is over. */
static void on_message(struct etcd_watch *w, const struct etcd_member *m, const char *obj, size_t len)
{
	struct etcd_watch_msg msg = { 0 };
	int r = etcd_json_watch_msg(obj, len, &msg, w->err);

	if (r < 0) {
		nr_error_wrap(w->err, r, "etcd %s", m->name);
		w->result = r;
		w->member_failed = true;
		return;
	}
	if (msg.error) {
		w->result = nr_error_set(w->err, msg.code == 14 ? CNI_ERR_TRY_AGAIN : CNI_ERR_INTERNAL,
					 etcd_grpc_errno(msg.code), "etcd %s: %s", m->name, msg.message);
		w->member_failed = true;
	} else if (msg.compact_revision) {
		w->compact_rev = msg.compact_revision;
		w->result = nr_error_set(w->err, CNI_ERR_TRY_AGAIN, ESTALE,
					 "etcd watch of '%.200s': revision %" PRId64
					 " is compacted (the oldest left is %" PRId64 "); read it again",
					 w->prefix, w->next_rev, msg.compact_revision);
	} else if (msg.canceled) {
		w->result = nr_error_set(w->err, CNI_ERR_INTERNAL, ECANCELED, "etcd %s canceled the watch: %s", m->name,
					 msg.message[0] ? msg.message : "no reason given");
		w->member_failed = true;
	} else if (msg.created) {
		w->created = true;
		/* From now: later events are after the revision the watch was made at. */
		if (!w->next_rev)
			w->next_rev = msg.revision + 1;
		w->result = deliver(w, ETCD_EVENT_CREATED, NULL, msg.revision);
	} else if (!msg.n && msg.revision >= w->next_rev) {
		/* A progress notice: everything up to its revision was sent. */
		w->next_rev = msg.revision + 1;
	}
	for (size_t i = 0; i < msg.n && !w->result; i++) {
		struct etcd_kv *kv = &msg.ev[i].kv;

		w->result = deliver(w, msg.ev[i].type == ETCD_EVENT_DELETE ? ETCD_EVENT_DELETE : ETCD_EVENT_PUT, kv,
				    kv->mod_revision);
		if (kv->mod_revision >= w->next_rev)
			w->next_rev = kv->mod_revision + 1;
	}
	etcd_watch_msg_clear(&msg);
}

struct stream {
	struct etcd_watch *w;
	const struct etcd_member *m;
	CURL *h;
	long status;
};

static size_t on_stream(char *data, size_t size, size_t n, void *userdata)
{
	struct stream *s = userdata;
	struct etcd_watch *w = s->w;
	ssize_t len;
	int r;

	if (w->result)
		return 0;
	if (!s->status)
		curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &s->status);
	/* A refusal (no leader, a bad request) is one error object, or another server's page:
	 * kept whole for the end of the transfer. */
	if (s->status != 200)
		return etcd_buf_append(&w->buf, data, size * n) < 0 ? 0 : size * n;
	if ((r = etcd_buf_append(&w->buf, data, size * n)) < 0) {
		w->result = nr_error_set(w->err, CNI_ERR_DECODE, -r, "etcd %s: a watch answer larger than %u MiB",
					 s->m->name, ETCD_MAX_RESPONSE >> 20);
		w->member_failed = true;
		return 0;
	}
	while (!w->result && (len = etcd_json_frame(w->buf.data, w->buf.len)) != 0) {
		if (len < 0) {
			w->result = nr_error_set(w->err, CNI_ERR_DECODE, EBADMSG,
						 "etcd %s: the watch stream is not JSON objects", s->m->name);
			w->member_failed = true;
			break;
		}
		on_message(w, s->m, w->buf.data, (size_t)len);
		memmove(w->buf.data, w->buf.data + len, w->buf.len - (size_t)len);
		w->buf.len -= (size_t)len;
		w->buf.data[w->buf.len] = '\0';
	}
	/* A short count ends the transfer once the stream is over. */
	return w->result ? 0 : size * n;
}

/* One stream from member m, until it ends.  Sets w->result (0 only when stopped). */
static void stream_one(struct etcd_watch *w, const struct etcd_member *m)
{
	struct etcd_client *c = w->c;
	_cleanup_free_ char *body = etcd_json_watch_req(w->prefix, w->next_rev);
	char url[sizeof(m->url) + 16], errbuf[CURL_ERROR_SIZE] = "";
	CURL *h = curl_easy_init();
	struct stream s = { w, m, h, 0 };
	long long started = clock_now_ms();
	CURLcode rc = CURLE_OK;
	int running = 1;

	w->created = false;
	w->member_failed = false;
	w->buf.len = 0;
	if (!body || !h || etcd_http_setup(c, h) < 0) {
		w->result = nr_error_set(w->err, CNI_ERR_INTERNAL, ENOMEM, "etcd watch: out of memory");
		goto out;
	}
	snprintf(url, sizeof(url), "%s/v3/watch", m->url);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, w->headers);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_stream);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPIDLE, (long)KEEPIDLE_S);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPINTVL, (long)KEEPINTVL_S);
	curl_multi_add_handle(w->multi, h);
	while (running && !w->result && !atomic_load(&w->stop)) {
		CURLMsg *msg;
		int left;

		if (curl_multi_perform(w->multi, &running) != CURLM_OK)
			break;
		while ((msg = curl_multi_info_read(w->multi, &left)))
			if (msg->msg == CURLMSG_DONE)
				rc = msg->data.result;
		if (!running || w->result)
			break;
		/* The request's timeout holds until the watch is in place; then the stream lasts. */
		if (!w->created && clock_now_ms() - started > c->request_ms) {
			rc = CURLE_OPERATION_TIMEDOUT;
			break;
		}
		curl_multi_poll(w->multi, NULL, 0, 200, NULL);
	}
	curl_multi_remove_handle(w->multi, h);
	if (atomic_load(&w->stop) && w->result >= 0)
		w->result = 0;
	else if (!w->result && s.status && s.status != 200 && rc == CURLE_OK) {
		w->member_failed = true;
		etcd_http_refused(m, s.status, &w->buf, &w->result, w->err);
	} else if (!w->result) {
		/* The stream ended without a word from etcd: the member went, or the connection. */
		if (rc == CURLE_OK)
			w->result = nr_error_set(w->err, CNI_ERR_TRY_AGAIN, ECONNRESET,
						 "etcd %s: the watch stream ended", m->name);
		else
			w->result = etcd_http_fail(c, m, h, rc, errbuf, c->request_ms, w->err);
		w->member_failed = true;
	}
out:
	if (h)
		curl_easy_cleanup(h);
}

int etcd_watch_run(struct etcd_watch *w, etcd_watch_fn fn, void *userdata, struct nr_error *err)
{
	struct etcd_client *c = w->c;
	size_t member = atomic_load(&c->current) % c->n, failed = 0;

	w->fn = fn;
	w->userdata = userdata;
	w->err = err;
	for (;;) {
		w->result = 0;
		if (atomic_load(&w->stop))
			return 0;
		stream_one(w, &c->members[member]);
		if (w->result >= 0 || !w->member_failed)
			return w->result; /* stopped, a callback's value, compaction, out of memory */
		/* Each member once in a row; one that took the watch starts the count again. */
		failed = w->created ? 0 : failed + 1;
		if (failed >= c->n)
			return etcd_http_exhausted(c, failed, w->result, err);
		member = (member + 1) % c->n;
		if (w->created)
			curl_multi_poll(w->multi, NULL, 0, RESUME_PAUSE_MS, NULL);
	}
}
