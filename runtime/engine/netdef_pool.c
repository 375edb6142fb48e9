/* Subnets for `network create` without --subnet (netdef_plan.h): Docker's default
 * address pools for IPv4, a unique local /64 for IPv6; and the overlap test every
 * subnet check uses. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "netdef_plan.h"

bool netdef_overlap(const struct ip_prefix *a, const struct ip_prefix *b)
{
	if (a->addr.family != b->addr.family)
		return false;
	/* Two prefixes overlap exactly when the wider one contains the other's network. */
	const struct ip_prefix *wide = a->len <= b->len ? a : b, *narrow = wide == a ? b : a;
	struct ip_prefix wn = ip_prefix_network(wide), nn = ip_prefix_network(narrow);

	return ip_prefix_contains(&wn, &nn.addr);
}

static bool taken(const struct netdef_env *env, const struct ip_prefix *cand)
{
	for (size_t i = 0; i < env->n_routes; i++)
		if (netdef_overlap(&env->routes[i], cand))
			return true;
	for (size_t i = 0; i < env->n_nets; i++)
		if (netdef_overlap(&env->nets[i], cand))
			return true;
	return false;
}

int netdef_pool_pick4(const struct netdef_env *env, struct ip_prefix *ret)
{
	/* Docker's defaults (daemon default-address-pools): 172.17-31.0.0/16 (15 of them),
	 * then 192.168.0.0/16 in /20s (16 of them). */
	for (int i = 0; i < 15 + 16; i++) {
		struct ip_prefix cand = { .addr.family = AF_INET };
		uint32_t a = i < 15 ? (172u << 24) | ((17u + (uint32_t)i) << 16)
				    : (192u << 24) | (168u << 16) | ((uint32_t)(i - 15) << 12);
		cand.addr.v4.s_addr = htonl(a);
		cand.len = i < 15 ? 16 : 20;
		if (!taken(env, &cand)) {
			*ret = cand;
			return 0;
		}
	}
	return -EADDRINUSE;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

int netdef_pool_pick_ula(const char *id, const struct netdef_env *env, struct ip_prefix *ret)
{
	struct ip_prefix cand = { .addr.family = AF_INET6, .len = 64 };

	if (!id || strlen(id) < 10)
		return -EINVAL;
	cand.addr.bytes[0] = 0xfd;
	for (int i = 0; i < 5; i++) {
		int hi = hexval(id[2 * i]), lo = hexval(id[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		cand.addr.bytes[1 + i] = (uint8_t)(hi << 4 | lo);
	}
	/* Bytes 6-7: the subnet id, the first free one. */
	for (unsigned sub = 0; sub < 256; sub++) {
		cand.addr.bytes[6] = (uint8_t)(sub >> 8);
		cand.addr.bytes[7] = (uint8_t)sub;
		if (!taken(env, &cand)) {
			*ret = cand;
			return 0;
		}
	}
	return -EADDRINUSE;
}
