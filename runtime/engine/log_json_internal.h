/* What the JSON log's writer (log_json.c) and reader (log_json_read.c) share. */
#ifndef NETNS_RUN_LOG_JSON_INTERNAL_H
#define NETNS_RUN_LOG_JSON_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "log_json.h"

/* The longest entry's text: a longer line becomes several entries, as Docker's. */
#define CTR_JLOG_LINE_MAX (16 << 10)

/* n bytes as JSON string contents into out (at least 6 * n bytes); returns its length. */
size_t ctr_jlog_escape(char *out, const char *in, size_t n);
/* RFC 3339 with nanoseconds, UTC (buf of at least 31 bytes). */
void ctr_jlog_format_time(char *buf, size_t len, long long ns);
/* The inverse, any number of fraction digits and a Z or ±hh:mm zone; false on garbage. */
bool ctr_jlog_parse_time(const char *s, long long *ret_ns);

#endif
