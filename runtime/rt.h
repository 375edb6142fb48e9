/* Compatibility for runtime/cgroup.c and runtime/network*.c, which other branches own:
 * the engine's rt.h, the CLI's printer (network*.c call rt_print_error), plus the old
 * unprefixed name cgroup.c still calls.  Goes when those
 * files include "engine/rt.h" themselves. */
#ifndef NETNS_RUN_RT_COMPAT_H
#define NETNS_RUN_RT_COMPAT_H

#include "cli/cli.h"
#include "engine/rt.h"

#define write_str rt_write_str

#endif
