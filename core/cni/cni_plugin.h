/* The plugin side of CNI: read the environment and stdin, validate, answer VERSION,
 * dispatch to a table of operations, and print the result or the one error object.
 * A plugin's main.c is its operations and a call to cni_plugin_main(). */
#ifndef NETNS_RUN_CNI_PLUGIN_H
#define NETNS_RUN_CNI_PLUGIN_H

#include "base/error.h"
#include "cni_args.h"
#include "cni_config.h"
#include "cni_env.h"
#include "cni_result.h"

struct cni_plugin_ctx {
	struct cni_env env;
	struct cni_conf conf;
	struct cni_args args;
	/* The raw stdin, for delegating to another plugin (IPAM) unchanged. */
	const char *stdin_buf;
	size_t stdin_len;
};

/* One attachment whose host state a plugin's ADD made: what the runtime knows of it from
 * its record and its cache. */
struct cni_host_attach {
	const char *network; /* the conflist's name */
	const char *container_id;
	const char *ifname;
	const struct cni_result *result; /* the chain's cached result */
};

/* Host maintenance: what a runtime asks of one of our plugins, in process, about the
 * host state its ADDs leave behind (links, nftables tables and elements), outside any CNI
 * command.  conf is the plugin's configuration: its object in the conflist, or for
 * reapply the object as its ADD got it (cni_chain_plugin_config(): name, cniVersion and
 * the runtimeConfig of its capabilities); only the plugin reads its fields, with its own
 * parser and defaults.  Every member may be NULL: nothing of that kind to do. */
struct cni_host_ops {
	/* The shared host object conf attaches containers to (a bridge's name), into buf:
	 * 1, or 0 when it names none the plugin would accept.  Networks naming the same
	 * object share fate: removing one's cuts off the containers of the other. */
	int (*object)(json_t *conf, char *buf, size_t len);
	/* Put back what ADD left on the host for attachment a (after `nft flush ruleset`);
	 * what is already there is kept, so on an intact host this changes nothing. */
	int (*reapply)(json_t *conf, const struct cni_host_attach *a, struct nr_error *err);
	/* Remove the host objects conf names (a bridge without ports, its isolation entry);
	 * the caller has made sure no container of its uses them.  *found becomes true when
	 * there was any (else it is left as it was).  A link that is not the plugin's to
	 * delete (a bridge with a port of the host's) is refused. */
	int (*remove)(json_t *conf, bool *found, struct nr_error *err);
	/* Remove what the plugin keeps under network's name whatever its chain says now (it
	 * may have changed since the ADDs: masquerade entries), then its tables that are
	 * left empty; *found becomes true when there was any entry.  Called for every
	 * network removed, whether or not its chain has this plugin. */
	int (*forget_network)(const char *network, bool *found, struct nr_error *err);
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
	const struct cni_host_ops *host; /* NULL: leaves nothing on the host to maintain */
};

/* Returns the process exit status: 0 on success, 1 after printing an error object. */
int cni_plugin_main(const struct cni_plugin_ops *ops);

/* Run another plugin's operations in this process, as if it had been executed with the
 * same environment and stdin as outer but CNI_COMMAND=cmd (delegation without a fork
 * and exec): the same version and CNI_ARGS rules apply.  ADD gives its result in *ret. */
int cni_plugin_run_in_process(const struct cni_plugin_ops *ops, const struct cni_plugin_ctx *outer, enum cni_cmd cmd,
			      struct cni_result **ret, struct nr_error *err);

/* Whether the executable at path is one of ours (it carries the note cni_plugin.c puts in
 * every plugin), of the same shared-state version. */
bool cni_plugin_is_ours(const char *path);

/* Print {cniVersion, code, msg, details} on stdout (the spec puts errors there). */
void cni_error_print(const struct nr_error *err, const char *cni_version);

/* GC's list of attachments still in use: "cni.dev/valid-attachments", or the misspelt
 * "cni.dev/attachments" that libcni 1.2 sends.  *ret is NULL when absent (then every
 * attachment is stale). */
int cni_gc_valid_attachments(const struct cni_conf *conf, json_t **ret, struct nr_error *err);

/* Whether (container_id, ifname) is in a valid-attachments array (NULL, the list absent:
 * in none, so every attachment is stale). */
bool cni_gc_attachment_valid(json_t *valid, const char *container_id, const char *ifname);

/* The same for a host entry whose owner is "<container id>/<ifname>" (ifnames have no
 * '/'); an owner of another form is not ours, so it is kept (true).  valid is the array,
 * as void * for the nft GC walkers' callbacks. */
bool cni_gc_owner_valid(const char *owner, void *valid);

/* CNI_ARGS keys a plugin that reads none still accepts: one CNI_ARGS goes to the whole
 * chain, so the bridge's IP and MAC and Kubernetes' pod identity reach every plugin (the
 * reference plugins that never parse CNI_ARGS ignore them the same way). */
extern const char *const cni_chain_args[];

#endif
