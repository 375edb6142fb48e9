#include "answer.h"

#include <ldns/ldns.h>
#include <string.h>

#include "ptr.h"

/* Header bits (RFC 1035 4.1.1): byte 2 QR OPCODE(4) AA TC RD, byte 3 RA Z AD CD RCODE(4). */
#define F2_QR 0x80
#define F2_AA 0x04
#define F2_TC 0x02
#define F2_RD 0x01
#define F3_RA 0x80
#define F3_CD 0x10

struct wbuf {
	uint8_t *p;
	size_t len, max;
};

static void put16(struct wbuf *b, uint16_t v)
{
	b->p[b->len++] = (uint8_t)(v >> 8);
	b->p[b->len++] = (uint8_t)v;
}

static void put32(struct wbuf *b, uint32_t v)
{
	put16(b, (uint16_t)(v >> 16));
	put16(b, (uint16_t)v);
}

static void putn(struct wbuf *b, const void *d, size_t n)
{
	memcpy(b->p + b->len, d, n);
	b->len += n;
}

int dns_name_labels(const uint8_t *wire, size_t len)
{
	int n = 0;

	for (size_t i = 0; i < len && wire[i]; i += 1u + wire[i])
		n++;
	return n;
}

/* Header and question; counts are patched at the end. */
static void put_head(struct wbuf *b, const struct dns_question *q, int opcode, bool aa, bool ra, int rcode)
{
	put16(b, q->id);
	b->p[b->len++] = (uint8_t)(F2_QR | (opcode & 0xf) << 3 | (aa ? F2_AA : 0) | (q->flags & F2_RD));
	b->p[b->len++] = (uint8_t)((ra ? F3_RA : 0) | (q->flags & F3_CD) | (rcode & 0xf));
	put16(b, q->name_len ? 1 : 0);
	put32(b, 0); /* AN, NS */
	put16(b, 0); /* AR */
	if (q->name_len) {
		putn(b, q->name, q->name_len);
		put16(b, q->type);
		put16(b, q->qclass);
	}
}

static void set_count(struct wbuf *b, int off, uint16_t n)
{
	b->p[off] = (uint8_t)(n >> 8);
	b->p[off + 1] = (uint8_t)n;
}

/* The OPT record (RFC 6891): our payload size, the extended rcode's high bits, DO echoed. */
static void put_opt(struct wbuf *b, int ext_rcode, bool dnssec_ok)
{
	b->p[b->len++] = 0; /* root */
	put16(b, LDNS_RR_TYPE_OPT);
	put16(b, DNS_EDNS_SIZE);
	b->p[b->len++] = (uint8_t)ext_rcode;
	b->p[b->len++] = 0; /* version */
	put16(b, dnssec_ok ? 0x8000 : 0);
	put16(b, 0); /* no options */
}

size_t dns_answer_error(const struct dns_question *q, int rcode, bool ra, uint8_t *out, size_t cap)
{
	struct wbuf b = { out, 0, cap };

	put_head(&b, q, LDNS_PACKET_QUERY, false, ra, rcode);
	return b.len;
}

/* A header-only answer to a query ldns could not read (or not a QUERY). */
static size_t answer_bare(const uint8_t *q, int rcode, uint8_t *out)
{
	out[0] = q[0];
	out[1] = q[1];
	out[2] = (uint8_t)(F2_QR | (q[2] & 0x78) | (q[2] & F2_RD));
	out[3] = (uint8_t)((q[3] & F3_CD) | rcode);
	memset(out + 4, 0, 8);
	return 12;
}

/* The records for a local name or address; false when they do not fit in limit. */
static bool put_records(struct wbuf *b, const struct dns_answer_ctx *ctx, const struct dns_question *q,
			const struct dns_name *dn, const struct dns_addr *da, size_t limit, uint16_t *ret_n)
{
	uint16_t n = 0;

	if (da) {
		for (size_t i = 0; i < da->n_names && (q->type == LDNS_RR_TYPE_PTR || q->type == LDNS_RR_TYPE_ANY);
		     i++) {
			const struct dns_name *e = &ctx->names->names[da->names[i]];
			if (b->len + 12 + e->wire_len > limit)
				return false;
			put16(b, 0xc00c); /* the question's name */
			put16(b, LDNS_RR_TYPE_PTR);
			put16(b, LDNS_RR_CLASS_IN);
			put32(b, DNS_TTL);
			put16(b, (uint16_t)e->wire_len);
			putn(b, e->wire, e->wire_len);
			n++;
		}
	}
	if (dn) {
		for (size_t i = 0; i < dn->n_addrs; i++) {
			const struct ip_addr *a = &dn->addrs[i];
			uint16_t t = a->family == AF_INET ? LDNS_RR_TYPE_A : LDNS_RR_TYPE_AAAA;
			size_t l = (size_t)ip_addr_bytes(a);
			if (q->type != t && q->type != LDNS_RR_TYPE_ANY)
				continue;
			if (b->len + 12 + l > limit)
				return false;
			put16(b, 0xc00c);
			put16(b, t);
			put16(b, LDNS_RR_CLASS_IN);
			put32(b, DNS_TTL);
			put16(b, (uint16_t)l);
			putn(b, a->bytes, l);
			n++;
		}
	}
	*ret_n = n;
	return true;
}

