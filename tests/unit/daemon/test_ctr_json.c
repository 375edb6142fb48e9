/* Docker's shapes of a container (runtime/daemon/ctr_json.c) and Docker's way of naming
 * one (runtime/engine/container_resolve.c): durations and statuses as `docker ps` shows
 * them, times, ports, mounts; a name, a full id, a unique prefix, an ambiguous one.
 * Records are written to a private state dir; nothing runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemon/ctr_json.h"
#include "engine/container.h"
#include "engine/rt_error.h"
#include "fixture.h"

static char state_dir[64];

static int group_setup(void **state)
{
	(void)state;
	return fixture_state_dir(state_dir, sizeof(state_dir), "test_ctr_json");
}

static int group_teardown(void **state)
{
	(void)state;
	fixture_rm_tree(state_dir);
	return 0;
}

/* A record of name with id, saved in the store. */
static void save(const char *name, const char *id)
{
	struct ctr_record *rec = ctr_record_new();
	struct nr_error err = { 0 };
	char dir[512];

	assert_non_null(rec);
	rt_ctr_path(dir, sizeof(dir), name, NULL);
	assert_int_equal(rt_mkdir_p(dir, 0711), 0);
	snprintf(rec->id, sizeof(rec->id), "%s", id);
	snprintf(rec->name, sizeof(rec->name), "%s", name);
	rec->status = CTR_EXITED;
	rec->argv = rt_strv_copy((char *[]){ "true", NULL });
	rec->env = rt_strv_copy((char *[]){ "PATH=/bin", NULL });
	if (ctr_store_save(rec, &err) < 0)
		fail_msg("save %s: %s", name, err.msg);
	ctr_record_free(rec);
}

static void test_human_duration(void **state)
{
	static const struct {
		long long s;
		const char *want;
	} cases[] = {
		{ 0, "Less than a second" }, { 1, "1 second" },          { 59, "59 seconds" },
		{ 60, "About a minute" },    { 119, "About a minute" },  { 120, "2 minutes" },
		{ 3599, "59 minutes" },      { 3600, "About an hour" },  { 5399, "About an hour" },
		{ 5400, "2 hours" },         { 47 * 3600, "47 hours" },  { 48 * 3600, "2 days" },
		{ 14 * 86400, "2 weeks" },   { 60 * 86400, "2 months" }, { 800 * 86400, "2 years" },
	};
	char buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ctr_json_human_duration(cases[i].s, buf, sizeof(buf));
		if (strcmp(buf, cases[i].want))
			fail_msg("%lld s: got \"%s\", want \"%s\"", cases[i].s, buf, cases[i].want);
	}
}

static void test_status_and_time(void **state)
{
	struct ctr_record rec = { 0 };
	char buf[96];

	(void)state;
	rec.status = CTR_CREATED;
	ctr_json_status(&rec, buf, sizeof(buf));
	assert_string_equal(buf, "Created");
	assert_string_equal(ctr_json_state(&rec), "created");
	rec.status = CTR_EXITED;
	rec.has_exit_code = true;
	rec.exit_code = 3;
	rec.finished = time(NULL) - 125;
	ctr_json_status(&rec, buf, sizeof(buf));
	assert_string_equal(buf, "Exited (3) 2 minutes ago");
	assert_string_equal(ctr_json_state(&rec), "exited");
	/* A record that says running with no live init is not running. */
	rec.status = CTR_RUNNING;
	rec.pid = 0;
	assert_string_equal(ctr_json_state(&rec), "exited");

	ctr_json_time(0, buf, sizeof(buf));
	assert_string_equal(buf, "0001-01-01T00:00:00Z");
	ctr_json_time(1764846000, buf, sizeof(buf));
	assert_string_equal(buf, "2025-12-04T11:00:00Z");
}

