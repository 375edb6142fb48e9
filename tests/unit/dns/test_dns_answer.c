/* dns/answer: queries built with ldns go through dns_answer; the answers are read back
 * with ldns and compared. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/answer.h"

#define NAMES                                                      \
	"10.89.0.1\n"                                              \
	"0123456789abcdef 10.89.0.2 fd10::2 web,db,0123456789ab\n" \
	"fedcba9876543210 10.89.0.3  api\n"

static struct dns_names *names;

static int setup(void **state)
{
	struct nr_error err = { 0 };
	char text[4096], *p = text;

	p += sprintf(p, "%s", NAMES);
	/* "big": 40 addresses, 640 bytes of A records: over 512 without EDNS. */
	p += sprintf(p, "bbbbbbbbbbbb 10.89.1.1");
	for (int i = 2; i <= 40; i++)
		p += sprintf(p, ",10.89.1.%d", i);
	p += sprintf(p, "  big\n");
	return dns_names_parse(text, (size_t)(p - text), &names, &err);
}

static int teardown(void **state)
{
	dns_names_free(names);
	return 0;
}

/* The query's wire form: id 0x1234, RD, class IN; udp > 0 adds an OPT record. */
static size_t query(const char *name, ldns_rr_type type, uint16_t udp, uint8_t *out)
{
	ldns_pkt *p = ldns_pkt_query_new(ldns_dname_new_frm_str(name), type, LDNS_RR_CLASS_IN, LDNS_RD);
	uint8_t *w = NULL;
	size_t len = 0;

	assert_non_null(p);
	ldns_pkt_set_id(p, 0x1234);
	if (udp)
		ldns_pkt_set_edns_udp_size(p, udp);
	assert_int_equal(ldns_pkt2wire(&w, p, &len), LDNS_STATUS_OK);
	memcpy(out, w, len);
	free(w);
	ldns_pkt_free(p);
	return len;
}

static const struct dns_answer_ctx ctx_fwd = { NULL, false, true };

/* Answer q and parse the answer; the verdict must be DNS_REPLY. */
static ldns_pkt *answer_ctx(const struct dns_answer_ctx *c, const uint8_t *q, size_t qlen, bool tcp, size_t *ret_len)
{
	static uint8_t out[DNS_TCP_MAX];
	struct dns_answer_ctx ctx = *c;
	ldns_pkt *p = NULL;
	size_t len = 0;

	ctx.names = names;
	assert_int_equal(dns_answer(&ctx, q, qlen, tcp, out, sizeof(out), &len, NULL), DNS_REPLY);
	assert_int_equal(ldns_wire2pkt(&p, out, len), LDNS_STATUS_OK);
	if (ret_len)
		*ret_len = len;
	return p;
}

static ldns_pkt *ask(const char *name, ldns_rr_type type, uint16_t udp, bool tcp, size_t *ret_len)
{
	uint8_t q[512];
	size_t qlen = query(name, type, udp, q);
	return answer_ctx(&ctx_fwd, q, qlen, tcp, ret_len);
}

static char *rdata_str(const ldns_rr *rr)
{
	return ldns_rdf2str(ldns_rr_rdf(rr, 0));
}

static void assert_rr(const ldns_pkt *p, size_t i, const char *owner, ldns_rr_type type, const char *rdata)
{
	ldns_rr *rr = ldns_rr_list_rr(ldns_pkt_answer(p), i);
	char *o, *r;

	assert_non_null(rr);
	o = ldns_rdf2str(ldns_rr_owner(rr));
	r = rdata_str(rr);
	assert_string_equal(o, owner);
	assert_int_equal(ldns_rr_get_type(rr), type);
	assert_int_equal(ldns_rr_get_class(rr), LDNS_RR_CLASS_IN);
	assert_int_equal(ldns_rr_ttl(rr), DNS_TTL);
	assert_string_equal(r, rdata);
	free(o);
	free(r);
}

