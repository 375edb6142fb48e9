/* A deadline for each request's headers.  MHD's connection timeout is an idle timeout:
 * a client sending its headers a byte at a time is never idle, and holds its thread for
 * as long as it likes (slow loris).  So every connection is noted here when MHD accepts
 * it, and a watchdog shuts down the socket of any that has not finished its headers
 * within the timeout of its start (or of its previous request's end, on keep-alive), or
 * its body within the timeout of its headers (server.c); MHD then sees the connection
 * fail and closes it.  Requests under way (their handler, an upload, a stream) and
 * hijacked sessions are never cut here. */
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "daemon/dlog.h"
#include "daemon/server.h"
#include "daemon/server_run.h"

struct watch {
	struct watch *next, **pprev;
	int fd;
	bool busy; /* in a request (past its headers), or hijacked */
	struct timespec deadline;
};

static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;
static struct watch *watched;
static unsigned watch_timeout = 30;
static pthread_once_t watch_once = PTHREAD_ONCE_INIT;

static void deadline_from_now(struct watch *w)
{
	clock_gettime(CLOCK_MONOTONIC, &w->deadline);
	w->deadline.tv_sec += watch_timeout;
}

static void *watchdog(void *arg)
{
	struct pollfd p = { .fd = server_stop_fd(), .events = POLLIN };

	/* A quarter of a second's lateness is nothing next to the timeout. */
	while (poll(&p, 1, 250) == 0) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		pthread_mutex_lock(&watch_lock);
		for (struct watch *w = watched; w; w = w->next)
			if (!w->busy && (now.tv_sec > w->deadline.tv_sec ||
					 (now.tv_sec == w->deadline.tv_sec && now.tv_nsec >= w->deadline.tv_nsec))) {
				dlog_debug("cutting a client that sent no complete request in %us", watch_timeout);
				shutdown(w->fd, SHUT_RDWR);
				w->busy = true; /* once */
			}
		pthread_mutex_unlock(&watch_lock);
	}
	return NULL;
}

static void watchdog_start(void)
{
	pthread_t t;
	pthread_attr_t attr;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, watchdog, NULL) != 0)
		dlog_warn("no watchdog thread: slow clients are cut only when idle");
	pthread_attr_destroy(&attr);
}

void server_watch_init(unsigned timeout)
{
	watch_timeout = timeout;
	pthread_once(&watch_once, watchdog_start);
}

void server_watch_notify(void *cls, struct MHD_Connection *mc, void **socket_context,
			 enum MHD_ConnectionNotificationCode toe)
{
	struct watch *w = *socket_context;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CONNECTION_FD);
		w = calloc(1, sizeof(*w));
		if (!w || !ci) {
			free(w);
			return;
		}
		w->fd = ci->connect_fd;
		deadline_from_now(w);
		pthread_mutex_lock(&watch_lock);
		w->next = watched;
		w->pprev = &watched;
		if (watched)
			watched->pprev = &w->next;
		watched = w;
		pthread_mutex_unlock(&watch_lock);
		*socket_context = w;
		return;
	}
	/* MHD_CONNECTION_NOTIFY_CLOSED, before MHD closes the socket: the watchdog never
	 * shuts down a descriptor that has been reused. */
	if (!w)
		return;
	pthread_mutex_lock(&watch_lock);
	*w->pprev = w->next;
	if (w->next)
		w->next->pprev = w->pprev;
	pthread_mutex_unlock(&watch_lock);
	free(w);
	*socket_context = NULL;
}

void server_watch_busy(struct MHD_Connection *mc, bool busy)
{
	const union MHD_ConnectionInfo *ci = mc ? MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT)
						: NULL;
	struct watch *w = ci ? ci->socket_context : NULL;

	if (!w)
		return;
	pthread_mutex_lock(&watch_lock);
	w->busy = busy;
	if (!busy)
		deadline_from_now(w);
	pthread_mutex_unlock(&watch_lock);
}

void server_watch_extend(struct MHD_Connection *mc, unsigned seconds)
{
	const union MHD_ConnectionInfo *ci = mc ? MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT)
						: NULL;
	struct watch *w = ci ? ci->socket_context : NULL;

	if (!w)
		return;
	pthread_mutex_lock(&watch_lock);
	if (!w->busy)
		w->deadline.tv_sec += seconds;
	pthread_mutex_unlock(&watch_lock);
}

void server_watch_cut_all(void)
{
	pthread_mutex_lock(&watch_lock);
	for (struct watch *w = watched; w; w = w->next)
		shutdown(w->fd, SHUT_RDWR);
	pthread_mutex_unlock(&watch_lock);
}
