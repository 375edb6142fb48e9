/* Docker's detach keys as the daemon reads ?detachKeys= (runtime/daemon/relay.c):
 * the default, ctrl- names, single characters, and what is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "daemon/relay.h"

static void test_default(void **state)
{
	char k[RELAY_DETACH_MAX];
	size_t n = 0;

	assert_int_equal(relay_detach_keys(NULL, k, &n), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(k, "\x10\x11", 2);
	assert_int_equal(relay_detach_keys("", k, &n), 0);
	assert_int_equal(n, 2);
}

static void test_forms(void **state)
{
	char k[RELAY_DETACH_MAX];
	size_t n = 0;

	assert_int_equal(relay_detach_keys("ctrl-a,x", k, &n), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(k, "\x01x", 2);
	assert_int_equal(relay_detach_keys("CTRL-Z", k, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(k[0], 26);
	assert_int_equal(relay_detach_keys("ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_", k, &n), 0);
	assert_int_equal(n, 6);
	assert_memory_equal(k, "\x00\x1b\x1c\x1d\x1e\x1f", 6);
	assert_int_equal(relay_detach_keys("a,b,c", k, &n), 0);
	assert_int_equal(n, 3);
}

static void test_refused(void **state)
{
	static const char *const bad[] = { "ctrl-", "ctrl-1", "ctrl-ab", "ab", ",", "a,", "a,,b", "x,ctrl-?" };
	char k[RELAY_DETACH_MAX], many[64] = "a";
	size_t n = 0;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_true(relay_detach_keys(bad[i], k, &n) < 0);
	for (int i = 1; i <= RELAY_DETACH_MAX; i++)
		strcat(many, ",a");
	assert_true(relay_detach_keys(many, k, &n) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default),
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
