/* etcd's JSON gateway answers (core/etcd/etcd_json.c): the first byte picks the parser,
 * the rest is the body.  Every parser must fail cleanly (a well-formed error, nothing
 * leaked), and what it returns must hold together: lengths match the NUL-terminated
 * strings, events are PUT or DELETE.  Selector 7 is the watch stream: the body framed
 * into objects as the transport does, each one parsed. */
#include <errno.h>
#include <string.h>

#include "etcd/etcd_json.h"
#include "fuzz.h"

static void check_kv(const struct etcd_kv *kv)
{
	if (!kv->key || !kv->value || strlen(kv->key) > kv->key_len || strlen(kv->value) > kv->value_len ||
	    kv->key[kv->key_len] || kv->value[kv->value_len])
		abort();
}

static void watch_stream(const char *buf, size_t len)
{
	while (len) {
		struct etcd_watch_msg m = { 0 };
		struct nr_error err = { 0 };
		ssize_t n = etcd_json_frame(buf, len);
		int r;

		if (n <= 0)
			return;
		if ((size_t)n > len)
			abort();
		r = etcd_json_watch_msg(buf, (size_t)n, &m, &err);
		fuzz_check_error(r, &err);
		if (r == 0) {
			for (size_t i = 0; i < m.n; i++) {
				if (m.ev[i].type != ETCD_EVENT_PUT && m.ev[i].type != ETCD_EVENT_DELETE)
					abort();
				check_kv(&m.ev[i].kv);
			}
			if (m.error && !m.message[0])
				abort();
		}
		etcd_watch_msg_clear(&m);
		buf += n;
		len -= (size_t)n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nr_error err = { 0 };
	struct etcd_kvs kvs = { 0 };
	struct etcd_kv kv = { 0 };
	char msg[256];
	int64_t a = 0, b = 0;
	bool ok = false;
	int r = 0, code = 0;
	char *body;

	if (size < 1)
		return 0;
	body = fuzz_str(data + 1, size - 1);
	size--;
	switch (data[0] % 9) {
	case 0:
		r = etcd_json_range(body, size, &kvs, &err);
		for (size_t i = 0; r == 0 && i < kvs.n; i++)
			check_kv(&kvs.kv[i]);
		etcd_kvs_clear(&kvs);
		break;
	case 1:
		r = etcd_json_put(body, size, &a, &err);
		break;
	case 2:
		r = etcd_json_delete(body, size, &a, &err);
		break;
	case 3:
		r = etcd_json_txn(body, size, &ok, &kv, &err);
		if (r == 0 && kv.key)
			check_kv(&kv);
		etcd_kv_clear(&kv);
		break;
	case 4:
		r = etcd_json_lease_grant(body, size, &a, &b, &err);
		if (r == 0 && (a <= 0 || b <= 0))
			abort();
		break;
	case 5:
		r = etcd_json_lease_keepalive(body, size, &a, &err);
		if (r == 0 && a <= 0)
			abort();
		break;
	case 6:
		r = etcd_json_lease_ttl(body, size, &a, &err);
		break;
	case 7:
		watch_stream(body, size);
		break;
	case 8:
		if (etcd_json_error(body, size, &code, msg, sizeof(msg)) == 0 && etcd_grpc_errno(code) <= 0)
			abort();
		if (strnlen(msg, sizeof(msg)) == sizeof(msg))
			abort();
		break;
	}
	fuzz_check_error(r, &err);
	free(body);
	return 0;
}
