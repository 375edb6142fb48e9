/* Docker's client-side formatting for the image verbs (image_fmt.h). */
#include "cli/image_fmt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/cleanup.h"
#include "engine/image_json.h"
#include "image/ref.h"
#include "image/store.h"

const char *fmt_size(long long bytes, int precision, char *buf, size_t len)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB" };
	double size = (double)bytes;
	size_t i = 0;

	while (size >= 1000.0 && i < sizeof(units) / sizeof(units[0]) - 1) {
		size /= 1000.0;
		i++;
	}
	/* C's %g and Go's agree on the digits and on when an exponent appears. */
	snprintf(buf, len, "%.*g%s", precision, size, units[i]);
	return buf;
}

const char *fmt_duration(long long seconds, char *buf, size_t len)
{
	long long minutes = seconds / 60, hours = (long long)((double)seconds / 3600.0 + 0.5);

	if (seconds < 1)
		snprintf(buf, len, "Less than a second");
	else if (seconds == 1)
		snprintf(buf, len, "1 second");
	else if (seconds < 60)
		snprintf(buf, len, "%lld seconds", seconds);
	else if (minutes == 1)
		snprintf(buf, len, "About a minute");
	else if (minutes < 60)
		snprintf(buf, len, "%lld minutes", minutes);
	else if (hours == 1)
		snprintf(buf, len, "About an hour");
	else if (hours < 48)
		snprintf(buf, len, "%lld hours", hours);
	else if (hours < 24 * 7 * 2)
		snprintf(buf, len, "%lld days", hours / 24);
	else if (hours < 24 * 30 * 2)
		snprintf(buf, len, "%lld weeks", hours / 24 / 7);
	else if (hours < 24 * 365 * 2)
		snprintf(buf, len, "%lld months", hours / 24 / 30);
	else
		snprintf(buf, len, "%lld years", seconds / 3600 / 24 / 365);
	return buf;
}

const char *fmt_since(long long when, char *buf, size_t len)
{
	char d[64];

	if (when <= 0) {
		snprintf(buf, len, "N/A");
		return buf;
	}
	snprintf(buf, len, "%s ago", fmt_duration((long long)time(NULL) - when, d, sizeof(d)));
	return buf;
}

const char *fmt_time_go(long long when, char *buf, size_t len)
{
	time_t t = (time_t)when;
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S %z %Z", &tm))
		snprintf(buf, len, "%lld", when);
	return buf;
}

const char *fmt_time_rfc3339(long long when, char *buf, size_t len)
{
	time_t t = (time_t)when;
	struct tm tm;
	char zone[16];

	if (!localtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm)) {
		snprintf(buf, len, "%lld", when);
		return buf;
	}
	if (tm.tm_gmtoff == 0)
		snprintf(zone, sizeof(zone), "Z");
	else
		snprintf(zone, sizeof(zone), "%c%02ld:%02ld", tm.tm_gmtoff < 0 ? '-' : '+', labs(tm.tm_gmtoff) / 3600,
			 labs(tm.tm_gmtoff) % 3600 / 60);
	strncat(buf, zone, len - strlen(buf) - 1);
	return buf;
}

long long fmt_parse_rfc3339(const char *s)
{
	long long t;

	return s && img_time_parse(s, &t) >= 0 ? t : 0;
}

const char *fmt_image_id(const char *id, bool no_trunc, char *buf, size_t len)
{
	const char *hex = strncmp(id, "sha256:", 7) ? id : id + 7;

	if (no_trunc)
		snprintf(buf, len, "%s", id);
	else
		snprintf(buf, len, "%.12s", hex);
	return buf;
}

const char *fmt_ref_familiar(const char *full, char *buf, size_t len)
{
	return image_ref_familiar(full, buf, len);
}

int fmt_table_init(struct fmt_table *t, size_t n_cols)
{
	*t = (struct fmt_table){ .n_cols = n_cols };
	return 0;
}

int fmt_table_add(struct fmt_table *t, const char *const *cells)
{
	if (t->n_rows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **c = realloc(t->cells, cap * t->n_cols * sizeof(*c));
		if (!c)
			return -ENOMEM;
		t->cells = c;
		t->cap = cap;
	}
	for (size_t j = 0; j < t->n_cols; j++)
		if (!(t->cells[t->n_rows * t->n_cols + j] = strdup(cells[j] ? cells[j] : "")))
			return -ENOMEM; /* (the row's earlier cells leak only on this path) */
	t->n_rows++;
	return 0;
}

