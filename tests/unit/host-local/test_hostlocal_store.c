/* host-local's lease store: reserve, release, last reserved, and the reference's on-disk
 * format, in a temporary directory (kernel-free). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hl_fixture.h"

static int setup(void **state)
{
	return hl_fx_make(state, true);
}

static void ip(const char *s, struct ip_addr *ret)
{
	assert_int_equal(ip_addr_parse(s, ret), 0);
}

static void test_open_layout(void **state)
{
	struct hl_fx *f = *state;

	assert_true(hl_fx_exists(f->net, "lock"));
	assert_true(hl_fx_exists(f->net, ".nr-index"));
	assert_true(f->s.dirfd >= 0 && f->s.lockfd >= 0 && f->s.index.fd >= 0);
}

static void test_reserve(void **state)
{
	struct hl_fx *f = *state;
	struct nr_error err = { 0 };
	struct ip_addr a, b;
	char buf[128];

	ip("10.1.0.2", &a);
	assert_false(hl_store_is_leased(&f->s, &a));
	assert_int_equal(hl_store_reserve(&f->s, "ctr", "eth0", &a, 0, &err), 1);
	assert_true(hl_store_is_leased(&f->s, &a));
	/* The reference's format, to the byte. */
	hl_fx_read(f->net, "10.1.0.2", buf, sizeof(buf));
	assert_string_equal(buf, "ctr\r\neth0");
	hl_fx_read(f->net, "last_reserved_ip.0", buf, sizeof(buf));
	assert_string_equal(buf, "10.1.0.2");
	/* Already leased: 0, and the lease is untouched. */
	assert_int_equal(hl_store_reserve(&f->s, "other", "eth1", &a, 0, &err), 0);
	hl_fx_read(f->net, "10.1.0.2", buf, sizeof(buf));
	assert_string_equal(buf, "ctr\r\neth0");
	assert_true(hl_store_lease_is(&f->s, &a, "ctr", "eth0"));
	assert_false(hl_store_lease_is(&f->s, &a, "ctr", "eth1"));
	assert_false(hl_store_lease_is(&f->s, &a, "other", "eth0"));
	ip("2001:db8::5", &b);
	assert_int_equal(hl_store_reserve(&f->s, "ctr", "eth0", &b, 1, &err), 1);
	assert_true(hl_fx_exists(f->net, "2001:db8::5"));
	hl_fx_read(f->net, "last_reserved_ip.1", buf, sizeof(buf));
	assert_string_equal(buf, "2001:db8::5");
}

static void test_last_reserved(void **state)
{
	struct hl_fx *f = *state;
	struct nr_error err = { 0 };
	struct ip_addr a, b, got;
	char buf[INET6_ADDRSTRLEN];

	assert_int_equal(hl_store_last_reserved(&f->s, 0, &got), -ENOENT);
	ip("10.1.0.7", &a);
	ip("10.1.0.9", &b);
	assert_int_equal(hl_store_reserve(&f->s, "c1", "eth0", &a, 0, &err), 1);
	assert_int_equal(hl_store_reserve(&f->s, "c2", "eth0", &b, 0, &err), 1);
	assert_int_equal(hl_store_last_reserved(&f->s, 0, &got), 0);
	assert_string_equal(ip_addr_format(&got, buf, sizeof(buf)), "10.1.0.9");
	assert_int_equal(hl_store_last_reserved(&f->s, 3, &got), -ENOENT);
	/* The reference may leave a newline or spaces after the address. */
	hl_fx_write(f->net, "last_reserved_ip.3", "10.1.0.42\n");
	assert_int_equal(hl_store_last_reserved(&f->s, 3, &got), 0);
	assert_string_equal(ip_addr_format(&got, buf, sizeof(buf)), "10.1.0.42");
}

