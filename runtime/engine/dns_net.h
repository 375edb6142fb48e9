/* Container names on DNS-enabled networks (issue 17): one responder process per network,
 * `netns-run-dns` (runtime/dns, installed next to the netns-run binary), in the model of
 * podman's aardvark-dns.  This module owns its directory and process:
 *
 *   <state>/dns/<network>/names   what the responder serves, in aardvark-dns 1.4's config
 *                                 format: line 1 "GW[,GW…]" (the addresses it listens on,
 *                                 port 53, UDP and TCP); then one line per attachment:
 *                                 "ID V4[,V4…] V6[,V6…] NAME[,NAME…]" (a list may be empty,
 *                                 the field stays: "ID 10.0.0.2  web,db,0123456789ab").
 *                                 Replaced atomically (rename), then SIGHUP.
 *   <state>/dns/<network>/lock    flock held while names is edited (and the responder started)
 *   <state>/dns/<network>/pid     the responder's pid; the responder holds an exclusive flock
 *                                 on it while alive, so "alive" is "the lock is taken" (no pid
 *                                 reuse race).
 *
 * The responder's command line: netns-run-dns [--internal] [--port N] [--foreground] DIR
 * (DIR = <state>/dns/<network>).  --internal: names only, nothing forwarded.  It forks into
 * the background once it listens (the parent exits 0 then, or 1 with the reason on stderr),
 * unless --foreground.  SIGHUP: re-read names and the upstream servers, keeping its sockets.
 * SIGTERM: exit.  Upstreams: $NETNS_RUN_RESOLV_CONF, else /etc/resolv.conf; when that lists
 * only loopback resolvers (127.0.0.53), /run/systemd/resolve/resolv.conf; else none (a
 * warning in its log <DIR>/log, SERVFAIL for forwarded queries). */
#ifndef NETNS_RUN_DNS_NET_H
#define NETNS_RUN_DNS_NET_H

#include <stdbool.h>

#include "base/error.h"
#include "cni/cni_chain.h"

/* One attachment's names: the container's name, its short id (12 hex) and aliases. */
struct dns_entry {
	const char *id;         /* the container's full id */
	const char *name;       /* the container's name */
	char *const *aliases;   /* NULL-ended or NULL */
	char *const *addresses; /* the attachment's addresses, CIDR or bare, v4 and v6; NULL-ended */
};

/* Whether containers on conf resolve each other's names (engine/netdef.h: ours && dns). */
bool dns_net_enabled(const struct cni_netconf *conf);

/* Add or replace e->id's entry on network, listening on gateways (NULL-ended); start the
 * responder when it is not running, else reload it.  internal: nothing forwarded. */
int dns_net_join(const char *network, bool internal, char *const *gateways, const struct dns_entry *e,
		 struct nr_error *err);
/* Remove id's entry (none: 0); stop the responder after the last entry goes. */
int dns_net_leave(const char *network, const char *id, struct nr_error *err);
/* Start network's responder again when it has entries and is not running (every command
 * touching the network calls this); 0 when it runs or has nothing to serve. */
int dns_net_ensure(const char *network, struct nr_error *err);
/* Stop network's responder and remove its directory (network rm). */
int dns_net_remove(const char *network, struct nr_error *err);
/* gc: drop the entries of containers not in live_ids (NULL-ended full ids), stop the
 * responders left without entries, remove directories of networks that no longer exist,
 * restart dead responders that still have entries. */
int dns_net_gc(char *const *live_ids, struct nr_error *err);

#endif
