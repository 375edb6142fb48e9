/* The JSON log (runtime/engine/log_json.c, log_json_read.c): Docker's json-file lines
 * written per stream and read back, --tail, --since/--until, long lines split at 16 KiB,
 * unfinished lines, rotation (also while following), garbage lines skipped, the text's
 * escaping.  In a private state dir; no privileges needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/container.h"
#include "engine/log_json.h"
#include "engine/log_json_internal.h"
#include "engine/rt.h"
#include "fixture.h"

static char state_dir[128];

static int group_setup(void **state)
{
	(void)state;
	return fixture_state_dir(state_dir, sizeof(state_dir), "test_log_json");
}

static int group_teardown(void **state)
{
	(void)state;
	fixture_rm_tree(state_dir);
	return 0;
}

/* A container name's directory and record (exited; monitor: pid, or none). */
static const char *container(const char *name, pid_t monitor)
{
	static char dir[512];
	struct ctr_record *rec = ctr_record_new();

	rt_ctr_path(dir, sizeof(dir), name, NULL);
	assert_int_equal(rt_mkdir_p(dir, 0711), 0);
	snprintf(rec->id, sizeof(rec->id), "%064d", 1);
	snprintf(rec->name, sizeof(rec->name), "%s", name);
	rec->status = monitor ? CTR_RUNNING : CTR_EXITED;
	rec->monitor = monitor;
	rec->monitor_start = monitor ? rt_pid_start_time(monitor) : 0;
	assert_int_equal(ctr_store_save(rec, NULL), 0);
	ctr_record_free(rec);
	return dir;
}

#define GOT_MAX 256
struct got {
	int n;
	enum ctr_stream stream[GOT_MAX];
	char *text[GOT_MAX];
	size_t len[GOT_MAX];
	long long time[GOT_MAX];
	int stop_after; /* 0: never */
	int idle_calls;
};

static int collect(void *ctx, const struct ctr_log_entry *e)
{
	struct got *g = ctx;

	assert_true(g->n < GOT_MAX);
	g->stream[g->n] = e->stream;
	g->text[g->n] = malloc(e->len + 1);
	memcpy(g->text[g->n], e->text, e->len);
	g->text[g->n][e->len] = '\0';
	g->len[g->n] = e->len;
	g->time[g->n] = e->time_ns;
	g->n++;
	return g->stop_after && g->n == g->stop_after ? 42 : 0;
}

static void got_free(struct got *g)
{
	for (int i = 0; i < g->n; i++)
		free(g->text[i]);
	g->n = 0;
}

static int read_all(const char *name, const struct ctr_log_query *q, struct got *g)
{
	struct nr_error err = { 0 };
	int r = ctr_jlog_read(name, q, collect, g, &err);

	if (r < 0)
		print_error("ctr_jlog_read: %s\n", err.msg);
	return r;
}

static const struct ctr_log_query all = { .tail = -1 };

static void write_str(struct ctr_jlog *l, enum ctr_stream s, const char *t)
{
	ctr_jlog_write(l, s, t, strlen(t));
}

static void test_streams_apart(void **state)
{
	const char *dir = container("streams", 0);
	struct ctr_jlog *l = NULL;
	struct got g = { 0 };

	(void)state;
	assert_int_equal(ctr_jlog_open(dir, 0, 1, &l, NULL), 0);
	write_str(l, CTR_STDOUT, "hello\nwor");
	write_str(l, CTR_STDERR, "oops\n");
	write_str(l, CTR_STDOUT, "ld\n");
	ctr_jlog_free(l);
	assert_int_equal(read_all("streams", &all, &g), 0);
	assert_int_equal(g.n, 3);
	assert_string_equal(g.text[0], "hello\n");
	assert_int_equal(g.stream[0], CTR_STDOUT);
	assert_string_equal(g.text[1], "oops\n");
	assert_int_equal(g.stream[1], CTR_STDERR);
	assert_string_equal(g.text[2], "world\n");
	assert_int_equal(g.stream[2], CTR_STDOUT);
	assert_true(g.time[0] <= g.time[1] && g.time[1] <= g.time[2]);
	assert_true(g.time[0] > 1700000000LL * 1000000000LL);
	got_free(&g);
}

