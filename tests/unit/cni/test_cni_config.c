/* cni_conf_parse and cni_conf_check_command. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cni/cni_config.h"

static int parse_str(const char *s, struct cni_conf *c, struct nr_error *err)
{
	memset(err, 0, sizeof(*err));
	return cni_conf_parse(s, strlen(s), c, err);
}

static void expect_conf_error(const char *s, int code)
{
	struct cni_conf c;
	struct nr_error err;

	memset(&c, 0, sizeof(c));
	assert_true(parse_str(s, &c, &err) < 0);
	assert_int_equal(err.code, code);
	assert_true(err.msg[0] != '\0');
	assert_null(c.root); /* nothing handed out on failure */
}

static void test_minimal_valid(void **state)
{
	struct cni_conf c;
	struct nr_error err;

	assert_int_equal(parse_str("{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"type\":\"bridge\"}", &c, &err), 0);
	assert_non_null(c.root);
	assert_string_equal(c.cni_version, "1.0.0");
	assert_int_equal(c.version.major, 1);
	assert_int_equal(c.version.minor, 0);
	assert_string_equal(c.name, "net1");
	assert_string_equal(c.type, "bridge");
	assert_null(c.ipam);
	assert_null(c.dns);
	assert_null(c.capabilities);
	assert_null(c.runtime_config);
	assert_null(c.args);
	assert_null(c.prev_result_json);
	assert_null(c.prev_result);
	cni_conf_release(&c);
	assert_null(c.root);
}

static void test_sections_and_passthrough(void **state)
{
	struct cni_conf c;
	struct nr_error err;
	const char *s = "{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"type\":\"bridge\","
			"\"ipam\":{\"type\":\"host-local\"},\"dns\":{},\"capabilities\":{\"portMappings\":true},"
			"\"runtimeConfig\":{\"x\":1},\"args\":{\"a\":1},\"bridge\":\"br0\",\"isGateway\":true}";

	assert_int_equal(parse_str(s, &c, &err), 0);
	assert_non_null(c.ipam);
	assert_string_equal(json_string_value(json_object_get(c.ipam, "type")), "host-local");
	assert_non_null(c.dns);
	assert_non_null(c.capabilities);
	assert_non_null(c.runtime_config);
	assert_non_null(c.args);
	assert_string_equal(json_string_value(json_object_get(c.root, "bridge")), "br0");
	assert_true(json_is_true(json_object_get(c.root, "isGateway")));
	cni_conf_release(&c);
}

static void test_version_errors(void **state)
{
	expect_conf_error("{\"name\":\"n\",\"type\":\"t\"}", CNI_ERR_INCOMPATIBLE_VERSION);
	expect_conf_error("{\"cniVersion\":null,\"name\":\"n\",\"type\":\"t\"}", CNI_ERR_INCOMPATIBLE_VERSION);
	expect_conf_error("{\"cniVersion\":\"0.2.0\",\"name\":\"n\",\"type\":\"t\"}", CNI_ERR_INCOMPATIBLE_VERSION);
	expect_conf_error("{\"cniVersion\":\"9.9.9\",\"name\":\"n\",\"type\":\"t\"}", CNI_ERR_INCOMPATIBLE_VERSION);
	expect_conf_error("{\"cniVersion\":\"1.0\",\"name\":\"n\",\"type\":\"t\"}", CNI_ERR_INCOMPATIBLE_VERSION);
	/* Wrong type is a decode error. */
	expect_conf_error("{\"cniVersion\":1,\"name\":\"n\",\"type\":\"t\"}", CNI_ERR_DECODE);
}

