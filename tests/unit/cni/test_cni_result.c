/* cni_result: builders, per-version rendering, parsing and round trips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/json_field.h"
#include "cni/cni_result.h"
#include "cni/cni_version.h"

static const char *const versions[] = { "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0", NULL };

static char **strv(const char *a, const char *b)
{
	char **v = calloc(2, sizeof(char *));
	assert_non_null(v);
	v[0] = strdup(a);
	v[1] = b ? strdup(b) : NULL;
	return v;
}

static struct cni_result *build(void)
{
	struct cni_result *r = cni_result_new();

	assert_non_null(r);
	assert_int_equal(cni_result_add_iface(r, "br0", "aa:bb:cc:dd:ee:01", NULL), 0);
	assert_int_equal(cni_result_add_iface(r, "eth0", "aa:bb:cc:dd:ee:02", "/var/run/netns/x"), 1);
	r->ifaces[1].mtu = 1400;
	r->ifaces[1].socket_path = strdup("/run/vhost.sock");
	r->ifaces[1].pci_id = strdup("0000:00:1f.6");
	assert_int_equal(cni_result_add_ip(r, "10.1.0.5/24", "10.1.0.1", 1), 0);
	assert_int_equal(cni_result_add_ip(r, "fd00::5/64", "fd00::1", 1), 1);
	assert_int_equal(cni_result_add_ip(r, "10.2.0.5/32", NULL, -1), 2);
	assert_int_equal(cni_result_add_route(r, "0.0.0.0/0", "10.1.0.1"), 0);
	assert_int_equal(cni_result_add_route(r, "10.9.0.0/16", NULL), 1);
	r->routes[1].mtu = 1300;
	r->routes[1].advmss = 1260;
	r->routes[1].priority = 10;
	r->routes[1].has_table = true;
	r->routes[1].table = 100;
	r->routes[1].has_scope = true;
	r->routes[1].scope = 253;
	r->dns.nameservers = strv("10.1.0.53", "fd00::53");
	r->dns.n_nameservers = 2;
	r->dns.search = strv("example.com", NULL);
	r->dns.n_search = 1;
	r->dns.options = strv("ndots:2", NULL);
	r->dns.n_options = 1;
	r->dns.domain = strdup("example.com");
	return r;
}

static int setup(void **state)
{
	*state = build();
	return 0;
}

static int teardown(void **state)
{
	cni_result_free(*state);
	return 0;
}

static json_t *at(json_t *o, const char *arr, size_t i)
{
	json_t *a = json_object_get(o, arr);
	assert_true(json_is_array(a));
	assert_true(i < json_array_size(a));
	return json_array_get(a, i);
}

static void test_render_common(void **state)
{
	struct cni_result *r = *state;

	for (const char *const *v = versions; *v; v++) {
		_cleanup_json_ json_t *j = cni_result_to_json(r, *v);
		json_t *dns, *ip, *rt, *f;

		assert_non_null(j);
		assert_string_equal(json_string_value(json_object_get(j, "cniVersion")), *v);
		assert_int_equal(json_array_size(json_object_get(j, "interfaces")), 2);
		assert_int_equal(json_array_size(json_object_get(j, "ips")), 3);
		assert_int_equal(json_array_size(json_object_get(j, "routes")), 2);

		f = at(j, "interfaces", 1);
		assert_string_equal(json_string_value(json_object_get(f, "name")), "eth0");
		assert_string_equal(json_string_value(json_object_get(f, "mac")), "aa:bb:cc:dd:ee:02");
		assert_string_equal(json_string_value(json_object_get(f, "sandbox")), "/var/run/netns/x");
		assert_null(json_object_get(at(j, "interfaces", 0), "sandbox"));

		ip = at(j, "ips", 0);
		assert_string_equal(json_string_value(json_object_get(ip, "address")), "10.1.0.5/24");
		assert_string_equal(json_string_value(json_object_get(ip, "gateway")), "10.1.0.1");
		assert_int_equal(json_integer_value(json_object_get(ip, "interface")), 1);
		ip = at(j, "ips", 2);
		assert_null(json_object_get(ip, "interface"));
		assert_null(json_object_get(ip, "gateway"));

		rt = at(j, "routes", 0);
		assert_string_equal(json_string_value(json_object_get(rt, "dst")), "0.0.0.0/0");
		assert_string_equal(json_string_value(json_object_get(rt, "gw")), "10.1.0.1");
		assert_null(json_object_get(at(j, "routes", 1), "gw"));

		dns = json_object_get(j, "dns");
		assert_true(json_is_object(dns));
		assert_int_equal(json_array_size(json_object_get(dns, "nameservers")), 2);
		assert_string_equal(json_string_value(json_array_get(json_object_get(dns, "nameservers"), 1)),
				    "fd00::53");
		assert_string_equal(json_string_value(json_array_get(json_object_get(dns, "search"), 0)),
				    "example.com");
		assert_string_equal(json_string_value(json_array_get(json_object_get(dns, "options"), 0)), "ndots:2");
		assert_string_equal(json_string_value(json_object_get(dns, "domain")), "example.com");
	}
}

static void test_render_ip_version(void **state)
{
	struct cni_result *r = *state;

	for (const char *const *v = versions; *v; v++) {
		_cleanup_json_ json_t *j = cni_result_to_json(r, *v);
		bool pre10 = (*v)[0] == '0';

		assert_non_null(j);
		if (pre10) {
			assert_string_equal(json_string_value(json_object_get(at(j, "ips", 0), "version")), "4");
			assert_string_equal(json_string_value(json_object_get(at(j, "ips", 1), "version")), "6");
			assert_string_equal(json_string_value(json_object_get(at(j, "ips", 2), "version")), "4");
		} else {
			for (size_t i = 0; i < 3; i++)
				assert_null(json_object_get(at(j, "ips", i), "version"));
		}
	}
}

static void test_render_v11_fields(void **state)
{
	struct cni_result *r = *state;
	const char *route_keys[] = { "mtu", "advmss", "priority", "table", "scope", NULL };
	const char *iface_keys[] = { "mtu", "socketPath", "pciID", NULL };

	for (const char *const *v = versions; *v; v++) {
		_cleanup_json_ json_t *j = cni_result_to_json(r, *v);
		bool v11 = strcmp(*v, "1.1.0") == 0;
		json_t *rt, *f;

		assert_non_null(j);
		rt = at(j, "routes", 1);
		f = at(j, "interfaces", 1);
		for (const char **k = route_keys; *k; k++)
			assert_int_equal(json_object_get(rt, *k) != NULL, v11);
		for (const char **k = iface_keys; *k; k++)
			assert_int_equal(json_object_get(f, *k) != NULL, v11);
		/* Unset 1.1 fields never appear. */
		for (const char **k = route_keys; *k; k++)
			assert_null(json_object_get(at(j, "routes", 0), *k));
		if (v11) {
			assert_int_equal(json_integer_value(json_object_get(rt, "mtu")), 1300);
			assert_int_equal(json_integer_value(json_object_get(rt, "advmss")), 1260);
			assert_int_equal(json_integer_value(json_object_get(rt, "priority")), 10);
			assert_int_equal(json_integer_value(json_object_get(rt, "table")), 100);
			assert_int_equal(json_integer_value(json_object_get(rt, "scope")), 253);
			assert_int_equal(json_integer_value(json_object_get(f, "mtu")), 1400);
			assert_string_equal(json_string_value(json_object_get(f, "socketPath")), "/run/vhost.sock");
			assert_string_equal(json_string_value(json_object_get(f, "pciID")), "0000:00:1f.6");
		}
	}
}

