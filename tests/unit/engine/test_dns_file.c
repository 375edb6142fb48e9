/* The names file of a network's DNS responder as text and struct (runtime/engine/
 * dns_file.c): add, replace, remove, gateways, the v4/v6 split, duplicates, names the
 * file cannot hold, and aardvark-dns 1.4's text read back as written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/dns_file.h"
#include "engine/rt_error.h"

#define ID_A "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ID_B "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define ID_C "aaaaaaaaaaaabbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

/* n as text, compared with want. */
static void assert_text(const struct dns_file *n, const char *want)
{
	char *text = dns_file_format(n);

	assert_non_null(text);
	assert_string_equal(text, want);
	free(text);
}

static void test_empty(void **state)
{
	struct dns_file n = { 0 };

	(void)state;
	assert_int_equal(dns_file_parse(NULL, &n), 0);
	assert_int_equal(n.n, 0);
	assert_non_null(n.gateways);
	assert_null(n.gateways[0]);
	assert_text(&n, "\n");
	assert_int_equal(dns_file_parse("", &n), 0);
	assert_int_equal(n.n, 0);
	assert_false(dns_file_drop(&n, ID_A));
	assert_int_equal(dns_file_keep(&n, NULL), 0);
	dns_file_clear(&n);
}

static void test_add(void **state)
{
	struct dns_file n = { 0 };
	struct nr_error err = { 0 };
	char *gws[] = { "10.89.0.1", "fd00:89::1/64", NULL };
	char *addrs[] = { "10.89.0.2/24", "FD00:89:0::2/64", NULL };
	char *aliases[] = { "DB", "cache.internal", NULL };
	struct dns_entry e = { .id = ID_A, .name = "Web", .aliases = aliases, .addresses = addrs };

	(void)state;
	assert_int_equal(dns_file_parse(NULL, &n), 0);
	assert_int_equal(dns_file_set(&n, &e, gws, &err), 0);
	/* Prefixes gone, v6 canonical, names lowercased: name, aliases, short id. */
	assert_text(&n, "10.89.0.1,fd00:89::1\n" ID_A " 10.89.0.2 fd00:89::2 web,db,cache.internal,0123456789ab\n");
	const struct dns_file_entry *f = dns_file_find(&n, ID_A);
	assert_non_null(f);
	assert_string_equal(f->names[0], "web");
	assert_null(dns_file_find(&n, ID_B));
	dns_file_clear(&n);
}

static void test_split_and_empty_fields(void **state)
{
	struct dns_file n = { 0 };
	struct nr_error err = { 0 };
	char *gws[] = { "10.0.0.1", NULL };
	char *v4only[] = { "10.0.0.2/24", "10.0.0.3", NULL };
	char *v6only[] = { "fd00::5/64", NULL };
	struct dns_entry a = { .id = ID_A, .name = "a", .addresses = v4only };
	struct dns_entry b = { .id = ID_B, .name = "b", .addresses = v6only };
	struct dns_entry c = { .id = ID_C, .name = "c" };

	(void)state;
	assert_int_equal(dns_file_parse(NULL, &n), 0);
	assert_int_equal(dns_file_set(&n, &a, gws, &err), 0);
	assert_int_equal(dns_file_set(&n, &b, NULL, &err), 0);
	assert_int_equal(dns_file_set(&n, &c, NULL, &err), 0);
	/* An empty list keeps its field: two spaces in a row (aardvark splits on each). */
	assert_text(&n, "10.0.0.1\n" ID_A " 10.0.0.2,10.0.0.3  a,0123456789ab\n" ID_B "  fd00::5 b,fedcba987654\n" ID_C
			"   c,aaaaaaaaaaaa\n");
	dns_file_clear(&n);
}

