/* Docker's ?filters= query parameter: a JSON object of KEY to values, either the current
 * form {"name": {"n1": true}} or the old one {"name": ["n1"]} (clients before API 1.22
 * and some tools still send it), flattened to KEY=VALUE pairs for the engine's filters. */
#ifndef NETNS_RUN_DAEMON_QUERY_FILTER_H
#define NETNS_RUN_DAEMON_QUERY_FILTER_H

#include <jansson.h>
#include <stdbool.h>
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

/* Docker's label test (filters.Args.MatchKVList, one value): want is KEY (present) or
 * KEY=VALUE (equal); labels an object of strings, or NULL (none). */
bool qfilters_label_match(json_t *labels, const char *want);

/* A time as Docker's daemon reads until= (api/types/time GetTimestamp): a Go duration
 * counted back from now_ns ("10m", "1h30m", "1.5h"), an RFC 3339 time or date (without
 * a zone: the daemon's local time; "2006-01-02", "2006-01-02T15:04", "…T15:04:05.5Z",
 * "…+02:00"), or unix seconds with an optional fraction ("1700000000.5").  -EINVAL for
 * anything else. */
int qfilters_time(const char *s, long long now_ns, long long *ret_ns);

/* The prune filters every prune shares: until (at most one), label and label!. */
struct qprune {
	long long until_ns; /* 0: not given */
	const char *labels[QFILTER_MAX], *not_labels[QFILTER_MAX];
	size_t n_labels, n_not_labels;
};

/* From f (its keys already checked), until read against now_ns.  RT_ERR_USAGE for a bad
 * or second until, in Docker's words. */
int qprune_get(const struct qfilters *f, long long now_ns, struct qprune *ret, struct nr_error *err);

/* qfilters_parse, qfilters_check_keys against until, label, label! and extra (NULL-ended,
 * or NULL), then qprune_get with the clock's now: what a prune handler starts with.  f
 * (which p points into) to be released by the caller, also on failure. */
int qprune_parse(const char *text, const char *const *extra, struct qfilters *f, struct qprune *p,
		 struct nr_error *err);

/* Whether an object created at created_ns with labels is pruned: created before until,
 * every label= matching, and not every label!= matching (Docker's matchLabels). */
bool qprune_match(const struct qprune *p, long long created_ns, json_t *labels);

#endif
