/* portmap: publish container ports on the host through DNAT, a chained plugin taking the
 * reference portmap's configuration and the portMappings capability.  The rules are
 * nftables maps (core/nft_portmap), so an ADD costs the same at the thousandth container
 * as at the first (ops.c). */
#include "plugin_portmap.h"

int main(void)
{
	return cni_plugin_main(&portmap_plugin_ops);
}
