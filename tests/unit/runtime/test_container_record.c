/* The container record's JSON: a full round trip, version-less records of the first
 * netns-run, and refusal of corrupt and future-version records.  No kernel needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "engine/container.h"
#include "engine/rt_error.h"

static struct ctr_record *full_record(void)
{
	struct ctr_record *r = ctr_record_new();
	char *argv[] = { "sh", "-c", "echo hi", NULL }, *env[] = { "PATH=/bin", "HOME=/root", NULL };
	char *addrs[] = { "10.88.0.2/16", NULL };

	assert_non_null(r);
	memset(r->id, 'a', RT_ID_LEN);
	strcpy(r->name, "web");
	r->status = CTR_EXITED;
	r->pid = 4242;
	r->pid_start = 123456789ULL;
	r->monitor = 4241;
	r->monitor_start = 123456700ULL;
	r->has_exit_code = true;
	r->exit_code = 137;
	r->oom = true;
	r->rm = true;
	r->net.done = true;
	r->hostname = strdup("webhost");
	r->user = strdup("1000:1000");
	r->image = strdup("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	r->image_ref = strdup("bb:1");
	r->net.mode = CTR_NET_CNI;
	strcpy(r->net.ifname, "eth0");
	r->net.name = strdup("bridge");
	r->net.conflist = strdup("{\"cniVersion\":\"1.1.0\",\"name\":\"bridge\",\"plugins\":[{\"type\":\"bridge\"}]}");
	r->netns_path = strdup("/var/lib/netns-run/containers/web/netns");
	r->capability_args = strdup(
		"{\"portMappings\":[{\"containerPort\":80,\"hostPort\":8080,\"protocol\":\"tcp\"}]}");
	r->cgroup = cgroup_set_new(CGROUP_LAYOUT_HYBRID);
	assert_non_null(r->cgroup);
	assert_int_equal(cgroup_set_put(r->cgroup, CGROUP_UNIFIED, "/sys/fs/cgroup/unified/netns-run/web"), 0);
	assert_int_equal(cgroup_set_put(r->cgroup, CGROUP_CPU, "/sys/fs/cgroup/cpu,cpuacct/netns-run/web"), 0);
	assert_int_equal(cgroup_set_put(r->cgroup, CGROUP_CPUACCT, "/sys/fs/cgroup/cpu,cpuacct/netns-run/web"), 0);
	r->argv = rt_strv_copy(argv);
	r->env = rt_strv_copy(env);
	r->net.addresses = rt_strv_copy(addrs);
	r->created = 1700000000;
	r->started = 1700000001;
	r->finished = 1700000002;
	r->userns_base = 100000;
	r->userns_count = 65536;
	r->has_caps = true;
	r->caps = 1ULL << 0 | 1ULL << 12 | 1ULL << 40; /* CHOWN, NET_ADMIN, CHECKPOINT_RESTORE */
	r->new_privileges = true;
	r->seccomp_profile = strdup("{\"defaultAction\": \"SCMP_ACT_ALLOW\"}");
	return r;
}

static void assert_strv_equal(char **a, char **b)
{
	assert_int_equal(rt_strv_len(a), rt_strv_len(b));
	for (size_t i = 0; a && a[i]; i++)
		assert_string_equal(a[i], b[i]);
}

