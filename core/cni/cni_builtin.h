/* Plugins a program carries inside it.  The runtime links the operations of some of our
 * plugins (none/loopback) and runs them in its own process instead of executing the
 * binary, when the executable that CNI_PATH resolves the type to is ours (it carries
 * the note cni_plugin_is_ours() looks for): the same code on the same input, minus a
 * fork and an exec.  Any other executable of that name (the reference loopback, say) is
 * executed as the spec says, so what runs is always what CNI_PATH names.
 *
 * A table of built-ins is also how a runtime reaches our plugins' host maintenance
 * (struct cni_host_ops): a plugin type is looked up here and nowhere else. */
#ifndef NETNS_RUN_CNI_BUILTIN_H
#define NETNS_RUN_CNI_BUILTIN_H

#include <jansson.h>
#include <stdbool.h>

#include "cni_exec.h"
#include "cni_plugin.h"

struct cni_netconf;

struct cni_builtin {
	const char *type;
	const struct cni_plugin_ops *ops;
	/* Run in the caller's process instead of executing the binary (cni_builtin_find());
	 * false: the table carries the type only for its host operations. */
	bool in_process;
	/* Or, when set: in process for the configurations (as the plugin gets them, with
	 * runtimeConfig) for which it returns true. */
	bool (*in_process_for)(json_t *conf);
};

/* The operations to run in process for plugin `type` with configuration conf: those of
 * table's entry (a table is ended by a NULL type; table may be NULL) marked in_process (or
 * whose in_process_for takes conf), when the executable found on cni_path is ours; else
 * NULL. */
const struct cni_plugin_ops *cni_builtin_find(const struct cni_builtin *table, const char *type, json_t *conf,
					      const char *cni_path);

/* Run ops on req as cni_exec_plugin() runs an executable: the same validation, *ret_out
 * the result JSON for ADD (NULL for the other commands), errors in err. */
int cni_builtin_run(const struct cni_plugin_ops *ops, const struct cni_exec_req *req, json_t **ret_out,
		    struct nr_error *err);

/* For each plugin i of n's chain whose type has host operations in table (whatever
 * executable CNI_PATH names), fn with its object in the conflist (borrowed) and its
 * entry; a non-zero return of fn stops the walk and is returned. */
typedef int (*cni_builtin_host_fn)(size_t i, json_t *plugin, const struct cni_builtin *b, void *data,
				   struct nr_error *err);
int cni_builtin_host_each(const struct cni_builtin *table, const struct cni_netconf *n, cni_builtin_host_fn fn,
			  void *data, struct nr_error *err);

#endif
