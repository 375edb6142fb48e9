/* The `netns-run network` verbs and what they share: ls and inspect (network.c), rm and
 * prune (network_state.c), reload (network_reload.c). */
#ifndef NETNS_RUN_NETWORK_H
#define NETNS_RUN_NETWORK_H

#include <jansson.h>
#include <stdbool.h>

#include "error.h"

/* A chain plugin of type "bridge", with plugins/bridge's defaults. */
struct net_bridge {
	const char *bridge; /* borrowed from the plugin object; default "cni0" */
	bool ip_masq;       /* default false */
	bool isolate;       /* default true */
	bool internal;      /* default false */
};

/* The bridge name of a chain plugin, or NULL when it is not of type "bridge". */
const char *net_bridge_name(json_t *plugin);
/* Its settings; a plugin whose fields have the wrong types is code 6. */
int net_bridge_of(json_t *plugin, struct net_bridge *ret, struct nr_error *err);

/* Whether s is "-h" or "--help". */
bool net_is_help(const char *s);

int cmd_network_rm(int argc, char **argv);
int cmd_network_prune(int argc, char **argv);
int cmd_network_reload(int argc, char **argv);

#endif
