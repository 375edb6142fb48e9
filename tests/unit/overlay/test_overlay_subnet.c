/* The overlay's subnet file (plugins/overlay/subnet.c): what the agent writes, the plugin
 * reads back; hostile and malformed files are refused with the code their fault earns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "overlay/ovl.h"

#define GOOD                                                                                         \
	"{\"network\": \"10.20.0.0/16\", \"subnet\": \"10.20.3.0/24\", \"mtu\": 1450, \"vni\": 42, " \
	"\"vtep\": \"192.0.2.11\", \"device\": \"nv-0123456789ab\", \"bridge\": \"nr-0123456789ab\"}"

static int parse(const char *text, struct overlay_subnet *s, struct nr_error *err)
{
	return ovl_subnet_parse(text, strlen(text), "subnet file", s, err);
}

/* GOOD with member key set to raw JSON value (or removed when value is NULL). */
static char *good_with(const char *key, const char *value)
{
	json_t *j = json_loads(GOOD, 0, NULL);
	char *out;

	assert_non_null(j);
	if (value)
		assert_int_equal(json_object_set_new(j, key, json_loads(value, JSON_DECODE_ANY, NULL)), 0);
	else
		json_object_del(j, key);
	out = json_dumps(j, 0);
	json_decref(j);
	return out;
}

static void expect_refused(const char *key, const char *value, int code)
{
	struct overlay_subnet s;
	struct nr_error err = { 0 };
	char *text = good_with(key, value);

	assert_true(parse(text, &s, &err) < 0);
	if (err.code != code)
		fail_msg("%s = %s: code %d (%s), want %d", key, value ? value : "(absent)", err.code, err.msg, code);
	free(text);
}

static void test_good(void **state)
{
	struct overlay_subnet s;
	struct nr_error err = { 0 };
	char buf[IP_PREFIX_STRLEN];

	assert_int_equal(parse(GOOD, &s, &err), 0);
	assert_string_equal(ip_prefix_format(&s.network, buf, sizeof(buf)), "10.20.0.0/16");
	assert_string_equal(ip_prefix_format(&s.subnet, buf, sizeof(buf)), "10.20.3.0/24");
	assert_string_equal(ip_addr_format(&s.vtep, buf, sizeof(buf)), "192.0.2.11");
	assert_int_equal(s.mtu, 1450);
	assert_int_equal(s.vni, 42);
	assert_int_equal(s.port, OVERLAY_DEFAULT_PORT); /* absent: the default */
	assert_string_equal(s.device, "nv-0123456789ab");
	assert_string_equal(s.bridge, "nr-0123456789ab");
}

static void test_unknown_members_ignored(void **state)
{
	struct overlay_subnet s;
	struct nr_error err = { 0 };
	char *text = good_with("future", "{\"x\": [1, 2]}");

	assert_int_equal(parse(text, &s, &err), 0);
	free(text);
}

static void test_not_json(void **state)
{
	static const char *const bad[] = { "",
					   "{",
					   "[]",
					   "null",
					   "42",
					   "\"x\"",
					   "{\"network\": }",
					   GOOD "x",
					   "{\"network\": \"10.20.0.0/16\", \"network\": \"10.30.0.0/16\"}" };
	struct overlay_subnet s;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct nr_error err = { 0 };
		if (parse(bad[i], &s, &err) >= 0)
			fail_msg("accepted \"%s\"", bad[i]);
	}
	/* An integer jansson cannot hold. */
	{
		struct nr_error err = { 0 };
		assert_true(parse("{\"network\": \"10.20.0.0/16\", \"vni\": 99999999999999999999999}", &s, &err) < 0);
	}
	/* NULs inside the buffer: not a document. */
	{
		char buf[] = "{\"network\"\0: 1}";
		struct nr_error err = { 0 };
		assert_true(ovl_subnet_parse(buf, sizeof(buf) - 1, "x", &s, &err) < 0);
	}
}

static void test_wrong_types(void **state)
{
	expect_refused("network", "10", CNI_ERR_DECODE);
	expect_refused("subnet", "[\"10.20.3.0/24\"]", CNI_ERR_DECODE);
	expect_refused("mtu", "\"1450\"", CNI_ERR_DECODE);
	expect_refused("vni", "4.2", CNI_ERR_DECODE);
	expect_refused("vtep", "{}", CNI_ERR_DECODE);
	expect_refused("device", "true", CNI_ERR_DECODE);
}

