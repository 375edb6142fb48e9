/* The `netns-run network` verbs: ls and inspect (network.c); create (network_create.c);
 * rm, prune and reload (network_host.c, over the engine's network_host.h). */
#ifndef NETNS_RUN_CLI_NETWORK_H
#define NETNS_RUN_CLI_NETWORK_H

#include <stdbool.h>
#include <stddef.h>

/* A verb's arguments (argv[0] is the verb): --help prints usage (returns 0); fewer than
 * min or more than max operands (max < 0: no limit) is a message and 125.  -1: go on. */
int net_verb_args(int argc, char **argv, const char *help, int min, int max);

/* The network name arg names (a name, a full id, or a unique id prefix, as Docker looks
 * them up), into buf; arg itself when it names none. */
const char *net_cli_resolve(const char *arg, char *buf, size_t len);

/* Whether name is an overlay network (netns-run-overlay's). */
bool net_cli_is_overlay(const char *name);
int cmd_network_create(int argc, char **argv);
int cmd_network_rm(int argc, char **argv);
int cmd_network_prune(int argc, char **argv);
int cmd_network_reload(int argc, char **argv);
/* network_connect.c (issue 17) */
int cmd_network_connect(int argc, char **argv);
/* network.c: exec netns-run-overlay (issue 20) */
int cmd_network_join(int argc, char **argv);
int cmd_network_leave(int argc, char **argv);
int cmd_network_disconnect(int argc, char **argv);

#endif
