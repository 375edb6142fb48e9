/* dns/names: the names file (aardvark-dns 1.4's format) into name and address tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dns/names.h"

static struct dns_names *parse_ok(const char *text)
{
	struct nr_error err = { 0 };
	struct dns_names *n = NULL;

	if (dns_names_parse(text, strlen(text), &n, &err) < 0)
		fail_msg("parse failed: %s", err.msg);
	return n;
}

static const struct dns_name *find(const struct dns_names *n, const char *name)
{
	uint8_t wire[256];
	int len = dns_name_to_wire(name, strlen(name), wire);

	assert_true(len > 0);
	return dns_names_find(n, wire, (size_t)len);
}

static const char *addr_str(const struct ip_addr *a)
{
	static char buf[INET6_ADDRSTRLEN];
	return ip_addr_format(a, buf, sizeof(buf));
}

static void test_names_parse(void **state)
{
	struct dns_names *n = parse_ok("10.89.0.1,fd10::1\n"
				       "0123456789abcdef 10.89.0.2 fd10::2 web,Db,0123456789ab\n"
				       "\n"
				       "fedcba9876543210 10.89.0.3,10.89.0.4  api.\n");
	const struct dns_name *e;

	assert_int_equal(n->n_gateways, 2);
	assert_string_equal(addr_str(&n->gateways[0]), "10.89.0.1");
	assert_string_equal(addr_str(&n->gateways[1]), "fd10::1");
	assert_int_equal(n->n_servers, 0);
	assert_int_equal(n->n_entries, 2);
	assert_int_equal(n->n_names, 4);
	e = find(n, "web");
	assert_non_null(e);
	assert_int_equal(e->n_addrs, 2);
	assert_string_equal(addr_str(&e->addrs[0]), "10.89.0.2");
	assert_string_equal(addr_str(&e->addrs[1]), "fd10::2");
	/* Case-insensitive, trailing dot or not. */
	assert_ptr_equal(find(n, "WEB."), e);
	assert_ptr_equal(find(n, "db"), find(n, "DB"));
	assert_non_null(find(n, "0123456789AB"));
	e = find(n, "api");
	assert_non_null(e);
	assert_int_equal(e->n_addrs, 2);
	assert_null(find(n, "nothere"));
	assert_null(find(n, "web.example"));
	dns_names_free(n);
}

static void test_names_shared(void **state)
{
	/* A name in two entries resolves to both; an address in two entries has both names. */
	struct dns_names *n = parse_ok("10.89.0.1 10.0.0.53\n"
				       "a 10.89.0.2  web,one\n"
				       "b 10.89.0.3  web,two\n"
				       "c 10.89.0.3  three\n");
	struct ip_addr a;
	const struct dns_addr *d;

	assert_int_equal(n->n_servers, 1);
	assert_string_equal(addr_str(&n->servers[0]), "10.0.0.53");
	assert_int_equal(find(n, "web")->n_addrs, 2);
	assert_int_equal(ip_addr_parse("10.89.0.3", &a), 0);
	d = dns_names_find_addr(n, &a);
	assert_non_null(d);
	assert_int_equal(d->n_names, 3);
	assert_memory_equal(n->names[d->names[0]].wire, "\3web", 5);
	assert_memory_equal(n->names[d->names[1]].wire, "\3two", 5);
	assert_memory_equal(n->names[d->names[2]].wire, "\5three", 7);
	assert_int_equal(ip_addr_parse("10.89.0.9", &a), 0);
	assert_null(dns_names_find_addr(n, &a));
	dns_names_free(n);
}

static void test_names_many(void **state)
{
	/* Enough entries to grow both tables several times. */
	char *text = malloc(3000 * 64), *p = text;
	struct dns_names *n;
	struct ip_addr a;
	char name[32];

	p += sprintf(p, "10.0.0.1\n");
	for (int i = 0; i < 3000; i++)
		p += sprintf(p, "id%d 10.0.%d.%d  c%d,alias%d\n", i, i / 250, i % 250 + 2, i, i);
	n = parse_ok(text);
	free(text);
	assert_int_equal(n->n_entries, 3000);
	assert_int_equal(n->n_names, 6000);
	for (int i = 0; i < 3000; i += 7) {
		snprintf(name, sizeof(name), "ALIAS%d", i);
		assert_non_null(find(n, name));
		snprintf(name, sizeof(name), "10.0.%d.%d", i / 250, i % 250 + 2);
		assert_int_equal(ip_addr_parse(name, &a), 0);
		assert_non_null(dns_names_find_addr(n, &a));
	}
	dns_names_free(n);
}

