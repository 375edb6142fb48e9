/* The names file of a network's DNS responder (engine/dns_net.h has its format), as a
 * struct: read from text, edited, written back as text.  Pure functions: no files, no
 * processes (dns_proc.c and dns_net.c do those), so they are unit-tested as they are. */
#ifndef NETNS_RUN_DNS_FILE_H
#define NETNS_RUN_DNS_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "dns_net.h"

/* One attachment's line. */
struct dns_file_entry {
	char *id;
	char **v4, **v6; /* canonical text, no prefix; NULL-ended, never NULL */
	char **names;    /* lowercase, no duplicates: name, aliases, short id; NULL-ended, never NULL */
};

struct dns_file {
	char **gateways; /* the responder's addresses, canonical, no prefix; NULL-ended, never NULL */
	struct dns_file_entry *entries;
	size_t n;
};

/* Read the file's text (NULL or "" = nothing yet) into *ret (cleared first).  Lines that
 * do not have the four fields are dropped (a hand-edited file); only ENOMEM fails. */
int dns_file_parse(const char *text, struct dns_file *ret);
/* The file's text (malloc'd); NULL when out of memory. */
char *dns_file_format(const struct dns_file *n);

/* Add e's entry, replacing the one of e->id in place (its line keeps its place), and add
 * the gateways not there yet (NULL: none; those already there stay).  Addresses may be
 * CIDRs: the prefix goes, v4 and v6 are split, duplicates dropped.  Names: e->name, the
 * aliases, the first 12 characters of the id, lowercased (DNS names are case-insensitive,
 * RFC 4343; aardvark-dns and Docker store them so too), duplicates dropped.  A name or id
 * that cannot stand in the file (a space, a comma, a character outside [A-Za-z0-9_.-])
 * or an address that does not parse is refused with RT_ERR_USAGE and n is unchanged. */
int dns_file_set(struct dns_file *n, const struct dns_entry *e, char *const *gateways, struct nr_error *err);
/* Remove id's entry; whether there was one. */
bool dns_file_drop(struct dns_file *n, const char *id);
/* Remove the entries whose id is not in live (NULL-ended; NULL = none live); how many went. */
size_t dns_file_keep(struct dns_file *n, char *const *live);
/* The entry of id, or NULL. */
const struct dns_file_entry *dns_file_find(const struct dns_file *n, const char *id);

void dns_file_clear(struct dns_file *n);

#endif
