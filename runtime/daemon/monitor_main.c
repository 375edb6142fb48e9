/* `netns-run-daemon --monitor`: one container's monitor (modes.h, engine/monitor.h).
 *
 *   netns-run-daemon --monitor --ready-fd N (--body-fd N [--name NAME] | --again NAME)
 *
 * The daemon (container_create.c) spawns it with the create body in a memfd (--body-fd;
 * a pipe would block the daemon on a body bigger than the pipe) and the write end of a
 * pipe (--ready-fd) on which ctr_monitor_main says "ok ID NAME" or "err MESSAGE".  With
 * --again it starts the exited container NAME again from the body kept in its directory
 * (CTR_CONFIG_FILE).  The daemon, not the monitor, writes that file, right after "ok":
 * it parsed the same body already, and the monitor is busy serving from then on.
 *
 * First of all the process forks: the child is the monitor, in a session of its own, and
 * the parent exits at once for the daemon to reap, so a monitor is never the daemon's
 * child (it outlives the daemon, and no daemon thread has to wait for it).
 *
 * An AutoRemove container takes its record, and so its exit status, with it; Docker's
 * `wait?condition=removed` answers with that status.  So the monitor leaves it in
 * <state_dir>/exits/NAME for the daemon's wait (container_life.c) before the teardown
 * removes the directory (the wait answers as soon as the record is gone); such files
 * older than CTR_EXIT_KEEP_S go. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdio.h"
#include "create_body.h"
#include "ctr_exit.h"
#include "engine/monitor.h"
#include "engine/rt_error.h"
#include "engine/security.h"
#include "modes.h"

struct monitor_args {
	int body_fd, ready_fd;
	const char *name;
	bool again;
};

/* --name is always given by the daemon (it picks a name when the client gave none), so
 * the monitor knows it before the record exists. */
static int args_parse(int argc, char **argv, struct monitor_args *a)
{
	static const struct option longopts[] = {
		{ "monitor", no_argument, NULL, 'm' },       { "ready-fd", required_argument, NULL, 'r' },
		{ "body-fd", required_argument, NULL, 'b' }, { "name", required_argument, NULL, 'n' },
		{ "again", required_argument, NULL, 'a' },   { 0 },
	};
	int c;

	*a = (struct monitor_args){ .body_fd = -1, .ready_fd = -1 };
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			break;
		case 'r':
			a->ready_fd = atoi(optarg);
			break;
		case 'b':
			a->body_fd = atoi(optarg);
			break;
		case 'n':
			a->name = optarg;
			break;
		case 'a':
			a->name = optarg;
			a->again = true;
			break;
		default:
			return -EINVAL;
		}
	}
	if (a->ready_fd < 3 || (a->again ? a->body_fd >= 0 : a->body_fd < 3))
		return -EINVAL;
	return 0;
}

static int read_body(struct monitor_args *a, char **ret, size_t *ret_len, struct nr_error *err)
{
	char path[600];
	_cleanup_close_ int fd = -1;
	int r;

	if (a->again) {
		if (!rt_name_valid(a->name))
			return nr_error_set(err, RT_ERR_USAGE, EINVAL, "--again %s: not a container name", a->name);
		rt_ctr_path(path, sizeof(path), a->name, CTR_CONFIG_FILE);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return nr_error_set(err, RT_ERR_CONFLICT, errno,
					    "container %s has no %s (made by `netns-run run`?): it cannot be started "
					    "again through the API",
					    a->name, CTR_CONFIG_FILE);
	} else {
		fd = TAKE_FD(a->body_fd);
		lseek(fd, 0, SEEK_SET);
	}
	if ((r = fd_read_all(fd, 4 << 20, ret, ret_len)) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, -r, "cannot read the create body: %s", strerror(-r));
	return 0;
}

/* What failed before ctr_monitor_main could say anything, as it says it. */
static int fail(int ready_fd, const struct nr_error *err)
{
	dprintf(ready_fd, "err %s\n", err->msg[0] ? err->msg : "the monitor failed");
	close(ready_fd);
	return RT_EXIT_RUNTIME;
}

/* An AutoRemove container's status, for the daemon's wait. */
static void exit_save(const char *name, int status)
{
	char dir[512], path[600], tmp[620], buf[32];

	if (!ctr_exit_dir(dir, sizeof(dir)))
		return;
	ctr_exit_prune(dir);
	if (rt_mkdir_p(dir, 0700) < 0)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(buf, sizeof(buf), "%d\n", status);
	/* Renamed into place, not flushed: it is written on the way to the teardown, and only
	 * a client waiting now reads it (a crash ends that wait anyway; a file left empty by
	 * one reads as no status). */
	snprintf(tmp, sizeof(tmp), "%s/.%s", dir, name); /* no name starts with a dot */
	if (rt_write_file(tmp, buf, 0600) < 0 || rename(tmp, path) < 0)
		unlink(tmp);
}

/* The monitor's end: a container gone (removed by a start that failed, before its command
 * ran) leaves its status too.  One removed after its command ran left it already, before
 * its teardown (monitor_opts.ended), so that the wait sees the status the moment the record
 * is gone. */
static void exit_note(const char *name, int status, bool noted)
{
	char path[600];
	struct stat st;

	if (noted || stat(rt_ctr_path(path, sizeof(path), name, NULL), &st) == 0)
		return;
	exit_save(name, status);
}

static bool ended_noted;
static void exit_ended(const char *name, int status)
{
	exit_save(name, status);
	ended_noted = true;
}

int daemon_monitor_main(int argc, char **argv)
{
	struct monitor_args a;
	struct create_body cb;
	struct nr_error err = { 0 };
	_cleanup_free_ char *body = NULL;
	size_t len = 0;
	pid_t pid;
	int status;

	if (args_parse(argc, argv, &a) < 0) {
		fprintf(stderr, "usage: %s --monitor --ready-fd N (--body-fd N [--name NAME] | --again NAME)\n",
			argv[0]);
		return RT_EXIT_RUNTIME;
	}
	/* Nothing of the daemon's but what it passed: a listening socket or a client's
	 * connection held by a monitor would outlive the daemon with it. */
	close_range((unsigned)(a.ready_fd > a.body_fd ? a.ready_fd : a.body_fd) + 1, ~0U, 0);
	pid = fork();
	if (pid < 0) {
		nr_error_set(&err, RT_ERR_SYSTEM, errno, "cannot fork the monitor: %s", strerror(errno));
		return fail(a.ready_fd, &err);
	}
	if (pid > 0)
		_exit(0);
	setsid();
	/* A daemon gone away must not kill its monitors with the pipe it leaves. */
	signal(SIGPIPE, SIG_IGN);
	if (read_body(&a, &body, &len, &err) < 0 || create_body_parse(body, len, a.name, &cb, &err) < 0) {
		create_body_free(&cb);
		return fail(a.ready_fd, &err);
	}
	cb.mo.again = a.again;
	cb.mo.ended = exit_ended;
	if (security_prepare(&cb.o, &err) < 0) {
		create_body_free(&cb);
		return fail(a.ready_fd, &err);
	}
	char name[RT_NAME_MAX];
	snprintf(name, sizeof(name), "%s", cb.o.name); /* the daemon always names it */
	status = ctr_monitor_main(&cb.o, &cb.mo, a.ready_fd);
	if (name[0])
		exit_note(name, status, ended_noted);
	create_body_free(&cb);
	return status;
}
