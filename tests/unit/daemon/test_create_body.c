/* The daemon's create body (runtime/daemon/create_body.c): Docker's JSON to a run's
 * options.  Good bodies and their fields, every wrong type naming its field, the
 * NetworkMode forms, PortBindings, Binds, names.  One image ("bb:1") is imported into a
 * private store from an empty layer; nothing runs. */
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
#include <sys/mman.h>
#include <unistd.h>

#include "daemon/create_body.h"
#include "engine/rt_error.h"
#include "fixture.h"
#include "image/archive.h"
#include "image/store.h"

static char state_dir[64];

static int group_setup(void **state)
{
	static const char *const changes[] = { "CMD [\"sh\", \"-c\", \"echo img\"]", "ENV A=img", "WORKDIR /w",
					       "EXPOSE 80/tcp", NULL };
	struct img_store *st = NULL;
	struct nr_error err = { 0 };
	static char zeros[1024]; /* an empty tar: two zero blocks */
	img_digest id;
	int fd, r;

	(void)state;
	if (fixture_state_dir(state_dir, sizeof(state_dir), "test_create_body") < 0)
		return -1;
	fd = memfd_create("layer", 0);
	if (fd < 0 || write(fd, zeros, sizeof(zeros)) != (ssize_t)sizeof(zeros) || lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	if (img_store_open(state_dir, IMG_LOCK_EXCLUSIVE, &st, &err) < 0)
		return fprintf(stderr, "store: %s\n", err.msg), -1;
	r = img_archive_import(st, fd, "bb:1", changes, NULL, id, &err);
	img_store_close(st);
	close(fd);
	if (r < 0)
		fprintf(stderr, "import: %s\n", err.msg);
	return r < 0 ? -1 : 0;
}

static int group_teardown(void **state)
{
	(void)state;
	fixture_rm_tree(state_dir);
	return 0;
}

/* Parse body (with name) into cb; the return value.  err's message on failure. */
static int parse(struct create_body *cb, struct nr_error *err, const char *name, const char *body)
{
	memset(err, 0, sizeof(*err));
	return create_body_parse(body, strlen(body), name, cb, err);
}

static void test_good_body(void **state)
{
	struct create_body cb;
	struct nr_error err;

	(void)state;
	assert_int_equal(parse(&cb, &err, "/web",
			       "{\"Image\":\"bb:1\",\"Cmd\":[\"echo\",\"hi\"],\"Env\":[\"X=1\",\"Y=2\",\"LONELY\"],"
			       "\"WorkingDir\":\"/srv\",\"User\":\"1000:1000\",\"Tty\":true,\"OpenStdin\":true,"
			       "\"StdinOnce\":true,\"AttachStdin\":true,\"Hostname\":\"box\",\"Labels\":{\"a\":\"b\"},"
			       "\"ExposedPorts\":{\"8080/tcp\":{}},\"Unknown\":[1,2],"
			       "\"HostConfig\":{\"Memory\":67108864,\"NanoCpus\":500000000,\"PidsLimit\":64,"
			       "\"CapAdd\":[\"NET_ADMIN\"],\"CapDrop\":[\"MKNOD\"],\"ReadonlyRootfs\":true,\"AutoRemove\":true,"
			       "\"SecurityOpt\":[\"no-new-privileges:false\",\"label=disable\"],\"LogConfig\":{\"Type\":\"json-file\",\"Config\":{\"max-size\":\"1m\",\"max-file\":\"3\"}}}}"),
			 0);
	assert_string_equal(cb.o.name, "web");
	assert_string_equal(cb.o.image, "bb:1");
	assert_non_null(cb.o.image_id);
	assert_string_equal(cb.o.argv[0], "echo");
	assert_string_equal(cb.o.argv[1], "hi");
	assert_null(cb.o.argv[2]);
	assert_int_equal(cb.o.n_env, 2);
	assert_string_equal(cb.o.env[1], "Y=2");
	assert_string_equal(cb.o.image_env[0], "A=img");
	assert_string_equal(cb.o.workdir, "/srv");
	assert_string_equal(cb.o.user, "1000:1000");
	assert_string_equal(cb.o.hostname, "box");
	assert_true(cb.o.tty);
	assert_true(cb.o.interactive);
	assert_true(cb.mo.open_stdin);
	assert_true(cb.mo.stdin_once);
	assert_false(cb.mo.again);
	assert_int_equal(cb.o.memory, 64 << 20);
	assert_true(cb.o.cpus > 0.49 && cb.o.cpus < 0.51);
	assert_int_equal(cb.o.pids, 64);
	assert_int_equal(cb.o.sec.cap_add, 1ULL << 12);
	assert_int_equal(cb.o.sec.cap_drop, 1ULL << 27);
	assert_true(cb.o.sec.new_privileges);
	assert_true(cb.o.read_only);
	assert_true(cb.o.rm);
	assert_false(cb.o.privileged);
	assert_string_equal(cb.o.net, "bridge");
	assert_int_equal(cb.o.n_nets, 1);
	assert_int_equal(cb.o.n_rootfs, 1);
	assert_null(cb.o.caps);
	assert_int_equal(cb.o.log_max_size, 1 << 20);
	assert_int_equal(cb.o.log_max_files, 3);
	create_body_free(&cb);
}

/* The image lends what the body leaves out; Docker's StrSlice takes a string too. */
static void test_image_defaults_and_strslice(void **state)
{
	struct create_body cb;
	struct nr_error err;

	(void)state;
	assert_int_equal(parse(&cb, &err, NULL, "{\"Image\":\"bb:1\"}"), 0);
	assert_string_equal(cb.o.name, "");
	assert_string_equal(cb.o.argv[2], "echo img");
	assert_string_equal(cb.o.workdir, "/w");
	create_body_free(&cb);

	assert_int_equal(parse(&cb, &err, "", "{\"image\":\"bb:1\",\"cmd\":\"true\"}"), 0);
	assert_string_equal(cb.o.argv[0], "true");
	assert_null(cb.o.argv[1]);
	create_body_free(&cb);

	/* An Entrypoint drops the image's Cmd; its further words come before Cmd. */
	assert_int_equal(parse(&cb, &err, NULL, "{\"Image\":\"bb:1\",\"Entrypoint\":[\"sh\",\"-c\"],\"Cmd\":[\"x\"]}"),
			 0);
	assert_string_equal(cb.o.argv[0], "sh");
	assert_string_equal(cb.o.argv[1], "-c");
	assert_string_equal(cb.o.argv[2], "x");
	create_body_free(&cb);

	assert_int_equal(parse(&cb, &err, NULL, "{\"Image\":\"bb:1\",\"Entrypoint\":\"env\"}"), 0);
	assert_string_equal(cb.o.argv[0], "env");
	assert_null(cb.o.argv[1]);
	create_body_free(&cb);

	/* [""]: no entrypoint; with no Cmd either there is nothing to run. */
	assert_int_equal(parse(&cb, &err, NULL, "{\"Image\":\"bb:1\",\"Entrypoint\":[\"\"],\"Cmd\":null}"), -EINVAL);
	assert_int_equal(err.code, RT_ERR_USAGE);
	assert_non_null(strstr(err.msg, "no command specified"));
	create_body_free(&cb);
}

/* Each known field of the wrong type: a 400 (RT_ERR_USAGE) whose message names it. */
static void test_wrong_types(void **state)
{
	static const struct {
		const char *body, *field;
	} cases[] = {
		{ "{\"Image\":\"bb:1\",\"Cmd\":5}", "Cmd" },
		{ "{\"Image\":\"bb:1\",\"Cmd\":[\"a\",1]}", "Cmd" },
		{ "{\"Image\":\"bb:1\",\"Entrypoint\":{}}", "Entrypoint" },
		{ "{\"Image\":5}", "Image" },
		{ "{\"Image\":\"bb:1\",\"Env\":\"A=1\"}", "Env" },
		{ "{\"Image\":\"bb:1\",\"Env\":[1]}", "Env" },
		{ "{\"Image\":\"bb:1\",\"WorkingDir\":[]}", "WorkingDir" },
		{ "{\"Image\":\"bb:1\",\"User\":0}", "User" },
		{ "{\"Image\":\"bb:1\",\"Tty\":\"yes\"}", "Tty" },
		{ "{\"Image\":\"bb:1\",\"OpenStdin\":1}", "OpenStdin" },
		{ "{\"Image\":\"bb:1\",\"StdinOnce\":\"\"}", "StdinOnce" },
		{ "{\"Image\":\"bb:1\",\"AttachStdout\":[]}", "AttachStdout" },
		{ "{\"Image\":\"bb:1\",\"Hostname\":1}", "Hostname" },
		{ "{\"Image\":\"bb:1\",\"Labels\":[]}", "Labels" },
		{ "{\"Image\":\"bb:1\",\"Labels\":{\"a\":1}}", "Labels" },
		{ "{\"Image\":\"bb:1\",\"ExposedPorts\":[\"80\"]}", "ExposedPorts" },
		{ "{\"Image\":\"bb:1\",\"HostConfig\":[]}", "HostConfig" },
		{ "{\"Image\":\"bb:1\",\"HostConfig\":{\"NetworkMode\":1}}", "HostConfig.NetworkMode" },
		{ "{\"Image\":\"bb:1\",\"HostConfig\":{\"PortBindings\":[]}}", "HostConfig.PortBindings" },
		{ "{\"Image\":\"bb:1\",\"HostConfig\":{\"PortBindings\":{\"80/tcp\":{}}}}", "HostConfig.PortBindings" },
		{ "{\"Image\":\"bb:1\",\"HostConfig\":{\"PortBindings\":{\"80/tcp\":[{\"HostPort\":8080}]}}}",
		  "HostConfig.PortBindings.HostPort" },
		{ "{\"Image\":\"bb:1\",\"HostConfig\":{\"PublishAllPorts\":\"1\"}}", "HostConfig.PublishAllPorts" },
		{ "{\"Image\":\"bb:1\",\"HostConfig\":{\"AutoRemove\":0}}", "HostConfig.AutoRemove" },
		{ "{\"Image\":\"bb:1\",\"HostConfig\":{\"Binds\":\"/a:/b\"}}", "HostConfig.Binds" },
		{ "{\"Image\":\"bb:1\",\"HostConfig\":{\"Memory\":\"64m\"}}", "HostConfig.Memory" },
		{ "{\"Image\":\"bb:1\",\"HostConfig\":{\"Memory\":1.5}}", "HostConfig.Memory" },
		{ "{\"Image\":\"bb:1\",\"HostConfig\":{\"NanoCpus\":true}}", "HostConfig.NanoCpus" },
		{ "{\"Image\":\"bb:1\",\"HostConfig\":{\"PidsLimit\":\"9\"}}", "HostConfig.PidsLimit" },
		{ "{\"Image\":\"bb:1\",\"HostConfig\":{\"CapAdd\":\"ALL\"}}", "HostConfig.CapAdd" },
		{ "{\"Image\":\"bb:1\",\"HostConfig\":{\"CapDrop\":[1]}}", "HostConfig.CapDrop" },
		{ "{\"Image\":\"bb:1\",\"HostConfig\":{\"Privileged\":\"true\"}}", "HostConfig.Privileged" },
		{ "{\"Image\":\"bb:1\",\"HostConfig\":{\"SecurityOpt\":{}}}", "HostConfig.SecurityOpt" },
		{ "{\"Image\":\"bb:1\",\"HostConfig\":{\"ReadonlyRootfs\":\"no\"}}", "HostConfig.ReadonlyRootfs" },
		{ "{\"Image\":\"bb:1\",\"HostConfig\":{\"LogConfig\":{\"Config\":{\"max-size\":5}}}}",
		  "HostConfig.LogConfig.Config.max-size" },
		{ "{\"Image\":\"bb:1\",\"NetworkingConfig\":[]}", "NetworkingConfig" },
		{ "{\"Image\":\"bb:1\",\"NetworkingConfig\":{\"EndpointsConfig\":[]}}",
		  "NetworkingConfig.EndpointsConfig" },
		{ "{\"Image\":\"bb:1\",\"NetworkingConfig\":{\"EndpointsConfig\":{\"n\":5}}}",
		  "NetworkingConfig.EndpointsConfig.n" },
		{ "{\"Image\":\"bb:1\",\"NetworkingConfig\":{\"EndpointsConfig\":{\"n\":{\"Aliases\":\"a\"}}}}",
		  "EndpointsConfig.Aliases" },
		{ "{\"Image\":\"bb:1\",\"NetworkingConfig\":{\"EndpointsConfig\":{\"n\":{\"IPAMConfig\":[]}}}}",
		  "EndpointsConfig.IPAMConfig" },
		{ "{\"Image\":\"bb:1\",\"NetworkingConfig\":{\"EndpointsConfig\":{\"n\":{\"IPAMConfig\":"
		  "{\"IPv4Address\":1}}}}}",
		  "IPAMConfig.IPv4Address" },
		{ "{\"Image\":\"bb:1\",\"NetworkingConfig\":{\"EndpointsConfig\":{\"n\":{\"MacAddress\":[]}}}}",
		  "EndpointsConfig.MacAddress" },
		{ "[]", "the create body" },
	};
	struct create_body cb;
	struct nr_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = parse(&cb, &err, NULL, cases[i].body);
		if (r != -EINVAL || err.code != RT_ERR_USAGE || !strstr(err.msg, cases[i].field))
			fail_msg("%s: got %d (%d) \"%s\", want a 400 naming %s", cases[i].body, r, err.code, err.msg,
				 cases[i].field);
		create_body_free(&cb);
	}
}

