/* The responder's life cycle as the engine drives it (runtime/engine/dns_net.c,
 * dns_proc.c): join starts it, a further join reloads it (SIGHUP), the last leave stops
 * it, ensure restarts a dead one, gc drops the names of dead containers and the
 * directories of removed networks, two joins at once lose nothing and start one.  No
 * kernel networking: NETNS_RUN_DNS_BIN names this very program, which plays a responder
 * when given arguments (the flock on DIR/pid, a daemon that reports once ready, SIGHUP
 * counted in DIR/fake-hups), in a private NETNS_RUN_STATE_DIR. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/dns_net.h"
#include "engine/dns_proc.h"
#include "engine/rt.h"
#include "engine/rt_error.h"

#define ID_A "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ID_B "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

extern char **environ;

static char tmp[PATH_MAX];
static const char *self; /* argv[0]: under valgrind, /proc/self/exe is valgrind's tool */

/* ---- the fake responder (this program with arguments) ---- */

static volatile sig_atomic_t hups;

static void on_hup(int sig)
{
	(void)sig;
	hups++;
}

static void fake_append(const char *dir, const char *file, const char *line)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if ((f = fopen(path, "a"))) {
		fputs(line, f);
		fclose(f);
	}
}

static bool fake_has(const char *dir, const char *file)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return access(path, F_OK) == 0;
}

static int fake_responder(int argc, char **argv)
{
	const char *dir = argv[argc - 1];
	char path[PATH_MAX], line[PATH_MAX + 64], msg[200] = "";
	int p[2], fd;
	FILE *f;

	snprintf(path, sizeof(path), "%s/fake-fail", dir);
	if ((f = fopen(path, "r"))) {
		if (!fgets(msg, sizeof(msg), f))
			msg[0] = '\0';
		fclose(f);
		fprintf(stderr, "netns-run-dns: %s\n", msg);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/pid", dir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0) {
		fprintf(stderr, "netns-run-dns: already running\n");
		return 1;
	}
	if (pipe(p) < 0)
		return 1;
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid > 0) {
		char c;
		close(p[1]);
		return read(p[0], &c, 1) == 1 ? 0 : 1;
	}
	close(p[0]);
	setsid();
	/* What it was given: the arguments, the environment, the blocked signals. */
	line[0] = '\0';
	for (int i = 1; i < argc; i++)
		snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s%s", i > 1 ? " " : "", argv[i]);
	strcat(line, "\n");
	fake_append(dir, "fake-args", line);
	for (char **e = environ; *e; e++) {
		snprintf(line, sizeof(line), "%s\n", *e);
		fake_append(dir, "fake-env", line);
	}
	sigset_t cur;
	sigprocmask(SIG_SETMASK, NULL, &cur);
	fake_append(dir, "fake-mask",
		    sigismember(&cur, SIGHUP) || sigismember(&cur, SIGTERM) ? "blocked\n" : "clear\n");
	fake_append(dir, "fake-starts", "start\n");
	struct sigaction sa = { .sa_handler = on_hup };
	sigaction(SIGHUP, &sa, NULL);
	if (fake_has(dir, "fake-ignore-term"))
		signal(SIGTERM, SIG_IGN);
	snprintf(line, sizeof(line), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, line, strlen(line), 0) < 0)
		_exit(1);
	/* stderr stays open, as a careless daemon's would: the engine must not wait for EOF. */
	if (write(p[1], "R", 1) != 1)
		_exit(1);
	close(p[1]);
	sig_atomic_t seen = 0;
	for (;;) {
		pause();
		while (seen < hups) {
			seen++;
			fake_append(dir, "fake-hups", "hup\n");
		}
	}
}

/* ---- helpers ---- */

static const char *net_dir(char *buf, size_t len, const char *network)
{
	snprintf(buf, len, "%s/state/dns/%s", tmp, network);
	return buf;
}

/* The file's content (static buffer, "" when missing). */
static const char *slurp(const char *network, const char *file)
{
	static char buf[4096];
	char dir[PATH_MAX], path[PATH_MAX + 32];
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", net_dir(dir, sizeof(dir), network), file);
	buf[0] = '\0';
	if ((fd = open(path, O_RDONLY)) >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static int count_lines(const char *network, const char *file)
{
	int n = 0;

	for (const char *s = slurp(network, file); *s; s++)
		n += *s == '\n';
	return n;
}

static pid_t responder_pid(const char *network)
{
	return (pid_t)atoi(slurp(network, "pid"));
}

/* Ended (a zombie counts: its reaper is whoever adopted the daemon, not us). */
static bool gone(pid_t pid)
{
	char path[64], st = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "r")))
		return true;
	if (fscanf(f, "%*d (%*[^)]) %c", &st) != 1)
		st = 0;
	fclose(f);
	return st == 'Z' || st == 'X';
}

