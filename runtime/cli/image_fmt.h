/* What the image verbs print, as Docker's client prints it: sizes and ages in its units
 * (go-units' HumanSizeWithPrecision and HumanDuration), tables laid out as Go's tabwriter
 * lays them out (minwidth 10, padding 3), and --format's json and a subset of its Go
 * templates ({{.Field}}, {{json .}}, "table " prefix, \t and \n). */
#ifndef NETNS_RUN_CLI_IMAGE_FMT_H
#define NETNS_RUN_CLI_IMAGE_FMT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "image/digest.h"

/* "4.86MB": decimal units (B, kB, MB, GB...) with precision significant digits (3 for
 * tables, 4 for "Total reclaimed space"). */
const char *fmt_size(long long bytes, int precision, char *buf, size_t len);
/* "2 hours", "About a minute", "Less than a second" (go-units HumanDuration). */
const char *fmt_duration(long long seconds, char *buf, size_t len);
/* "2 hours ago" for a unix time, "N/A" for 0. */
const char *fmt_since(long long when, char *buf, size_t len);
/* Go's time.Time.String() in local time: "2026-01-01 00:00:00 +0000 UTC". */
const char *fmt_time_go(long long when, char *buf, size_t len);
/* RFC 3339 in local time: "2026-01-01T00:00:00Z" or "...+02:00". */
const char *fmt_time_rfc3339(long long when, char *buf, size_t len);
/* An RFC 3339 time ("2026-01-01T00:00:00.123Z", "...+02:00") as a unix time; 0 if not one. */
long long fmt_parse_rfc3339(const char *s);
/* The IMAGE ID column: 12 hex digits, or the full "sha256:…" with no_trunc. */
const char *fmt_image_id(const char *id, bool no_trunc, char *buf, size_t len);
/* "bb:1" for "docker.io/library/bb:1" (Docker's familiar form); buf. */
const char *fmt_ref_familiar(const char *full, char *buf, size_t len);

/* A table: rows of cells, printed with Go tabwriter's layout. */
struct fmt_table {
	size_t n_cols, n_rows, cap;
	char **cells; /* n_rows * n_cols, owned */
};
int fmt_table_init(struct fmt_table *t, size_t n_cols);
/* Add a row of n_cols strings (copied). */
int fmt_table_add(struct fmt_table *t, const char *const *cells);
void fmt_table_print(const struct fmt_table *t);
void fmt_table_clear(struct fmt_table *t);

/* One row as a JSON object: Docker's `--format json` line (keys sorted, compact, with Go's
 * escaping of <, > and &). */
void fmt_json_line(const json_t *row);

/* Print rows (objects of string values) through format: "json", "table" (the default
 * columns: keys/headers), "table TEMPLATE" or "TEMPLATE".  headers maps a key to its
 * column title (NULL-ended pairs).  -1 and a message on stderr for an unknown field. */
int fmt_rows(const char *format, json_t *rows, const char *const *default_keys, const char *const *headers);
/* fmt_rows, or with quiet (-q) each row's "ID" alone, whatever format says (as Docker). */
int fmt_rows_or_ids(bool quiet, const char *format, json_t *rows, const char *const *default_keys,
		    const char *const *headers);

#endif