static void assert_head(const ldns_pkt *p, ldns_pkt_rcode rcode, bool aa, size_t ancount)
{
	assert_int_equal(ldns_pkt_id(p), 0x1234);
	assert_true(ldns_pkt_qr(p));
	assert_true(ldns_pkt_rd(p));
	assert_int_equal(ldns_pkt_get_rcode(p), rcode);
	assert_int_equal(ldns_pkt_aa(p), aa);
	assert_int_equal(ldns_pkt_ancount(p), ancount);
	assert_int_equal(ldns_pkt_qdcount(p), 1);
}

static void test_answer_a_aaaa(void **state)
{
	ldns_pkt *p = ask("web", LDNS_RR_TYPE_A, 0, false, NULL);

	assert_head(p, LDNS_RCODE_NOERROR, true, 1);
	assert_true(ldns_pkt_ra(p));
	assert_false(ldns_pkt_tc(p));
	assert_rr(p, 0, "web.", LDNS_RR_TYPE_A, "10.89.0.2");
	ldns_pkt_free(p);
	/* Any case, the owner as asked. */
	p = ask("DB.", LDNS_RR_TYPE_AAAA, 0, false, NULL);
	assert_head(p, LDNS_RCODE_NOERROR, true, 1);
	assert_rr(p, 0, "DB.", LDNS_RR_TYPE_AAAA, "fd10::2");
	ldns_pkt_free(p);
	p = ask("0123456789AB", LDNS_RR_TYPE_ANY, 0, false, NULL);
	assert_head(p, LDNS_RCODE_NOERROR, true, 2);
	ldns_pkt_free(p);
}

static void test_answer_nodata(void **state)
{
	/* A known name, another type: NOERROR, no answer, authoritative. */
	ldns_pkt *p = ask("web", LDNS_RR_TYPE_MX, 0, false, NULL);

	assert_head(p, LDNS_RCODE_NOERROR, true, 0);
	ldns_pkt_free(p);
	p = ask("api", LDNS_RR_TYPE_AAAA, 0, false, NULL);
	assert_head(p, LDNS_RCODE_NOERROR, true, 0);
	ldns_pkt_free(p);
	p = ask("2.0.89.10.in-addr.arpa", LDNS_RR_TYPE_A, 0, false, NULL);
	assert_head(p, LDNS_RCODE_NOERROR, true, 0);
	ldns_pkt_free(p);
}

static void test_answer_ptr(void **state)
{
	ldns_pkt *p = ask("2.0.89.10.in-addr.arpa.", LDNS_RR_TYPE_PTR, 0, false, NULL);

	/* Every name of the entry, as aardvark answers. */
	assert_head(p, LDNS_RCODE_NOERROR, true, 3);
	assert_rr(p, 0, "2.0.89.10.in-addr.arpa.", LDNS_RR_TYPE_PTR, "web.");
	assert_rr(p, 1, "2.0.89.10.in-addr.arpa.", LDNS_RR_TYPE_PTR, "db.");
	assert_rr(p, 2, "2.0.89.10.in-addr.arpa.", LDNS_RR_TYPE_PTR, "0123456789ab.");
	ldns_pkt_free(p);
	p = ask("2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.D.F.IP6.ARPA", LDNS_RR_TYPE_PTR, 0, false,
		NULL);
	assert_head(p, LDNS_RCODE_NOERROR, true, 3);
	assert_rr(p, 0, "2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.D.F.IP6.ARPA.", LDNS_RR_TYPE_PTR,
		  "web.");
	ldns_pkt_free(p);
}

