/* host-local: one address range and a set of ranges (one address per set per ADD). */
#ifndef NETNS_RUN_HOST_LOCAL_RANGE_H
#define NETNS_RUN_HOST_LOCAL_RANGE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "base/ipaddr.h"

struct hl_range {
	struct ip_prefix subnet;   /* network address, host bits clear */
	struct ip_addr start, end; /* inclusive */
	struct ip_addr gw;         /* never handed out */
};

struct hl_rangeset {
	struct hl_range *r;
	size_t n;
};

int hl_range_parse(json_t *obj, const char *what, struct hl_range *ret, struct nr_error *err);
bool hl_range_contains(const struct hl_range *r, const struct ip_addr *a);
bool hl_rangeset_contains(const struct hl_rangeset *s, const struct ip_addr *a);
/* Index of the range holding a, or -1. */
int hl_rangeset_find(const struct hl_rangeset *s, const struct ip_addr *a);
int hl_rangeset_validate(const struct hl_rangeset *s, size_t idx, struct nr_error *err);
bool hl_rangeset_overlaps(const struct hl_rangeset *a, const struct hl_rangeset *b);

#endif
