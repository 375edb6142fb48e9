/* proctitle: a forked child's own name in /proc, its environment blanked there. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/proctitle.h"

static size_t read_proc(pid_t pid, const char *what, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	n = read(fd, buf, len);
	close(fd);
	assert_true(n >= 0);
	return (size_t)n;
}

/* A child renames itself and says so on a pipe, then waits to be looked at. */
static void look_at_renamed_child(const char *name, const char *want_cmdline)
{
	char buf[8192], c;
	int ready[2], hold[2];
	size_t n;
	pid_t pid;

	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(hold), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(ready[0]);
		close(hold[1]);
		c = proctitle_set(name) == 0 ? 'y' : 'n';
		if (write(ready[1], &c, 1) != 1 || read(hold[0], &c, 1) < 0)
			_exit(2);
		_exit(0);
	}
	close(ready[1]);
	close(hold[0]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	assert_int_equal(c, 'y');
	n = read_proc(pid, "cmdline", buf, sizeof(buf));
	assert_true(n >= strlen(want_cmdline));
	assert_memory_equal(buf, want_cmdline, strlen(want_cmdline));
	assert_true(n == strlen(want_cmdline) || buf[strlen(want_cmdline)] == '\0');
	n = read_proc(pid, "comm", buf, sizeof(buf));
	assert_true(n > 0 && strncmp(buf, name, n - 1 < 15 ? n - 1 : 15) == 0);
	n = read_proc(pid, "environ", buf, sizeof(buf));
	assert_null(memchr(buf, '=', n)); /* no variable left (a long name may run into it) */
	close(hold[1]);
	close(ready[0]);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void test_short_name(void **state)
{
	look_at_renamed_child("x", "x");
}

/* Longer than this test's own command line: it runs on into the environment's room. */
static void test_long_name(void **state)
{
	char name[200];

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	look_at_renamed_child(name, name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_name),
		cmocka_unit_test(test_long_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
