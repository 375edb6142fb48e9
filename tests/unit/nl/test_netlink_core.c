/* Netlink building blocks (bridge, veth, link, addr, route, sysctl) against the kernel.
 * Only inside a private network namespace: every test skips unless NR_NETLINK_SANDBOX=1
 * (tests/integration/netlink_core.sh sets it after entering its sandbox).  The peer
 * namespace is NR_TEST_NETNS, or one this process makes for itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/ipaddr.h"
#include "nl/addr.h"
#include "nl/bridge.h"
#include "nl/link.h"
#include "nl/link_unlist.h"
#include "nl/netns.h"
#include "nl/nlsock.h"
#include "nl/route.h"
#include "nl/sysctl.h"
#include "nl/veth.h"

#define BR "nrtbr0"
#define HOST "nrtveth0"
#define PEER "eth0"
#define PEER_MAC "02:42:0a:16:00:05"

static struct nlsock *S;
static int peer_ns = -1;

static bool sandboxed(void)
{
	const char *v = getenv("NR_NETLINK_SANDBOX");
	return v && strcmp(v, "1") == 0;
}

#define NEED_SANDBOX()                                                                       \
	do {                                                                                 \
		if (!sandboxed()) {                                                          \
			print_message("NR_NETLINK_SANDBOX=1 not set: not touching links\n"); \
			skip();                                                              \
		}                                                                            \
	} while (0)

/* assert_ok(f(..., &e_)): the expression fills the e_ the macro declares, so a failure
 * prints the message the call produced. */
#define assert_ok(expr)                                             \
	do {                                                        \
		struct nr_error e_ = { 0 };                         \
		int r_ = (expr);                                    \
		if (r_ < 0)                                         \
			fail_msg("%s = %d: %s", #expr, r_, e_.msg); \
	} while (0)

/* A new network namespace of our own: unshare, keep a handle, step back. */
static int netns_make(void)
{
	int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC), fd;

	if (self < 0 || unshare(CLONE_NEWNET) < 0)
		return -1;
	fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (setns(self, CLONE_NEWNET) < 0)
		abort();
	close(self);
	return fd;
}

