/* The event bus (runtime/daemon/events_bus.c, events_filter.c): Docker's event shape,
 * ?since=/?until= replay from the ring, ?filters= as moby matches them, and streams
 * that end when their client leaves. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/events.h"
#include "daemon/events_bus.h"
#include "engine/rt_error.h"

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Run a stream into a file (it ends at until) and return what it wrote. */
static char *stream_text(long long since, long long until, const char *filter)
{
	struct events_filter *f = NULL;
	struct nr_error err = { 0 };
	int fd = memfd_create("events", MFD_CLOEXEC);
	char *buf = calloc(1, 1 << 20);
	size_t len = 0;
	ssize_t n;

	assert_non_null(buf);
	assert_true(fd >= 0);
	assert_int_equal(events_filter_parse(filter, &f, &err), 0);
	assert_int_equal(events_stream(fd, since, until, f), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	while ((n = read(fd, buf + len, (1 << 20) - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	events_filter_free(f);
	return buf;
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_shape(void **state)
{
	long long t0 = now_ns();
	char *out;
	json_t *ev;
	json_error_t jerr;

	events_emit("container", "create", "abc123", json_pack("{s:s, s:s}", "name", "web", "image", "busybox"));
	out = stream_text(t0, now_ns(), "{\"type\":[\"container\"]}");
	ev = json_loads(out, JSON_DISABLE_EOF_CHECK, &jerr);
	assert_non_null(ev);
	assert_string_equal(json_string_value(json_object_get(ev, "status")), "create");
	assert_string_equal(json_string_value(json_object_get(ev, "id")), "abc123");
	assert_string_equal(json_string_value(json_object_get(ev, "from")), "busybox");
	assert_string_equal(json_string_value(json_object_get(ev, "Type")), "container");
	assert_string_equal(json_string_value(json_object_get(ev, "Action")), "create");
	assert_string_equal(json_string_value(json_object_get(ev, "scope")), "local");
	assert_string_equal(json_string_value(
				    json_object_get(json_object_get(json_object_get(ev, "Actor"), "Attributes"),
						    "name")),
			    "web");
	assert_true(json_integer_value(json_object_get(ev, "timeNano")) >= t0);
	assert_int_equal(json_integer_value(json_object_get(ev, "time")),
			 json_integer_value(json_object_get(ev, "timeNano")) / 1000000000LL);
	json_decref(ev);
	free(out);
}

static void test_network_has_no_legacy_fields(void **state)
{
	long long t0 = now_ns();
	char *out;
	json_t *ev;
	json_error_t jerr;

	events_emit("network", "create", "n1", json_pack("{s:s, s:s}", "name", "net1", "type", "bridge"));
	out = stream_text(t0, now_ns(), NULL);
	ev = json_loads(out, JSON_DISABLE_EOF_CHECK, &jerr);
	assert_non_null(ev);
	assert_null(json_object_get(ev, "status"));
	assert_string_equal(json_string_value(json_object_get(ev, "Type")), "network");
	json_decref(ev);
	free(out);
}

static void test_exit_code_is_a_string(void **state)
{
	long long t0 = now_ns();
	char *out;

	events_emit("container", "die", "c1", json_pack("{s:s, s:i}", "name", "x", "exitCode", 3));
	out = stream_text(t0, now_ns(), NULL);
	assert_non_null(strstr(out, "\"exitCode\":\"3\""));
	free(out);
}

static void test_since_until(void **state)
{
	long long t0 = now_ns(), t1, t2;
	char *out;

	events_emit("container", "start", "s1", NULL);
	t1 = now_ns();
	events_emit("container", "stop", "s1", NULL);
	t2 = now_ns();
	out = stream_text(t0, t2, NULL);
	assert_int_equal(count_lines(out), 2);
	free(out);
	out = stream_text(t1, t2, NULL);
	assert_int_equal(count_lines(out), 1);
	assert_non_null(strstr(out, "\"stop\""));
	free(out);
	/* until before both: nothing */
	out = stream_text(t0, t0, NULL);
	assert_int_equal(count_lines(out), 0);
	free(out);
}

static void test_filters(void **state)
{
	long long t0 = now_ns(), t1;
	char *out;

	events_emit("container", "create", "aaaa1111",
		    json_pack("{s:s, s:s}", "name", "web", "image", "busybox:latest"));
	events_emit("container", "start", "aaaa1111",
		    json_pack("{s:s, s:s}", "name", "web", "image", "busybox:latest"));
	events_emit("container", "start", "bbbb2222", json_pack("{s:s}", "name", "db"));
	events_emit("network", "connect", "nnnn", json_pack("{s:s, s:s}", "name", "front", "container", "aaaa1111"));
	events_emit("container", "exec_start: sh -c true", "aaaa1111", json_pack("{s:s}", "name", "web"));
	t1 = now_ns();

	out = stream_text(t0, t1, "{\"event\":[\"start\"]}");
	assert_int_equal(count_lines(out), 2);
	free(out);
	/* the older map form, several keys (all must match) */
	out = stream_text(t0, t1,
			  "{\"type\":{\"container\":true},\"event\":{\"start\":true},\"container\":{\"web\":true}}");
	assert_int_equal(count_lines(out), 1);
	free(out);
	/* a short id prefix */
	out = stream_text(t0, t1, "{\"container\":[\"bbbb\"]}");
	assert_int_equal(count_lines(out), 1);
	free(out);
	out = stream_text(t0, t1, "{\"network\":[\"front\"]}");
	assert_int_equal(count_lines(out), 1);
	assert_non_null(strstr(out, "\"connect\""));
	free(out);
	/* image without its tag */
	out = stream_text(t0, t1, "{\"image\":[\"busybox\"]}");
	assert_int_equal(count_lines(out), 2);
	free(out);
	out = stream_text(t0, t1, "{\"event\":[\"exec_start\"]}");
	assert_int_equal(count_lines(out), 1);
	free(out);
	out = stream_text(t0, t1, "{\"type\":[\"network\",\"container\"],\"event\":[\"connect\",\"create\"]}");
	assert_int_equal(count_lines(out), 2);
	free(out);
	out = stream_text(t0, t1, "{\"label\":[\"name=db\"]}");
	assert_int_equal(count_lines(out), 1);
	free(out);
}

static void test_filter_refused(void **state)
{
	struct events_filter *f = NULL;
	struct nr_error err = { 0 };

	assert_int_equal(events_filter_parse("{\"colour\":[\"red\"]}", &f, &err), -EINVAL);
	assert_int_equal(err.code, RT_ERR_USAGE);
	assert_string_equal(err.msg, "invalid filter 'colour'");
	assert_int_equal(events_filter_parse("{\"type\":[1]}", &f, &err), -EINVAL);
	assert_int_equal(events_filter_parse("[", &f, &err), -EINVAL);
	assert_int_equal(events_filter_parse("\"x\"", &f, &err), -EINVAL);
	assert_null(f);
	assert_int_equal(events_filter_parse("", &f, &err), 0);
	assert_null(f);
}

static void test_parse_time(void **state)
{
	long long t;

	assert_int_equal(events_parse_time("1700000000", &t), 0);
	assert_true(t == 1700000000LL * 1000000000LL);
	assert_int_equal(events_parse_time("1700000000.5", &t), 0);
	assert_true(t == 1700000000LL * 1000000000LL + 500000000LL);
	assert_int_equal(events_parse_time("1700000000.000000001", &t), 0);
	assert_true(t == 1700000000LL * 1000000000LL + 1);
	assert_int_equal(events_parse_time("10m", &t), -EINVAL);
	assert_int_equal(events_parse_time("", &t), -EINVAL);
	assert_int_equal(events_parse_time("-1", &t), -EINVAL);
	assert_int_equal(events_parse_time("99999999999999999999", &t), -EINVAL);
}

/* The ring is bounded: the oldest are gone, a replay gives at most EVENTS_RING. */
static void test_ring_bounded(void **state)
{
	long long t0 = now_ns(), t1;
	char *out;

	for (int i = 0; i < EVENTS_RING + 100; i++)
		events_emit("image", "tag", "img", NULL);
	t1 = now_ns();
	out = stream_text(t0, t1, "{\"type\":[\"image\"]}");
	assert_int_equal(count_lines(out), EVENTS_RING);
	free(out);
}

/* The watcher's way to a container already gone: its id and image from its events. */
static void test_recent_container(void **state)
{
	char id[65], image[64];

	events_emit("container", "create", "old1", json_pack("{s:s, s:s}", "name", "rc", "image", "img:old"));
	events_emit("container", "create", "new2", json_pack("{s:s, s:s}", "name", "rc", "image", "img:new"));
	events_emit("container", "start", "new2", json_pack("{s:s}", "name", "rc"));
	events_emit("network", "connect", "net9", json_pack("{s:s}", "name", "rc"));
	assert_true(events_recent_container("rc", id, sizeof(id), image, sizeof(image)));
	assert_string_equal(id, "new2");
	assert_string_equal(image, "img:new");
	assert_false(events_recent_container("nobody", id, sizeof(id), image, sizeof(image)));
}

struct live {
	int fd;
	int ret;
};

static void *live_stream(void *p)
{
	struct live *l = p;

	l->ret = events_stream(l->fd, 0, 0, NULL);
	return NULL;
}

/* A live stream (no since, no until) gets new events; when its client goes away it
 * ends, idle or not, and is counted no more. */
static void test_client_gone(void **state)
{
	struct live l = { .ret = 1 };
	pthread_t t;
	int p[2];
	char buf[4096];
	ssize_t n;

	assert_int_equal(events_streams(), 0);
	assert_int_equal(pipe(p), 0);
	l.fd = p[1];
	assert_int_equal(pthread_create(&t, NULL, live_stream, &l), 0);
	for (int i = 0; i < 1000 && events_streams() == 0; i++)
		usleep(1000);
	assert_int_equal(events_streams(), 1);
	events_emit("container", "start", "live1", NULL);
	n = read(p[0], buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "live1"));
	/* idle, the reader leaves: noticed within the idle check (1 s) */
	close(p[0]);
	for (int i = 0; i < 3000 && events_streams() > 0; i++)
		usleep(1000);
	assert_int_equal(events_streams(), 0);
	pthread_join(t, NULL);
	assert_int_equal(l.ret, -EPIPE);
	close(p[1]);
}

/* events_stop ends the live streams (the daemon's SIGTERM). */
static void test_stop_ends_streams(void **state)
{
	struct live l = { .ret = 1 };
	pthread_t t;
	int p[2];

	assert_int_equal(pipe(p), 0);
	l.fd = p[1];
	assert_int_equal(pthread_create(&t, NULL, live_stream, &l), 0);
	for (int i = 0; i < 1000 && events_streams() == 0; i++)
		usleep(1000);
	events_stop();
	pthread_join(t, NULL);
	assert_int_equal(l.ret, 0);
	assert_int_equal(events_streams(), 0);
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shape),
		cmocka_unit_test(test_network_has_no_legacy_fields),
		cmocka_unit_test(test_exit_code_is_a_string),
		cmocka_unit_test(test_since_until),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_filter_refused),
		cmocka_unit_test(test_parse_time),
		cmocka_unit_test(test_ring_bounded),
		cmocka_unit_test(test_recent_container),
		cmocka_unit_test(test_client_gone),
		cmocka_unit_test(test_stop_ends_streams), /* last: the bus is stopped after it */
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
