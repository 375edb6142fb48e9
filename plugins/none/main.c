/* none: the loopback plugin (core/plugin_none.c). */
#include "plugin_none.h"

int main(void)
{
	return cni_plugin_main(&none_plugin_ops);
}
