/* tuning: sysctls and link attributes of the container's interface, set in its network
 * namespace and put back on DEL; a drop-in for the reference tuning plugin (ops.c). */
#include "plugin_tuning.h"

int main(void)
{
	return cni_plugin_main(&tuning_plugin_ops);
}
