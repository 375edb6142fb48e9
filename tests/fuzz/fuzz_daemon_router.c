/* The daemon's router (runtime/daemon/router.c): a method on the first line, a request
 * path (as MHD hands it over, decoded) on the second, a query value on the third.  The
 * version prefix is stripped or refused, and a route found never hands its handler an
 * empty, "." or ".." parameter, nor one with a slash (but for a {*} route's, an image name
 * such as team/app, whose every segment is then checked so); Docker's booleans and
 * integers parse or fail cleanly. */
#include "daemon/server.h"
#include "fuzz.h"

/* A segment a handler must never see: empty, "." or "..". */
static bool bad_segment(const char *s, size_t n)
{
	return n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.');
}

static bool bad_param(const char *p, bool slashes)
{
	const char *slash;

	if (!slashes)
		return strchr(p, '/') || bad_segment(p, strlen(p));
	for (; (slash = strchr(p, '/')); p = slash + 1)
		if (bad_segment(p, (size_t)(slash - p)))
			return true;
	return bad_segment(p, strlen(p));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *method = fuzz_first_line(&data, &size);
	char *path = fuzz_first_line(&data, &size);
	char *value = fuzz_str(data, size);
	const char *params[API_PARAMS_MAX], *rest;
	char ver[16];
	int minor = 0;
	size_t n = 0;
	unsigned status = 0;
	bool b;
	long l;

	enum api_version_check v = api_path_version(path, &minor, &rest, ver);
	if (v == API_VERSION_OK) {
		if (minor < 41 || minor > 50 || (rest != path && rest[0] != '/'))
			abort();
		char *buf = strdup(rest);
		if (!buf)
			abort();
		const struct api_route *rt = api_route_find(method, buf, params, &n, &status);
		if (rt) {
			if (status != 200 || strcmp(rt->method, method) != 0 || n > API_PARAMS_MAX)
				abort();
			for (size_t i = 0; i < n; i++)
				if (bad_param(params[i], strstr(rt->pattern, "{*}") != NULL))
					abort();
		} else if ((status != 404 && status != 405) || n != 0) {
			abort();
		}
		free(buf);
	} else if (strlen(ver) >= sizeof(ver)) {
		abort();
	}
	if (api_parse_bool(value, false, &b) < 0 && (!strcmp(value, "1") || !strcmp(value, "")))
		abort();
	if (api_parse_long(value, 7, &l) == 0 && !value[0])
		abort();
	free(method);
	free(path);
	free(value);
	return 0;
}