static bool alive(const char *network)
{
	char dir[PATH_MAX];

	return dns_proc_alive(net_dir(dir, sizeof(dir), network));
}

/* Bounded wait for file to have n lines. */
static bool await_lines(const char *network, const char *file, int n)
{
	for (int i = 0; i < 300; i++) {
		if (count_lines(network, file) >= n)
			return true;
		poll(NULL, 0, 10);
	}
	return false;
}

static void touch(const char *network, const char *file, const char *text)
{
	char dir[PATH_MAX], path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/%s", net_dir(dir, sizeof(dir), network), file);
	assert_int_equal(rt_write_file(path, text, 0644), 0);
}

static void rm_file(const char *network, const char *file)
{
	char dir[PATH_MAX], path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/%s", net_dir(dir, sizeof(dir), network), file);
	unlink(path);
}

static int join(const char *network, const char *id, const char *name, const char *addr, bool internal,
		struct nr_error *err)
{
	char *gws[] = { "10.0.0.1", NULL };
	char *addrs[] = { (char *)addr, NULL };
	struct dns_entry e = { .id = id, .name = name, .addresses = addrs };

	return dns_net_join(network, internal, gws, &e, err);
}

/* ---- tests ---- */

static void test_join_reload_leave(void **state)
{
	struct nr_error err = { 0 };
	char dir[PATH_MAX], want[PATH_MAX + 8];

	(void)state;
	/* As run's monitor does for its signalfd (cli/term.c), and a stray variable. */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	setenv("NETNS_RUN_RESOLV_CONF", "/test/resolv.conf", 1);
	setenv("NR_TEST_STRAY", "1", 1);
	assert_int_equal(join("n1", ID_A, "web", "10.0.0.2/24", false, &err), 0);
	unsetenv("NETNS_RUN_RESOLV_CONF");
	unsetenv("NR_TEST_STRAY");
	sigprocmask(SIG_SETMASK, &old, NULL);
	assert_true(alive("n1"));
	assert_string_equal(slurp("n1", "names"), "10.0.0.1\n" ID_A " 10.0.0.2  web,0123456789ab\n");
	snprintf(want, sizeof(want), "%s\n", net_dir(dir, sizeof(dir), "n1"));
	assert_string_equal(slurp("n1", "fake-args"), want);
	/* A clean environment but for where the upstreams come from; signals unblocked. */
	assert_string_equal(slurp("n1", "fake-env"), "NETNS_RUN_RESOLV_CONF=/test/resolv.conf\n");
	assert_string_equal(slurp("n1", "fake-mask"), "clear\n");
	pid_t pid = responder_pid("n1");
	assert_true(pid > 0);

	/* A second container: the same responder, told to read names again. */
	assert_int_equal(join("n1", ID_B, "db", "10.0.0.3", false, &err), 0);
	assert_int_equal(responder_pid("n1"), pid);
	assert_true(await_lines("n1", "fake-hups", 1));
	assert_int_equal(count_lines("n1", "fake-starts"), 1);
	assert_int_equal(count_lines("n1", "names"), 3);

	assert_int_equal(dns_net_leave("n1", ID_A, &err), 0);
	assert_true(await_lines("n1", "fake-hups", 2));
	assert_string_equal(slurp("n1", "names"), "10.0.0.1\n" ID_B " 10.0.0.3  db,fedcba987654\n");
	/* The last one: stopped, names and pid gone, the directory and its lock stay. */
	assert_int_equal(dns_net_leave("n1", ID_B, &err), 0);
	assert_false(alive("n1"));
	assert_true(gone(pid));
	assert_int_equal(access(net_dir(dir, sizeof(dir), "n1"), F_OK), 0);
	assert_string_equal(slurp("n1", "names"), "");
	assert_string_equal(slurp("n1", "pid"), "");
	/* Again: nothing to do. */
	assert_int_equal(dns_net_leave("n1", ID_B, &err), 0);
	assert_int_equal(dns_net_leave("never-used", ID_B, &err), 0);
	assert_int_equal(access(net_dir(dir, sizeof(dir), "never-used"), F_OK), -1);
}

