/* A network's masquerade entries as a whole (core/nft_masq keeps them per attachment):
 * what the bridge's ipMasq and its host maintenance (host_state.c) need besides
 * nft_masq.h. */
#ifndef NETNS_RUN_NFT_MASQ_NET_H
#define NETNS_RUN_NFT_MASQ_NET_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "base/ipaddr.h"
#include "cni/cni_result.h"

/* The addresses the bridge plugin's ipMasq masquerades for an attachment: every IP of
 * its result, as prefixes (address and subnet length), appended to *v (malloc'd). */
int br_masq_result_prefixes(const struct cni_result *res, struct ip_prefix **v, size_t *n, struct nr_error *err);

/* Remove every entry whose owner's first word is network (as nft_masq_owner() writes
 * it); *ret_found (may be NULL) gets whether there was any.  No table is success. */
int br_masq_del_network(const char *network, bool *ret_found, struct nr_error *err);

/* Remove the masquerade table when none of its sets holds an element. */
int br_masq_drop_if_empty(struct nr_error *err);

#endif
