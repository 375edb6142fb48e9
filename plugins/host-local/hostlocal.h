/* host-local IPAM (core/hostlocal_*.c): shared declarations of its parts.
 *   hostlocal_config.c  the ipam object -> struct hl_conf (ranges, routes, requested IPs, dataDir)
 *   hostlocal_range.c   one range and one range set: canonical form, membership, overlap
 *   hostlocal_store.c   the on-disk lease store of the reference plugin, under flock
 *   hostlocal_index.c   attachment -> addresses, beside the store, so DEL/CHECK need not scan
 *   hostlocal_alloc.c   picking addresses round-robin from a range set
 *   hostlocal_dns.c     resolv.conf -> result dns
 *   hostlocal_ops.c     the CNI operations (hostlocal_ops), used by plugins/host-local and,
 *                       in process, by plugins/bridge */
#ifndef NETNS_RUN_HOST_LOCAL_H
#define NETNS_RUN_HOST_LOCAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "cni/cni_plugin.h"
#include "base/error.h"
#include "base/ipaddr.h"

/* The CNI operations of host-local. */
extern const struct cni_plugin_ops hostlocal_ops;

#define HL_DEFAULT_DATA_DIR "/var/lib/cni/networks"

/* A full range set or an exhausted range is not a broken config (7) and no retry helps
 * until a DEL frees an address (so not 11): it is the condition STATUS reports as "cannot
 * service ADD requests", 50, and ADD says the same so a runtime can tell it apart. */
#define HL_ERR_EXHAUSTED CNI_ERR_NOT_AVAILABLE
/* An address (or the attachment) is already leased: plugin-specific. */
#define HL_ERR_IN_USE CNI_ERR_INTERNAL

struct hl_range {
	struct ip_prefix subnet; /* network address, host bits clear */
	struct ip_addr start, end; /* inclusive */
	struct ip_addr gw;        /* never handed out */
};

struct hl_rangeset {
	struct hl_range *r;
	size_t n;
};

struct hl_conf {
	const char *name;        /* network name: the store's directory */
	const char *data_dir;
	const char *resolv_conf; /* NULL when absent */
	struct hl_rangeset *sets;
	size_t n_sets;
	json_t *routes; /* borrowed, validated; NULL when absent */
	struct ip_addr *req; /* requested addresses, in order of precedence */
	size_t n_req;
};

/* config.c */
int hl_conf_load(const struct cni_plugin_ctx *ctx, struct hl_conf *ret, struct nr_error *err);
void hl_conf_release(struct hl_conf *c);

/* range.c */
int hl_range_parse(json_t *obj, const char *what, struct hl_range *ret, struct nr_error *err);
bool hl_range_contains(const struct hl_range *r, const struct ip_addr *a);
bool hl_rangeset_contains(const struct hl_rangeset *s, const struct ip_addr *a);
/* Index of the range holding a, or -1. */
int hl_rangeset_find(const struct hl_rangeset *s, const struct ip_addr *a);
int hl_rangeset_validate(const struct hl_rangeset *s, size_t idx, struct nr_error *err);
bool hl_rangeset_overlaps(const struct hl_rangeset *a, const struct hl_rangeset *b);

/* store.c */
struct hl_store {
	int dirfd;  /* <dataDir>/<network> */
	int lockfd; /* <dataDir>/<network>/lock, held LOCK_EX while open */
	int idxfd;  /* <dataDir>/<network>/.nr-index (index.c) */
	bool dirty; /* something changed: the index stamp is renewed on close */
	char *dir;
};

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
/* 1 when reserved, 0 when the address was already leased. */
int hl_store_reserve(struct hl_store *s, const char *id, const char *ifname, const struct ip_addr *ip,
		     size_t set_idx, struct nr_error *err);
bool hl_store_is_leased(struct hl_store *s, const struct ip_addr *ip);
int hl_store_last_reserved(struct hl_store *s, size_t set_idx, struct ip_addr *ret);
int hl_store_remove(struct hl_store *s, const struct ip_addr *ip, struct nr_error *err);
int hl_store_foreach(struct hl_store *s, hl_lease_fn fn, void *arg, struct nr_error *err);
/* Remove every lease of (id, ifname); returns how many. */
int hl_store_release(struct hl_store *s, const char *id, const char *ifname, struct nr_error *err);
bool hl_lease_matches(const struct hl_lease *l, const char *id, const char *ifname);
/* Whether the lease file of ip holds exactly (id, ifname). */
bool hl_store_lease_is(struct hl_store *s, const struct ip_addr *ip, const char *id, const char *ifname);

/* index.c (called by store.c on open and close, and by the operations) */
int hl_index_open(struct hl_store *s, struct nr_error *err);
void hl_index_seal(struct hl_store *s);
/* Up to max addresses the index lists for (id, ifname); *ret_n = 0 when none.
 * -ENAMETOOLONG: the attachment cannot be indexed, scan instead. */
int hl_index_get(struct hl_store *s, const char *id, const char *ifname, struct ip_addr *ret, size_t max,
		 size_t *ret_n);
int hl_index_put(struct hl_store *s, const char *id, const char *ifname, const struct ip_prefix *ips, size_t n);
void hl_index_drop(struct hl_store *s, const char *id, const char *ifname);
int hl_index_rebuild(struct hl_store *s, struct nr_error *err);

/* alloc.c */
int hl_alloc(struct hl_store *s, const struct hl_rangeset *set, size_t set_idx, const char *id,
	     const char *ifname, const struct ip_addr *requested, struct ip_prefix *ret_ip,
	     struct ip_addr *ret_gw, struct nr_error *err);
/* Whether any address of the set is free. */
bool hl_rangeset_has_free(struct hl_store *s, const struct hl_rangeset *set, size_t set_idx);

/* dns.c */
int hl_dns_load(const char *path, struct cni_dns *ret, struct nr_error *err);

#endif
