/* Keys: range, put, delete, and the two transactions the agent needs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "etcd_http.h"
#include "etcd_json.h"

static int check_key(const char *key, enum etcd_match m, struct nr_error *err)
{
	/* etcd refuses an empty key; an empty prefix is every key, which only ETCD_PREFIX may mean. */
	if (!key || (!*key && m != ETCD_PREFIX))
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "etcd: an empty key");
	return 0;
}

int etcd_get(struct etcd_client *c, const char *key, enum etcd_match m, struct etcd_kvs *ret, struct nr_error *err)
{
	struct etcd_buf resp = { 0 };
	int r;

	if ((r = check_key(key, m, err)) < 0)
		return r;
	if ((r = etcd_http_call(c, "kv/range", etcd_json_range_req(key, m), &resp, err)) >= 0)
		r = etcd_json_range(resp.data, resp.len, ret, err);
	etcd_buf_free(&resp);
	return r < 0 ? nr_error_wrap(err, r, "get %.200s", key) : 0;
}

int etcd_put(struct etcd_client *c, const char *key, const char *value, int64_t lease, int64_t *ret_revision,
	     struct nr_error *err)
{
	struct etcd_buf resp = { 0 };
	int64_t rev = 0;
	int r;

	if ((r = check_key(key, ETCD_KEY, err)) < 0)
		return r;
	if ((r = etcd_http_call(c, "kv/put", etcd_json_put_req(key, value, lease), &resp, err)) >= 0)
		r = etcd_json_put(resp.data, resp.len, &rev, err);
	etcd_buf_free(&resp);
	if (r < 0)
		return nr_error_wrap(err, r, "put %.200s", key);
	if (ret_revision)
		*ret_revision = rev;
	return 0;
}

int etcd_delete(struct etcd_client *c, const char *key, enum etcd_match m, int64_t *ret_deleted, struct nr_error *err)
{
	struct etcd_buf resp = { 0 };
	int64_t deleted = 0;
	int r;

	if ((r = check_key(key, m, err)) < 0)
		return r;
	if ((r = etcd_http_call(c, "kv/deleterange", etcd_json_delete_req(key, m), &resp, err)) >= 0)
		r = etcd_json_delete(resp.data, resp.len, &deleted, err);
	etcd_buf_free(&resp);
	if (r < 0)
		return nr_error_wrap(err, r, "delete %.200s", key);
	if (ret_deleted)
		*ret_deleted = deleted;
	return 0;
}

/* A transaction: whether its compare held, and the key a failure's range read. */
static int txn(struct etcd_client *c, char *body, bool *ret_ok, struct etcd_kv *ret_kv, struct nr_error *err)
{
	struct etcd_buf resp = { 0 };
	int r;

	if ((r = etcd_http_call(c, "kv/txn", body, &resp, err)) >= 0)
		r = etcd_json_txn(resp.data, resp.len, ret_ok, ret_kv, err);
	etcd_buf_free(&resp);
	return r;
}

int etcd_create(struct etcd_client *c, const char *key, const char *value, int64_t lease, struct etcd_kv *ret_holder,
		struct nr_error *err)
{
	struct etcd_kv holder = { 0 };
	bool ok = false;
	int r;

	if ((r = check_key(key, ETCD_KEY, err)) < 0)
		return r;
	if ((r = txn(c, etcd_json_create_req(key, value, lease), &ok, &holder, err)) < 0)
		return nr_error_wrap(err, r, "create %.200s", key);
	if (ret_holder && !ok)
		*ret_holder = holder;
	else
		etcd_kv_clear(&holder);
	return ok;
}

static int delete_if(struct etcd_client *c, const char *key, const char *value, int64_t lease, struct nr_error *err)
{
	struct etcd_kv kv = { 0 };
	bool ok = false;
	int r;

	if ((r = check_key(key, ETCD_KEY, err)) < 0)
		return r;
	r = txn(c, etcd_json_delete_if_req(key, value, lease), &ok, &kv, err);
	etcd_kv_clear(&kv);
	if (r < 0)
		return nr_error_wrap(err, r, "delete %.200s if it holds %s", key, value ? "its value" : "its lease");
	return ok;
}

int etcd_delete_if_value(struct etcd_client *c, const char *key, const char *value, struct nr_error *err)
{
	return delete_if(c, key, value, 0, err);
}

int etcd_delete_if_lease(struct etcd_client *c, const char *key, int64_t lease, struct nr_error *err)
{
	return delete_if(c, key, NULL, lease, err);
}