static int count_lease(struct hl_store *s, const struct hl_lease *l, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static void test_release_by_id_ifname(void **state)
{
	struct hl_fx *f = *state;
	struct nr_error err = { 0 };
	struct ip_addr a, b, c, d;
	int n = 0;

	ip("10.1.0.2", &a);
	ip("10.1.0.3", &b);
	ip("10.1.0.4", &c);
	ip("10.1.0.5", &d);
	assert_int_equal(hl_store_reserve(&f->s, "ctr", "eth0", &a, 0, &err), 1);
	assert_int_equal(hl_store_reserve(&f->s, "ctr", "eth0", &b, 1, &err), 1);
	assert_int_equal(hl_store_reserve(&f->s, "ctr", "eth1", &c, 0, &err), 1);
	assert_int_equal(hl_store_reserve(&f->s, "other", "eth0", &d, 0, &err), 1);
	/* Not indexed (no hl_store_index_put): found by the scan. */
	assert_int_equal(hl_store_release(&f->s, "ctr", "eth0", &err), 2);
	assert_false(hl_store_is_leased(&f->s, &a));
	assert_false(hl_store_is_leased(&f->s, &b));
	assert_true(hl_store_is_leased(&f->s, &c));
	assert_true(hl_store_is_leased(&f->s, &d));
	/* Idempotent: nothing left is success with 0. */
	assert_int_equal(hl_store_release(&f->s, "ctr", "eth0", &err), 0);
	assert_int_equal(hl_store_release(&f->s, "nobody", "eth0", &err), 0);
	assert_int_equal(hl_store_foreach(&f->s, count_lease, &n, &err), 0);
	assert_int_equal(n, 2);
}

static void test_release_indexed(void **state)
{
	struct hl_fx *f = *state;
	struct nr_error err = { 0 };
	struct ip_prefix p[2];
	struct ip_addr got[4];
	size_t n;

	assert_int_equal(ip_prefix_parse("10.1.0.2/24", &p[0]), 0);
	assert_int_equal(ip_prefix_parse("2001:db8::2/64", &p[1]), 0);
	assert_int_equal(hl_store_reserve(&f->s, "ctr", "eth0", &p[0].addr, 0, &err), 1);
	assert_int_equal(hl_store_reserve(&f->s, "ctr", "eth0", &p[1].addr, 1, &err), 1);
	hl_store_index_put(&f->s, "ctr", "eth0", p, 2);
	assert_int_equal(hl_store_indexed(&f->s, "ctr", "eth0", got, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(hl_store_release(&f->s, "ctr", "eth0", &err), 2);
	assert_false(hl_store_is_leased(&f->s, &p[0].addr));
	assert_false(hl_store_is_leased(&f->s, &p[1].addr));
	/* The entry went with the leases. */
	assert_int_equal(hl_store_indexed(&f->s, "ctr", "eth0", got, 4, &n), 0);
	assert_int_equal(n, 0);
}

static void test_remove(void **state)
{
	struct hl_fx *f = *state;
	struct nr_error err = { 0 };
	struct ip_addr a;

	ip("10.1.0.2", &a);
	assert_int_equal(hl_store_reserve(&f->s, "ctr", "eth0", &a, 0, &err), 1);
	assert_int_equal(hl_store_remove(&f->s, &a, &err), 0);
	assert_false(hl_store_is_leased(&f->s, &a));
	/* Already gone is not an error. */
	assert_int_equal(hl_store_remove(&f->s, &a, &err), 0);
}

struct seen {
	char what[8][80];
	int n;
};

static int collect(struct hl_store *s, const struct hl_lease *l, void *arg)
{
	struct seen *v = arg;
	char buf[INET6_ADDRSTRLEN];

	if (v->n < 8)
		snprintf(v->what[v->n++], sizeof(v->what[0]), "%s %s %s", ip_addr_format(&l->ip, buf, sizeof(buf)),
			 l->id, l->ifname ? l->ifname : "-");
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Lease files as the reference plugin writes them (current and old id-only formats,
 * with the whitespace it trims), beside files that are not leases. */
static void test_reference_format(void **state)
{
	struct hl_fx *f = *state;
	struct nr_error err = { 0 };
	struct seen v = { 0 };
	struct ip_addr a;

	hl_fx_write(f->net, "10.2.0.2", "refctr\r\neth0");
	hl_fx_write(f->net, "10.2.0.3", "  oldctr\n");
	hl_fx_write(f->net, "fd00::3", "refctr\r\nnet1\r\n");
	hl_fx_write(f->net, "last_reserved_ip.0", "10.2.0.3");
	hl_fx_write(f->net, "not-a-lease", "refctr\r\neth0");
	assert_int_equal(hl_store_foreach(&f->s, collect, &v, &err), 0);
	assert_int_equal(v.n, 3);
	qsort(v.what, (size_t)v.n, sizeof(v.what[0]), cmp);
	assert_string_equal(v.what[0], "10.2.0.2 refctr eth0");
	assert_string_equal(v.what[1], "10.2.0.3 oldctr -");
	assert_string_equal(v.what[2], "fd00::3 refctr net1");
	ip("10.2.0.2", &a);
	assert_true(hl_store_lease_is(&f->s, &a, "refctr", "eth0"));
	ip("10.2.0.3", &a);
	assert_true(hl_store_lease_is(&f->s, &a, "oldctr", NULL));
	assert_false(hl_store_lease_is(&f->s, &a, "oldctr", "eth0"));
	/* As the reference: an id-only lease goes when nothing of the current format matched. */
	assert_int_equal(hl_store_release(&f->s, "oldctr", "eth0", &err), 1);
	assert_false(hl_fx_exists(f->net, "10.2.0.3"));
	assert_int_equal(hl_store_release(&f->s, "refctr", "net1", &err), 1);
	assert_false(hl_fx_exists(f->net, "fd00::3"));
	assert_true(hl_fx_exists(f->net, "10.2.0.2"));
	assert_true(hl_fx_exists(f->net, "not-a-lease"));
}

static void test_reopen_keeps_leases(void **state)
{
	struct hl_fx *f = *state;
	struct nr_error err = { 0 };
	struct ip_addr a;

	ip("10.1.0.2", &a);
	assert_int_equal(hl_store_reserve(&f->s, "ctr", "eth0", &a, 0, &err), 1);
	hl_store_close(&f->s);
	assert_int_equal(f->s.dirfd, -1);
	assert_int_equal(hl_store_open(f->dir, "net", &f->s, &err), 0);
	assert_true(hl_store_lease_is(&f->s, &a, "ctr", "eth0"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_layout, setup, hl_fx_teardown),
		cmocka_unit_test_setup_teardown(test_reserve, setup, hl_fx_teardown),
		cmocka_unit_test_setup_teardown(test_last_reserved, setup, hl_fx_teardown),
		cmocka_unit_test_setup_teardown(test_release_by_id_ifname, setup, hl_fx_teardown),
		cmocka_unit_test_setup_teardown(test_release_indexed, setup, hl_fx_teardown),
		cmocka_unit_test_setup_teardown(test_remove, setup, hl_fx_teardown),
		cmocka_unit_test_setup_teardown(test_reference_format, setup, hl_fx_teardown),
		cmocka_unit_test_setup_teardown(test_reopen_keeps_leases, setup, hl_fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
