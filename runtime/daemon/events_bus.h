/* Inside the event bus (events.h): what GET /events (events.c), the exit watcher
 * (events_watch.c) and the unit tests share.  The bus keeps a bounded ring of the recent
 * events, each with a sequence number; a stream is a cursor into it, so a stream holds
 * no queue of its own and one that falls behind by more than the ring loses the oldest
 * events instead of growing (Docker's stream drops too). */
#ifndef NETNS_RUN_DAEMON_EVENTS_BUS_H
#define NETNS_RUN_DAEMON_EVENTS_BUS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "base/error.h"

/* How many recent events ?since= can reach back to. */
#define EVENTS_RING 1024

struct events_filter;

/* The ?filters= JSON: {"type":["container"],"event":["start"],"container":["web"], …},
 * or the older map form {"type":{"container":true}}.  Keys: type, event, container,
 * network, image, label, scope.  NULL or "" text: no filter (*ret NULL).  An unknown key
 * or a malformed value: RT_ERR_USAGE with Docker's wording. */
int events_filter_parse(const char *text, struct events_filter **ret, struct nr_error *err);
void events_filter_free(struct events_filter *f);
/* Whether event ev (Docker's shape) passes f (NULL: every event does). */
bool events_filter_match(const struct events_filter *f, const json_t *ev);

/* ?since= / ?until=: Docker's client sends unix seconds with an optional fraction
 * ("1700000000.123456789"); into nanoseconds.  -EINVAL on anything else. */
int events_parse_time(const char *s, long long *ret_ns);

/* One stream: writes the matching events with since_ns <= time (0: from now on, the
 * ring's old ones not replayed), one JSON line each, to out, until until_ns (0: no end;
 * a past until_ns: the replay only), the bus stops, or the client goes away (a write
 * fails, or out reports POLLERR/POLLHUP while idle).  f may be NULL; it stays the
 * caller's.  Returns 0 or -errno of the write that failed. */
int events_stream(int out, long long since_ns, long long until_ns, const struct events_filter *f);

/* The id and image (Actor.Attributes.image, "" when none) of the latest container event
 * in the ring whose name attribute is name; false when there is none. */
bool events_recent_container(const char *name, char *ret_id, size_t id_len, char *ret_image, size_t image_len);

/* The streams running now (for tests and the no-leak check). */
size_t events_streams(void);

/* The watcher's own thread's end (events_stop calls it). */
void events_watcher_stop(void);

#endif