static void test_missing(void **state)
{
	static const char *const keys[] = { "network", "subnet", "mtu", "vni", "vtep", "device", "bridge" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		expect_refused(keys[i], NULL, CNI_ERR_INVALID_CONFIG);
}

static void test_values(void **state)
{
	expect_refused("network", "\"10.20.0.0\"", CNI_ERR_INVALID_CONFIG);
	expect_refused("network", "\"10.20.0.1/16\"", CNI_ERR_INVALID_CONFIG); /* host bits */
	expect_refused("network", "\"fd00::/48\"", CNI_ERR_INVALID_CONFIG);    /* IPv4 only */
	expect_refused("network", "\"0.0.0.0/0\"", CNI_ERR_INVALID_CONFIG);    /* everything */
	expect_refused("subnet", "\"10.30.3.0/24\"", CNI_ERR_INVALID_CONFIG);  /* outside */
	expect_refused("subnet", "\"10.0.0.0/8\"", CNI_ERR_INVALID_CONFIG);    /* wider */
	expect_refused("subnet", "\"10.20.3.0/31\"", CNI_ERR_INVALID_CONFIG);  /* no room */
	expect_refused("subnet", "\"10.20.3.0/24 \"", CNI_ERR_INVALID_CONFIG);
	expect_refused("mtu", "0", CNI_ERR_INVALID_CONFIG);
	expect_refused("mtu", "65536", CNI_ERR_INVALID_CONFIG);
	expect_refused("mtu", "-1450", CNI_ERR_INVALID_CONFIG);
	expect_refused("vni", "16777216", CNI_ERR_INVALID_CONFIG);
	expect_refused("vni", "-1", CNI_ERR_INVALID_CONFIG);
	expect_refused("port", "0", CNI_ERR_INVALID_CONFIG);
	expect_refused("port", "65536", CNI_ERR_INVALID_CONFIG);
	expect_refused("vtep", "\"192.0.2.300\"", CNI_ERR_INVALID_CONFIG);
	expect_refused("vtep", "\"2001:db8::1\"", CNI_ERR_INVALID_CONFIG);
	expect_refused("device", "\"\"", CNI_ERR_INVALID_CONFIG);
	expect_refused("device", "\"nv-0123456789abc\"", CNI_ERR_INVALID_CONFIG); /* 16 characters */
	expect_refused("device", "\"../etc\"", CNI_ERR_INVALID_CONFIG);
	expect_refused("bridge", "\"..\"", CNI_ERR_INVALID_CONFIG);
	expect_refused("bridge", "\"a b\"", CNI_ERR_INVALID_CONFIG);
	expect_refused("bridge", "\"nv-0123456789ab\"", CNI_ERR_INVALID_CONFIG); /* the device's name */
}

static void test_write_read_remove(void **state)
{
	char dir[] = "/tmp/test_overlay_subnet.XXXXXX", sub[64], path[96];
	struct overlay_subnet s, back;
	struct nr_error err = { 0 };

	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/a/b", dir); /* parents made */
	assert_int_equal(parse(GOOD, &s, &err), 0);
	s.port = 8472;
	assert_int_equal(overlay_subnet_write(sub, &s, &err), 0);
	assert_int_equal(overlay_subnet_read(sub, &back, &err), 0);
	assert_memory_equal(&s, &back, sizeof(s));
	/* A lease that cannot be read back is not written. */
	back.subnet.len = 8;
	assert_true(overlay_subnet_write(sub, &back, &err) < 0);
	assert_int_equal(overlay_subnet_read(sub, &back, &err), 0);
	assert_int_equal(back.subnet.len, 24);
	assert_int_equal(overlay_subnet_remove(sub, &err), 0);
	assert_int_equal(overlay_subnet_remove(sub, &err), 0); /* gone: success */
	assert_int_equal(overlay_subnet_read(sub, &back, &err), -ENOENT);
	assert_int_equal(err.code, CNI_ERR_TRY_AGAIN);
	assert_non_null(strstr(err.msg, "agent"));
	snprintf(path, sizeof(path), "rm -r %s", dir);
	assert_int_equal(system(path), 0);
}

static void test_overlay_dir(void **state)
{
	struct nr_error err = { 0 };
	char buf[256];

	setenv("NETNS_RUN_STATE_DIR", "/x/state", 1);
	assert_int_equal(overlay_dir("net1", buf, sizeof(buf), &err), 0);
	assert_string_equal(buf, "/x/state/overlay/net1");
	unsetenv("NETNS_RUN_STATE_DIR");
	assert_int_equal(overlay_dir("net1", buf, sizeof(buf), &err), 0);
	assert_string_equal(buf, "/var/lib/netns-run/overlay/net1");
	assert_true(overlay_dir("../etc", buf, sizeof(buf), &err) < 0);
	assert_true(overlay_dir("", buf, sizeof(buf), &err) < 0);
	assert_true(overlay_dir("a/b", buf, sizeof(buf), &err) < 0);
	assert_true(overlay_dir("net1", buf, 8, &err) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_unknown_members_ignored),
		cmocka_unit_test(test_not_json),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_write_read_remove),
		cmocka_unit_test(test_overlay_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