static void test_answer_not_ours(void **state)
{
	struct dns_answer_ctx ctx = { names, false, true };
	struct dns_question dq;
	uint8_t q[512], out[512];
	size_t qlen, len;
	ldns_pkt *p;

	/* A dotted name: forwarded, the question handed back. */
	qlen = query("Example.COM", LDNS_RR_TYPE_A, 0, q);
	assert_int_equal(dns_answer(&ctx, q, qlen, false, out, sizeof(out), &len, &dq), DNS_FORWARD);
	assert_int_equal(dq.name_len, 13);
	assert_memory_equal(dq.name, "\7Example\3COM", 13);
	assert_int_equal(dq.type, LDNS_RR_TYPE_A);
	assert_int_equal(dq.qclass, LDNS_RR_CLASS_IN);
	assert_int_equal(dq.id, 0x1234);
	/* So is an unknown address's PTR. */
	qlen = query("9.0.89.10.in-addr.arpa", LDNS_RR_TYPE_PTR, 0, q);
	assert_int_equal(dns_answer(&ctx, q, qlen, false, out, sizeof(out), &len, &dq), DNS_FORWARD);
	/* A bare name not ours: NXDOMAIN here, never sent out. */
	p = ask("nothere", LDNS_RR_TYPE_A, 0, false, NULL);
	assert_head(p, LDNS_RCODE_NXDOMAIN, false, 0);
	ldns_pkt_free(p);
	/* No upstream: SERVFAIL. */
	qlen = query("example.com", LDNS_RR_TYPE_A, 0, q);
	p = answer_ctx(&(struct dns_answer_ctx){ NULL, false, false }, q, qlen, false, NULL);
	assert_head(p, LDNS_RCODE_SERVFAIL, false, 0);
	assert_true(ldns_pkt_ra(p));
	ldns_pkt_free(p);
	/* --internal: NXDOMAIN, and no recursion offered; our names still answer. */
	p = answer_ctx(&(struct dns_answer_ctx){ NULL, true, false }, q, qlen, false, NULL);
	assert_head(p, LDNS_RCODE_NXDOMAIN, false, 0);
	assert_false(ldns_pkt_ra(p));
	ldns_pkt_free(p);
	qlen = query("web", LDNS_RR_TYPE_A, 0, q);
	p = answer_ctx(&(struct dns_answer_ctx){ NULL, true, false }, q, qlen, false, NULL);
	assert_head(p, LDNS_RCODE_NOERROR, true, 1);
	assert_false(ldns_pkt_ra(p));
	ldns_pkt_free(p);
}

static void test_answer_truncation(void **state)
{
	size_t len;
	ldns_pkt *p = ask("big", LDNS_RR_TYPE_A, 0, false, &len);

	/* 40 A records do not fit in 512 bytes: none, and TC for a retry over TCP. */
	assert_head(p, LDNS_RCODE_NOERROR, true, 0);
	assert_true(ldns_pkt_tc(p));
	assert_true(len <= 512);
	ldns_pkt_free(p);
	/* The client's EDNS size says they fit... */
	p = ask("big", LDNS_RR_TYPE_A, 1232, false, &len);
	assert_head(p, LDNS_RCODE_NOERROR, true, 40);
	assert_false(ldns_pkt_tc(p));
	assert_int_equal(ldns_pkt_edns_udp_size(p), DNS_EDNS_SIZE);
	ldns_pkt_free(p);
	/* ...not with 600 bytes (and below 512 counts as 512). */
	p = ask("big", LDNS_RR_TYPE_A, 600, false, &len);
	assert_true(ldns_pkt_tc(p));
	assert_true(len <= 600);
	ldns_pkt_free(p);
	p = ask("big", LDNS_RR_TYPE_A, 100, false, &len);
	assert_true(ldns_pkt_tc(p));
	ldns_pkt_free(p);
	/* TCP: everything. */
	p = ask("big", LDNS_RR_TYPE_A, 0, true, &len);
	assert_head(p, LDNS_RCODE_NOERROR, true, 40);
	assert_false(ldns_pkt_tc(p));
	assert_rr(p, 39, "big.", LDNS_RR_TYPE_A, "10.89.1.40");
	ldns_pkt_free(p);
}

