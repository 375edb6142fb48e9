/* dns/upstream: resolv.conf's nameservers, and which list wins. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dns/upstream.h"

static const char *addr_str(const struct ip_addr *a)
{
	static char buf[INET6_ADDRSTRLEN];
	return ip_addr_format(a, buf, sizeof(buf));
}

static void test_upstream_parse(void **state)
{
	static const char conf[] = "# comment\n"
				   "search example.com\n"
				   "nameserver 192.0.2.1\n"
				   "nameserver\t2001:db8::1 # trailing\n"
				   "  nameserver 192.0.2.2\r\n"
				   "nameserver fe80::1%eth0\n" /* scoped: not ours to reach */
				   "nameserver bogus\n"
				   "options ndots:2\n"
				   "nameserver";
	struct dns_upstreams u;

	dns_upstreams_parse(conf, sizeof(conf) - 1, &u);
	assert_int_equal(u.n, 3);
	assert_string_equal(addr_str(&u.addr[0]), "192.0.2.1");
	assert_string_equal(addr_str(&u.addr[1]), "2001:db8::1");
	assert_string_equal(addr_str(&u.addr[2]), "192.0.2.2");
}

static void test_upstream_max(void **state)
{
	char conf[1024], *p = conf;
	struct dns_upstreams u;

	for (int i = 0; i < 20; i++)
		p += sprintf(p, "nameserver 192.0.2.%d\n", i);
	dns_upstreams_parse(conf, (size_t)(p - conf), &u);
	assert_int_equal(u.n, DNS_UPSTREAM_MAX);
}

static void test_upstream_discover(void **state)
{
	char path[] = "/tmp/nr-dns-resolv.XXXXXX";
	int fd = mkstemp(path);
	struct dns_upstreams u;
	struct ip_addr names[2];

	assert_true(fd >= 0);
	/* An explicit file is taken as it is, loopback included. */
	assert_int_equal(write(fd, "nameserver 127.0.0.2\n", 21), 21);
	close(fd);
	setenv("NETNS_RUN_RESOLV_CONF", path, 1);
	dns_upstreams_discover(NULL, 0, &u);
	assert_int_equal(u.n, 1);
	assert_string_equal(addr_str(&u.addr[0]), "127.0.0.2");
	assert_string_equal(u.source, path);
	/* The names file's servers win over any resolv.conf. */
	assert_int_equal(ip_addr_parse("10.0.0.53", &names[0]), 0);
	assert_int_equal(ip_addr_parse("fd00::53", &names[1]), 0);
	dns_upstreams_discover(names, 2, &u);
	assert_int_equal(u.n, 2);
	assert_string_equal(addr_str(&u.addr[1]), "fd00::53");
	assert_string_equal(u.source, "the names file");
	/* A file that is not there: none, and the source says where we looked. */
	unlink(path);
	dns_upstreams_discover(NULL, 0, &u);
	assert_int_equal(u.n, 0);
	assert_string_equal(u.source, path);
	unsetenv("NETNS_RUN_RESOLV_CONF");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_upstream_parse),
		cmocka_unit_test(test_upstream_max),
		cmocka_unit_test(test_upstream_discover),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
