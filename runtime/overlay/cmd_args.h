/* The options the verbs share: --store and its TLS files, --opt, --label, --subnet, -d. */
#ifndef NETNS_RUN_OVL_CMD_ARGS_H
#define NETNS_RUN_OVL_CMD_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "ovl.h"

#define OVL_KV_MAX 64

struct ovl_args {
	struct ovl_store store;
	const char *subnet;
	const char *opts[OVL_KV_MAX];
	size_t n_opts;
	const char *labels[OVL_KV_MAX];
	size_t n_labels;
	bool foreground;
	const char *name;
};

/* Which options a verb takes. */
enum {
	OVL_ARG_STORE = 1,  /* --store, --store-cacert, --store-cert, --store-key */
	OVL_ARG_CREATE = 2, /* --subnet, --label, -d/--driver overlay */
	OVL_ARG_OPT = 4,    /* -o/--opt */
	OVL_ARG_FG = 8,     /* --foreground */
};

/* Parse argv (argv[0] the verb) into ret; exactly one NAME.  1: go on; 0: --help printed;
 * -1: a usage error printed. */
int ovl_args_parse(int argc, char **argv, int which, const char *usage, struct ovl_args *ret);

/* The value of --opt key (the last one given), or NULL. */
const char *ovl_args_opt(const struct ovl_args *a, const char *key);

#endif