static void test_dedupe(void **state)
{
	struct dns_file n = { 0 };
	struct nr_error err = { 0 };
	char *gws[] = { "10.0.0.1/24", "10.0.0.1", NULL };
	char *addrs[] = { "10.0.0.2/24", "10.0.0.2", "fd00::2", "fd00:0:0::2/64", NULL };
	/* The name again as an alias, in another case; an alias equal to the short id. */
	char *aliases[] = { "WEB", "web", "0123456789AB", NULL };
	struct dns_entry e = { .id = ID_A, .name = "web", .aliases = aliases, .addresses = addrs };

	(void)state;
	assert_int_equal(dns_file_parse(NULL, &n), 0);
	assert_int_equal(dns_file_set(&n, &e, gws, &err), 0);
	assert_text(&n, "10.0.0.1\n" ID_A " 10.0.0.2 fd00::2 web,0123456789ab\n");
	dns_file_clear(&n);
}

static void test_replace_keeps_place_and_gateways(void **state)
{
	struct dns_file n = { 0 };
	struct nr_error err = { 0 };
	char *gw4[] = { "10.0.0.1", NULL };
	char *gw6[] = { "fd00::1", "10.0.0.1", NULL };
	char *a1[] = { "10.0.0.2", NULL }, *a2[] = { "10.0.0.9", NULL }, *b1[] = { "10.0.0.3", NULL };
	char *alias[] = { "api", NULL };
	struct dns_entry a = { .id = ID_A, .name = "a", .addresses = a1 };
	struct dns_entry b = { .id = ID_B, .name = "b", .addresses = b1 };
	struct dns_entry a_again = { .id = ID_A, .name = "a", .aliases = alias, .addresses = a2 };

	(void)state;
	assert_int_equal(dns_file_parse(NULL, &n), 0);
	assert_int_equal(dns_file_set(&n, &a, gw4, &err), 0);
	assert_int_equal(dns_file_set(&n, &b, gw6, &err), 0);
	/* No gateways given: the known ones stay. */
	assert_int_equal(dns_file_set(&n, &a_again, NULL, &err), 0);
	assert_int_equal(n.n, 2);
	assert_text(&n, "10.0.0.1,fd00::1\n" ID_A " 10.0.0.9  a,api,0123456789ab\n" ID_B " 10.0.0.3  b,fedcba987654\n");
	dns_file_clear(&n);
}

static void test_drop_and_keep(void **state)
{
	struct dns_file n = { 0 };
	const char *text = "10.0.0.1\n" ID_A " 10.0.0.2  a,0123456789ab\n" ID_B " 10.0.0.3  b,fedcba987654\n" ID_C
			   " 10.0.0.4  c,aaaaaaaaaaaa\n";
	char *live[] = { ID_C, "not-on-this-network", NULL };

	(void)state;
	assert_int_equal(dns_file_parse(text, &n), 0);
	assert_int_equal(n.n, 3);
	assert_true(dns_file_drop(&n, ID_B));
	assert_false(dns_file_drop(&n, ID_B));
	assert_text(&n, "10.0.0.1\n" ID_A " 10.0.0.2  a,0123456789ab\n" ID_C " 10.0.0.4  c,aaaaaaaaaaaa\n");
	assert_int_equal(dns_file_keep(&n, live), 1);
	assert_text(&n, "10.0.0.1\n" ID_C " 10.0.0.4  c,aaaaaaaaaaaa\n");
	assert_int_equal(dns_file_keep(&n, NULL), 1);
	assert_int_equal(n.n, 0);
	/* The gateways outlive the entries (the caller removes the file then). */
	assert_text(&n, "10.0.0.1\n");
	dns_file_clear(&n);
}

static void test_parse_round_trip(void **state)
{
	struct dns_file n = { 0 };
	const char *text = "10.0.0.1,fd00::1\n" ID_A " 10.0.0.2,10.0.0.5 fd00::2 web,db,0123456789ab\n" ID_B
			   "  fd00::3 b,fedcba987654\n";

	(void)state;
	assert_int_equal(dns_file_parse(text, &n), 0);
	assert_int_equal(n.n, 2);
	assert_string_equal(n.entries[0].v4[1], "10.0.0.5");
	assert_null(n.entries[1].v4[0]);
	assert_string_equal(n.entries[1].v6[0], "fd00::3");
	assert_text(&n, text);
	dns_file_clear(&n);
}

