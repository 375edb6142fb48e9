/* core/etcd's wire format, without a server: request bodies, the gateway's answers (as
 * etcd 3.4 sends them, and hostile ones), the stream's framing, base64, the store URL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "etcd/etcd_b64.h"
#include "etcd/etcd_endpoints.h"
#include "etcd/etcd_json.h"

#define HDR \
	"\"header\":{\"cluster_id\":\"2037210783374497686\",\"member_id\":\"13195394291058371180\",\"revision\":\"7\",\"raft_term\":\"2\"}"

static int parse_range(const char *s, struct etcd_kvs *kvs, struct nr_error *err)
{
	return etcd_json_range(s, strlen(s), kvs, err);
}

static void expect_decode_error(int r, const struct nr_error *err, const char *needle)
{
	assert_int_equal(r, -EBADMSG);
	assert_int_equal(err->code, CNI_ERR_DECODE);
	if (!strstr(err->msg, needle))
		fail_msg("'%s' not in '%s'", needle, err->msg);
}

static void test_b64(void **state)
{
	const char *in[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	const char *out[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
	const char *bad[] = { "Zg=", "Zg", "Z===", "Zm9v!", "Zh==", "Zm9=", "=Zm9", "Zm=v", "Zg==Zg==", NULL };
	char *s, *d;
	size_t n;

	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		s = etcd_b64_encode(in[i], strlen(in[i]));
		assert_string_equal(s, out[i]);
		assert_int_equal(etcd_b64_decode(s, strlen(s), &d, &n), 0);
		assert_int_equal(n, strlen(in[i]));
		assert_string_equal(d, in[i]);
		free(s);
		free(d);
	}
	/* bytes: NUL and 0xff survive */
	assert_int_equal(etcd_b64_decode("AP8A", 4, &d, &n), 0);
	assert_int_equal(n, 3);
	assert_memory_equal(d, "\0\xff\0", 3);
	free(d);
	for (const char **b = bad; *b; b++)
		if (etcd_b64_decode(*b, strlen(*b), &d, &n) != -EINVAL)
			fail_msg("'%s' decoded", *b);
}

