/* The host agent of one overlay network (docs/multihost.md "The agent"): its state, shared
 * by its threads (main: claims, the kernel and the files; keep-alive; watch; the expiry
 * watchdog) and a signal thread.  Everything the threads share is under mu; the kernel,
 * the claim and the files but subnet.json are the main thread's alone; subnet.json goes
 * with held, under mu (agent_hold.c), as the watchdog must remove it while the main thread
 * waits on the store. */
#ifndef NETNS_RUN_OVL_AGENT_H
#define NETNS_RUN_OVL_AGENT_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "agent_net.h"
#include "overlay/overlay.h"
#include "ovl.h"

struct agent {
	/* Set before the threads start, read-only after. */
	const char *name;
	char dir[PATH_MAX];
	char host[64];
	struct ovl_local local;
	struct ovl_def def;
	struct ovl_underlay u;
	struct etcd_client *c;

	/* The main thread's. */
	struct overlay_subnet sub;
	bool has_sub; /* sub names a claimed subnet (the device is made for it) */
	uint8_t mac[6];
	char since[40];
	struct ovl_host *hosts; /* the last set read from etcd */
	size_t n_hosts;
	int64_t revision; /* of that read */
	bool have_set;    /* one read succeeded (a resumed agent starts without) */

	/* Shared, under mu. */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
	bool dirty; /* read the set again */
	bool lost;  /* the lease lost_lease is gone: claim again (if it is still ours) */
	int64_t lost_lease;
	bool expired;            /* no renewal for lease_ttl: stop using the subnet */
	bool renewed;            /* a renewal after expired */
	bool held;               /* subnet.json is there */
	int64_t lease;           /* 0 while none */
	long long last_renew_ms; /* when the last successful renewal (or grant) was sent */
	struct etcd_watch *w;
};

long long agent_now_ms(void);
/* One line in the log: time, then the message. */
void agent_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* agent_claim.c: a lease and a subnet claimed, the device made, subnet.json written. */
int agent_claim(struct agent *a, struct nr_error *err);
/* agent_resume.c: the definition cached and each renewal's time recorded in the agent's
 * directory, for agent_resume: started while the store is unreachable, take up the subnet
 * the predecessor held when its lease may still be ours. */
void agent_cache_definition(const struct agent *a);
void agent_renewed_record(const struct agent *a);
int agent_resume(struct agent *a, struct nr_error *err);
/* agent_sync.c: the set read, the kernel made to match, hosts.json written; when our own key
 * is gone, *ret_lost. */
int agent_sync(struct agent *a, bool *ret_lost, struct nr_error *err);
/* agent_hold.c: subnet.json written or removed together with held, under mu, by the main
 * thread or the expiry watchdog (whichever sees the reason first). */
int agent_hold(struct agent *a, struct nr_error *err);
void agent_unhold(struct agent *a, const char *why);
/* Under mu: the milliseconds left before etcd may have let the lease expire (<= 0: it may
 * have): lease_ttl after the last renewal was sent, less a margin for the members' lease
 * checks. */
long long agent_lease_left_locked(const struct agent *a);
/* The expiry watchdog's thread: subnet.json removed once the lease may have expired. */
void *agent_expiry_main(void *arg);
/* agent_threads.c */
#define AGENT_THREADS 4
int agent_threads_start(struct agent *a, pthread_t th[AGENT_THREADS], struct nr_error *err);
void agent_threads_join(struct agent *a, pthread_t th[AGENT_THREADS]);
/* Wait on cv until stop or ms have passed (mu held); whether stop. */
bool agent_wait_locked(struct agent *a, long long ms);
/* Wake the main loop with flag set (under mu). */
void agent_wake(struct agent *a, bool *flag);

#endif
