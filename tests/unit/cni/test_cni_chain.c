/* cni_chain's files: conflist parsing, finding networks in directories, the result cache,
 * and the per-plugin configs (capability args only where declared). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/json_field.h"
#include "cni/cni_cache.h"
#include "cni/cni_chain.h"
#include "fixture.h"

struct fixture {
	char dir[64];
	char d1[96], d2[96], cache[96];
};

static void write_file(const char *dir, const char *name, const char *text)
{
	char p[PATH_MAX];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	strcpy(fx->dir, "/tmp/nr-test-chain-XXXXXX");
	if (!mkdtemp(fx->dir))
		return -1;
	snprintf(fx->d1, sizeof(fx->d1), "%s/d1", fx->dir);
	snprintf(fx->d2, sizeof(fx->d2), "%s/d2", fx->dir);
	snprintf(fx->cache, sizeof(fx->cache), "%s/var/cache/results", fx->dir);
	if (mkdir(fx->d1, 0755) < 0 || mkdir(fx->d2, 0755) < 0)
		return -1;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	fixture_rm_tree(fx->dir);
	free(fx);
	return 0;
}

static int parse(const char *text, struct cni_netconf **ret, struct nr_error *err)
{
	return cni_netconf_parse(text, strlen(text), "test", ret, err);
}

static void test_parse_conflist(void **state)
{
	struct cni_netconf *n = NULL;
	struct nr_error err = { 0 };

	assert_int_equal(parse("{\"cniVersion\":\"1.1.0\",\"name\":\"net1\",\"disableCheck\":true,"
			       "\"plugins\":[{\"type\":\"bridge\"},{\"type\":\"none\"}]}",
			       &n, &err),
			 0);
	assert_string_equal(n->name, "net1");
	assert_string_equal(n->cni_version, "1.1.0");
	assert_null(n->path);
	assert_true(n->disable_check);
	assert_false(n->disable_gc);
	assert_int_equal(json_array_size(json_object_get(n->list, "plugins")), 2);
	cni_netconf_free(n);

	/* libcni also takes the flags as strings. */
	assert_int_equal(parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"disableGC\":\"true\","
			       "\"plugins\":[{\"type\":\"x\"}]}",
			       &n, &err),
			 0);
	assert_true(n->disable_gc);
	cni_netconf_free(n);
}

static void test_parse_single_conf(void **state)
{
	struct cni_netconf *n = NULL;
	struct nr_error err = { 0 };
	json_t *p0;

	assert_int_equal(parse("{\"cniVersion\":\"0.4.0\",\"name\":\"one\",\"type\":\"bridge\",\"bridge\":\"br9\"}", &n,
			       &err),
			 0);
	assert_string_equal(n->name, "one");
	assert_string_equal(n->cni_version, "0.4.0");
	assert_int_equal(json_array_size(json_object_get(n->list, "plugins")), 1);
	p0 = json_array_get(json_object_get(n->list, "plugins"), 0);
	assert_string_equal(json_string_value(json_object_get(p0, "type")), "bridge");
	assert_string_equal(json_string_value(json_object_get(p0, "bridge")), "br9");
	cni_netconf_free(n);
}

static void expect_bad(const char *text, int code, const char *needle)
{
	struct cni_netconf *n = NULL;
	struct nr_error err = { 0 };

	assert_true(parse(text, &n, &err) < 0);
	assert_null(n);
	assert_int_equal(err.code, code);
	if (needle && !strstr(err.msg, needle))
		fail_msg("'%s' not in '%s'", needle, err.msg);
}

static void test_parse_errors(void **state)
{
	expect_bad("{\"cniVersion\":", CNI_ERR_DECODE, "not valid JSON");
	expect_bad("[]", CNI_ERR_DECODE, NULL);
	expect_bad("{\"cniVersion\":\"1.0.0\",\"plugins\":[{\"type\":\"x\"}]}", CNI_ERR_INVALID_CONFIG, "name");
	expect_bad("{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}", CNI_ERR_INVALID_CONFIG, "plugins");
	expect_bad("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[]}", CNI_ERR_INVALID_CONFIG, "empty");
	expect_bad("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":{}}", CNI_ERR_DECODE, "plugins");
	expect_bad("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"bridge\":\"x\"}]}", CNI_ERR_INVALID_CONFIG,
		   "type");
	expect_bad("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[1]}", CNI_ERR_DECODE, "plugins[0]");
	expect_bad("{\"cniVersion\":\"1.0.0\",\"name\":\"a/b\",\"plugins\":[{\"type\":\"x\"}]}", CNI_ERR_INVALID_CONFIG,
		   "a/b");
	expect_bad("{\"cniVersion\":\"1.0.0\",\"name\":\"..\",\"plugins\":[{\"type\":\"x\"}]}", CNI_ERR_INVALID_CONFIG,
		   NULL);
	expect_bad("{\"name\":\"n\",\"plugins\":[{\"type\":\"x\"}]}", CNI_ERR_INCOMPATIBLE_VERSION, "cniVersion");
	expect_bad("{\"cniVersion\":\"0.2.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"x\"}]}",
		   CNI_ERR_INCOMPATIBLE_VERSION, "0.2.0");
	expect_bad("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"disableCheck\":1,\"plugins\":[{\"type\":\"x\"}]}",
		   CNI_ERR_DECODE, "disableCheck");
}

