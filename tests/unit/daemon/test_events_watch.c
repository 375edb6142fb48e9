/* The exit watcher (runtime/daemon/events_watch.c): a container's end becomes "die" with
 * its exit code, an AutoRemove container's also "destroy", whether it ends while watched
 * or was already gone when its watch began.  The "init" and "monitor" are children of the
 * test, named by records in a private state directory. */
#include <errno.h>
#include <jansson.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/events.h"
#include "daemon/events_bus.h"
#include "engine/container.h"
#include "engine/rt.h"
#include "fixture.h"

static char state_dir[128];

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static pid_t child(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void save(const char *name, const char *id, pid_t init, pid_t monitor, bool rm, enum ctr_status st, int code)
{
	struct ctr_record *rec = ctr_record_new();
	struct nr_error err = { 0 };
	char dir[512];
	char *argv[] = { "sleep", NULL };

	assert_non_null(rec);
	snprintf(dir, sizeof(dir), "%s/containers/%s", state_dir, name);
	mkdir(dir, 0700);
	snprintf(rec->id, sizeof(rec->id), "%s", id);
	snprintf(rec->name, sizeof(rec->name), "%s", name);
	rec->status = st;
	rec->pid = init;
	rec->pid_start = rt_pid_start_time(init);
	rec->monitor = monitor;
	rec->monitor_start = rt_pid_start_time(monitor);
	rec->rm = rm;
	rec->has_exit_code = st == CTR_EXITED;
	rec->exit_code = code;
	rec->image_ref = strdup("bb:1");
	rec->argv = rt_strv_copy(argv);
	assert_int_equal(ctr_store_save(rec, &err), 0);
	ctr_record_free(rec);
}

static void write_exit(const char *name, int code)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/exits", state_dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/exits/%s", state_dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%d\n", code);
	fclose(f);
}

static void remove_record(const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/containers/%s/state.json", state_dir, name);
	unlink(path);
	snprintf(path, sizeof(path), "%s/containers/%s", state_dir, name);
	rmdir(path);
}

/* The events of container name since t0 (a replay), as "ACTION EXITCODE" lines, waiting
 * up to 5 s for want lines. */
static char *events_of(const char *name, long long t0, size_t want)
{
	char filter[256], *buf = calloc(1, 1 << 16), *text = calloc(1, 1 << 16);
	struct events_filter *f = NULL;
	struct nr_error err = { 0 };

	assert_non_null(buf);
	assert_non_null(text);
	snprintf(filter, sizeof(filter), "{\"container\":[\"%s\"]}", name);
	assert_int_equal(events_filter_parse(filter, &f, &err), 0);
	for (int i = 0; i < 500; i++) {
		int fd = memfd_create("ev", MFD_CLOEXEC);
		ssize_t n;
		size_t lines = 0;
		char *line, *save_p = NULL;

		assert_int_equal(events_stream(fd, t0, now_ns(), f), 0);
		lseek(fd, 0, SEEK_SET);
		n = read(fd, buf, (1 << 16) - 1);
		close(fd);
		buf[n > 0 ? n : 0] = '\0';
		text[0] = '\0';
		for (line = strtok_r(buf, "\n", &save_p); line; line = strtok_r(NULL, "\n", &save_p)) {
			json_t *ev = json_loads(line, 0, NULL);
			const char *code = json_string_value(
				json_object_get(json_object_get(json_object_get(ev, "Actor"), "Attributes"),
						"exitCode"));

			snprintf(text + strlen(text), (1 << 16) - strlen(text), "%s%s%s|",
				 json_string_value(json_object_get(ev, "Action")), code ? " " : "", code ? code : "");
			json_decref(ev);
			lines++;
		}
		if (lines >= want)
			break;
		usleep(10000);
	}
	events_filter_free(f);
	free(buf);
	return text;
}

/* A watched container whose init is killed: die, with the code its monitor records. */
static void test_die_with_exit_code(void **state)
{
	pid_t init = child(), mon = child();
	long long t0 = now_ns();
	char *got;

	save("w1", "1111", init, mon, false, CTR_RUNNING, 0);
	events_watch_container("w1");
	reap(init);
	usleep(20000); /* the monitor writes the code a moment after the end */
	save("w1", "1111", init, mon, false, CTR_EXITED, 137);
	got = events_of("w1", t0, 1);
	assert_string_equal(got, "die 137|");
	free(got);
	usleep(50000);
	got = events_of("w1", t0, 1);
	assert_string_equal(got, "die 137|"); /* once */
	free(got);
	reap(mon);
}

/* AutoRemove: the record goes with the container; the code comes from exits/NAME. */
static void test_autoremove(void **state)
{
	pid_t init = child(), mon = child();
	long long t0 = now_ns();
	char *got;

	save("w2", "2222", init, mon, true, CTR_RUNNING, 0);
	events_watch_container("w2");
	reap(init);
	remove_record("w2");
	write_exit("w2", 3);
	reap(mon);
	got = events_of("w2", t0, 2);
	assert_string_equal(got, "die 3|destroy|");
	free(got);
}

/* Gone before its watch began (a fast command with --rm): its id from its create event. */
static void test_gone_before_watched(void **state)
{
	long long t0 = now_ns();
	char *got;

	events_emit("container", "create", "3333", json_pack("{s:s, s:s}", "name", "w3", "image", "bb:1"));
	write_exit("w3", 5);
	events_watch_container("w3");
	got = events_of("w3", t0, 3);
	assert_string_equal(got, "create|die 5|destroy|");
	free(got);
}

/* Nothing known of it: no event. */
static void test_unknown_container(void **state)
{
	long long t0 = now_ns();
	char *got;

	events_watch_container("nobody");
	usleep(50000);
	got = events_of("nobody", t0, 0);
	assert_string_equal(got, "");
	free(got);
}

static int setup(void **state)
{
	char dir[256];

	if (fixture_state_dir(state_dir, sizeof(state_dir), "test_events_watch") < 0)
		return -1;
	snprintf(dir, sizeof(dir), "%s/containers", state_dir);
	return mkdir(dir, 0700);
}

static int teardown(void **state)
{
	events_stop();
	fixture_rm_tree(state_dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_die_with_exit_code),
		cmocka_unit_test(test_autoremove),
		cmocka_unit_test(test_gone_before_watched),
		cmocka_unit_test(test_unknown_container),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, setup, teardown);
}
