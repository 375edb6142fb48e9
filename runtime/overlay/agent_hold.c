/* subnet.json and held, together (agent.h).  The watchdog removes subnet.json on time even
 * while the main thread and the keep-alive wait on an unreachable store (each request may
 * take members x request timeout): a host cut off from etcd must stop handing out addresses
 * of its subnet before etcd may give the subnet to another host. */
#include "agent.h"

/* etcd's leader looks for expired leases every 500 ms; a renewal's TTL runs from when the
 * leader handled it, which is after we sent it: lease_ttl after the send, less this, is
 * before any expiry. */
#define EXPIRY_MARGIN_MS 500

long long agent_lease_left_locked(const struct agent *a)
{
	long long ttl = a->def.lease_ttl * 1000LL;
	long long margin = ttl / 10 < EXPIRY_MARGIN_MS ? ttl / 10 : EXPIRY_MARGIN_MS;

	return a->last_renew_ms + ttl - margin - agent_now_ms();
}

int agent_hold(struct agent *a, struct nr_error *err)
{
	int r;

	pthread_mutex_lock(&a->mu);
	if ((r = overlay_subnet_write(a->dir, &a->sub, err)) >= 0) {
		a->held = true;
		pthread_cond_broadcast(&a->cv); /* the watchdog has a deadline again */
	}
	pthread_mutex_unlock(&a->mu);
	return r;
}

static void unhold_locked(struct agent *a, const char *why)
{
	bool was = a->held;

	a->held = false;
	if (overlay_subnet_remove(a->dir, NULL) >= 0 && was)
		agent_log("subnet.json removed: %s", why);
}

void agent_unhold(struct agent *a, const char *why)
{
	pthread_mutex_lock(&a->mu);
	unhold_locked(a, why);
	pthread_mutex_unlock(&a->mu);
}

void *agent_expiry_main(void *arg)
{
	struct agent *a = arg;

	pthread_mutex_lock(&a->mu);
	while (!a->stop) {
		long long left = a->held ? agent_lease_left_locked(a) : 1000;
		if (a->held && left <= 0) {
			unhold_locked(a, "no renewal of the lease for lease_ttl (etcd unreachable?)");
			/* The main loop learns it too (it writes the file back after a renewal). */
			a->expired = true;
			pthread_cond_broadcast(&a->cv);
			continue;
		}
		agent_wait_locked(a, left);
	}
	pthread_mutex_unlock(&a->mu);
	return NULL;
}