#define LIST(name, tag) \
	"{\"cniVersion\":\"1.0.0\",\"name\":\"" name "\",\"plugins\":[{\"type\":\"x\",\"tag\":\"" tag "\"}]}"

static const char *tag_of(const struct cni_netconf *n)
{
	json_t *p0 = json_array_get(json_object_get(n->list, "plugins"), 0);
	return json_string_value(json_object_get(p0, "tag"));
}

static void fill_dirs(struct fixture *fx)
{
	write_file(fx->d1, "00-broken.conflist", "{ not json");
	write_file(fx->d1, "20-x.conf", LIST("x", "d1-20"));
	write_file(fx->d1, "10-x.conflist", LIST("x", "d1-10"));
	write_file(fx->d1, "30-y.json", LIST("y", "d1-30"));
	write_file(fx->d1, "05-z.txt", LIST("x", "txt"));
	write_file(fx->d1, ".01-hidden.conflist", LIST("x", "hidden"));
	write_file(fx->d2, "00-x.conflist", LIST("x", "d2-00"));
	write_file(fx->d2, "50-w.conflist", LIST("w", "d2-50"));
}

static void test_load_order(void **state)
{
	struct fixture *fx = *state;
	const char *dirs[] = { fx->d1, fx->d2, NULL };
	const char *missing_first[] = { "/nonexistent/dir", fx->d2, NULL };
	struct cni_netconf *n = NULL;
	struct nr_error err = { 0 };
	char want[PATH_MAX];

	fill_dirs(fx);
	/* Lexical order in a directory, the first directory before the second. */
	assert_int_equal(cni_netconf_load(dirs, "x", &n, &err), 0);
	assert_string_equal(tag_of(n), "d1-10");
	snprintf(want, sizeof(want), "%s/10-x.conflist", fx->d1);
	assert_string_equal(n->path, want);
	cni_netconf_free(n);
	assert_int_equal(cni_netconf_load(dirs, "y", &n, &err), 0);
	assert_string_equal(tag_of(n), "d1-30");
	cni_netconf_free(n);
	assert_int_equal(cni_netconf_load(dirs, "w", &n, &err), 0);
	assert_string_equal(tag_of(n), "d2-50");
	cni_netconf_free(n);
	/* A directory that does not exist holds nothing. */
	assert_int_equal(cni_netconf_load(missing_first, "x", &n, &err), 0);
	assert_string_equal(tag_of(n), "d2-00");
	cni_netconf_free(n);
}

static void test_load_not_found(void **state)
{
	struct fixture *fx = *state;
	const char *dirs[] = { fx->d1, fx->d2, NULL };
	struct cni_netconf *n = NULL;
	struct nr_error err = { 0 };

	fill_dirs(fx);
	assert_int_equal(cni_netconf_load(dirs, "nope", &n, &err), -ENOENT);
	assert_null(n);
	assert_int_equal(err.code, CNI_ERR_INTERNAL);
	assert_non_null(strstr(err.msg, fx->d1));
	assert_non_null(strstr(err.msg, fx->d2));
	/* The broken file is named, so a typo is not a mystery. */
	assert_non_null(strstr(err.details, "00-broken.conflist"));
	assert_true(cni_netconf_load(dirs, "../x", &n, &err) < 0);
	assert_int_equal(err.code, CNI_ERR_INVALID_CONFIG);
}