static void test_internal_and_ensure(void **state)
{
	struct nr_error err = { 0 };
	char dir[PATH_MAX], want[PATH_MAX + 16];

	(void)state;
	assert_int_equal(join("n2", ID_A, "web", "10.0.0.2", true, &err), 0);
	snprintf(want, sizeof(want), "--internal %s\n", net_dir(dir, sizeof(dir), "n2"));
	assert_string_equal(slurp("n2", "fake-args"), want);
	pid_t pid = responder_pid("n2");

	/* Alive: ensure does nothing. */
	assert_int_equal(dns_net_ensure("n2", &err), 0);
	assert_int_equal(responder_pid("n2"), pid);
	/* Crashed: the next command touching the network starts it again, as it was. */
	assert_int_equal(kill(pid, SIGKILL), 0);
	for (int i = 0; i < 300 && alive("n2"); i++)
		poll(NULL, 0, 10);
	assert_false(alive("n2"));
	assert_int_equal(dns_net_ensure("n2", &err), 0);
	assert_true(alive("n2"));
	assert_int_not_equal(responder_pid("n2"), pid);
	assert_int_equal(count_lines("n2", "fake-starts"), 2);
	assert_string_equal(strchr(slurp("n2", "fake-args"), '\n') + 1, want);
	/* No names, no directory: nothing to start, nothing made. */
	assert_int_equal(dns_net_ensure("n2-none", &err), 0);
	assert_int_equal(access(net_dir(dir, sizeof(dir), "n2-none"), F_OK), -1);

	assert_int_equal(dns_net_remove("n2", &err), 0);
	assert_int_equal(access(net_dir(dir, sizeof(dir), "n2"), F_OK), -1);
	assert_int_equal(dns_net_remove("n2", &err), 0);
}

static void test_new_gateway_reloads(void **state)
{
	struct nr_error err = { 0 };
	char *gw4[] = { "10.0.0.1", NULL }, *gw46[] = { "10.0.0.1/24", "fd00::1/64", NULL };
	char *a4[] = { "10.0.0.2", NULL }, *b46[] = { "10.0.0.3", "fd00::3", NULL };
	struct dns_entry a = { .id = ID_A, .name = "a", .addresses = a4 };
	struct dns_entry b = { .id = ID_B, .name = "b", .addresses = b46 };

	(void)state;
	assert_int_equal(dns_net_join("n5", false, gw4, &a, &err), 0);
	pid_t pid = responder_pid("n5");
	/* The responder opens listeners for new gateways on SIGHUP: no restart, no lost query. */
	assert_int_equal(dns_net_join("n5", false, gw46, &b, &err), 0);
	assert_int_equal(responder_pid("n5"), pid);
	assert_true(await_lines("n5", "fake-hups", 1));
	assert_int_equal(count_lines("n5", "fake-starts"), 1);
	assert_string_equal(slurp("n5", "names"), "10.0.0.1,fd00::1\n" ID_A " 10.0.0.2  a,0123456789ab\n" ID_B
						  " 10.0.0.3 fd00::3 b,fedcba987654\n");
	/* The same gateways again, or none: a reload too. */
	assert_int_equal(dns_net_join("n5", false, NULL, &a, &err), 0);
	assert_int_equal(responder_pid("n5"), pid);
	assert_true(await_lines("n5", "fake-hups", 2));
	assert_int_equal(dns_net_remove("n5", &err), 0);
}

static void test_spawn_failure(void **state)
{
	struct nr_error err = { 0 };
	char dir[PATH_MAX];

	(void)state;
	assert_int_equal(rt_mkdir_p(net_dir(dir, sizeof(dir), "n3"), 0755), 0);
	touch("n3", "fake-fail", "cannot listen on 10.0.0.1:53: Cannot assign requested address");
	assert_true(join("n3", ID_A, "web", "10.0.0.2", false, &err) < 0);
	assert_int_equal(err.code, RT_ERR_SYSTEM);
	assert_non_null(
		strstr(err.msg, "netns-run-dns: cannot listen on 10.0.0.1:53: Cannot assign requested address"));
	assert_non_null(strstr(err.msg, "n3"));
	assert_false(alive("n3"));
	rm_file("n3", "fake-fail");
	/* The names stay: the caller's rollback leaves, or the next ensure starts it. */
	assert_int_equal(dns_net_ensure("n3", &err), 0);
	assert_true(alive("n3"));

	/* A responder that is not there. */
	char *saved = strdup(getenv("NETNS_RUN_DNS_BIN"));
	setenv("NETNS_RUN_DNS_BIN", "/nonexistent/netns-run-dns", 1);
	assert_int_equal(dns_net_remove("n3", &err), 0);
	nr_error_clear(&err);
	assert_true(join("n3", ID_A, "web", "10.0.0.2", false, &err) < 0);
	assert_non_null(strstr(err.msg, "/nonexistent/netns-run-dns"));
	assert_non_null(strstr(err.msg, "NETNS_RUN_DNS_BIN"));
	setenv("NETNS_RUN_DNS_BIN", saved, 1);
	free(saved);
	assert_int_equal(dns_net_remove("n3", &err), 0);
}

