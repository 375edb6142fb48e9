/* host-local: the IPAM plugin executable; its operations are in core/hostlocal_ops.c. */
#include "hostlocal.h"

int main(void)
{
	return cni_plugin_main(&hostlocal_ops);
}
