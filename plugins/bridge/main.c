/* bridge: attach the container to a Linux bridge on the host through a veth pair, with
 * addresses from the IPAM plugin; a drop-in for the reference bridge plugin (ops.c). */
#include "plugin_bridge.h"

int main(void)
{
	return cni_plugin_main(&bridge_plugin_ops);
}
