/* Times as the Docker and OCI formats write them. */
#ifndef NETNS_RUN_TIMEFMT_H
#define NETNS_RUN_TIMEFMT_H

#include <stddef.h>

/* Now, in RFC 3339 with nanoseconds, UTC ("2026-12-04T06:59:14.123456789Z"), as Docker's
 * Created fields; buf of at least 31 bytes. */
void nr_time_now_rfc3339(char *buf, size_t len);

#endif
