/* The portmap plugin's operations, for its executable and for programs that run it or
 * maintain its host state in process. */
#ifndef NETNS_RUN_PLUGIN_PORTMAP_H
#define NETNS_RUN_PLUGIN_PORTMAP_H

#include "cni/cni_plugin.h"

extern const struct cni_plugin_ops portmap_plugin_ops;

/* Whether a runtime may run portmap in its own process for conf: when conf publishes no
 * port (runtimeConfig.portMappings absent or empty), ADD only passes prevResult on and
 * DEL only looks for an owner's leftovers, so the fork and exec would be the whole cost. */
bool portmap_in_process_for(json_t *conf);

#endif