static int group_setup(void **state)
{
	struct nr_error err = { 0 };
	const char *path = getenv("NR_TEST_NETNS");

	if (!sandboxed())
		return 0;
	if (nlsock_open(&S, &err) < 0) {
		fprintf(stderr, "nlsock_open: %s\n", err.msg);
		return -1;
	}
	if (path && *path) {
		if (netns_open(path, &peer_ns, &err) < 0) {
			fprintf(stderr, "%s\n", err.msg);
			return -1;
		}
	} else if ((peer_ns = netns_make()) < 0) {
		perror("making a network namespace");
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	nlsock_close(S);
	if (peer_ns >= 0)
		close(peer_ns);
	return 0;
}

static struct ip_prefix P(const char *s) {
	struct ip_prefix p;
	assert_int_equal(ip_prefix_parse(s, &p), 0);
	return p;
}

static struct ip_addr
A(const char *s) {
	struct ip_addr a;
	assert_int_equal(ip_addr_parse(s, &a), 0);
	return a;
}

static void
test_bridge_ensure_idempotent(void **state)
{
	struct nr_error err = { 0 };
	int idx1 = 0, idx2 = 0, r;
	char kind[32], mac[LINK_MAC_STRLEN];
	bool up = false;

	NEED_SANDBOX();
	assert_ok(bridge_ensure(S, BR, 1400, "02:00:00:00:aa:01", false, &idx1, &e_));
	assert_true(idx1 > 0);
	assert_ok(bridge_ensure(S, BR, 1400, NULL, false, &idx2, &e_));
	assert_int_equal(idx1, idx2);
	assert_ok(link_kind(S, BR, kind, sizeof(kind), &e_));
	assert_string_equal(kind, "bridge");
	assert_ok(link_is_up(S, BR, &up, &e_));
	assert_true(up);
	assert_ok(link_get_mac(S, BR, mac, &e_));
	assert_string_equal(mac, "02:00:00:00:aa:01");
	/* A second bridge with VLAN filtering (checked by the shell script), unless the kernel
	 * was built without it: then the message has to say so. */
	r = bridge_ensure(S, "nrtbr1", 0, NULL, true, NULL, &err);
	if (r == -EOPNOTSUPP) {
		print_message("no VLAN filtering in this kernel: %s\n", err.msg);
		assert_non_null(strstr(err.msg, "nrtbr1 with VLAN filtering"));
		assert_int_equal(link_index(S, "nrtbr1", &err), -ENODEV);
	} else {
		assert_int_equal(r, 0);
	}
	assert_int_equal(bridge_ensure(S, "nrtbr-name-too-long", 0, NULL, false, NULL, &err), -EINVAL);
	assert_int_equal(bridge_ensure(S, "nrtbr2", 0, "zz:00:00:00:00:00", false, NULL, &err), -EINVAL);
}

static void test_bridge_name_taken(void **state)
{
	struct nr_error err = { 0 };
	int self;

	NEED_SANDBOX();
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	assert_true(self >= 0);
	assert_ok(veth_create_peer_in_netns(S, "nrtv-a", 0, 0, self, "nrtv-b", NULL, &e_));
	close(self);
	assert_int_equal(bridge_ensure(S, "nrtv-a", 0, NULL, false, NULL, &err), -EEXIST);
	assert_int_equal(err.code, CNI_ERR_INTERNAL);
	assert_non_null(strstr(err.msg, "not a bridge"));
	assert_non_null(strstr(err.msg, "nrtv-a"));
	assert_non_null(strstr(err.msg, "(it is a veth)"));
}

struct peer_check {
	char mac[LINK_MAC_STRLEN];
	char kind[32];
	int index;
	char queues[64];
};

/* "numtxqueues N numrxqueues N" of a link in the calling thread's network namespace. */
static void queues_of(const char *name, char *out, size_t len)
{
	char cmd[128];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "ip -d -o link show %s | grep -o 'numtxqueues [0-9]* numrxqueues [0-9]*'", name);
	out[0] = '\0';
	if ((f = popen(cmd, "r"))) {
		if (!fgets(out, (int)len, f))
			out[0] = '\0';
		pclose(f);
	}
	out[strcspn(out, "\n")] = '\0';
}

static int peer_look(void *arg, struct nr_error *err)
{
	struct peer_check *c = arg;
	_cleanup_nlsock_ struct nlsock *s = NULL;
	int r;

	if ((r = nlsock_open(&s, err)) < 0)
		return r;
	if ((c->index = link_index(s, PEER, err)) < 0)
		return c->index;
	if ((r = link_get_mac(s, PEER, c->mac, err)) < 0)
		return r;
	queues_of(PEER, c->queues, sizeof(c->queues));
	return link_kind(s, PEER, c->kind, sizeof(c->kind), err);
}

static void test_veth_peer_in_netns(void **state)
{
	struct nr_error err = { 0 };
	struct peer_check c = { 0 };
	int br;

	NEED_SANDBOX();
	assert_ok(veth_create_peer_in_netns(S, HOST, 1400, 0, peer_ns, PEER, PEER_MAC, &e_));
	assert_true(link_index(S, HOST, &err) > 0);
	/* The peer is not here but in the other namespace, with its name and MAC. */
	assert_int_equal(link_index(S, PEER, &err), -ENODEV);
	assert_ok(netns_run(peer_ns, peer_look, &c, &e_));
	assert_true(c.index > 0);
	assert_string_equal(c.mac, PEER_MAC);
	assert_string_equal(c.kind, "veth");
	/* One queue each way on both ends (creating them costs no RCU grace periods). */
	assert_string_equal(c.queues, "numtxqueues 1 numrxqueues 1");
	char q[64];
	queues_of(HOST, q, sizeof(q));
	assert_string_equal(q, "numtxqueues 1 numrxqueues 1");

	/* Host name taken. */
	assert_int_equal(veth_create_peer_in_netns(S, HOST, 0, 0, peer_ns, "eth1", NULL, &err), -EEXIST);
	assert_non_null(strstr(err.msg, "link " HOST " already exists"));
	/* Peer name taken in the container namespace. */
	assert_int_equal(veth_create_peer_in_netns(S, "nrtveth1", 0, 0, peer_ns, PEER, NULL, &err), -EEXIST);
	assert_non_null(strstr(err.msg, "link " PEER " already exists in the target network namespace"));
	assert_int_equal(link_index(S, "nrtveth1", &err), -ENODEV);
	/* Names libnl would silently cut short. */
	assert_int_equal(veth_create_peer_in_netns(S, "nrt-name-too-long", 0, 0, peer_ns, "eth9", NULL, &err), -EINVAL);

	br = link_index(S, BR, &err);
	assert_true(br > 0);
	assert_ok(link_set_master(S, HOST, br, &e_));
	assert_ok(link_set_hairpin(S, HOST, true, &e_));
	assert_ok(link_set_up(S, HOST, true, &e_));
}

