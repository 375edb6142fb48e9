#include "ipaddr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ip_addr_parse(const char *s, struct ip_addr *ret)
{
	struct ip_addr a = { 0 };

	if (!s)
		return -EINVAL;
	if (inet_pton(AF_INET, s, &a.v4) == 1)
		a.family = AF_INET;
	else if (inet_pton(AF_INET6, s, &a.v6) == 1)
		a.family = AF_INET6;
	else
		return -EINVAL;
	*ret = a;
	return 0;
}

int ip_prefix_parse(const char *s, struct ip_prefix *ret)
{
	char buf[IP_PREFIX_STRLEN];
	struct ip_prefix p;
	const char *slash;
	char *end;
	long len;

	if (!s || !(slash = strchr(s, '/')) || (size_t)(slash - s) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	if (ip_addr_parse(buf, &p.addr) < 0)
		return -EINVAL;
	if (slash[1] < '0' || slash[1] > '9')
		return -EINVAL;
	errno = 0;
	len = strtol(slash + 1, &end, 10);
	if (errno || *end || len < 0 || len > ip_addr_bits(&p.addr))
		return -EINVAL;
	p.len = (int)len;
	*ret = p;
	return 0;
}

const char *ip_addr_format(const struct ip_addr *a, char *buf, size_t len)
{
	if (!inet_ntop(a->family, a->bytes, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

const char *ip_prefix_format(const struct ip_prefix *p, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];
	snprintf(buf, len, "%s/%d", ip_addr_format(&p->addr, addr, sizeof(addr)), p->len);
	return buf;
}

bool ip_addr_equal(const struct ip_addr *a, const struct ip_addr *b)
{
	return a->family == b->family && memcmp(a->bytes, b->bytes, (size_t)ip_addr_bytes(a)) == 0;
}

int ip_addr_cmp(const struct ip_addr *a, const struct ip_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->bytes, b->bytes, (size_t)ip_addr_bytes(a));
}

struct ip_prefix ip_prefix_network(const struct ip_prefix *p)
{
	struct ip_prefix n = *p;
	int bytes = ip_addr_bytes(&n.addr);

	for (int i = 0; i < bytes; i++) {
		int bit = i * 8;
		if (bit >= p->len)
			n.addr.bytes[i] = 0;
		else if (bit + 8 > p->len)
			n.addr.bytes[i] &= (uint8_t)(0xff << (8 - (p->len - bit)));
	}
	return n;
}

bool ip_prefix_contains(const struct ip_prefix *net, const struct ip_addr *a)
{
	struct ip_prefix x = { .addr = *a, .len = net->len };
	struct ip_prefix n1, n2;

	if (a->family != net->addr.family)
		return false;
	n1 = ip_prefix_network(net);
	n2 = ip_prefix_network(&x);
	return ip_addr_equal(&n1.addr, &n2.addr);
}

int ip_addr_add(struct ip_addr *a, int64_t delta)
{
	int bytes = ip_addr_bytes(a);
	int carry_sign = delta < 0 ? -1 : 1;
	uint64_t mag = delta < 0 ? (uint64_t)(-(delta + 1)) + 1 : (uint64_t)delta;
	struct ip_addr r = *a;
	int carry = 0;

	/* Byte-wise add or subtract of a 64-bit magnitude on a big-endian number. */
	for (int i = bytes - 1; i >= 0; i--) {
		int v = r.bytes[i] + carry_sign * (int)(mag & 0xff) + carry;
		mag >>= 8;
		carry = 0;
		if (v > 0xff) {
			v -= 0x100;
			carry = 1;
		} else if (v < 0) {
			v += 0x100;
			carry = -1;
		}
		r.bytes[i] = (uint8_t)v;
	}
	if (carry != 0 || mag != 0)
		return -ERANGE;
	*a = r;
	return 0;
}
