/* dns/view: who is answered what.  Three networks: front (the one asked), back and other;
 * web is on front and back, db on back only, solo on other only, api on front only.  A
 * querier is known by its address on the asked network; strangers get REFUSED. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dns/view.h"
#include "fixture.h"

#define WEB "1111111111111111"
#define DB "2222222222222222"
#define API "3333333333333333"
#define SOLO "4444444444444444"

static const char front_text[] = "10.1.0.1\n" WEB " 10.1.0.2 fd01::2 web,1111111111\n" API " 10.1.0.3  api\n";
static const char back_text[] = "10.2.0.1\n" DB " 10.2.0.3  db\n" WEB " 10.2.0.2  web,web-back\n";
/* "a-other" sorts before "back": web is not on it, so its db must never answer web. */
static const char other_text[] = "10.3.0.1\n" SOLO " 10.3.0.5  solo,db\n";

static struct dns_view *view;

static struct dns_names *parse(const char *text)
{
	struct nr_error err = { 0 };
	struct dns_names *n = NULL;

	assert_int_equal(dns_names_parse(text, strlen(text), &n, &err), 0);
	return n;
}

static int setup(void **state)
{
	struct nr_error err = { 0 };
	struct dns_names **nets = calloc(2, sizeof(*nets));
	char **names = calloc(2, sizeof(*names));

	/* Given in the wrong order: the view sorts them by name. */
	nets[0] = parse(back_text);
	names[0] = strdup("back");
	nets[1] = parse(other_text);
	names[1] = strdup("a-other");
	return dns_view_new(parse(front_text), nets, names, 2, &view, &err);
}

static int teardown(void **state)
{
	dns_view_free(view);
	return 0;
}

static struct ip_addr addr(const char *s)
{
	struct ip_addr a;

	assert_int_equal(ip_addr_parse(s, &a), 0);
	return a;
}

/* Ask name/type as querier from (NULL: no address) and parse the answer. */
static ldns_pkt *ask_from(const char *from, const char *name, ldns_rr_type type, bool internal)
{
	static uint8_t out[DNS_TCP_MAX];
	struct dns_answer_ctx ctx = { .internal = internal, .can_forward = true };
	ldns_pkt *q = ldns_pkt_query_new(ldns_dname_new_frm_str(name), type, LDNS_RR_CLASS_IN, LDNS_RD), *p = NULL;
	struct ip_addr src;
	uint8_t *w = NULL;
	size_t wlen = 0, len = 0;

	if (from)
		src = addr(from);
	dns_view_querier(view, from ? &src : NULL, &ctx);
	ldns_pkt_set_id(q, 0x4321);
	assert_int_equal(ldns_pkt2wire(&w, q, &wlen), LDNS_STATUS_OK);
	assert_int_equal(dns_answer(&ctx, w, wlen, false, out, DNS_UDP_MAX, &len, NULL), DNS_REPLY);
	assert_int_equal(ldns_wire2pkt(&p, out, len), LDNS_STATUS_OK);
	free(w);
	ldns_pkt_free(q);
	return p;
}

/* The answer's records' data, space-separated. */
static void assert_answers(const ldns_pkt *p, ldns_pkt_rcode rcode, const char *want)
{
	char got[1024] = "";

	assert_int_equal(ldns_pkt_get_rcode(p), rcode);
	for (size_t i = 0; i < ldns_pkt_ancount(p); i++) {
		char *s = ldns_rdf2str(ldns_rr_rdf(ldns_rr_list_rr(ldns_pkt_answer(p), i), 0));
		strcat(got, i ? " " : "");
		strcat(got, s);
		free(s);
	}
	assert_string_equal(got, want);
}

static void check(const char *from, const char *name, ldns_rr_type type, ldns_pkt_rcode rcode, const char *want)
{
	ldns_pkt *p = ask_from(from, name, type, false);

	assert_answers(p, rcode, want);
	ldns_pkt_free(p);
}

static void test_view_sorted(void **state)
{
	assert_int_equal(view->n_nets, 2);
	assert_string_equal(view->net_names[0], "a-other");
	assert_string_equal(view->net_names[1], "back");
}

/* Strangers: the gateway, a container of another network, an address of nobody. */
static void test_view_stranger_refused(void **state)
{
	const char *strangers[] = { "10.1.0.1", "10.2.0.3", "10.3.0.5", "192.0.2.1", "fd01::99" };

	for (size_t i = 0; i < sizeof(strangers) / sizeof(*strangers); i++) {
		ldns_pkt *p = ask_from(strangers[i], "web", LDNS_RR_TYPE_A, false);
		assert_answers(p, LDNS_RCODE_REFUSED, "");
		assert_false(ldns_pkt_ra(p));
		assert_false(ldns_pkt_aa(p));
		assert_int_equal(ldns_pkt_id(p), 0x4321);
		ldns_pkt_free(p);
	}
	/* No forwarding and no PTR for them either. */
	check("10.2.0.3", "www.example.com", LDNS_RR_TYPE_A, LDNS_RCODE_REFUSED, "");
	check("10.2.0.3", "2.0.1.10.in-addr.arpa", LDNS_RR_TYPE_PTR, LDNS_RCODE_REFUSED, "");
	check(NULL, "web", LDNS_RR_TYPE_A, LDNS_RCODE_REFUSED, "");
}