static void test_link_mac_mtu(void **state)
{
	struct nr_error err = { 0 };
	char mac[LINK_MAC_STRLEN];
	unsigned char b[6];

	NEED_SANDBOX();
	assert_ok(link_set_mac(S, HOST, "02:11:22:33:44:5A", &e_));
	assert_ok(link_get_mac(S, HOST, mac, &e_));
	assert_string_equal(mac, "02:11:22:33:44:5a");
	assert_int_equal(link_set_mac(S, HOST, "02:11:22:33:44", &err), -EINVAL);
	assert_int_equal(link_mac_parse("02:11:22:33:44:5g", b), -EINVAL);
	assert_int_equal(link_mac_parse(" 2:11:22:33:44:55", b), -EINVAL);
	assert_int_equal(link_mac_parse("02-11-22-33-44-55", b), -EINVAL);
	assert_ok(link_set_mtu(S, HOST, 1300, &e_));
	assert_int_equal(link_get_mac(S, "nrt-missing", mac, &err), -ENODEV);
	assert_non_null(strstr(err.msg, "nrt-missing"));
}

/* A kernel refusal carries the kernel's extended-ack text into the message. */
static void test_kernel_extack_in_message(void **state)
{
	struct nr_error err = { 0 };

	NEED_SANDBOX();
	assert_int_equal(link_set_mtu(S, BR, 10, &err), -EINVAL);
	assert_int_equal(err.code, CNI_ERR_INTERNAL);
	print_message("kernel said: %s\n", err.msg);
	assert_non_null(strstr(err.msg, BR));
	assert_non_null(strstr(err.msg, "(kernel: "));
	assert_non_null(strstr(err.msg, "mtu less than device minimum"));
}

struct found {
	int v4, v6, other;
};

static int count_addr(const struct ip_prefix *p, void *arg)
{
	struct found *f = arg;
	char buf[IP_PREFIX_STRLEN];

	ip_prefix_format(p, buf, sizeof(buf));
	if (strcmp(buf, "10.22.0.1/24") == 0)
		f->v4++;
	else if (strcmp(buf, "fd00:22::1/64") == 0)
		f->v6++;
	else
		f->other++;
	return 0;
}

static int stop_at_first(const struct ip_prefix *p, void *arg)
{
	return 42;
}

