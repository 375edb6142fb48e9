/* Leases: grant, one keep-alive, revoke, time to live. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "base/cleanup.h"
#include "etcd_http.h"
#include "etcd_json.h"

int etcd_lease_grant(struct etcd_client *c, int64_t ttl_s, int64_t *ret_id, int64_t *ret_ttl, struct nr_error *err)
{
	struct etcd_buf resp = { 0 };
	int64_t id = 0, ttl = 0;
	int r;

	if (ttl_s <= 0)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "etcd lease: a TTL of %" PRId64 " s", ttl_s);
	if ((r = etcd_http_call(c, "lease/grant", etcd_json_lease_grant_req(ttl_s), &resp, err)) >= 0)
		r = etcd_json_lease_grant(resp.data, resp.len, &id, &ttl, err);
	etcd_buf_free(&resp);
	if (r < 0)
		return nr_error_wrap(err, r, "lease grant");
	*ret_id = id;
	if (ret_ttl)
		*ret_ttl = ttl;
	return 0;
}

/* /v3/lease/keepalive is a stream on the gateway too: one request in the body, and its
 * end closes the stream after the one answer, so it is a plain call here. */
int etcd_lease_keepalive(struct etcd_client *c, int64_t id, int64_t *ret_ttl, struct nr_error *err)
{
	struct etcd_buf resp = { 0 };
	int64_t ttl = 0;
	int r;

	if ((r = etcd_http_call(c, "lease/keepalive", etcd_json_lease_id_req(id), &resp, err)) >= 0)
		r = etcd_json_lease_keepalive(resp.data, resp.len, &ttl, err);
	etcd_buf_free(&resp);
	if (r < 0)
		return r == -ENOENT ? r : nr_error_wrap(err, r, "keep-alive of lease %" PRIx64, (uint64_t)id);
	if (ret_ttl)
		*ret_ttl = ttl;
	return 0;
}

int etcd_lease_revoke(struct etcd_client *c, int64_t id, struct nr_error *err)
{
	struct etcd_buf resp = { 0 };
	int64_t rev;
	int r;

	if ((r = etcd_http_call(c, "lease/revoke", etcd_json_lease_id_req(id), &resp, err)) >= 0)
		r = etcd_json_put(resp.data, resp.len, &rev, err); /* a header, as a put's */
	etcd_buf_free(&resp);
	/* Already gone (expired, or revoked by an earlier try whose answer was lost): done. */
	if (r == -ENOENT) {
		nr_error_clear(err);
		return 0;
	}
	return r < 0 ? nr_error_wrap(err, r, "revoke of lease %" PRIx64, (uint64_t)id) : 1;
}

int etcd_lease_ttl(struct etcd_client *c, int64_t id, int64_t *ret_ttl, struct nr_error *err)
{
	struct etcd_buf resp = { 0 };
	int64_t ttl = 0;
	int r;

	if ((r = etcd_http_call(c, "lease/timetolive", etcd_json_lease_id_req(id), &resp, err)) >= 0)
		r = etcd_json_lease_ttl(resp.data, resp.len, &ttl, err);
	etcd_buf_free(&resp);
	if (r < 0)
		return r == -ENOENT ? r : nr_error_wrap(err, r, "time to live of lease %" PRIx64, (uint64_t)id);
	*ret_ttl = ttl;
	return 0;
}
