/* `netns-run run`'s network options (cli/run_opts.c, engine/net_opts.c, issue 17): --network
 * repeated, Docker's advanced syntax name=NET,alias=,ip=,ip6=,mac-address=, the first
 * network's --ip/--ip6/--mac-address/--network-alias, and every refusal.  No kernel. */
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
#include <unistd.h>

/* The front end is no library: its parsers are compiled into the test. */
#include "cli/run_opts.c"
#include "engine/rt_error.h"
#include "fixture.h"

static char state_dir[64];

static int group_setup(void **state)
{
	(void)state;
	return fixture_state_dir(state_dir, sizeof(state_dir), "test_run_opts_net");
}

static int group_teardown(void **state)
{
	(void)state;
	fixture_rm_tree(state_dir);
	return 0;
}

/* The words are copied: the advanced syntax is split in place, as in a real argv. */
static char *words[40];
static size_t n_words;

static void free_words(void)
{
	while (n_words)
		free(words[--n_words]);
}

/* Parse "run" + words (NULL-ended) + "-- true". */
static int parse(struct run_opts *o, struct nr_error *err, ...)
{
	static char *argv[48];
	va_list ap;
	int argc = 0;

	free_words();
	argv[argc++] = "run";
	va_start(ap, err);
	for (char *w; (w = va_arg(ap, char *)) && argc < 40;)
		argv[argc++] = words[n_words++] = strdup(w);
	va_end(ap);
	argv[argc++] = "--";
	argv[argc++] = "true";
	argv[argc] = NULL;
	memset(err, 0, sizeof(*err));
	optind = 0;
	return run_opts_parse(argc, argv, o, err);
}

static void refused(const char *needle, ...)
{
	static char *argv[48];
	struct run_opts o;
	struct nr_error err = { 0 };
	va_list ap;
	int argc = 0;

	free_words();
	argv[argc++] = "run";
	va_start(ap, needle);
	for (char *w; (w = va_arg(ap, char *)) && argc < 40;)
		argv[argc++] = words[n_words++] = strdup(w);
	va_end(ap);
	argv[argc++] = "--";
	argv[argc++] = "true";
	argv[argc] = NULL;
	optind = 0;
	assert_true(run_opts_parse(argc, argv, &o, &err) < 0);
	assert_int_equal(err.code, RT_ERR_USAGE);
	if (!strstr(err.msg, needle))
		fail_msg("\"%s\" does not say \"%s\"", err.msg, needle);
	run_opts_free(&o);
}

static void test_default(void **state)
{
	struct run_opts o;
	struct nr_error err;

	(void)state;
	assert_int_equal(parse(&o, &err, NULL), 0);
	assert_int_equal(o.n_nets, 1);
	assert_string_equal(o.nets[0].network, "bridge");
	assert_string_equal(o.net, "bridge");
	assert_null(o.nets[0].ip);
	assert_int_equal(o.nets[0].n_aliases, 0);
	run_opts_free(&o);
	assert_int_equal(parse(&o, &err, "--net", "none", NULL), 0);
	assert_string_equal(o.net, "none");
	assert_int_equal(o.n_nets, 1);
	run_opts_free(&o);
}

static void test_repeated(void **state)
{
	struct run_opts o;
	struct nr_error err;

	(void)state;
	assert_int_equal(parse(&o, &err, "--network", "front", "--net", "back", "--network", "bridge", NULL), 0);
	assert_int_equal(o.n_nets, 3);
	assert_string_equal(o.net, "front");
	assert_string_equal(o.nets[1].network, "back");
	assert_string_equal(o.nets[2].network, "bridge");
	run_opts_free(&o);
}

static void test_advanced(void **state)
{
	struct run_opts o;
	struct nr_error err;
	const struct net_endpoint_opts *e;

	(void)state;
	assert_int_equal(parse(&o, &err, "--network", "front", "--network",
			       "name=back,alias=db,ALIAS=cache,ip=10.1.0.5,ip6=fd00::5,mac-address=02:42:ac:11:00:02",
			       NULL),
			 0);
	assert_int_equal(o.n_nets, 2);
	e = &o.nets[1];
	assert_string_equal(e->network, "back");
	assert_int_equal(e->n_aliases, 2);
	assert_string_equal(e->aliases[0], "db");
	assert_string_equal(e->aliases[1], "cache");
	assert_string_equal(e->ip, "10.1.0.5");
	assert_string_equal(e->ip6, "fd00::5");
	assert_string_equal(e->mac, "02:42:ac:11:00:02");
	assert_null(o.nets[0].ip);
	run_opts_free(&o);
	/* The advanced syntax for the first network is the mode too. */
	assert_int_equal(parse(&o, &err, "--network", "name=solo,ip=10.2.0.9", NULL), 0);
	assert_string_equal(o.net, "solo");
	assert_string_equal(o.nets[0].ip, "10.2.0.9");
	run_opts_free(&o);
}

