#include "plugins.h"

#include "bridge/plugin_bridge.h"
#include "firewall/plugin_firewall.h"
#include "host-local/hostlocal.h"
#include "none/plugin_none.h"
#include "overlay/plugin_overlay.h"
#include "portmap/plugin_portmap.h"

/* none (and its alias loopback) run in this process when the executables on CNI_PATH are
 * ours: --net=none is then one fork cheaper at start and at exit (docs/runtime.md). The
 * bridge, portmap and firewall still run as executables: they enter the container's
 * namespace, keep process-wide netlink and nftables state and may be killed by a caller's
 * timeout, none of which may touch the runtime's own process; host-local runs inside the
 * bridge. They are all here for their host operations (network rm/prune/reload:
 * network_host.c): whatever executable CNI_PATH names for the type, the state in our
 * tables and stores is ours to keep. */
const struct cni_builtin rt_plugins[] = {
	{ "none", &none_plugin_ops, true },
	{ "loopback", &none_plugin_ops, true },
	{ "bridge", &bridge_plugin_ops, false },
	{ "portmap", &portmap_plugin_ops, false },
	{ "firewall", &firewall_plugin_ops, false },
	{ "host-local", &hostlocal_ops, false },
	{ "overlay", &overlay_plugin_ops, false }, /* runs the bridge on the overlay agent's lease */
	{ NULL, NULL, false },
};
