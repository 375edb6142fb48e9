/* host-local: the index from attachment to addresses, kept beside the lease files in
 * <store>/.nr-index.  A part of the store (store.c opens, rebuilds and seals it); it knows
 * nothing of leases: it holds what the store puts in it and says whether the store
 * directory changed since it last matched (docs/plugin-host-local.md explains the stamp). */
#ifndef NETNS_RUN_HOST_LOCAL_INDEX_H
#define NETNS_RUN_HOST_LOCAL_INDEX_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "base/ipaddr.h"

struct hl_index {
	int fd;          /* <store>/.nr-index, -1 when closed or given up */
	int storefd;     /* the store directory (borrowed): its stamp is the index's validity */
	const char *dir; /* the store directory's path (borrowed), for messages */
	bool dirty;      /* the store or the index changed: the stamp is renewed on close */
};

/* clang-format off: an initialiser on one line reads as one */
#define HL_INDEX_INIT                   \
	{                               \
		.fd = -1, .storefd = -1 \
	}
/* clang-format on */

/* Open (creating) the index of the store directory storefd: 1 when it is stale (the
 * store changed behind its back, or it is new) and must be refilled, 0 when current. */
int hl_index_open(struct hl_index *ix, int storefd, const char *dir, struct nr_error *err);
/* Renew the stamp if anything changed, then close.  Without a fresh stamp the next open
 * reports the index stale: slower, never wrong. */
void hl_index_close(struct hl_index *ix);
/* Stop using the index for this operation (a write failed): the stamp is not renewed. */
void hl_index_abandon(struct hl_index *ix);
/* The store changed: the stamp must be renewed on close. */
void hl_index_touch(struct hl_index *ix);

/* Empty the index, then add entries one address at a time (a rebuild); hl_index_touch
 * once it is complete, so that a rebuild cut short is never stamped as current. */
int hl_index_clear(struct hl_index *ix, struct nr_error *err);
int hl_index_add(struct hl_index *ix, const char *id, const char *ifname, const struct ip_addr *ip,
		 struct nr_error *err);

/* Up to max addresses the index lists for (id, ifname); *ret_n = 0 when none.
 * -ENAMETOOLONG: the attachment cannot be indexed, scan instead. */
int hl_index_get(struct hl_index *ix, const char *id, const char *ifname, struct ip_addr *ret, size_t max,
		 size_t *ret_n);
int hl_index_put(struct hl_index *ix, const char *id, const char *ifname, const struct ip_prefix *ips, size_t n);
void hl_index_drop(struct hl_index *ix, const char *id, const char *ifname);

#endif
