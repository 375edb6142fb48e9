/* A container in Docker's JSON shapes, shared by GET /containers/json (list) and
 * GET /containers/{id}/json (inspect): from the record, plus the create body the daemon
 * kept (CTR_CONFIG_FILE; NULL for a container made by `netns-run run`). */
#ifndef NETNS_RUN_DAEMON_CTR_JSON_H
#define NETNS_RUN_DAEMON_CTR_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "engine/container.h"

/* name's kept create body; NULL when it has none (or it does not parse). */
json_t *ctr_json_config_load(const char *name);

/* Docker's State.Status: "created", "running", "exited". */
const char *ctr_json_state(const struct ctr_record *rec);
/* docker ps's STATUS: "Up 3 seconds", "Exited (0) 2 minutes ago", "Created". */
void ctr_json_status(const struct ctr_record *rec, char *buf, size_t len);
/* Docker's units.HumanDuration of seconds: "Less than a second", "About a minute" … */
void ctr_json_human_duration(long long seconds, char *buf, size_t len);
/* Unix seconds as RFC 3339 UTC; 0 is Go's zero time "0001-01-01T00:00:00Z". */
void ctr_json_time(long long t, char *buf, size_t len);

/* HostConfig.NetworkMode: "bridge", "host", "none", "container:NAME", a network's name. */
void ctr_json_network_mode(const struct ctr_record *rec, char *buf, size_t len);
/* running: ctr_json_state() said so, read once by the caller.  A container that is not
 * running has no ports: Docker's releaseNetwork drops them at the stop, its start
 * publishes them again. */
/* list's Ports: [{"IP", "PrivatePort", "PublicPort", "Type"}]. */
json_t *ctr_json_ports_list(const struct ctr_record *rec, bool running);
/* inspect's NetworkSettings.Ports: {"80/tcp": [{"HostIp", "HostPort"}]}, the body's
 * exposed ports with null. */
json_t *ctr_json_ports_map(const struct ctr_record *rec, json_t *config, bool running);
/* NetworkSettings.Networks: {name: {IPAddress, IPPrefixLen, Gateway, MacAddress,
 * NetworkID, EndpointID, Aliases, DNSNames, GlobalIPv6Address …}}.  A container that is
 * not running lists the networks its next start joins (config's, when it has one), with
 * the addresses empty, as Docker's. */
json_t *ctr_json_networks(const struct ctr_record *rec, json_t *config, bool running);
/* A create body's NetworkMode as create_body.c reads it ("default" and none given: bridge). */
const char *ctr_json_body_network_mode(json_t *body);
/* Mounts: the body's Binds as [{"Type": "bind", "Source", "Destination", "RW" …}]. */
json_t *ctr_json_mounts(json_t *config);
/* The body's Labels (an empty object without). */
json_t *ctr_json_labels(json_t *config);

#endif
