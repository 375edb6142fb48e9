/* The agent's threads besides main: the lease kept alive every lease_ttl / 3, the watch of
 * the network's subnets, SIGTERM/SIGINT (and the expiry watchdog, agent_hold.c).  Each only sets flags under mu and wakes the
 * main loop, which alone touches the kernel and the files. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "agent.h"
#include "engine/rt_error.h"

/* The least time between two renewals: a store failing at once is not asked in a loop. */
#define KEEPALIVE_MIN_MS 100

void agent_wake(struct agent *a, bool *flag)
{
	*flag = true;
	pthread_cond_broadcast(&a->cv);
}

bool agent_wait_locked(struct agent *a, long long ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	while (!a->stop && pthread_cond_timedwait(&a->cv, &a->mu, &ts) != ETIMEDOUT)
		;
	return a->stop;
}

static void *keepalive_main(void *arg)
{
	struct agent *a = arg;
	long long period = a->def.lease_ttl * 1000LL / 3, wait = period;

	pthread_mutex_lock(&a->mu);
	while (!agent_wait_locked(a, wait)) {
		int64_t lease = a->lease;
		wait = period;
		/* No lease: the main thread is claiming one. */
		if (!lease)
			continue;
		pthread_mutex_unlock(&a->mu);
		struct nr_error e = { 0 };
		long long sent = agent_now_ms();
		int r = etcd_lease_keepalive(a->c, lease, NULL, &e);
		pthread_mutex_lock(&a->mu);
		/* The next renewal is due a period after this one was sent.  One that took longer
		 * (members down, an election) counts from its send, so most of the lease was spent
		 * waiting: the next goes out at once, before the watchdog takes subnet.json away
		 * again just after it came back. */
		wait = sent + period - agent_now_ms();
		if (wait < KEEPALIVE_MIN_MS)
			wait = KEEPALIVE_MIN_MS;
		if (lease != a->lease)
			continue; /* claimed again meanwhile */
		if (r >= 0) {
			a->last_renew_ms = sent;
			agent_renewed_record(a);
			if (!a->held)
				agent_wake(a, &a->renewed);
		} else if (r == -ENOENT) {
			agent_log("the lease %llx is gone: claiming again", (unsigned long long)lease);
			a->lost_lease = lease;
			agent_wake(a, &a->lost);
		} else {
			/* The watchdog removes subnet.json when the lease may have expired. */
			agent_log("cannot renew the lease: %s", e.msg);
		}
	}
	pthread_mutex_unlock(&a->mu);
	return NULL;
}

static int on_event(const struct etcd_event *ev, void *userdata)
{
	struct agent *a = userdata;

	pthread_mutex_lock(&a->mu);
	agent_wake(a, &a->dirty);
	pthread_mutex_unlock(&a->mu);
	return 0;
}

static void *watch_main(void *arg)
{
	struct agent *a = arg;
	char prefix[256];

	ovl_key_subnets(a->name, prefix, sizeof(prefix));
	for (;;) {
		struct nr_error e = { 0 };
		int r = etcd_watch_run(a->w, on_event, a, &e);
		pthread_mutex_lock(&a->mu);
		if (a->stop || r == 0) {
			pthread_mutex_unlock(&a->mu);
			break;
		}
		if (r == -ESTALE) {
			/* Compacted past us: watch from now and read the whole set again. */
			struct etcd_watch *w = NULL;
			agent_log("the watch was compacted: reading the set again");
			pthread_mutex_unlock(&a->mu);
			r = etcd_watch_new(a->c, prefix, 0, &w, &e);
			pthread_mutex_lock(&a->mu);
			if (r >= 0) {
				struct etcd_watch *old = a->w;
				a->w = w;
				if (a->stop)
					etcd_watch_stop(w);
				pthread_mutex_unlock(&a->mu);
				etcd_watch_free(old);
				pthread_mutex_lock(&a->mu);
			}
		} else {
			agent_log("the watch stopped: %s; again in 1 s", e.msg);
		}
		agent_wake(a, &a->dirty);
		bool stop = agent_wait_locked(a, r == -ESTALE ? 0 : 1000);
		pthread_mutex_unlock(&a->mu);
		if (stop)
			break;
	}
	return NULL;
}

static void *signal_main(void *arg)
{
	struct agent *a = arg;
	sigset_t set;
	int sig = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	sigwait(&set, &sig);
	pthread_mutex_lock(&a->mu);
	if (sig != SIGUSR1)
		agent_log("signal %d: exiting", sig);
	a->stop = true;
	if (a->w)
		etcd_watch_stop(a->w);
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	return NULL;
}

int agent_threads_start(struct agent *a, pthread_t th[AGENT_THREADS], struct nr_error *err)
{
	void *(*fn[AGENT_THREADS])(void *) = { signal_main, keepalive_main, watch_main, agent_expiry_main };
	char prefix[256];
	int r;

	ovl_key_subnets(a->name, prefix, sizeof(prefix));
	/* From the read's revision on; from now when there was none (resumed without the store:
	 * the first successful sync reads the whole set). */
	if ((r = etcd_watch_new(a->c, prefix, a->revision ? a->revision + 1 : 0, &a->w, err)) < 0)
		return nr_error_wrap(err, r, "cannot watch %s", prefix);
	for (int i = 0; i < AGENT_THREADS; i++)
		if ((r = pthread_create(&th[i], NULL, fn[i], a)) != 0) {
			/* The ones started end with stop; the signal thread by a signal of our own. */
			pthread_mutex_lock(&a->mu);
			a->stop = true;
			etcd_watch_stop(a->w);
			pthread_cond_broadcast(&a->cv);
			pthread_mutex_unlock(&a->mu);
			if (i > 0)
				pthread_kill(th[0], SIGUSR1);
			for (int j = 0; j < i; j++)
				pthread_join(th[j], NULL);
			return nr_error_set(err, RT_ERR_SYSTEM, r, "cannot start a thread: %s", strerror(r));
		}
	return 0;
}

void agent_threads_join(struct agent *a, pthread_t th[AGENT_THREADS])
{
	pthread_mutex_lock(&a->mu);
	a->stop = true;
	etcd_watch_stop(a->w);
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	pthread_kill(th[0], SIGUSR1);
	for (int i = 0; i < AGENT_THREADS; i++)
		pthread_join(th[i], NULL);
}
