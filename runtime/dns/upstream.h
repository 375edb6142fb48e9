/* The upstream servers forwarded queries go to.  In order: the names file's own list
 * (line 1's second field, aardvark's network DNS servers); else $NETNS_RUN_RESOLV_CONF;
 * else /etc/resolv.conf, and when that lists only loopback resolvers (systemd-resolved's
 * 127.0.0.53 stub), the servers behind it in /run/systemd/resolve/resolv.conf.  Nothing
 * else is ever queried. */
#ifndef NETNS_RUN_DNS_UPSTREAM_H
#define NETNS_RUN_DNS_UPSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "base/ipaddr.h"

#define DNS_UPSTREAM_MAX 8
#define DNS_RESOLV_CONF "/etc/resolv.conf"
#define DNS_RESOLVED_CONF "/run/systemd/resolve/resolv.conf"

struct dns_upstreams {
	struct ip_addr addr[DNS_UPSTREAM_MAX];
	size_t n;
	char source[128]; /* where they came from, for the log */
};

/* The "nameserver" addresses of resolv.conf text (len bytes; scoped or bad ones skipped). */
void dns_upstreams_parse(const char *text, size_t len, struct dns_upstreams *ret);

/* Choose as above: servers (n_servers) from the names file first.  Never fails: none
 * found leaves ret->n == 0 and ret->source saying why. */
void dns_upstreams_discover(const struct ip_addr *servers, size_t n_servers, struct dns_upstreams *ret);

/* a as a sockaddr on port into ss; returns its length. */
socklen_t dns_sockaddr(const struct ip_addr *a, int port, struct sockaddr_storage *ss);

#endif
