/* The daemon's streams without a server: the hijack relay (runtime/daemon/relay.c) over
 * socketpairs and pipes (frames, input and its EOF, a client that leaves, a command that
 * ends while something holds its output), logs' times (logs.c) and the exec table
 * (exec_store.c). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/exec_store.h"
#include "daemon/logs.h"
#include "daemon/relay.h"

/* Read exactly n bytes (or fail the test). */
static void read_n(int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (char *)buf + got, n - got);
		assert_true(r > 0);
		got += (size_t)r;
	}
}

static void expect_frame(int fd, int stream, const char *text)
{
	unsigned char h[8];
	char b[256] = "";
	size_t n = strlen(text);

	read_n(fd, h, 8);
	assert_int_equal(h[0], stream);
	assert_int_equal(h[1] | h[2] | h[3], 0);
	assert_int_equal(((size_t)h[4] << 24) | ((size_t)h[5] << 16) | ((size_t)h[6] << 8) | h[7], n);
	read_n(fd, b, n);
	assert_memory_equal(b, text, n);
}

static void test_relay_frames_outputs(void **state)
{
	int sv[2], o[2], e[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(pipe(o), 0);
	assert_int_equal(pipe(e), 0);
	assert_int_equal(write(o[1], "out\n", 4), 4);
	assert_int_equal(write(e[1], "err\n", 4), 4);
	close(o[1]);
	close(e[1]);
	struct relay r = { .sock = sv[0],
			   .in_fd = -1,
			   .n_out = 2,
			   .done_fd = -1,
			   .out = { { .fd = o[0], .stream = 1 }, { .fd = e[0], .stream = 2 } } };
	assert_int_equal(relay_run(&r), RELAY_OUTPUT_DONE);
	shutdown(sv[1], SHUT_WR); /* the client's half-close: relay_finish returns at once */
	relay_finish(sv[0]);
	expect_frame(sv[1], 1, "out\n");
	expect_frame(sv[1], 2, "err\n");
	char c;
	assert_int_equal(read(sv[1], &c, 1), 0); /* the half-close at the end */
	close(o[0]);
	close(e[0]);
	close(sv[0]);
	close(sv[1]);
}

struct run_arg {
	struct relay *r;
	enum relay_end end;
};

static void *run_thread(void *p)
{
	struct run_arg *a = p;

	a->end = relay_run(a->r);
	return NULL;
}

/* The client's bytes reach in_fd; its half-close closes it (a pipe: the command's EOF);
 * the relay goes on until the output ends, raw (stream 0). */
static void test_relay_input_and_eof(void **state)
{
	int sv[2], in[2], o[2];
	char b[16] = "";

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(o), 0);
	struct relay r = { .sock = sv[0],
			   .in_fd = in[1],
			   .in_eof = RELAY_EOF_CLOSE,
			   .n_out = 1,
			   .done_fd = -1,
			   .out = { { .fd = o[0], .stream = 0 } } };
	struct run_arg a = { .r = &r };
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, run_thread, &a), 0);
	assert_int_equal(write(sv[1], "data", 4), 4);
	shutdown(sv[1], SHUT_WR);
	read_n(in[0], b, 4);
	assert_string_equal(b, "data");
	assert_int_equal(read(in[0], b, 1), 0); /* closed by the relay */
	assert_int_equal(write(o[1], "raw", 3), 3);
	close(o[1]);
	pthread_join(t, NULL);
	assert_int_equal(a.end, RELAY_OUTPUT_DONE);
	assert_int_equal(r.in_fd, -1);
	memset(b, 0, sizeof(b));
	read_n(sv[1], b, 3);
	assert_string_equal(b, "raw");
	close(in[0]);
	close(o[0]);
	close(sv[0]);
	close(sv[1]);
}

/* A client that closes the connection ends the relay while the output is still open. */
static void test_relay_client_gone(void **state)
{
	int sv[2], o[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(pipe(o), 0);
	close(sv[1]);
	struct relay r = {
		.sock = sv[0], .in_fd = -1, .n_out = 1, .done_fd = -1, .out = { { .fd = o[0], .stream = 1 } }
	};
	assert_int_equal(relay_run(&r), RELAY_CLIENT_GONE);
	close(o[0]);
	close(o[1]);
	close(sv[0]);
}

/* done_fd: the command ended, something it left behind holds the output open; what was
 * written is copied and the relay ends. */
static void test_relay_done_drains(void **state)
{
	int sv[2], o[2], done = eventfd(0, EFD_CLOEXEC);
	uint64_t one = 1;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(pipe(o), 0);
	assert_int_equal(write(o[1], "last\n", 5), 5);
	assert_int_equal(write(done, &one, sizeof(one)), sizeof(one));
	struct relay r = {
		.sock = sv[0], .in_fd = -1, .n_out = 1, .done_fd = done, .out = { { .fd = o[0], .stream = 2 } }
	};
	assert_int_equal(relay_run(&r), RELAY_OUTPUT_DONE);
	expect_frame(sv[1], 2, "last\n");
	close(o[0]);
	close(o[1]);
	close(done);
	close(sv[0]);
	close(sv[1]);
}

static void test_logs_times(void **state)
{
	char b[64];
	long long ns;

	assert_int_equal(logs_parse_time("1733310000", &ns), 0);
	assert_true(ns == 1733310000LL * 1000000000LL);
	assert_int_equal(logs_parse_time("1733310000.5", &ns), 0);
	assert_true(ns == 1733310000LL * 1000000000LL + 500000000LL);
	assert_int_equal(logs_parse_time("1733310000.123456789123", &ns), 0);
	assert_true(ns == 1733310000LL * 1000000000LL + 123456789LL);
	assert_int_equal(logs_parse_time("", &ns), -EINVAL);
	assert_int_equal(logs_parse_time("-1", &ns), -EINVAL);
	assert_int_equal(logs_parse_time("12x", &ns), -EINVAL);
	assert_int_equal(logs_parse_time("99999999999999999999", &ns), -EINVAL);
	logs_timestamp(1796382000LL * 1000000000LL + 123456789LL, b, sizeof(b));
	assert_string_equal(b, "2026-12-04T11:00:00.123456789Z ");
	logs_timestamp(1796382000LL * 1000000000LL + 5, b, sizeof(b));
	assert_string_equal(b, "2026-12-04T11:00:00.000000005Z ");
	logs_timestamp(0, b, sizeof(b));
	assert_string_equal(b, "0001-01-01T00:00:00.000000000Z ");
}

static void test_exec_store(void **state)
{
	struct exec_inst *e = exec_inst_new(json_object());

	assert_non_null(e);
	snprintf(e->id, sizeof(e->id), "%064d", 1);
	assert_int_equal(exec_store_add(e), 0);
	struct exec_inst *got = exec_store_get(e->id);
	assert_ptr_equal(got, e);
	assert_null(exec_store_get("nope"));
	assert_true(exec_store_claim(e));
	assert_false(exec_store_claim(e)); /* a second start: it runs */
	exec_store_unclaim(e);
	assert_true(exec_store_claim(e));
	exec_store_finish(e, 7);
	assert_int_equal(e->state, EXEC_EXITED);
	assert_int_equal(e->exit_code, 7);
	assert_false(exec_store_claim(e)); /* it ran */
	exec_inst_unref(got);
	exec_inst_unref(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_relay_frames_outputs), cmocka_unit_test(test_relay_input_and_eof),
		cmocka_unit_test(test_relay_client_gone),    cmocka_unit_test(test_relay_done_drains),
		cmocka_unit_test(test_logs_times),           cmocka_unit_test(test_exec_store),
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
