/* Linux bridges in the current network namespace. */
#ifndef NETNS_RUN_BRIDGE_H
#define NETNS_RUN_BRIDGE_H

#include <stdbool.h>

#include "base/error.h"
#include "nlsock.h"

/* Make sure a bridge called name exists and is up; *ret_ifindex (may be NULL) is its index.
 * mtu (0 = kernel default), mac (NULL = kernel's choice) and vlan_filtering apply only when
 * the bridge is created here; an existing bridge is used as it is.  A bridge made at the
 * same moment by a concurrent caller counts as existing.  A link of that name that is not a
 * bridge is an error (-EEXIST) naming it and its kind.  Returns 1 when this call created
 * the bridge, 0 when it was there. */
int bridge_ensure(struct nlsock *s, const char *name, unsigned int mtu, const char *mac, bool vlan_filtering,
		  int *ret_ifindex, struct nr_error *err);

/* A Linux bridge numbers its ports 1..1023 (BR_MAX_PORTS is 1024, port 0 is reserved):
 * enslaving one more fails with EXFULL. */
#define BRIDGE_MAX_PORTS 1023

/* The number of links whose master is the bridge; -ENODEV when there is no such link. */
int bridge_port_count(struct nlsock *s, const char *name, struct nr_error *err);

/* Delete the bridge if no link has it as master (a failed first ADD undoing its bridge
 * without pulling it from under a concurrent ADD that already attached).  1 deleted,
 * 0 kept (in use or gone). */
int bridge_delete_if_unused(struct nlsock *s, const char *name, struct nr_error *err);

#endif