static void test_list(void **state)
{
	struct fixture *fx = *state;
	const char *dirs[] = { fx->d1, fx->d2, NULL };
	struct cni_netconf **v = NULL;
	struct nr_error err = { 0 };
	size_t n = 0;

	fill_dirs(fx);
	assert_int_equal(cni_netconf_list(dirs, &v, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[0]->name, "x");
	assert_string_equal(tag_of(v[0]), "d1-10");
	assert_string_equal(v[1]->name, "y");
	assert_string_equal(v[2]->name, "w");
	for (size_t i = 0; i < n; i++)
		cni_netconf_free(v[i]);
	free(v);
}

static const char *RESULT =
	"{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\",\"mac\":\"02:00:00:00:00:01\","
	"\"sandbox\":\"/run/netns/a\"}],\"ips\":[{\"address\":\"192.0.2.5/24\",\"gateway\":\"192.0.2.1\","
	"\"interface\":0}],\"routes\":[{\"dst\":\"0.0.0.0/0\"}],\"dns\":{\"nameservers\":[\"192.0.2.1\"]}}";

static void test_cache_round_trip(void **state)
{
	struct fixture *fx = *state;
	_cleanup_json_ json_t *result = json_loads(RESULT, 0, NULL);
	_cleanup_json_ json_t *caps = json_pack("{s:[{s:i}]}", "portMappings", "hostPort", 8080);
	struct cni_cache_entry e = { .network = "net1",
				     .container_id = "abc",
				     .ifname = "eth0",
				     .netns = "/run/netns/a",
				     .args = "IgnoreUnknown=1;A=b",
				     .caps = caps,
				     .result = result };
	struct cni_cache_entry *got = NULL;
	struct cni_result *res = NULL;
	json_t *gcaps = NULL;
	struct nr_error err = { 0 };
	char path[PATH_MAX];
	struct stat st;

	assert_int_equal(cni_cache_write(fx->cache, &e, &err), 0);
	snprintf(path, sizeof(path), "%s/net1-abc-eth0", fx->cache);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(stat(fx->cache, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);

	assert_int_equal(cni_cache_read(fx->cache, "net1", "abc", "eth0", &res, &gcaps, &err), 0);
	assert_non_null(res);
	assert_int_equal(res->n_ips, 1);
	assert_string_equal(res->ips[0].address, "192.0.2.5/24");
	assert_string_equal(res->ifaces[0].sandbox, "/run/netns/a");
	assert_int_equal(res->dns.n_nameservers, 1);
	assert_true(json_equal(gcaps, caps));
	cni_result_free(res);
	json_decref(gcaps);

	assert_int_equal(cni_cache_load(fx->cache, "net1", "abc", "eth0", &got, &err), 0);
	assert_string_equal(got->args, "IgnoreUnknown=1;A=b");
	assert_string_equal(got->netns, "/run/netns/a");
	cni_cache_entry_free(got);

	/* Overwriting replaces; nothing temporary stays behind. */
	e.args = NULL;
	assert_int_equal(cni_cache_write(fx->cache, &e, &err), 0);
	assert_int_equal(cni_cache_load(fx->cache, "net1", "abc", "eth0", &got, &err), 0);
	assert_null(got->args);
	cni_cache_entry_free(got);

	assert_int_equal(cni_cache_remove(fx->cache, "net1", "abc", "eth0", &err), 0);
	assert_int_equal(cni_cache_remove(fx->cache, "net1", "abc", "eth0", &err), 0);
	assert_int_equal(cni_cache_read(fx->cache, "net1", "abc", "eth0", &res, NULL, &err), 0);
	assert_null(res);
}

static void test_cache_names(void **state)
{
	struct fixture *fx = *state;
	struct cni_cache_entry e = { .network = "net1", .container_id = "../../etc", .ifname = "eth0" };
	struct cni_result *res = NULL;
	struct nr_error err = { 0 };
	char path[PATH_MAX];

	assert_true(cni_cache_write(fx->cache, &e, &err) < 0);
	assert_int_equal(err.code, CNI_ERR_INVALID_CONFIG);
	assert_true(cni_cache_path(fx->cache, "a/b", "c", "eth0", path, sizeof(path), &err) < 0);
	assert_true(cni_cache_path(fx->cache, "net", "c", "..", path, sizeof(path), &err) < 0);
	assert_true(cni_cache_path(fx->cache, "net", "c", "a/b", path, sizeof(path), &err) < 0);
	assert_true(cni_cache_read(fx->cache, "net", "c/d", "eth0", &res, NULL, &err) < 0);
	assert_int_equal(cni_cache_path(NULL, "net", "c", "eth0", path, sizeof(path), &err), 0);
	assert_string_equal(path, CNI_CHAIN_DEFAULT_CACHE_DIR "/net-c-eth0");
}

static int collect(const struct cni_cache_entry *e, void *arg, struct nr_error *err)
{
	char *s = arg;
	strcat(s, e->container_id);
	strcat(s, "/");
	strcat(s, e->ifname);
	strcat(s, " ");
	return 0;
}

static void test_cache_foreach(void **state)
{
	struct fixture *fx = *state;
	struct cni_cache_entry e = { .network = "net", .container_id = "a", .ifname = "eth0" };
	struct cni_cache_entry other = { .network = "net-1", .container_id = "b", .ifname = "eth0" };
	struct cni_cache_entry *got = NULL;
	struct nr_error err = { 0 };
	char seen[256] = "";
	char path[PATH_MAX];

	assert_int_equal(cni_cache_foreach(fx->cache, "net", collect, seen, &err), 0); /* no directory yet */
	assert_int_equal(cni_cache_write(fx->cache, &e, &err), 0);
	e.ifname = "eth1";
	assert_int_equal(cni_cache_write(fx->cache, &e, &err), 0);
	/* "net-1-b-eth0" starts like one of net's; the entry itself says it is not. */
	assert_int_equal(cni_cache_write(fx->cache, &other, &err), 0);
	/* An entry copied under another attachment's name is not believed. */
	snprintf(path, sizeof(path), "%s/net-a-eth0", fx->cache);
	char dst[PATH_MAX];
	snprintf(dst, sizeof(dst), "%s/net-x-eth0", fx->cache);
	assert_int_equal(link(path, dst), 0);
	write_file(fx->cache, "net-junk-eth0", "not json");
	assert_int_equal(cni_cache_foreach(fx->cache, "net", collect, seen, &err), 0);
	assert_string_equal(seen, "a/eth0 a/eth1 ");
	assert_true(cni_cache_load(fx->cache, "net", "x", "eth0", &got, &err) < 0);
	assert_int_equal(err.code, CNI_ERR_DECODE);
	assert_null(got);
}

static void test_plugin_config(void **state)
{
	struct cni_netconf *n = NULL;
	struct nr_error err = { 0 };
	_cleanup_json_ json_t *caps = json_pack("{s:[i], s:s, s:{s:i}}", "portMappings", 1, "mac", "02:00:00:00:00:09",
						"bandwidth", "ingressRate", 5);
	_cleanup_json_ json_t *prev = json_pack("{s:s}", "cniVersion", "1.1.0");
	_cleanup_json_ json_t *c0 = NULL, *c1 = NULL, *c2 = NULL, *c3 = NULL;

	assert_int_equal(parse("{\"cniVersion\":\"1.1.0\",\"name\":\"net1\",\"plugins\":["
			       "{\"type\":\"a\",\"name\":\"ignored\",\"cniVersion\":\"0.3.1\","
			       "\"capabilities\":{\"portMappings\":true,\"mac\":false,\"ips\":true}},"
			       "{\"type\":\"b\",\"runtimeConfig\":{\"stale\":1}},"
			       "{\"type\":\"c\",\"capabilities\":{\"mac\":true,\"bandwidth\":true}}]}",
			       &n, &err),
			 0);
	c0 = cni_chain_plugin_config(n, 0, caps, NULL);
	assert_string_equal(json_string_value(json_object_get(c0, "name")), "net1");
	assert_string_equal(json_string_value(json_object_get(c0, "cniVersion")), "1.1.0");
	/* Declared and given: portMappings.  Declared false: mac.  Declared, not given: ips. */
	assert_int_equal(json_object_size(json_object_get(c0, "runtimeConfig")), 1);
	assert_non_null(json_object_get(json_object_get(c0, "runtimeConfig"), "portMappings"));
	assert_null(json_object_get(c0, "prevResult"));
	/* Nothing declared: no runtimeConfig, not even the one in the file. */
	c1 = cni_chain_plugin_config(n, 1, caps, prev);
	assert_null(json_object_get(c1, "runtimeConfig"));
	assert_true(json_equal(json_object_get(c1, "prevResult"), prev));
	c2 = cni_chain_plugin_config(n, 2, caps, NULL);
	assert_int_equal(json_object_size(json_object_get(c2, "runtimeConfig")), 2);
	assert_string_equal(json_string_value(json_object_get(json_object_get(c2, "runtimeConfig"), "mac")),
			    "02:00:00:00:00:09");
	/* No capability args at all. */
	c3 = cni_chain_plugin_config(n, 2, NULL, NULL);
	assert_null(json_object_get(c3, "runtimeConfig"));
	/* The list itself is not changed. */
	assert_null(json_object_get(json_array_get(json_object_get(n->list, "plugins"), 0), "runtimeConfig"));
	cni_netconf_free(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_conflist),
		cmocka_unit_test(test_parse_single_conf),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test_setup_teardown(test_load_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_not_found, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_foreach, setup, teardown),
		cmocka_unit_test(test_plugin_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