/* Bad values, and what is not JSON, each a 400; a missing image a 404 in Docker's words. */
static void test_bad_values(void **state)
{
	static const struct {
		const char *body, *what;
	} cases[] = {
		{ "", "empty" },
		{ "{\"Image\":", "invalid JSON" },
		{ "{}", "needs an image" },
		{ "{\"Image\":\"bb:1\",\"WorkingDir\":\"rel\"}", "absolute path" },
		{ "{\"Image\":\"bb:1\",\"Hostname\":\"a b\"}", "hostname" },
		{ "{\"Image\":\"bb:1\",\"ExposedPorts\":{\"http\":{}}}", "ExposedPorts" },
		{ "{\"Image\":\"bb:1\",\"HostConfig\":{\"Memory\":1024}}", "Minimum memory limit allowed is 6MB" },
		{ "{\"Image\":\"bb:1\",\"HostConfig\":{\"NanoCpus\":5}}", "Range of CPUs" },
		{ "{\"Image\":\"bb:1\",\"HostConfig\":{\"PidsLimit\":1}}", "PidsLimit" },
		{ "{\"Image\":\"bb:1\",\"HostConfig\":{\"CapAdd\":[\"NOPE\"]}}", "NOPE" },
		{ "{\"Image\":\"bb:1\",\"HostConfig\":{\"SecurityOpt\":[\"seccomp=/etc/x.json\"]}}", "seccomp" },
		{ "{\"Image\":\"bb:1\",\"HostConfig\":{\"SecurityOpt\":[\"bogus\"]}}", "bogus" },
		{ "{\"Image\":\"bb:1\",\"HostConfig\":{\"LogConfig\":{\"Type\":\"syslog\"}}}", "json-file" },
		{ "{\"Image\":\"bb:1\",\"HostConfig\":{\"LogConfig\":{\"Config\":{\"max-size\":\"1\"}}}}", "max-size" },
		{ "{\"Image\":\"bb:1\",\"HostConfig\":{\"LogConfig\":{\"Config\":{\"max-file\":\"0\"}}}}", "max-file" },
	};
	struct create_body cb;
	struct nr_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = parse(&cb, &err, NULL, cases[i].body);
		if (r >= 0 || err.code != RT_ERR_USAGE || !strstr(err.msg, cases[i].what))
			fail_msg("%s: got %d (%d) \"%s\", want a 400 with \"%s\"", cases[i].body, r, err.code, err.msg,
				 cases[i].what);
		create_body_free(&cb);
	}
	assert_true(parse(&cb, &err, NULL, "{\"Image\":\"nosuch\"}") < 0);
	assert_int_equal(err.code, RT_ERR_NOT_FOUND);
	assert_string_equal(err.msg, "No such image: nosuch:latest");
	create_body_free(&cb);
	assert_true(parse(&cb, &err, NULL, "{\"Image\":\"team/app:2\"}") < 0);
	assert_int_equal(err.code, RT_ERR_NOT_FOUND);
	assert_string_equal(err.msg, "No such image: team/app:2");
	create_body_free(&cb);
}

