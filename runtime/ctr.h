/* Container life-cycle pieces shared by the verbs. */
#ifndef NETNS_RUN_CTR_H
#define NETNS_RUN_CTR_H

#include <jansson.h>
#include <stdbool.h>

#include "cni/cni_result.h"
#include "base/error.h"
#include "opts.h"

/* End a container's resources from its state: DEL the network with the cached result,
 * unmount its netns file, remove its cgroups; then remove its directory (remove, or the
 * state asked for --rm) or mark it exited.  Goes on past failures; the first is
 * returned.  The container's processes must be gone (or about to be). */
int ctr_teardown(const char *name, json_t *st, bool remove, struct nr_error *err);

/* Its first part alone: the network's DEL (once: "net_done" in st afterwards). */
int ctr_net_down(const char *name, json_t *st, struct nr_error *err);

/* Containers whose init is gone while their record says created/running and no
 * netns-run watches them any more: tear them down.  Returns how many; takes the lock. */
int gc_reconcile(bool verbose, struct nr_error *err);

/* The command's environment: PATH, HOSTNAME, HOME, then -e (K alone copies the caller's
 * value).  *ret_json (may be NULL) gets it as an array for the state. */
char **env_build(const struct run_opts *o, const char *hostname, json_t **ret_json);
/* Apply o's -e to arr (an array of "K=V"). */
void env_extend(json_t *arr, const struct run_opts *o);
char **env_from_json(json_t *arr);
void env_free(char **env);

/* etc.c: hostname, hosts (the name on the result's first address) and resolv.conf (the
 * result's DNS, else the host's minus loopback resolvers unless host_net). */
int etc_write(const char *ctr_dir, const char *hostname, bool host_net, const struct cni_result *res,
	      struct nr_error *err);

/* Verbs: each returns the process exit status. */
int cmd_run(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_network(int argc, char **argv);
int cmd_gc(int argc, char **argv);

/* Send sig to the container's init and wait up to timeout_ms for it to go; -ETIMEDOUT. */
int ctr_signal_wait(json_t *st, int sig, int timeout_ms);

#endif