static void test_addrs(void **state)
{
	struct nr_error err = { 0 };
	struct ip_prefix v4 = P("10.22.0.1/24"), v6 = P("fd00:22::1/64");
	struct found f = { 0 };
	int br;

	NEED_SANDBOX();
	br = link_index(S, BR, &err);
	assert_true(br > 0);
	assert_ok(addr_add(S, br, &v4, 0, &e_));
	assert_ok(addr_add(S, br, &v6, ADDR_NODAD, &e_));
	assert_int_equal(addr_add(S, br, &v4, 0, &err), -EEXIST);
	assert_non_null(strstr(err.msg, "10.22.0.1/24"));
	assert_ok(addr_add(S, br, &v4, ADDR_EXIST_OK, &e_));
	assert_ok(addr_add(S, br, &v6, ADDR_EXIST_OK, &e_));

	assert_ok(addr_list(S, br, AF_UNSPEC, count_addr, &f, &e_));
	assert_int_equal(f.v4, 1);
	assert_int_equal(f.v6, 1);
	memset(&f, 0, sizeof(f));
	assert_ok(addr_list(S, br, AF_INET, count_addr, &f, &e_));
	assert_int_equal(f.v4, 1);
	assert_int_equal(f.v6, 0);
	assert_int_equal(addr_list(S, br, AF_INET6, stop_at_first, NULL, &err), 42);
	assert_int_equal(addr_exists(S, br, &v4, &err), 1);
	assert_int_equal(addr_exists(S, br, &v6, &err), 1);

	assert_ok(addr_del(S, br, &v4, &e_));
	assert_ok(addr_del(S, br, &v6, &e_));
	assert_int_equal(addr_exists(S, br, &v4, &err), 0);
	assert_int_equal(addr_exists(S, br, &v6, &err), 0);
	assert_ok(addr_del(S, br, &v4, &e_)); /* gone already: fine */

	/* Leave them for the shell script to see and for the routes below. */
	assert_ok(addr_add(S, br, &v4, 0, &e_));
	assert_ok(addr_add(S, br, &v6, ADDR_NODAD, &e_));
}

static void test_routes(void **state)
{
	struct nr_error err = { 0 };
	struct ip_prefix r4 = P("10.33.5.0/16"), r4b = P("10.44.0.0/16"), r6 = P("fd00:33::/64"), def4 = P("0.0.0.0/0");
	struct ip_addr gw4 = A("10.22.0.254"), gw6 = A("fd00:22::fe"), other = A("10.22.0.253");
	bool there = true;
	int br;

	NEED_SANDBOX();
	br = link_index(S, BR, &err);
	assert_true(br > 0);
	assert_ok(route_add(S, br, &r4, &gw4, &e_));
	assert_ok(route_add(S, br, &r4, &gw4, &e_)); /* already there: fine */
	assert_ok(route_add(S, br, &r4b, NULL, &e_));
	assert_ok(route_add(S, br, &r6, &gw6, &e_));
	assert_ok(route_add(S, br, &def4, &gw4, &e_));

	assert_ok(route_exists(S, br, &r4, &gw4, &there, &e_));
	assert_true(there);
	assert_ok(route_exists(S, br, &r4, NULL, &there, &e_));
	assert_true(there);
	assert_ok(route_exists(S, br, &r4, &other, &there, &e_));
	assert_false(there);
	assert_ok(route_exists(S, br, &r4b, NULL, &there, &e_));
	assert_true(there);
	assert_ok(route_exists(S, br, &r6, &gw6, &there, &e_));
	assert_true(there);
	assert_ok(route_exists(S, br, &def4, &gw4, &there, &e_));
	assert_true(there);

	assert_ok(route_del(S, br, &r4b, NULL, &e_));
	assert_ok(route_exists(S, br, &r4b, NULL, &there, &e_));
	assert_false(there);
	assert_ok(route_del(S, br, &r4b, NULL, &e_)); /* gone already: fine */
	assert_ok(route_del(S, br, &def4, &gw4, &e_));
	assert_ok(route_exists(S, br, &def4, &gw4, &there, &e_));
	assert_false(there);

	/* An unreachable gateway: the kernel says why. */
	struct ip_addr far = A("192.0.2.1");
	assert_true(route_add(S, br, &r4b, &far, &err) < 0);
	print_message("kernel said: %s\n", err.msg);
	assert_non_null(strstr(err.msg, "10.44.0.0/16 via 192.0.2.1"));
	/* r4 and r6 stay for the shell script. */
}

