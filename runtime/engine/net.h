/* A container's network: which mode, which conflist, and the plugin calls around it.
 *   none            a new netns with only lo, through plugins/none (ifname lo)
 *   host            the host's netns; plugins/host reports it when installed
 *   container:NAME  NAME's netns, joined; plugins/container reports it when installed,
 *                   else NAME's cached result is shown; DEL never touches NAME's network
 *   bridge          a conflist named "bridge" from the config dirs, else the built-in one
 *   <network>       that conflist from the config dirs
 * The conflist used for ADD is kept in the container's record, so DEL and CHECK run the
 * very same chain even after the files changed.  This is the CNI-facing side of the
 * engine: JSON (conflists, results, capabilities) is handled here. */
#ifndef NETNS_RUN_NET_H
#define NETNS_RUN_NET_H

#include <jansson.h>
#include <stdbool.h>

#include "base/error.h"
#include "cni/cni_chain.h"
#include "cni/cni_result.h"
#include "engine/container.h"
#include "engine/opts.h"
#include "engine/rt.h"

struct net_mode_ops;

struct net_plan {
	const struct net_mode_ops *ops; /* never NULL once made */
	char owner[RT_NAME_MAX];        /* container mode */
	char ifname[16];                /* "eth0", "lo" for none */
	struct cni_netconf *conf;       /* NULL: no plugins run */
};

/* A network mode: how --net=SPEC is resolved and what the start does around the ADD.
 * The modes are a table (net.c); nothing else looks at a mode's name. */
struct net_mode_ops {
	enum ctr_net_mode mode;
	const char *name;    /* in messages */
	const char *spec;    /* what --net names it by; a prefix when it ends in ':' */
	bool own_netns;      /* a network namespace of its own: cloned, bind-mounted for the plugins */
	bool runtime_lo;     /* the runtime brings lo up (a CNI chain configures its interface only) */
	bool host_resolvers; /* the host's resolv.conf as is: its loopback resolvers answer here */
	/* Fill p (ops, ifname set already) for spec. */
	int (*plan)(const char *spec, struct net_plan *p, struct nr_error *err);
	/* CNI_NETNS for the container name's ADD, into buf. */
	const char *(*netns_path)(const struct net_plan *p, const char *name, char *buf, size_t len);
	/* The result to show when ADD ran no plugins (NULL: none). */
	int (*shown_result)(const struct net_plan *p, struct cni_result **ret);
	/* ps's NETWORK column. */
	void (*describe)(const struct ctr_network *n, char *buf, size_t len);
};

/* The mode --net=spec names (a CNI network for any name that is not a mode's). */
const struct net_mode_ops *net_mode_for_spec(const char *spec);
const struct net_mode_ops *net_mode_of(enum ctr_net_mode mode);

/* Resolve --net; bad names and unknown networks are clear errors.  For container:NAME,
 * NAME must be running with a network namespace of its own. */
int net_plan_make(const char *spec, struct net_plan *p, struct nr_error *err);
/* The plan a container was started with, from its record's (first) network. */
int net_plan_from_record(const struct ctr_record *rec, struct net_plan *p, struct nr_error *err);
/* The plan of any attachment (rec->net or one of rec->more). */
int net_plan_from_network(const struct ctr_network *n, struct net_plan *p, struct nr_error *err);
/* The record's network for p (replacing what n held). */
int net_plan_to_record(const struct net_plan *p, struct ctr_network *n, struct nr_error *err);
void net_plan_clear(struct net_plan *p);

/* Plugin calls for container id with netns path; caps may be NULL. */
/* caps: the capability_args as JSON text, or NULL. */
int net_add(const struct net_plan *p, const char *id, const char *netns, const char *caps, struct cni_result **ret,
	    struct nr_error *err);
int net_del(const struct net_plan *p, const char *id, const char *netns, struct nr_error *err);
int net_check(const struct net_plan *p, const char *id, const char *netns, struct nr_error *err);
/* The cached result of the container's attachment (NULL when none). */
int net_result(const struct net_plan *p, const char *id, struct cni_result **ret, struct nr_error *err);

