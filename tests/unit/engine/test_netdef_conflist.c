/* The conflist `network create` writes (runtime/engine/netdef_conflist.c) and the
 * metadata read back from it (netdef_meta.c): the layout netdef.h fixes, parsed back
 * the way every command reads it; and what is read from a hand-written conflist. */
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
#include "engine/netdef_plan.h"

#define ID "3fa2c1d4e5b60718293a4b5c6d7e8f90112233445566778899aabbccddeeff00"
#define CREATED "2026-01-02T03:04:05.000000006Z"

static struct netdef_env env0;

/* Plan o, write its conflist, parse it back as a network. */
static struct cni_netconf *make(const struct netdef_opts *o)
{
	struct netdef_plan p;
	struct nr_error err = { 0 };
	struct cni_netconf *conf = NULL;

	if (netdef_plan_make(o, &env0, ID, CREATED, &p, &err) < 0)
		fail_msg("plan: %s", err.msg);
	_cleanup_json_ json_t *list = netdef_conflist(&p, o, true);
	assert_non_null(list);
	_cleanup_free_ char *text = json_dumps(list, 0);
	if (cni_netconf_parse(text, strlen(text), "test", &conf, &err) < 0)
		fail_msg("parse: %s", err.msg);
	return conf;
}

static json_t *at(json_t *j, const char *path)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); j && k; k = strtok_r(NULL, ".", &save))
		j = (*k >= '0' && *k <= '9') ? json_array_get(j, (size_t)atoi(k)) : json_object_get(j, k);
	return j;
}

static const char *str(json_t *j, const char *path)
{
	return json_string_value(at(j, path));
}

static void test_default(void **state)
{
	struct netdef_opts o = { .name = "front" };
	struct cni_netconf *c = make(&o);
	json_t *l = c->list;

	assert_string_equal(c->name, "front");
	assert_int_equal(json_array_size(at(l, "plugins")), 2);
	assert_string_equal(str(l, "plugins.0.type"), "bridge");
	assert_string_equal(str(l, "plugins.0.bridge"), "nr-3fa2c1d4e5b6");
	assert_true(json_is_true(at(l, "plugins.0.isGateway")));
	assert_true(json_is_true(at(l, "plugins.0.ipMasq")));
	assert_true(json_is_true(at(l, "plugins.0.capabilities.mac")));
	assert_true(json_is_true(at(l, "plugins.0.capabilities.ips")));
	assert_null(at(l, "plugins.0.icc"));
	assert_null(at(l, "plugins.0.internal"));
	assert_null(at(l, "plugins.0.mtu"));
	assert_string_equal(str(l, "plugins.0.ipam.type"), "host-local");
	assert_string_equal(str(l, "plugins.0.ipam.ranges.0.0.subnet"), "172.17.0.0/16");
	assert_string_equal(str(l, "plugins.0.ipam.ranges.0.0.gateway"), "172.17.0.1");
	assert_null(at(l, "plugins.0.ipam.ranges.0.0.rangeStart"));
	assert_int_equal(json_array_size(at(l, "plugins.0.ipam.routes")), 1);
	assert_string_equal(str(l, "plugins.0.ipam.routes.0.dst"), "0.0.0.0/0");
	assert_string_equal(str(l, "plugins.1.type"), "portmap");
	assert_true(json_is_true(at(l, "plugins.1.capabilities.portMappings")));
	/* The metadata, under its fixed key, read back as every command reads it. */
	assert_string_equal(str(l, "netns-run.driver"), "bridge");
	struct netdef_meta m;
	netdef_meta_get(c, &m);
	assert_true(m.ours);
	assert_true(m.dns);
	assert_false(m.internal);
	assert_false(m.ipv6);
	assert_string_equal(m.id, ID);
	assert_string_equal(m.created, CREATED);
	assert_string_equal(m.driver, "bridge");
	cni_netconf_free(c);
}

