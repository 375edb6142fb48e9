/* The daemon's event bus (GET /events): handlers and the exit watcher publish, each
 * /events stream subscribes.  Thread-safe.  Events are Docker's shape: {"Type",
 * "Action", "Actor": {"ID", "Attributes"}, "scope": "local", "time", "timeNano"} plus,
 * for containers, the legacy "status", "id" and "from". */
#ifndef NETNS_RUN_DAEMON_EVENTS_H
#define NETNS_RUN_DAEMON_EVENTS_H

#include <jansson.h>

/* type: "container", "network", "image"; action: "create", "start", "die", "destroy",
 * "connect", "exec_start: sh" …; attrs: Actor.Attributes (stolen; NULL = none; Docker
 * puts "name" and "image" for containers, "name" and "type" for networks, and
 * "exitCode" for die). */
void events_emit(const char *type, const char *action, const char *id, json_t *attrs);

/* Start watching containers for their end ("die", and "destroy" after AutoRemove); the
 * daemon calls it once at start.  events_watch_container: a container just started. */
int events_watcher_start(void);
void events_watch_container(const char *name);
void events_stop(void);

#endif
