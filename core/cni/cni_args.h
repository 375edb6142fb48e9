/* CNI_ARGS: "K=V;K=V" extra arguments (CONVENTIONS.md).  A plugin names the keys it
 * understands; any other key is an error unless IgnoreUnknown is true. */
#ifndef NETNS_RUN_CNI_ARGS_H
#define NETNS_RUN_CNI_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

#define CNI_ARGS_MAX 64

struct cni_arg {
	char *key;
	char *value;
};

struct cni_args {
	struct cni_arg items[CNI_ARGS_MAX];
	size_t n;
	bool ignore_unknown;
};

/* Parse s (may be NULL or empty).  known is a NULL-terminated list of accepted keys
 * besides IgnoreUnknown; NULL accepts every key.  Errors are code 4 naming CNI_ARGS. */
int cni_args_parse(const char *s, const char *const *known, struct cni_args *ret, struct nr_error *err);

/* Value of key, or NULL.  With repeated keys the last one wins. */
const char *cni_args_get(const struct cni_args *a, const char *key);

void cni_args_free(struct cni_args *a);

#endif
