/* The plugin side of CNI: read the environment and stdin, validate, answer VERSION,
 * dispatch to a table of operations, and print the result or the one error object.
 * A plugin's main.c is its operations and a call to cni_plugin_main(). */
#ifndef NETNS_RUN_CNI_PLUGIN_H
#define NETNS_RUN_CNI_PLUGIN_H

#include "cni_args.h"
#include "cni_config.h"
#include "cni_env.h"
#include "cni_result.h"
#include "base/error.h"

struct cni_plugin_ctx {
	struct cni_env env;
	struct cni_conf conf;
	struct cni_args args;
	/* The raw stdin, for delegating to another plugin (IPAM) unchanged. */
	const char *stdin_buf;
	size_t stdin_len;
};

struct cni_plugin_ops {
	const char *name; /* for messages and VERSION's about text */
	/* CNI_ARGS keys understood besides IgnoreUnknown (NULL-terminated); NULL = none. */
	const char *const *known_args;
	/* ADD fills *ret_result (allocated by the skeleton); the others print nothing. */
	int (*add)(struct cni_plugin_ctx *ctx, struct cni_result *ret_result, struct nr_error *err);
	int (*del)(struct cni_plugin_ctx *ctx, struct nr_error *err);
	int (*check)(struct cni_plugin_ctx *ctx, struct nr_error *err);
	int (*status)(struct cni_plugin_ctx *ctx, struct nr_error *err); /* NULL: always ready */
	int (*gc)(struct cni_plugin_ctx *ctx, struct nr_error *err);     /* NULL: nothing to collect */
};

/* Returns the process exit status: 0 on success, 1 after printing an error object. */
int cni_plugin_main(const struct cni_plugin_ops *ops);

/* Run another plugin's operations in this process, as if it had been executed with the
 * same environment and stdin as outer but CNI_COMMAND=cmd (delegation without a fork
 * and exec): the same version and CNI_ARGS rules apply.  ADD gives its result in *ret. */
int cni_plugin_run_in_process(const struct cni_plugin_ops *ops, const struct cni_plugin_ctx *outer,
			      enum cni_cmd cmd, struct cni_result **ret, struct nr_error *err);

/* Whether the executable at path is one of ours (it carries the note cni_plugin.c puts in
 * every plugin), of the same shared-state version. */
bool cni_plugin_is_ours(const char *path);

/* Print {cniVersion, code, msg, details} on stdout (the spec puts errors there). */
void cni_error_print(const struct nr_error *err, const char *cni_version);

/* GC's list of attachments still in use: "cni.dev/valid-attachments", or the misspelt
 * "cni.dev/attachments" that libcni 1.2 sends.  *ret is NULL when absent (then every
 * attachment is stale). */
int cni_gc_valid_attachments(const struct cni_conf *conf, json_t **ret, struct nr_error *err);

/* Whether (container_id, ifname) is in a valid-attachments array. */
bool cni_gc_attachment_valid(json_t *valid, const char *container_id, const char *ifname);

#endif
