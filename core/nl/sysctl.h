/* Kernel parameters through /proc/sys (never the sysctl program).  Paths are relative to
 * /proc/sys with slashes: "net/ipv4/ip_forward".  Network ones belong to the network
 * namespace of the calling thread. */
#ifndef NETNS_RUN_SYSCTL_H
#define NETNS_RUN_SYSCTL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

int sysctl_write(const char *path, const char *value, struct nr_error *err);

/* The value with its trailing newline removed. */
int sysctl_read(const char *path, char *buf, size_t len, struct nr_error *err);

/* "net/ipv4/conf/<ifname>/<key>" (family AF_INET) or "net/ipv6/conf/<ifname>/<key>". */
int sysctl_if_path(int family, const char *ifname, const char *key, char *buf, size_t len);
int sysctl_if_write(int family, const char *ifname, const char *key, const char *value, struct nr_error *err);
int sysctl_if_read(int family, const char *ifname, const char *key, char *buf, size_t len, struct nr_error *err);

/* r, or 0 with err cleared when r is -ENOENT: for per-interface sysctls that may be absent
 * (IPv6 disabled in the kernel), which are best effort, as in the reference. */
int sysctl_absent_ok(int r, struct nr_error *err);

/* net/ipv6/conf/<ifname>/accept_dad (0 = no duplicate address detection). */
int sysctl_set_accept_dad(const char *ifname, int value, struct nr_error *err);
/* net/ipv4/conf/<ifname>/arp_notify. */
int sysctl_set_arp_notify(const char *ifname, bool on, struct nr_error *err);

#endif
