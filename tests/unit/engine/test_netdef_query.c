/* Docker's network lookup and `network ls` filters (runtime/engine/netdef_query.c), shared
 * by the CLI and the daemon: a name before an id before a unique prefix, and filters
 * that OR within a key and AND across keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/json_field.h"
#include "cni/cni_chain.h"
#include "engine/netdef_list.h"
#include "engine/netdef_query.h"

#define ID_A       \
	"aaaa1111" \
	"00000000000000000000000000000000000000000000000000000000"
#define ID_B       \
	"aaaa2222" \
	"00000000000000000000000000000000000000000000000000000000"

static struct cni_netconf *ours(const char *name, const char *id, const char *labels)
{
	char text[2048];
	struct cni_netconf *c = NULL;
	struct nr_error err = { 0 };

	snprintf(text, sizeof(text),
		 "{\"cniVersion\":\"1.0.0\",\"name\":\"%s\",\"plugins\":[{\"type\":\"bridge\"}],"
		 "\"netns-run\":{\"id\":\"%s\",\"created\":\"2026-01-01T00:00:00Z\",\"driver\":\"bridge\","
		 "\"dns\":true,\"internal\":false,\"ipv6\":false,\"labels\":%s,\"options\":{}}}",
		 name, id, labels);
	if (cni_netconf_parse(text, strlen(text), name, &c, &err) < 0)
		fail_msg("parse: %s", err.msg);
	/* A file of ours, not a built-in. */
	c->path = strdup("/x.conflist");
	return c;
}

static void test_find(void **state)
{
	struct cni_netconf *v[3] = { ours("web", ID_A, "{}"), ours("db", ID_B, "{}"), ours(ID_B, ID_A, "{}") };

	/* a name first, even when it is another network's id */
	assert_ptr_equal(netdef_find(v, 3, ID_B), v[2]);
	assert_ptr_equal(netdef_find(v, 3, "web"), v[0]);
	/* a full id */
	assert_ptr_equal(netdef_find(v, 2, ID_B), v[1]);
	/* a unique prefix; an ambiguous one names nothing */
	assert_ptr_equal(netdef_find(v, 2, "aaaa2"), v[1]);
	assert_null(netdef_find(v, 2, "aaaa"));
	assert_null(netdef_find(v, 3, "nothing"));
	assert_null(netdef_find(v, 3, ""));
	for (int i = 0; i < 3; i++)
		cni_netconf_free(v[i]);
}

static bool match(const struct cni_netconf *c, const struct netdef_filter *f, size_t n)
{
	_cleanup_json_ json_t *net = netdef_inspect_json(c, NULL);

	assert_non_null(net);
	return netdef_filters_match(f, n, c, net);
}

static void test_filters(void **state)
{
	struct cni_netconf *c = ours("frontend", ID_A, "{\"tier\":\"web\",\"x\":\"\"}");
	const struct netdef_filter any_name[] = { { "name", "back" }, { "name", "front" } };
	const struct netdef_filter name_and_driver[] = { { "name", "front" }, { "driver", "macvlan" } };
	const struct netdef_filter label_kv[] = { { "label", "tier=web" } };
	const struct netdef_filter label_k[] = { { "label", "x" } };
	const struct netdef_filter label_bad[] = { { "label", "tier=db" } };
	const struct netdef_filter id_prefix[] = { { "id", "aaaa1" } };
	const struct netdef_filter custom[] = { { "type", "custom" } };
	const struct netdef_filter builtin[] = { { "type", "builtin" } };

	assert_true(match(c, NULL, 0));
	assert_true(match(c, any_name, 2));
	assert_false(match(c, name_and_driver, 2));
	assert_true(match(c, label_kv, 1));
	assert_true(match(c, label_k, 1));
	assert_false(match(c, label_bad, 1));
	assert_true(match(c, id_prefix, 1));
	assert_true(match(c, custom, 1));
	assert_false(match(c, builtin, 1));
	cni_netconf_free(c);
}

static void test_dangling(void **state)
{
	struct cni_netconf *c = ours("lonely", ID_A, "{}"), *used = ours("busy", ID_B, "{}");
	const struct netdef_filter yes[] = { { "dangling", "true" } }, no[] = { { "dangling", "false" } };
	_cleanup_json_ json_t *ctrs = json_pack("{s:{s:{s:s}}}", "busy", "abc", "Name", "web");
	_cleanup_json_ json_t *n1 = netdef_inspect_json(c, ctrs), *n2 = netdef_inspect_json(used, ctrs);

	assert_true(netdef_filters_match(yes, 1, c, n1));
	assert_false(netdef_filters_match(no, 1, c, n1));
	assert_false(netdef_filters_match(yes, 1, used, n2));
	assert_true(netdef_filters_match(no, 1, used, n2));
	cni_netconf_free(c);
	cni_netconf_free(used);
}

static void test_check(void **state)
{
	struct nr_error err = { 0 };

	assert_int_equal(netdef_filter_check("name", "x", &err), 0);
	assert_int_equal(netdef_filter_check("type", "builtin", &err), 0);
	assert_true(netdef_filter_check("type", "other", &err) < 0);
	assert_non_null(strstr(err.msg, "type=other"));
	assert_true(netdef_filter_check("dangling", "maybe", &err) < 0);
	assert_int_equal(netdef_filter_check("dangling", "1", &err), 0);
	assert_true(netdef_filter_check("color", "red", &err) < 0);
	assert_non_null(strstr(err.msg, "invalid filter 'color'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_dangling),
		cmocka_unit_test(test_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
