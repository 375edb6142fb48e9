/* Results (prevResult, a delegated IPAM's output): cni_result_parse, then render in every
 * version; what we render in the latest version must parse again to the same JSON. */
#include "cni/cni_result.h"
#include "cni/cni_version.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *in = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	struct cni_result *res = NULL, *again = NULL, *dup;
	struct nr_error err = { 0 };
	json_t *out, *out2;
	int r;

	if (!in)
		return 0;
	r = cni_result_parse(in, "fuzz", &res, &err);
	fuzz_check_error(r, &err);
	json_decref(in);
	if (r < 0)
		return 0;
	for (const char *const *v = cni_supported_versions; *v; v++)
		json_decref(cni_result_to_json(res, *v));
	if (!(dup = cni_result_dup(res)) || !(out = cni_result_to_json(dup, CNI_VERSION_LATEST)))
		abort();
	r = cni_result_parse(out, "fuzz round trip", &again, &err);
	if (r < 0) {
		char *s = json_dumps(out, JSON_COMPACT);
		fprintf(stderr, "our own output does not parse: %s\n%s\n", err.msg, s);
		abort();
	}
	if (!(out2 = cni_result_to_json(again, CNI_VERSION_LATEST)) || !json_equal(out, out2)) {
		fprintf(stderr, "round trip changed the result\n");
		abort();
	}
	json_decref(out);
	json_decref(out2);
	cni_result_free(again);
	cni_result_free(dup);
	cni_result_free(res);
	return 0;
}
