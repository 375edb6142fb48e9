/* The `netns-run network` verbs and what they share: ls and inspect (network.c), rm and
 * prune (network_state.c), reload (network_reload.c). */
#ifndef NETNS_RUN_NETWORK_H
#define NETNS_RUN_NETWORK_H

#include <jansson.h>
#include <stdbool.h>

#include "base/error.h"

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

/* A verb's arguments (argv[0] is the verb): --help prints usage (returns 0); fewer than
 * min or more than max operands (max < 0: no limit) is a message and 125.  -1: go on. */
int net_verb_args(int argc, char **argv, const char *help, int min, int max);

int cmd_network_rm(int argc, char **argv);
int cmd_network_prune(int argc, char **argv);
int cmd_network_reload(int argc, char **argv);

#endif