static void test_answer_edns(void **state)
{
	uint8_t q[512];
	size_t qlen = query("web", LDNS_RR_TYPE_A, 4096, q);
	ldns_pkt *p;

	p = answer_ctx(&ctx_fwd, q, qlen, false, NULL);
	assert_true(ldns_pkt_edns(p));
	assert_false(ldns_pkt_edns_do(p));
	ldns_pkt_free(p);
	/* The DO bit is echoed (RFC 3225). */
	{
		ldns_pkt *qp = NULL;
		uint8_t *w = NULL;
		size_t wl;
		assert_int_equal(ldns_wire2pkt(&qp, q, qlen), LDNS_STATUS_OK);
		ldns_pkt_set_edns_do(qp, true);
		assert_int_equal(ldns_pkt2wire(&w, qp, &wl), LDNS_STATUS_OK);
		p = answer_ctx(&ctx_fwd, w, wl, false, NULL);
		assert_true(ldns_pkt_edns_do(p));
		ldns_pkt_free(p);
		free(w);
		/* EDNS version 1: BADVERS (16: 1 in the OPT record's high bits, 0 in the header). */
		ldns_pkt_set_edns_version(qp, 1);
		assert_int_equal(ldns_pkt2wire(&w, qp, &wl), LDNS_STATUS_OK);
		p = answer_ctx(&ctx_fwd, w, wl, false, NULL);
		assert_int_equal(ldns_pkt_edns_extended_rcode(p), 1);
		assert_int_equal(ldns_pkt_ancount(p), 0);
		ldns_pkt_free(p);
		free(w);
		ldns_pkt_free(qp);
	}
}

static void test_answer_malformed(void **state)
{
	struct dns_answer_ctx ctx = { names, false, true };
	uint8_t q[512], out[512];
	size_t qlen = query("web", LDNS_RR_TYPE_A, 0, q), len;
	ldns_pkt *p;

	/* Too short, or a response: dropped. */
	assert_int_equal(dns_answer(&ctx, q, 11, false, out, sizeof(out), &len, NULL), DNS_DROP);
	q[2] |= 0x80;
	assert_int_equal(dns_answer(&ctx, q, qlen, false, out, sizeof(out), &len, NULL), DNS_DROP);
	q[2] &= 0x7f;
	/* Cut in the question: FORMERR, the id kept. */
	p = answer_ctx(&ctx, q, qlen - 3, false, NULL);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_FORMERR);
	assert_int_equal(ldns_pkt_id(p), 0x1234);
	ldns_pkt_free(p);
	/* No question. */
	q[5] = 0;
	p = answer_ctx(&ctx, q, 12, false, NULL);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_FORMERR);
	ldns_pkt_free(p);
	q[5] = 1;
	/* Another opcode (NOTIFY): NOTIMP. */
	q[2] = (uint8_t)(q[2] | LDNS_PACKET_NOTIFY << 3);
	p = answer_ctx(&ctx, q, qlen, false, NULL);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOTIMPL);
	ldns_pkt_free(p);
}

static void test_answer_error(void **state)
{
	struct dns_question dq = {
		.name = "\3www\7example\3com", .name_len = 17, .type = 1, .qclass = 1, .id = 0x1234, .flags = 0x01
	};
	uint8_t out[512];
	size_t len = dns_answer_error(&dq, LDNS_RCODE_SERVFAIL, true, out, sizeof(out));
	ldns_pkt *p = NULL;

	assert_int_equal(ldns_wire2pkt(&p, out, len), LDNS_STATUS_OK);
	assert_head(p, LDNS_RCODE_SERVFAIL, false, 0);
	ldns_pkt_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answer_a_aaaa),     cmocka_unit_test(test_answer_nodata),
		cmocka_unit_test(test_answer_ptr),        cmocka_unit_test(test_answer_not_ours),
		cmocka_unit_test(test_answer_truncation), cmocka_unit_test(test_answer_edns),
		cmocka_unit_test(test_answer_malformed),  cmocka_unit_test(test_answer_error),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