static void test_everything(void **state)
{
	struct netdef_opts o = {
		.name = "back",
		.subnets = { { "10.10.0.0/24", "10.10.0.254", "10.10.0.128/25" }, { "fd00:1::/64" } },
		.n_subnets = 2,
		.ipv6 = true,
		.opts = { "com.docker.network.bridge.enable_icc=false", "com.docker.network.driver.mtu=1400",
			  "com.example.x=y" },
		.n_opts = 3,
		.labels = { "team=db", "flag", "team=web" },
		.n_labels = 3,
	};
	struct cni_netconf *c = make(&o);
	json_t *l = c->list;

	assert_int_equal(json_array_size(at(l, "plugins.0.ipam.ranges")), 2); /* one range set per subnet */
	assert_string_equal(str(l, "plugins.0.ipam.ranges.0.0.rangeStart"), "10.10.0.128");
	assert_string_equal(str(l, "plugins.0.ipam.ranges.0.0.rangeEnd"), "10.10.0.254");
	assert_string_equal(str(l, "plugins.0.ipam.ranges.0.0.gateway"), "10.10.0.254");
	assert_string_equal(str(l, "plugins.0.ipam.ranges.1.0.subnet"), "fd00:1::/64");
	assert_string_equal(str(l, "plugins.0.ipam.ranges.1.0.gateway"), "fd00:1::1");
	assert_int_equal(json_array_size(at(l, "plugins.0.ipam.routes")), 2);
	assert_string_equal(str(l, "plugins.0.ipam.routes.1.dst"), "::/0");
	assert_true(json_is_false(at(l, "plugins.0.icc")));
	assert_int_equal(json_integer_value(at(l, "plugins.0.mtu")), 1400);
	assert_true(json_is_true(at(l, "netns-run.ipv6")));
	/* Every --opt as given; labels as a map, the last of one key winning. */
	assert_string_equal(json_string_value(
				    json_object_get(at(l, "netns-run.options"), "com.docker.network.driver.mtu")),
			    "1400");
	assert_string_equal(json_string_value(json_object_get(at(l, "netns-run.options"), "com.example.x")), "y");
	assert_string_equal(str(l, "netns-run.labels.team"), "web");
	assert_string_equal(str(l, "netns-run.labels.flag"), "");
	struct ip_prefix subs[4];
	assert_int_equal(netdef_conf_subnets(c, subs, 4), 2);
	cni_netconf_free(c);
}

static void test_internal(void **state)
{
	struct netdef_opts o = { .name = "priv",
				 .internal = true,
				 .opts = { "com.docker.network.bridge.enable_ip_masquerade=true" },
				 .n_opts = 1 };
	struct cni_netconf *c = make(&o);
	json_t *l = c->list;
	struct netdef_meta m;

	assert_true(json_is_true(at(l, "plugins.0.internal")));
	assert_true(json_is_false(at(l, "plugins.0.ipMasq")));   /* internal wins over the option */
	assert_true(json_is_true(at(l, "plugins.0.isGateway"))); /* the DNS responder listens on the gateway */
	assert_int_equal(json_array_size(at(l, "plugins.0.ipam.routes")), 0);
	netdef_meta_get(c, &m);
	assert_true(m.internal);
	cni_netconf_free(c);
}

static struct cni_netconf *parse(const char *text)
{
	struct cni_netconf *c = NULL;
	struct nr_error err = { 0 };

	if (cni_netconf_parse(text, strlen(text), "test", &c, &err) < 0)
		fail_msg("parse: %s", err.msg);
	return c;
}

static void test_hand_written(void **state)
{
	struct cni_netconf *c = parse(
		"{\"cniVersion\": \"1.0.0\", \"name\": \"mynet\", \"plugins\": [{\"type\": \"bridge\", \"bridge\": \"nr9\","
		" \"ipam\": {\"type\": \"host-local\", \"ranges\": [[{\"subnet\": \"10.77.0.0/24\"}, {\"subnet\": \"10.78.0.0/24\"}]]}},"
		" {\"type\": \"macvlan\", \"ipam\": {\"type\": \"host-local\", \"subnet\": \"10.79.0.5/16\"}}]}");
	struct netdef_meta m, m2;
	struct ip_prefix subs[8];
	char buf[IP_PREFIX_STRLEN];

	netdef_meta_get(c, &m);
	assert_false(m.ours);
	assert_false(m.dns); /* never DNS-enabled */
	assert_string_equal(m.created, "");
	/* sha256("mynet"): stable from one command to the next. */
	assert_string_equal(m.id, "11c844f95e2862126712e209cd3acbc68c137931c639633da9dfc17b3a464bde");
	netdef_meta_get(c, &m2);
	assert_string_equal(m.id, m2.id);
	assert_int_equal(netdef_conf_subnets(c, subs, 8), 3);
	assert_string_equal(ip_prefix_format(&subs[2], buf, sizeof(buf)), "10.79.0.0/16");
	assert_int_equal(netdef_conf_subnets(c, subs, 1), 1); /* bounded */
	cni_netconf_free(c);
	/* Metadata that is not ours (no 64-hex id) is a hand-written network too. */
	c = parse("{\"cniVersion\": \"1.0.0\", \"name\": \"odd\", \"netns-run\": {\"id\": \"short\"},"
		  " \"plugins\": [{\"type\": \"bridge\"}]}");
	netdef_meta_get(c, &m);
	assert_false(m.ours);
	cni_netconf_free(c);
}

