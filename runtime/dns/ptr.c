#include "ptr.h"

#include <errno.h>
#include <string.h>

static const uint8_t in_addr_arpa[] = "\7in-addr\4arpa";
static const uint8_t ip6_arpa[] = "\3ip6\4arpa";

/* Whether the labels from wire[pos] on are exactly suffix (wire form, NUL-ended), any case. */
static int suffix_is(const uint8_t *wire, size_t len, size_t pos, const uint8_t *suffix, size_t slen)
{
	if (len - pos != slen + 1)
		return 0;
	for (size_t i = 0; i <= slen; i++) {
		uint8_t c = wire[pos + i];
		if (c >= 'A' && c <= 'Z')
			c += 32;
		if (c != suffix[i])
			return 0;
	}
	return 1;
}

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int dns_ptr_to_addr(const uint8_t *wire, size_t len, struct ip_addr *ret)
{
	struct ip_addr a = { 0 };
	size_t pos = 0;

	if (!len || wire[len - 1] != 0)
		return -EINVAL;
	/* IPv4: four decimal labels, least significant first. */
	for (int i = 0; i < 4; i++) {
		unsigned v = 0;
		uint8_t l = wire[pos];
		if (l < 1 || l > 3 || pos + 1 + l >= len)
			goto v6;
		for (int k = 0; k < l; k++) {
			uint8_t c = wire[pos + 1 + k];
			if (c < '0' || c > '9' || (k == 0 && c == '0' && l > 1))
				goto v6;
			v = v * 10 + (unsigned)(c - '0');
		}
		if (v > 255)
			goto v6;
		a.bytes[3 - i] = (uint8_t)v;
		pos += 1 + l;
	}
	if (!suffix_is(wire, len, pos, in_addr_arpa, sizeof(in_addr_arpa) - 1))
		goto v6; /* "2.0.0.0.(28 more nibbles).ip6.arpa" starts like an IPv4 name */
	a.family = AF_INET;
	*ret = a;
	return 0;
v6:
	/* IPv6: 32 one-nibble labels, least significant first. */
	pos = 0;
	memset(&a, 0, sizeof(a));
	for (int i = 0; i < 32; i++) {
		int h;
		if (pos + 2 >= len || wire[pos] != 1 || (h = hexval(wire[pos + 1])) < 0)
			return -EINVAL;
		a.bytes[15 - i / 2] |= (uint8_t)(i % 2 ? h << 4 : h);
		pos += 2;
	}
	if (!suffix_is(wire, len, pos, ip6_arpa, sizeof(ip6_arpa) - 1))
		return -EINVAL;
	a.family = AF_INET6;
	*ret = a;
	return 0;
}

size_t dns_ptr_from_addr(const struct ip_addr *a, uint8_t *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	if (a->family == AF_INET) {
		for (int i = 3; i >= 0; i--) {
			uint8_t v = a->bytes[i];
			uint8_t *l = &out[o++];
			*l = 0;
			if (v >= 100)
				out[o++] = (uint8_t)('0' + v / 100), (*l)++;
			if (v >= 10)
				out[o++] = (uint8_t)('0' + v / 10 % 10), (*l)++;
			out[o++] = (uint8_t)('0' + v % 10), (*l)++;
		}
		memcpy(out + o, in_addr_arpa, sizeof(in_addr_arpa));
		return o + sizeof(in_addr_arpa);
	}
	for (int i = 15; i >= 0; i--) {
		out[o++] = 1;
		out[o++] = (uint8_t)hex[a->bytes[i] & 0xf];
		out[o++] = 1;
		out[o++] = (uint8_t)hex[a->bytes[i] >> 4];
	}
	memcpy(out + o, ip6_arpa, sizeof(ip6_arpa));
	return o + sizeof(ip6_arpa);
}
