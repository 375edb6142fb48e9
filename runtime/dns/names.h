/* The names a responder serves: the names file (engine/dns_net.h, aardvark-dns 1.4's
 * config format) parsed into two hash tables, name -> addresses and address -> names.
 *
 *   line 1:  GW[,GW...] [SERVER[,SERVER...]]
 *   then:    ID V4[,V4...] V6[,V6...] NAME[,NAME...] [SERVER[,SERVER...]]
 *
 * Fields are separated by one space and a list may be empty (the field stays); empty
 * lines are skipped.  Names are case-insensitive (stored lower case) and may end with
 * one dot.  A name listed by several entries resolves to all their addresses, and an
 * address listed by several entries answers PTR with all their names (as aardvark). */
#ifndef NETNS_RUN_DNS_NAMES_H
#define NETNS_RUN_DNS_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/ipaddr.h"

/* A names file larger than this is refused (a network holds at most a few thousand). */
#define DNS_NAMES_MAX_FILE (16u << 20)

/* One distinct name: its lower-case wire form (labels, root-terminated) and addresses. */
struct dns_name {
	uint8_t *wire;
	size_t wire_len;
	struct ip_addr *addrs;
	size_t n_addrs, cap_addrs;
};

/* One distinct address and the names (indexes into dns_names.names) that point to it. */
struct dns_addr {
	struct ip_addr addr;
	uint32_t *names;
	size_t n_names, cap_names;
	uint32_t entry; /* the first entry listing it, index + 1 into dns_names.ids: a querier's container */
};

struct dns_names {
	struct ip_addr *gateways; /* line 1: where to listen */
	size_t n_gateways;
	struct ip_addr *servers; /* line 1's optional upstream servers (override resolv.conf) */
	size_t n_servers;
	size_t n_entries; /* attachment lines */
	bool internal;    /* the network forwards nothing (set by its reader: view.c, server.c) */
	char **ids;       /* each entry's container id, in file order (n_entries) */
	size_t cap_ids;
	uint32_t *id_slots; /* id -> first entry with it: open addressing, index + 1 */
	size_t n_id_slots;
	struct dns_name *names;
	size_t n_names, cap_names;
	struct dns_addr *addrs;
	size_t n_addrs, cap_addrs;
	uint32_t *name_slots; /* open addressing, index + 1, 0 empty; a power of two */
	size_t n_name_slots;
	uint32_t *addr_slots;
	size_t n_addr_slots;
};

/* Parse len bytes of text (not NUL-terminated).  Errors name the line. */
int dns_names_parse(const char *text, size_t len, struct dns_names **ret, struct nr_error *err);
/* Read and parse the file at path (relative to dirfd, or AT_FDCWD). */
int dns_names_load(int dirfd, const char *path, struct dns_names **ret, struct nr_error *err);
void dns_names_free(struct dns_names *n);

/* The entry for a wire-form name (any case), or NULL. */
const struct dns_name *dns_names_find(const struct dns_names *n, const uint8_t *wire, size_t len);
/* The entry for an address, or NULL. */
const struct dns_addr *dns_names_find_addr(const struct dns_names *n, const struct ip_addr *a);

/* The first entry of container id, or -1. */
long dns_names_find_id(const struct dns_names *n, const char *id);

/* A presentation-form name ("web", "Web.Example.") into lower-case wire form in out
 * (at least 255 bytes); returns its length or -EINVAL (empty label, label over 63, name
 * over 255, a space or control character). */
int dns_name_to_wire(const char *s, size_t len, uint8_t *out);

/* Two wire-form names of len bytes, compared in any case (labels may hold any byte). */
bool dns_name_equal(const uint8_t *a, const uint8_t *b, size_t len);

static inline void dns_names_freep(struct dns_names **p)
{
	dns_names_free(*p);
}

#endif
