/* host-local's attachment index (.nr-index): entries, the stamp that says whether the
 * store directory changed behind its back, and the store's rebuild after a foreign
 * change, in a temporary directory (kernel-free).  The index stands alone: most of these
 * drive it on a bare directory, with no store around it. */
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
#include <time.h>
#include <unistd.h>

#include "hl_fixture.h"

static int setup(void **state)
{
	return hl_fx_make(state, false);
}

/* Directory timestamps are as coarse as the file system's clock tick: a change made in
 * the same tick as the stamp could go unseen (docs/plugin-host-local.md says so), so a test that wants a
 * foreign change noticed steps past the tick first. */
static void next_tick(void)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

static void prefix(const char *s, struct ip_prefix *ret)
{
	assert_int_equal(ip_prefix_parse(s, ret), 0);
}

static void fmt(const struct ip_addr *a, const char *want)
{
	char buf[INET6_ADDRSTRLEN];

	assert_string_equal(ip_addr_format(a, buf, sizeof(buf)), want);
}

static void test_put_get_drop(void **state)
{
	struct hl_fx *f = *state;
	struct nr_error err = { 0 };
	struct ip_prefix p[2];
	struct ip_addr got[4];
	char buf[128];
	size_t n;

	assert_int_equal(hl_index_open(&f->ix, f->dirfd, f->dir, &err), 1); /* new: stale */
	prefix("10.1.0.2/24", &p[0]);
	prefix("2001:db8::2/64", &p[1]);
	assert_int_equal(hl_index_put(&f->ix, "ctr", "eth0", p, 2), 0);
	hl_fx_read(f->dir, ".nr-index/ctr@eth0", buf, sizeof(buf));
	assert_string_equal(buf, "10.1.0.2\n2001:db8::2\n");
	assert_int_equal(hl_index_get(&f->ix, "ctr", "eth0", got, 4, &n), 0);
	assert_int_equal(n, 2);
	fmt(&got[0], "10.1.0.2");
	fmt(&got[1], "2001:db8::2");
	/* At most max. */
	assert_int_equal(hl_index_get(&f->ix, "ctr", "eth0", got, 1, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(hl_index_get(&f->ix, "ctr", "eth1", got, 4, &n), 0);
	assert_int_equal(n, 0);
	hl_index_drop(&f->ix, "ctr", "eth0");
	assert_int_equal(hl_index_get(&f->ix, "ctr", "eth0", got, 4, &n), 0);
	assert_int_equal(n, 0);
}

static void test_not_indexable(void **state)
{
	struct hl_fx *f = *state;
	struct nr_error err = { 0 };
	struct ip_prefix p;
	struct ip_addr got[2];
	char longid[300];
	size_t n = 7;

	assert_true(hl_index_open(&f->ix, f->dirfd, f->dir, &err) >= 0);
	prefix("10.1.0.2/24", &p);
	memset(longid, 'a', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	assert_int_equal(hl_index_get(&f->ix, "a@b", "eth0", got, 2, &n), -ENAMETOOLONG);
	assert_int_equal(n, 0);
	assert_int_equal(hl_index_get(&f->ix, "ctr", "e/0", got, 2, &n), -ENAMETOOLONG);
	assert_int_equal(hl_index_get(&f->ix, longid, "eth0", got, 2, &n), -ENAMETOOLONG);
	assert_int_equal(hl_index_put(&f->ix, "a/b", "eth0", &p, 1), -ENAMETOOLONG);
	/* Skipped, not an error, in a rebuild. */
	assert_int_equal(hl_index_add(&f->ix, "a@b", "eth0", &p.addr, &err), 0);
}

static void test_stale_detected(void **state)
{
	struct hl_fx *f = *state;
	struct nr_error err = { 0 };

	/* New index: stale until a stamp is written. */
	assert_int_equal(hl_index_open(&f->ix, f->dirfd, f->dir, &err), 1);
	hl_index_close(&f->ix); /* nothing changed: no stamp */
	assert_int_equal(hl_index_open(&f->ix, f->dirfd, f->dir, &err), 1);
	hl_index_touch(&f->ix);
	hl_index_close(&f->ix);
	assert_int_equal(hl_index_open(&f->ix, f->dirfd, f->dir, &err), 0);
	hl_index_close(&f->ix);
	/* Anything written into the index directory leaves the store's stamp alone. */
	hl_fx_write(f->dir, ".nr-index/junk", "x");
	assert_int_equal(hl_index_open(&f->ix, f->dirfd, f->dir, &err), 0);
	hl_index_close(&f->ix);
	/* A foreign lease file changes the store directory. */
	next_tick();
	hl_fx_write(f->dir, "10.1.0.9", "x\r\neth0");
	assert_int_equal(hl_index_open(&f->ix, f->dirfd, f->dir, &err), 1);
	hl_index_touch(&f->ix);
	hl_index_close(&f->ix);
	/* A stamp that is not ours (a crash half-way, a person). */
	hl_fx_write(f->dir, ".nr-index/stamp", "garbage\n");
	assert_int_equal(hl_index_open(&f->ix, f->dirfd, f->dir, &err), 1);
	hl_index_close(&f->ix);
	/* Given up for an operation (a failed write): no stamp renewal. */
	assert_int_equal(hl_index_open(&f->ix, f->dirfd, f->dir, &err), 1);
	hl_index_touch(&f->ix);
	hl_index_abandon(&f->ix);
	assert_int_equal(hl_index_open(&f->ix, f->dirfd, f->dir, &err), 1);
}

static void test_clear_add(void **state)
{
	struct hl_fx *f = *state;
	struct nr_error err = { 0 };
	struct ip_addr a, b, got[4];
	char path[192];
	size_t n;

	assert_true(hl_index_open(&f->ix, f->dirfd, f->dir, &err) >= 0);
	hl_fx_write(f->dir, ".nr-index/.tmp.leftover", "x");
	hl_fx_write(f->dir, ".nr-index/gone@eth0", "10.9.9.9\n");
	assert_int_equal(hl_index_clear(&f->ix, &err), 0);
	snprintf(path, sizeof(path), "%s/.nr-index/gone@eth0", f->dir);
	assert_int_equal(access(path, F_OK), -1);
	snprintf(path, sizeof(path), "%s/.nr-index/.tmp.leftover", f->dir);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(ip_addr_parse("10.1.0.2", &a), 0);
	assert_int_equal(ip_addr_parse("10.1.0.3", &b), 0);
	assert_int_equal(hl_index_add(&f->ix, "ctr", "eth0", &a, &err), 0);
	assert_int_equal(hl_index_add(&f->ix, "ctr", "eth0", &b, &err), 0);
	/* An old id-only lease is indexed under "<id>@". */
	assert_int_equal(hl_index_add(&f->ix, "old", NULL, &a, &err), 0);
	assert_int_equal(hl_index_get(&f->ix, "ctr", "eth0", got, 4, &n), 0);
	assert_int_equal(n, 2);
	fmt(&got[0], "10.1.0.2");
	fmt(&got[1], "10.1.0.3");
	assert_int_equal(hl_index_get(&f->ix, "old", NULL, got, 4, &n), 0);
	assert_int_equal(n, 1);
	/* Not stamped until the rebuild says it is complete. */
	hl_index_close(&f->ix);
	assert_int_equal(hl_index_open(&f->ix, f->dirfd, f->dir, &err), 1);
	hl_index_touch(&f->ix);
	hl_index_close(&f->ix);
	assert_int_equal(hl_index_open(&f->ix, f->dirfd, f->dir, &err), 0);
}

/* Through the store: leases changed by another program (the reference plugin, a person)
 * are seen at the next open, which rebuilds the index from the lease files. */
static void test_rebuilt_after_foreign_change(void **state)
{
	struct hl_fx *f = *state;
	struct nr_error err = { 0 };
	struct hl_store *s = &f->s;
	struct ip_prefix p;
	struct ip_addr got[4];
	const char *net = f->net;
	char lease[160];
	size_t n;
	int fd;

	assert_int_equal(hl_store_open(f->dir, "net", s, &err), 0);
	prefix("10.1.0.2/24", &p);
	assert_int_equal(hl_store_reserve(s, "ctr", "eth0", &p.addr, 0, &err), 1);
	hl_store_index_put(s, "ctr", "eth0", &p, 1);
	hl_store_close(s);

	/* Unchanged: the index is trusted as it is. */
	assert_int_equal(hl_store_open(f->dir, "net", s, &err), 0);
	assert_int_equal(hl_store_indexed(s, "ctr", "eth0", got, 4, &n), 0);
	assert_int_equal(n, 1);
	fmt(&got[0], "10.1.0.2");
	hl_store_close(s);

	/* The reference adds a lease and removes ours. */
	next_tick();
	hl_fx_write(net, "10.1.0.7", "refctr\r\neth0");
	snprintf(lease, sizeof(lease), "%s/10.1.0.2", net);
	assert_int_equal(unlink(lease), 0);
	assert_int_equal(hl_store_open(f->dir, "net", s, &err), 0);
	assert_int_equal(hl_store_indexed(s, "ctr", "eth0", got, 4, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(hl_store_indexed(s, "refctr", "eth0", got, 4, &n), 0);
	assert_int_equal(n, 1);
	fmt(&got[0], "10.1.0.7");
	hl_store_close(s);

	/* The rebuilt index was stamped on close: the next open trusts it. */
	assert_true((fd = open(net, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0);
	n = (size_t)hl_index_open(&f->ix, fd, net, &err);
	hl_index_abandon(&f->ix);
	close(fd);
	assert_int_equal(n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_put_get_drop, setup, hl_fx_teardown),
		cmocka_unit_test_setup_teardown(test_not_indexable, setup, hl_fx_teardown),
		cmocka_unit_test_setup_teardown(test_stale_detected, setup, hl_fx_teardown),
		cmocka_unit_test_setup_teardown(test_clear_add, setup, hl_fx_teardown),
		cmocka_unit_test_setup_teardown(test_rebuilt_after_foreign_change, setup, hl_fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
