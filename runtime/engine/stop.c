/* Ending containers from outside their monitor: signals through pidfds (by pid where
 * there are none), waiting for the monitor's teardown, removing records. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "ctr.h"
#include "rt_error.h"

static int pidfd_of(pid_t pid, unsigned long long start)
{
	int fd;

	if (!rt_pid_is(pid, start))
		return -ESRCH;
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return -errno;
	/* The pid could have been reused between the check and the open. */
	if (!rt_pid_is(pid, start)) {
		close(fd);
		return -ESRCH;
	}
	return fd;
}

static bool wait_fd(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r;

	while ((r = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
		;
	return r > 0;
}

/* Without pidfds (valgrind, old kernels): signal by pid, which pid_is has just checked,
 * and look again every 10 ms until the time is up. */
static int signal_wait_by_pid(pid_t pid, unsigned long long start, int sig, int timeout_ms)
{
	if (!rt_pid_is(pid, start))
		return 0;
	if (kill(pid, sig) < 0 && errno != ESRCH)
		return -errno;
	for (int waited = 0; waited < timeout_ms; waited += 10) {
		if (!rt_pid_is(pid, start))
			return 0;
		usleep(10000);
	}
	return rt_pid_is(pid, start) ? -ETIMEDOUT : 0;
}

int ctr_signal_wait(const struct ctr_record *rec, int sig, int timeout_ms)
{
	pid_t pid = rec->pid;
	unsigned long long start = rec->pid_start;
	_cleanup_close_ int fd = pidfd_of(pid, start);

	if (fd == -ESRCH)
		return 0;
	if (fd < 0)
		return signal_wait_by_pid(pid, start, sig, timeout_ms);
	if (syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) < 0 && errno != ESRCH)
		return -errno;
	return wait_fd(fd, timeout_ms) ? 0 : -ETIMEDOUT;
}

/* sig to the container's monitor, then wait up to timeout_ms for it to end. */
static void signal_monitor(const struct ctr_record *rec, int sig, int timeout_ms)
{
	pid_t pid = rec->monitor;
	unsigned long long start = rec->monitor_start;
	_cleanup_close_ int fd = pidfd_of(pid, start);

	if (fd >= 0 && syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) == 0)
		wait_fd(fd, timeout_ms);
	else if (fd != -ESRCH)
		signal_wait_by_pid(pid, start, sig, timeout_ms);
}

void ctr_wait_monitor(const struct ctr_record *rec, int timeout_ms)
{
	pid_t pid = rec->monitor;
	unsigned long long start = rec->monitor_start;
	_cleanup_close_ int fd = pidfd_of(pid, start);

	if (fd >= 0)
		wait_fd(fd, timeout_ms);
	else if (fd != -ESRCH)
		signal_wait_by_pid(pid, start, 0, timeout_ms);
}

struct stop_gc {
	const char *name;
	struct nr_error *err;
	int r;
};

static void stop_gc_report(void *ctx, enum ctr_gc_event ev, const char *name, const struct nr_error *e)
{
	struct stop_gc *s = ctx;

	if (ev == CTR_GC_FAILED && name && !strcmp(name, s->name) && s->r >= 0) {
		nr_error_copy(s->err, e);
		s->r = -EIO; /* the report carries the message, not the errno */
	}
}

int ctr_stop(const char *name, int timeout, struct nr_error *err)
{
	_cleanup_record_ struct ctr_record *rec = NULL;
	struct stop_gc gc = { name, err, 0 };
	int r;

	if ((r = ctr_store_load(name, &rec, err)) < 0)
		return r;
	/* Created, never started, its monitor waiting for the start (monitor.h): nothing
	 * runs, nothing to stop (Docker leaves such a container created too). */
	if (rec->status == CTR_CREATED && !ctr_init_alive(rec) && ctr_monitor_alive(rec))
		return 0;
	if (ctr_signal_wait(rec, SIGTERM, timeout * 1000) == -ETIMEDOUT)
		ctr_signal_wait(rec, SIGKILL, 10000);
	ctr_wait_monitor(rec, 15000);
	/* A monitor that was killed (or could not save) leaves the teardown to us. */
	ctr_gc_reconcile(stop_gc_report, &gc, NULL);
	if (gc.r < 0)
		return nr_error_wrap(err, gc.r, "%s stopped, but its teardown failed", name);
	/* Stopped means the record says so: a state change lands or the stop fails. */
	ctr_record_free(TAKE_PTR(rec));
	if ((r = ctr_store_load(name, &rec, err)) < 0)
		return err && err->code == RT_ERR_NOT_FOUND ? 0 : r; /* --rm: gone with it */
	if (rec->status != CTR_EXITED)
		return nr_error_set(err, RT_ERR_SYSTEM, EBUSY, "%s did not stop: its record still says %s%s", name,
				    ctr_init_alive(rec) ? "running, and its init lives" : "running",
				    ctr_init_alive(rec) ? "" : " (see `netns-run gc`)");
	return 0;
}

int ctr_remove(const char *name, bool force, struct nr_error *ret_warning, struct nr_error *err)
{
	_cleanup_record_ struct ctr_record *rec = NULL;
	_cleanup_close_ int lock = -1;
	int r;

	if ((r = ctr_store_load(name, &rec, err)) < 0)
		return r;
	if (ctr_running(rec)) {
		if (!force)
			return nr_error_set(err, RT_ERR_CONFLICT, EBUSY,
					    "container %s is running: stop it first, or use rm -f", name);
		ctr_signal_wait(rec, SIGKILL, 10000);
	}
	if (rec->status == CTR_CREATED && !ctr_init_alive(rec))
		/* Created and never started: a daemon's monitor waits for its start
		 * (monitor.h), and removes it on SIGTERM. */
		signal_monitor(rec, SIGTERM, 15000);
	else
		ctr_wait_monitor(rec, 15000);
	if ((lock = ctr_store_lock(err)) < 0)
		return lock;
	ctr_record_free(rec);
	rec = NULL;
	r = ctr_store_load(name, &rec, err);
	if (r >= 0)
		r = ctr_teardown(rec, true, err);
	if (r < 0 && force && rec) {
		/* -f removes the record even when a plugin cannot DEL (say it was
		 * uninstalled): say what may be left, then forget it. */
		nr_error_copy(ret_warning, err);
		nr_error_wrap(ret_warning, r, "warning: %s", name);
		ctr_net_mark_done(rec);
		r = ctr_teardown(rec, true, err);
	}
	/* Gone meanwhile (its monitor removed it): what rm wanted. */
	if (r < 0 && err && err->code == RT_ERR_NOT_FOUND)
		return 0;
	return r;
}