static void test_decode_errors(void **state)
{
	struct cni_conf c;
	struct nr_error err;

	expect_conf_error("{\"cniVersion\":\"1.0.0\",", CNI_ERR_DECODE);
	expect_conf_error("not json", CNI_ERR_DECODE);
	expect_conf_error("[1,2,3]", CNI_ERR_DECODE);
	expect_conf_error("42", CNI_ERR_DECODE);
	expect_conf_error("\"str\"", CNI_ERR_DECODE);
	expect_conf_error("null", CNI_ERR_DECODE);
	expect_conf_error("", CNI_ERR_DECODE);
	expect_conf_error("{\"cniVersion\":\"1.0.0\",\"name\":\"a\",\"name\":\"b\",\"type\":\"t\"}", CNI_ERR_DECODE);
	expect_conf_error("{\"cniVersion\":\"1.0.0\",\"name\":7,\"type\":\"t\"}", CNI_ERR_DECODE);
	expect_conf_error("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":[]}", CNI_ERR_DECODE);
	expect_conf_error("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\",\"ipam\":\"host-local\"}",
			  CNI_ERR_DECODE);
	expect_conf_error("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\",\"ipam\":[]}", CNI_ERR_DECODE);
	expect_conf_error("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\",\"ipam\":{\"type\":5}}",
			  CNI_ERR_DECODE);
	expect_conf_error("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\",\"dns\":1}", CNI_ERR_DECODE);
	expect_conf_error("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\",\"prevResult\":[]}", CNI_ERR_DECODE);

	/* Length, not NUL, bounds the input: a truncated length is malformed. */
	const char *s = "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\"}";
	memset(&err, 0, sizeof(err));
	assert_true(cni_conf_parse(s, strlen(s) - 1, &c, &err) < 0);
	assert_int_equal(err.code, CNI_ERR_DECODE);
}

static void test_oversized(void **state)
{
	size_t len = CNI_CONFIG_MAX_BYTES + 1;
	char *buf = malloc(len + 1);
	struct cni_conf c;
	struct nr_error err = { 0 };
	const char *head = "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\",\"pad\":\"";

	assert_non_null(buf);
	memset(buf, 'a', len);
	memcpy(buf, head, strlen(head));
	buf[len - 2] = '"';
	buf[len - 1] = '}';
	buf[len] = '\0';
	assert_true(cni_conf_parse(buf, len, &c, &err) < 0);
	assert_int_equal(err.code, CNI_ERR_DECODE);
	/* Exactly at the limit it is accepted. */
	memset(&err, 0, sizeof(err));
	memmove(buf + strlen(head), buf + strlen(head) + 1, len - strlen(head));
	assert_int_equal(cni_conf_parse(buf, len - 1, &c, &err), 0);
	cni_conf_release(&c);
	free(buf);
}

static void test_name_and_type_errors(void **state)
{
	expect_conf_error("{\"cniVersion\":\"1.0.0\",\"type\":\"t\"}", CNI_ERR_INVALID_CONFIG);
	expect_conf_error("{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}", CNI_ERR_INVALID_CONFIG);
	expect_conf_error("{\"cniVersion\":\"1.0.0\",\"name\":\"-bad\",\"type\":\"t\"}", CNI_ERR_INVALID_CONFIG);
	expect_conf_error("{\"cniVersion\":\"1.0.0\",\"name\":\"a b\",\"type\":\"t\"}", CNI_ERR_INVALID_CONFIG);
	expect_conf_error("{\"cniVersion\":\"1.0.0\",\"name\":\"\",\"type\":\"t\"}", CNI_ERR_INVALID_CONFIG);
	expect_conf_error("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"../bin/sh\"}", CNI_ERR_INVALID_CONFIG);
	expect_conf_error("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"a/b\"}", CNI_ERR_INVALID_CONFIG);
	expect_conf_error("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"\"}", CNI_ERR_INVALID_CONFIG);
	assert_true(cni_name_valid("a1_b.c-d"));
	assert_false(cni_name_valid("_x"));
}

