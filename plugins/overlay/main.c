/* overlay: a flannel-style meta plugin: the bridge plugin, run in process on the subnet
 * this host's overlay agent leased (ops.c). */
#include "ovl.h"

int main(void)
{
	return cni_plugin_main(&overlay_plugin_ops);
}
