/* ?filters= (query_filter.h). */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "engine/rt_error.h"
#include "query_filter.h"

static int add(struct qfilters *f, const char *key, const char *value, struct nr_error *err)
{
	if (f->n == QFILTER_MAX)
		return nr_error_set(err, RT_ERR_USAGE, E2BIG, "invalid filter: more than %d values", QFILTER_MAX);
	f->v[f->n++] = (struct qfilter){ key, value };
	return 0;
}

int qfilters_parse(const char *text, struct qfilters *f, struct nr_error *err)
{
	const char *key;
	json_t *vals;
	int r;

	*f = (struct qfilters){ 0 };
	if (!text || !*text)
		return 0;
	f->doc = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(f->doc)) {
		qfilters_release(f);
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "invalid filter: not a JSON object of filters: %s",
				    text);
	}
	json_object_foreach(f->doc, key, vals) {
		if (json_is_object(vals)) {
			const char *v;
			json_t *on;
			json_object_foreach(vals, v, on) {
				/* {"name": {"n1": false}} is how a client says nothing of n1. */
				if (!json_is_boolean(on))
					goto bad;
				if (json_is_true(on) && (r = add(f, key, v, err)) < 0)
					goto fail;
			}
		} else if (json_is_array(vals)) {
			size_t i;
			json_t *v;
			json_array_foreach(vals, i, v) {
				if (!json_is_string(v))
					goto bad;
				if ((r = add(f, key, json_string_value(v), err)) < 0)
					goto fail;
			}
		} else {
			goto bad;
		}
	}
	return 0;
bad:
	r = nr_error_set(err, RT_ERR_USAGE, EINVAL, "invalid filter '%s': its values must be an object or an array",
			 key);
fail:
	qfilters_release(f);
	return r;
}

void qfilters_release(struct qfilters *f)
{
	json_decref(f->doc);
	*f = (struct qfilters){ 0 };
}

int qfilters_check_keys(const struct qfilters *f, const char *const *keys, struct nr_error *err)
{
	for (size_t i = 0; i < f->n; i++) {
		bool known = false;
		for (size_t k = 0; keys[k] && !known; k++)
			known = !strcmp(f->v[i].key, keys[k]);
		if (!known)
			return nr_error_set(err, RT_ERR_USAGE, EINVAL, "invalid filter '%s'", f->v[i].key);
	}
	return 0;
}

size_t qfilters_get(const struct qfilters *f, const char *key, const char **ret, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < f->n && n < max; i++)
		if (!strcmp(f->v[i].key, key))
			ret[n++] = f->v[i].value;
	return n;
}

bool qfilters_label_match(json_t *labels, const char *want)
{
	const char *eq = strchr(want, '=');
	char key[256];

	if (snprintf(key, sizeof(key), "%.*s", eq ? (int)(eq - want) : (int)strlen(want), want) >= (int)sizeof(key))
		return false;
	json_t *v = json_object_get(labels, key);
	return v && (!eq || !strcmp(json_string_value(v) ?: "", eq + 1));
}

/* Go's time.ParseDuration: [+-] then one or more NUMBER[.FRACTION]UNIT. */
static int go_duration(const char *s, long long *ret_ns)
{
	static const struct {
		const char *unit;
		long long ns;
	} units[] = { { "ns", 1LL },       { "us", 1000LL },      { "\xc2\xb5s", 1000LL }, { "\xce\xbcs", 1000LL },
		      { "ms", 1000000LL }, { "s", 1000000000LL }, { "m", 60000000000LL },  { "h", 3600000000000LL } };
	long double total = 0;
	bool neg = false;

	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (!*s)
		return -EINVAL;
	while (*s) {
		long double v = 0, scale = 1;
		bool digits = false;
		for (; *s >= '0' && *s <= '9'; s++, digits = true)
			v = v * 10 + (*s - '0');
		if (*s == '.')
			for (s++; *s >= '0' && *s <= '9'; s++, digits = true)
				v += (*s - '0') * (scale /= 10);
		if (!digits)
			return -EINVAL;
		size_t best = 0, k = sizeof(units) / sizeof(units[0]);
		/* "ms" before "m" and "s": the longest unit that matches. */
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t l = strlen(units[i].unit);
			if (!strncmp(s, units[i].unit, l) && l > best)
				best = l, k = i;
		}
		if (!best)
			return -EINVAL;
		total += v * units[k].ns;
		s += best;
	}
	/* Bounded so that now ± it stays a long long (about 126 years). */
	if (total > 4e18L)
		return -EINVAL;
	*ret_ns = (long long)(neg ? -total : total);
	return 0;
}

/* Unix seconds with an optional fraction (Docker's ParseTimestamps). */
static int unix_seconds(const char *s, long long *ret_ns)
{
	long long sec = 0, frac = 0;
	int digits = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++) {
		if (sec > 9000000000LL)
			return -EINVAL;
		sec = sec * 10 + (*p - '0');
	}
	if (p == s)
		return -EINVAL;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			if (digits < 9)
				frac = frac * 10 + (*p - '0'), digits++;
	if (*p)
		return -EINVAL;
	for (; digits < 9; digits++)
		frac *= 10;
	*ret_ns = sec * 1000000000LL + frac;
	return 0;
}

