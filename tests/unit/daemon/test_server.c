/* The server in process (server.c, server_stream.c, server_run.c) with handlers of the
 * test's own in place of the table's stand-ins: a stream's headers reach the client
 * before its body, a client leaving a stream makes its writer's writes fail, a hijacked
 * connection echoes (with bytes sent early), a streamed upload reaches its handler whole,
 * or cut as an error, a WHOLE body is read and a huge one refused with 413. */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/server.h"
#include "daemon/server_run.h"
#include "fixture.h"

static char dir[128], sock_path[256];
static struct server_listener *lis;
static size_t n_lis;

/* ---- handlers (strong: they replace routes_weak.c's) ---------------------------------- */

static int gate[2];                   /* the test writes a byte: the stream goes on */
static volatile int stream_write_err; /* what ended the stream's writes */
static int stream_done[2];            /* the stream's fn writes here when it returns */

static void events_fn(int out, void *ctx)
{
	char c;
	int r = api_write_all(out, "first\n", 6);

	if (r == 0 && read(gate[0], &c, 1) == 1)
		r = api_write_all(out, "second\n", 7);
	/* Then write until the client leaves. */
	for (int i = 0; r == 0 && i < 500; i++) {
		usleep(10 * 1000);
		r = api_write_all(out, "x\n", 2);
	}
	stream_write_err = r;
	if (write(stream_done[1], "d", 1) < 0)
		fail();
}

int h_events(struct api_req *r)
{
	return api_reply_stream(r, 200, "application/json", events_fn, NULL, NULL);
}

static void echo_fn(int sock, void *ctx)
{
	char buf[256];
	ssize_t n;

	while ((n = read(sock, buf, sizeof(buf))) > 0)
		if (api_write_all(sock, buf, (size_t)n) < 0)
			break;
	api_write_all(sock, "bye", 3);
	shutdown(sock, SHUT_WR);
}

static int hijack_freed[2]; /* a byte per hijack context freed */

static void hijack_free(void *ctx)
{
	if (write(hijack_freed[1], "f", 1) < 0)
		fail();
}

int h_container_attach(struct api_req *r)
{
	/* ?slow=1: the answer comes after the client has gone. */
	if (api_query(r, "slow"))
		usleep(300 * 1000);
	return api_reply_hijack(r, "application/vnd.docker.raw-stream", echo_fn, NULL, hijack_free);
}

/* Whether a hijack context was freed within ms. */
static bool hijack_freed_within(int ms)
{
	struct pollfd p = { .fd = hijack_freed[0], .events = POLLIN };
	char c;

	return poll(&p, 1, ms) == 1 && read(hijack_freed[0], &c, 1) == 1;
}

static volatile size_t load_bytes;
static volatile int load_end; /* 0: EOF, else -errno */
static int load_done[2];

int h_image_load(struct api_req *r)
{
	char buf[4096];
	ssize_t n;
	size_t total = 0;

	while ((n = read(r->body_fd, buf, sizeof(buf))) > 0)
		total += (size_t)n;
	load_bytes = total;
	load_end = n < 0 ? -errno : 0;
	if (write(load_done[1], "d", 1) < 0)
		return -EIO;
	return api_reply_json(r, 200, json_pack("{s:I}", "bytes", (json_int_t)total));
}

/* A whole body, and a query parameter the route takes (name), decoded. */
int h_container_create(struct api_req *r)
{
	return api_reply_json(r, 201,
			      json_pack("{s:I, s:s}", "len", (json_int_t)r->body_len, "q",
					api_query(r, "name") ? api_query(r, "name") : ""));
}

static void logs_fn(int out, void *ctx)
{
	while (api_write_all(out, "log line\n", 9) == 0)
		usleep(5 * 1000);
}

int h_container_logs(struct api_req *r)
{
	return api_reply_stream(r, 200, "application/vnd.docker.raw-stream", logs_fn, NULL, NULL);
}

/* ---- client ------------------------------------------------------------------------- */