static void test_stop_kills_a_stubborn_one(void **state)
{
	struct nr_error err = { 0 };
	char dir[PATH_MAX];

	(void)state;
	assert_int_equal(rt_mkdir_p(net_dir(dir, sizeof(dir), "n4"), 0755), 0);
	touch("n4", "fake-ignore-term", "");
	assert_int_equal(join("n4", ID_A, "web", "10.0.0.2", false, &err), 0);
	assert_true(alive("n4"));
	assert_int_equal(dns_net_leave("n4", ID_A, &err), 0);
	assert_false(alive("n4"));
	assert_int_equal(dns_net_remove("n4", &err), 0);
}

static void test_gc(void **state)
{
	struct nr_error err = { 0 };
	char dir[PATH_MAX];
	char *live[] = { ID_A, NULL };

	(void)state;
	/* net1: A lives, B is dead.  net2: its responder crashed, A lives.  net3: only B.
	 * gone: no conflist any more. */
	assert_int_equal(join("net1", ID_A, "a", "10.0.0.2", false, &err), 0);
	assert_int_equal(join("net1", ID_B, "b", "10.0.0.3", false, &err), 0);
	assert_int_equal(join("net2", ID_A, "a", "10.0.0.2", false, &err), 0);
	assert_int_equal(join("net3", ID_B, "b", "10.0.0.3", false, &err), 0);
	assert_int_equal(join("gone", ID_A, "a", "10.0.0.2", false, &err), 0);
	pid_t p1 = responder_pid("net1"), p2 = responder_pid("net2"), pg = responder_pid("gone");
	kill(p2, SIGKILL);
	for (int i = 0; i < 300 && alive("net2"); i++)
		poll(NULL, 0, 10);

	int r = dns_net_gc(live, &err);
	assert_true(r >= 0);
	assert_string_equal(slurp("net1", "names"), "10.0.0.1\n" ID_A " 10.0.0.2  a,0123456789ab\n");
	assert_int_equal(responder_pid("net1"), p1);
	assert_true(await_lines("net1", "fake-hups", 2));
	assert_true(alive("net2"));
	assert_int_not_equal(responder_pid("net2"), p2);
	assert_false(alive("net3"));
	assert_string_equal(slurp("net3", "names"), "");
	assert_int_equal(access(net_dir(dir, sizeof(dir), "gone"), F_OK), -1);
	assert_true(gone(pg));
	/* Nothing left to do. */
	assert_int_equal(dns_net_gc(live, &err), 0);
	assert_int_equal(dns_net_gc(NULL, &err) > 0, 1);
	assert_false(alive("net1"));
	assert_false(alive("net2"));
	for (const char *const *n = (const char *const[]){ "net1", "net2", "net3", NULL }; *n; n++)
		assert_int_equal(dns_net_remove(*n, &err), 0);
}

/* Every responder reads every network's names (a container on two networks): a change on
 * one network makes the others' responders re-read too, and only the live ones. */
static void test_change_reloads_others(void **state)
{
	struct nr_error err = { 0 };

	(void)state;
	assert_int_equal(join("m1", ID_A, "web", "10.0.0.2", false, &err), 0);
	assert_true(alive("m1"));
	int before = count_lines("m1", "fake-hups");
	assert_int_equal(join("m2", ID_A, "web", "10.0.1.2", false, &err), 0);
	assert_true(await_lines("m1", "fake-hups", before + 1));
	assert_int_equal(join("m2", ID_B, "db", "10.0.1.3", false, &err), 0);
	assert_true(await_lines("m1", "fake-hups", before + 2));
	/* Leaving m2 (its last entry: its responder stops) reloads m1's. */
	assert_int_equal(dns_net_leave("m2", ID_B, &err), 0);
	assert_true(await_lines("m1", "fake-hups", before + 3));
	assert_int_equal(dns_net_leave("m2", ID_A, &err), 0);
	assert_true(await_lines("m1", "fake-hups", before + 4));
	assert_false(alive("m2"));
	/* A leave that changes nothing tells nobody; m2, stopped, is not started by m1's change. */
	assert_int_equal(dns_net_leave("m2", ID_A, &err), 0);
	assert_int_equal(dns_net_leave("m1", ID_B, &err), 0);
	assert_int_equal(join("m1", ID_B, "db", "10.0.0.3", false, &err), 0);
	assert_false(alive("m2"));
	assert_int_equal(dns_net_remove("m1", &err), 0);
	assert_int_equal(dns_net_remove("m2", &err), 0);
}

