/* host-local: the IPAM plugin executable; its body is the folder's archive (ops.c). */
#include "hostlocal.h"

int main(void)
{
	return cni_plugin_main(&hostlocal_ops);
}
