/* The router (router.c): every route of the table found with its parameters, the
 * version prefix, 404 and 405, and the paths it refuses to look up. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/server.h"

/* find(method, path): the route, and the params as "a|b". */
static const struct api_route *find(const char *method, const char *path, char *params, size_t len, unsigned *status)
{
	char buf[4200];
	const char *p[API_PARAMS_MAX] = { 0 };
	size_t n = 99;

	snprintf(buf, sizeof(buf), "%s", path);
	const struct api_route *rt = api_route_find(method, buf, p, &n, status);
	params[0] = '\0';
	for (size_t i = 0; rt && i < n; i++)
		snprintf(params + strlen(params), len - strlen(params), "%s%s", i ? "|" : "", p[i]);
	if (!rt)
		assert_int_equal(n, 0);
	return rt;
}

/* Every pattern, with its {} filled in, finds its own entry (or an earlier entry of the
 * same method and shape, which the table must not have). */
static void test_every_route(void **state)
{
	for (const struct api_route *rt = api_routes; rt->method; rt++) {
		char path[256] = "", want[64] = "", params[64];
		unsigned status, k = 0;
		for (const char *s = rt->pattern; *s;) {
			size_t plen = !strncmp(s, "{}", 2) ? 2 : !strncmp(s, "{*}", 3) ? 3 : 0;
			if (plen) {
				char v[16];
				/* {*} takes slashes too: an image name's. */
				snprintf(v, sizeof(v), plen == 3 ? "team/p%u" : "p%u", k++);
				strcat(path, v);
				snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s%s", k > 1 ? "|" : "", v);
				s += plen;
			} else {
				strncat(path, s++, 1);
			}
		}
		const struct api_route *got = find(rt->method, path, params, sizeof(params), &status);
		assert_non_null(got);
		assert_ptr_equal(got, rt);
		assert_int_equal(status, 200);
		assert_string_equal(params, want);
	}
}

static void test_params(void **state)
{
	char params[128];
	unsigned status;
	const struct api_route *rt;

	rt = find("POST", "/containers/web/start", params, sizeof(params), &status);
	assert_ptr_equal(rt->fn, h_container_start);
	assert_string_equal(params, "web");
	rt = find("DELETE", "/containers/3f4a", params, sizeof(params), &status);
	assert_ptr_equal(rt->fn, h_container_delete);
	assert_string_equal(params, "3f4a");
	/* An image name with slashes, as Docker's {name:.*}. */
	rt = find("GET", "/images/registry.example/team/app:v2/json", params, sizeof(params), &status);
	assert_ptr_equal(rt->fn, h_image_inspect);
	assert_string_equal(params, "registry.example/team/app:v2");
	rt = find("DELETE", "/images/team/app", params, sizeof(params), &status);
	assert_ptr_equal(rt->fn, h_image_delete);
	assert_string_equal(params, "team/app");
	rt = find("POST", "/images/team/app/tag", params, sizeof(params), &status);
	assert_ptr_equal(rt->fn, h_image_tag);
	assert_string_equal(params, "team/app");
	/* ... but never one ending in a slash (found by fuzz_daemon_router). */
	assert_null(find("DELETE", "/images/team/app/", params, sizeof(params), &status));
	assert_int_equal(status, 404);
	/* Fixed segments win over {} where the table lists them first. */
	rt = find("GET", "/containers/json", params, sizeof(params), &status);
	assert_ptr_equal(rt->fn, h_container_list);
	assert_string_equal(params, "");
	rt = find("GET", "/images/get", params, sizeof(params), &status);
	assert_ptr_equal(rt->fn, h_image_get);
	rt = find("GET", "/images/busybox:latest/json", params, sizeof(params), &status);
	assert_ptr_equal(rt->fn, h_image_inspect);
	assert_string_equal(params, "busybox:latest");
	rt = find("HEAD", "/_ping", params, sizeof(params), &status);
	assert_ptr_equal(rt->fn, h_ping);
}

static void test_not_found(void **state)
{
	char params[64];
	unsigned status;

	assert_null(find("GET", "/nope", params, sizeof(params), &status));
	assert_int_equal(status, 404);
	assert_null(find("GET", "/containers/web/start/more", params, sizeof(params), &status));
	assert_int_equal(status, 404);
	assert_null(find("GET", "/containers/json/", params, sizeof(params), &status));
	assert_int_equal(status, 404);
	assert_null(find("GET", "", params, sizeof(params), &status));
	assert_int_equal(status, 404);
	assert_null(find("GET", "containers/json", params, sizeof(params), &status));
	assert_int_equal(status, 404);
	assert_null(find("GET", "/", params, sizeof(params), &status));
	assert_int_equal(status, 404);
}

static void test_wrong_method(void **state)
{
	char params[64];
	unsigned status;

	assert_null(find("GET", "/containers/web/start", params, sizeof(params), &status));
	assert_int_equal(status, 405);
	assert_null(find("DELETE", "/version", params, sizeof(params), &status));
	assert_int_equal(status, 405);
	assert_null(find("PUT", "/_ping", params, sizeof(params), &status));
	assert_int_equal(status, 405);
	assert_null(find("get", "/version", params, sizeof(params), &status));
	assert_int_equal(status, 405);
}