static int dial(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* Read what arrives within ms into buf (NUL-terminated); stops at EOF or when want
 * appears. */
static size_t recv_until(int fd, char *buf, size_t len, const char *want, int ms)
{
	size_t got = 0;

	buf[0] = '\0';
	while (got + 1 < len) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, ms) <= 0)
			break;
		ssize_t n = read(fd, buf + got, len - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
		buf[got] = '\0';
		if (want && strstr(buf, want))
			break;
	}
	return got;
}

static void send_str(int fd, const char *s)
{
	assert_int_equal(api_write_all(fd, s, strlen(s)), 0);
}

/* ---- tests -------------------------------------------------------------------------- */

static void test_stream_headers_first(void **state)
{
	char buf[4096];
	int fd = dial();

	send_str(fd, "GET /v1.41/events HTTP/1.1\r\nHost: x\r\n\r\n");
	recv_until(fd, buf, sizeof(buf), "first\n", 2000);
	/* The headers (and the first line) are out while fn waits at the gate: docker's
	 * `wait` relies on headers arriving before anything happens. */
	assert_non_null(strstr(buf, "HTTP/1.1 200"));
	assert_non_null(strstr(buf, "Transfer-Encoding: chunked"));
	assert_non_null(strstr(buf, "Api-Version: 1.50"));
	assert_non_null(strstr(buf, "first\n"));
	assert_null(strstr(buf, "second"));
	assert_int_equal(write(gate[1], "g", 1), 1);
	recv_until(fd, buf, sizeof(buf), "second\n", 2000);
	assert_non_null(strstr(buf, "second\n"));
	/* The client leaves: fn's writes fail and it returns. */
	close(fd);
	char c;
	struct pollfd p = { .fd = stream_done[0], .events = POLLIN };
	assert_int_equal(poll(&p, 1, 5000), 1);
	assert_int_equal(read(stream_done[0], &c, 1), 1);
	assert_int_equal(stream_write_err, -EPIPE);
}

static void test_hijack(void **state)
{
	char buf[4096];
	int fd = dial();

	/* "early" rides with the headers: it must reach fn before anything else. */
	send_str(fd, "POST /containers/c1/attach?stream=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: "
		     "tcp\r\n\r\nearly");
	recv_until(fd, buf, sizeof(buf), "early", 2000);
	assert_non_null(strstr(buf, "HTTP/1.1 101"));
	assert_non_null(strstr(buf, "Upgrade: tcp"));
	assert_non_null(strstr(buf, "Connection: Upgrade\r\n")); /* once, not "Upgrade, Upgrade" */
	assert_non_null(strstr(buf, "application/vnd.docker.raw-stream"));
	assert_non_null(strstr(buf, "\r\n\r\nearly"));
	send_str(fd, "hello");
	recv_until(fd, buf, sizeof(buf), "hello", 2000);
	assert_string_equal(buf, "hello");
	/* Half-close: fn sees EOF, says bye, and closes its side. */
	shutdown(fd, SHUT_WR);
	size_t n = recv_until(fd, buf, sizeof(buf), NULL, 2000);
	assert_int_equal(n, 3);
	assert_string_equal(buf, "bye");
	close(fd);
}

/* A hijack the client did not ask for (HTTP/1.0, no Upgrade): 400 with a message, and
 * its context freed; one whose client left before the 101: freed too. */
static void test_hijack_refused_or_left(void **state)
{
	char buf[4096];
	const char *reqs[] = {
		"POST /containers/c1/attach HTTP/1.0\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n",
		"POST /containers/c1/attach HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
	};

	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		int fd = dial();
		send_str(fd, reqs[i]);
		recv_until(fd, buf, sizeof(buf), "}\n", 2000);
		assert_non_null(strstr(buf, " 400 "));
		assert_non_null(strstr(buf, "{\"message\":\"/containers/c1/attach hijacks the connection"));
		assert_true(hijack_freed_within(2000));
		close(fd);
	}
	int fd = dial();
	send_str(fd, "POST /containers/c1/attach?slow=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: "
		     "tcp\r\n\r\n");
	close(fd);
	assert_true(hijack_freed_within(3000));
}