static void test_render_empty(void **state)
{
	struct cni_result *r = cni_result_new();

	assert_non_null(r);
	for (const char *const *v = versions; *v; v++) {
		_cleanup_json_ json_t *j = cni_result_to_json(r, *v);
		assert_non_null(j);
		assert_true(json_is_object(json_object_get(j, "dns")));
		assert_int_equal(json_object_size(json_object_get(j, "dns")), 0);
		assert_string_equal(json_string_value(json_object_get(j, "cniVersion")), *v);
	}
	assert_null(cni_result_to_json(r, "garbage"));
	cni_result_free(r);
}

static void test_round_trip(void **state)
{
	struct cni_result *r = *state;

	for (const char *const *v = versions; *v; v++) {
		_cleanup_json_ json_t *j1 = cni_result_to_json(r, *v);
		_cleanup_json_ json_t *j2 = NULL;
		_cleanup_result_ struct cni_result *p = NULL;
		struct nr_error err = { 0 };

		assert_non_null(j1);
		assert_int_equal(cni_result_parse(j1, "result", &p, &err), 0);
		assert_non_null(p);
		j2 = cni_result_to_json(p, *v);
		assert_non_null(j2);
		assert_true(json_equal(j1, j2));
	}
	/* Parsed from 1.1, every field survives into the struct. */
	{
		_cleanup_json_ json_t *j = cni_result_to_json(r, "1.1.0");
		_cleanup_result_ struct cni_result *p = NULL;
		assert_int_equal(cni_result_parse(j, "result", &p, NULL), 0);
		assert_int_equal(p->ips[0].iface, 1);
		assert_int_equal(p->ips[2].iface, -1);
		assert_null(p->ips[2].gateway);
		assert_int_equal(p->routes[1].table, 100);
		assert_true(p->routes[1].has_table);
		assert_false(p->routes[0].has_table);
		assert_int_equal(p->ifaces[1].mtu, 1400);
		assert_string_equal(p->dns.domain, "example.com");
	}
}

