/* none: the loopback plugin executable; its body is the folder's archive (ops.c). */
#include "plugin_none.h"

int main(void)
{
	return cni_plugin_main(&none_plugin_ops);
}
