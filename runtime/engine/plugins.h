/* The plugins the runtime carries inside it: one table (struct cni_builtin), for both of
 * its uses - running a plugin in process and reaching a plugin's host operations. */
#ifndef NETNS_RUN_RT_PLUGINS_H
#define NETNS_RUN_RT_PLUGINS_H

#include "cni/cni_builtin.h"

extern const struct cni_builtin rt_plugins[];

#endif
