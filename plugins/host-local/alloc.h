/* host-local: picking addresses from a range set, leased in the store. */
#ifndef NETNS_RUN_HOST_LOCAL_ALLOC_H
#define NETNS_RUN_HOST_LOCAL_ALLOC_H

#include <stdbool.h>
#include <stddef.h>

#include "range.h"
#include "store.h"

int hl_alloc(struct hl_store *s, const struct hl_rangeset *set, size_t set_idx, const char *id, const char *ifname,
	     const struct ip_addr *requested, struct ip_prefix *ret_ip, struct ip_addr *ret_gw, struct nr_error *err);
/* Whether any address of the set is free. */
bool hl_rangeset_has_free(struct hl_store *s, const struct hl_rangeset *set, size_t set_idx);

#endif