/* Names: Docker's leading '/' is dropped; anything that could step out of the store is refused. */
static void test_names(void **state)
{
	static const char *const bad[] = { "../x", "a/b", "/", "-x", ".x", "a b", "x\n" };
	struct create_body cb;
	struct nr_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_true(parse(&cb, &err, bad[i], "{\"Image\":\"bb:1\"}") < 0);
		assert_int_equal(err.code, RT_ERR_USAGE);
		assert_non_null(strstr(err.msg, "Invalid container name"));
		create_body_free(&cb);
	}
	assert_int_equal(parse(&cb, &err, "db.1_x-y", "{\"Image\":\"bb:1\"}"), 0);
	assert_string_equal(cb.o.name, "db.1_x-y");
	create_body_free(&cb);
}

static void test_network_modes(void **state)
{
	static const struct {
		const char *mode, *want;
	} good[] = {
		{ "", "bridge" },   { "default", "bridge" }, { "bridge", "bridge" },
		{ "host", "host" }, { "none", "none" },      { "mynet", "mynet" },
	};
	struct create_body cb;
	struct nr_error err;
	char body[256];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(body, sizeof(body), "{\"Image\":\"bb:1\",\"HostConfig\":{\"NetworkMode\":\"%s\"}}",
			 good[i].mode);
		assert_int_equal(parse(&cb, &err, NULL, body), 0);
		assert_string_equal(cb.o.net, good[i].want);
		assert_string_equal(cb.o.nets[0].network, good[i].want);
		assert_int_equal(cb.o.n_nets, 1);
		create_body_free(&cb);
	}
	/* container:REF names a container that must exist. */
	assert_true(parse(&cb, &err, NULL, "{\"Image\":\"bb:1\",\"HostConfig\":{\"NetworkMode\":\"container:nope\"}}") <
		    0);
	assert_int_equal(err.code, RT_ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "No such container: nope"));
	create_body_free(&cb);
	assert_true(parse(&cb, &err, NULL, "{\"Image\":\"bb:1\",\"HostConfig\":{\"NetworkMode\":\"../x\"}}") < 0);
	assert_int_equal(err.code, RT_ERR_USAGE);
	create_body_free(&cb);

	/* The mode's endpoint (or "default"'s) configures the first network; others are more. */
	assert_int_equal(parse(&cb, &err, NULL,
			       "{\"Image\":\"bb:1\",\"HostConfig\":{\"NetworkMode\":\"front\"},\"NetworkingConfig\":"
			       "{\"EndpointsConfig\":{\"front\":{\"Aliases\":[\"web\",\"www\"],\"IPAMConfig\":{\"IPv4Address\":"
			       "\"10.1.0.9\",\"IPv6Address\":\"fd00::9\"},\"MacAddress\":\"02:42:ac:11:00:09\"},"
			       "\"back\":{\"Aliases\":[\"api\"]}}}}"),
			 0);
	assert_int_equal(cb.o.n_nets, 2);
	assert_string_equal(cb.o.nets[0].network, "front");
	assert_string_equal(cb.o.nets[0].ip, "10.1.0.9");
	assert_string_equal(cb.o.nets[0].ip6, "fd00::9");
	assert_string_equal(cb.o.nets[0].mac, "02:42:ac:11:00:09");
	assert_int_equal(cb.o.nets[0].n_aliases, 2);
	assert_string_equal(cb.o.nets[1].network, "back");
	assert_string_equal(cb.o.nets[1].aliases[0], "api");
	create_body_free(&cb);

	assert_int_equal(parse(&cb, &err, NULL,
			       "{\"Image\":\"bb:1\",\"NetworkingConfig\":{\"EndpointsConfig\":{\"default\":{}}}}"),
			 0);
	assert_int_equal(cb.o.n_nets, 1);
	assert_string_equal(cb.o.net, "bridge");
	create_body_free(&cb);

	/* What run refuses, the body does too: an address on host, a bad address or alias. */
	static const char *const bad[] = {
		"{\"Image\":\"bb:1\",\"HostConfig\":{\"NetworkMode\":\"host\"},\"NetworkingConfig\":{\"EndpointsConfig\":"
		"{\"host\":{\"IPAMConfig\":{\"IPv4Address\":\"10.0.0.2\"}}}}}",
		"{\"Image\":\"bb:1\",\"HostConfig\":{\"NetworkMode\":\"host\"},\"NetworkingConfig\":{\"EndpointsConfig\":"
		"{\"other\":{}}}}",
		"{\"Image\":\"bb:1\",\"NetworkingConfig\":{\"EndpointsConfig\":{\"bridge\":{\"IPAMConfig\":"
		"{\"IPv4Address\":\"fd00::1\"}}}}}",
		"{\"Image\":\"bb:1\",\"NetworkingConfig\":{\"EndpointsConfig\":{\"bridge\":{\"Aliases\":[\"-x\"]}}}}",
		"{\"Image\":\"bb:1\",\"NetworkingConfig\":{\"EndpointsConfig\":{\"bridge\":{\"MacAddress\":\"01:00:00:00:00:"
		"01\"}}}}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(&cb, &err, NULL, bad[i]) >= 0 || err.code != RT_ERR_USAGE)
			fail_msg("%s: accepted (%s)", bad[i], err.msg);
		create_body_free(&cb);
	}
}

