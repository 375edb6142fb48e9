/* One attachment's pieces that need no kernel (engine/net_endpoint.c, etc.c; issue 17):
 * the capability args of its ADD (ips and mac as runtimeConfig, refused when no plugin
 * declares them), the record filled from a result, and /etc/hosts and resolv.conf for a
 * container on several networks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "engine/ctr.h"
#include "engine/net.h"
#include "engine/rt_error.h"

static struct cni_netconf *conf_of(const char *text)
{
	struct cni_netconf *c = NULL;

	assert_int_equal(cni_netconf_parse(text, strlen(text), "test", &c, NULL), 0);
	return c;
}

static const char *with_caps = "{\"cniVersion\":\"1.1.0\",\"name\":\"back\",\"plugins\":[{\"type\":\"bridge\","
			       "\"capabilities\":{\"ips\":true,\"mac\":true}},{\"type\":\"portmap\","
			       "\"capabilities\":{\"portMappings\":true}}]}";
static const char *without_caps = "{\"cniVersion\":\"1.1.0\",\"name\":\"hand\",\"plugins\":[{\"type\":\"bridge\"}]}";

static void test_caps(void **state)
{
	struct cni_netconf *c = conf_of(with_caps), *bare = conf_of(without_caps);
	struct ctr_network n = { 0 };
	struct nr_error err = { 0 };
	char *caps = NULL;

	(void)state;
	/* Nothing asked, nothing given: no capability args at all. */
	assert_int_equal(net_endpoint_caps(c, NULL, &n, &caps, &err), 0);
	assert_null(caps);
	/* The record's port mappings are kept; ips and mac are added. */
	n.ip = "10.1.0.5";
	n.ip6 = "fd00::5";
	n.mac = "02:42:ac:11:00:02";
	assert_int_equal(net_endpoint_caps(c, "{\"portMappings\":[{\"hostPort\":80}]}", &n, &caps, &err), 0);
	json_t *j = json_loads(caps, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_array_get(json_object_get(j, "ips"), 0)), "10.1.0.5");
	assert_string_equal(json_string_value(json_array_get(json_object_get(j, "ips"), 1)), "fd00::5");
	assert_string_equal(json_string_value(json_object_get(j, "mac")), "02:42:ac:11:00:02");
	assert_non_null(json_object_get(j, "portMappings"));
	json_decref(j);
	free(caps);
	caps = NULL;
	/* A conflist whose plugins would ignore the request: refused, naming the fix. */
	assert_true(net_endpoint_caps(bare, NULL, &n, &caps, &err) < 0);
	assert_int_equal(err.code, RT_ERR_USAGE);
	assert_non_null(strstr(err.msg, "\"ips\" capability"));
	n.ip = n.ip6 = NULL;
	assert_true(net_endpoint_caps(bare, NULL, &n, &caps, &err) < 0);
	assert_non_null(strstr(err.msg, "\"mac\""));
	assert_null(caps);
	cni_netconf_free(c);
	cni_netconf_free(bare);
}

/* An alias where no DNS answers is refused before any plugin runs. */
static void test_alias_without_dns(void **state)
{
	struct net_plan p = { 0 };
	struct ctr_network n = { 0 };
	struct nr_error err = { 0 };
	struct cni_result *res = NULL;
	char *al[] = { "db", NULL };

	(void)state;
	p.conf = conf_of(with_caps);
	snprintf(p.ifname, sizeof(p.ifname), "eth1");
	n.aliases = rt_strv_copy(al);
	assert_true(net_endpoint_add(&p, "0123", "/nonexistent", NULL, &n, &res, &err) < 0);
	assert_int_equal(err.code, RT_ERR_USAGE);
	assert_non_null(strstr(err.msg, "alias db on network back: the network has no DNS"));
	assert_null(res);
	ctr_network_clear(&n);
	net_plan_clear(&p);
}

static struct cni_result *result_two_ips(void)
{
	struct cni_result *r = cni_result_new();

	assert_non_null(r);
	assert_true(cni_result_add_iface(r, "nr1", "aa:aa:aa:aa:aa:aa", NULL) >= 0);
	assert_true(cni_result_add_iface(r, "veth1", "bb:bb:bb:bb:bb:bb", NULL) >= 0);
	assert_true(cni_result_add_iface(r, "eth1", "02:42:ac:11:00:02", "/run/netns/x") >= 0);
	assert_true(cni_result_add_ip(r, "10.1.0.5/24", "10.1.0.1", 2) >= 0);
	assert_true(cni_result_add_ip(r, "10.1.1.5/24", "10.1.0.1", 2) >= 0);
	assert_true(cni_result_add_ip(r, "fd00::5/64", "fd00::1", 2) >= 0);
	assert_true(cni_result_add_route(r, "0.0.0.0/0", NULL) >= 0);
	return r;
}

