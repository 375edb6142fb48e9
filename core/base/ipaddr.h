/* IPv4/IPv6 addresses and prefixes in one type, parsed from and printed to the text
 * forms CNI uses ("10.1.0.5", "10.1.0.5/24", "fd00::1/64"). */
#ifndef NETNS_RUN_IPADDR_H
#define NETNS_RUN_IPADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

/* INET6_ADDRSTRLEN plus "/128". */
#define IP_PREFIX_STRLEN (INET6_ADDRSTRLEN + 4)

struct ip_addr {
	int family; /* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
		uint8_t bytes[16];
	};
};

struct ip_prefix {
	struct ip_addr addr;
	int len;
};

int ip_addr_parse(const char *s, struct ip_addr *ret);
/* "ADDR/LEN"; the host bits are kept (10.1.0.5/24 is an address on a subnet). */
int ip_prefix_parse(const char *s, struct ip_prefix *ret);

/* Into a caller buffer of at least IP_PREFIX_STRLEN; returns buf. */
const char *ip_addr_format(const struct ip_addr *a, char *buf, size_t len);
const char *ip_prefix_format(const struct ip_prefix *p, char *buf, size_t len);

static inline int ip_addr_bytes(const struct ip_addr *a)
{
	return a->family == AF_INET ? 4 : 16;
}

static inline int ip_addr_bits(const struct ip_addr *a)
{
	return ip_addr_bytes(a) * 8;
}

bool ip_addr_equal(const struct ip_addr *a, const struct ip_addr *b);
/* Compare as unsigned big-endian numbers; only meaningful within one family. */
int ip_addr_cmp(const struct ip_addr *a, const struct ip_addr *b);

/* The network address of p (host bits cleared). */
struct ip_prefix ip_prefix_network(const struct ip_prefix *p);
bool ip_prefix_contains(const struct ip_prefix *net, const struct ip_addr *a);

/* a + delta, in place; returns -ERANGE on wrapping past the family's space. */
int ip_addr_add(struct ip_addr *a, int64_t delta);

#endif
