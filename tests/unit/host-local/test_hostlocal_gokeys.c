/* host-local's config as Go runtimes send it (docs/go-clients.md): go-cni's flat,
 * Go-cased ipRanges; and DEL reading only what releasing needs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <sys/socket.h>

#include "host-local/config.h"

static int load(const char *s, enum cni_cmd cmd, struct cni_plugin_ctx *ctx, struct hl_conf *c, struct nr_error *err)
{
	int r;

	memset(ctx, 0, sizeof(*ctx));
	ctx->env.cmd = cmd;
	if ((r = cni_conf_parse_for(s, strlen(s), cmd, &ctx->conf, err)) < 0)
		return r;
	memset(c, 0, sizeof(*c));
	return hl_conf_load(ctx, c, err);
}

static void test_flat_go_cased_ranges(void **state)
{
	const char *s =
		"{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"bridge\",\"ipam\":{\"type\":\"host-local\"},"
		"\"runtimeConfig\":{\"ipRanges\":[{\"Subnet\":\"192.0.2.0/24\",\"RangeStart\":\"192.0.2.50\","
		"\"RangeEnd\":\"192.0.2.60\",\"Gateway\":\"192.0.2.1\"},[{\"subnet\":\"2001:db8::/64\"}]]}}";
	struct cni_plugin_ctx ctx;
	struct nr_error err = { 0 };
	struct ip_addr a;
	struct hl_conf c;

	assert_int_equal(load(s, CNI_CMD_ADD, &ctx, &c, &err), 0);
	assert_int_equal(c.n_sets, 2);
	assert_int_equal(c.sets[0].n, 1);
	assert_int_equal(ip_addr_parse("192.0.2.50", &a), 0);
	assert_true(ip_addr_equal(&c.sets[0].r[0].start, &a));
	assert_int_equal(ip_addr_parse("192.0.2.60", &a), 0);
	assert_true(ip_addr_equal(&c.sets[0].r[0].end, &a));
	assert_int_equal(ip_addr_parse("192.0.2.1", &a), 0);
	assert_true(ip_addr_equal(&c.sets[0].r[0].gw, &a));
	assert_int_equal(c.sets[1].r[0].start.family, AF_INET6);
	hl_conf_release(&c);
	cni_conf_release(&ctx.conf);
}

/* ipam.ranges keeps the reference's nested form: a bare range there is refused. */
static void test_ipam_ranges_stay_nested(void **state)
{
	const char *s =
		"{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"bridge\",\"ipam\":{\"type\":\"host-local\","
		"\"ranges\":[{\"subnet\":\"192.0.2.0/24\"}]}}";
	struct cni_plugin_ctx ctx;
	struct nr_error err = { 0 };
	struct hl_conf c;

	assert_true(load(s, CNI_CMD_ADD, &ctx, &c, &err) < 0);
	hl_conf_release(&c);
	cni_conf_release(&ctx.conf);
}

/* DEL needs name and dataDir only: garbage ranges, ips and routes do not fail it. */
static void test_del_reads_only_the_store(void **state)
{
	const char *s =
		"{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"bridge\",\"ipam\":{\"type\":\"host-local\","
		"\"DataDir\":\"/tmp/hl-x\",\"ranges\":\"garbage\",\"routes\":[7]},"
		"\"runtimeConfig\":{\"ipRanges\":\"garbage\",\"ips\":[\"not-an-ip\"]}}";
	struct cni_plugin_ctx ctx;
	struct nr_error err = { 0 };
	struct hl_conf c;

	assert_int_equal(load(s, CNI_CMD_DEL, &ctx, &c, &err), 0);
	assert_string_equal(c.data_dir, "/tmp/hl-x");
	assert_string_equal(c.name, "n");
	hl_conf_release(&c);
	cni_conf_release(&ctx.conf);
	assert_true(load(s, CNI_CMD_ADD, &ctx, &c, &err) < 0);
	hl_conf_release(&c);
	cni_conf_release(&ctx.conf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flat_go_cased_ranges),
		cmocka_unit_test(test_ipam_ranges_stay_nested),
		cmocka_unit_test(test_del_reads_only_the_store),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