static void test_names_bad(void **state)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "", "empty" },
		{ "\n\n", "empty" },
		{ "10.0.0.1 10.0.0.2 x\n", "line 1: more than two fields" },
		{ "notanip\n", "bad gateway address" },
		{ "10.0.0.1,\n", "bad gateway address" },
		{ " 10.0.0.1\n", "line 1: no gateway" },
		{ "10.0.0.1 8.8.8.x\n", "bad DNS server address" },
		{ "10.0.0.1\nid 10.0.0.2 web\n", "line 2: 3 fields" },
		{ "10.0.0.1\nid 10.0.0.2  web x y\n", "line 2: 6 fields" },
		{ "10.0.0.1\n\nid fd00::2  web\n", "line 3: bad IPv4 address" },
		{ "10.0.0.1\nid  10.0.0.2 web\n", "bad IPv6 address" },
		{ "10.0.0.1\nid 10.0.0.2  \n", "line 2: no names" },
		{ "10.0.0.1\n 10.0.0.2  web\n", "no id" },
		{ "10.0.0.1\nid 10.0.0.2  web,,db\n", "bad name \"\"" },
		{ "10.0.0.1\nid 10.0.0.2  a..b\n", "bad name" },
		{ "10.0.0.1\nid 10.0.0.2  web\tx\n", "bad name" },
		{ "10.0.0.1\nid 10.0.0.2  0123456789012345678901234567890123456789012345678901234567890123\n",
		  "bad name" },
		{ "10.0.0.1\nid 10.0.0.2  web 10.0.0.x\n", "bad DNS server address" },
		{ "10.0.0.1\nid 10.0.0.2/24  web\n", "bad IPv4 address" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct nr_error err = { 0 };
		struct dns_names *n = NULL;

		if (dns_names_parse(bad[i].text, strlen(bad[i].text), &n, &err) >= 0)
			fail_msg("accepted: %s", bad[i].text);
		assert_null(n);
		if (!strstr(err.msg, bad[i].msg))
			fail_msg("\"%s\": message \"%s\" lacks \"%s\"", bad[i].text, err.msg, bad[i].msg);
	}
}

static void test_names_nul(void **state)
{
	static const char text[] = "10.0.0.1\nid 10.0.0.2  w\0b\n";
	struct nr_error err = { 0 };
	struct dns_names *n = NULL;

	assert_true(dns_names_parse(text, sizeof(text) - 1, &n, &err) < 0);
	assert_non_null(strstr(err.msg, "line 2: a NUL byte"));
}

static void test_name_to_wire(void **state)
{
	uint8_t w[256];
	char long_name[300];

	assert_int_equal(dns_name_to_wire("Web.Example.", 12, w), 13);
	assert_memory_equal(w, "\3web\7example", 13);
	assert_int_equal(dns_name_to_wire("a", 1, w), 3);
	assert_int_equal(dns_name_to_wire(".", 1, w), -EINVAL);
	assert_int_equal(dns_name_to_wire("", 0, w), -EINVAL);
	assert_int_equal(dns_name_to_wire("a..", 3, w), -EINVAL);
	/* 255 bytes of wire at most: 127 labels "a." make 255 exactly, 128 are too many. */
	for (int i = 0; i < 128; i++)
		memcpy(long_name + 2 * i, "a.", 2);
	assert_int_equal(dns_name_to_wire(long_name, 2 * 127 - 1, w), 255);
	assert_int_equal(dns_name_to_wire(long_name, 2 * 128 - 1, w), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_parse), cmocka_unit_test(test_names_shared),
		cmocka_unit_test(test_names_many),  cmocka_unit_test(test_names_bad),
		cmocka_unit_test(test_names_nul),   cmocka_unit_test(test_name_to_wire),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