static void test_traversal(void **state)
{
	char params[64];
	unsigned status;

	/* ".." as a parameter would name another directory: never looked up. */
	assert_null(find("GET", "/containers/../json", params, sizeof(params), &status));
	assert_int_equal(status, 404);
	assert_null(find("GET", "/containers/../images/json", params, sizeof(params), &status));
	assert_int_equal(status, 404);
	assert_null(find("GET", "/containers/./json", params, sizeof(params), &status));
	assert_null(find("DELETE", "/containers/..", params, sizeof(params), &status));
	assert_null(find("DELETE", "/containers/.", params, sizeof(params), &status));
	assert_null(find("GET", "/containers//json", params, sizeof(params), &status));
	assert_null(find("GET", "//containers/json", params, sizeof(params), &status));
	/* A %2F the server decoded is a slash: the id spans two segments, no route. */
	assert_null(find("GET", "/containers/a/b/json", params, sizeof(params), &status));
	assert_int_equal(status, 404);
	/* Dots inside a name are a name. */
	assert_non_null(find("GET", "/containers/..a/json", params, sizeof(params), &status));
	assert_string_equal(params, "..a");
	assert_non_null(find("GET", "/images/my.reg:5000~x/json", params, sizeof(params), &status));
	assert_false(api_path_clean("/a/.."));
	assert_true(api_path_clean("/a/b"));
	assert_true(api_path_clean("/"));
	/* Long paths are refused before any matching. */
	char longp[5000];
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	assert_false(api_path_clean(longp));
}

static void test_versions(void **state)
{
	const char *rest;
	char ver[16];
	int minor;

	assert_int_equal(api_path_version("/v1.41/containers/json", &minor, &rest, ver), API_VERSION_OK);
	assert_int_equal(minor, 41);
	assert_string_equal(rest, "/containers/json");
	assert_string_equal(ver, "1.41");
	assert_int_equal(api_path_version("/v1.50/version", &minor, &rest, ver), API_VERSION_OK);
	assert_int_equal(minor, 50);
	assert_string_equal(rest, "/version");
	assert_int_equal(api_path_version("/v1.45/_ping", &minor, &rest, ver), API_VERSION_OK);
	assert_int_equal(minor, 45);
	/* Unversioned: the newest. */
	assert_int_equal(api_path_version("/version", &minor, &rest, ver), API_VERSION_OK);
	assert_int_equal(minor, 50);
	assert_string_equal(rest, "/version");
	assert_int_equal(api_path_version("/volumes", &minor, &rest, ver), API_VERSION_OK);
	assert_string_equal(rest, "/volumes");
	assert_int_equal(api_path_version("/v1.41", &minor, &rest, ver), API_VERSION_OK);
	assert_string_equal(rest, "/");
	/* Docker's refusals. */
	assert_int_equal(api_path_version("/v1.12/version", &minor, &rest, ver), API_VERSION_TOO_OLD);
	assert_string_equal(ver, "1.12");
	assert_int_equal(api_path_version("/v1.40/version", &minor, &rest, ver), API_VERSION_TOO_OLD);
	assert_int_equal(api_path_version("/v0.99/version", &minor, &rest, ver), API_VERSION_TOO_OLD);
	assert_int_equal(api_path_version("/v1.51/version", &minor, &rest, ver), API_VERSION_TOO_NEW);
	assert_int_equal(api_path_version("/v2.0/version", &minor, &rest, ver), API_VERSION_TOO_NEW);
	/* Not versions at all. */
	assert_int_equal(api_path_version("/v1/version", &minor, &rest, ver), API_VERSION_BAD);
	assert_int_equal(api_path_version("/v1.4.1/version", &minor, &rest, ver), API_VERSION_BAD);
	assert_int_equal(api_path_version("/v1./version", &minor, &rest, ver), API_VERSION_BAD);
	/* No digit after "/v": an unversioned path (which no route has: 404). */
	assert_int_equal(api_path_version("/v.41/version", &minor, &rest, ver), API_VERSION_OK);
	assert_string_equal(rest, "/v.41/version");
	assert_int_equal(api_path_version("/v1.41x/version", &minor, &rest, ver), API_VERSION_BAD);
	assert_int_equal(api_path_version("/v1.99999/version", &minor, &rest, ver), API_VERSION_BAD);
}

static void test_query_keys(void **state)
{
	char buf[64] = "/containers/json";
	const char *params[API_PARAMS_MAX];
	size_t n;
	unsigned status;
	const struct api_route *rt = api_route_find("GET", buf, params, &n, &status);
	const char *known[] = { "all", "filters", "size", "limit" }, *bad[] = { "all", "bogus" };
	const char *none[] = { "x" };

	(void)state;
	assert_non_null(rt);
	assert_null(api_route_query_unknown(rt, known, 4));
	assert_string_equal(api_route_query_unknown(rt, bad, 2), "bogus");
	/* A prefix or a longer word of a known key is not it. */
	const char *near[] = { "al" }, *longer[] = { "allx" };
	assert_string_equal(api_route_query_unknown(rt, near, 1), "al");
	assert_string_equal(api_route_query_unknown(rt, longer, 1), "allx");
	/* Every route has its list, and one that takes nothing refuses anything. */
	for (const struct api_route *r = api_routes; r->method; r++)
		assert_non_null(r->query);
	snprintf(buf, sizeof(buf), "/version");
	rt = api_route_find("GET", buf, params, &n, &status);
	assert_string_equal(api_route_query_unknown(rt, none, 1), "x");
	assert_null(api_route_query_unknown(rt, none, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_route),  cmocka_unit_test(test_params),    cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_wrong_method), cmocka_unit_test(test_traversal), cmocka_unit_test(test_versions),
		cmocka_unit_test(test_query_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
