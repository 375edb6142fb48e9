/* The on-disk cache behind cni_chain: one JSON file per attachment,
 * cache_dir/<network>-<container id>-<ifname>, mode 0600 in a 0700 directory, replaced
 * atomically (a hidden temporary file in the same directory, then rename), so a reader
 * sees the old entry or the new one, never half of one.
 *
 *   {"kind": "cniCacheV1", "containerId": "...", "ifName": "eth0", "networkName": "...",
 *    "netns": "/run/netns/x", "cniArgs": [["K","V"], ...], "capabilityArgs": {...},
 *    "result": {"cniVersion": "...", "interfaces": [...], ...}}
 *
 * These are libcni's field names and types, so libcni can read our results (it also keeps
 * "config", the conflist's bytes, which we do not). */
#ifndef NETNS_RUN_CNI_CACHE_H
#define NETNS_RUN_CNI_CACHE_H

#include <jansson.h>

#include "base/error.h"

#define CNI_CACHE_KIND "cniCacheV1"

struct cni_cache_entry {
	char *network;
	char *container_id;
	char *ifname;
	char *netns;    /* NULL when not recorded */
	char *args;     /* CNI_ARGS as "K=V;K=V", NULL when none */
	json_t *caps;   /* capabilityArgs object, NULL when none */
	json_t *result; /* the result object (with its cniVersion), NULL when none */
};

void cni_cache_entry_free(struct cni_cache_entry *e);

/* cache_dir/<network>-<container id>-<ifname> into buf, after checking that every part is
 * a valid name (so none can contain '/' or be ".."): code 7 naming the bad part. */
int cni_cache_path(const char *cache_dir, const char *network, const char *container_id, const char *ifname, char *buf,
		   size_t len, struct nr_error *err);

/* Write e (atomically, see above), creating cache_dir (0700) and its parents (0755). */
int cni_cache_write(const char *cache_dir, const struct cni_cache_entry *e, struct nr_error *err);

/* The entry of an attachment; *ret = NULL when there is none.  An entry that cannot be
 * decoded, or that names another attachment than its file name, is code 6. */
int cni_cache_load(const char *cache_dir, const char *network, const char *container_id, const char *ifname,
		   struct cni_cache_entry **ret, struct nr_error *err);

/* Remove an attachment's entry; one that is not there counts as removed. */
int cni_cache_remove(const char *cache_dir, const char *network, const char *container_id, const char *ifname,
		     struct nr_error *err);

/* Call fn for each decodable entry of network in cache_dir (a missing directory has none);
 * entries that do not decode are skipped.  A non-zero return of fn stops the walk and is
 * returned. */
typedef int (*cni_cache_fn)(const struct cni_cache_entry *e, void *arg, struct nr_error *err);
int cni_cache_foreach(const char *cache_dir, const char *network, cni_cache_fn fn, void *arg, struct nr_error *err);

#endif
