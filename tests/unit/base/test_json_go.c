/* json_get_go / json_key_go_equal: keys matched as Go's encoding/json matches them to a
 * struct field (docs/go-clients.md), and the jfield getters and jfield_reject_unknown on
 * top of them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <sys/socket.h>

#include "base/json_field.h"
#include "cni/cni_chain.h"
#include "cni/cni_config.h"
#include "portmap/portmap_args.h"

static json_t *load(const char *s)
{
	json_error_t e;
	json_t *o = json_loads(s, 0, &e);

	assert_non_null(o);
	return o;
}

static void test_key_equal(void **state)
{
	assert_true(json_key_go_equal("hostPort", "hostPort"));
	assert_true(json_key_go_equal("hostPort", "HostPort"));
	assert_true(json_key_go_equal("hostPort", "HOSTPORT"));
	assert_true(json_key_go_equal("hostPort", "hostport"));
	assert_true(json_key_go_equal("hostIP", "HostIP"));
	assert_true(json_key_go_equal("ipv4", "IPV4"));
	/* Go's two non-ASCII folds onto ASCII letters: U+017F long s, U+212A Kelvin sign. */
	assert_true(json_key_go_equal("hostPort", "ho\xc5\xbftPort"));
	assert_true(json_key_go_equal("masks", "MASK\xc5\xbf"));
	assert_true(json_key_go_equal("kind", "\xe2\x84\xaaind"));
	assert_false(json_key_go_equal("kind", "\xe2\x84\xaa"));
	assert_false(json_key_go_equal("hostPort", "ho\xc5\xbf"));
	/* ...and nothing else: not for other letters, not a prefix, not a longer key. */
	assert_false(json_key_go_equal("mac", "m\xc5\xbf"
					      "c"));
	assert_false(json_key_go_equal("hostPort", "hostPorts"));
	assert_false(json_key_go_equal("hostPort", "hostPor"));
	assert_false(json_key_go_equal("hostPort", "host_port"));
	assert_false(json_key_go_equal("hostPort", ""));
	assert_false(json_key_go_equal("", "x"));
	assert_true(json_key_go_equal("", ""));
	/* Only letters fold: '@' is not '`', '[' is not '{', digits are themselves. */
	assert_false(json_key_go_equal("a[", "A{"));
	assert_false(json_key_go_equal("@", "`"));
	assert_false(json_key_go_equal("ipv4", "ipv6"));
	/* Non-ASCII letters never fold onto ASCII ones (é vs e). */
	assert_false(json_key_go_equal("e", "\xc3\xa9"));
	assert_true(json_key_go_equal("cni.dev/valid-attachments", "CNI.dev/Valid-Attachments"));
}

static void test_get_go(void **state)
{
	json_t *o = load("{\"HostPort\": 8080, \"containerport\": 80, \"Protocol\": \"tcp\", \"HostIP\": \"\"}");

	assert_int_equal(json_integer_value(json_get_go(o, "hostPort")), 8080);
	assert_int_equal(json_integer_value(json_get_go(o, "containerPort")), 80);
	assert_string_equal(json_string_value(json_get_go(o, "protocol")), "tcp");
	assert_string_equal(json_string_value(json_get_go(o, "hostIP")), "");
	assert_null(json_get_go(o, "host"));
	assert_null(json_get_go(NULL, "hostPort"));
	json_decref(o);

	/* Several keys for one field: Go decodes each in document order, the last one wins,
	 * exact or folded; a null is skipped. */
	o = load("{\"hostPort\": 1, \"HostPort\": 2}");
	assert_int_equal(json_integer_value(json_get_go(o, "hostPort")), 2);
	json_decref(o);
	o = load("{\"HostPort\": 2, \"hostPort\": 1, \"HOSTPORT\": null}");
	assert_int_equal(json_integer_value(json_get_go(o, "hostPort")), 1);
	json_decref(o);
	o = load("{\"hostPort\": null}");
	assert_null(json_get_go(o, "hostPort"));
	json_decref(o);
	/* Not an object: nothing. */
	o = load("[1, 2]");
	assert_null(json_get_go(o, "hostPort"));
	json_decref(o);
}

