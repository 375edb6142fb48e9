/* The router: a request's path to a route of the table (routes.c), its API version, and
 * the paths we refuse to look up at all. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/server.h"

/* Longer paths are no path of ours; bounding them bounds the work of a lookup. */
#define API_PATH_MAX 4096

bool api_path_clean(const char *path)
{
	size_t len = strnlen(path, API_PATH_MAX + 1);

	if (len == 0 || len > API_PATH_MAX || path[0] != '/')
		return false;
	for (const char *s = path + 1;;) {
		const char *e = strchrnul(s, '/');
		size_t n = (size_t)(e - s);
		/* "." and ".." would let a {} parameter name another object's directory
		 * (/containers/../images/json); Docker's router cleans such paths and answers a
		 * redirect, we answer 404.  An empty segment ("//") is refused for the same
		 * reason: a {} never matches it. */
		if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
			return false;
		if (n == 0 && *e)
			return false;
		if (!*e)
			return true;
		s = e + 1;
	}
}

enum api_version_check api_path_version(const char *path, int *ret_minor, const char **ret_rest, char ver[16])
{
	const char *p = path + 2, *end;
	long major = 0, minor = 0;
	size_t n;

	ver[0] = '\0';
	*ret_rest = path;
	*ret_minor = atoi(strchr(API_VERSION_MAX, '.') + 1);
	if (strncmp(path, "/v", 2) != 0)
		return API_VERSION_OK;
	end = strchrnul(p, '/');
	n = (size_t)(end - p);
	/* Docker's pattern is /v{version:[0-9.]+}: "/version" and "/volumes" are paths, not
	 * versions (their third byte is no digit). */
	if (n == 0 || p[0] < '0' || p[0] > '9')
		return API_VERSION_OK;
	if (strspn(p, "0123456789.") != n)
		return API_VERSION_BAD;
	snprintf(ver, 16, "%.*s", (int)(n > 15 ? 15 : n), p);
	/* major.minor, each at most 4 digits: anything else is no version we know. */
	const char *dot = memchr(p, '.', n);
	if (!dot || dot == p || dot + 1 == end || memchr(dot + 1, '.', (size_t)(end - dot - 1)) || dot - p > 4 ||
	    end - dot - 1 > 4)
		return API_VERSION_BAD;
	for (const char *q = p; q < dot; q++)
		major = major * 10 + (*q - '0');
	for (const char *q = dot + 1; q < end; q++)
		minor = minor * 10 + (*q - '0');
	*ret_rest = *end ? end : "/";
	if (major < 1 || (major == 1 && minor < atoi(strchr(API_VERSION_MIN, '.') + 1)))
		return API_VERSION_TOO_OLD;
	if (major > 1 || minor > atoi(strchr(API_VERSION_MAX, '.') + 1))
		return API_VERSION_TOO_NEW;
	*ret_minor = (int)minor;
	return API_VERSION_OK;
}

static size_t segments(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '/';
	return n;
}

/* Whether path matches pattern segment by segment; each {} segment's offset and length
 * into path go to offs/lens.  A {*} segment takes one or more segments, leaving the
 * pattern's remaining (literal) segments their own: an image name has slashes
 * (/images/team/app:v2/json), as Docker's {name:.*}. */
static bool route_match(const char *pattern, const char *path, size_t offs[], size_t lens[], size_t *n)
{
	const char *p = pattern, *s = path;

	*n = 0;
	while (*p && *s) {
		if (*p != '/' || *s != '/')
			return false;
		p++, s++;
		const char *pe = strchrnul(p, '/'), *se = strchrnul(s, '/');
		size_t pn = (size_t)(pe - p), sn = (size_t)(se - s);
		if (pn == 3 && !memcmp(p, "{*}", 3)) {
			size_t rest = segments(pe), have = segments(se);
			if (sn == 0 || have < rest || *n >= API_PARAMS_MAX)
				return false;
			/* Stretch to leave exactly `rest` segments after it. */
			for (size_t k = have - rest; k > 0; k--)
				se = strchrnul(se + 1, '/');
			/* A name never ends in a slash (a trailing empty segment). */
			if (se[-1] == '/')
				return false;
			offs[*n] = (size_t)(s - path);
			lens[(*n)++] = (size_t)(se - s);
		} else if (pn == 2 && p[0] == '{' && p[1] == '}') {
			if (sn == 0 || *n >= API_PARAMS_MAX)
				return false;
			offs[*n] = (size_t)(s - path);
			lens[(*n)++] = sn;
		} else if (pn != sn || memcmp(p, s, pn) != 0) {
			return false;
		}
		p = pe, s = se;
	}
	return !*p && !*s;
}

const struct api_route *api_route_find(const char *method, char *path_buf, const char **params, size_t *n_params,
				       unsigned *ret_status)
{
	size_t offs[API_PARAMS_MAX], lens[API_PARAMS_MAX], n;
	bool path_known = false;

	*n_params = 0;
	*ret_status = 404;
	if (!api_path_clean(path_buf))
		return NULL;
	for (const struct api_route *rt = api_routes; rt->method; rt++) {
		if (!route_match(rt->pattern, path_buf, offs, lens, &n))
			continue;
		if (strcmp(rt->method, method) != 0) {
			path_known = true;
			continue;
		}
		/* Cut the parameters out of the buffer only now: the match is final. */
		for (size_t i = 0; i < n; i++) {
			path_buf[offs[i] + lens[i]] = '\0';
			params[i] = path_buf + offs[i];
		}
		*n_params = n;
		*ret_status = 200;
		return rt;
	}
	*ret_status = path_known ? 405 : 404;
	return NULL;
}

const char *api_route_query_unknown(const struct api_route *route, const char *const *keys, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(keys[i]);
		const char *p = route->query;
		bool known = false;
		while (p && *p && !known) {
			const char *e = strchrnul(p, ' ');
			known = (size_t)(e - p) == len && !memcmp(p, keys[i], len);
			p = *e ? e + 1 : e;
		}
		if (!known)
			return keys[i];
	}
	return NULL;
}
