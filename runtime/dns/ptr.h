/* Reverse names: "4.3.2.10.in-addr.arpa." and the 32 nibbles of "....ip6.arpa." to an
 * address and back. */
#ifndef NETNS_RUN_DNS_PTR_H
#define NETNS_RUN_DNS_PTR_H

#include <stddef.h>
#include <stdint.h>

#include "base/ipaddr.h"

/* A wire-form name (as ldns hands it: labels, root-terminated, any case) naming a whole
 * address under in-addr.arpa or ip6.arpa: 0 and *ret, else -EINVAL (a partial reverse
 * name such as "2.10.in-addr.arpa." is no address). */
int dns_ptr_to_addr(const uint8_t *wire, size_t len, struct ip_addr *ret);

/* The reverse name of a in wire form into out (at least 74 bytes); returns its length. */
size_t dns_ptr_from_addr(const struct ip_addr *a, uint8_t *out);

#endif
