/* The firewall plugin's configuration, kernel-free: the reference's fields and their
 * types, ingressPolicy, the addresses and bridge taken from prevResult, and the codes of
 * what is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <sys/socket.h>

#include "firewall/fw.h"
#include "firewall/plugin_firewall.h"

#define PREV                                                                                                      \
	"\"prevResult\":{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"cni-podman0\"},{\"name\":\"eth0\"," \
	"\"sandbox\":\"/run/netns/x\"}],\"ips\":[{\"address\":\"10.88.0.2/16\",\"interface\":1},"                 \
	"{\"address\":\"fd00::2/64\",\"interface\":1}]}"

/* Parse text as ADD (need_bridge) or DEL would; returns the code (0: parsed). */
static int parse(const char *text, bool need_bridge, struct fw_conf *c)
{
	struct cni_conf conf = { 0 };
	struct nr_error err = { 0 };
	int r = cni_conf_parse(text, strlen(text), &conf, &err);

	if (r >= 0)
		r = fw_conf_fields(conf.root, conf.prev_result, "ctr", "eth0", need_bridge, c, &err);
	cni_conf_release(&conf);
	if (r < 0)
		assert_true(err.msg[0] != '\0');
	return r < 0 ? err.code : 0;
}

static void test_podman_entry(void **state)
{
	struct nft_fw_attach a;
	struct fw_conf c;

	assert_int_equal(parse("{\"cniVersion\":\"1.0.0\",\"name\":\"podman\",\"type\":\"firewall\",\"backend\":\"\"," PREV
			       "}",
			       true, &c),
			 0);
	fw_attach_of(&c, &a);
	assert_string_equal(a.owner, "ctr/eth0");
	assert_int_equal(a.n_addrs, 2);
	assert_int_equal(a.addrs[0].family, AF_INET);
	assert_int_equal(a.addrs[1].family, AF_INET6);
	assert_null(a.iso_bridge); /* open */
}

static void test_reference_fields(void **state)
{
	struct fw_conf c;

	/* Any backend string, as the reference falls back for any; unknown fields ignored. */
	assert_int_equal(parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"firewall\",\"backend\":\"nftables\","
			       "\"iptablesAdminChainName\":\"A\",\"firewalldZone\":\"trusted\",\"frob\":[]," PREV "}",
			       true, &c),
			 0);
	assert_int_equal(parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"firewall\",\"backend\":5}", true,
			       &c),
			 CNI_ERR_DECODE);
	assert_int_equal(parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"firewall\",\"firewalldZone\":{}}",
			       true, &c),
			 CNI_ERR_DECODE);
}

static void test_ingress_policy(void **state)
{
	struct nft_fw_attach a;
	struct fw_conf c;

	assert_int_equal(parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"firewall\",\"ingressPolicy\":\"same-"
			       "bridge\"," PREV "}",
			       true, &c),
			 0);
	fw_attach_of(&c, &a);
	assert_string_equal(a.iso_bridge, "cni-podman0");
	assert_int_equal(parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"firewall\",\"ingressPolicy\":\"open\"}",
			       true, &c),
			 0);
	assert_int_equal(c.ingress, FW_INGRESS_OPEN);
	assert_int_equal(parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"firewall\",\"ingressPolicy\":\"isolated\"}",
			       true, &c),
			 CNI_ERR_INVALID_CONFIG);
	assert_int_equal(parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"firewall\",\"ingressPolicy\":1}",
			       true, &c),
			 CNI_ERR_DECODE);
	/* same-bridge without a bridge in prevResult: ADD refuses, DEL and CHECK go on. */
	assert_int_equal(parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"firewall\",\"ingressPolicy\":\"same-"
			       "bridge\"}",
			       true, &c),
			 CNI_ERR_INVALID_CONFIG);
	assert_int_equal(parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"firewall\",\"ingressPolicy\":\"same-"
			       "bridge\"}",
			       false, &c),
			 0);
	fw_attach_of(&c, &a);
	assert_null(a.iso_bridge);
}

static void test_ops_table(void **state)
{
	assert_non_null(firewall_plugin_ops.add);
	assert_non_null(firewall_plugin_ops.gc);
	assert_non_null(firewall_plugin_ops.host);
	assert_non_null(firewall_plugin_ops.host->reapply);
	assert_non_null(firewall_plugin_ops.host->forget_network);
	assert_null(firewall_plugin_ops.host->object);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_podman_entry),
		cmocka_unit_test(test_reference_fields),
		cmocka_unit_test(test_ingress_policy),
		cmocka_unit_test(test_ops_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