static void test_round_trip(void **state)
{
	_cleanup_record_ struct ctr_record *a = full_record(), *b = NULL;
	_cleanup_free_ char *text = NULL, *again = NULL;
	struct nr_error err = { 0 };

	(void)state;
	assert_int_equal(ctr_record_to_json_text(a, &text, &err), 0);
	assert_non_null(strstr(text, "\"version\": 1"));
	assert_int_equal(ctr_record_from_json_text(text, strlen(text), "rec", &b, &err), 0);
	assert_int_equal(b->version, 1);
	assert_string_equal(b->id, a->id);
	assert_string_equal(b->name, "web");
	assert_int_equal(b->status, CTR_EXITED);
	assert_int_equal(b->pid, 4242);
	assert_true(b->pid_start == 123456789ULL);
	assert_int_equal(b->monitor, 4241);
	assert_true(b->monitor_start == 123456700ULL);
	assert_true(b->has_exit_code);
	assert_int_equal(b->exit_code, 137);
	assert_true(b->oom && b->rm && b->net.done);
	assert_string_equal(b->hostname, "webhost");
	assert_string_equal(b->user, "1000:1000");
	assert_string_equal(b->image, "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	assert_string_equal(b->image_ref, "bb:1");
	assert_int_equal(b->net.mode, CTR_NET_CNI);
	assert_string_equal(b->net.ifname, "eth0");
	assert_string_equal(b->net.name, "bridge");
	assert_non_null(strstr(b->net.conflist, "\"plugins\""));
	assert_string_equal(b->netns_path, a->netns_path);
	assert_non_null(strstr(b->capability_args, "8080"));
	assert_non_null(b->cgroup);
	assert_int_equal(b->cgroup->layout, CGROUP_LAYOUT_HYBRID);
	for (size_t i = 0; i < CGROUP_CTL_COUNT; i++) {
		if (!a->cgroup->path[i]) {
			assert_null(b->cgroup->path[i]);
			continue;
		}
		assert_string_equal(b->cgroup->path[i], a->cgroup->path[i]);
	}
	/* The co-mounted cpu,cpuacct directory is listed once in "dirs". */
	assert_non_null(strstr(text, "\"dirs\""));
	assert_strv_equal(b->argv, a->argv);
	assert_strv_equal(b->env, a->env);
	assert_strv_equal(b->net.addresses, a->net.addresses);
	assert_true(b->created == 1700000000 && b->started == 1700000001 && b->finished == 1700000002);
	assert_true(b->userns_base == 100000 && b->userns_count == 65536);
	assert_true(b->has_caps && b->caps == a->caps && b->new_privileges && !b->privileged);
	assert_false(b->seccomp_unconfined);
	assert_string_equal(b->seccomp_profile, a->seccomp_profile);
	assert_non_null(strstr(text, "\"CAP_NET_ADMIN\""));
	/* Serialising what was read gives the same document. */
	assert_int_equal(ctr_record_to_json_text(b, &again, &err), 0);
	assert_string_equal(text, again);
}

static void test_container_mode(void **state)
{
	_cleanup_record_ struct ctr_record *a = ctr_record_new(), *b = NULL;
	_cleanup_free_ char *text = NULL;

	(void)state;
	strcpy(a->id, "abc");
	strcpy(a->name, "side");
	a->status = CTR_RUNNING;
	a->net.mode = CTR_NET_CONTAINER;
	strcpy(a->net.owner, "web");
	assert_int_equal(ctr_record_to_json_text(a, &text, NULL), 0);
	assert_int_equal(ctr_record_from_json_text(text, strlen(text), "rec", &b, NULL), 0);
	assert_int_equal(b->status, CTR_RUNNING);
	assert_int_equal(b->net.mode, CTR_NET_CONTAINER);
	assert_string_equal(b->net.owner, "web");
	assert_null(b->net.name);
	assert_null(b->net.conflist);
	assert_false(b->has_exit_code);
	assert_null(b->net.addresses);
	assert_null(b->user);
	assert_null(b->image);
	assert_null(b->image_ref);
	assert_null(b->cgroup);
}

/* What the netns-run before the version field wrote (a created container, pid not yet). */
static const char *v1_record =
	"{\"id\": \"0123456789abcdef\", \"name\": \"old\", \"status\": \"created\", \"hostname\": \"old\","
	" \"monitor\": 77, \"monitor_start\": 88, \"rm\": false, \"user\": \"\","
	" \"network\": {\"mode\": \"none\", \"ifname\": \"lo\", \"owner\": \"\", \"name\": \"none\","
	" \"conflist\": {\"cniVersion\": \"1.1.0\", \"name\": \"none\", \"plugins\": [{\"type\": \"none\"}]}},"
	" \"argv\": [\"true\"], \"env\": [\"PATH=/bin\"], \"created\": 1}";

static void test_without_version(void **state)
{
	_cleanup_record_ struct ctr_record *r = NULL;
	struct nr_error err = { 0 };

	(void)state;
	assert_int_equal(ctr_record_from_json_text(v1_record, strlen(v1_record), "rec", &r, &err), 0);
	assert_int_equal(r->version, 1);
	assert_string_equal(r->name, "old");
	assert_int_equal(r->status, CTR_CREATED);
	assert_int_equal(r->pid, 0);
	assert_int_equal(r->net.mode, CTR_NET_NONE);
	assert_string_equal(r->net.ifname, "lo");
	assert_null(r->user);
	assert_string_equal(r->argv[0], "true");
	/* No "security": exec applies the defaults. */
	assert_false(r->has_caps || r->privileged || r->new_privileges || r->seccomp_unconfined);
	assert_null(r->seccomp_profile);
}

/* Issue 17: several attachments.  The first keeps version 1's keys (top-level "addresses"
 * and "net_done"); the further ones are in "networks", each with its own. */
static void test_several_networks(void **state)
{
	_cleanup_record_ struct ctr_record *a = full_record(), *b = NULL;
	_cleanup_free_ char *text = NULL, *again = NULL;
	char *al[] = { "db", "cache", NULL }, *gw[] = { "10.89.0.1", "fd00::1", NULL };
	char *ad[] = { "10.89.0.5/24", "fd00::5/64", NULL }, *gw0[] = { "10.88.0.1", NULL };
	struct nr_error err = { 0 };
	struct ctr_network *n;

	(void)state;
	a->net.ip = strdup("10.88.0.9");
	a->net.mac = strdup("02:42:ac:11:00:09");
	a->net.mac_addr = strdup("02:42:ac:11:00:09");
	a->net.gateways = rt_strv_copy(gw0);
	a->net.dns = true;
	assert_non_null(n = ctr_record_add_network(a));
	strcpy(n->ifname, "eth1");
	n->name = strdup("back");
	n->conflist = strdup("{\"cniVersion\":\"1.1.0\",\"name\":\"back\",\"plugins\":[{\"type\":\"bridge\"}]}");
	n->ip6 = strdup("fd00::5");
	n->aliases = rt_strv_copy(al);
	n->addresses = rt_strv_copy(ad);
	n->gateways = rt_strv_copy(gw);
	n->mac_addr = strdup("aa:bb:cc:dd:ee:ff");
	n->dns = true;
	assert_non_null(n = ctr_record_add_network(a));
	strcpy(n->ifname, "eth2");
	n->name = strdup("third");
	n->done = true;
	a->net.done = false;

	assert_int_equal(ctr_record_to_json_text(a, &text, &err), 0);
	assert_non_null(strstr(text, "\"networks\""));
	assert_null(strstr(text, "net_done"));
	assert_int_equal(ctr_record_from_json_text(text, strlen(text), "rec", &b, &err), 0);
	assert_false(b->net.done);
	assert_string_equal(b->net.ip, "10.88.0.9");
	assert_null(b->net.ip6);
	assert_string_equal(b->net.mac, "02:42:ac:11:00:09");
	assert_string_equal(b->net.mac_addr, "02:42:ac:11:00:09");
	assert_strv_equal(b->net.gateways, a->net.gateways);
	assert_null(b->net.aliases);
	assert_true(b->net.dns);
	assert_strv_equal(b->net.addresses, a->net.addresses);
	assert_int_equal(b->n_more, 2);
	assert_int_equal(b->more[0].mode, CTR_NET_CNI);
	assert_string_equal(b->more[0].ifname, "eth1");
	assert_string_equal(b->more[0].name, "back");
	assert_non_null(strstr(b->more[0].conflist, "\"back\""));
	assert_null(b->more[0].ip);
	assert_string_equal(b->more[0].ip6, "fd00::5");
	assert_strv_equal(b->more[0].aliases, al);
	assert_strv_equal(b->more[0].addresses, ad);
	assert_strv_equal(b->more[0].gateways, gw);
	assert_string_equal(b->more[0].mac_addr, "aa:bb:cc:dd:ee:ff");
	assert_true(b->more[0].dns && !b->more[0].done);
	assert_string_equal(b->more[1].name, "third");
	assert_true(b->more[1].done && !b->more[1].dns);
	assert_null(b->more[1].addresses);
	assert_null(b->more[1].conflist);
	assert_ptr_equal(ctr_record_network(b, "back"), &b->more[0]);
	assert_ptr_equal(ctr_record_network(b, "bridge"), &b->net);
	assert_null(ctr_record_network(b, "nope"));
	assert_int_equal(ctr_record_to_json_text(b, &again, &err), 0);
	assert_string_equal(text, again);
	/* Dropping one keeps the order of the rest. */
	ctr_record_drop_network(b, 0);
	assert_int_equal(b->n_more, 1);
	assert_string_equal(b->more[0].name, "third");
}

static void expect_refused(const char *text, const char *needle)
{
	struct ctr_record *r = NULL;
	struct nr_error err = { 0 };

	assert_true(ctr_record_from_json_text(text, strlen(text), "rec", &r, &err) < 0);
	assert_null(r);
	assert_int_equal(err.code, RT_ERR_CORRUPT);
	if (!strstr(err.msg, needle))
		fail_msg("\"%s\" does not name %s", err.msg, needle);
}

static void test_corrupt(void **state)
{
	(void)state;
	expect_refused("not json", "rec");
	expect_refused("[1, 2]", "rec");
	expect_refused("{\"name\": \"x\", \"status\": \"running\", \"network\": {\"mode\": \"none\"}}", "id");
	expect_refused("{\"id\": \"a\", \"name\": \"x\", \"status\": \"paused\", \"network\": {\"mode\": \"none\"}}",
		       "paused");
	expect_refused("{\"id\": 5, \"name\": \"x\", \"status\": \"running\", \"network\": {\"mode\": \"none\"}}",
		       "id");
	expect_refused("{\"id\": \"a\", \"name\": \"x\", \"status\": \"running\", \"pid\": \"12\","
		       " \"network\": {\"mode\": \"none\"}}",
		       "pid");
	expect_refused("{\"id\": \"a\", \"name\": \"x\", \"status\": \"running\", \"argv\": [1],"
		       " \"network\": {\"mode\": \"none\"}}",
		       "argv");
	expect_refused("{\"id\": \"a\", \"name\": \"x\", \"status\": \"running\", \"network\": {\"mode\": \"bogus\"}}",
		       "bogus");
	expect_refused("{\"id\": \"a\", \"name\": \"x\", \"status\": \"running\"}", "network");
	expect_refused("{\"id\": \"a\", \"name\": \"x\", \"status\": \"running\", \"network\": {\"mode\": \"none\"},"
		       " \"networks\": [3]}",
		       "networks[0]");
	expect_refused("{\"id\": \"a\", \"name\": \"x\", \"status\": \"running\", \"network\": {\"mode\": \"none\"},"
		       " \"networks\": [{\"mode\": \"host\", \"name\": \"n\"}]}",
		       "networks[0]");
	expect_refused("{\"id\": \"a\", \"name\": \"x\", \"status\": \"running\", \"network\": {\"mode\": \"none\"},"
		       " \"networks\": [{\"mode\": \"cni\", \"name\": \"n\", \"addresses\": [1]}]}",
		       "addresses");
	expect_refused("{\"id\": \"a\", \"name\": \"x\", \"status\": \"running\", \"network\": {\"mode\": \"none\"},"
		       " \"cgroup\": {\"mode\": \"unified\", \"paths\": {\"memory\": 3}}}",
		       "memory");
	expect_refused("{\"id\": \"a\", \"name\": \"x\", \"status\": \"running\", \"network\": {\"mode\": \"none\"},"
		       " \"security\": {\"caps\": [\"CAP_FLY\"]}}",
		       "capability");
	expect_refused("{\"id\": \"a\", \"name\": \"x\", \"status\": \"running\", \"network\": {\"mode\": \"none\"},"
		       " \"security\": {\"seccomp\": \"profile\"}}",
		       "seccomp_profile");
	expect_refused("{\"id\": \"a\", \"name\": \"x\", \"status\": \"running\", \"network\": {\"mode\": \"none\"},"
		       " \"security\": {\"seccomp\": \"maybe\"}}",
		       "maybe");
	expect_refused("{\"id\": \"a\", \"name\": \"x\", \"status\": \"running\", \"version\": \"1\","
		       " \"network\": {\"mode\": \"none\"}}",
		       "version");
}

static void test_future_version(void **state)
{
	(void)state;
	expect_refused("{\"version\": 2, \"id\": \"a\", \"name\": \"x\", \"status\": \"running\","
		       " \"network\": {\"mode\": \"none\"}}",
		       "newer");
	expect_refused("{\"version\": 0, \"id\": \"a\", \"name\": \"x\", \"status\": \"running\","
		       " \"network\": {\"mode\": \"none\"}}",
		       "version 0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),      cmocka_unit_test(test_container_mode),
		cmocka_unit_test(test_without_version), cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_future_version),  cmocka_unit_test(test_several_networks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