static json_t *mappings(const struct create_body *cb)
{
	json_t *caps = json_loads(cb->o.caps, 0, NULL);
	json_t *m = json_incref(json_object_get(caps, "portMappings"));

	json_decref(caps);
	return m;
}

static void test_port_bindings(void **state)
{
	struct create_body cb;
	struct nr_error err;
	json_t *m;

	(void)state;
	assert_int_equal(parse(&cb, &err, NULL,
			       "{\"Image\":\"bb:1\",\"HostConfig\":{\"PortBindings\":{\"80/tcp\":[{\"HostIp\":\"\","
			       "\"HostPort\":\"8080\"},{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"8081\"}],\"53/udp\":"
			       "[{\"HostPort\":\"5353\"}],\"443\":null,\"9/tcp\":[{\"HostIp\":\"::1\",\"HostPort\":\"9009\"}]}}}"),
			 0);
	m = mappings(&cb);
	assert_int_equal(json_array_size(m), 4);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(m, 0), "hostPort")), 8080);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(m, 0), "containerPort")), 80);
	assert_string_equal(json_string_value(json_object_get(json_array_get(m, 0), "protocol")), "tcp");
	assert_null(json_object_get(json_array_get(m, 0), "hostIP"));
	assert_string_equal(json_string_value(json_object_get(json_array_get(m, 1), "hostIP")), "127.0.0.1");
	assert_string_equal(json_string_value(json_object_get(json_array_get(m, 2), "protocol")), "udp");
	assert_string_equal(json_string_value(json_object_get(json_array_get(m, 3), "hostIP")), "::1");
	json_decref(m);
	create_body_free(&cb);

	/* No HostPort: a free one of the host's. */
	assert_int_equal(parse(&cb, &err, NULL,
			       "{\"Image\":\"bb:1\",\"HostConfig\":{\"PortBindings\":{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"\"}]}}}"),
			 0);
	m = mappings(&cb);
	assert_int_equal(json_array_size(m), 1);
	assert_true(json_integer_value(json_object_get(json_array_get(m, 0), "hostPort")) > 0);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(m, 0), "containerPort")), 80);
	json_decref(m);
	create_body_free(&cb);

	/* PublishAllPorts: the image's exposed ports on free host ports. */
	assert_int_equal(parse(&cb, &err, NULL, "{\"Image\":\"bb:1\",\"HostConfig\":{\"PublishAllPorts\":true}}"), 0);
	m = mappings(&cb);
	assert_int_equal(json_array_size(m), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(m, 0), "containerPort")), 80);
	json_decref(m);
	create_body_free(&cb);

	static const char *const bad[] = {
		"{\"Image\":\"bb:1\",\"HostConfig\":{\"PortBindings\":{\"http\":[{\"HostPort\":\"80\"}]}}}",
		"{\"Image\":\"bb:1\",\"HostConfig\":{\"PortBindings\":{\"80/xtp\":[{\"HostPort\":\"80\"}]}}}",
		"{\"Image\":\"bb:1\",\"HostConfig\":{\"PortBindings\":{\"80/tcp\":[{\"HostPort\":\"99999\"}]}}}",
		"{\"Image\":\"bb:1\",\"HostConfig\":{\"PortBindings\":{\"80/tcp\":[{\"HostPort\":\"80-81\"}]}}}",
		"{\"Image\":\"bb:1\",\"HostConfig\":{\"PortBindings\":{\"80/tcp\":[{\"HostIp\":\"nope\",\"HostPort\":\"80\"}]}}}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(&cb, &err, NULL, bad[i]) >= 0 || err.code != RT_ERR_USAGE)
			fail_msg("%s: accepted (%s)", bad[i], err.msg);
		create_body_free(&cb);
	}
}