static void test_endpoints(void **state)
{
	struct nr_error err = { 0 };
	struct etcd_member *m = NULL;
	size_t n = 0;
	bool tls = false;
	const char *bad[] = { "",
			      "127.0.0.1:2379",
			      "etcd://",
			      "etcd://a:1,",
			      "etcd://a:0",
			      "etcd://a:65536",
			      "etcd://a:x",
			      "etcd://a:",
			      "etcd://a:1/v3",
			      "etcd://us er@a:1",
			      "etcd://[::1",
			      "http://a:1,https://b:2",
			      "ftp://a",
			      "etcd://a:1,a:2,a:3,a:4,a:5,a:6,a:7,a:8,a:9,a:10,a:11,a:12,a:13,a:14,a:15,a:16,a:17",
			      NULL };

	assert_int_equal(etcd_endpoints_parse("etcd://192.0.2.1:2379,192.0.2.2,[fd00::1]:4001", false, &m, &n, &tls,
					      &err),
			 0);
	assert_int_equal(n, 3);
	assert_false(tls);
	assert_string_equal(m[0].name, "192.0.2.1:2379");
	assert_string_equal(m[0].url, "http://192.0.2.1:2379");
	assert_string_equal(m[1].name, "192.0.2.2:2379");
	assert_string_equal(m[2].url, "http://[fd00::1]:4001");
	free(m);
	assert_int_equal(etcd_endpoints_parse("etcds://etcd-1.example:2379", false, &m, &n, &tls, &err), 0);
	assert_true(tls);
	assert_string_equal(m[0].url, "https://etcd-1.example:2379");
	free(m);
	/* etcdctl's spelling, and a TLS flag over etcd:// */
	assert_int_equal(etcd_endpoints_parse("http://a:1/,http://b:2", true, &m, &n, &tls, &err), -EINVAL);
	assert_int_equal(etcd_endpoints_parse("https://a:1/,https://b:2", false, &m, &n, &tls, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(m[1].url, "https://b:2");
	free(m);
	assert_int_equal(etcd_endpoints_parse("etcd://a", true, &m, &n, &tls, &err), 0);
	assert_true(tls);
	assert_string_equal(m[0].url, "https://a:2379");
	free(m);
	for (const char **b = bad; *b; b++) {
		m = NULL;
		if (etcd_endpoints_parse(*b, false, &m, &n, &tls, &err) != -EINVAL)
			fail_msg("'%s' was taken", *b);
		assert_null(m);
		assert_int_equal(err.code, CNI_ERR_INVALID_CONFIG);
		assert_non_null(strstr(err.msg, "store '"));
	}
}

/* The JSON of a request body, compared after parsing (member order is free). */
static void assert_json(char *got, const char *want)
{
	json_t *g = json_loads(got, 0, NULL), *w = json_loads(want, 0, NULL);

	assert_non_null(g);
	assert_non_null(w);
	if (!json_equal(g, w))
		fail_msg("got %s\nwant %s", got, want);
	json_decref(g);
	json_decref(w);
	free(got);
}

static void test_requests(void **state)
{
	/* "/a/" .. "/a0": every key under /a/ */
	assert_json(etcd_json_range_req("/a/", ETCD_PREFIX), "{\"key\":\"L2Ev\",\"range_end\":\"L2Ew\"}");
	assert_json(etcd_json_range_req("/a/", ETCD_KEY), "{\"key\":\"L2Ev\"}");
	/* trailing 0xff bytes are dropped before the increment; only 0xff (or nothing): to the end ("\0") */
	assert_json(etcd_json_range_req("a\xff", ETCD_PREFIX), "{\"key\":\"Yf8=\",\"range_end\":\"Yg==\"}");
	assert_json(etcd_json_range_req("\xff", ETCD_PREFIX), "{\"key\":\"/w==\",\"range_end\":\"AA==\"}");
	assert_json(etcd_json_range_req("", ETCD_PREFIX), "{\"key\":\"AA==\",\"range_end\":\"AA==\"}");
	assert_json(etcd_json_put_req("k", "v", 0), "{\"key\":\"aw==\",\"value\":\"dg==\"}");
	/* int64s as strings: 2^63-1 stays exact */
	assert_json(etcd_json_put_req("k", "", INT64_MAX),
		    "{\"key\":\"aw==\",\"value\":\"\",\"lease\":\"9223372036854775807\"}");
	assert_json(etcd_json_delete_req("k", ETCD_PREFIX), "{\"key\":\"aw==\",\"range_end\":\"bA==\"}");
	assert_json(etcd_json_create_req("k", "v", 5),
		    "{\"compare\":[{\"target\":\"CREATE\",\"key\":\"aw==\",\"create_revision\":\"0\"}],"
		    "\"success\":[{\"request_put\":{\"key\":\"aw==\",\"value\":\"dg==\",\"lease\":\"5\"}}],"
		    "\"failure\":[{\"request_range\":{\"key\":\"aw==\"}}]}");
	assert_json(etcd_json_delete_if_req("k", "v", 0),
		    "{\"compare\":[{\"target\":\"VALUE\",\"key\":\"aw==\",\"value\":\"dg==\"}],"
		    "\"success\":[{\"request_delete_range\":{\"key\":\"aw==\"}}]}");
	assert_json(etcd_json_delete_if_req("k", NULL, 7),
		    "{\"compare\":[{\"target\":\"LEASE\",\"key\":\"aw==\",\"lease\":\"7\"}],"
		    "\"success\":[{\"request_delete_range\":{\"key\":\"aw==\"}}]}");
	assert_json(etcd_json_lease_grant_req(10), "{\"TTL\":\"10\"}");
	assert_json(etcd_json_lease_id_req(7668682667818912009), "{\"ID\":\"7668682667818912009\"}");
	assert_json(etcd_json_watch_req("/n/", 0), "{\"create_request\":{\"key\":\"L24v\",\"range_end\":\"L24w\"}}");
	assert_json(etcd_json_watch_req("/n/", 12),
		    "{\"create_request\":{\"key\":\"L24v\",\"range_end\":\"L24w\",\"start_revision\":\"12\"}}");
}

static void test_range(void **state)
{
	struct etcd_kvs kvs = { 0 };
	struct nr_error err = { 0 };

	/* etcd 3.4's own answer (a prefix with a leased key and one with an empty value) */
	assert_int_equal(parse_range("{" HDR
				     ",\"kvs\":[{\"key\":\"Zm9v\",\"create_revision\":\"2\",\"mod_revision\":\"5\","
				     "\"version\":\"3\",\"value\":\"YmFy\",\"lease\":\"7668682667818912009\"},"
				     "{\"key\":\"Zm9w\",\"create_revision\":\"6\",\"mod_revision\":\"6\",\"version\":\"1\"}],"
				     "\"count\":\"2\",\"more\":true}",
				     &kvs, &err),
			 0);
	assert_int_equal(kvs.revision, 7);
	assert_true(kvs.more);
	assert_int_equal(kvs.n, 2);
	assert_string_equal(kvs.kv[0].key, "foo");
	assert_string_equal(kvs.kv[0].value, "bar");
	assert_int_equal(kvs.kv[0].value_len, 3);
	assert_int_equal(kvs.kv[0].lease, 7668682667818912009);
	assert_int_equal(kvs.kv[0].create_revision, 2);
	assert_int_equal(kvs.kv[0].mod_revision, 5);
	assert_int_equal(kvs.kv[0].version, 3);
	assert_string_equal(kvs.kv[1].value, "");
	assert_int_equal(kvs.kv[1].lease, 0);
	etcd_kvs_clear(&kvs);
	assert_null(kvs.kv);
	/* nothing there: no kvs, no count */
	assert_int_equal(parse_range("{" HDR "}", &kvs, &err), 0);
	assert_int_equal(kvs.n, 0);
	assert_int_equal(kvs.revision, 7);
	/* numbers as JSON integers are taken too */
	assert_int_equal(parse_range("{\"header\":{\"revision\":9},\"kvs\":[{\"key\":\"Zm9v\",\"mod_revision\":-1}]}",
				     &kvs, &err),
			 0);
	assert_int_equal(kvs.revision, 9);
	assert_int_equal(kvs.kv[0].mod_revision, -1);
	etcd_kvs_clear(&kvs);
}

static void test_range_hostile(void **state)
{
	static const struct {
		const char *body, *needle;
	} cases[] = {
		{ "", "empty" },
		{ "not json", "not JSON" },
		{ "[1,2]", "not a JSON object" },
		{ "{\"kvs\":[]}", "no 'header'" },
		{ "{\"header\":[]}", "'header' must be an object" },
		{ "{\"header\":{\"revision\":\"99999999999999999999\"}}", "out of range" },
		{ "{\"header\":{\"revision\":\"-99999999999999999999\"}}", "out of range" },
		{ "{\"header\":{\"revision\":\"12x\"}}", "must be an integer" },
		{ "{\"header\":{\"revision\":\" 12\"}}", "must be an integer" },
		{ "{\"header\":{\"revision\":\"\"}}", "must be an integer" },
		{ "{\"header\":{\"revision\":\"-\"}}", "must be an integer" },
		{ "{\"header\":{\"revision\":\"1\\u00002\"}}", "not JSON" }, /* jansson refuses NULs */
		{ "{\"header\":{\"revision\":1.5}}", "must be an integer" },
		{ "{\"header\":{\"revision\":true}}", "must be an integer" },
		{ "{\"header\":{},\"kvs\":{}}", "'kvs' must be an array" },
		{ "{\"header\":{},\"kvs\":[1]}", "must be an object" },
		{ "{\"header\":{},\"kvs\":[{\"key\":\"Zm9v\"},{\"key\":\"%%%%\"}]}", "'key' is not base64" },
		{ "{\"header\":{},\"kvs\":[{\"key\":5}]}", "'key' must be a base64 string" },
		{ "{\"header\":{},\"kvs\":[{\"value\":\"YmFy\",\"lease\":{}}]}", "'lease' must be an integer" },
		{ "{\"header\":{},\"more\":\"yes\"}", "'more' must be true or false" },
		{ "{\"header\":{},\"header\":{}}", "not JSON" },
		{ "{\"header\":{}} trailing", "not JSON" },
	};
	struct etcd_kvs kvs = { .n = 77 };
	struct nr_error err = { 0 };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		expect_decode_error(parse_range(cases[i].body, &kvs, &err), &err, cases[i].needle);
		assert_int_equal(kvs.n, 77);
	}
	/* huge JSON integers: jansson refuses them */
	expect_decode_error(parse_range("{\"header\":{\"revision\":123456789012345678901234567890}}", &kvs, &err), &err,
			    "not JSON");
}

static void test_put_delete(void **state)
{
	struct nr_error err = { 0 };
	int64_t v = 0;

	assert_int_equal(etcd_json_put("{" HDR "}", strlen("{" HDR "}"), &v, &err), 0);
	assert_int_equal(v, 7);
	expect_decode_error(etcd_json_put("{}", 2, &v, &err), &err, "no 'header'");
	assert_int_equal(etcd_json_delete("{" HDR ",\"deleted\":\"3\"}", strlen("{" HDR ",\"deleted\":\"3\"}"), &v,
					  &err),
			 0);
	assert_int_equal(v, 3);
	assert_int_equal(etcd_json_delete("{" HDR "}", strlen("{" HDR "}"), &v, &err), 0);
	assert_int_equal(v, 0);
	expect_decode_error(etcd_json_delete("{" HDR ",\"deleted\":[]}", strlen("{" HDR ",\"deleted\":[]}"), &v, &err),
			    &err, "'deleted'");
}

static void test_txn(void **state)
{
	const char *won = "{" HDR
			  ",\"succeeded\":true,\"responses\":[{\"response_put\":{\"header\":{\"revision\":\"3\"}}}]}";
	const char *lost =
		"{" HDR ",\"responses\":[{\"response_range\":{\"header\":{\"revision\":\"2\"},\"kvs\":[{\"key\":"
		"\"Zm9v\",\"create_revision\":\"2\",\"mod_revision\":\"2\",\"version\":\"1\",\"value\":\"YmFy\","
		"\"lease\":\"42\"}],\"count\":\"1\"}}]}";
	struct nr_error err = { 0 };
	struct etcd_kv kv;
	bool ok = false;

	assert_int_equal(etcd_json_txn(won, strlen(won), &ok, &kv, &err), 0);
	assert_true(ok);
	assert_null(kv.key);
	assert_int_equal(etcd_json_txn(lost, strlen(lost), &ok, &kv, &err), 0);
	assert_false(ok);
	assert_string_equal(kv.key, "foo");
	assert_string_equal(kv.value, "bar");
	assert_int_equal(kv.lease, 42);
	etcd_kv_clear(&kv);
	/* a delete_if that did not hold: no responses at all */
	assert_int_equal(etcd_json_txn("{" HDR "}", strlen("{" HDR "}"), &ok, &kv, &err), 0);
	assert_false(ok);
	assert_null(kv.key);
	expect_decode_error(etcd_json_txn("{" HDR ",\"responses\":[7]}", strlen("{" HDR ",\"responses\":[7]}"), &ok,
					  &kv, &err),
			    &err, "'responses' must hold objects");
	expect_decode_error(etcd_json_txn("{" HDR ",\"succeeded\":1}", strlen("{" HDR ",\"succeeded\":1}"), &ok, &kv,
					  &err),
			    &err, "'succeeded'");
	expect_decode_error(etcd_json_txn("{" HDR ",\"responses\":[{\"response_range\":{\"kvs\":[{\"key\":\"!\"}]}}]}",
					  strlen("{" HDR
						 ",\"responses\":[{\"response_range\":{\"kvs\":[{\"key\":\"!\"}]}}]}"),
					  &ok, &kv, &err),
			    &err, "base64");
}

static void test_lease(void **state)
{
	const char *grant = "{" HDR ",\"ID\":\"7668682667818912009\",\"TTL\":\"5\"}";
	const char *refused = "{" HDR ",\"error\":\"lease too long\"}";
	const char *ka = "{\"result\":{" HDR ",\"ID\":\"7668682667818912011\",\"TTL\":\"5\"}}\n";
	const char *ka_gone = "{\"result\":{" HDR ",\"ID\":\"7668682667818912011\"}}\n";
	const char *ka_err = "{\"error\":{\"grpc_code\":14,\"http_code\":503,\"message\":\"etcdserver: no leader\","
			     "\"http_status\":\"Service Unavailable\"}}";
	const char *ttl = "{" HDR ",\"ID\":\"7668682667818912011\",\"TTL\":\"4\",\"grantedTTL\":\"5\"}";
	const char *ttl_gone = "{" HDR ",\"ID\":\"7668682667818912011\",\"TTL\":\"-1\"}";
	struct nr_error err = { 0 };
	int64_t id = 0, t = 0;

	assert_int_equal(etcd_json_lease_grant(grant, strlen(grant), &id, &t, &err), 0);
	assert_int_equal(id, 7668682667818912009);
	assert_int_equal(t, 5);
	assert_int_equal(etcd_json_lease_grant(refused, strlen(refused), &id, &t, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "lease too long"));
	expect_decode_error(etcd_json_lease_grant("{" HDR ",\"TTL\":\"5\"}", strlen("{" HDR ",\"TTL\":\"5\"}"), &id, &t,
						  &err),
			    &err, "without an ID");
	assert_int_equal(etcd_json_lease_keepalive(ka, strlen(ka), &t, &err), 0);
	assert_int_equal(t, 5);
	assert_int_equal(etcd_json_lease_keepalive(ka_gone, strlen(ka_gone), &t, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "6a6ca241868a890b is gone"));
	assert_int_equal(etcd_json_lease_keepalive(ka_err, strlen(ka_err), &t, &err), -EAGAIN);
	assert_non_null(strstr(err.msg, "no leader"));
	expect_decode_error(etcd_json_lease_keepalive("{\"resul\":{}}", 12, &t, &err), &err, "without 'result'");
	expect_decode_error(etcd_json_lease_keepalive("[]", 2, &t, &err), &err, "does not start with a JSON object");
	expect_decode_error(etcd_json_lease_keepalive("{\"result\":{\"TTL\":\"5\"}}", 22, &t, &err), &err,
			    "no 'header'");
	assert_int_equal(etcd_json_lease_ttl(ttl, strlen(ttl), &t, &err), 0);
	assert_int_equal(t, 4);
	assert_int_equal(etcd_json_lease_ttl(ttl_gone, strlen(ttl_gone), &t, &err), -ENOENT);
}

static void test_error(void **state)
{
	const char *unary = "{\"error\":\"etcdserver: requested lease not found\",\"message\":\"etcdserver: requested "
			    "lease not found\",\"code\":5}";
	const char *stream =
		"{\"error\":{\"grpc_code\":11,\"http_code\":400,\"message\":\"mvcc: required revision has been "
		"compacted\"}}";
	char msg[64];
	int code = 0;

	assert_int_equal(etcd_json_error(unary, strlen(unary), &code, msg, sizeof(msg)), 0);
	assert_int_equal(code, 5);
	assert_string_equal(msg, "etcdserver: requested lease not found");
	assert_int_equal(etcd_grpc_errno(code), ENOENT);
	assert_int_equal(etcd_json_error(stream, strlen(stream), &code, msg, sizeof(msg)), 0);
	assert_int_equal(code, 11);
	assert_int_equal(etcd_grpc_errno(code), ERANGE);
	assert_int_equal(etcd_grpc_errno(14), EAGAIN);
	assert_int_equal(etcd_grpc_errno(999), EPROTO);
	/* not the gateway's: msg shows what came, on one line */
	assert_int_equal(etcd_json_error("<html>\n502 Bad Gateway</html>", 29, &code, msg, sizeof(msg)), -EBADMSG);
	assert_string_equal(msg, "<html> 502 Bad Gateway</html>");
	assert_int_equal(etcd_json_error("{\"error\":\"x\",\"code\":\"5\"}", 24, &code, msg, sizeof(msg)), -EBADMSG);
	assert_int_equal(etcd_json_error("{\"error\":7}", 11, &code, msg, sizeof(msg)), -EBADMSG);
	assert_int_equal(etcd_json_error("", 0, &code, msg, sizeof(msg)), -EBADMSG);
	/* an empty message: the code says what little there is */
	assert_int_equal(etcd_json_error("{\"error\":{\"message\":\"\",\"grpc_code\":9}}", 38, &code, msg, sizeof(msg)),
			 0);
	assert_string_equal(msg, "an error without a message (gRPC code 9)");
	/* a message without code is gRPC's Unknown */
	assert_int_equal(etcd_json_error("{\"error\":\"boom\"}", 16, &code, msg, sizeof(msg)), 0);
	assert_int_equal(code, 2);
	assert_string_equal(msg, "boom");
}

static void test_frame(void **state)
{
	const char *two = " {\"a\":\"}{\\\"\"}\n{\"b\":[{}]}\n";

	assert_int_equal(etcd_json_frame(two, strlen(two)), 13);
	assert_int_equal(etcd_json_frame(two + 13, strlen(two + 13)), 11);
	/* a cut anywhere inside an object: not yet */
	for (size_t i = 0; i < 13; i++)
		assert_int_equal(etcd_json_frame(two, i), 0);
	assert_int_equal(etcd_json_frame("\n\n", 2), 0);
	assert_int_equal(etcd_json_frame("[]", 2), -EBADMSG);
	assert_int_equal(etcd_json_frame("x{}", 3), -EBADMSG);
	/* unbalanced closers end the frame early; jansson then refuses what it cut */
	assert_int_equal(etcd_json_frame("{]", 2), 2);
}

static void test_watch(void **state)
{
	const char *created = "{\"result\":{" HDR ",\"created\":true}}";
	const char *events =
		"{\"result\":{" HDR ",\"events\":[{\"kv\":{\"key\":\"L24vYQ==\",\"create_revision\":\"5\","
		"\"mod_revision\":\"5\",\"version\":\"1\",\"value\":\"MQ==\"}},{\"type\":\"DELETE\",\"kv\":{"
		"\"key\":\"L24vYg==\",\"mod_revision\":\"6\"}}]}}";
	const char *compacted = "{\"result\":{\"header\":{\"cluster_id\":\"1\",\"raft_term\":\"2\"},\"canceled\":true,"
				"\"compact_revision\":\"3\"}}";
	const char *canceled = "{\"result\":{" HDR ",\"canceled\":true,\"cancel_reason\":\"permission denied\"}}";
	const char *error = "{\"error\":{\"grpc_code\":14,\"http_code\":503,\"message\":\"etcdserver: no leader\"}}";
	struct etcd_watch_msg m = { 0 };
	struct nr_error err = { 0 };

	assert_int_equal(etcd_json_watch_msg(created, strlen(created), &m, &err), 0);
	assert_true(m.created);
	assert_int_equal(m.revision, 7);
	assert_int_equal(m.n, 0);
	etcd_watch_msg_clear(&m);
	assert_int_equal(etcd_json_watch_msg(events, strlen(events), &m, &err), 0);
	assert_false(m.created);
	assert_int_equal(m.n, 2);
	assert_int_equal(m.ev[0].type, ETCD_EVENT_PUT);
	assert_string_equal(m.ev[0].kv.key, "/n/a");
	assert_string_equal(m.ev[0].kv.value, "1");
	assert_int_equal(m.ev[0].kv.mod_revision, 5);
	assert_int_equal(m.ev[1].type, ETCD_EVENT_DELETE);
	assert_string_equal(m.ev[1].kv.key, "/n/b");
	assert_string_equal(m.ev[1].kv.value, "");
	assert_int_equal(m.ev[1].kv.mod_revision, 6);
	etcd_watch_msg_clear(&m);
	assert_int_equal(etcd_json_watch_msg(compacted, strlen(compacted), &m, &err), 0);
	assert_true(m.canceled);
	assert_int_equal(m.compact_revision, 3);
	assert_int_equal(m.revision, 0);
	etcd_watch_msg_clear(&m);
	assert_int_equal(etcd_json_watch_msg(canceled, strlen(canceled), &m, &err), 0);
	assert_true(m.canceled);
	assert_string_equal(m.message, "permission denied");
	etcd_watch_msg_clear(&m);
	assert_int_equal(etcd_json_watch_msg(error, strlen(error), &m, &err), 0);
	assert_true(m.error);
	assert_int_equal(m.code, 14);
	assert_string_equal(m.message, "etcdserver: no leader");
	etcd_watch_msg_clear(&m);
	/* a watch refused before its stream began: the unary form */
	assert_int_equal(etcd_json_watch_msg("{\"error\":\"etcdserver: no leader\",\"code\":14}", 43, &m, &err), 0);
	assert_true(m.error);
	assert_int_equal(m.code, 14);
	assert_string_equal(m.message, "etcdserver: no leader");
	etcd_watch_msg_clear(&m);
	/* numeric enums (EnumsAsInts) are taken */
	assert_int_equal(etcd_json_watch_msg("{\"result\":{\"events\":[{\"type\":1,\"kv\":{}}]}}", 42, &m, &err), 0);
	assert_int_equal(m.ev[0].type, ETCD_EVENT_DELETE);
	etcd_watch_msg_clear(&m);
}

static void test_watch_hostile(void **state)
{
	static const struct {
		const char *body, *needle;
	} cases[] = {
		{ "{}", "without 'result' or 'error'" },
		{ "{\"result\":[]}", "'result' must be an object" },
		{ "{\"error\":7}", "without a message" },
		{ "{\"error\":{\"grpc_code\":14}}", "without a message" },
		{ "{\"result\":{\"events\":[{\"type\":\"EXPIRE\",\"kv\":{}}]}}", "must be PUT or DELETE" },
		{ "{\"result\":{\"events\":[{\"type\":2,\"kv\":{}}]}}", "must be PUT or DELETE" },
		{ "{\"result\":{\"events\":[{}]}}", "without 'kv'" },
		{ "{\"result\":{\"events\":[{\"kv\":[]}]}}", "'kv' must be an object" },
		{ "{\"result\":{\"events\":[{\"kv\":{}},{\"kv\":{\"key\":\"*\"}}]}}", "not base64" },
		{ "{\"result\":{\"events\":[\"PUT\"]}}", "must be an object" },
		{ "{\"result\":{\"events\":{}}}", "'events' must be an array" },
		{ "{\"result\":{\"created\":\"true\"}}", "'created' must be true or false" },
		{ "{\"result\":{\"compact_revision\":\"0x10\"}}", "must be an integer" },
		{ "{\"result\":{\"cancel_reason\":5}}", "'cancel_reason' must be a string" },
	};
	struct etcd_watch_msg m = { 0 };
	struct nr_error err = { 0 };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		expect_decode_error(etcd_json_watch_msg(cases[i].body, strlen(cases[i].body), &m, &err), &err,
				    cases[i].needle);
		assert_null(m.ev);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_b64),           cmocka_unit_test(test_endpoints),
		cmocka_unit_test(test_requests),      cmocka_unit_test(test_range),
		cmocka_unit_test(test_range_hostile), cmocka_unit_test(test_put_delete),
		cmocka_unit_test(test_txn),           cmocka_unit_test(test_lease),
		cmocka_unit_test(test_error),         cmocka_unit_test(test_frame),
		cmocka_unit_test(test_watch),         cmocka_unit_test(test_watch_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
