/* IP addresses on links in the current network namespace. */
#ifndef NETNS_RUN_ADDR_H
#define NETNS_RUN_ADDR_H

#include "base/error.h"
#include "base/ipaddr.h"
#include "nlsock.h"

enum addr_flags {
	ADDR_EXIST_OK = 1 << 0, /* addr_add: the address being there already is success */
	ADDR_NODAD = 1 << 1,    /* addr_add: IPv6 address usable at once (IFA_F_NODAD) */
};

/* Add p (address and prefix length, host bits kept) to the link ifindex.  IPv4 addresses
 * shorter than /31 get the subnet's broadcast address, as `ip addr add ... brd +` does.
 * -EEXIST when it is already there, unless ADDR_EXIST_OK. */
int addr_add(struct nlsock *s, int ifindex, const struct ip_prefix *p, unsigned int flags, struct nr_error *err);

/* Remove p from the link ifindex.  An address that is not there counts as removed. */
int addr_del(struct nlsock *s, int ifindex, const struct ip_prefix *p, struct nr_error *err);

/* Called for each address; a non-zero return stops the walk and becomes addr_list's value. */
typedef int (*addr_list_fn)(const struct ip_prefix *p, void *arg);

/* Walk the addresses of the link ifindex (0 = every link) of family AF_INET, AF_INET6 or
 * AF_UNSPEC (both).  Returns 0, the callback's non-zero value, or a negative errno. */
int addr_list(struct nlsock *s, int ifindex, int family, addr_list_fn fn, void *arg, struct nr_error *err);

/* 1 when the link ifindex has exactly p (address and prefix length), 0 when not, or < 0. */
int addr_exists(struct nlsock *s, int ifindex, const struct ip_prefix *p, struct nr_error *err);

#endif
