/* Who asks, and what they see.  A responder serves one network (DIR = <state>/dns/<net>),
 * but a container on several DNS networks must find the names of all of them from
 * whichever gateway its resolver asks (as Docker and aardvark-dns), while nobody else
 * learns anything.  So each responder reads every network's names file, <DIR>/../<net>/names,
 * and answers a query by its source address:
 *
 *   - an address that an entry of its own network lists is that entry's container (the
 *     first entry listing it); anything else is a stranger and gets REFUSED, whatever it
 *     asks (names, PTR or forwarding: no open resolver on the host's addresses);
 *   - a name (or, for PTR, an address) is looked up on its own network, then on each other
 *     network where that container has an entry, in the order of the networks' names (the
 *     responder does not know the order of the container's attachments); the first that
 *     has it answers, with the addresses on that network;
 *   - not found anywhere: as for one network (a bare name NXDOMAIN, others forwarded
 *     unless the network is internal and the querier is on no other network that is
 *     not: a container on an internal and a normal network resolves outside names
 *     whichever gateway it asks, as with Docker).  A sibling network is internal when
 *     its directory holds the engine's "internal" marker.
 *
 * The querier costs one hash lookup per query (address -> entry); the other networks of
 * each entry are worked out when the files are read (at start and on SIGHUP). */
#ifndef NETNS_RUN_DNS_VIEW_H
#define NETNS_RUN_DNS_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "answer.h"
#include "base/error.h"
#include "names.h"

struct dns_view {
	struct dns_names *own; /* the network served */
	/* The other networks with a names file, by name. */
	struct dns_names **nets;
	char **net_names;
	size_t n_nets;
	/* Entry e of own: its container's other networks are other[other_off[e] ..
	 * other_off[e + 1]) (in nets' order). */
	size_t *other_off;
	const struct dns_names **other;
	bool *reaches_out; /* entry e of own: its container is on a sibling network that is not internal */
	/* What was left out and why ("network x left out: ..."), for the log: the view is
	 * first read before the responder's log is in place. */
	char **notes;
	size_t n_notes;
};

/* A view of own and the n other networks nets (named net_names, any order), taking them
 * (freed on failure too). */
int dns_view_new(struct dns_names *own, struct dns_names **nets, char **net_names, size_t n, struct dns_view **ret,
		 struct nr_error *err);

/* Read names_path in dirfd (errors are the caller's), then every "../NAME/names" beside
 * it: a sibling file that cannot be read or parsed is left out, with a note. */
int dns_view_load(int dirfd, const char *names_path, struct dns_view **ret, struct nr_error *err);

void dns_view_free(struct dns_view *v);

static inline void dns_view_freep(struct dns_view **p)
{
	dns_view_free(*p);
}

/* Fill ctx's names, others, refused and internal (own->internal, unless the querier has
 * a way out) for a query from src (can_forward is the caller's). */
void dns_view_querier(const struct dns_view *v, const struct ip_addr *src, struct dns_answer_ctx *ctx);

/* A socket address (AF_INET, AF_INET6, a v4-mapped v6 one as v4) into *ret; false for
 * other families. */
bool dns_sockaddr_addr(const struct sockaddr_storage *ss, struct ip_addr *ret);

#endif