static void test_hijack_plain(void **state)
{
	char buf[4096];
	int fd = dial();

	send_str(fd, "POST /containers/c1/attach HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n");
	recv_until(fd, buf, sizeof(buf), "\r\n\r\n", 2000);
	assert_non_null(strstr(buf, "HTTP/1.1 101"));
	send_str(fd, "ping");
	recv_until(fd, buf, sizeof(buf), "ping", 2000);
	assert_string_equal(buf, "ping");
	close(fd);
}

static void test_upload_whole(void **state)
{
	char buf[4096], c;
	int fd = dial();

	send_str(fd, "POST /images/load HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789");
	recv_until(fd, buf, sizeof(buf), "}\n", 3000);
	assert_non_null(strstr(buf, "HTTP/1.1 200"));
	assert_non_null(strstr(buf, "{\"bytes\":10}"));
	assert_int_equal(read(load_done[0], &c, 1), 1);
	assert_int_equal(load_end, 0);
	close(fd);
}

static void test_upload_cut(void **state)
{
	char c;
	int fd = dial();

	send_str(fd, "POST /images/load HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n01234");
	usleep(200 * 1000);
	close(fd); /* gone mid-upload */
	struct pollfd p = { .fd = load_done[0], .events = POLLIN };
	assert_int_equal(poll(&p, 1, 5000), 1);
	assert_int_equal(read(load_done[0], &c, 1), 1);
	assert_int_equal(load_bytes, 5);
	assert_int_equal(load_end, -ECONNRESET);
}

static void test_whole_body(void **state)
{
	char buf[4096];
	int fd = dial();

	send_str(fd, "POST /containers/create?name=a%20b HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n\r\n{\"a\":1}");
	recv_until(fd, buf, sizeof(buf), "}\n", 3000);
	assert_non_null(strstr(buf, "HTTP/1.1 201"));
	assert_non_null(strstr(buf, "{\"len\":7,\"q\":\"a b\"}"));
	close(fd);
	/* A parameter the route does not take: refused before the handler, with its name. */
	fd = dial();
	send_str(fd, "POST /containers/create?q=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n\r\n{\"a\":1}");
	recv_until(fd, buf, sizeof(buf), "}", 3000);
	assert_non_null(strstr(buf, "HTTP/1.1 400"));
	assert_non_null(strstr(buf, "unknown query parameter for POST /containers/create: q"));
	close(fd);
}