static void test_prev_result(void **state)
{
	struct cni_conf c;
	struct nr_error err;
	const char *s = "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\",\"prevResult\":{"
			"\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\",\"sandbox\":\"/ns\"}],"
			"\"ips\":[{\"address\":\"10.1.0.5/24\",\"gateway\":\"10.1.0.1\",\"interface\":0}],"
			"\"routes\":[{\"dst\":\"0.0.0.0/0\"}],\"dns\":{\"nameservers\":[\"1.1.1.1\"]}}}";

	assert_int_equal(parse_str(s, &c, &err), 0);
	assert_non_null(c.prev_result_json);
	assert_non_null(c.prev_result);
	assert_int_equal(c.prev_result->n_ifaces, 1);
	assert_string_equal(c.prev_result->ifaces[0].name, "eth0");
	assert_int_equal(c.prev_result->n_ips, 1);
	assert_string_equal(c.prev_result->ips[0].address, "10.1.0.5/24");
	assert_string_equal(c.prev_result->ips[0].gateway, "10.1.0.1");
	assert_int_equal(c.prev_result->ips[0].iface, 0);
	assert_int_equal(c.prev_result->n_routes, 1);
	assert_int_equal(c.prev_result->dns.n_nameservers, 1);
	cni_conf_release(&c);

	expect_conf_error("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\",\"prevResult\":{"
			  "\"ips\":[{\"address\":\"10.1.0.5\"}]}}",
			  CNI_ERR_DECODE);
	expect_conf_error("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\",\"prevResult\":{"
			  "\"ips\":[{\"address\":\"nope/24\"}]}}",
			  CNI_ERR_DECODE);
}

static void test_deep_nesting(void **state)
{
	const size_t depth = 100000;
	const char *head = "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\",\"x\":";
	size_t hl = strlen(head);
	char *buf = malloc(hl + depth * 2 + 2);
	struct cni_conf c;
	struct nr_error err = { 0 };

	assert_non_null(buf);
	memcpy(buf, head, hl);
	memset(buf + hl, '[', depth);
	memset(buf + hl + depth, ']', depth);
	buf[hl + 2 * depth] = '}';
	buf[hl + 2 * depth + 1] = '\0';
	assert_true(cni_conf_parse(buf, hl + 2 * depth + 1, &c, &err) < 0);
	assert_int_equal(err.code, CNI_ERR_DECODE);

	/* Unterminated nesting too. */
	memset(&err, 0, sizeof(err));
	assert_true(cni_conf_parse(buf, hl + depth, &c, &err) < 0);
	assert_int_equal(err.code, CNI_ERR_DECODE);
	free(buf);
}

static void check_cmd(const char *version, enum cni_cmd cmd, bool ok)
{
	char s[256];
	struct cni_conf c;
	struct nr_error err;

	snprintf(s, sizeof(s), "{\"cniVersion\":\"%s\",\"name\":\"n\",\"type\":\"t\"}", version);
	assert_int_equal(parse_str(s, &c, &err), 0);
	memset(&err, 0, sizeof(err));
	if (ok) {
		assert_int_equal(cni_conf_check_command(&c, cmd, &err), 0);
	} else {
		assert_true(cni_conf_check_command(&c, cmd, &err) < 0);
		assert_int_equal(err.code, CNI_ERR_INCOMPATIBLE_VERSION);
		assert_non_null(strstr(err.msg, cni_cmd_name(cmd)));
	}
	cni_conf_release(&c);
}

static void test_check_command(void **state)
{
	check_cmd("0.3.0", CNI_CMD_CHECK, false);
	check_cmd("0.3.1", CNI_CMD_CHECK, false);
	check_cmd("0.4.0", CNI_CMD_CHECK, true);
	check_cmd("1.0.0", CNI_CMD_CHECK, true);
	check_cmd("1.0.0", CNI_CMD_STATUS, false);
	check_cmd("1.0.0", CNI_CMD_GC, false);
	check_cmd("0.4.0", CNI_CMD_GC, false);
	check_cmd("1.1.0", CNI_CMD_STATUS, true);
	check_cmd("1.1.0", CNI_CMD_GC, true);
	check_cmd("0.3.1", CNI_CMD_ADD, true);
	check_cmd("0.3.1", CNI_CMD_DEL, true);
	check_cmd("0.3.0", CNI_CMD_VERSION, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal_valid),  cmocka_unit_test(test_sections_and_passthrough),
		cmocka_unit_test(test_version_errors), cmocka_unit_test(test_decode_errors),
		cmocka_unit_test(test_oversized),      cmocka_unit_test(test_name_and_type_errors),
		cmocka_unit_test(test_prev_result),    cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_check_command),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