static void test_ports_and_mounts(void **state)
{
	struct ctr_record rec = { 0 };
	char caps[] = "{\"portMappings\":[{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\"},"
		      "{\"hostPort\":5353,\"containerPort\":53,\"protocol\":\"udp\",\"hostIP\":\"127.0.0.1\"}]}";
	json_t *config = json_loads("{\"ExposedPorts\":{\"80/tcp\":{},\"9000\":{}},\"HostConfig\":{\"Binds\":"
				    "[\"/srv:/data:ro\",\"/tmp:/t\"]},\"Labels\":{\"a\":\"b\"}}",
				    0, NULL);
	char *s;

	(void)state;
	rec.capability_args = caps;
	json_t *list = ctr_json_ports_list(&rec, true);
	s = json_dumps(list, JSON_COMPACT);
	assert_string_equal(s, "[{\"IP\":\"0.0.0.0\",\"PrivatePort\":80,\"PublicPort\":8080,\"Type\":\"tcp\"},"
			       "{\"IP\":\"127.0.0.1\",\"PrivatePort\":53,\"PublicPort\":5353,\"Type\":\"udp\"}]");
	free(s);
	json_decref(list);

	json_t *map = ctr_json_ports_map(&rec, config, true);
	s = json_dumps(map, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(s, "{\"53/udp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"5353\"}],\"80/tcp\":[{\"HostIp\":"
			       "\"0.0.0.0\",\"HostPort\":\"8080\"}],\"9000/tcp\":null}");
	free(s);
	json_decref(map);

	json_t *mounts = ctr_json_mounts(config);
	assert_int_equal(json_array_size(mounts), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(mounts, 0), "Source")), "/srv");
	assert_string_equal(json_string_value(json_object_get(json_array_get(mounts, 0), "Destination")), "/data");
	assert_true(json_is_false(json_object_get(json_array_get(mounts, 0), "RW")));
	assert_true(json_is_true(json_object_get(json_array_get(mounts, 1), "RW")));
	json_decref(mounts);

	json_t *labels = ctr_json_labels(config);
	assert_string_equal(json_string_value(json_object_get(labels, "a")), "b");
	json_decref(labels);
	labels = ctr_json_labels(NULL);
	assert_int_equal(json_object_size(labels), 0);
	json_decref(labels);

	/* Stopped: Docker's releaseNetwork drops the published and exposed ports. */
	list = ctr_json_ports_list(&rec, false);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	map = ctr_json_ports_map(&rec, config, false);
	assert_int_equal(json_object_size(map), 0);
	json_decref(map);
	json_decref(config);

	rec.capability_args = NULL;
	list = ctr_json_ports_list(&rec, true);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
}

static void test_resolve(void **state)
{
	const char *a = "abc1000000000000000000000000000000000000000000000000000000000001";
	const char *b = "abc2000000000000000000000000000000000000000000000000000000000002";
	/* A container whose name is another's id prefix: the name wins, as in Docker. */
	const char *c = "fed3000000000000000000000000000000000000000000000000000000000003";
	struct nr_error err = { 0 };
	char name[RT_NAME_MAX];

	(void)state;
	save("web", a);
	save("db", b);
	save("abc1", c);
	assert_int_equal(ctr_store_resolve("web", name, &err), 0);
	assert_string_equal(name, "web");
	assert_int_equal(ctr_store_resolve("/db", name, &err), 0);
	assert_string_equal(name, "db");
	assert_int_equal(ctr_store_resolve(b, name, &err), 0);
	assert_string_equal(name, "db");
	assert_int_equal(ctr_store_resolve("abc2", name, &err), 0);
	assert_string_equal(name, "db");
	assert_int_equal(ctr_store_resolve("fed", name, &err), 0);
	assert_string_equal(name, "abc1");
	assert_int_equal(ctr_store_resolve("abc1", name, &err), 0);
	assert_string_equal(name, "abc1");

	assert_true(ctr_store_resolve("abc", name, &err) < 0);
	assert_int_equal(err.code, RT_ERR_USAGE);
	assert_string_equal(err.msg, "multiple IDs found with provided prefix: abc");

	static const char *const missing[] = { "nope", "0123", "", "../web", "web/..", "ABC1" };
	for (size_t i = 0; i < sizeof(missing) / sizeof(missing[0]); i++) {
		memset(&err, 0, sizeof(err));
		assert_true(ctr_store_resolve(missing[i], name, &err) < 0);
		assert_int_equal(err.code, RT_ERR_NOT_FOUND);
		assert_non_null(strstr(err.msg, "No such container: "));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_human_duration),
		cmocka_unit_test(test_status_and_time),
		cmocka_unit_test(test_ports_and_mounts),
		cmocka_unit_test(test_resolve),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