static void test_unfinished_line_flushed(void **state)
{
	const char *dir = container("partial", 0);
	struct ctr_jlog *l = NULL;
	struct got g = { 0 };

	(void)state;
	assert_int_equal(ctr_jlog_open(dir, 0, 1, &l, NULL), 0);
	write_str(l, CTR_STDOUT, "no newline");
	assert_int_equal(read_all("partial", &all, &g), 0);
	assert_int_equal(g.n, 0); /* it waits for more */
	ctr_jlog_flush(l);
	assert_int_equal(read_all("partial", &all, &g), 0);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.text[0], "no newline");
	got_free(&g);
	write_str(l, CTR_STDERR, "at the end");
	ctr_jlog_free(l); /* flushes */
	assert_int_equal(read_all("partial", &all, &g), 0);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.text[1], "at the end");
	got_free(&g);
}

static void test_long_line_split(void **state)
{
	const char *dir = container("long", 0);
	struct ctr_jlog *l = NULL;
	struct got g = { 0 };
	size_t n = 40000;
	char *big = malloc(n + 1);

	(void)state;
	memset(big, 'a', n);
	big[n] = '\n';
	assert_int_equal(ctr_jlog_open(dir, 0, 1, &l, NULL), 0);
	ctr_jlog_write(l, CTR_STDOUT, big, n + 1);
	ctr_jlog_free(l);
	free(big);
	assert_int_equal(read_all("long", &all, &g), 0);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.len[0], CTR_JLOG_LINE_MAX);
	assert_int_equal(g.len[1], CTR_JLOG_LINE_MAX);
	assert_int_equal(g.len[2], n + 1 - 2 * CTR_JLOG_LINE_MAX);
	assert_int_equal(g.text[2][g.len[2] - 1], '\n');
	got_free(&g);
}

static void write_lines(const char *dir, long long max_size, int max_files, int n)
{
	struct ctr_jlog *l = NULL;
	char line[64];

	assert_int_equal(ctr_jlog_open(dir, max_size, max_files, &l, NULL), 0);
	for (int i = 0; i < n; i++) {
		snprintf(line, sizeof(line), "line %d\n", i);
		write_str(l, i % 2 ? CTR_STDERR : CTR_STDOUT, line);
	}
	ctr_jlog_free(l);
}

static void test_tail(void **state)
{
	const char *dir = container("tail", 0);
	struct ctr_log_query q = { .tail = 3 };
	struct got g = { 0 };

	(void)state;
	write_lines(dir, 0, 1, 10);
	assert_int_equal(read_all("tail", &q, &g), 0);
	assert_int_equal(g.n, 3);
	assert_string_equal(g.text[0], "line 7\n");
	assert_string_equal(g.text[2], "line 9\n");
	got_free(&g);
	q.tail = 0;
	assert_int_equal(read_all("tail", &q, &g), 0);
	assert_int_equal(g.n, 0);
	q.tail = 100;
	assert_int_equal(read_all("tail", &q, &g), 0);
	assert_int_equal(g.n, 10);
	got_free(&g);
}

static void test_since_until(void **state)
{
	const char *dir = container("since", 0);
	struct ctr_log_query q = { .tail = -1 };
	struct got g = { 0 }, h = { 0 };

	(void)state;
	write_lines(dir, 0, 1, 6);
	assert_int_equal(read_all("since", &all, &g), 0);
	assert_int_equal(g.n, 6);
	q.since_ns = g.time[3];
	assert_int_equal(read_all("since", &q, &h), 0);
	assert_true(h.n >= 3); /* entries of the same nanosecond come along */
	assert_string_equal(h.text[h.n - 1], "line 5\n");
	for (int i = 0; i < h.n; i++)
		assert_true(h.time[i] >= g.time[3]);
	got_free(&h);
	q.since_ns = 0;
	q.until_ns = g.time[1];
	assert_int_equal(read_all("since", &q, &h), 0);
	assert_true(h.n >= 2 && h.n <= 6);
	assert_string_equal(h.text[0], "line 0\n");
	for (int i = 0; i < h.n; i++)
		assert_true(h.time[i] <= g.time[1]);
	got_free(&h);
	got_free(&g);
}