static void test_first_network_flags(void **state)
{
	struct run_opts o;
	struct nr_error err;

	(void)state;
	assert_int_equal(parse(&o, &err, "--ip", "10.0.0.9", "--network", "front", "--ip6", "fd00::9",
			       "--network-alias", "web", "--net-alias", "www", "--mac-address", "02-42-AC-11-00-09",
			       "--network", "back", NULL),
			 0);
	assert_string_equal(o.nets[0].network, "front");
	assert_string_equal(o.nets[0].ip, "10.0.0.9");
	assert_string_equal(o.nets[0].ip6, "fd00::9");
	assert_string_equal(o.nets[0].mac, "02-42-AC-11-00-09");
	assert_int_equal(o.nets[0].n_aliases, 2);
	assert_string_equal(o.nets[0].aliases[1], "www");
	assert_null(o.nets[1].ip);
	assert_null(o.nets[1].mac);
	assert_int_equal(o.nets[1].n_aliases, 0);
	run_opts_free(&o);
	/* On the default network too: the built-in bridge declares the ips capability. */
	assert_int_equal(parse(&o, &err, "--ip", "10.88.0.40", NULL), 0);
	assert_string_equal(o.nets[0].network, "bridge");
	assert_string_equal(o.nets[0].ip, "10.88.0.40");
	run_opts_free(&o);
}

static void test_refused(void **state)
{
	(void)state;
	refused("conflicting options: cannot attach both user-defined and non-user-defined", "--network", "none",
		"--network", "back", NULL);
	refused("conflicting options: cannot attach both", "--network", "back", "--network", "host", NULL);
	refused("conflicting options: cannot attach both", "--network", "back", "--network", "container:web", NULL);
	refused("network \"back\" is specified multiple times", "--network", "back", "--network", "name=back", NULL);
	refused("expected an IPv4 address", "--ip", "10.0.0.300", NULL);
	refused("expected an IPv4 address", "--ip", "fd00::1", NULL);
	refused("expected an IPv4 address", "--ip", "10.0.0.1/24", NULL);
	refused("expected an IPv6 address", "--ip6", "10.0.0.1", NULL);
	refused("expected an IPv6 address", "--network", "name=a,ip6=10.0.0.1", NULL);
	refused("--ip given twice", "--ip", "10.0.0.1", "--ip", "10.0.0.2", NULL);
	refused("multicast", "--mac-address", "01:00:5e:00:00:01", NULL);
	refused("zero", "--mac-address", "00:00:00:00:00:00", NULL);
	refused("expected a MAC address", "--mac-address", "02:42:ac:11:00", NULL);
	refused("expected a MAC address", "--mac-address", "02:42:ac:11:00:zz", NULL);
	refused("expected a MAC address", "--mac-address", "02:42-ac:11:00:02", NULL);
	refused("an alias is a DNS name", "--network-alias", "-bad", NULL);
	refused("an alias is a DNS name", "--network-alias", "a..b", NULL);
	refused("an alias is a DNS name", "--network", "name=x,alias=has space", NULL);
	refused("invalid field key bogus", "--network", "name=x,bogus=1", NULL);
	refused("must be a key=value pair", "--network", "name=x,alias", NULL);
	refused("network name/id is not specified", "--network", "alias=x", NULL);
	refused("cannot specify both --ip and per-network IPv4 address", "--network", "name=x,ip=10.0.0.1", "--ip",
		"10.0.0.2", NULL);
	refused("cannot specify both --ip6 and per-network IPv6 address", "--network", "name=x,ip6=fd00::1", "--ip6",
		"fd00::2", NULL);
	refused("cannot specify both --network-alias and per-network alias", "--network", "name=x,alias=a",
		"--network-alias", "b", NULL);
	refused("cannot specify both --mac-address and per-network MAC address", "--network",
		"name=x,mac-address=02:00:00:00:00:01", "--mac-address", "02:00:00:00:00:02", NULL);
	refused("not --network none", "--network", "none", "--ip", "10.0.0.1", NULL);
	refused("not --network host", "--network", "host", "--network-alias", "a", NULL);
	refused("expected a network name or mode", "--network", "", NULL);
	free_words();
}

static void test_too_many(void **state)
{
	static char *argv[64];
	char names[RT_NETWORKS_MAX + 1][16];
	struct run_opts o;
	struct nr_error err = { 0 };
	int argc = 0;

	(void)state;
	argv[argc++] = "run";
	for (int i = 0; i <= RT_NETWORKS_MAX; i++) {
		snprintf(names[i], sizeof(names[i]), "n%d", i);
		argv[argc++] = "--network";
		argv[argc++] = names[i];
	}
	argv[argc++] = "--";
	argv[argc++] = "true";
	argv[argc] = NULL;
	optind = 0;
	assert_true(run_opts_parse(argc, argv, &o, &err) < 0);
	assert_non_null(strstr(err.msg, "too many --network"));
	run_opts_free(&o);
}

static void test_alias_valid(void **state)
{
	char long_label[70], long_name[300];

	(void)state;
	assert_true(net_opts_alias_valid("db"));
	assert_true(net_opts_alias_valid("my_db-1.example"));
	assert_true(net_opts_alias_valid("1x"));
	assert_false(net_opts_alias_valid(""));
	assert_false(net_opts_alias_valid("x-"));
	assert_false(net_opts_alias_valid(".x"));
	assert_false(net_opts_alias_valid("x."));
	assert_false(net_opts_alias_valid("a/b"));
	memset(long_label, 'a', 64);
	long_label[64] = '\0';
	assert_false(net_opts_alias_valid(long_label));
	long_label[63] = '\0';
	assert_true(net_opts_alias_valid(long_label));
	for (size_t i = 0; i < sizeof(long_name) - 1; i++)
		long_name[i] = i % 10 == 9 ? '.' : 'a';
	long_name[sizeof(long_name) - 1] = '\0';
	assert_false(net_opts_alias_valid(long_name));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default),     cmocka_unit_test(test_repeated),
		cmocka_unit_test(test_advanced),    cmocka_unit_test(test_first_network_flags),
		cmocka_unit_test(test_refused),     cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_alias_valid),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
