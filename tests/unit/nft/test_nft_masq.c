/* The nftables masquerade table against the kernel.  Only inside a private network
 * namespace: every test skips unless NR_NFT_SANDBOX=1 (tests/integration/nft_masq.sh
 * sets it after entering its sandbox).  The ruleset is inspected with `nft -j`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/ipaddr.h"
#include "nft/nft_masq.h"

static bool sandboxed(void)
{
	const char *v = getenv("NR_NFT_SANDBOX");
	return v && strcmp(v, "1") == 0;
}

#define NEED_SANDBOX()                                                                      \
	do {                                                                                \
		if (!sandboxed()) {                                                         \
			print_message("NR_NFT_SANDBOX=1 not set: not touching nftables\n"); \
			skip();                                                             \
		}                                                                           \
	} while (0)

static struct ip_prefix P(const char *s) {
	struct ip_prefix p;
	assert_int_equal(ip_prefix_parse(s, &p), 0);
	return p;
}

static void
add_ok(const char *s)
{
	struct nr_error e = { 0 };
	struct ip_prefix p = P(s);
	int r = nft_masq_add(&p, 1, "net ctr eth0", &e);
	if (r < 0)
		fail_msg("nft_masq_add(%s) = %d: %s", s, r, e.msg);
}

static void del_ok(const char *s)
{
	struct nr_error e = { 0 };
	struct ip_prefix p = P(s);
	int r = nft_masq_del(&p, 1, NULL, &e);
	if (r < 0)
		fail_msg("nft_masq_del(%s) = %d: %s", s, r, e.msg);
}

static bool has(const char *s)
{
	struct nr_error e = { 0 };
	struct ip_prefix p = P(s);
	bool b = false;
	int r = nft_masq_contains(&p, &b, &e);
	if (r < 0)
		fail_msg("nft_masq_contains(%s) = %d: %s", s, r, e.msg);
	return b;
}

/* Output of a shell command, first line, trailing newline cut. */
static void sh(const char *cmd, char *out, size_t len)
{
	FILE *f = popen(cmd, "r");
	assert_non_null(f);
	out[0] = '\0';
	if (!fgets(out, (int)len, f))
		out[0] = '\0';
	pclose(f);
	out[strcspn(out, "\n")] = '\0';
}

static int count(const char *jq)
{
	char cmd[512], out[64];
	snprintf(cmd, sizeof(cmd), "nft -j list table inet netns-run 2>/dev/null | jq '%s'", jq);
	sh(cmd, out, sizeof(out));
	return out[0] ? atoi(out) : -1;
}

#define RULES "[.nftables[] | select(.rule)] | length"

static void reset(void)
{
	system("nft delete table inet netns-run 2>/dev/null");
}

static void test_add_contains_del_v4(void **state)
{
	NEED_SANDBOX();
	reset();
	assert_false(has("10.88.0.5/16"));
	add_ok("10.88.0.5/16");
	assert_true(has("10.88.0.5/16"));
	assert_false(has("10.88.0.5/24")); /* other subnet length: not this entry */
	assert_false(has("10.88.0.6/16"));
	assert_int_equal(count(RULES), 4);
	assert_int_equal(count("[.nftables[] | select(.set.name == \"ctr4\") | .set.elem[]] | length"), 1);
	assert_int_equal(count("[.nftables[] | select(.set.name == \"own4\") | .set.elem[]] | length"), 1);
	add_ok("10.88.0.5/16"); /* idempotent */
	assert_int_equal(count(RULES), 4);
	assert_true(has("10.88.0.5/16"));
	del_ok("10.88.0.5/16");
	assert_false(has("10.88.0.5/16"));
	assert_int_equal(count("[.nftables[] | select(.set.name == \"own4\") | .set.elem // [] | .[]] | length"), 0);
	del_ok("10.88.0.5/16"); /* idempotent */
	reset();
	del_ok("10.88.0.5/16"); /* no table at all */
	assert_false(has("10.88.0.5/16"));
}

static void test_v6_and_constant_rules(void **state)
{
	NEED_SANDBOX();
	reset();
	add_ok("fd00:88::5/64");
	assert_true(has("fd00:88::5/64"));
	int rules = count(RULES);
	assert_int_equal(rules, 4);
	add_ok("fd00:88::6/64");
	add_ok("10.88.0.7/24");
	add_ok("10.89.0.7/24");
	assert_int_equal(count(RULES), rules);
	assert_true(has("fd00:88::6/64"));
	assert_true(has("10.89.0.7/24"));
	del_ok("fd00:88::5/64");
	assert_false(has("fd00:88::5/64"));
	assert_true(has("fd00:88::6/64"));
	reset();
}

