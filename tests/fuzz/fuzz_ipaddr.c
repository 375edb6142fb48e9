/* Addresses and prefixes as they appear in configs and results: what parses must print
 * and parse back to the same value. */
#include "base/ipaddr.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), buf[IP_PREFIX_STRLEN];
	struct ip_addr a, b;
	struct ip_prefix p, q, net;

	if (ip_addr_parse(s, &a) >= 0) {
		if (ip_addr_parse(ip_addr_format(&a, buf, sizeof(buf)), &b) < 0 || !ip_addr_equal(&a, &b))
			abort();
		b = a;
		ip_addr_add(&b, size > 8 ? (int64_t)data[0] << 56 | data[size - 1] : -(int64_t)size);
		ip_addr_cmp(&a, &b);
	}
	if (ip_prefix_parse(s, &p) >= 0) {
		if (p.len < 0 || p.len > ip_addr_bits(&p.addr))
			abort();
		if (ip_prefix_parse(ip_prefix_format(&p, buf, sizeof(buf)), &q) < 0 || q.len != p.len ||
		    !ip_addr_equal(&p.addr, &q.addr))
			abort();
		net = ip_prefix_network(&p);
		if (!ip_prefix_contains(&net, &p.addr))
			abort();
	}
	free(s);
	return 0;
}
