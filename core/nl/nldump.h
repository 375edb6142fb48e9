/* Read-only views of the current network namespace through rtnetlink dumps: every link,
 * every address, every route of the main table, each handed to a callback as plain data
 * (no libnl objects escape). */
#ifndef NETNS_RUN_NLDUMP_H
#define NETNS_RUN_NLDUMP_H

#include <net/if.h>
#include <stdbool.h>

#include "base/error.h"
#include "base/ipaddr.h"
#include "link.h"
#include "nlsock.h"

struct nldump_link {
	int ifindex;
	char name[IF_NAMESIZE];
	char mac[LINK_MAC_STRLEN]; /* "" when the link has no 6-byte hardware address */
	bool up;
};

struct nldump_addr {
	int ifindex;
	int scope;               /* RT_SCOPE_UNIVERSE for global addresses */
	unsigned int flags;      /* IFA_F_* */
	struct ip_prefix prefix; /* address and prefix length */
};

struct nldump_route {
	int ifindex; /* of the first next hop; 0 when none */
	struct ip_prefix dst;
	bool has_gw;
	struct ip_addr gw; /* of the first next hop */
	unsigned int priority;
	int type; /* RTN_* */
};

/* A non-zero callback return stops the walk and is returned. */
typedef int (*nldump_link_fn)(const struct nldump_link *l, void *arg);
typedef int (*nldump_addr_fn)(const struct nldump_addr *a, void *arg);
typedef int (*nldump_route_fn)(const struct nldump_route *r, void *arg);

int nldump_links(struct nlsock *s, nldump_link_fn fn, void *arg, struct nr_error *err);
/* IPv4 and IPv6 only. */
int nldump_addrs(struct nlsock *s, nldump_addr_fn fn, void *arg, struct nr_error *err);
/* Routes of the main table, IPv4 and IPv6. */
int nldump_routes(struct nlsock *s, nldump_route_fn fn, void *arg, struct nr_error *err);

#endif
