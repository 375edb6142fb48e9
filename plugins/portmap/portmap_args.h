/* The portMappings capability and the addresses a port is published to: what the
 * plugin's ADD and its host maintenance (host_state.c) publish alike. */
#ifndef NETNS_RUN_PORTMAP_ARGS_H
#define NETNS_RUN_PORTMAP_ARGS_H

#include <jansson.h>

#include "base/error.h"
#include "cni/cni_result.h"
#include "nft/nft_portmap.h"

/* A portMappings array (NULL: none) into maps[NFT_PORTMAP_MAX]: hostPort and
 * containerPort 1..65535, protocol tcp (default), udp or sctp in any case, hostIP
 * optional.  More than NFT_PORTMAP_MAX entries, or two taking the same host port, is
 * code 7; *ret_n is written only on success. */
int pm_maps_parse(json_t *list, struct pm_map maps[NFT_PORTMAP_MAX], size_t *ret_n, struct nr_error *err);

/* The first address of family af on a container interface (one with a sandbox) of res;
 * IPs that name no interface count as the container's, as in the reference.  Family 0
 * when there is none. */
void pm_result_addr(const struct cni_result *res, int af, struct ip_prefix *ret);

#endif
