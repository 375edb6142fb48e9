/* Docker's ?filters= query parameter: a JSON object of KEY to values, either the current
 * form {"name": {"n1": true}} or the old one {"name": ["n1"]} (clients before API 1.22
 * and some tools still send it), flattened to KEY=VALUE pairs for the engine's filters. */
#ifndef NETNS_RUN_DAEMON_QUERY_FILTER_H
#define NETNS_RUN_DAEMON_QUERY_FILTER_H

#include <jansson.h>
#include <stddef.h>

#include "base/error.h"

#define QFILTER_MAX 64

struct qfilter {
	const char *key, *value; /* into the parsed document */
};

struct qfilters {
	json_t *doc;
	struct qfilter v[QFILTER_MAX];
	size_t n;
};

/* Parse text (NULL or "" = no filters) into f, which qfilters_release frees.  Not JSON,
 * not an object, a value neither an object of booleans nor an array of strings, or more
 * than QFILTER_MAX pairs: RT_ERR_USAGE with Docker's "invalid filter" wording. */
int qfilters_parse(const char *text, struct qfilters *f, struct nr_error *err);
void qfilters_release(struct qfilters *f);

/* Whether every key of f is one of keys (NULL-ended); RT_ERR_USAGE "invalid filter 'K'"
 * otherwise, as Docker answers an unknown filter. */
int qfilters_check_keys(const struct qfilters *f, const char *const *keys, struct nr_error *err);

/* The values given for key, in order, into ret (at most max); how many. */
size_t qfilters_get(const struct qfilters *f, const char *key, const char **ret, size_t max);

#endif