/* Display width as tabwriter counts it: runes, not bytes ("…" is one). */
static size_t runes(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* tabwriter.NewWriter(out, 10, 1, 3, ' ', 0), as the docker client's tables: each column
 * but the last is as wide as its widest cell plus 3, and at least 10. */
void fmt_table_print(const struct fmt_table *t)
{
	size_t w[32] = { 0 };

	for (size_t j = 0; j + 1 < t->n_cols && j < 32; j++) {
		w[j] = 10;
		for (size_t i = 0; i < t->n_rows; i++) {
			size_t cw = runes(t->cells[i * t->n_cols + j]) + 3;
			if (cw > w[j])
				w[j] = cw;
		}
	}
	for (size_t i = 0; i < t->n_rows; i++) {
		for (size_t j = 0; j < t->n_cols; j++) {
			const char *c = t->cells[i * t->n_cols + j];
			fputs(c, stdout);
			if (j + 1 < t->n_cols)
				printf("%*s", (int)(w[j] - runes(c)), "");
		}
		putchar('\n');
	}
}

void fmt_table_clear(struct fmt_table *t)
{
	for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
		free(t->cells[i]);
	free(t->cells);
	*t = (struct fmt_table){ 0 };
}

void fmt_json_line(const json_t *row)
{
	_cleanup_free_ char *text = json_dumps(row, JSON_COMPACT | JSON_SORT_KEYS);

	if (!text)
		return;
	/* Go's encoding/json escapes these for HTML; scripts comparing text expect it. */
	for (const char *p = text; *p; p++) {
		if (*p == '<')
			fputs("\\u003c", stdout);
		else if (*p == '>')
			fputs("\\u003e", stdout);
		else if (*p == '&')
			fputs("\\u0026", stdout);
		else
			putchar(*p);
	}
	putchar('\n');
}

/* The column title of key (headers: key, title pairs), NULL when it is not a field. */
static const char *title_of(const char *const *headers, const char *key)
{
	for (size_t i = 0; headers[i]; i += 2)
		if (!strcmp(headers[i], key))
			return headers[i + 1];
	return NULL;
}

/* Expand a template for one row: {{.Key}} by its value (or title, for a header) and
 * {{json .}} by the row.  -1 on an unknown key, naming it. */
static int expand(const char *tpl, json_t *row, const char *const *headers, bool header, char **ret)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return -1;
	for (const char *p = tpl; *p;) {
		const char *open = strstr(p, "{{"), *close = open ? strstr(open, "}}") : NULL;
		if (!open || !close) {
			fputs(p, f);
			break;
		}
		fwrite(p, 1, (size_t)(open - p), f);
		char key[64];
		const char *k = open + 2;
		while (*k == ' ')
			k++;
		size_t kl = (size_t)(close - k);
		while (kl && k[kl - 1] == ' ')
			kl--;
		snprintf(key, sizeof(key), "%.*s", (int)kl, k);
		if (!strcmp(key, "json .") || !strcmp(key, ".")) {
			_cleanup_free_ char *j = header ? NULL : json_dumps(row, JSON_COMPACT | JSON_SORT_KEYS);
			fputs(j ? j : "", f);
		} else if (key[0] == '.' &&
			   (header ? title_of(headers, key + 1) != NULL : json_object_get(row, key + 1) != NULL)) {
			const char *v = header ? title_of(headers, key + 1)
					       : json_string_value(json_object_get(row, key + 1));
			fputs(v ? v : "", f);
		} else {
			fclose(f);
			free(out);
			fprintf(stderr,
				"netns-run: template: unknown field %s (netns-run knows {{.Field}} and {{json .}})\n",
				key);
			return -1;
		}
		p = close + 2;
	}
	fclose(f);
	*ret = out;
	return 0;
}

/* Split text into lines and cells (on tabs) into t. */
static int table_add_text(struct fmt_table *t, const char *text)
{
	_cleanup_free_ char *copy = strdup(text);
	char *save = NULL;

	if (!copy)
		return -ENOMEM;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *cells[32] = { 0 };
		size_t n = 0;
		for (char *c = line, *tab; c && n < t->n_cols; c = tab ? tab + 1 : NULL) {
			if ((tab = strchr(c, '\t')))
				*tab = '\0';
			cells[n++] = c;
		}
		if (fmt_table_add(t, cells) < 0)
			return -ENOMEM;
	}
	return 0;
}

int fmt_rows(const char *format, json_t *rows, const char *const *default_keys, const char *const *headers)
{
	char tpl[1024] = "";
	bool table = !format || !*format || !strncmp(format, "table", 5);
	size_t i;
	json_t *row;

	if (format && !strcmp(format, "json")) {
		json_array_foreach(rows, i, row)
			fmt_json_line(row);
		return 0;
	}
	if (!format || !strcmp(format, "table")) {
		for (size_t k = 0; default_keys[k]; k++)
			snprintf(tpl + strlen(tpl), sizeof(tpl) - strlen(tpl), "%s{{.%s}}", k ? "\t" : "",
				 default_keys[k]);
	} else {
		const char *src = table ? format + 5 : format;
		size_t o = 0;
		while (*src == ' ')
			src++;
		/* Docker's preFormat: the two-character escapes \t and \n are the characters. */
		for (; *src && o + 1 < sizeof(tpl); src++) {
			if (src[0] == '\\' && (src[1] == 't' || src[1] == 'n')) {
				tpl[o++] = src[1] == 't' ? '\t' : '\n';
				src++;
			} else {
				tpl[o++] = *src;
			}
		}
		tpl[o] = '\0';
	}
	if (!table) {
		json_array_foreach(rows, i, row) {
			_cleanup_free_ char *out = NULL;
			if (expand(tpl, row, headers, false, &out) < 0)
				return -1;
			puts(out);
		}
		return 0;
	}
	struct fmt_table t;
	size_t cols = 1;
	for (const char *p = tpl; *p; p++)
		cols += *p == '\t';
	fmt_table_init(&t, cols > 32 ? 32 : cols);
	_cleanup_free_ char *head = NULL;
	int r = expand(tpl, NULL, headers, true, &head);
	if (r >= 0)
		r = table_add_text(&t, head);
	json_array_foreach(rows, i, row) {
		_cleanup_free_ char *out = NULL;
		if (r < 0 || (r = expand(tpl, row, headers, false, &out)) < 0 || (r = table_add_text(&t, out)) < 0)
			break;
	}
	if (r >= 0)
		fmt_table_print(&t);
	fmt_table_clear(&t);
	return r < 0 ? -1 : 0;
}

int fmt_rows_or_ids(bool quiet, const char *format, json_t *rows, const char *const *default_keys,
		    const char *const *headers)
{
	size_t i;
	json_t *row;

	if (!quiet)
		return fmt_rows(format, rows, default_keys, headers);
	json_array_foreach(rows, i, row)
		puts(json_string_value(json_object_get(row, "ID")));
	return 0;
}
