/* firewall: let a container's traffic through a host whose forward policy drops, a
 * chained plugin taking the reference firewall plugin's configuration.  The state is
 * nftables sets (core/nft/nft_firewall.h), so an ADD is element inserts (ops.c). */
#include "plugin_firewall.h"

int main(void)
{
	return cni_plugin_main(&firewall_plugin_ops);
}