static void test_parse_lenient(void **state)
{
	struct dns_file n = { 0 };
	/* Aardvark's extras (network DNS servers on line 1, a container's in a fifth field)
	 * are not ours and dropped; short lines and a second line for an id are dropped; no
	 * final newline is fine. */
	const char *text = "10.0.0.1 9.9.9.9\n"
			   "\n"
			   "broken line\n" ID_A " 10.0.0.2  a,0123456789ab 1.1.1.1\n" ID_A " 10.0.0.7  other\n" ID_B
			   " 10.0.0.3  \n" ID_C " 10.0.0.4  c";

	(void)state;
	assert_int_equal(dns_file_parse(text, &n), 0);
	assert_int_equal(n.n, 2);
	assert_text(&n, "10.0.0.1\n" ID_A " 10.0.0.2  a,0123456789ab\n" ID_C " 10.0.0.4  c\n");
	/* A second parse into the same struct replaces it. */
	assert_int_equal(dns_file_parse("10.0.0.9\n", &n), 0);
	assert_int_equal(n.n, 0);
	assert_string_equal(n.gateways[0], "10.0.0.9");
	dns_file_clear(&n);
}

static void test_refused(void **state)
{
	struct dns_file n = { 0 };
	struct nr_error err = { 0 };
	char *gws[] = { "10.0.0.1", NULL };
	char *bad_gw[] = { "10.0.0.300", NULL };
	char *addrs[] = { "10.0.0.2", NULL };
	char *bad_addr[] = { "web", NULL };
	char long_label[80];

	(void)state;
	memset(long_label, 'a', 64);
	long_label[64] = '\0';
	const char *bad_names[] = { "a b", "a,b", "web\n10.0.0.9 x", "", ".web", "web.", "a..b", long_label, "a/b" };
	assert_int_equal(dns_file_parse("10.0.0.1\n" ID_B " 10.0.0.3  b\n", &n), 0);
	for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
		char *aliases[] = { (char *)bad_names[i], NULL };
		struct dns_entry as_alias = { .id = ID_A, .name = "ok", .aliases = aliases, .addresses = addrs };
		struct dns_entry as_name = { .id = ID_A, .name = bad_names[i], .addresses = addrs };
		nr_error_clear(&err);
		assert_int_equal(dns_file_set(&n, &as_alias, gws, &err), -EINVAL);
		assert_int_equal(err.code, RT_ERR_USAGE);
		assert_int_equal(dns_file_set(&n, &as_name, gws, &err), -EINVAL);
	}
	struct dns_entry bad_id = { .id = "x y", .name = "ok", .addresses = addrs };
	struct dns_entry no_id = { .name = "ok", .addresses = addrs };
	struct dns_entry bad_address = { .id = ID_A, .name = "ok", .addresses = bad_addr };
	struct dns_entry good = { .id = ID_A, .name = "ok", .addresses = addrs };
	assert_int_equal(dns_file_set(&n, &bad_id, gws, &err), -EINVAL);
	assert_int_equal(dns_file_set(&n, &no_id, gws, &err), -EINVAL);
	assert_int_equal(dns_file_set(&n, &bad_address, gws, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "\"web\""));
	assert_int_equal(dns_file_set(&n, &good, bad_gw, &err), -EINVAL);
	/* Nothing of the refused ones went in. */
	assert_text(&n, "10.0.0.1\n" ID_B " 10.0.0.3  b\n");
	/* A 63-character label and dots between labels are fine, as are Docker's '_'. */
	long_label[63] = '\0';
	char *ok_aliases[] = { long_label, "a.b-c", "my_app", NULL };
	struct dns_entry ok = { .id = ID_A, .name = "ok", .aliases = ok_aliases, .addresses = addrs };
	assert_int_equal(dns_file_set(&n, &ok, gws, &err), 0);
	assert_int_equal(n.n, 2);
	dns_file_clear(&n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_split_and_empty_fields),
		cmocka_unit_test(test_dedupe),
		cmocka_unit_test(test_replace_keeps_place_and_gateways),
		cmocka_unit_test(test_drop_and_keep),
		cmocka_unit_test(test_parse_round_trip),
		cmocka_unit_test(test_parse_lenient),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
