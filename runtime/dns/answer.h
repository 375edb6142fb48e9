/* Answering one query: parsed with ldns, answered from the names table (A, AAAA, PTR,
 * NODATA), refused locally (FORMERR, NOTIMP, NXDOMAIN, SERVFAIL), or handed to the
 * forwarder.  Answers are written straight into the caller's buffer: a reply is the
 * query's header and question plus fixed-size records pointing back at the question's
 * name (no allocation beyond ldns's parse). */
#ifndef NETNS_RUN_DNS_ANSWER_H
#define NETNS_RUN_DNS_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "names.h"

#define DNS_TTL 60
/* The UDP payload size we advertise in our EDNS answers (the DNS flag day 2020 figure). */
#define DNS_EDNS_SIZE 1232
/* Our UDP answers are at most this large, whatever the client's EDNS size. */
#define DNS_UDP_MAX 4096
#define DNS_TCP_MAX 65535

enum dns_verdict {
	DNS_DROP,    /* nothing to send (not a query, or too short to answer) */
	DNS_REPLY,   /* out holds the answer */
	DNS_FORWARD, /* not ours: forward it upstream (ret_q says what was asked) */
};

struct dns_question {
	uint8_t name[256]; /* wire form, as asked (case kept) */
	size_t name_len;
	uint16_t type, qclass;
	uint16_t id;   /* the client's transaction id */
	uint8_t flags; /* the client's RD and CD bits (byte 3's CD in bit 4, byte 2's RD in bit 0) */
};

struct dns_answer_ctx {
	const struct dns_names *names;
	bool internal;    /* names only: other names get NXDOMAIN, RA is clear */
	bool can_forward; /* upstream servers known; without, SERVFAIL instead of DNS_FORWARD */
};

/* Answer q (qlen bytes as received) into out (cap bytes, at least 512).  tcp: the answer
 * may be up to 65535 bytes, else the client's EDNS size (at least 512, at most
 * DNS_UDP_MAX); a larger answer goes without records and with TC set. */
enum dns_verdict dns_answer(const struct dns_answer_ctx *ctx, const uint8_t *q, size_t qlen, bool tcp, uint8_t *out,
			    size_t cap, size_t *ret_len, struct dns_question *ret_q);

/* An answer with rcode and no records to the question q (SERVFAIL when every upstream
 * failed); returns its length (cap at least 512). */
size_t dns_answer_error(const struct dns_question *q, int rcode, bool ra, uint8_t *out, size_t cap);

/* The number of labels of a wire-form name ("web." is 1, the root 0). */
int dns_name_labels(const uint8_t *wire, size_t len);

#endif
