/* The event bus (events.h, events_bus.h): one mutex over a ring of the last EVENTS_RING
 * events; a condition variable wakes the streams.  Handlers' threads publish, stream
 * threads read: an event is immutable once in the ring, and is only read or freed under
 * the mutex, so no reference counting crosses threads. */
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "events.h"
#include "events_bus.h"

struct bus_event {
	unsigned long long seq;
	long long time_ns;
	json_t *msg; /* for the filters */
	char *line;  /* msg as sent: compact JSON */
};

static pthread_mutex_t bus_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t bus_cond; /* CLOCK_MONOTONIC, made once */
static pthread_once_t bus_once = PTHREAD_ONCE_INIT;
static struct bus_event bus_ring[EVENTS_RING];
static unsigned long long bus_next_seq = 1; /* the next event's; the ring holds the EVENTS_RING before it */
static size_t bus_n_streams;
static bool bus_stopping;

static void bus_init(void)
{
	pthread_condattr_t a;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&bus_cond, &a);
	pthread_condattr_destroy(&a);
}

static long long now_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Actor.Attributes are strings in Docker (map[string]string); a caller's number becomes one. */
static json_t *attributes(json_t *attrs)
{
	json_t *out = json_object(), *v;
	const char *k;

	if (!out)
		return NULL;
	json_object_foreach(attrs, k, v) {
		if (json_is_string(v))
			json_object_set(out, k, v);
		else if (json_is_integer(v))
			json_object_set_new(out, k, json_sprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v)));
		else if (json_is_boolean(v))
			json_object_set_new(out, k, json_string(json_is_true(v) ? "true" : "false"));
	}
	return out;
}

static json_t *event_message(const char *type, const char *action, const char *id, json_t *attrs, long long t)
{
	json_t *m = json_object(), *a = attributes(attrs);
	const char *from = json_string_value(json_object_get(a, "image"));

	if (!m || !a) {
		json_decref(m);
		json_decref(a);
		return NULL;
	}
	/* The fields before "Type" are the pre-1.22 shape, which Docker still sends for
	 * containers and which older clients print. */
	if (!strcmp(type, "container")) {
		json_object_set_new(m, "status", json_string(action));
		json_object_set_new(m, "id", json_string(id));
		if (from)
			json_object_set_new(m, "from", json_string(from));
	}
	json_object_set_new(m, "Type", json_string(type));
	json_object_set_new(m, "Action", json_string(action));
	json_object_set_new(m, "Actor", json_pack("{s:s, s:o}", "ID", id, "Attributes", a));
	json_object_set_new(m, "scope", json_string("local"));
	json_object_set_new(m, "time", json_integer(t / 1000000000LL));
	json_object_set_new(m, "timeNano", json_integer(t));
	return m;
}

void events_emit(const char *type, const char *action, const char *id, json_t *attrs)
{
	long long t = now_ns(CLOCK_REALTIME);
	json_t *m;
	char *line;
	struct bus_event *slot;

	pthread_once(&bus_once, bus_init);
	m = event_message(type ? type : "", action ? action : "", id ? id : "", attrs, t);
	json_decref(attrs);
	line = m ? json_dumps(m, JSON_COMPACT) : NULL;
	if (!line) {
		/* Out of memory: an event lost, never the daemon. */
		json_decref(m);
		return;
	}
	pthread_mutex_lock(&bus_lock);
	slot = &bus_ring[bus_next_seq % EVENTS_RING];
	json_decref(slot->msg);
	free(slot->line);
	/* Times in the ring only go forward, so ?since= can stop at the first newer one. */
	if (bus_next_seq > 1) {
		long long last = bus_ring[(bus_next_seq - 1) % EVENTS_RING].time_ns;

		if (t < last) {
			t = last;
			json_object_set_new(m, "time", json_integer(t / 1000000000LL));
			json_object_set_new(m, "timeNano", json_integer(t));
			free(line);
			line = json_dumps(m, JSON_COMPACT);
		}
	}
	*slot = (struct bus_event){ .seq = bus_next_seq++, .time_ns = t, .msg = m, .line = line };
	pthread_cond_broadcast(&bus_cond);
	pthread_mutex_unlock(&bus_lock);
}

