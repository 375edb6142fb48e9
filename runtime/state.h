/* Compatibility for runtime/network*.c (another branch's files): the old JSON view of a
 * container record, built from the typed one (engine/container.h) in
 * engine/container_json.c.  Port a caller by replacing state_load + state_str/state_int
 * with ctr_store_load and the struct's fields, state_names with ctr_store_names, and
 * state_lock with ctr_store_lock; then delete this header and that section. */
#ifndef NETNS_RUN_STATE_H
#define NETNS_RUN_STATE_H

#include <jansson.h>
#include <stdbool.h>

#include "engine/container.h"

int state_lock(struct nr_error *err);
int state_load(const char *name, json_t **ret, struct nr_error *err);
int state_names(char ***ret, struct nr_error *err);
void state_names_free(char **names);
bool state_init_alive(json_t *st);
const char *state_str(json_t *st, const char *key);
long long state_int(json_t *st, const char *key);

#endif
