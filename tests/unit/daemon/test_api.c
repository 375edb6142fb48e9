/* api.c: the query and header lookups, Docker's booleans and integers, the error status
 * of each engine error kind, the stream frame; server_body.c: a body cut short reads as
 * an error, a whole one as EOF. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/server.h"
#include "daemon/server_body.h"
#include "engine/rt_error.h"

static void conn_init(struct api_conn *c)
{
	memset(c, 0, sizeof(*c));
	c->req.conn = c;
	c->query[c->n_query++] = (struct api_kv){ "all", "1" };
	c->query[c->n_query++] = (struct api_kv){ "bare", NULL };
	c->query[c->n_query++] = (struct api_kv){ "t", "10" };
	c->query[c->n_query++] = (struct api_kv){ "neg", "-3" };
	c->query[c->n_query++] = (struct api_kv){ "bad", "yes" };
	c->query[c->n_query++] = (struct api_kv){ "f", "False" };
	c->query[c->n_query++] = (struct api_kv){ "num", "12x" };
	c->query[c->n_query++] = (struct api_kv){ "names", "a" };
	c->query[c->n_query++] = (struct api_kv){ "names", "b:1" };
	c->headers[c->n_headers++] = (struct api_kv){ "Content-Type", "application/json" };
}

static void test_query(void **state)
{
	struct api_conn c;

	conn_init(&c);
	assert_string_equal(api_query(&c.req, "all"), "1");
	assert_string_equal(api_query(&c.req, "bare"), "");
	assert_null(api_query(&c.req, "missing"));
	assert_null(api_query(&c.req, "ALL")); /* keys are case-sensitive, as Go's */
	assert_string_equal(api_header(&c.req, "content-type"), "application/json");
	assert_null(api_header(&c.req, "X-Nope"));
	const char *v[4];
	assert_int_equal(api_query_all(&c.req, "names", v, 4), 2);
	assert_string_equal(v[0], "a");
	assert_string_equal(v[1], "b:1");
	assert_int_equal(api_query_all(&c.req, "names", v, 1), 1);
	assert_int_equal(api_query_all(&c.req, "missing", v, 4), 0);
	assert_string_equal(api_query(&c.req, "names"), "a"); /* the first */
}

static void test_bool(void **state)
{
	struct api_conn c;
	bool b;

	conn_init(&c);
	assert_int_equal(api_query_bool(&c.req, "all", false, &b), 0);
	assert_true(b);
	assert_int_equal(api_query_bool(&c.req, "bare", false, &b), 0);
	assert_true(b);
	assert_int_equal(api_query_bool(&c.req, "f", true, &b), 0);
	assert_false(b);
	assert_int_equal(api_query_bool(&c.req, "missing", true, &b), 0);
	assert_true(b);
	assert_int_equal(api_query_bool(&c.req, "missing", false, &b), 0);
	assert_false(b);
	assert_int_equal(api_query_bool(&c.req, "bad", false, &b), -EINVAL);
	const char *t[] = { "1", "true", "True", "" }, *f[] = { "0", "false", "False" };
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(api_parse_bool(t[i], false, &b), 0);
		assert_true(b);
	}
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(api_parse_bool(f[i], true, &b), 0);
		assert_false(b);
	}
	assert_int_equal(api_parse_bool("TRUE", false, &b), -EINVAL);
	assert_int_equal(api_parse_bool("2", false, &b), -EINVAL);
}

static void test_long(void **state)
{
	struct api_conn c;
	long v;

	conn_init(&c);
	assert_int_equal(api_query_long(&c.req, "t", 5, &v), 0);
	assert_int_equal(v, 10);
	assert_int_equal(api_query_long(&c.req, "neg", 5, &v), 0);
	assert_int_equal(v, -3);
	assert_int_equal(api_query_long(&c.req, "missing", 5, &v), 0);
	assert_int_equal(v, 5);
	assert_int_equal(api_query_long(&c.req, "num", 5, &v), -EINVAL);
	assert_int_equal(api_query_long(&c.req, "bare", 5, &v), -EINVAL);
	assert_int_equal(api_parse_long(" 1", 0, &v), -EINVAL);
	assert_int_equal(api_parse_long("99999999999999999999999", 0, &v), -EINVAL);
}

static void test_error_status(void **state)
{
	struct nr_error e = { 0 };

	e.code = RT_ERR_USAGE;
	assert_int_equal(api_error_status(&e), 400);
	e.code = RT_ERR_NOT_FOUND;
	assert_int_equal(api_error_status(&e), 404);
	e.code = RT_ERR_CONFLICT;
	assert_int_equal(api_error_status(&e), 409);
	e.code = RT_ERR_SYSTEM;
	assert_int_equal(api_error_status(&e), 500);
	e.code = CNI_ERR_IO; /* a plugin's code */
	assert_int_equal(api_error_status(&e), 500);
	assert_int_equal(api_error_status(NULL), 500);
}

static void test_frame(void **state)
{
	int p[2];
	unsigned char buf[64];

	assert_int_equal(pipe(p), 0);
	assert_int_equal(api_write_frame(p[1], 2, "hello", 5), 0);
	assert_int_equal(read(p[0], buf, sizeof(buf)), 13);
	const unsigned char want[] = { 2, 0, 0, 0, 0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o' };
	assert_memory_equal(buf, want, sizeof(want));
	json_t *v = json_pack("{s:i}", "a", 1);
	assert_int_equal(api_write_json_line(p[1], v), 0);
	json_decref(v);
	assert_int_equal(read(p[0], buf, sizeof(buf)), 8);
	assert_memory_equal(buf, "{\"a\":1}\n", 8);
	close(p[0]);
	close(p[1]);
}

/* Read fd to its end: the bytes, and 0 (EOF) or -errno (how it ended). */
static int drain(int fd, char *buf, size_t len, size_t *got)
{
	*got = 0;
	for (;;) {
		ssize_t n = read(fd, buf + *got, len - *got);
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		*got += (size_t)n;
	}
}

static void test_body_complete(void **state)
{
	int sv[2];
	char buf[64];
	size_t got;

	assert_int_equal(body_pipe_open(sv), 0);
	assert_int_equal(body_pipe_write(sv[1], "abc", 3), 0);
	body_pipe_close(sv[1], true);
	assert_int_equal(drain(sv[0], buf, sizeof(buf), &got), 0);
	assert_int_equal(got, 3);
	assert_memory_equal(buf, "abc", 3);
	close(sv[0]);
}

static void test_body_cut(void **state)
{
	int sv[2];
	char buf[64];
	size_t got;

	assert_int_equal(body_pipe_open(sv), 0);
	assert_int_equal(body_pipe_write(sv[1], "abc", 3), 0);
	body_pipe_close(sv[1], false);
	/* What was sent arrives, then the read fails: the handler knows to roll back. */
	assert_int_equal(drain(sv[0], buf, sizeof(buf), &got), -ECONNRESET);
	assert_int_equal(got, 3);
	close(sv[0]);
}

static void test_body_handler_gone(void **state)
{
	int sv[2];

	assert_int_equal(body_pipe_open(sv), 0);
	close(sv[0]);
	assert_int_equal(body_pipe_write(sv[1], "abc", 3), -EPIPE);
	body_pipe_close(sv[1], true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query),    cmocka_unit_test(test_bool),
		cmocka_unit_test(test_long),     cmocka_unit_test(test_error_status),
		cmocka_unit_test(test_frame),    cmocka_unit_test(test_body_complete),
		cmocka_unit_test(test_body_cut), cmocka_unit_test(test_body_handler_gone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