/* `network inspect`'s shape (Docker's NetworkResource) for a network of ours. */
static void test_inspect_ours(void **state)
{
	struct netdef_opts o = {
		.name = "back",
		.subnets = { { "10.10.0.0/24", "10.10.0.254", "10.10.0.128/25" } },
		.n_subnets = 1,
		.opts = { "com.docker.network.bridge.name=br-back" },
		.n_opts = 1,
		.labels = { "team=db" },
		.n_labels = 1,
	};
	struct cni_netconf *c = make(&o);
	_cleanup_json_ json_t *ctrs = json_pack("{s:{s:{s:s}}}", "back", "c0ffee", "Name", "web");
	_cleanup_json_ json_t *j = netdef_inspect_json(c, ctrs);

	assert_non_null(j);
	assert_string_equal(str(j, "Name"), "back");
	assert_string_equal(str(j, "Id"), ID);
	assert_string_equal(str(j, "Created"), CREATED);
	assert_string_equal(str(j, "Scope"), "local");
	assert_string_equal(str(j, "Driver"), "bridge");
	assert_true(json_is_false(at(j, "EnableIPv6")));
	assert_string_equal(str(j, "IPAM.Driver"), "default");
	assert_int_equal(json_object_size(at(j, "IPAM.Options")), 0);
	assert_int_equal(json_array_size(at(j, "IPAM.Config")), 1);
	assert_string_equal(str(j, "IPAM.Config.0.Subnet"), "10.10.0.0/24");
	assert_string_equal(str(j, "IPAM.Config.0.Gateway"), "10.10.0.254");
	assert_string_equal(str(j, "IPAM.Config.0.IPRange"), "10.10.0.128/25"); /* given back from rangeStart/End */
	assert_true(json_is_false(at(j, "Internal")));
	assert_true(json_is_false(at(j, "Attachable")));
	assert_true(json_is_false(at(j, "Ingress")));
	assert_string_equal(str(j, "ConfigFrom.Network"), "");
	assert_true(json_is_false(at(j, "ConfigOnly")));
	assert_string_equal(str(j, "Containers.c0ffee.Name"), "web");
	assert_string_equal(json_string_value(json_object_get(at(j, "Options"), "com.docker.network.bridge.name")),
			    "br-back");
	assert_string_equal(str(j, "Labels.team"), "db");
	assert_int_equal(json_object_size(j), 15);
	cni_netconf_free(c);
}

/* Hand-written and built-in networks: what can be read from the conflist. */
static void test_inspect_others(void **state)
{
	struct cni_netconf *c = parse(
		"{\"cniVersion\": \"1.0.0\", \"name\": \"mynet\", \"plugins\": [{\"type\": \"bridge\", \"bridge\": \"nr9\","
		" \"internal\": true, \"ipam\": {\"type\": \"host-local\", \"ranges\": [[{\"subnet\": \"fd00:9::/64\","
		" \"rangeStart\": \"fd00:9::10\", \"rangeEnd\": \"fd00:9::20\"}]]}}]}");
	_cleanup_json_ json_t *j = netdef_inspect_json(c, NULL);

	assert_string_equal(str(j, "Id"), "11c844f95e2862126712e209cd3acbc68c137931c639633da9dfc17b3a464bde");
	assert_string_equal(str(j, "Created"), "0001-01-01T00:00:00Z"); /* no file: Go's zero time */
	assert_string_equal(str(j, "Driver"), "bridge");
	assert_true(json_is_true(at(j, "EnableIPv6")));
	assert_true(json_is_true(at(j, "Internal")));
	assert_string_equal(str(j, "IPAM.Config.0.Subnet"), "fd00:9::/64");
	assert_null(at(j, "IPAM.Config.0.IPRange")); /* a hand-written range is no CIDR */
	assert_int_equal(json_object_size(at(j, "Containers")), 0);
	assert_string_equal(json_string_value(json_object_get(at(j, "Options"), "com.docker.network.bridge.name")),
			    "nr9");
	assert_false(netdef_is_builtin(c));
	cni_netconf_free(c);
	c = parse("{\"cniVersion\": \"1.0.0\", \"name\": \"none\", \"plugins\": [{\"type\": \"none\"}]}");
	json_decref(j);
	j = netdef_inspect_json(c, NULL);
	assert_string_equal(str(j, "Driver"), "null");
	assert_true(netdef_is_builtin(c));
	cni_netconf_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default),      cmocka_unit_test(test_everything),
		cmocka_unit_test(test_internal),     cmocka_unit_test(test_hand_written),
		cmocka_unit_test(test_inspect_ours), cmocka_unit_test(test_inspect_others),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
