/* Overlay networks across hosts (issue 20), the flannel model: each host leases one subnet
 * of the network's CIDR from etcd (the host agent, runtime/overlay, does that) and the data
 * path is the kernel's VXLAN.  This header is the contract between the agent and the
 * `overlay` CNI plugin; this folder owns every host object of an overlay network (the VXLAN
 * device and its per-remote route, neighbour and FDB entry; the plugin's masquerade
 * entries; the bridge is the bridge plugin's, run in process).
 *
 * Files, per network NAME, under <state dir>/overlay/NAME/ (overlay_dir(); <state dir> =
 * $NETNS_RUN_STATE_DIR, else /var/lib/netns-run).  The plugin's configuration names the
 * subnet file by its absolute path ("subnetFile", as flannel's), so any CNI runtime can run it:
 *   subnet.json   written (atomically: rename) by the agent while it holds its lease, removed
 *                 when it does not (lost lease, leave): the plugin refuses ADD without it.
 *                 {"network": "10.20.0.0/16", "subnet": "10.20.3.0/24", "mtu": 1450,
 *                  "vni": 42, "vtep": "192.0.2.11", "device": "nv-0123456789ab",
 *                  "bridge": "nr-0123456789ab", "port": 4789}
 *   hosts.json    the agent's view of every host holding a subnet (for inspect):
 *                 [{"subnet": …, "host": …, "vtep": …, "mac": …, "since": RFC 3339,
 *                   "self": true|false}, …], replaced atomically after each change
 *   attachments/  the plugin's: per attachment (CONTAINERID.IFNAME.json, beside the
 *                 subnet file) the bridge configuration its ADD ran, so DEL releases the
 *                 address after subnet.json went; removed by DEL and GC
 *   pid           the agent's pid; it holds an exclusive flock on it while alive
 *   lock          flock held while the agent is started or stopped
 *   log           the agent's log
 *
 * Names: the bridge is "nr-" + 12 hex of the network id (as for bridge networks); the VXLAN
 * device is "nv-" + 12 hex of the id.  The id is the network's, the same on every host (it
 * is part of the definition in etcd).
 *
 * Kernel layout on each host (flannel's): the VXLAN device (vni, dstport, local = this host's
 * underlay address, nolearning, mtu = underlay mtu - 50) carries the address SUBNET.0/32 of
 * its own subnet; per remote host R holding subnet S_R with VTEP address U_R and device MAC M_R:
 *   route  S_R via S_R.0 dev nv-… onlink
 *   neigh  S_R.0 lladdr M_R dev nv-… nud permanent
 *   fdb    M_R dev nv-… dst U_R self permanent
 * Nothing else: containers reach each other's subnets through their bridge gateway. */
#ifndef NETNS_RUN_OVERLAY_H
#define NETNS_RUN_OVERLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/ipaddr.h"

#define OVERLAY_VXLAN_OVERHEAD 50 /* outer IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14 */
#define OVERLAY_DEFAULT_PORT 4789

/* The subnet file. */
struct overlay_subnet {
	struct ip_prefix network; /* the whole overlay CIDR */
	struct ip_prefix subnet;  /* this host's lease */
	int mtu;                  /* containers' and the bridge's MTU */
	uint32_t vni;
	struct ip_addr vtep; /* this host's underlay address */
	char device[16];     /* the VXLAN device */
	char bridge[16];     /* the bridge */
	uint16_t port;       /* VXLAN UDP port; 0 = OVERLAY_DEFAULT_PORT.  In the file as
			      * "port", optional (the definition's "port"). */
};

/* <state>/overlay/NAME into buf (NAME checked: a network name). */
int overlay_dir(const char *name, char *buf, size_t size, struct nr_error *err);
/* Read / write (atomically) / remove (gone: success) the subnet file of a network dir.
 * A missing file on read is -ENOENT with a message saying the agent holds no subnet. */
int overlay_subnet_read(const char *dir, struct overlay_subnet *s, struct nr_error *err);
int overlay_subnet_write(const char *dir, const struct overlay_subnet *s, struct nr_error *err);
int overlay_subnet_remove(const char *dir, struct nr_error *err);

/* One remote host, as the agent learned it from etcd. */
struct overlay_remote {
	struct ip_prefix subnet;
	struct ip_addr vtep;
	uint8_t mac[6];
};

/* The VXLAN device of s, made when missing (idempotent), up, with SUBNET.0/32; underlay_ifindex
 * 0 = let the kernel route by the local address.  *mac gets its MAC. */
int overlay_vtep_ensure(const struct overlay_subnet *s, int underlay_ifindex, uint8_t mac[6], struct nr_error *err);
/* Make the device's routes, neighbours and FDB entries exactly those of the n remotes:
 * missing ones added, changed ones replaced, others (a host that left) removed.  Idempotent;
 * a remote with our own subnet or VTEP is skipped. */
int overlay_remotes_apply(const struct overlay_subnet *s, const struct overlay_remote *r, size_t n,
			  struct nr_error *err);
/* Remove the device (its routes, neighbours and FDB entries go with it); gone: success. */
int overlay_vtep_remove(const char *device, struct nr_error *err);

#endif
