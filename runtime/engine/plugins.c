#include "plugins.h"

#include "bridge/plugin_bridge.h"
#include "firewall/plugin_firewall.h"
#include "host-local/hostlocal.h"
#include "none/plugin_none.h"
#include "overlay/plugin_overlay.h"
#include "portmap/plugin_portmap.h"

/* none (and its alias loopback) run in this process when the executables on CNI_PATH are
 * ours: --net=none is then one fork cheaper at start and at exit (docs/runtime.md).  So
 * does the bridge, the default network's plugin, unless this program turned it off
 * (rt_plugins_bridge_inline): two process starts per container (ADD and DEL) cost more
 * than its whole work (docs/benchmarks.md, "Daemon").  It enters the container's
 * namespace on the calling thread only (netns_run), frees what it opens, and its waits
 * are bounded (host-local's lock, held only by such calls; netlink; a link's deletion,
 * nl/link_unlist.h).  A program that serves many clients (the daemon) keeps executing it,
 * so that a plugin's crash stays in a process of its own; each container's monitor, the
 * CLI and a lab's nodes are processes of one container.  portmap runs in process for a
 * container that publishes no port (every `run` without -p): then its ADD passes the
 * result on and its DEL reads our table for the owner's leftovers.  firewall and overlay
 * run as executables.  They are all here for their host operations (network
 * rm/prune/reload: network_host.c): whatever executable CNI_PATH names for the type, the
 * state in our tables and stores is ours to keep. */
static bool bridge_inline = true;

void rt_plugins_bridge_inline(bool on)
{
	bridge_inline = on;
}

static bool bridge_in_process_for(json_t *conf)
{
	(void)conf;
	return bridge_inline;
}

const struct cni_builtin rt_plugins[] = {
	{ "none", &none_plugin_ops, true, NULL },
	{ "loopback", &none_plugin_ops, true, NULL },
	{ "bridge", &bridge_plugin_ops, false, bridge_in_process_for },
	{ "portmap", &portmap_plugin_ops, false, portmap_in_process_for },
	{ "firewall", &firewall_plugin_ops, false, NULL },
	{ "host-local", &hostlocal_ops, false, NULL },
	{ "overlay", &overlay_plugin_ops, false, NULL }, /* runs the bridge on the overlay agent's lease */
	{ NULL, NULL, false, NULL },
};
