/* Compatibility for runtime/network*.c (another branch's files): the engine's ctr.h and
 * the old name of its reconcile (network*.c call gc_reconcile(false, &err)). */
#ifndef NETNS_RUN_CTR_COMPAT_H
#define NETNS_RUN_CTR_COMPAT_H

#include "engine/ctr.h"

static inline int gc_reconcile(bool verbose, struct nr_error *err)
{
	(void)verbose;
	return ctr_gc_reconcile(NULL, NULL, err);
}

#endif
