/* The bandwidth plugin's operations, for its executable and for programs that run it in
 * process. */
#ifndef NETNS_RUN_PLUGIN_BANDWIDTH_H
#define NETNS_RUN_PLUGIN_BANDWIDTH_H

#include "cni/cni_plugin.h"

extern const struct cni_plugin_ops bandwidth_plugin_ops;

#endif
