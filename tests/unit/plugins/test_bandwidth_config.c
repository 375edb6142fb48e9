/* The bandwidth plugin's arithmetic and parsing: the ifb name (SHA-512 as the reference),
 * token buckets with the reference's parameters, the limits from config or capability. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "bandwidth/bw.h"
#include "base/sha512.h"
#include "nl/tc.h"

static void test_sha512(void **state)
{
	char hex[129];

	sha512_hex_prefix("", 0, 128, hex);
	assert_string_equal(hex, "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
				 "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e");
	sha512_hex_prefix("abc", 3, 16, hex);
	assert_string_equal(hex, "ddaf35a193617aba");
}

static void test_ifb_name(void **state)
{
	char name[IF_NAMESIZE];

	/* What /usr/lib/cni/bandwidth names the ifb of network "bwnet", container "ctr1". */
	assert_int_equal(bw_ifb_name("bwnet", "ctr1", name), 0);
	assert_string_equal(name, "bwpea62040b30ca");
}

static void test_tbf(void **state)
{
	struct tc_tbf t;

	/* 8 Mbit/s, 80000 bits: 1e6 bytes/s; 10000 bytes take 10 ms = 156250 ticks of 64 ns;
	 * 25 ms of rate (25000 bytes) plus the burst. */
	assert_int_equal(tc_tbf_compute(8000000, 80000, 25, &t), 0);
	assert_int_equal(t.rate, 1000000);
	assert_int_equal(t.buffer, 156250);
	assert_int_equal(t.limit, 35000);
	assert_int_equal(tc_tbf_compute(7, 8, 25, &t), -EINVAL);
	assert_int_equal(tc_tbf_compute(80000000000000ULL, 800000, 25, &t), 0);
	assert_true(t.rate > UINT32_MAX);
}

static int parse(const char *root_json, struct bw_limits *l, struct nr_error *err)
{
	json_t *root = json_loads(root_json, 0, NULL);
	int r;

	assert_non_null(root);
	r = bw_limits_parse(root, json_object_get(root, "runtimeConfig"), l, err);
	json_decref(root);
	return r;
}

static void test_limits(void **state)
{
	struct nr_error err = { 0 };
	struct bw_limits l;

	assert_int_equal(parse("{\"ingressRate\":1000,\"ingressBurst\":800}", &l, &err), 0);
	assert_int_equal(l.ingress_rate, 1000);
	assert_false(bw_egress(&l));
	/* The capability as go-cni sends it (untagged Go fields). */
	assert_int_equal(parse("{\"runtimeConfig\":{\"bandwidth\":{\"EgressRate\":16,\"EgressBurst\":8}}}", &l, &err),
			 0);
	assert_int_equal(l.egress_rate, 16);
	assert_true(bw_egress(&l));
	/* Any limit in the config hides the capability. */
	assert_int_equal(parse("{\"egressRate\":0,\"runtimeConfig\":{\"bandwidth\":{\"egressRate\":16,\"egressBurst\":8}}}",
			       &l, &err),
			 0);
	assert_false(bw_egress(&l));
	assert_int_equal(parse("{\"ingressRate\":1000}", &l, &err), -EINVAL);
	assert_int_equal(err.code, CNI_ERR_INVALID_CONFIG);
	assert_non_null(strstr(err.msg, "if rate is set, burst must also be set"));
	assert_int_equal(parse("{\"egressBurst\":8}", &l, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "if burst is set, rate must also be set"));
	assert_int_equal(parse("{\"ingressRate\":8,\"ingressBurst\":34359738360}", &l, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "burst cannot be more than 4GB"));
	assert_int_equal(parse("{\"ingressRate\":8,\"ingressBurst\":34359738352}", &l, &err), 0);
	assert_int_equal(parse("{\"ingressRate\":-1,\"ingressBurst\":8}", &l, &err), -EINVAL);
	assert_int_equal(err.code, CNI_ERR_DECODE);
	assert_int_equal(parse("{\"ingressRate\":1.5,\"ingressBurst\":8}", &l, &err), -EINVAL);
	assert_int_equal(parse("{\"runtimeConfig\":{\"bandwidth\":[]}}", &l, &err), -EINVAL);
	assert_int_equal(parse("{\"ingressRate\":8,\"ingressBurst\":8,\"shapedSubnets\":[\"10.0.0.0/8\"]}", &l, &err),
			 -EOPNOTSUPP);
	assert_int_equal(err.code, CNI_ERR_UNSUPPORTED_FIELD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha512),
		cmocka_unit_test(test_ifb_name),
		cmocka_unit_test(test_tbf),
		cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
