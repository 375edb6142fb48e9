/* The runtime side of CNI: find a plugin on CNI_PATH, run it with the CNI_* environment
 * and a configuration on stdin, bounded by a timeout, and decode what it printed.
 * Used by the runtime and by plugins that delegate (IPAM). */
#ifndef NETNS_RUN_CNI_EXEC_H
#define NETNS_RUN_CNI_EXEC_H

#include <jansson.h>
#include <stddef.h>

#include "base/error.h"

#define CNI_EXEC_DEFAULT_TIMEOUT_MS 60000

struct cni_exec_req {
	const char *command; /* "ADD", "DEL", ... */
	const char *container_id;
	const char *netns;
	const char *ifname;
	const char *args;
	const char *path; /* CNI_PATH: where to look, and passed on */
	const char *stdin_buf;
	size_t stdin_len;
	int timeout_ms; /* 0: CNI_EXEC_DEFAULT_TIMEOUT_MS */
};

/* The absolute path of executable `type` in the ':'-separated dirs of cni_path.
 * Code 7 when type is not a plain file name; -ENOENT (with err) when not found. */
int cni_plugin_find(const char *type, const char *cni_path, char *buf, size_t len, struct nr_error *err);

/* Run plugin `type`.  On exit 0, *ret_out is its stdout parsed as JSON (NULL when it
 * printed nothing, as DEL and CHECK do).  On failure err carries the plugin's own code,
 * msg and details when it printed an error object, or a description of what went wrong
 * (with its stderr in details) when it did not. */
int cni_exec_plugin(const char *type, const struct cni_exec_req *req, json_t **ret_out, struct nr_error *err);

/* Delegate from inside a plugin: the same environment this process got (so CNI_COMMAND
 * and friends pass through), with `command` overriding CNI_COMMAND when not NULL. */
int cni_exec_delegate(const char *type, const char *command, const char *stdin_buf, size_t stdin_len, json_t **ret_out,
		      struct nr_error *err);

#endif
