/* host-local: resolv.conf -> the result's dns. */
#ifndef NETNS_RUN_HOST_LOCAL_DNS_H
#define NETNS_RUN_HOST_LOCAL_DNS_H

#include "base/error.h"
#include "cni/cni_result.h"

int hl_dns_load(const char *path, struct cni_dns *ret, struct nr_error *err);

#endif
