/* Typed access to JSON object members with messages that name the field.  Wrong types
 * are code 6 (the content cannot be decoded); missing required members are code 7. */
#ifndef NETNS_RUN_JSON_FIELD_H
#define NETNS_RUN_JSON_FIELD_H

#include <jansson.h>
#include <stdbool.h>

#include "cleanup.h"
#include "error.h"

/* jansson ships json_decrefp (the cleanup behind its json_auto_t). */
#define _cleanup_json_ _cleanup_(json_decrefp)

/* Member lookup as Go's encoding/json decodes into a struct field whose JSON name is
 * `name` (the reference plugins, libcni and go-cni are Go; go-cni's capability structs
 * have no tags, so containerd sends "HostPort", "RangeStart", ...).  A key matches when
 * it equals name ignoring ASCII case, with Go's two non-ASCII folds: U+017F (long s)
 * for s and U+212A (Kelvin sign) for k.  Of several matching members the last one in
 * document order wins, as Go decodes them in order into the same field; a null member
 * is skipped (Go leaves a scalar field as it was).  No allocation; one pass over obj.
 * See docs/go-clients.md. */
json_t *json_get_go(json_t *obj, const char *name);

/* Whether the JSON object key `key` (UTF-8) names the field `name` (ASCII) for Go. */
bool json_key_go_equal(const char *name, const char *key);

/* Each getter finds its member with json_get_go() and leaves *ret untouched when the member is absent (or null) and not required,
 * so callers set the default first.  `what` prefixes messages ("bridge config"). */
int jfield_string(json_t *obj, const char *key, const char *what, bool required, const char **ret,
		  struct nr_error *err);
int jfield_bool(json_t *obj, const char *key, const char *what, bool *ret, struct nr_error *err);
int jfield_int(json_t *obj, const char *key, const char *what, long long min, long long max, long long *ret,
	       struct nr_error *err);
int jfield_object(json_t *obj, const char *key, const char *what, bool required, json_t **ret, struct nr_error *err);
int jfield_array(json_t *obj, const char *key, const char *what, json_t **ret, struct nr_error *err);

/* Every member of obj must be in `known` (NULL-terminated, matched as json_get_go()
 * does); the first one that is not is code 2 naming it.  For configs whose schema we own completely. */
int jfield_reject_unknown(json_t *obj, const char *const *known, const char *what, struct nr_error *err);

/* Parse a whole JSON document that must be an object; syntax errors are code 6 with the
 * line and column, duplicate keys are rejected (they make a config ambiguous). */
int json_parse_object(const char *buf, size_t len, const char *what, json_t **ret, struct nr_error *err);

#endif
