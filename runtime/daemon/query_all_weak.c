/* api_query_all (api.h): every value of a repeated query key, from the connection's
 * query list (server.h).  Weak, and here rather than in api.c only because the server's
 * owner had not defined it when save's names and import's and commit's changes needed
 * it: a definition in api.c replaces this one at link time. */
#include <string.h>

#include "api.h"
#include "server.h"

__attribute__((weak)) size_t api_query_all(const struct api_req *r, const char *key, const char **ret, size_t max)
{
	const struct api_conn *c = r->conn;
	size_t n = 0;

	for (size_t i = 0; c && i < c->n_query && n < max; i++)
		if (!strcmp(c->query[i].key, key))
			ret[n++] = c->query[i].value ? c->query[i].value : "";
	return n;
}
