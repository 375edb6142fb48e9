/* The none (loopback) plugin's operations: lo up in the container's namespace (ops.c).
 * main.c and the runtime (in process) run them. */
#ifndef NETNS_RUN_PLUGIN_NONE_H
#define NETNS_RUN_PLUGIN_NONE_H

#include "cni/cni_plugin.h"

extern const struct cni_plugin_ops none_plugin_ops;

#endif
