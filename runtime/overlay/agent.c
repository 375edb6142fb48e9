/* `netns-run-overlay agent [--foreground] NAME`: the host agent (docs/multihost.md "The
 * agent").  Unless --foreground it forks first; the child does the whole start (lock, store,
 * claim, device, the set applied) and only then tells the parent, which exits 0, or 1 with
 * the child's reason on stderr: `network join` returns with the host reachable. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "base/cleanup.h"
#include "base/timefmt.h"
#include "engine/rt.h"
#include "engine/rt_error.h"

/* How often the whole set is applied again, whatever happened (docs/multihost.md). */
#define RESYNC_MS 30000
/* How soon a failed claim is tried again. */
#define RETRY_MS 1000

long long agent_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void agent_log(const char *fmt, ...)
{
	char when[40], line[1024];
	va_list ap;

	nr_time_now_rfc3339(when, sizeof(when));
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One write per line: the threads' lines do not mix. */
	dprintf(2, "%s %s\n", when, line);
}

/* DIR/pid locked and our pid in it: 1; 0 when another agent holds it. */
static int pid_lock(const char *dir, int *ret_fd, struct nr_error *err)
{
	char path[PATH_MAX + 8], buf[32];
	_cleanup_close_ int fd = -1;

	snprintf(path, sizeof(path), "%s/pid", dir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644)) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot open %s: %s", path, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		return errno == EWOULDBLOCK
			       ? 0
			       : nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot lock %s: %s", path, strerror(errno));
	snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, strlen(buf), 0) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot write %s: %s", path, strerror(errno));
	*ret_fd = TAKE_FD(fd);
	return 1;
}

static int agent_prepare(struct agent *a, struct nr_error *err)
{
	bool lost;
	int r;

	if ((r = ovl_local_load(a->name, &a->local, err)) < 0 || (r = ovl_store_open(&a->local.store, &a->c, err)) < 0)
		return r;
	if (gethostname(a->host, sizeof(a->host)) < 0)
		snprintf(a->host, sizeof(a->host), "?");
	a->host[sizeof(a->host) - 1] = '\0';
	if ((r = ovl_underlay_find(a->local.underlay, a->local.store.endpoints, &a->u, err)) < 0)
		return r;
	if ((r = ovl_store_def(a->c, a->name, &a->def, err)) < 0) {
		struct nr_error e = { 0 };
		/* Unreachable, or no quorum: what the predecessor held may still be ours. */
		if (err && err->code == CNI_ERR_TRY_AGAIN && agent_resume(a, &e) >= 0)
			return 0;
		if (e.msg[0])
			nr_error_details(err, "cannot resume without the store: %s", e.msg);
		return r;
	}
	if (r == 0)
		return nr_error_set(err, RT_ERR_NOT_FOUND, ENOENT, "network %s is not in the store %s (removed?)",
				    a->name, a->local.store.endpoints);
	if (strcmp(a->def.id, a->local.id))
		return nr_error_set(err, RT_ERR_CONFLICT, EEXIST,
				    "network %s in the store has another id than this host's conflist (removed and created again?): leave and join it again",
				    a->name);
	agent_cache_definition(a);
	a->lease = ovl_lease_read(a->dir);
	a->last_renew_ms = agent_now_ms();
	if ((r = agent_claim(a, err)) < 0 || (r = agent_sync(a, &lost, err)) < 0)
		return r;
	return 0;
}

/* What the main loop was woken for, taken under mu. */
struct wake {
	bool stop, dirty, lost, expired, renewed;
	int64_t lost_lease, lease;
};

static struct wake wait_wake(struct agent *a, long long ms)
{
	struct timespec ts;
	struct wake w;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&a->mu);
	while (!a->stop && !a->dirty && !a->lost && !a->expired && !a->renewed &&
	       pthread_cond_timedwait(&a->cv, &a->mu, &ts) != ETIMEDOUT)
		;
	w = (struct wake){ a->stop, a->dirty, a->lost, a->expired, a->renewed, a->lost_lease, a->lease };
	a->dirty = a->lost = a->expired = a->renewed = false;
	pthread_mutex_unlock(&a->mu);
	return w;
}