static int write_line(int fd, const char *line)
{
	size_t len = strlen(line), off = 0;
	char nl = '\n';

	while (off < len) {
		ssize_t n = write(fd, line + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		off += (size_t)n;
	}
	while (write(fd, &nl, 1) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

/* While idle, whether the client is still there: the server's side of the stream
 * reports POLLERR (a pipe whose reader closed) or POLLHUP (a socket) once it left. */
static bool client_gone(int fd)
{
	struct pollfd p = { .fd = fd, .events = 0 };

	return poll(&p, 1, 0) > 0 && (p.revents & (POLLERR | POLLHUP | POLLNVAL));
}

/* How often an idle stream looks for its client. */
#define IDLE_CHECK_NS 1000000000LL

int events_stream(int out, long long since_ns, long long until_ns, const struct events_filter *f)
{
	unsigned long long cursor;
	int r = 0;

	pthread_once(&bus_once, bus_init);
	pthread_mutex_lock(&bus_lock);
	bus_n_streams++;
	cursor = bus_next_seq;
	if (since_ns > 0)
		cursor = bus_next_seq > EVENTS_RING ? bus_next_seq - EVENTS_RING : 1;
	while (!bus_stopping) {
		long long wait_ns, left;
		struct timespec ts;

		while (cursor < bus_next_seq) {
			unsigned long long oldest = bus_next_seq > EVENTS_RING ? bus_next_seq - EVENTS_RING : 1;
			const struct bus_event *e;
			_cleanup_free_ char *line = NULL;

			if (cursor < oldest) /* fallen behind: the oldest are gone */
				cursor = oldest;
			e = &bus_ring[cursor % EVENTS_RING];
			cursor++;
			if (e->time_ns < since_ns)
				continue;
			if (until_ns > 0 && e->time_ns > until_ns)
				goto out;
			if (!events_filter_match(f, e->msg))
				continue;
			if (!(line = strdup(e->line)))
				continue;
			pthread_mutex_unlock(&bus_lock);
			r = write_line(out, line);
			pthread_mutex_lock(&bus_lock);
			if (r < 0)
				goto out;
		}
		wait_ns = IDLE_CHECK_NS;
		if (until_ns > 0) {
			left = until_ns - now_ns(CLOCK_REALTIME);
			if (left < 0)
				break;
			if (left < wait_ns)
				wait_ns = left + 1;
		}
		left = now_ns(CLOCK_MONOTONIC) + wait_ns;
		ts.tv_sec = left / 1000000000LL;
		ts.tv_nsec = left % 1000000000LL;
		if (pthread_cond_timedwait(&bus_cond, &bus_lock, &ts) == ETIMEDOUT && cursor == bus_next_seq) {
			bool gone;

			pthread_mutex_unlock(&bus_lock);
			gone = client_gone(out);
			pthread_mutex_lock(&bus_lock);
			if (gone) {
				r = -EPIPE;
				break;
			}
		}
	}
out:
	bus_n_streams--;
	pthread_cond_broadcast(&bus_cond);
	pthread_mutex_unlock(&bus_lock);
	return r;
}

bool events_recent_container(const char *name, char *ret_id, size_t id_len, char *ret_image, size_t image_len)
{
	bool found = false;
	const char *image = NULL;

	pthread_once(&bus_once, bus_init);
	pthread_mutex_lock(&bus_lock);
	for (unsigned long long seq = bus_next_seq - 1; seq >= 1 && seq + EVENTS_RING >= bus_next_seq; seq--) {
		const json_t *m = bus_ring[seq % EVENTS_RING].msg;
		const json_t *actor = json_object_get(m, "Actor");
		const json_t *attrs = json_object_get(actor, "Attributes");
		const char *n = json_string_value(json_object_get(attrs, "name"));

		if (!n || strcmp(n, name) || strcmp(json_string_value(json_object_get(m, "Type")) ?: "", "container"))
			continue;
		if (found && strcmp(json_string_value(json_object_get(actor, "ID")) ?: "", ret_id))
			continue; /* an earlier container of the same name */
		if (!found) {
			snprintf(ret_id, id_len, "%s", json_string_value(json_object_get(actor, "ID")) ?: "");
			found = true;
		}
		/* start carries no image in every handler: the create before it does */
		if ((image = json_string_value(json_object_get(attrs, "image"))))
			break;
	}
	snprintf(ret_image, image_len, "%s", found && image ? image : "");
	pthread_mutex_unlock(&bus_lock);
	return found;
}

size_t events_streams(void)
{
	size_t n;

	pthread_mutex_lock(&bus_lock);
	n = bus_n_streams;
	pthread_mutex_unlock(&bus_lock);
	return n;
}

/* The daemon's end: the watcher stops, the streams end (their clients see the end of the
 * answer) and are waited for, so none writes after the server is gone. */
void events_stop(void)
{
	struct timespec ts;
	long long deadline;

	events_watcher_stop();
	pthread_once(&bus_once, bus_init);
	pthread_mutex_lock(&bus_lock);
	bus_stopping = true;
	pthread_cond_broadcast(&bus_cond);
	deadline = now_ns(CLOCK_MONOTONIC) + 2 * 1000000000LL;
	ts.tv_sec = deadline / 1000000000LL;
	ts.tv_nsec = deadline % 1000000000LL;
	/* A stream stuck in a write to a client that reads nothing is not waited for long. */
	while (bus_n_streams > 0)
		if (pthread_cond_timedwait(&bus_cond, &bus_lock, &ts) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&bus_lock);
}