static void test_jfield_folds(void **state)
{
	json_t *o = load("{\"IsGateway\": true, \"MTU\": 1400, \"Bridge\": \"br9\", \"IPAM\": {}, \"Ranges\": []}");
	static const char *const known[] = { "isGateway", "mtu", "bridge", "ipam", "ranges", NULL };
	struct nr_error err = { 0 };
	const char *s = NULL;
	long long mtu = 0;
	json_t *x = NULL;
	bool b = false;

	assert_int_equal(jfield_bool(o, "isGateway", "t", &b, &err), 0);
	assert_true(b);
	assert_int_equal(jfield_int(o, "mtu", "t", 0, 65535, &mtu, &err), 0);
	assert_int_equal(mtu, 1400);
	assert_int_equal(jfield_string(o, "bridge", "t", true, &s, &err), 0);
	assert_string_equal(s, "br9");
	assert_int_equal(jfield_object(o, "ipam", "t", true, &x, &err), 0);
	assert_non_null(x);
	assert_int_equal(jfield_array(o, "ranges", "t", &x, &err), 0);
	assert_true(json_is_array(x));
	assert_int_equal(jfield_reject_unknown(o, known, "t", &err), 0);
	json_decref(o);
}

/* containerd's port mappings, exactly as go-cni marshals its untagged PortMapping. */
static void test_portmap_go_cased(void **state)
{
	json_t *l = load("[{\"HostPort\":8080,\"ContainerPort\":80,\"Protocol\":\"tcp\",\"HostIP\":\"\"},"
			 "{\"HostPort\":5353,\"ContainerPort\":53,\"Protocol\":\"udp\",\"HostIP\":\"192.0.2.1\"}]");
	struct pm_map maps[NFT_PORTMAP_MAX];
	struct nr_error err = { 0 };
	size_t n = 0;

	assert_int_equal(pm_maps_parse(l, maps, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(maps[0].host_port, 8080);
	assert_int_equal(maps[0].ctr_port, 80);
	assert_int_equal(maps[0].host_ip.family, 0);
	assert_int_equal(maps[1].host_port, 5353);
	assert_int_equal(maps[1].host_ip.family, AF_INET);
	json_decref(l);
}

static const char *const conf_garbage =
	"{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"portmap\",\"runtimeConfig\":\"garbage\","
	"\"args\":7,\"prevResult\":{\"ips\":\"garbage\"}}";

/* DEL drops a malformed runtimeConfig, args or prevResult; ADD refuses them. */
static void test_conf_del_lenient(void **state)
{
	struct cni_conf c = { 0 };
	struct nr_error err = { 0 };

	assert_true(cni_conf_parse_for(conf_garbage, strlen(conf_garbage), CNI_CMD_ADD, &c, &err) < 0);
	assert_int_equal(err.code, CNI_ERR_DECODE);
	nr_error_clear(&err);
	assert_true(cni_conf_parse(conf_garbage, strlen(conf_garbage), &c, &err) < 0);
	nr_error_clear(&err);
	assert_int_equal(cni_conf_parse_for(conf_garbage, strlen(conf_garbage), CNI_CMD_DEL, &c, &err), 0);
	assert_null(c.runtime_config);
	assert_null(c.args);
	assert_null(c.prev_result);
	assert_string_equal(c.name, "n");
	cni_conf_release(&c);
	/* What DEL does need stays required. */
	assert_true(cni_conf_parse_for("{\"cniVersion\":\"1.0.0\",\"type\":\"x\"}", 33, CNI_CMD_DEL, &c, &err) < 0);
}

/* The network configuration's own fields fold too, as libcni's and skel's Go structs. */
static void test_conf_go_cased(void **state)
{
	const char *s =
		"{\"CNIVersion\":\"1.0.0\",\"Name\":\"n\",\"Type\":\"bridge\",\"RuntimeConfig\":{\"mac\":\"x\"}}";
	struct cni_conf c = { 0 };
	struct nr_error err = { 0 };

	assert_int_equal(cni_conf_parse(s, strlen(s), &c, &err), 0);
	assert_string_equal(c.cni_version, "1.0.0");
	assert_string_equal(c.type, "bridge");
	assert_non_null(c.runtime_config);
	cni_conf_release(&c);
}

/* The runtime's conflist loader reads a plugin's type as libcni does (types.NetConf). */
static void test_netconf_plugin_type(void **state)
{
	const char *s = "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"Type\":\"bridge\"}]}";
	struct cni_netconf *n = NULL;
	struct nr_error err = { 0 };

	assert_int_equal(cni_netconf_parse(s, strlen(s), "t", &n, &err), 0);
	cni_netconf_free(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_equal),           cmocka_unit_test(test_get_go),
		cmocka_unit_test(test_jfield_folds),        cmocka_unit_test(test_portmap_go_cased),
		cmocka_unit_test(test_conf_del_lenient),    cmocka_unit_test(test_conf_go_cased),
		cmocka_unit_test(test_netconf_plugin_type),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
