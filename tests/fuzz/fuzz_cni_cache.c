/* The runtime's cached results (cache_dir/<network>-<container>-<ifname>), which DEL reads
 * back after a crash or a reboot: the input is the file, read through cni_cache_read.
 * Built only once core/ defines cni_cache_read (tests/reliability.mk). */
#include "cni/cni_chain.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cni_result *res = NULL;
	struct nr_error err = { 0 };
	json_t *caps = NULL;
	char path[192];
	int r;

	snprintf(path, sizeof(path), "%s/net-ctr-eth0", fuzz_tmpdir());
	fuzz_write_file(path, data, size);
	r = cni_cache_read(fuzz_tmpdir(), "net", "ctr", "eth0", &res, &caps, &err);
	fuzz_check_error(r, &err);
	if (res)
		json_decref(cni_result_to_json(res, "1.0.0"));
	cni_result_free(res);
	json_decref(caps);
	return 0;
}