static void test_whole_too_big(void **state)
{
	char buf[4096];
	int fd = dial();

	/* Announced too big: refused before the body. */
	send_str(fd, "POST /networks/create HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n");
	recv_until(fd, buf, sizeof(buf), "}\n", 3000);
	assert_non_null(strstr(buf, "HTTP/1.1 413"));
	assert_non_null(strstr(buf, "too large"));
	close(fd);
	/* Chunked, no length: refused once the limit is passed (answered when the client
	 * is done sending). */
	fd = dial();
	send_str(fd, "POST /networks/create HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
	char chunk[70000];
	memset(chunk, 'a', sizeof(chunk));
	int n = snprintf(chunk, 16, "%x\r\n", 65536);
	chunk[n + 65536] = '\r';
	chunk[n + 65537] = '\n';
	for (int i = 0; i < (API_BODY_MAX >> 16) + 2; i++)
		if (api_write_all(fd, chunk, (size_t)n + 65538) < 0)
			break; /* cut by the server: fine */
	/* The rest is read and dropped (never buffered); the answer comes at the end. */
	api_write_all(fd, "0\r\n\r\n", 5);
	recv_until(fd, buf, sizeof(buf), "}\n", 3000);
	assert_non_null(strstr(buf, "HTTP/1.1 413"));
	close(fd);
}

static size_t count_dir(const char *path)
{
	size_t n = 0;
	DIR *d = opendir(path);

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* Streams the client leaves and hijacked sessions (with early bytes: the relay too) end
 * their threads and close their descriptors. */
static void test_no_leaks(void **state)
{
	char buf[4096];
	size_t fds0, th0, fds = 0, th = 0;

	usleep(300 * 1000);
	fds0 = count_dir("/proc/self/fd");
	th0 = count_dir("/proc/self/task");
	for (int i = 0; i < 20; i++) {
		int a = dial(), b = dial();
		send_str(a, "GET /containers/c1/logs?follow=1 HTTP/1.1\r\nHost: x\r\n\r\n");
		send_str(b, "POST /containers/c1/attach HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: "
			    "tcp\r\n\r\nearly");
		recv_until(a, buf, sizeof(buf), "log line", 2000);
		assert_non_null(strstr(buf, "log line"));
		recv_until(b, buf, sizeof(buf), "early", 2000);
		assert_non_null(strstr(buf, "early"));
		close(a);
		close(b);
	}
	for (int i = 0; i < 100; i++) {
		fds = count_dir("/proc/self/fd");
		th = count_dir("/proc/self/task");
		if (fds <= fds0 && th <= th0)
			break;
		usleep(50 * 1000);
	}
	assert_int_equal(fds, fds0);
	assert_int_equal(th, th0);
}

/* Shutdown with a stream and a hijacked session open: both are cut after the grace
 * period, and the stop returns within its bound even though this client reads nothing
 * of the stream (MHD's thread may stay blocked writing to it: the process would exit). */
static void test_stop_cuts_streams(void **state)
{
	char buf[4096];
	struct timespec t0, t1;
	int a = dial(), b = dial();

	send_str(a, "GET /containers/c1/logs?follow=1 HTTP/1.1\r\nHost: x\r\n\r\n");
	send_str(b, "POST /containers/c1/attach HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n");
	recv_until(a, buf, sizeof(buf), "log line", 2000);
	recv_until(b, buf, sizeof(buf), "\r\n\r\n", 2000);
	assert_non_null(strstr(buf, "101"));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	server_stop(lis, n_lis, 1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec <= 5);
	/* The hijacked session ended: EOF once what was sent is read. */
	recv_until(b, buf, sizeof(buf), NULL, 2000);
	char c;
	assert_true(read(b, &c, 1) <= 0);
	close(a);
	close(b);
}

static int setup(void **state)
{
	struct server_opts o = { .group = "root",
				 .group_given = true,
				 .timeout = 5,
				 .conn_limit = 64,
				 .per_ip_limit = 8,
				 .shutdown_timeout = 1 };
	struct nr_error err = { 0 };

	if (fixture_state_dir(dir, sizeof(dir), "daemon-server") < 0)
		return -1;
	snprintf(sock_path, sizeof(sock_path), "%s/d.sock", dir);
	static char host[300];
	snprintf(host, sizeof(host), "unix://%s", sock_path);
	o.hosts[o.n_hosts++] = host;
	signal(SIGPIPE, SIG_IGN);
	if (pipe(gate) < 0 || pipe(stream_done) < 0 || pipe(load_done) < 0 || pipe(hijack_freed) < 0)
		return -1;
	if (listen_open(&o, &lis, &n_lis, &err) < 0 || server_start(&lis[0], &o, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	server_stop(lis, n_lis, 1);
	listen_close(lis, n_lis);
	fixture_rm_tree(dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stream_headers_first),
		cmocka_unit_test(test_hijack),
		cmocka_unit_test(test_hijack_plain),
		cmocka_unit_test(test_hijack_refused_or_left),
		cmocka_unit_test(test_upload_whole),
		cmocka_unit_test(test_upload_cut),
		cmocka_unit_test(test_whole_body),
		cmocka_unit_test(test_whole_too_big),
		cmocka_unit_test(test_no_leaks),
		cmocka_unit_test(test_stop_cuts_streams), /* last: it stops the server */
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
