/* The runtime side of CNI above cni_exec: networks as conflists found in config
 * directories, and a plugin chain run the way the spec's "Network configuration lists"
 * section says — ADD in order with prevResult, DEL in reverse with the cached result,
 * CHECK, STATUS and GC — with the result and the capability arguments cached on disk so
 * DEL works after a crash or a reboot of the runtime.
 *
 * The cache is one JSON file per attachment, cache_dir/<network>-<container id>-<ifname>,
 * written atomically (write a temporary file, rename).  Its fields follow libcni's cache
 * (kind "cniCacheV1", containerId, ifName, networkName, cniArgs, capabilityArgs, result)
 * so a person who knows podman's cache recognises it. */
#ifndef NETNS_RUN_CNI_CHAIN_H
#define NETNS_RUN_CNI_CHAIN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "cni_builtin.h"
#include "cni_result.h"

#define CNI_CHAIN_DEFAULT_CACHE_DIR "/var/lib/cni/results"

/* One network: a conflist (a single-plugin .conf is wrapped into a list of one). */
struct cni_netconf {
	char *name;        /* the conflist's "name" */
	char *cni_version; /* the conflist's "cniVersion" */
	char *path;        /* the file it came from; NULL when built in memory */
	json_t *list;      /* the whole conflist object (owned) */
	bool disable_check;
	bool disable_gc;
};

void cni_netconf_free(struct cni_netconf *n);

/* Parse a conflist (or a single .conf) from memory; what names the source in messages. */
int cni_netconf_parse(const char *buf, size_t len, const char *what, struct cni_netconf **ret, struct nr_error *err);

/* Find network `name` among the *.conflist, *.conf and *.json files of dirs (a NULL-ended
 * array, searched in order; in one directory files are taken in lexical order, as libcni
 * does).  -ENOENT with err (code 100, naming the directories searched) when not found. */
int cni_netconf_load(const char *const *dirs, const char *name, struct cni_netconf **ret, struct nr_error *err);

/* The configuration plugin i (0-based) of n is given: its object, plus the list's name and
 * cniVersion, plus prevResult when not NULL, plus runtimeConfig holding only those of caps
 * (capability args; may be NULL) that the plugin declares true in its "capabilities" (a
 * runtimeConfig written in the file is dropped, as libcni does).  New reference; NULL on
 * allocation failure. */
json_t *cni_chain_plugin_config(const struct cni_netconf *n, size_t i, json_t *caps, json_t *prev_result);

/* Every valid network in dirs (first one wins per name); files that do not parse are
 * skipped.  *ret is a malloc'd array of *ret_n owned pointers. */
int cni_netconf_list(const char *const *dirs, struct cni_netconf ***ret, size_t *ret_n, struct nr_error *err);

/* Everything about one attachment of a container to a network. */
struct cni_rtconf {
	const char *container_id;
	const char *netns;       /* path; may be "" for DEL/GC */
	const char *ifname;      /* e.g. "eth0" */
	const char *args;        /* CNI_ARGS, may be NULL */
	json_t *capability_args; /* e.g. {"portMappings":[...], "mac": "..."}; borrowed, may be NULL */
	const char *cni_path;    /* ':'-separated plugin dirs */
	const char *cache_dir;   /* NULL: CNI_CHAIN_DEFAULT_CACHE_DIR */
	int timeout_ms;          /* per plugin call; 0: the cni_exec default */
	/* Plugins this program may run in process (cni_builtin.h); NULL: execute them all. */
	const struct cni_builtin *builtins;
};

/* ADD every plugin in order, each with the previous result; on success the final
 * result is cached and returned.  On failure (of a plugin, or of writing the cache) the
 * plugins from the failed one back to the first are DELeted, best effort (every one is
 * called, errors dropped), with the last good result as prevResult, so nothing is left
 * behind and nothing is cached; err keeps the failing plugin's code and details, its
 * message prefixed "network N: plugin T (i of n) ADD: ".  container_id, ifname and netns
 * are required (code 4 before anything runs). */
int cni_chain_add(const struct cni_netconf *n, const struct cni_rtconf *rt, struct cni_result **ret,
		  struct nr_error *err);

/* DEL every plugin in reverse with the cached result as prevResult (and the cached
 * capability args and CNI_ARGS when rt leaves them NULL), then remove the cache entry.
 * No cache entry (or one that cannot be read) is not an error: plugins are called without
 * prevResult.  The first failing plugin stops the DEL and the cache entry stays, so a
 * retry runs the same chain with the same prevResult.  rt->netns may be "" (not sent). */
int cni_chain_del(const struct cni_netconf *n, const struct cni_rtconf *rt, struct nr_error *err);

/* CHECK every plugin in order with the cached result (code 100-style error when there is
 * no cached result; a success without calls when the conflist disables check). */
int cni_chain_check(const struct cni_netconf *n, const struct cni_rtconf *rt, struct nr_error *err);

/* STATUS every plugin (for cniVersion >= 1.1.0; success otherwise). */
int cni_chain_status(const struct cni_netconf *n, const struct cni_rtconf *rt, struct nr_error *err);

/* GC: first every cached attachment of this network that is not in valid (an array of
 * {"containerID": ..., "ifname": ...}; borrowed; NULL = none is valid) is DELeted, best
 * effort, without a netns (its path may since name another container's), and its cache
 * entry dropped, as libcni does; then, for cniVersion >= 1.1.0, every plugin gets GC with
 * cni.dev/valid-attachments = valid (all are called; the first failure is returned).
 * Nothing at all when the conflist disables GC. */
int cni_chain_gc(const struct cni_netconf *n, const struct cni_rtconf *rt, json_t *valid, struct nr_error *err);

/* The cached result of an attachment (NULL in *ret when none) and its capability args
 * (may be NULL; pass NULL for ret_caps when not wanted). */
int cni_cache_read(const char *cache_dir, const char *network, const char *container_id, const char *ifname,
		   struct cni_result **ret, json_t **ret_caps, struct nr_error *err);

#endif