/* The built-in "bridge" network (bridge nr0 + host-local + masquerade) on a subnet that
 * no route of this host overlaps, chosen once and kept in <state>/default-bridge.subnet. */
int net_default_bridge(struct cni_netconf **ret, struct nr_error *err);

/* Every network a user can name: the config dirs' conflists plus the built-in ones. */
int net_list(struct cni_netconf ***ret, size_t *ret_n, struct nr_error *err);

/* The addresses of a result, for the record (ps and inspect); a NULL-ended strv. */
char **net_result_addresses(const struct cni_result *res);
/* A result as JSON text for inspect (NULL on failure). */
char *net_result_text(const struct cni_result *res, const struct net_plan *p);

/* The plugins' GC of network net, keeping the attachments of valid that are on it. */
struct net_attachment {
	const char *network, *id, *ifname;
};
int net_gc(const struct cni_netconf *net, const struct net_attachment *valid, size_t n, struct nr_error *err);

/* net_endpoint.c: one attachment (struct ctr_network) from ADD to DEL. */
/* What was asked of the attachment (--ip, --ip6, --mac-address, aliases) into n. */
int net_endpoint_request(const struct net_endpoint_opts *e, struct ctr_network *n, struct nr_error *err);
/* The capability args of n's ADD: base_caps (the record's, {"portMappings": …}; NULL for a
 * further network) plus runtimeConfig "ips" (n->ip, n->ip6) and "mac" (n->mac), as the CNI
 * conventions spell them.  A request no plugin of conf declares is refused (it would be
 * ignored).  *ret = NULL when there is nothing to pass. */
int net_endpoint_caps(const struct cni_netconf *conf, const char *base_caps, const struct ctr_network *n, char **ret,
		      struct nr_error *err);
/* n's addresses, gateways and mac_addr from an ADD's result; -ENOMEM. */
int net_endpoint_fill(struct ctr_network *n, const struct cni_result *res);
/* ADD of attachment n through plan p (n's conflist and ifname), filling n from the result.
 * Aliases on a network without DNS are refused. */
int net_endpoint_add(const struct net_plan *p, const char *id, const char *netns, const char *base_caps,
		     struct ctr_network *n, struct cni_result **ret, struct nr_error *err);
/* An attachment asking for an address (--ip/--ip6) on a network of ours: --ip-range limits
 * the addresses IPAM hands out, not the ones asked for (as Docker's), so the ADD (and the
 * recorded conflist its DEL and CHECK use) goes without the range's rangeStart/rangeEnd
 * for the subnet holding the address.  The lease store is the network's, shared with the
 * other containers, so neither side can take the other's address. */
void net_plan_request(struct net_plan *p, const struct net_endpoint_opts *e);
/* A further network's plan: the conflist it ADDs with (and records, for DEL and CHECK)
 * asks for no default route (ipam.routes without 0.0.0.0/0 and ::/0, isDefaultGateway
 * false), so that the first network keeps it, as with Docker, and CHECK agrees. */
void net_plan_further(struct net_plan *p);
/* Inside netns: remove the default routes a further network's result put on ifname, so
 * that the first network keeps the default route (as Docker): for plugins that add one
 * net_plan_further could not turn off. */
int net_endpoint_drop_default_routes(const char *netns, const char *ifname, const struct cni_result *res,
				     struct nr_error *err);
/* When conf is DNS-enabled (dns_net.h): n's names (rec's name, short id, n->aliases) on its
 * addresses join the network's responder; n->dns then. */
int net_endpoint_dns_join(const struct ctr_record *rec, const struct cni_netconf *conf, struct ctr_network *n,
			  struct nr_error *err);
/* Names leave (n->dns), then DEL unless n->done (n->done afterwards); goes on past a DNS
 * failure, returns the first. */
int net_endpoint_down(const struct ctr_record *rec, struct ctr_network *n, struct nr_error *err);

void net_rtconf(struct cni_rtconf *rt, const char *id, const char *netns, const char *ifname, json_t *caps);

#endif
