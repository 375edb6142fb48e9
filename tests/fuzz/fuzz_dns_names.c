/* The DNS responder's names file (aardvark-dns 1.4's format): parsed or refused with a
 * well-formed error; what parses is consistent (every name and address it lists is found
 * again, both ways). */
#include "dns/names.h"
#include "dns/upstream.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nr_error err = { 0 };
	struct dns_names *n = NULL;
	struct dns_upstreams u;
	int r;

	/* The same bytes as a resolv.conf: never more than DNS_UPSTREAM_MAX servers. */
	dns_upstreams_parse((const char *)data, size, &u);
	if (u.n > DNS_UPSTREAM_MAX)
		abort();
	r = dns_names_parse((const char *)data, size, &n, &err);
	fuzz_check_error(r, &err);
	if (r < 0)
		return 0;
	if (!n->n_gateways)
		abort();
	for (size_t i = 0; i < n->n_names; i++) {
		const struct dns_name *e = &n->names[i];
		if (dns_names_find(n, e->wire, e->wire_len) != e || e->wire_len > 255 || e->wire[e->wire_len - 1])
			abort();
		for (size_t k = 0; k < e->n_addrs; k++) {
			const struct dns_addr *d = dns_names_find_addr(n, &e->addrs[k]);
			size_t j;
			if (!d)
				abort();
			for (j = 0; j < d->n_names && d->names[j] != i; j++)
				;
			if (j == d->n_names)
				abort();
		}
	}
	dns_names_free(n);
	return 0;
}
