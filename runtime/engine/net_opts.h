/* A network endpoint's options as Docker spells them, for `run`, `network connect` and the
 * daemon's create body:
 * --network NAME or name=NET,alias=A,ip=IP,ip6=IP,mac-address=MAC (Docker's advanced
 * syntax), --ip, --ip6, --mac-address, --network-alias/--alias.  Checked here, before
 * anything is made: the address family, the MAC's syntax, an alias as a DNS name. */
#ifndef NETNS_RUN_NET_OPTS_H
#define NETNS_RUN_NET_OPTS_H

#include <stdbool.h>

#include "base/error.h"
#include "engine/opts.h"

/* --network's value into e (zeroed first).  The advanced syntax is split in place (arg is
 * the caller's argv string).  Bad keys and values: RT_ERR_USAGE naming them. */
int net_opts_parse_network(char *arg, struct net_endpoint_opts *e, struct nr_error *err);

/* opt (say "--ip") = value into e's field, checked; a second value is refused. */
int net_opts_set_ip(struct net_endpoint_opts *e, const char *opt, const char *value, struct nr_error *err);
int net_opts_set_ip6(struct net_endpoint_opts *e, const char *opt, const char *value, struct nr_error *err);
int net_opts_set_mac(struct net_endpoint_opts *e, const char *opt, const char *value, struct nr_error *err);
int net_opts_add_alias(struct net_endpoint_opts *e, const char *opt, const char *value, struct nr_error *err);

/* run: the container-wide --ip/--ip6/--mac-address/--network-alias (flags) onto the first
 * network, refused when that network was given the same per-network option (Docker's
 * "conflicting options" messages); then the whole list checked: a network given twice,
 * none/host/container:NAME next to another network, an address or MAC or alias asked of
 * a network that is not a CNI network of its own. */
int net_opts_finish_run(struct net_endpoint_opts *nets, size_t n, const struct net_endpoint_opts *flags,
			struct nr_error *err);

/* An alias: a DNS name (labels of letters, digits, '-' and '_', 1-63 characters, not
 * starting or ending with '-'; at most 253 in all). */
bool net_opts_alias_valid(const char *s);

#endif
