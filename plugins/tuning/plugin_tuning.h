/* The tuning plugin's operations (ops.c), for its executable and for programs that run it
 * in process. */
#ifndef NETNS_RUN_PLUGIN_TUNING_H
#define NETNS_RUN_PLUGIN_TUNING_H

#include "cni/cni_plugin.h"

extern const struct cni_plugin_ops tuning_plugin_ops;

#endif
