/* The JSON log's writer (log_json.h): Docker's json-file lines, capped and rotated as
 * the plain log is (log_file.h).  Each stream keeps its unfinished line apart, so that
 * stdout and stderr written in pieces never mix inside one entry. */
#include "log_json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log_file.h"
#include "log_json_internal.h"
#include "rt.h"
#include "rt_error.h"

struct ctr_jlog {
	struct log_file file;
	struct {
		char buf[CTR_JLOG_LINE_MAX];
		size_t len;
	} part[2];  /* [0] stdout, [1] stderr: the line not finished yet */
	char *line; /* the entry being encoded (escaping at most sixfold, plus the keys) */
};

/* Room for one entry: each byte as "\u00XX" at worst, plus the keys and the time. */
#define LINE_BUF (CTR_JLOG_LINE_MAX * 6 + 128)

int ctr_jlog_open(const char *dir, long long max_size, int max_files, struct ctr_jlog **ret, struct nr_error *err)
{
	struct ctr_jlog *l = calloc(1, sizeof(*l));
	char path[512];
	int r;

	if (!l || !(l->line = malloc(LINE_BUF))) {
		free(l);
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	}
	snprintf(path, sizeof(path), "%s/%s", dir, CTR_JLOG_FILE);
	if ((r = log_file_open(&l->file, path, max_size, max_files)) < 0) {
		free(l->line);
		free(l);
		return nr_error_set(err, RT_ERR_SYSTEM, -r, "cannot open %s: %s", path, strerror(-r));
	}
	*ret = l;
	return 0;
}

/* The length of the valid UTF-8 sequence at s (at most n bytes), 0 when it is not one:
 * JSON text is UTF-8, and Docker's encoder writes U+FFFD for what is not. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : 0;

	if (!len || len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

size_t ctr_jlog_escape(char *out, const char *in, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)in;
	char *o = out;

	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		if (c == '"' || c == '\\') {
			*o++ = '\\';
			*o++ = (char)c;
		} else if (c == '\n') {
			*o++ = '\\';
			*o++ = 'n';
		} else if (c == '\r') {
			*o++ = '\\';
			*o++ = 'r';
		} else if (c == '\t') {
			*o++ = '\\';
			*o++ = 't';
		} else if (c < 0x20 || c == 0x7f) {
			o += sprintf(o, "\\u00%c%c", hex[c >> 4], hex[c & 15]);
		} else if (c < 0x80) {
			*o++ = (char)c;
		} else {
			size_t len = utf8_len(s + i, n - i);
			if (!len) {
				o += sprintf(o, "\\ufffd");
				i++;
				continue;
			}
			memcpy(o, s + i, len);
			o += len;
			i += len;
			continue;
		}
		i++;
	}
	return (size_t)(o - out);
}

void ctr_jlog_format_time(char *buf, size_t len, long long ns)
{
	time_t t = (time_t)(ns / 1000000000LL);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, ns % 1000000000LL);
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* One entry, one write(2): a reader never sees half of it (the file is O_APPEND). */
static void entry(struct ctr_jlog *l, enum ctr_stream s, const char *text, size_t n)
{
	char t[64];
	size_t len = 0;

	ctr_jlog_format_time(t, sizeof(t), now_ns());
	len += (size_t)sprintf(l->line, "{\"log\":\"");
	len += ctr_jlog_escape(l->line + len, text, n);
	len += (size_t)sprintf(l->line + len, "\",\"stream\":\"%s\",\"time\":\"%s\"}\n",
			       s == CTR_STDERR ? "stderr" : "stdout", t);
	log_file_write(&l->file, l->line, len);
}

void ctr_jlog_write(struct ctr_jlog *l, enum ctr_stream s, const char *buf, size_t n)
{
	if (!l)
		return;
	__typeof__(l->part[0]) *p = &l->part[s == CTR_STDERR];

	while (n) {
		const char *nl = memchr(buf, '\n', n);
		size_t take = nl ? (size_t)(nl - buf) + 1 : n;
		if (take > sizeof(p->buf) - p->len)
			take = sizeof(p->buf) - p->len;
		memcpy(p->buf + p->len, buf, take);
		p->len += take;
		buf += take;
		n -= take;
		/* A whole line, or 16 KiB of one (Docker splits long lines there too). */
		if (p->buf[p->len - 1] == '\n' || p->len == sizeof(p->buf)) {
			entry(l, s, p->buf, p->len);
			p->len = 0;
		}
	}
}

void ctr_jlog_flush(struct ctr_jlog *l)
{
	if (!l)
		return;
	for (int i = 0; i < 2; i++) {
		if (l->part[i].len)
			entry(l, i ? CTR_STDERR : CTR_STDOUT, l->part[i].buf, l->part[i].len);
		l->part[i].len = 0;
	}
}

void ctr_jlog_free(struct ctr_jlog *l)
{
	if (!l)
		return;
	ctr_jlog_flush(l);
	log_file_close(&l->file);
	free(l->line);
	free(l);
}