static bool exists(const char *dir, const char *file)
{
	char p[600];

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	return access(p, F_OK) == 0;
}

/* Rotated at max-size into ctr.log.1, .2; read oldest first, with no gap. */
static void test_rotation(void **state)
{
	const char *dir = container("rotate", 0);
	struct got g = { 0 };
	char want[32];

	(void)state;
	write_lines(dir, 400, 3, 40);
	assert_true(exists(dir, "ctr.log"));
	assert_true(exists(dir, "ctr.log.1"));
	assert_true(exists(dir, "ctr.log.2"));
	assert_false(exists(dir, "ctr.log.3"));
	assert_int_equal(read_all("rotate", &all, &g), 0);
	assert_true(g.n > 3 && g.n < 40);
	for (int i = 0; i < g.n; i++) {
		snprintf(want, sizeof(want), "line %d\n", 40 - g.n + i);
		assert_string_equal(g.text[i], want);
	}
	got_free(&g);
}

/* Lines that are not entries of ours, and an unfinished last line: skipped. */
static void test_garbage_skipped(void **state)
{
	const char *dir = container("garbage", 0);
	struct got g = { 0 };
	char p[600];
	FILE *f;

	(void)state;
	write_lines(dir, 0, 1, 1);
	snprintf(p, sizeof(p), "%s/ctr.log", dir);
	assert_non_null(f = fopen(p, "a"));
	fputs("not json at all\n", f);
	fputs("{\"log\":1,\"stream\":\"stdout\",\"time\":\"2026-12-04T11:00:00Z\"}\n", f);
	fputs("{\"log\":\"x\",\"stream\":\"stdin\",\"time\":\"2026-12-04T11:00:00Z\"}\n", f);
	fputs("{\"log\":\"x\",\"stream\":\"stdout\",\"time\":\"yesterday\"}\n", f);
	fputs("\n", f);
	fputs("{\"log\":\"ok\\n\",\"stream\":\"stderr\",\"time\":\"2026-12-04T12:00:00.5+01:00\"}\n", f);
	fputs("{\"log\":\"unfinished", f);
	fclose(f);
	assert_int_equal(read_all("garbage", &all, &g), 0);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.text[0], "line 0\n");
	assert_string_equal(g.text[1], "ok\n");
	assert_int_equal(g.stream[1], CTR_STDERR);
	long long want;
	assert_true(ctr_jlog_parse_time("2026-12-04T11:00:00.500000000Z", &want));
	assert_int_equal(g.time[1], want);
	got_free(&g);
}

/* Quotes, backslashes, control bytes and UTF-8 survive; bytes that are not UTF-8
 * become U+FFFD, as Docker's encoder writes them. */
static void test_escaping(void **state)
{
	const char *dir = container("escape", 0);
	static const char text[] = "q\" b\\ t\t c\x01 z\0 e\xc3\xa9 bad\xff end\n";
	struct ctr_jlog *l = NULL;
	struct got g = { 0 };

	(void)state;
	assert_int_equal(ctr_jlog_open(dir, 0, 1, &l, NULL), 0);
	ctr_jlog_write(l, CTR_STDOUT, text, sizeof(text) - 1);
	ctr_jlog_free(l);
	assert_int_equal(read_all("escape", &all, &g), 0);
	assert_int_equal(g.n, 1);
	static const char want[] = "q\" b\\ t\t c\x01 z\0 e\xc3\xa9 bad\xef\xbf\xbd end\n";
	assert_int_equal(g.len[0], sizeof(want) - 1);
	assert_memory_equal(g.text[0], want, sizeof(want) - 1);
	got_free(&g);
}

static void test_fn_stops(void **state)
{
	const char *dir = container("stop", 0);
	struct got g = { .stop_after = 2 };

	(void)state;
	write_lines(dir, 0, 1, 5);
	assert_int_equal(read_all("stop", &all, &g), 42);
	assert_int_equal(g.n, 2);
	got_free(&g);
}

static void test_no_log_no_entries(void **state)
{
	struct got g = { 0 };
	struct nr_error err = { 0 };

	(void)state;
	container("nolog", 0);
	assert_int_equal(read_all("nolog", &all, &g), 0);
	assert_int_equal(g.n, 0);
	assert_true(ctr_jlog_read("nosuch", &all, collect, &g, &err) < 0);
}

