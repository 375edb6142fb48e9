/* The plugins the runtime carries inside it: one table (struct cni_builtin), for both of
 * its uses - running a plugin in process and reaching a plugin's host operations. */
#ifndef NETNS_RUN_RT_PLUGINS_H
#define NETNS_RUN_RT_PLUGINS_H

#include "cni/cni_builtin.h"

#include <stdbool.h>

extern const struct cni_builtin rt_plugins[];

/* Whether the bridge runs in this process (on unless turned off; plugins.c says why a
 * daemon turns it off). */
void rt_plugins_bridge_inline(bool on);

#endif