static void test_sysctl(void **state)
{
	struct nr_error err = { 0 };
	char v[64];

	NEED_SANDBOX();
	assert_ok(sysctl_set_arp_notify(BR, true, &e_));
	assert_ok(sysctl_if_read(AF_INET, BR, "arp_notify", v, sizeof(v), &e_));
	assert_string_equal(v, "1");
	assert_ok(sysctl_write("net/ipv4/conf/" BR "/arp_notify", "0", &e_));
	assert_ok(sysctl_read("net/ipv4/conf/" BR "/arp_notify", v, sizeof(v), &e_));
	assert_string_equal(v, "0");
	assert_ok(sysctl_set_arp_notify(BR, true, &e_));
	assert_ok(sysctl_set_accept_dad(HOST, 0, &e_));
	assert_ok(sysctl_if_read(AF_INET6, HOST, "accept_dad", v, sizeof(v), &e_));
	assert_string_equal(v, "0");

	assert_int_equal(sysctl_read("net/ipv4/conf/nrt-missing/arp_notify", v, sizeof(v), &err), -ENOENT);
	assert_non_null(strstr(err.msg, "nrt-missing"));
	assert_int_equal(sysctl_read("net/../../etc/passwd", v, sizeof(v), &err), -EINVAL);
	assert_int_equal(sysctl_read("/etc/passwd", v, sizeof(v), &err), -EINVAL);
	assert_int_equal(sysctl_if_write(AF_INET, "../x", "arp_notify", "1", &err), -EINVAL);
	assert_int_equal(sysctl_write("net/ipv4/conf/" BR "/arp_notify", "not-a-number", &err), -EINVAL);
}

static void test_link_delete(void **state)
{
	struct nr_error err = { 0 };
	char kind[32];

	NEED_SANDBOX();
	assert_ok(link_delete(S, "nrtv-a", &e_));
	assert_int_equal(link_index(S, "nrtv-a", &err), -ENODEV);
	assert_int_equal(link_index(S, "nrtv-b", &err), -ENODEV); /* its peer went with it */
	assert_ok(link_delete(S, "nrtv-a", &e_));
	assert_ok(link_delete(S, "nrt-never-was", &e_));
	assert_int_equal(link_kind(S, "nrtv-a", kind, sizeof(kind), &err), -ENODEV);
	assert_non_null(strstr(err.msg, "nrtv-a"));
}

/* Whether reading fd ends (EOF) within ms milliseconds. */
static bool eof_within(int fd, int ms)
{
	struct pollfd p = { fd, POLLIN, 0 };
	char c;

	return poll(&p, 1, ms) == 1 && read(fd, &c, 1) == 0;
}

/* The link and its peer are gone when the call returns; the child that waits out the
 * kernel's reclaim holds the lingering descriptor, no other, and ends. */
static void test_link_delete_unlisted(void **state)
{
	struct nr_error err = { 0 };
	int self, linger[2], other[2];

	NEED_SANDBOX();
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	assert_true(self >= 0);
	assert_ok(veth_create_peer_in_netns(S, "nrtu-a", 0, 0, self, "nrtu-b", NULL, &e_));
	close(self);
	assert_ok(link_set_up(S, "nrtu-a", true, &e_));
	assert_int_equal(pipe2(linger, O_CLOEXEC), 0);
	assert_int_equal(pipe2(other, O_CLOEXEC), 0);
	assert_ok(link_delete_unlisted(S, "nrtu-a", &linger[1], 1, &e_));
	assert_int_equal(link_index(S, "nrtu-a", &err), -ENODEV);
	assert_int_equal(link_index(S, "nrtu-b", &err), -ENODEV);
	close(linger[1]);
	close(other[1]);
	assert_true(eof_within(other[0], 0));     /* the child did not keep it */
	assert_true(eof_within(linger[0], 5000)); /* the child held it, then ended */
	close(linger[0]);
	close(other[0]);

	assert_ok(link_delete_unlisted(S, "nrtu-a", NULL, 0, &e_)); /* already gone */
	/* The kernel's refusal comes back from the child, with the link's name. */
	assert_true(link_delete_unlisted(S, "lo", NULL, 0, &err) < 0);
	assert_non_null(strstr(err.msg, "deleting link lo"));
	assert_true(link_index(S, "lo", &err) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bridge_ensure_idempotent),
		cmocka_unit_test(test_bridge_name_taken),
		cmocka_unit_test(test_veth_peer_in_netns),
		cmocka_unit_test(test_link_mac_mtu),
		cmocka_unit_test(test_kernel_extack_in_message),
		cmocka_unit_test(test_addrs),
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_sysctl),
		cmocka_unit_test(test_link_delete),
		cmocka_unit_test(test_link_delete_unlisted),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