static void test_view_own_names(void **state)
{
	check("10.1.0.3", "web", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, "10.1.0.2");
	check("10.1.0.2", "api", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, "10.1.0.3");
	/* Known by its IPv6 address too. */
	check("fd01::2", "api", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, "10.1.0.3");
	/* web is on back too, but the asked network's address comes first. */
	check("10.1.0.2", "web", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, "10.1.0.2");
}

static void test_view_other_network(void **state)
{
	/* db is on back only: web (front + back) finds it by its back address; a-other's db
	 * (a network web is not on) never answers, though it sorts first. */
	check("10.1.0.2", "db", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, "10.2.0.3");
	check("fd01::2", "DB.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, "10.2.0.3");
	check("10.1.0.2", "web-back", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, "10.2.0.2");
	/* api is on front only: back's names are not its to see. */
	check("10.1.0.3", "db", LDNS_RR_TYPE_A, LDNS_RCODE_NXDOMAIN, "");
	/* Nobody's network holds solo for web. */
	check("10.1.0.2", "solo", LDNS_RR_TYPE_A, LDNS_RCODE_NXDOMAIN, "");
	/* Found elsewhere but no record of that type: NODATA, as on one network. */
	check("10.1.0.2", "db", LDNS_RR_TYPE_AAAA, LDNS_RCODE_NOERROR, "");
}

/* front and back both internal: web has no way out, its outside names get NXDOMAIN. */
static void test_view_all_internal(void **state)
{
	struct nr_error err = { 0 };
	struct dns_names **nets = calloc(1, sizeof(*nets));
	char **names = calloc(1, sizeof(*names));
	struct dns_view *v = NULL;
	struct dns_answer_ctx ctx = { .can_forward = true };
	struct ip_addr web = addr("10.1.0.2");

	nets[0] = parse(back_text);
	nets[0]->internal = true;
	names[0] = strdup("back");
	assert_int_equal(dns_view_new(parse(front_text), nets, names, 1, &v, &err), 0);
	v->own->internal = true;
	dns_view_querier(v, &web, &ctx);
	assert_true(ctx.internal);
	assert_int_equal(ctx.n_others, 1);
	v->own->internal = false;
	dns_view_querier(v, &web, &ctx);
	assert_false(ctx.internal);
	dns_view_free(v);
}

static void test_view_ptr(void **state)
{
	check("10.1.0.2", "3.0.1.10.in-addr.arpa", LDNS_RR_TYPE_PTR, LDNS_RCODE_NOERROR, "api.");
	/* db's back address, from web: back's names for it. */
	check("10.1.0.2", "3.0.2.10.in-addr.arpa", LDNS_RR_TYPE_PTR, LDNS_RCODE_NOERROR, "db.");
	/* ... not from api, which is not on back (a reverse name is not a single label:
	 * forwarded, as any address not ours). */
	ldns_pkt *p = NULL;
	uint8_t out[512];
	size_t len;
	struct dns_answer_ctx ctx = { .can_forward = true };
	struct ip_addr api = addr("10.1.0.3");
	ldns_pkt *q = ldns_pkt_query_new(ldns_dname_new_frm_str("3.0.2.10.in-addr.arpa"), LDNS_RR_TYPE_PTR,
					 LDNS_RR_CLASS_IN, LDNS_RD);
	uint8_t *w = NULL;
	size_t wlen = 0;

	dns_view_querier(view, &api, &ctx);
	assert_int_equal(ldns_pkt2wire(&w, q, &wlen), LDNS_STATUS_OK);
	assert_int_equal(dns_answer(&ctx, w, wlen, false, out, sizeof(out), &len, NULL), DNS_FORWARD);
	free(w);
	ldns_pkt_free(q);
	/* front internal: a-other's 10.3.0.5 is never api's to see (api is on front alone):
	 * nothing forwarded, NXDOMAIN. */
	view->own->internal = true;
	ctx = (struct dns_answer_ctx){ .can_forward = true };
	dns_view_querier(view, &api, &ctx);
	assert_true(ctx.internal);
	q = ldns_pkt_query_new(ldns_dname_new_frm_str("5.0.3.10.in-addr.arpa"), LDNS_RR_TYPE_PTR, LDNS_RR_CLASS_IN,
			       LDNS_RD);
	assert_int_equal(ldns_pkt2wire(&w, q, &wlen), LDNS_STATUS_OK);
	assert_int_equal(dns_answer(&ctx, w, wlen, false, out, sizeof(out), &len, NULL), DNS_REPLY);
	assert_int_equal(ldns_wire2pkt(&p, out, len), LDNS_STATUS_OK);
	assert_answers(p, LDNS_RCODE_NXDOMAIN, "");
	/* web is on back too, which is not internal: it has a way out, so the same question
	 * from it is forwarded (as Docker, whichever of its networks' servers it asks)... */
	struct ip_addr web = addr("10.1.0.2");
	dns_view_querier(view, &web, &ctx);
	assert_false(ctx.internal);
	assert_int_equal(dns_answer(&ctx, w, wlen, false, out, sizeof(out), &len, NULL), DNS_FORWARD);
	view->own->internal = false;
	free(w);
	ldns_pkt_free(q);
	ldns_pkt_free(p);
}

/* A stranger's malformed query is REFUSED too, not FORMERR. */
static void test_view_stranger_malformed(void **state)
{
	uint8_t q[12] = { 0x12, 0x34, 0x01, 0x00, 0, 2 }, out[512];
	struct dns_answer_ctx ctx = { .can_forward = true };
	struct ip_addr a = addr("192.0.2.1");
	size_t len;

	dns_view_querier(view, &a, &ctx);
	assert_true(ctx.refused);
	assert_int_equal(dns_answer(&ctx, q, sizeof(q), false, out, sizeof(out), &len, NULL), DNS_REPLY);
	assert_int_equal(out[3] & 0xf, LDNS_RCODE_REFUSED);
}

static void test_view_sockaddr(void **state)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	struct ip_addr a;
	char buf[64];

	s6->sin6_family = AF_INET6;
	inet_pton(AF_INET6, "::ffff:10.1.0.2", &s6->sin6_addr);
	assert_true(dns_sockaddr_addr(&ss, &a));
	assert_string_equal(ip_addr_format(&a, buf, sizeof(buf)), "10.1.0.2");
	inet_pton(AF_INET6, "fd01::2", &s6->sin6_addr);
	assert_true(dns_sockaddr_addr(&ss, &a));
	assert_string_equal(ip_addr_format(&a, buf, sizeof(buf)), "fd01::2");
	ss.ss_family = AF_UNIX;
	assert_false(dns_sockaddr_addr(&ss, &a));
}