/* YYYY-MM-DD[THH[:MM[:SS[.FRAC]]]][Z|±HH:MM]; no zone: local time (Go's ParseInLocation
 * with the daemon's zone, as Docker's). */
static int rfc3339ish(const char *s, long long *ret_ns)
{
	struct tm tm = { 0 };
	long long frac = 0;
	int n = 0, digits = 0;
	const char *p;

	if (sscanf(s, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &n) != 3 || n != 10)
		return -EINVAL;
	p = s + n;
	if (*p == 'T') {
		int fields[3] = { 0 }, nf = 0;
		p++;
		while (nf < 3 && p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9') {
			fields[nf++] = (p[0] - '0') * 10 + (p[1] - '0');
			p += 2;
			if (*p != ':' || nf == 3)
				break;
			p++;
		}
		if (!nf || p[-1] == ':')
			return -EINVAL;
		tm.tm_hour = fields[0], tm.tm_min = fields[1], tm.tm_sec = fields[2];
		if (*p == '.') {
			if (nf != 3)
				return -EINVAL;
			for (p++; *p >= '0' && *p <= '9'; p++)
				if (digits < 9)
					frac = frac * 10 + (*p - '0'), digits++;
			if (!digits)
				return -EINVAL;
			for (; digits < 9; digits++)
				frac *= 10;
		}
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 60)
		return -EINVAL;
	time_t t;
	if (!*p) {
		tm.tm_isdst = -1;
		t = mktime(&tm);
	} else if ((*p == 'Z' || *p == 'z') && !p[1]) {
		t = timegm(&tm);
	} else if (*p == '+' || *p == '-') {
		int hh, mm, len = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &hh, &mm, &len) != 2 || len != 5 || p[6] || hh > 23 || mm > 59)
			return -EINVAL;
		t = timegm(&tm) - (*p == '+' ? 1 : -1) * (hh * 3600 + mm * 60);
	} else {
		return -EINVAL;
	}
	/* Years far from ours (0001, 9999) are clamped to ±285 years from 1970, where the
	 * nanoseconds still fit: what comes before or after them is the same. */
	if (t < -9000000000LL)
		t = -9000000000LL, frac = 0;
	else if (t > 9000000000LL)
		t = 9000000000LL, frac = 0;
	*ret_ns = (long long)t * 1000000000LL + frac;
	return 0;
}

int qfilters_time(const char *s, long long now_ns, long long *ret_ns)
{
	long long d;

	if (!s || !*s)
		return -EINVAL;
	/* Docker reads "0" as a timestamp, not as a duration of nothing. */
	if (strcmp(s, "0") != 0 && go_duration(s, &d) == 0) {
		*ret_ns = now_ns - d;
		return 0;
	}
	if (strchr(s, '-'))
		return rfc3339ish(s, ret_ns);
	return unix_seconds(s, ret_ns);
}

int qprune_get(const struct qfilters *f, long long now_ns, struct qprune *ret, struct nr_error *err)
{
	const char *until[2];
	size_t n_until = qfilters_get(f, "until", until, 2);

	*ret = (struct qprune){ 0 };
	if (n_until > 1)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "more than one until filter specified");
	if (n_until && qfilters_time(until[0], now_ns, &ret->until_ns) < 0)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "failed to parse value as time or duration: \"%s\"",
				    until[0]);
	ret->n_labels = qfilters_get(f, "label", ret->labels, QFILTER_MAX);
	ret->n_not_labels = qfilters_get(f, "label!", ret->not_labels, QFILTER_MAX);
	return 0;
}

bool qprune_match(const struct qprune *p, long long created_ns, json_t *labels)
{
	bool all_not = p->n_not_labels > 0;

	if (p->until_ns && created_ns > p->until_ns)
		return false;
	for (size_t i = 0; i < p->n_labels; i++)
		if (!qfilters_label_match(labels, p->labels[i]))
			return false;
	for (size_t i = 0; i < p->n_not_labels && all_not; i++)
		all_not = qfilters_label_match(labels, p->not_labels[i]);
	return !all_not;
}

int qprune_parse(const char *text, const char *const *extra, struct qfilters *f, struct qprune *p, struct nr_error *err)
{
	const char *keys[8] = { "until", "label", "label!" };
	struct timespec now;
	size_t n = 3;
	int r;

	for (; extra && *extra && n + 1 < sizeof(keys) / sizeof(keys[0]); extra++)
		keys[n++] = *extra;
	clock_gettime(CLOCK_REALTIME, &now);
	if ((r = qfilters_parse(text, f, err)) < 0 || (r = qfilters_check_keys(f, keys, err)) < 0)
		return r;
	return qprune_get(f, now.tv_sec * 1000000000LL + now.tv_nsec, p, err);
}