static void test_time_format(void **state)
{
	char buf[64];
	long long ns = 1796384786123456789LL, back;

	(void)state;
	ctr_jlog_format_time(buf, sizeof(buf), ns);
	assert_string_equal(buf, "2026-12-04T11:46:26.123456789Z");
	assert_true(ctr_jlog_parse_time(buf, &back));
	assert_int_equal(back, ns);
	assert_true(ctr_jlog_parse_time("2026-12-04T12:46:26+01:00", &back));
	assert_int_equal(back, 1796384786000000000LL);
	assert_false(ctr_jlog_parse_time("2026-12-04 11:06:26", &back));
}

/* follow: a writer (a child standing for the monitor) writes and rotates while we read;
 * the read ends once it is gone, with every entry, in order. */
static void test_follow_through_rotation(void **state)
{
	int go[2], opened[2];
	struct ctr_log_query q = { .tail = -1, .follow = true };
	struct got g = { 0 };
	char want[32], c;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(opened), 0);
	rt_ctr_path(want, sizeof(want), "follow", NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) { /* the monitor: opens the log (before it says it is ready), then writes */
		struct ctr_jlog *l = NULL;
		char dir[512], line[64];
		close(go[1]);
		close(opened[0]);
		rt_ctr_path(dir, sizeof(dir), "follow", NULL);
		if (rt_mkdir_p(dir, 0711) < 0 || ctr_jlog_open(dir, 300, 2, &l, NULL) < 0 ||
		    write(opened[1], "o", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(1);
		for (int i = 0; i < 20; i++) {
			snprintf(line, sizeof(line), "line %d\n", i);
			ctr_jlog_write(l, CTR_STDOUT, line, strlen(line));
			usleep(20000);
		}
		ctr_jlog_free(l);
		_exit(0);
	}
	close(go[0]);
	close(opened[1]);
	assert_int_equal(read(opened[0], &c, 1), 1);
	close(opened[0]);
	container("follow", pid);
	assert_int_equal(write(go[1], "g", 1), 1);
	close(go[1]);
	assert_int_equal(read_all("follow", &q, &g), 0);
	int st;
	waitpid(pid, &st, 0);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(g.n, 20);
	for (int i = 0; i < g.n; i++) {
		snprintf(want, sizeof(want), "line %d\n", i);
		assert_string_equal(g.text[i], want);
	}
	got_free(&g);
}

static int idle_stop(void *ctx)
{
	struct got *g = ctx;

	return ++g->idle_calls == 3 ? 7 : 0;
}

/* follow of a container whose monitor lives (this process) but writes nothing: what there
 * is, then idle says when to stop. */
static void test_follow_idle_stops(void **state)
{
	const char *dir = container("follow-idle", getpid());
	struct ctr_log_query q = { .tail = -1, .follow = true, .idle = idle_stop };
	struct got g = { 0 };

	(void)state;
	write_lines(dir, 0, 1, 2);
	assert_int_equal(read_all("follow-idle", &q, &g), 7);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.idle_calls, 3);
	got_free(&g);
}

/* follow of a container whose monitor is gone: what there is, then the end. */
static void test_follow_no_monitor(void **state)
{
	const char *dir = container("follow-gone", 0);
	struct ctr_log_query q = { .tail = -1, .follow = true };
	struct got g = { 0 };

	(void)state;
	write_lines(dir, 0, 1, 3);
	assert_int_equal(read_all("follow-gone", &q, &g), 0);
	assert_int_equal(g.n, 3);
	got_free(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_streams_apart),     cmocka_unit_test(test_unfinished_line_flushed),
		cmocka_unit_test(test_long_line_split),   cmocka_unit_test(test_tail),
		cmocka_unit_test(test_since_until),       cmocka_unit_test(test_rotation),
		cmocka_unit_test(test_garbage_skipped),   cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_fn_stops),          cmocka_unit_test(test_no_log_no_entries),
		cmocka_unit_test(test_time_format),       cmocka_unit_test(test_follow_through_rotation),
		cmocka_unit_test(test_follow_no_monitor), cmocka_unit_test(test_follow_idle_stops),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
