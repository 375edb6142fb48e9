/* Compatibility for runtime/network*.c, which another branch owns: the engine's rt.h and
 * the CLI's printer (they call rt_print_error).  Goes when those files include
 * "engine/rt.h" and "cli/cli.h" themselves. */
#ifndef NETNS_RUN_RT_COMPAT_H
#define NETNS_RUN_RT_COMPAT_H

#include "cli/cli.h"
#include "engine/rt.h"

#endif
