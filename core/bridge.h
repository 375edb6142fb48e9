/* Linux bridges in the current network namespace. */
#ifndef NETNS_RUN_BRIDGE_H
#define NETNS_RUN_BRIDGE_H

#include <stdbool.h>

#include "error.h"
#include "nlsock.h"

/* Make sure a bridge called name exists and is up; *ret_ifindex (may be NULL) is its index.
 * mtu (0 = kernel default), mac (NULL = kernel's choice) and vlan_filtering apply only when
 * the bridge is created here; an existing bridge is used as it is.  A bridge made at the
 * same moment by a concurrent caller counts as existing.  A link of that name that is not a
 * bridge is an error (-EEXIST) naming it and its kind. */
int bridge_ensure(struct nlsock *s, const char *name, unsigned int mtu, const char *mac, bool vlan_filtering,
		  int *ret_ifindex, struct nr_error *err);

#endif