static void agent_loop(struct agent *a)
{
	long long sync_after = 0; /* no read of the set before this (after a failed one) */
	bool need_claim = false, sync_pending = false;

	for (;;) {
		long long wait = need_claim ? RETRY_MS : RESYNC_MS;
		if (sync_pending && sync_after - agent_now_ms() + 1 < wait)
			wait = sync_after - agent_now_ms() + 1;
		if (wait < 1)
			wait = 1;
		struct wake w = wait_wake(a, wait);
		struct nr_error e = { 0 };
		bool lost = false;
		if (w.stop)
			return;
		/* A loss the keep-alive saw of a lease we no longer use (claimed again since)
		 * is no loss. */
		if (w.lost && w.lost_lease == w.lease) {
			agent_unhold(a, "the lease is gone");
			pthread_mutex_lock(&a->mu);
			a->lease = 0;
			pthread_mutex_unlock(&a->mu);
			need_claim = true;
		}
		if (w.renewed && !need_claim) {
			pthread_mutex_lock(&a->mu);
			bool held = a->held;
			pthread_mutex_unlock(&a->mu);
			/* Renewed after expiry: etcd kept the lease, so the subnet is still ours
			 * (the sync below checks the key). */
			if (!held && agent_hold(a, &e) >= 0)
				agent_log("the lease is renewed: subnet.json is back");
		}
		/* While the store fails, one read every 3 s at most: each one holds the client
		 * for up to its timeouts, and the keep-alive needs it too. */
		sync_pending = true; /* every wake reads the set (events, the 30 s round, a retry) */
		if (!need_claim && sync_pending && agent_now_ms() >= sync_after) {
			sync_pending = false;
			if (agent_sync(a, &lost, &e) < 0) {
				agent_log("%s", e.msg);
				sync_after = agent_now_ms() + RETRY_MS * 3;
			} else {
				sync_after = 0;
			}
		}
		if (lost) {
			agent_unhold(a, "our subnet key is gone from etcd");
			need_claim = true;
		}
		if (need_claim) {
			if (agent_claim(a, &e) < 0) {
				agent_log("cannot claim a subnet: %s; again in %d s", e.msg, RETRY_MS / 1000);
				continue;
			}
			need_claim = false;
			if (agent_sync(a, &lost, &e) < 0)
				agent_log("%s", e.msg);
		}
	}
}

/* The child's report to the parent: "" for ready, else the message. */
static void report(int fd, const char *msg)
{
	if (fd >= 0 && write(fd, msg, strlen(msg) + 1) < 0)
		return;
}

static int parent_wait(int rd)
{
	char buf[NR_ERROR_MSG_MAX + 64];
	size_t len = 0;
	ssize_t n;

	while (len < sizeof(buf) - 1 && (n = read(rd, buf + len, sizeof(buf) - 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		len += (size_t)n;
		if (memchr(buf, '\0', len))
			break;
	}
	buf[len] = '\0';
	if (len > 0 && buf[0] == '\0')
		return 0;
	fprintf(stderr, "netns-run-overlay: %s\n", len ? buf : "the agent died while starting");
	return 1;
}

static int run(struct agent *a, int ready_fd)
{
	_cleanup_close_ int pidfd = -1;
	struct nr_error err = { 0 };
	pthread_condattr_t ca;
	pthread_t th[AGENT_THREADS];
	sigset_t set;
	int r;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&a->cv, &ca);
	pthread_mutex_init(&a->mu, NULL);
	if ((r = overlay_dir(a->name, a->dir, sizeof(a->dir), &err)) < 0 ||
	    ((r = rt_mkdir_p(a->dir, 0755)) < 0 &&
	     nr_error_set(&err, RT_ERR_SYSTEM, r, "cannot create %s: %s", a->dir, strerror(-r)) < 0)) {
		report(ready_fd, err.msg);
		return 1;
	}
	if ((r = pid_lock(a->dir, &pidfd, &err)) <= 0) {
		if (r == 0) {
			/* Another agent runs (started meanwhile): that is what was wanted. */
			report(ready_fd, "");
			return 0;
		}
		report(ready_fd, err.msg);
		return 1;
	}
	if (ready_fd >= 0) {
		char log[PATH_MAX + 8];
		snprintf(log, sizeof(log), "%s/log", a->dir);
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd >= 0) {
			dup2(fd, 2);
			close(fd);
		}
	}
	agent_log("agent of %s starting (pid %d)", a->name, (int)getpid());
	if ((r = agent_prepare(a, &err)) < 0 || (r = agent_threads_start(a, th, &err)) < 0) {
		agent_log("cannot start: %s", err.msg);
		/* Nothing half-made is left for the caller: subnet.json only exists while held. */
		overlay_subnet_remove(a->dir, NULL);
		report(ready_fd, err.msg);
		return 1;
	}
	report(ready_fd, "");
	if (ready_fd >= 0)
		close(ready_fd);
	agent_loop(a);
	agent_threads_join(a, th);
	agent_log("agent of %s stopped (the lease and the kernel state are kept for the next one)", a->name);
	return 0;
}

int ovl_agent_main(const char *name, bool foreground)
{
	struct agent a = { .name = name };
	int pipefd[2];
	pid_t pid;

	if (foreground)
		return run(&a, -1);
	if (pipe2(pipefd, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
		fprintf(stderr, "netns-run-overlay: cannot start the agent: %s\n", strerror(errno));
		return 1;
	}
	if (pid > 0) {
		close(pipefd[1]);
		return parent_wait(pipefd[0]);
	}
	close(pipefd[0]);
	/* A session of its own: the caller's terminal and its signals are not the agent's. */
	setsid();
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull >= 0) {
		dup2(devnull, 0);
		dup2(devnull, 1);
		close(devnull);
	}
	_exit(run(&a, pipefd[1]));
}
