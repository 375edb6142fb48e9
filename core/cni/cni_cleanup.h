/* Cleanup attributes for the CNI wing's objects: one definition each, for every file of
 * the wing and its callers.  The types are only declared here, so that any header of the
 * wing can include this one without a circle. */
#ifndef NETNS_RUN_CNI_CLEANUP_H
#define NETNS_RUN_CNI_CLEANUP_H

#include "base/cleanup.h"

struct cni_result;
struct cni_cache_entry;
struct cni_netconf;
void cni_result_free(struct cni_result *r);
void cni_cache_entry_free(struct cni_cache_entry *e);
void cni_netconf_free(struct cni_netconf *n);

DEFINE_PTR_CLEANUP(cni_result_freep, struct cni_result *, cni_result_free)
DEFINE_PTR_CLEANUP(cni_cache_entry_freep, struct cni_cache_entry *, cni_cache_entry_free)
DEFINE_PTR_CLEANUP(cni_netconf_freep, struct cni_netconf *, cni_netconf_free)

#define _cleanup_result_ _cleanup_(cni_result_freep)

#endif