static void test_binds(void **state)
{
	static const char *const bad[] = { "vol:/data", "/tmp:rel",     "/tmp:/proc/x",
					   "/tmp:/",    "/tmp:/a/../b", "/tmp:/data:rx" };
	struct create_body cb;
	struct nr_error err;
	char body[256];

	(void)state;
	assert_int_equal(parse(&cb, &err, NULL,
			       "{\"Image\":\"bb:1\",\"HostConfig\":{\"Binds\":[\"/tmp:/data:ro\",\"/var/tmp:/b//c/\"]}}"),
			 0);
	assert_int_equal(cb.o.n_vols, 2);
	assert_string_equal(cb.o.vols[0].host, "/tmp");
	assert_string_equal(cb.o.vols[0].cont, "/data");
	assert_true(cb.o.vols[0].ro);
	assert_string_equal(cb.o.vols[1].cont, "/b/c");
	assert_false(cb.o.vols[1].ro);
	create_body_free(&cb);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(body, sizeof(body), "{\"Image\":\"bb:1\",\"HostConfig\":{\"Binds\":[\"%s\"]}}", bad[i]);
		if (parse(&cb, &err, NULL, body) >= 0 || err.code != RT_ERR_USAGE ||
		    !strstr(err.msg, "HostConfig.Binds"))
			fail_msg("%s: accepted or unnamed (%s)", bad[i], err.msg);
		create_body_free(&cb);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_body),     cmocka_unit_test(test_image_defaults_and_strslice),
		cmocka_unit_test(test_wrong_types),   cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_names),         cmocka_unit_test(test_network_modes),
		cmocka_unit_test(test_port_bindings), cmocka_unit_test(test_binds),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
