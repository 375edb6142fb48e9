/* The daemon's container monitor (monitor.h): the process that creates a container,
 * waits on monitor.sock for its start, relays its stdio to the JSON log and to
 * attachers, and tears it down when the command ends.
 *
 * The command's stdio are pipes of ours (its stdout and stderr apart, so the streams stay
 * apart in the log and in Docker's frames), or with -t the pty (run.c relays it into
 * monitor_tty_sink).  The engine's child inherits its descriptors 0, 1, 2 from the
 * process that clones it, so around ctr_run_start this process's own 0, 1, 2 are the
 * command's ends, and put back after.  Until ctr_run_start returns the process has one
 * thread (the engine clones with raw clone3); after it, it still has: the relay runs in
 * ctr_run_wait's loop (run.h's hook). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "container.h"
#include "monitor_internal.h"
#include "proc_io.h"
#include "rt.h"
#include "rt_error.h"

/* The signals the monitor takes: before the start TERM, INT, HUP and QUIT remove the
 * never-started container; after it, all are passed on to the container's init. */
static const int taken[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

/* 0, 1 and 2 open (on /dev/null when not), so no pipe of ours lands on them. */
static void stdio_ensure(void)
{
	for (int i = 0; i < 3; i++)
		if (fcntl(i, F_GETFD) < 0) {
			int fd = open("/dev/null", O_RDWR);
			if (fd >= 0 && fd != i) {
				dup2(fd, i);
				close(fd);
			}
		}
}

static int pipe_pair(int p[2], bool nonblock_rd, bool nonblock_wr, struct nr_error *err)
{
	if (pipe2(p, O_CLOEXEC) < 0 || (nonblock_rd && fcntl(p[0], F_SETFL, O_NONBLOCK) < 0) ||
	    (nonblock_wr && fcntl(p[1], F_SETFL, O_NONBLOCK) < 0))
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot make the command's pipes: %s", strerror(errno));
	return 0;
}

/* The command's stdio: stdout and stderr pipes; stdin a pipe with open_stdin (with -t,
 * the pty relay's input instead), /dev/null otherwise (the init's, without -i). */
static int stdio_make(struct monitor *m, struct nr_error *err)
{
	int p[2], r;

	m->child_fd[0] = -1;
	if ((r = pipe_pair(p, true, false, err)) < 0)
		return r;
	m->out_rd = p[0];
	m->child_fd[1] = p[1];
	if ((r = pipe_pair(p, true, false, err)) < 0)
		return r;
	m->err_rd = p[0];
	m->child_fd[2] = p[1];
	if (m->mo->open_stdin) {
		if ((r = pipe_pair(p, false, true, err)) < 0)
			return r;
		m->in_wr = p[1];
		if (m->o.tty)
			m->in_rd = p[0]; /* read by run.c's pty relay */
		else
			m->child_fd[0] = p[0];
	}
	m->o.interactive = m->mo->open_stdin;
	return 0;
}

int monitor_start_command(struct monitor *m, struct nr_error *err)
{
	int saved[3], r;

	for (int i = 0; i < 3; i++) {
		saved[i] = fcntl(i, F_DUPFD_CLOEXEC, 3);
		if (m->child_fd[i] >= 0)
			dup2(m->child_fd[i], i);
	}
	r = ctr_run_start(m->run, err);
	for (int i = 0; i < 3; i++) {
		if (saved[i] >= 0) {
			dup2(saved[i], i);
			close(saved[i]);
		}
		/* Ours closed: the pipes end when the container's processes are gone. */
		if (m->child_fd[i] >= 0)
			close(m->child_fd[i]);
		m->child_fd[i] = -1;
	}
	if (r < 0) {
		m->start_failed = true;
		m->state = MON_ENDED;
		return r;
	}
	m->state = MON_RUNNING;
	return 0;
}

static int listen_sock(struct monitor *m, struct nr_error *err)
{
	struct sockaddr_un sa;
	socklen_t len;
	_cleanup_close_ int dirfd = -1;
	int r;

	if ((r = monitor_sock_addr(m->dir, &sa, &len, &dirfd)) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, -r, "%s: %s", m->dir, strerror(-r));
	m->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (m->lfd < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "socket: %s", strerror(errno));
	unlink(sa.sun_path); /* a socket left by an earlier monitor of this container */
	/* 0600 from the start: the umask at bind sets the socket's mode (one thread here). */
	mode_t old = umask(0177);
	r = bind(m->lfd, (struct sockaddr *)&sa, len);
	umask(old);
	if (r < 0 || listen(m->lfd, 64) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot listen on %s/%s: %s", m->dir, CTR_MONITOR_SOCK,
				    strerror(errno));
	return 0;
}

static void sock_remove(struct monitor *m)
{
	char p[600];

	if (m->lfd >= 0)
		close(m->lfd);
	m->lfd = -1;
	snprintf(p, sizeof(p), "%s/%s", m->dir, CTR_MONITOR_SOCK);
	unlink(p);
}

/* The taken signals reach the init; a gone attacher or a closed stdin are errors, not death. */
static int signals_take(void)
{
	int fd = rt_signals_take(taken, sizeof(taken) / sizeof(taken[0]), SFD_NONBLOCK);

	signal(SIGPIPE, SIG_IGN);
	return fd;
}

/* Created, not started: serve the socket until "start", or a signal that ends it.  Returns
 * false when the monitor is to end without starting. */
static bool wait_start(struct monitor *m)
{
	struct pollfd p[1 + CTR_RUN_HOOK_NFDS];

	while (m->state == MON_CREATED) {
		p[0] = (struct pollfd){ .fd = m->sfd, .events = POLLIN };
		size_t n = monitor_pollfds(m, p + 1, CTR_RUN_HOOK_NFDS);
		if (poll(p, 1 + n, -1) < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		if (p[0].revents) {
			struct signalfd_siginfo si;
			if (read(m->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si) && si.ssi_signo != SIGUSR1 &&
			    si.ssi_signo != SIGUSR2)
				return false;
		}
		monitor_handle(m, p + 1, n);
	}
	return m->state == MON_RUNNING;
}

/* "ok ID NAME\n" or "err MESSAGE\n" (monitor.h). */
static void ready(int *fd, const char *word, const char *a, const char *b)
{
	if (*fd < 0)
		return;
	dprintf(*fd, "%s %s%s%s\n", word, a, b[0] ? " " : "", b);
	close(*fd);
	*fd = -1;
}

static void monitor_free(struct monitor *m)
{
	for (size_t i = 0; i < m->n_conns; i++)
		monitor_conn_drop(&m->conns[i]);
	int fds[] = {
		m->sfd, m->out_rd, m->err_rd, m->in_wr, m->in_rd, m->child_fd[0], m->child_fd[1], m->child_fd[2]
	};
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	ctr_jlog_free(m->log);
}

static int monitor_setup(struct monitor *m, struct nr_error *err)
{
	int r;

	if ((m->sfd = signals_take()) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "signalfd: %s", strerror(errno));
	if ((r = stdio_make(m, err)) < 0)
		return r;
	r = m->mo->again ? ctr_run_create_again(&m->o, &m->run, err) : ctr_run_create(&m->o, &m->run, err);
	if (r < 0)
		return r;
	snprintf(m->dir, sizeof(m->dir), "%s", ctr_run_dir(m->run));
	if ((r = ctr_jlog_open(m->dir, m->o.log_max_size, m->o.log_max_files, &m->log, err)) < 0 ||
	    (r = listen_sock(m, err)) < 0)
		return r;
	if (m->o.tty) {
		struct tty_stdio io = {
			.in = m->in_rd, .out = -1, .term = -1, .sink = monitor_tty_sink, .sink_ctx = m
		};
		ctr_run_set_stdio(m->run, &io);
	}
	return 0;
}

/* With --rm the teardown takes the record: the status goes to mo->ended first.  The
 * container's processes are all gone by now, so its output is complete: the attachers
 * get the end of it now, as Docker's do when a container stops, not after the teardown
 * (a `docker run` waits for its attach stream to end as well as for its wait). */
static void monitor_ended(void *ctx, int status)
{
	struct monitor *m = ctx;

	if (m->o.rm && m->mo->ended)
		m->mo->ended(m->o.name, status);
	monitor_finish(m);
}

int ctr_monitor_main(const struct run_opts *o, const struct monitor_opts *mo, int ready_fd)
{
	/* Not on the stack: its connections take a quarter megabyte. */
	_cleanup_free_ struct monitor *mp = malloc(sizeof(*mp));
	struct nr_error err = { 0 };
	int status = RT_EXIT_RUNTIME, r;

	if (!mp) {
		ready(&ready_fd, "err", "out of memory", "");
		return RT_EXIT_RUNTIME;
	}
	struct monitor *m = mp;
	struct ctr_run_hook hook = {
		.pollfds = monitor_pollfds, .handle = monitor_handle, .ended = monitor_ended, .ctx = m
	};
	*m = (struct monitor){ .o = *o,
			       .mo = mo,
			       .lfd = -1,
			       .sfd = -1,
			       .out_rd = -1,
			       .err_rd = -1,
			       .in_wr = -1,
			       .in_rd = -1,
			       .child_fd = { -1, -1, -1 } };
	/* The daemon's containers log to the JSON log only; -d's plain log is the CLI's. */
	m->o.detach = false;
	stdio_ensure();
	if ((r = monitor_setup(m, &err)) < 0) {
		ready(&ready_fd, "err", err.msg[0] ? err.msg : strerror(-r), "");
		goto out;
	}
	const struct ctr_record *rec = ctr_run_record(m->run);
	ready(&ready_fd, "ok", rec->id, rec->name);
	if (!wait_start(m)) {
		/* Never started (a signal, or a start that failed and removed it already). */
		status = m->start_failed ? RT_EXIT_RUNTIME : 0;
		sock_remove(m);
		goto out;
	}
	ctr_run_set_hook(m->run, &hook);
	if (ctr_run_wait(m->run, m->sfd, &status, &err) < 0)
		fprintf(stderr, "netns-run monitor: %s: %s\n", rec->name, err.msg);
	sock_remove(m);
	monitor_finish(m);
out:
	ctr_run_free(m->run);
	m->run = NULL;
	monitor_free(m);
	return status;
}
