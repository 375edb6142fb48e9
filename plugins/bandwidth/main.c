/* bandwidth: limit a container's ingress and egress rates with token buckets on the host
 * side of its veth (ops.c), a chained plugin taking the reference bandwidth plugin's
 * configuration and the bandwidth capability. */
#include "plugin_bandwidth.h"

int main(void)
{
	return cni_plugin_main(&bandwidth_plugin_ops);
}
