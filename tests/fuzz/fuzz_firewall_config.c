/* The firewall plugin's config: the network configuration with its prevResult, parsed as
 * the plugin's ADD does (cni_conf_parse, then fw_conf_fields with the bridge asked for). */
#include "firewall/fw.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cni_conf conf = { 0 };
	struct nr_error err = { 0 };
	struct nft_fw_attach a;
	struct fw_conf c;
	int r;

	r = cni_conf_parse((const char *)data, size, &conf, &err);
	if (r >= 0 && (r = fw_conf_fields(conf.root, conf.prev_result, "id", "eth0", true, &c, &err)) >= 0) {
		fw_attach_of(&c, &a);
		if (strcmp(a.owner, "id/eth0") || a.n_addrs > NFT_FIREWALL_MAX_ADDRS ||
		    (c.ingress == FW_INGRESS_SAME_BRIDGE) != (a.iso_bridge != NULL) ||
		    (a.iso_bridge && (!*a.iso_bridge || strlen(a.iso_bridge) >= IFNAMSIZ)))
			abort();
		for (size_t i = 0; i < a.n_addrs; i++)
			if (a.addrs[i].family != AF_INET && a.addrs[i].family != AF_INET6)
				abort();
	}
	fuzz_check_error(r, &err);
	cni_conf_release(&conf);
	return 0;
}
