/* What host-local leaves on the host, maintained for the runtime (struct cni_host_ops):
 * a network's lease store, which `network rm` removes once no lease is left in it. */
#include "config.h"
#include "hostlocal.h"
#include "store.h"

/* Only the default data directory: the runtime knows a network by name, and conflists
 * with their own dataDir keep their store (as the reference leaves every store). */
static int hostlocal_forget_network(const char *network, bool *found, struct nr_error *err)
{
	return hl_store_forget(HL_DEFAULT_DATA_DIR, network, found, err);
}

const struct cni_host_ops hl_host_state_ops = {
	.forget_network = hostlocal_forget_network,
};
