/* Port publishing specs in Docker's -p spelling (ports.c): the CLI's -p and the daemon's
 * HostConfig.PortBindings become the portMappings capability the plugins get. */
#ifndef NETNS_RUN_PORTS_H
#define NETNS_RUN_PORTS_H

#include <jansson.h>

#include "base/error.h"

/* "[HOSTIP:]HOSTPORT[-END]:CONTPORT[-END][/PROTO]" appended to arr as portMappings
 * entries ({hostPort, containerPort, protocol, hostIP}), one per port of a range. */
int parse_port_spec(const char *spec, json_t *arr, struct nr_error *err);

#endif