enum dns_verdict dns_answer(const struct dns_answer_ctx *ctx, const uint8_t *q, size_t qlen, bool tcp, uint8_t *out,
			    size_t cap, size_t *ret_len, struct dns_question *ret_q)
{
	struct dns_question dq = { 0 };
	struct wbuf b = { out, 0, cap };
	const struct dns_name *dn = NULL;
	const struct dns_addr *da = NULL;
	ldns_pkt *p = NULL;
	ldns_rdf *owner;
	ldns_rr *rr;
	bool edns, ra = !ctx->internal, fits;
	size_t max;
	uint16_t n = 0;
	struct ip_addr a;

	/* Too short for a header, or a response: never answered (no loops between servers). */
	if (qlen < LDNS_HEADER_SIZE || LDNS_QR_WIRE(q))
		return DNS_DROP;
	if (ldns_wire2pkt(&p, q, qlen) != LDNS_STATUS_OK) {
		*ret_len = answer_bare(q, LDNS_RCODE_FORMERR, out);
		return DNS_REPLY;
	}
	if (ldns_pkt_get_opcode(p) != LDNS_PACKET_QUERY) {
		ldns_pkt_free(p);
		*ret_len = answer_bare(q, LDNS_RCODE_NOTIMPL, out);
		return DNS_REPLY;
	}
	if (ldns_pkt_qdcount(p) != 1 || !(rr = ldns_rr_list_rr(ldns_pkt_question(p), 0)) ||
	    !(owner = ldns_rr_owner(rr)) || ldns_rdf_size(owner) > sizeof(dq.name) - 1 || ldns_rdf_size(owner) < 1) {
		ldns_pkt_free(p);
		*ret_len = answer_bare(q, LDNS_RCODE_FORMERR, out);
		return DNS_REPLY;
	}
	dq.name_len = ldns_rdf_size(owner);
	memcpy(dq.name, ldns_rdf_data(owner), dq.name_len);
	dq.type = (uint16_t)ldns_rr_get_type(rr);
	dq.qclass = (uint16_t)ldns_rr_get_class(rr);
	dq.id = LDNS_ID_WIRE(q);
	dq.flags = (uint8_t)((q[2] & F2_RD) | (q[3] & F3_CD));
	edns = ldns_pkt_edns(p);
	if (tcp)
		max = DNS_TCP_MAX;
	else if (edns)
		max = ldns_pkt_edns_udp_size(p) < 512 ? 512 : ldns_pkt_edns_udp_size(p);
	else
		max = 512;
	if (!tcp && max > DNS_UDP_MAX)
		max = DNS_UDP_MAX;
	if (max > cap)
		max = cap;
	if (edns && ldns_pkt_edns_version(p) != 0) {
		/* RFC 6891 6.1.3: BADVERS (16), its high bits in the OPT record. */
		bool dnssec_ok = ldns_pkt_edns_do(p);
		ldns_pkt_free(p);
		put_head(&b, &dq, LDNS_PACKET_QUERY, false, ra, 0);
		put_opt(&b, 1, dnssec_ok);
		set_count(&b, 10, 1);
		*ret_len = b.len;
		return DNS_REPLY;
	}
	bool dnssec_ok = edns && ldns_pkt_edns_do(p);
	ldns_pkt_free(p);

	if (ctx->names && (dq.qclass == LDNS_RR_CLASS_IN || dq.qclass == LDNS_RR_CLASS_ANY)) {
		if (dns_ptr_to_addr(dq.name, dq.name_len, &a) == 0)
			da = dns_names_find_addr(ctx->names, &a);
		dn = dns_names_find(ctx->names, dq.name, dq.name_len);
	}
	if (!dn && !da) {
		int rcode;
		if (ctx->internal || dns_name_labels(dq.name, dq.name_len) == 1)
			rcode = LDNS_RCODE_NXDOMAIN; /* names only, or a bare name that is not ours: never forwarded */
		else if (ctx->can_forward) {
			if (ret_q)
				*ret_q = dq;
			return DNS_FORWARD;
		} else
			rcode = LDNS_RCODE_SERVFAIL; /* no upstream server known */
		put_head(&b, &dq, LDNS_PACKET_QUERY, false, ra, rcode);
		if (edns) {
			put_opt(&b, 0, dnssec_ok);
			set_count(&b, 10, 1);
		}
		*ret_len = b.len;
		return DNS_REPLY;
	}

	/* Ours: the records of the asked type, none (NODATA) for any other; authoritative. */
	put_head(&b, &dq, LDNS_PACKET_QUERY, true, ra, LDNS_RCODE_NOERROR);
	size_t head = b.len;
	fits = put_records(&b, ctx, &dq, dn, da, max - (edns ? 11 : 0), &n);
	if (!fits) {
		b.len = head;
		n = 0;
		out[2] |= F2_TC;
	}
	set_count(&b, 6, n);
	if (edns) {
		put_opt(&b, 0, dnssec_ok);
		set_count(&b, 10, 1);
	}
	*ret_len = b.len;
	return DNS_REPLY;
}