static void test_concurrent_joins(void **state)
{
	enum { N = 8 };
	struct nr_error err = { 0 };
	pid_t kids[N];

	(void)state;
	for (int i = 0; i < N; i++) {
		if ((kids[i] = fork()) == 0) {
			char id[65], name[16], addr[32];
			struct nr_error e = { 0 };
			/* A crash here must end this child, not resume cmocka's run in it. */
			signal(SIGSEGV, SIG_DFL);
			signal(SIGABRT, SIG_DFL);
			memset(id, 'a' + i, 64);
			id[64] = '\0';
			snprintf(name, sizeof(name), "c%d", i);
			snprintf(addr, sizeof(addr), "10.0.0.%d", 10 + i);
			if (join("busy", id, name, addr, false, &e) < 0) {
				fprintf(stderr, "join %s: %s\n", name, e.msg);
				_exit(1);
			}
			_exit(0);
		}
	}
	/* Every child waited for before any assertion: one left running would join after
	 * the fixture removed the directory. */
	int failed = 0;
	for (int i = 0; i < N; i++) {
		int st;
		if (kids[i] <= 0 || waitpid(kids[i], &st, 0) != kids[i] || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			failed++;
	}
	assert_int_equal(failed, 0);
	assert_int_equal(count_lines("busy", "names"), N + 1);
	assert_int_equal(count_lines("busy", "fake-starts"), 1);
	assert_true(alive("busy"));
	assert_int_equal(dns_net_remove("busy", &err), 0);
	assert_false(alive("busy"));
}

/* ---- fixture ---- */

/* Kill every responder left (a failed assertion skips the test's own cleanup). */
static void kill_all(void)
{
	char top[PATH_MAX + 16];
	DIR *d;
	struct dirent *de;

	snprintf(top, sizeof(top), "%s/state/dns", tmp);
	if (!(d = opendir(top)))
		return;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && alive(de->d_name))
			kill(responder_pid(de->d_name), SIGKILL);
	closedir(d);
}

static int setup(void **state)
{
	char exe[PATH_MAX], path[PATH_MAX + 64];

	(void)state;
	snprintf(tmp, sizeof(tmp), "%s/nr-dns-net-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmp) || !realpath(self, exe))
		return -1;
	snprintf(path, sizeof(path), "%s/state", tmp);
	setenv("NETNS_RUN_STATE_DIR", path, 1);
	snprintf(path, sizeof(path), "%s/conf", tmp);
	setenv("NETNS_RUN_CONFIG_DIR", path, 1);
	setenv("NETNS_RUN_DNS_BIN", exe, 1);
	if (rt_mkdir_p(path, 0755) < 0)
		return -1;
	/* gc keeps the directories of the networks it knows. */
	for (const char *const *net = (const char *const[]){ "net1", "net2", "net3", NULL }; *net; net++) {
		char file[PATH_MAX + 128], text[256];
		snprintf(file, sizeof(file), "%s/%s.conflist", path, *net);
		snprintf(text, sizeof(text),
			 "{\"cniVersion\": \"1.0.0\", \"name\": \"%s\", \"plugins\": [{\"type\": \"bridge\"}]}\n",
			 *net);
		if (rt_write_file(file, text, 0644) < 0)
			return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	kill_all();
	return rt_rm_rf(tmp) < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_join_reload_leave),         cmocka_unit_test(test_internal_and_ensure),
		cmocka_unit_test(test_new_gateway_reloads),       cmocka_unit_test(test_spawn_failure),
		cmocka_unit_test(test_stop_kills_a_stubborn_one), cmocka_unit_test(test_gc),
		cmocka_unit_test(test_concurrent_joins),          cmocka_unit_test(test_change_reloads_others),
	};

	if (argc > 1)
		return fake_responder(argc, argv);
	self = argv[0];
	return cmocka_run_group_tests(tests, setup, teardown);
}
