/* The plugins' host maintenance as the runtime reaches it, kernel-free: the built-in
 * table's walk over a chain (cni_builtin_host_each) and the bridge's host object, read
 * with the plugin's own parser and defaults. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "bridge/plugin_bridge.h"
#include "cni/cni_builtin.h"
#include "cni/cni_chain.h"
#include "portmap/plugin_portmap.h"

static const struct cni_builtin table[] = {
	{ "bridge", &bridge_plugin_ops, false, NULL },
	{ "portmap", &portmap_plugin_ops, false, NULL },
	{ NULL, NULL, false, NULL },
};

static struct cni_netconf *chain(const char *text)
{
	struct cni_netconf *n = NULL;
	struct nr_error err = { 0 };

	assert_int_equal(cni_netconf_parse(text, strlen(text), "test", &n, &err), 0);
	return n;
}

/* "i:type" per plugin visited, into a string. */
static int visit(size_t i, json_t *plugin, const struct cni_builtin *b, void *data, struct nr_error *err)
{
	char *seen = data;

	snprintf(seen + strlen(seen), 64, "%zu:%s ", i, b->type);
	return 0;
}

static int stop_at_first(size_t i, json_t *plugin, const struct cni_builtin *b, void *data, struct nr_error *err)
{
	++*(int *)data;
	return 7;
}

static void test_walk_visits_only_plugins_with_host_ops(void **state)
{
	struct cni_netconf *n = chain(
		"{\"cniVersion\":\"1.0.0\",\"name\":\"w\",\"plugins\":["
		"{\"type\":\"loopback\"},{\"type\":\"bridge\"},{\"type\":\"macvlan\"},"
		"{\"type\":\"portmap\"},{\"type\":\"Bridge\"},{\"type\":\"bridge\",\"bridge\":\"x\"}]}");
	char seen[256] = "";
	int calls = 0;

	assert_int_equal(cni_builtin_host_each(table, n, visit, seen, NULL), 0);
	assert_string_equal(seen, "1:bridge 3:portmap 5:bridge ");
	/* A non-zero return stops the walk and is returned. */
	assert_int_equal(cni_builtin_host_each(table, n, stop_at_first, &calls, NULL), 7);
	assert_int_equal(calls, 1);
	cni_netconf_free(n);
}

static int object_of(const char *plugin, char *buf, size_t len)
{
	json_t *o = json_loads(plugin, 0, NULL);
	int r;

	assert_non_null(o);
	r = bridge_plugin_ops.host->object(o, buf, len);
	json_decref(o);
	return r;
}

static void test_bridge_object(void **state)
{
	char buf[32];

	assert_int_equal(object_of("{\"type\":\"bridge\"}", buf, sizeof(buf)), 1);
	assert_string_equal(buf, "cni0"); /* the plugin's default */
	assert_int_equal(object_of("{\"type\":\"bridge\",\"bridge\":\"nr7\"}", buf, sizeof(buf)), 1);
	assert_string_equal(buf, "nr7");
	/* Names the plugin refuses never made a bridge. */
	assert_int_equal(object_of("{\"type\":\"bridge\",\"bridge\":\"\"}", buf, sizeof(buf)), 0);
	assert_int_equal(object_of("{\"type\":\"bridge\",\"bridge\":5}", buf, sizeof(buf)), 0);
	assert_int_equal(object_of("{\"type\":\"bridge\",\"bridge\":\"a/b\"}", buf, sizeof(buf)), 0);
	assert_int_equal(object_of("{\"type\":\"bridge\",\"bridge\":\"abcdefghijklmnopq\"}", buf, sizeof(buf)), 0);
}

static void test_ops_tables(void **state)
{
	/* What the runtime relies on: the bridge has every operation, portmap no object. */
	assert_non_null(bridge_plugin_ops.host);
	assert_non_null(bridge_plugin_ops.host->object);
	assert_non_null(bridge_plugin_ops.host->reapply);
	assert_non_null(bridge_plugin_ops.host->remove);
	assert_non_null(bridge_plugin_ops.host->forget_network);
	assert_non_null(portmap_plugin_ops.host);
	assert_null(portmap_plugin_ops.host->object);
	assert_null(portmap_plugin_ops.host->remove);
	assert_non_null(portmap_plugin_ops.host->reapply);
	assert_non_null(portmap_plugin_ops.host->forget_network);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk_visits_only_plugins_with_host_ops),
		cmocka_unit_test(test_bridge_object),
		cmocka_unit_test(test_ops_tables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
