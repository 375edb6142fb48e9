/* `netns-run run [OPTIONS] IMAGE [COMMAND...]` (cli/run_opts.c, engine/image_run.c): the
 * argument rule (which first word is an image), Docker's Entrypoint/Cmd rules, the
 * image's Env/WorkingDir/User under -e/-w/-u, its layers against --rootfs, -P.  No
 * store is needed: the state directory is an empty temporary one, and the image a
 * run applies is made by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The front end is no library: its parser is compiled into the test. */
#include "cli/run_opts.c"
#include "engine/ctr.h"
#include "engine/image_run.h"
#include "engine/rt_error.h"
#include "fixture.h"

static char state_dir[64];

static int group_setup(void **state)
{
	(void)state;
	return fixture_state_dir(state_dir, sizeof(state_dir), "test_run_opts_image");
}

static int group_teardown(void **state)
{
	(void)state;
	fixture_rm_tree(state_dir);
	return 0;
}

/* Parse "run" + words (NULL-ended); returns run_opts_parse's value. */
static int parse(struct run_opts *o, struct nr_error *err, ...)
{
	static char *argv[32];
	va_list ap;
	int argc = 0;

	argv[argc++] = "run";
	va_start(ap, err);
	for (char *w; (w = va_arg(ap, char *)) && argc < 31;)
		argv[argc++] = w;
	va_end(ap);
	argv[argc] = NULL;
	memset(err, 0, sizeof(*err));
	optind = 0;
	return run_opts_parse(argc, argv, o, err);
}

static void test_word_explicit(void **state)
{
	(void)state;
	const char *yes[] = { "bb:1",         "busybox:latest", "team/app", "reg.example:5000/a/b",
			      "bb@sha256:00", "localhost/x" };
	const char *no[] = { "true", "sh", "/bin/true", "./run.sh", "../x/y", ".", "/x:y", "", "no-such-command-here" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		assert_true(image_word_explicit(yes[i]));
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		assert_false(image_word_explicit(no[i]));
}

/* Without a store, every use that worked before images keeps its meaning. */
static void test_rule_host_root(void **state)
{
	struct run_opts o;
	struct nr_error err;
	struct stat st;
	char p[128];

	(void)state;
	assert_int_equal(parse(&o, &err, "--rm", "--net=none", "true", NULL), 0);
	assert_null(o.image);
	assert_string_equal(o.argv[0], "true");
	assert_null(o.argv[1]);
	assert_int_equal(o.n_rootfs, 0);
	run_opts_free(&o);

	assert_int_equal(parse(&o, &err, "no-such-command-here", "a", NULL), 0);
	assert_null(o.image);
	assert_string_equal(o.argv[0], "no-such-command-here");
	assert_string_equal(o.argv[1], "a");
	run_opts_free(&o);

	assert_int_equal(parse(&o, &err, "/bin/echo", "x:y", NULL), 0);
	assert_null(o.image);
	assert_string_equal(o.argv[0], "/bin/echo");
	run_opts_free(&o);

	/* After --, even an image-like word is the command. */
	assert_int_equal(parse(&o, &err, "-e", "A=1", "--", "bb:1", NULL), 0);
	assert_null(o.image);
	assert_string_equal(o.argv[0], "bb:1");
	run_opts_free(&o);

	/* -e's value "--" is not the end of the options. */
	assert_int_equal(parse(&o, &err, "-e", "--", "sh", NULL), 0);
	assert_int_equal(o.n_env, 1);
	assert_string_equal(o.argv[0], "sh");
	run_opts_free(&o);

	/* A run does not create the store just to look for an image. */
	snprintf(p, sizeof(p), "%s/images", state_dir);
	assert_int_not_equal(stat(p, &st), 0);
}

static void test_rule_missing_reference(void **state)
{
	const char *refs[] = { "nosuch:1", "team/app",
			       "bb@sha256:0123456789012345678901234567890123456789012345678901234567890123" };
	struct run_opts o;
	struct nr_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		assert_true(parse(&o, &err, "--rm", refs[i], "true", NULL) < 0);
		assert_int_equal(err.code, RT_ERR_NOT_FOUND);
		assert_non_null(strstr(err.msg, "Unable to find image '"));
		assert_non_null(strstr(err.msg, refs[i]));
		assert_non_null(strstr(err.msg, "netns-run load"));
		run_opts_free(&o);
	}
	/* Not a valid reference (upper case): a command, as before. */
	assert_int_equal(parse(&o, &err, "Foo:1", NULL), 0);
	assert_null(o.image);
	run_opts_free(&o);
}