static void test_fill(void **state)
{
	struct cni_result *r = result_two_ips();
	struct ctr_network n = { 0 };

	(void)state;
	snprintf(n.ifname, sizeof(n.ifname), "eth1");
	assert_int_equal(net_endpoint_fill(&n, r), 0);
	assert_int_equal(rt_strv_len(n.addresses), 3);
	assert_string_equal(n.addresses[2], "fd00::5/64");
	/* Each gateway once: the responder listens on each. */
	assert_int_equal(rt_strv_len(n.gateways), 2);
	assert_string_equal(n.gateways[0], "10.1.0.1");
	assert_string_equal(n.gateways[1], "fd00::1");
	/* The container's interface (sandbox set), not the bridge's or the host veth's. */
	assert_string_equal(n.mac_addr, "02:42:ac:11:00:02");
	/* No result (host mode without its plugin): nothing, and no stale values. */
	assert_int_equal(net_endpoint_fill(&n, NULL), 0);
	assert_int_equal(rt_strv_len(n.addresses), 0);
	assert_null(n.gateways);
	assert_null(n.mac_addr);
	ctr_network_clear(&n);
	cni_result_free(r);
}

static char *slurp(const char *dir, const char *name)
{
	char path[256], *buf = calloc(1, 8192);
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "r"));
	fread(buf, 1, 8191, f);
	fclose(f);
	return buf;
}

static void test_etc(void **state)
{
	char dir[] = "/tmp/test_net_endpoint.XXXXXX", *hosts, *resolv;
	char *a0[] = { "10.88.0.2/16", NULL }, *a1[] = { "10.1.0.5/24", "fd00::5/64", NULL };
	char *g1[] = { "10.1.0.1", "fd00::1", NULL };
	struct ctr_record *rec = ctr_record_new();
	struct ctr_network *n;
	ino_t ino;
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	/* Before any ADD: the placeholder line. */
	assert_int_equal(etc_write(dir, "web", false, NULL, NULL, NULL), 0);
	hosts = slurp(dir, "hosts");
	assert_non_null(strstr(hosts, "127.0.1.1\tweb\n"));
	free(hosts);
	char path[300];
	snprintf(path, sizeof(path), "%s/hosts", dir);
	assert_int_equal(stat(path, &st), 0);
	ino = st.st_ino;

	rec->net.mode = CTR_NET_CNI;
	rec->net.addresses = rt_strv_copy(a0);
	assert_non_null(n = ctr_record_add_network(rec));
	n->addresses = rt_strv_copy(a1);
	n->gateways = rt_strv_copy(g1);
	/* No DNS-enabled attachment: the host's resolv.conf as before (no loopback). */
	assert_int_equal(etc_write(dir, "web", false, rec, NULL, NULL), 0);
	hosts = slurp(dir, "hosts");
	assert_non_null(strstr(hosts, "10.88.0.2\tweb\n10.1.0.5\tweb\nfd00::5\tweb\n"));
	assert_null(strstr(hosts, "127.0.1.1"));
	free(hosts);
	resolv = slurp(dir, "resolv.conf");
	assert_null(strstr(resolv, "nameserver 10.1.0.1"));
	assert_null(strstr(resolv, "nameserver 127."));
	free(resolv);
	/* A DNS-enabled attachment: its responders, nothing else as nameserver. */
	n->dns = true;
	assert_int_equal(etc_write(dir, "web", false, rec, NULL, NULL), 0);
	resolv = slurp(dir, "resolv.conf");
	assert_non_null(strstr(resolv, "nameserver 10.1.0.1\nnameserver fd00::1\n"));
	size_t count = 0;
	for (const char *p = resolv; (p = strstr(p, "nameserver")); p++)
		count++;
	assert_int_equal(count, 2);
	free(resolv);
	/* Rewritten in place: the container's bind mount holds this inode. */
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_ino == ino);
	ctr_record_free(rec);
	for (const char *f = "hostname"; f; f = !strcmp(f, "hostname") ? "hosts"
						: !strcmp(f, "hosts")  ? "resolv.conf"
								       : NULL) {
		snprintf(path, sizeof(path), "%s/%s", dir, f);
		unlink(path);
	}
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_alias_without_dns),
		cmocka_unit_test(test_fill),
		cmocka_unit_test(test_etc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
