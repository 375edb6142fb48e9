/* The store's address as users write it: etcd://HOST:PORT[,HOST:PORT...] (etcds:// for
 * https; http:// and https:// are taken too).  No I/O: unit-tested and reused by the CLI
 * to check --store before anything is made. */
#ifndef NETNS_RUN_ETCD_ENDPOINTS_H
#define NETNS_RUN_ETCD_ENDPOINTS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

#define ETCD_DEFAULT_PORT 2379
#define ETCD_MAX_MEMBERS 16

struct etcd_member {
	char name[280]; /* "HOST:PORT" ("[v6]:PORT"), for messages */
	char url[300];  /* "http://HOST:PORT", the base of every request */
};

/* tls: https whatever the scheme.  *ret is malloc'd (ret_n members); *ret_tls says
 * whether the list is https.  Errors: CNI_ERR_INVALID_CONFIG naming the bad part. */
int etcd_endpoints_parse(const char *spec, bool tls, struct etcd_member **ret, size_t *ret_n, bool *ret_tls,
			 struct nr_error *err);

#endif
