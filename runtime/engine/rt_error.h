/* The runtime's error domain.  struct nr_error (base/error.h) carries a code: in the
 * runtime it is one of these kinds, not a CNI code, so a front end can map it (the CLI
 * exits 125 for all; a daemon answers 400/404/409/500).  Errors that come up from the
 * CNI-facing code (a plugin's ADD or DEL) keep the plugin's CNI code, wrapped with the
 * runtime's context; rt_error_is_runtime() tells them apart. */
#ifndef NETNS_RUN_RT_ERROR_H
#define NETNS_RUN_RT_ERROR_H

#include <stdbool.h>

#include "base/error.h"

enum rt_error_kind {
	RT_ERR_SYSTEM = 1000, /* a system call or the kernel refused */
	RT_ERR_USAGE,         /* bad options or values given by the caller */
	RT_ERR_NOT_FOUND,     /* no such container (or network) */
	RT_ERR_CONFLICT,      /* the name is taken, the container is (not) running */
	RT_ERR_CORRUPT,       /* a record that cannot be read back */
	RT_ERR_NOMEM,
};

static inline bool rt_error_is_runtime(const struct nr_error *err)
{
	return err && err->code >= RT_ERR_SYSTEM && err->code <= RT_ERR_NOMEM;
}

#endif
