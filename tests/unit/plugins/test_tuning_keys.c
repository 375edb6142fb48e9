/* The tuning plugin's pure parts, kernel-free: which sysctl keys become which paths below
 * /proc/sys (and which are refused), the MAC forms Go's net.ParseMAC takes, the allowlist. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tuning/tuning.h"

static void path_is(const char *key, const char *ifname, const char *want)
{
	struct nr_error err = { 0 };
	char buf[256];

	assert_int_equal(tun_sysctl_path(key, ifname, buf, sizeof(buf), &err), 0);
	assert_string_equal(buf, want);
}

static void refused(const char *key)
{
	struct nr_error err = { 0 };
	char buf[256];

	assert_int_equal(tun_sysctl_path(key, "eth0", buf, sizeof(buf), &err), -EINVAL);
	assert_int_equal(err.code, CNI_ERR_INVALID_CONFIG);
	assert_non_null(strstr(err.msg, "invalid net sysctl key"));
}

static void test_paths(void **state)
{
	path_is("net.core.somaxconn", "eth0", "net/core/somaxconn");
	path_is("net.ipv4.conf.IFNAME.arp_ignore", "eth0", "net/ipv4/conf/eth0/arp_ignore");
	path_is("net/ipv4/conf/IFNAME/arp_ignore", "eth0.100", "net/ipv4/conf/eth0.100/arp_ignore");
	path_is("net/ipv4/conf/eth0.100/arp_ignore", "eth0", "net/ipv4/conf/eth0.100/arp_ignore");
	/* Only the first IFNAME is the interface, as in the reference. */
	path_is("net.ipv4.conf.IFNAME.IFNAME", "eth1", "net/ipv4/conf/eth1/IFNAME");
	path_is("net.ipv4.conf.xIFNAMEy.x", "e", "net/ipv4/conf/xey/x");
}

static void test_refused(void **state)
{
	static const char *const keys[] = {
		"",
		"net",
		"kernel.hostname",
		"vm/overcommit_memory",
		"netx.core.a",
		"net/../kernel/hostname",
		"net..core.somaxconn",
		"net/./core/x",
		"/net/core/x",
		"net/core/x/",
		"net.core.x.",
		".net.core.x",
		"net//core/x",
		"net/core/../../etc/passwd",
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		refused(keys[i]);
}

static void test_mac(void **state)
{
	char buf[LINK_MAC_STRLEN];

	assert_int_equal(tun_mac_normalize("02:00:5E:10:00:01", buf), 0);
	assert_string_equal(buf, "02:00:5e:10:00:01");
	assert_int_equal(tun_mac_normalize("02-00-5e-10-00-0a", buf), 0);
	assert_string_equal(buf, "02:00:5e:10:00:0a");
	assert_int_equal(tun_mac_normalize("0200.5e10.000b", buf), 0);
	assert_string_equal(buf, "02:00:5e:10:00:0b");
	assert_int_equal(tun_mac_normalize("02:00-5e:10:00:01", buf), -EINVAL);
	assert_int_equal(tun_mac_normalize("02:00:5e:10:00:0g", buf), -EINVAL);
	assert_int_equal(tun_mac_normalize("02:00:5e:10:00", buf), -EINVAL);
	assert_int_equal(tun_mac_normalize("0200.5e10.000b.", buf), -EINVAL);
	assert_int_equal(tun_mac_normalize("", buf), -EINVAL);
}

static void test_allowlist(void **state)
{
	char path[] = "/tmp/tuning-allowlist-XXXXXX";
	struct nr_error err = { 0 };
	json_t *ok = json_pack("{s:s, s:s}", "net.core.somaxconn", "1", "net.ipv4.conf.IFNAME.arp_filter", "1");
	json_t *bad = json_pack("{s:s}", "net.ipv4.tcp_syncookies", "0");
	int fd = mkstemp(path);
	const char *list = "^net\\.core\\.somaxconn$\n\n^net\\.ipv4\\.conf\\.IFNAME\\.arp_(ignore|filter)$\n";

	assert_true(fd >= 0);
	assert_int_equal(write(fd, list, strlen(list)), (ssize_t)strlen(list));
	close(fd);
	assert_int_equal(tun_allowlist_check("/nonexistent/allowlist.conf", bad, &err), 0);
	assert_int_equal(tun_allowlist_check(path, ok, &err), 0);
	assert_int_equal(tun_allowlist_check(path, bad, &err), -EPERM);
	assert_int_equal(err.code, CNI_ERR_INVALID_CONFIG);
	unlink(path);
	json_decref(ok);
	json_decref(bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_mac),
		cmocka_unit_test(test_allowlist),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