static void put(const char *top, const char *net, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", top, net);
	mkdir(path, 0755);
	if (!text)
		return;
	strcat(path, "/names");
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

/* From files: <top>/front is served; back is read, a bad file and a directory without
 * names are left out (and logged), front is not its own sibling. */
static void test_view_load(void **state)
{
	char top[] = "/tmp/test_dns_view.XXXXXX", path[600];
	struct nr_error err = { 0 };
	struct dns_view *v = NULL;
	int fd;

	assert_non_null(mkdtemp(top));
	put(top, "front", front_text);
	put(top, "back", back_text);
	put(top, "broken", "not a names file\n");
	put(top, "empty", NULL);
	snprintf(path, sizeof(path), "%s/front", top);
	assert_true((fd = open(path, O_RDONLY | O_DIRECTORY)) >= 0);
	assert_int_equal(dns_view_load(fd, "names", &v, &err), 0);
	assert_int_equal(v->n_nets, 1);
	assert_string_equal(v->net_names[0], "back");
	assert_int_equal(v->own->n_entries, 2);
	/* web's entry (the first) is on back; api's on nothing else. */
	assert_int_equal(v->other_off[1] - v->other_off[0], 1);
	assert_int_equal(v->other_off[2] - v->other_off[1], 0);
	dns_view_free(v);
	/* The own file broken: an error (the caller keeps what it had). */
	put(top, "front", "x\n");
	assert_true(dns_view_load(fd, "names", &v, &err) < 0);
	close(fd);
	fixture_rm_tree(top);
}

/* A name on two of the querier's other networks: the first by network name answers. */
static void test_view_order(void **state)
{
	struct nr_error err = { 0 };
	struct dns_names **nets = calloc(2, sizeof(*nets));
	char **names = calloc(2, sizeof(*names));
	struct dns_view *v = NULL;
	struct dns_answer_ctx ctx = { .can_forward = true };
	struct ip_addr web = addr("10.1.0.2");

	nets[0] = parse("10.9.0.1\n" WEB " 10.9.0.2  web\n" DB " 10.9.0.3  db\n");
	names[0] = strdup("zeta");
	nets[1] = parse("10.8.0.1\n" WEB " 10.8.0.2  web\n" DB " 10.8.0.3  db\n");
	names[1] = strdup("beta");
	assert_int_equal(dns_view_new(parse(front_text), nets, names, 2, &v, &err), 0);
	dns_view_querier(v, &web, &ctx);
	assert_false(ctx.refused);
	assert_int_equal(ctx.n_others, 2);
	assert_ptr_equal(ctx.others[0], v->nets[0]);
	assert_string_equal(v->net_names[0], "beta");
	struct dns_view *saved = view;
	view = v;
	check("10.1.0.2", "db", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, "10.8.0.3");
	view = saved;
	dns_view_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_view_sorted),
		cmocka_unit_test(test_view_stranger_refused),
		cmocka_unit_test(test_view_own_names),
		cmocka_unit_test(test_view_other_network),
		cmocka_unit_test(test_view_ptr),
		cmocka_unit_test(test_view_all_internal),
		cmocka_unit_test(test_view_stranger_malformed),
		cmocka_unit_test(test_view_sockaddr),
		cmocka_unit_test(test_view_load),
		cmocka_unit_test(test_view_order),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