static void test_no_command(void **state)
{
	struct run_opts o;
	struct nr_error err;

	(void)state;
	assert_true(parse(&o, &err, "--rm", NULL) < 0);
	assert_int_equal(err.code, RT_ERR_USAGE);
	run_opts_free(&o);
	assert_true(parse(&o, &err, "--entrypoint", "", "--", NULL) < 0);
	assert_non_null(strstr(err.msg, "no command specified"));
	run_opts_free(&o);
	/* --entrypoint on the host's root: it is the program, the words its arguments. */
	assert_int_equal(parse(&o, &err, "--entrypoint", "/bin/echo", "--", "a", "b", NULL), 0);
	assert_string_equal(o.argv[0], "/bin/echo");
	assert_string_equal(o.argv[1], "a");
	assert_string_equal(o.argv[2], "b");
	assert_null(o.argv[3]);
	run_opts_free(&o);
}

static void assert_strv(char **v, const char *const *want)
{
	size_t i = 0;

	for (; want[i]; i++) {
		assert_non_null(v[i]);
		assert_string_equal(v[i], want[i]);
	}
	assert_null(v[i]);
}

static void test_argv_rules(void **state)
{
	char *ep[] = { "/entry", "-x", NULL }, *cmd[] = { "def", "arg", NULL }, *command[] = { "mine", "1", NULL };
	char *none[] = { NULL };
	char **v;

	(void)state;
	/* Entrypoint + Cmd. */
	assert_int_equal(image_argv_build(ep, cmd, NULL, NULL, &v, NULL), 0);
	assert_strv(v, (const char *[]){ "/entry", "-x", "def", "arg", NULL });
	rt_strv_free(v);
	/* COMMAND replaces Cmd, keeps Entrypoint. */
	assert_int_equal(image_argv_build(ep, cmd, NULL, command, &v, NULL), 0);
	assert_strv(v, (const char *[]){ "/entry", "-x", "mine", "1", NULL });
	rt_strv_free(v);
	/* An empty COMMAND is none. */
	assert_int_equal(image_argv_build(NULL, cmd, NULL, none, &v, NULL), 0);
	assert_strv(v, (const char *[]){ "def", "arg", NULL });
	rt_strv_free(v);
	/* --entrypoint replaces Entrypoint and drops Cmd (Docker). */
	assert_int_equal(image_argv_build(ep, cmd, "/bin/sh", NULL, &v, NULL), 0);
	assert_strv(v, (const char *[]){ "/bin/sh", NULL });
	rt_strv_free(v);
	assert_int_equal(image_argv_build(ep, cmd, "/bin/sh", command, &v, NULL), 0);
	assert_strv(v, (const char *[]){ "/bin/sh", "mine", "1", NULL });
	rt_strv_free(v);
	/* --entrypoint "" clears it: COMMAND alone, or nothing. */
	assert_int_equal(image_argv_build(ep, cmd, "", command, &v, NULL), 0);
	assert_strv(v, (const char *[]){ "mine", "1", NULL });
	rt_strv_free(v);
	assert_int_equal(image_argv_build(ep, cmd, "", NULL, &v, NULL), 0);
	assert_null(v[0]);
	rt_strv_free(v);
	/* Neither: empty (the caller says "no command specified"). */
	assert_int_equal(image_argv_build(NULL, NULL, NULL, NULL, &v, NULL), 0);
	assert_null(v[0]);
	rt_strv_free(v);
}

/* A hand-made image: two layers (top first), Env with PATH, WorkingDir, User, Cmd. */
static char *img_env[] = { "PATH=/img/bin:/bin", "FOO=image", "BAR=image", NULL };
static char *img_cmd[] = { "sh", "-c", "echo hi", NULL };
static char *img_exposed[] = { "80/tcp", "53/udp", NULL };

static struct image_run *fake_image(void)
{
	struct image_run *im = calloc(1, sizeof(*im));

	assert_non_null(im);
	snprintf(im->id, sizeof(im->id), "sha256:%064d", 7);
	im->cfg.env = img_env;
	im->cfg.cmd = img_cmd;
	im->cfg.working_dir = "/srv/app";
	im->cfg.user = "1000:1000";
	im->cfg.exposed = img_exposed;
	im->lowers = calloc(3, sizeof(char *));
	im->lowers[0] = strdup("/store/layers/top/diff");
	im->lowers[1] = strdup("/store/layers/bottom/diff");
	return im;
}

/* The config is static: the run must not free it. */
static void free_opts(struct run_opts *o)
{
	if (o->img)
		memset(&o->img->cfg, 0, sizeof(o->img->cfg));
	run_opts_free(o);
}

static const char *env_get(char **env, const char *k)
{
	size_t n = strlen(k);

	for (; env && *env; env++)
		if (!strncmp(*env, k, n) && (*env)[n] == '=')
			return *env + n + 1;
	return NULL;
}

