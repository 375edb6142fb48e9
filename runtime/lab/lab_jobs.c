/* Forked jobs with one report each (lab_jobs.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "engine/rt_error.h"
#include "lab/lab_jobs.h"

/* The message: the result as it is in memory (the same program on both ends); one
 * write, smaller than PIPE_BUF, so it arrives whole. */
_Static_assert(sizeof(struct lab_job_result) <= 4096, "a report must fit in one atomic pipe write");

static void report(int r, int status, bool stays, const struct nr_error *err)
{
	struct lab_job_result m = { .r = r, .status = status, .stays = stays };

	if (err)
		m.err = *err;
	if (r < 0 && !m.err.msg[0])
		nr_error_set(&m.err, RT_ERR_SYSTEM, r, "%s", strerror(-r));
	if (write(LAB_JOB_FD, &m, sizeof(m)) != (ssize_t)sizeof(m)) {
		/* The parent is gone: nobody to tell. */
	}
	close(LAB_JOB_FD);
}

void lab_job_report(int r, int status, const struct nr_error *err)
{
	report(r, status, false, err);
}

void lab_job_outlive(void)
{
	prctl(PR_SET_PDEATHSIG, 0);
}

void lab_job_report_stay(void)
{
	report(0, 0, true, NULL);
}

size_t lab_jobs_parallel(void)
{
	const char *e = getenv("NETNS_RUN_LAB_PARALLEL");
	long v = e ? strtol(e, NULL, 10) : 0;

	return v > 0 && v <= 1024 ? (size_t)v : LAB_JOBS_DEFAULT;
}

struct slot {
	size_t job;
	pid_t pid;
	int fd;
	size_t got;
};

static void child(pid_t parent, int wfd, int out, lab_job_fn fn, void *ctx, size_t i)
{
	/* A job dies with its caller (a killed deploy's exec list goes no further); one that
	 * is to outlive it, a node's monitor, says so first (lab_job_outlive). */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(125);
	if (out >= 0 && (dup2(out, 1) < 0 || dup2(out, 2) < 0))
		_exit(125);
	if (wfd != LAB_JOB_FD) {
		if (dup2(wfd, LAB_JOB_FD) < 0)
			_exit(125);
		close(wfd);
	}
	/* Not for the commands a job runs (a daemon started in a node would keep it). */
	fcntl(LAB_JOB_FD, F_SETFD, FD_CLOEXEC);
	/* The other jobs' pipes must not stay open in this one (their readers wait for
	 * EOF), nor the parent's locks. */
	syscall(SYS_close_range, LAB_JOB_FD + 1, ~0U, 0);
	fn(ctx, i);
	_exit(fcntl(LAB_JOB_FD, F_GETFD) < 0 ? 0 : 125);
}

static int start(struct slot *s, size_t job, lab_job_fn fn, void *ctx, int out, struct nr_error *err)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "pipe: %s", strerror(errno));
	fflush(NULL);
	pid_t parent = getpid(), pid = fork();
	if (pid < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		return nr_error_set(err, RT_ERR_SYSTEM, e, "fork: %s", strerror(e));
	}
	if (pid == 0) {
		close(p[0]);
		child(parent, p[1], out, fn, ctx, job);
	}
	close(p[1]);
	*s = (struct slot){ .job = job, .pid = pid, .fd = p[0] };
	return 0;
}

/* Read what the slot's child sent; 1 when its report is complete (or EOF came first). */
static int collect(struct slot *s, struct lab_job_result *res)
{
	ssize_t n = read(s->fd, (char *)res + s->got, sizeof(*res) - s->got);

	if (n < 0 && errno == EINTR)
		return 0;
	if (n > 0) {
		s->got += (size_t)n;
		if (s->got < sizeof(*res))
			return 0;
	}
	close(s->fd);
	s->fd = -1;
	if (s->got < sizeof(*res)) {
		memset(res, 0, sizeof(*res));
		res->r = nr_error_set(&res->err, RT_ERR_SYSTEM, EPIPE, "its process ended without a word");
	}
	/* A job that lives on (a monitor) is reaped by whoever outlives us; any other ends
	 * right after its report (or has ended: no report) and is reaped now. */
	if (!res->stays)
		while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
			;
	return 1;
}

int lab_jobs_run(size_t n, lab_job_fn fn, void *ctx, const int *out, struct lab_job_result *results,
		 struct nr_error *err)
{
	size_t par = lab_jobs_parallel(), next = 0, running = 0, done = 0;
	_cleanup_free_ struct slot *slots = calloc(par, sizeof(*slots));
	_cleanup_free_ struct pollfd *p = calloc(par, sizeof(*p));
	int failed = 0, r;

	if (!slots || !p)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	for (size_t k = 0; k < par; k++)
		slots[k].fd = -1;
	while (done < n) {
		for (size_t k = 0; k < par && next < n; k++) {
			if (slots[k].fd >= 0)
				continue;
			if ((r = start(&slots[k], next, fn, ctx, out ? out[next] : -1, err)) < 0) {
				/* Nothing more starts; what runs is still collected. */
				for (; next < n; next++, done++) {
					results[next] = (struct lab_job_result){ .r = r };
					nr_error_copy(&results[next].err, err);
					failed++;
				}
				break;
			}
			next++;
			running++;
		}
		if (!running)
			break;
		for (size_t k = 0; k < par; k++)
			p[k] = (struct pollfd){ .fd = slots[k].fd, .events = POLLIN };
		if (poll(p, par, -1) < 0) {
			if (errno == EINTR)
				continue;
			return nr_error_set(err, RT_ERR_SYSTEM, errno, "poll: %s", strerror(errno));
		}
		for (size_t k = 0; k < par; k++) {
			if (slots[k].fd < 0 || !p[k].revents)
				continue;
			struct lab_job_result *res = &results[slots[k].job];
			if (!collect(&slots[k], res))
				continue;
			running--;
			done++;
			if (res->r < 0)
				failed++;
		}
	}
	return failed;
}
