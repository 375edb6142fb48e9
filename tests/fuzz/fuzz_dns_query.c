/* The DNS responder's query path: any bytes as a query, over UDP and TCP, forwarding or
 * not, internal or not.  It must never crash, and what it answers must itself be a DNS
 * message that ldns reads, under the transport's size, carrying the query's id. */
#include <ldns/ldns.h>

#include "dns/answer.h"
#include "fuzz.h"

static const char names_text[] =
	"10.89.0.1,fd10::1\n"
	"0123456789abcdef 10.89.0.2 fd10::2 web,db,0123456789ab\n"
	"fedcba9876543210 10.89.0.3,10.89.0.4  api,web.example\n"
	"bbbbbbbbbbbbbbbb 10.89.1.1,10.89.1.2,10.89.1.3,10.89.1.4,10.89.1.5,10.89.1.6,10.89.1.7,"
	"10.89.1.8,10.89.1.9,10.89.1.10,10.89.1.11,10.89.1.12,10.89.1.13,10.89.1.14,10.89.1.15,"
	"10.89.1.16,10.89.1.17,10.89.1.18,10.89.1.19,10.89.1.20,10.89.1.21,10.89.1.22,10.89.1.23,"
	"10.89.1.24,10.89.1.25,10.89.1.26,10.89.1.27,10.89.1.28,10.89.1.29,10.89.1.30,10.89.1.31,"
	"10.89.1.32,10.89.1.33,10.89.1.34 fd10::1:1,fd10::1:2,fd10::1:3 big\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dns_names *names;
	static uint8_t out[DNS_TCP_MAX];
	struct nr_error err = { 0 };

	if (!names && dns_names_parse(names_text, sizeof(names_text) - 1, &names, &err) < 0)
		abort();
	for (int mode = 0; mode < 4; mode++) {
		struct dns_answer_ctx ctx = { names, mode == 3, mode != 2 };
		bool tcp = mode == 1;
		struct dns_question q;
		size_t len = 0;
		ldns_pkt *p = NULL;

		switch (dns_answer(&ctx, data, size, tcp, out, tcp ? sizeof(out) : DNS_UDP_MAX, &len, &q)) {
		case DNS_DROP:
			break;
		case DNS_FORWARD:
			if (ctx.internal || !ctx.can_forward || !q.name_len || q.name_len > 255)
				abort();
			break;
		case DNS_REPLY:
			if (len < LDNS_HEADER_SIZE || len > (tcp ? DNS_TCP_MAX : DNS_UDP_MAX) || !LDNS_QR_WIRE(out) ||
			    LDNS_ID_WIRE(out) != LDNS_ID_WIRE(data)) {
				fprintf(stderr, "bad answer: len %zu\n", len);
				abort();
			}
			if (ldns_wire2pkt(&p, out, len) != LDNS_STATUS_OK) {
				fprintf(stderr, "our answer does not parse\n");
				abort();
			}
			ldns_pkt_free(p);
			break;
		}
	}
	return 0;
}
