/* host-local: the lease store, byte-compatible with the reference's disk store, with its
 * index (index.h) inside it.  Open takes the store's lock; close seals the index and
 * drops the lock. */
#ifndef NETNS_RUN_HOST_LOCAL_STORE_H
#define NETNS_RUN_HOST_LOCAL_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "base/ipaddr.h"
#include "index.h"

struct hl_store {
	int dirfd;  /* <dataDir>/<network> */
	int lockfd; /* <dataDir>/<network>/lock, held LOCK_EX while open */
	struct hl_index index;
	char *dir;
};

/* No descriptors yet: a cleanup must not close fd 0 on an early return. */
/* clang-format off: an initialiser on one line reads as one */
#define HL_STORE_INIT                                             \
	{                                                         \
		.dirfd = -1, .lockfd = -1, .index = HL_INDEX_INIT \
	}
/* clang-format on */

struct hl_lease {
	struct ip_addr ip;
	const char *id;
	const char *ifname; /* NULL for the reference's old id-only format */
};

/* Called for each lease file; a non-zero return stops the walk and is returned by
 * hl_store_foreach (negative: an error, with err filled in; positive: found). */
typedef int (*hl_lease_fn)(struct hl_store *s, const struct hl_lease *l, void *arg);

int hl_store_open(const char *data_dir, const char *network, struct hl_store *ret, struct nr_error *err);
void hl_store_close(struct hl_store *s);
/* Remove network's store under data_dir when it holds no lease (only the lock, the index
 * and last_reserved_ip files: `network rm`); *found becomes true when it went.  A store
 * with leases, or none at all, is left as it is. */
int hl_store_forget(const char *data_dir, const char *network, bool *found, struct nr_error *err);
/* 1 when reserved, 0 when the address was already leased. */
int hl_store_reserve(struct hl_store *s, const char *id, const char *ifname, const struct ip_addr *ip, size_t set_idx,
		     struct nr_error *err);
bool hl_store_is_leased(struct hl_store *s, const struct ip_addr *ip);
int hl_store_last_reserved(struct hl_store *s, size_t set_idx, struct ip_addr *ret);
int hl_store_remove(struct hl_store *s, const struct ip_addr *ip, struct nr_error *err);
int hl_store_foreach(struct hl_store *s, hl_lease_fn fn, void *arg, struct nr_error *err);
/* Remove every lease of (id, ifname); returns how many. */
int hl_store_release(struct hl_store *s, const char *id, const char *ifname, struct nr_error *err);
bool hl_lease_matches(const struct hl_lease *l, const char *id, const char *ifname);
/* Whether the lease file of ip holds exactly (id, ifname). */
bool hl_store_lease_is(struct hl_store *s, const struct ip_addr *ip, const char *id, const char *ifname);

/* What the index lists for (id, ifname), as hl_index_get: unchecked, so test each with
 * hl_store_lease_is.  -ENAMETOOLONG: not indexable, scan instead. */
int hl_store_indexed(struct hl_store *s, const char *id, const char *ifname, struct ip_addr *ret, size_t max,
		     size_t *ret_n);
/* Record the addresses an ADD leased to (id, ifname) in the index.  A failed write only
 * costs a rebuild later: the index is given up for this operation. */
void hl_store_index_put(struct hl_store *s, const char *id, const char *ifname, const struct ip_prefix *ips, size_t n);
/* Rebuild the index from the lease files (after a GC, or when it is stale). */
int hl_store_reindex(struct hl_store *s, struct nr_error *err);

#endif