struct seen {
	char s[8][IP_PREFIX_STRLEN];
	int n;
};

static int on_entry(const struct ip_prefix *p, const char *owner, void *data)
{
	struct seen *s = data;
	if (s->n < 8)
		ip_prefix_format(p, s->s[s->n++], IP_PREFIX_STRLEN);
	return 0;
}

static void test_list(void **state)
{
	struct nr_error e = { 0 };
	struct seen s = { 0 };

	NEED_SANDBOX();
	reset();
	assert_int_equal(nft_masq_list(on_entry, &s, &e), 0);
	assert_int_equal(s.n, 0);
	add_ok("10.88.0.5/16");
	add_ok("fd00:88::5/64");
	add_ok("192.0.2.9/32");
	assert_int_equal(nft_masq_list(on_entry, &s, &e), 0);
	assert_int_equal(s.n, 3);
	bool a = false, b = false, c = false;
	for (int i = 0; i < s.n; i++) {
		a |= strcmp(s.s[i], "10.88.0.5/16") == 0;
		b |= strcmp(s.s[i], "fd00:88::5/64") == 0;
		c |= strcmp(s.s[i], "192.0.2.9/32") == 0;
	}
	assert_true(a && b && c);
	reset();
}

static void test_errors(void **state)
{
	struct nr_error e = { 0 };
	struct ip_prefix p = P("10.88.0.5/16");

	NEED_SANDBOX();
	reset();
	add_ok("10.88.0.5/16");
	/* Same address, overlapping other subnet: the kernel refuses; the message says so. */
	p.len = 8;
	int r = nft_masq_add(&p, 1, NULL, &e);
	if (r < 0) {
		assert_int_equal(e.code, 100);
		assert_non_null(strstr(e.msg, "10.88.0.5/8"));
		print_message("overlap refused as expected: %s\n", e.msg);
	}
	p.len = 33;
	assert_int_equal(nft_masq_add(&p, 1, NULL, &e), -EINVAL);
	reset();
}

#define HANDLES "[.nftables[] | select(.rule) | .rule.handle | tostring] | join(\",\")"
#define MASQ_RULES "[.nftables[] | select(.rule) | .rule.expr[] | select(has(\"masquerade\"))] | length"

static void handles(char *out, size_t len)
{
	sh("nft -j list chain inet netns-run postrouting | jq -r '" HANDLES "'", out, len);
}

/* Once the chain is right, an add only adds elements (the rules keep their handles: they
 * were not rewritten); a chain that lost or changed a rule is written whole again. */
static void test_steady_state_keeps_rules(void **state)
{
	char before[128], after[128], cmd[256];

	NEED_SANDBOX();
	reset();
	add_ok("10.88.0.5/16");
	handles(before, sizeof(before));
	add_ok("10.88.0.6/16");
	add_ok("fd00:88::6/64");
	handles(after, sizeof(after));
	assert_string_equal(after, before);
	assert_int_equal(count(RULES), 4);

	/* A rule deleted by hand: the next add restores all four. */
	snprintf(cmd, sizeof(cmd), "nft delete rule inet netns-run postrouting handle %.*s", (int)strcspn(before, ","),
		 before);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(count(RULES), 3);
	add_ok("10.88.0.7/16");
	assert_int_equal(count(RULES), 4);
	assert_int_equal(count(MASQ_RULES), 2);
	handles(after, sizeof(after));
	assert_string_not_equal(after, before);

	/* Four rules, but one of them not ours: rewritten too. */
	handles(before, sizeof(before));
	snprintf(cmd, sizeof(cmd), "nft replace rule inet netns-run postrouting handle %s ip saddr @ctr4 accept",
		 strrchr(before, ',') ? strrchr(before, ',') + 1 : before);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(count(MASQ_RULES), 1);
	add_ok("10.88.0.8/16");
	assert_int_equal(count(RULES), 4);
	assert_int_equal(count(MASQ_RULES), 2);
	assert_true(has("10.88.0.5/16") && has("10.88.0.6/16") && has("10.88.0.7/16") && has("10.88.0.8/16"));
	assert_true(has("fd00:88::6/64"));

	/* The table removed under us: the add makes it again. */
	reset();
	add_ok("10.88.0.9/16");
	assert_int_equal(count(RULES), 4);
	assert_true(has("10.88.0.9/16"));
	reset();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_contains_del_v4),
		cmocka_unit_test(test_v6_and_constant_rules),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_steady_state_keeps_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
