/* host-local's resolvConf file, read into the result's dns. */
#include "fuzz.h"
#include "host-local/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cni_result *res = cni_result_new();
	struct nr_error err = { 0 };
	char path[128];
	int r;

	if (!res)
		abort();
	snprintf(path, sizeof(path), "%s/resolv.conf", fuzz_tmpdir());
	fuzz_write_file(path, data, size);
	r = hl_dns_load(path, &res->dns, &err);
	fuzz_check_error(r, &err);
	json_decref(cni_result_to_json(res, "1.0.0"));
	cni_result_free(res);
	return 0;
}
