/* netns-run-overlay (issue 20, docs/multihost.md): what its verbs share.  The conflist
 * (ovl_local.c), the store (ovl_store.c), the agent (agent*.c) and the verbs (cmd_*.c). */
#ifndef NETNS_RUN_OVL_H
#define NETNS_RUN_OVL_H

#include <jansson.h>
#include <stdbool.h>

#include "base/error.h"
#include "cni/cni_chain.h"
#include "etcd/etcd.h"
#include "overlay/overlay.h"
#include "overlay/ovl_def.h"

#define OVL_EXIT_FAIL 125 /* as the CLI: the operation failed, or bad usage */

/* Where the store is and how to reach it (--store, --store-cacert/-cert/-key). */
struct ovl_store {
	const char *endpoints, *cacert, *cert, *key;
};

/* An overlay network's conflist, read back: the store and the per-host options. */
struct ovl_local {
	struct cni_netconf *conf;
	char id[65];
	struct ovl_store store; /* pointing into conf */
	const char *underlay;   /* --opt underlay=IFACE|ADDR, or NULL */
};
/* RT_ERR_NOT_FOUND when there is no such network, RT_ERR_USAGE when it is not an overlay. */
int ovl_local_load(const char *name, struct ovl_local *ret, struct nr_error *err);
void ovl_local_release(struct ovl_local *l);

/* The conflist of network name (docs/multihost.md "On each host"): the overlay plugin with
 * the subnet file, portmap, and our metadata (driver overlay, the store, labels, options).
 * New reference; NULL on ENOMEM. */
json_t *ovl_conflist(const char *name, const struct ovl_def *d, const struct ovl_store *s, const char *subnet_file,
		     const char *const *labels, size_t n_labels, const char *const *opts, size_t n_opts);

/* A client of the store, with short timeouts (a command fails within seconds when no
 * member answers). */
int ovl_store_open(const struct ovl_store *s, struct etcd_client **ret, struct nr_error *err);
/* The definition of name: 1 found, 0 none; RT_ERR_CORRUPT when it is not ours. */
int ovl_store_def(struct etcd_client *c, const char *name, struct ovl_def *ret, struct nr_error *err);
/* The holders of name's subnets (keys that do not parse are left out and counted in
 * *ret_bad when it is not NULL).  *ret (free()) and *ret_n; ret_revision may be NULL. */
int ovl_store_hosts(struct etcd_client *c, const char *name, const struct ovl_def *d, struct ovl_host **ret,
		    size_t *ret_n, int64_t *ret_revision, size_t *ret_bad, struct nr_error *err);
/* Key paths into buf. */
void ovl_key_network(const char *name, char *buf, size_t len);
void ovl_key_vni(uint32_t vni, char *buf, size_t len);
void ovl_key_subnets(const char *name, char *buf, size_t len); /* the prefix, with its '/' */
void ovl_key_subnet(const char *name, const struct ip_prefix *p, char *buf, size_t len);

/* The agent's directory and process. */
int ovl_agent_main(const char *name, bool foreground); /* agent.c: the exit code */
/* Stop the agent of dir (SIGTERM, then SIGKILL): 0 when none ran. */
int ovl_agent_stop(const char *dir, struct nr_error *err);
/* <dir>/lease: the lease the agent holds (written by it), 0 when none. */
int64_t ovl_lease_read(const char *dir);
int ovl_lease_write(const char *dir, int64_t lease);

/* One printer: "netns-run-overlay: <msg>" (and details). */
void ovl_print_error(const struct nr_error *err);

int ovl_cmd_create(int argc, char **argv);
int ovl_cmd_join(int argc, char **argv);
int ovl_cmd_leave(int argc, char **argv);
int ovl_cmd_rm(int argc, char **argv);
int ovl_cmd_agent(int argc, char **argv);

/* join's work, shared with create: the conflist written from d, the agent started and
 * waited for; on failure the conflist goes again. */
int ovl_join_local(const char *name, const struct ovl_def *d, const struct ovl_store *s, const char *const *labels,
		   size_t n_labels, const char *const *opts, size_t n_opts, struct nr_error *err);
/* leave's work: 0 done (or nothing there). */
int ovl_leave_local(const char *name, struct nr_error *err);

#endif