static void test_apply_config(void **state)
{
	struct run_opts o;
	struct nr_error err;
	char *rest[] = { NULL };

	(void)state;
	assert_int_equal(parse(&o, &err, "-e", "BAR=mine", "-e", "NEW=1", "--", "x", NULL), 0);
	o.image = "bb:1";
	assert_int_equal(image_run_apply(fake_image(), &o, rest, &err), 0);
	assert_string_equal(o.image_id, o.img->id);
	assert_int_equal(o.n_rootfs, 2);
	assert_string_equal(o.rootfs[0], "/store/layers/top/diff");
	assert_string_equal(o.rootfs[1], "/store/layers/bottom/diff");
	assert_strv(o.argv, (const char *[]){ "sh", "-c", "echo hi", NULL });
	assert_string_equal(o.workdir, "/srv/app");
	assert_string_equal(o.user, "1000:1000");
	assert_null(o.caps); /* no -P */

	char **env = env_build(&o, "h1");
	assert_non_null(env);
	assert_string_equal(env_get(env, "PATH"), "/img/bin:/bin"); /* the image's PATH wins */
	assert_string_equal(env_get(env, "FOO"), "image");
	assert_string_equal(env_get(env, "BAR"), "mine"); /* -e wins */
	assert_string_equal(env_get(env, "NEW"), "1");
	assert_string_equal(env_get(env, "HOSTNAME"), "h1");
	assert_string_equal(env_get(env, "HOME"), "/root");
	rt_strv_free(env);
	free_opts(&o);
}

static void test_apply_overrides(void **state)
{
	struct run_opts o;
	struct nr_error err;
	char *rest[] = { "id", "-u", NULL };

	(void)state;
	assert_int_equal(parse(&o, &err, "-w", "/other", "-u", "0", "--", "x", NULL), 0);
	o.image = "bb:1";
	assert_int_equal(image_run_apply(fake_image(), &o, rest, &err), 0);
	assert_string_equal(o.workdir, "/other");
	assert_string_equal(o.user, "0");
	assert_strv(o.argv, (const char *[]){ "id", "-u", NULL });
	free_opts(&o);

	/* --rootfs with an image: refused. */
	assert_int_equal(parse(&o, &err, "--rootfs", "/", "--", "x", NULL), 0);
	o.image = "bb:1";
	assert_true(image_run_apply(fake_image(), &o, rest, &err) < 0);
	assert_int_equal(err.code, RT_ERR_USAGE);
	assert_non_null(strstr(err.msg, "--rootfs"));
	free_opts(&o);

	/* An image without Entrypoint and Cmd, and no COMMAND. */
	assert_int_equal(parse(&o, &err, "--", "x", NULL), 0);
	o.image = "bb:1";
	struct image_run *im = fake_image();
	im->cfg.cmd = NULL;
	assert_true(image_run_apply(im, &o, rest + 2, &err) < 0);
	assert_non_null(strstr(err.msg, "no command specified"));
	free_opts(&o);
}

static void test_publish_all(void **state)
{
	struct run_opts o;
	struct nr_error err;
	char *rest[] = { NULL };

	(void)state;
	assert_int_equal(parse(&o, &err, "-P", "-p", "8080:8080", "--", "x", NULL), 0);
	o.image = "bb:1";
	assert_int_equal(image_run_apply(fake_image(), &o, rest, &err), 0);
	json_t *caps = json_loads(o.caps, 0, NULL), *m = json_object_get(caps, "portMappings");
	assert_int_equal(json_array_size(m), 3);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(m, 0), "hostPort")), 8080);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(m, 1), "containerPort")), 80);
	assert_string_equal(json_string_value(json_object_get(json_array_get(m, 1), "protocol")), "tcp");
	assert_true(json_integer_value(json_object_get(json_array_get(m, 1), "hostPort")) > 0);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(m, 2), "containerPort")), 53);
	assert_string_equal(json_string_value(json_object_get(json_array_get(m, 2), "protocol")), "udp");
	json_decref(caps);
	free_opts(&o);

	/* -P without exposed ports: nothing. */
	char *caps_text = NULL;
	assert_int_equal(image_publish_all(NULL, &caps_text, &err), 0);
	assert_null(caps_text);
	char *bad[] = { "http", NULL };
	assert_true(image_publish_all(bad, &caps_text, &err) < 0);
	assert_non_null(strstr(err.msg, "http"));
	free(caps_text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_word_explicit),
		cmocka_unit_test(test_rule_host_root),
		cmocka_unit_test(test_rule_missing_reference),
		cmocka_unit_test(test_no_command),
		cmocka_unit_test(test_argv_rules),
		cmocka_unit_test(test_apply_config),
		cmocka_unit_test(test_apply_overrides),
		cmocka_unit_test(test_publish_all),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
