/* `netns-run [run] [OPTIONS] COMMAND`: this process becomes the container's monitor
 * (engine/run.h); with -d a forked one does, and this one waits for one word on how
 * the start went. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdio.h"
#include "cli/cli.h"
#include "cli/run_opts.h"
#include "cli/term.h"
#include "engine/ctr.h"
#include "engine/proc_io.h"
#include "engine/run.h"
#include "engine/security.h"

/* -d: "ok NAME" or the error's text, then EOF. */
static void notify(int *fd, const char *word, const char *text)
{
	if (*fd < 0)
		return;
	dprintf(*fd, "%s%s", word, text);
	close(*fd);
	*fd = -1;
}

/* Run the container in this process; notify_fd (-d) hears how the start went; io is
 * the caller's side of a -t pty. */
static int run_here(const struct run_opts *o, const struct tty_stdio *io, int notify_fd)
{
	_cleanup_ctr_run_ struct ctr_run *c = NULL;
	_cleanup_close_ int sfd = -1;
	struct nr_error err = { 0 };
	int r, status;

	if ((r = ctr_run_create(o, &c, &err)) < 0)
		goto fail;
	if (notify_fd >= 0)
		rt_stdio_to_log(ctr_run_log_fd(c));
	ctr_run_set_stdio(c, io);
	sfd = cli_signals_take();
	if ((r = ctr_run_start(c, &err)) < 0)
		goto fail;
	notify(&notify_fd, "ok ", ctr_run_record(c)->name);
	cli_term_raw(o);
	r = ctr_run_wait(c, sfd, &status, &err);
	cli_term_restore();
	if (ctr_run_record(c)->oom)
		fprintf(stderr, "netns-run: %s was killed by the kernel's OOM killer (memory limit %lld bytes)\n",
			ctr_run_record(c)->name, o->memory);
	if (r < 0)
		rt_print_error(&err);
	return status;
fail:
	if (!err.msg[0])
		nr_error_set(&err, RT_ERR_SYSTEM, r, "%s", strerror(-r));
	if (notify_fd >= 0) {
		notify(&notify_fd, "", err.msg);
		return cli_exit_status(&err);
	}
	return cli_error(&err);
}

/* -d: fork the monitor and wait for its word. */
static int run_detached(const struct run_opts *o, const struct tty_stdio *io)
{
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return cli_usage_error("run", "pipe: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return cli_usage_error("run", "fork: %s", strerror(errno));
	if (pid == 0) {
		close(fds[0]);
		setsid();
		_exit(run_here(o, io, fds[1]));
	}
	_cleanup_free_ char *msg = NULL;
	size_t len = 0;
	close(fds[1]);
	fd_read_all(fds[0], 4096, &msg, &len);
	close(fds[0]);
	if (msg && !strncmp(msg, "ok ", 3)) {
		printf("%s\n", msg + 3);
		return 0;
	}
	struct nr_error err = { 0 };
	nr_error_set(&err, RT_ERR_SYSTEM, EIO, "%s", msg && *msg ? msg : "the container did not start");
	return cli_error(&err);
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	struct nr_error err = { 0 };
	struct tty_stdio io;
	int r, status;

	/* A child that gave up closes its pipe; the write must fail, not kill us. */
	signal(SIGPIPE, SIG_IGN);
	r = run_opts_parse(argc, argv, &o, &err);
	if (r > 0)
		status = 0;
	else if (r < 0)
		status = cli_error(&err);
	else if (security_prepare(&o, &err) < 0)
		status = cli_error(&err);
	else if ((status = cli_term_prepare("run", &o, &io)) == 0) {
		ctr_gc_reconcile(NULL, NULL, NULL);
		status = o.detach ? run_detached(&o, &io) : run_here(&o, &io, -1);
	}
	run_opts_free(&o);
	return status;
}