static void test_dup(void **state)
{
	struct cni_result *r = *state;
	_cleanup_result_ struct cni_result *d = cni_result_dup(r);

	assert_non_null(d);
	assert_ptr_not_equal(d, r);
	for (const char *const *v = versions; *v; v++) {
		_cleanup_json_ json_t *a = cni_result_to_json(r, *v);
		_cleanup_json_ json_t *b = cni_result_to_json(d, *v);
		assert_true(json_equal(a, b));
	}
	assert_ptr_not_equal(d->ifaces[0].name, r->ifaces[0].name);
}

static void expect_parse_error(const char *text, int code)
{
	json_error_t jerr;
	_cleanup_json_ json_t *j = json_loads(text, 0, &jerr);
	struct cni_result *p = NULL;
	struct nr_error err = { 0 };

	assert_non_null(j);
	assert_true(cni_result_parse(j, "prevResult", &p, &err) < 0);
	assert_null(p);
	assert_int_equal(err.code, code);
	assert_non_null(strstr(err.msg, "prevResult"));
}

static void test_parse_errors(void **state)
{
	expect_parse_error("{\"ips\":[{\"address\":\"10.1.0.5\"}]}", CNI_ERR_DECODE);
	expect_parse_error("{\"ips\":[{\"address\":\"bogus/24\"}]}", CNI_ERR_DECODE);
	expect_parse_error("{\"ips\":[{}]}", CNI_ERR_DECODE);
	expect_parse_error("{\"ips\":[{\"address\":5}]}", CNI_ERR_DECODE);
	expect_parse_error("{\"ips\":[{\"address\":\"10.1.0.5/24\",\"version\":\"6\"}]}", CNI_ERR_DECODE);
	expect_parse_error("{\"ips\":[{\"address\":\"fd00::5/64\",\"version\":\"4\"}]}", CNI_ERR_DECODE);
	expect_parse_error("{\"ips\":[{\"address\":\"10.1.0.5/24\",\"gateway\":\"10.1.0.1/24\"}]}", CNI_ERR_DECODE);
	expect_parse_error("{\"ips\":[{\"address\":\"10.1.0.5/24\",\"interface\":0}]}", CNI_ERR_INVALID_CONFIG);
	expect_parse_error("{\"interfaces\":[{\"name\":\"eth0\"}],"
			   "\"ips\":[{\"address\":\"10.1.0.5/24\",\"interface\":1}]}",
			   CNI_ERR_INVALID_CONFIG);
	expect_parse_error("{\"ips\":[{\"address\":\"10.1.0.5/24\",\"interface\":-1}]}", CNI_ERR_DECODE);
	expect_parse_error("{\"interfaces\":{}}", CNI_ERR_DECODE);
	expect_parse_error("{\"interfaces\":\"eth0\"}", CNI_ERR_DECODE);
	expect_parse_error("{\"interfaces\":[{\"mac\":\"aa:bb:cc:dd:ee:ff\"}]}", CNI_ERR_DECODE);
	expect_parse_error("{\"interfaces\":[1]}", CNI_ERR_DECODE);
	expect_parse_error("{\"ips\":{}}", CNI_ERR_DECODE);
	expect_parse_error("{\"routes\":[{\"gw\":\"10.0.0.1\"}]}", CNI_ERR_DECODE);
	expect_parse_error("{\"routes\":[{\"dst\":\"10.0.0.0\"}]}", CNI_ERR_DECODE);
	expect_parse_error("{\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"x\"}]}", CNI_ERR_DECODE);
	expect_parse_error("{\"routes\":[{\"dst\":\"0.0.0.0/0\",\"scope\":256}]}", CNI_ERR_DECODE);
	expect_parse_error("{\"dns\":[]}", CNI_ERR_DECODE);
	expect_parse_error("{\"dns\":{\"nameservers\":\"1.1.1.1\"}}", CNI_ERR_DECODE);
	expect_parse_error("{\"dns\":{\"nameservers\":[\"1.1.1.1\",2]}}", CNI_ERR_DECODE);
	expect_parse_error("[]", CNI_ERR_DECODE);
}

static void test_parse_minimal(void **state)
{
	json_error_t jerr;
	_cleanup_json_ json_t *j = json_loads("{\"cniVersion\":\"0.3.1\",\"ips\":[{\"version\":\"4\","
					      "\"address\":\"10.0.0.2/8\"}],\"dns\":null,\"routes\":null}",
					      0, &jerr);
	_cleanup_result_ struct cni_result *p = NULL;

	assert_non_null(j);
	assert_int_equal(cni_result_parse(j, "r", &p, NULL), 0);
	assert_int_equal(p->n_ips, 1);
	assert_int_equal(p->ips[0].iface, -1);
	assert_int_equal(p->n_routes, 0);
	assert_int_equal(p->n_ifaces, 0);
	assert_int_equal(p->dns.n_nameservers, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_render_common, setup, teardown),
		cmocka_unit_test_setup_teardown(test_render_ip_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_render_v11_fields, setup, teardown),
		cmocka_unit_test(test_render_empty),
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dup, setup, teardown),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_minimal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
