/* A container's record: <state_dir>/containers/<name>/state.json, one JSON object
 * replaced atomically.  Fields: id, name, status (created|running|exited), pid and
 * pid_start (the init, in the host's pid namespace), monitor and monitor_start (the
 * netns-run process that waits for it), exit_code, oom, rm, hostname, network {mode,
 * name, ifname}, capability_args, cgroup {controller: path}, argv, env, created.
 * Changes to the set of containers happen under one lock file, <state_dir>/lock. */
#ifndef NETNS_RUN_STATE_H
#define NETNS_RUN_STATE_H

#include <jansson.h>
#include <stdbool.h>

#include "base/error.h"

/* Take the state lock (blocking, flock); returns the fd to close to release it. */
int state_lock(struct nr_error *err);

/* -ENOENT (err: "no such container: NAME", code 3) when there is no record. */
int state_load(const char *name, json_t **ret, struct nr_error *err);
int state_save(const char *name, json_t *st, struct nr_error *err);

/* Names of every container directory, sorted; a malloc'd NULL-ended array of strings. */
int state_names(char ***ret, struct nr_error *err);
void state_names_free(char **names);

/* Whether the container's init is alive (pid and start time still match). */
bool state_init_alive(json_t *st);
/* Whether the netns-run process that owns the container is alive. */
bool state_monitor_alive(json_t *st);

/* Shorthands for fields that are always present. */
const char *state_str(json_t *st, const char *key);
long long state_int(json_t *st, const char *key);

#endif
