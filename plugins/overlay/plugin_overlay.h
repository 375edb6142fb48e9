/* The overlay plugin's operations, for its executable and for programs that run it or
 * maintain its host state in process. */
#ifndef NETNS_RUN_PLUGIN_OVERLAY_H
#define NETNS_RUN_PLUGIN_OVERLAY_H

#include "cni/cni_plugin.h"

extern const struct cni_plugin_ops overlay_plugin_ops;

#endif
