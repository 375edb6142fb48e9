/* A stand-in for api_query_all (api.h) until the server (api.c) defines it: the first
 * value only.  Weak, so the server's definition wins at link time. */
#include "api.h"

__attribute__((weak)) size_t api_query_all(const struct api_req *r, const char *key, const char **ret, size_t max)
{
	const char *v = api_query(r, key);

	if (!v || max == 0)
		return 0;
	ret[0] = v;
	return 1;
}
