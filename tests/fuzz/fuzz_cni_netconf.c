/* Conflists and single .conf files as found in config directories: cni_netconf_parse.
 * Built only once core/ defines cni_netconf_parse (tests/reliability.mk). */
#include "cni/cni_chain.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cni_netconf *n = NULL;
	struct nr_error err = { 0 };
	int r = cni_netconf_parse((const char *)data, size, "fuzz.conflist", &n, &err);

	fuzz_check_error(r, &err);
	if (r >= 0 && (!n || !n->name || !n->cni_version || !n->list))
		abort();
	cni_netconf_free(n);
	return 0;
}
