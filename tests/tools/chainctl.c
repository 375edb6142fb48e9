/* chainctl: a minimal runtime front end over core/cni_chain.h, for tests.
 *   chainctl [-d DIRS] [-c CACHE] [-i ID] [-n NETNS] [-f IFNAME] [-a CNI_ARGS] [-C CAPS]
 *            [-V VALID] [-p CNI_PATH] [-t MS] CMD NETWORK
 * CMD: ADD (prints the result), DEL, CHECK, STATUS, GC (VALID is the valid-attachments
 * array), CACHED (prints the cached result and capability args), LIST (network names).
 * DIRS is ':'-separated.  Failures print the error object on stdout and exit 1. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_field.h"
#include "cni/cni_chain.h"
#include "cni/cni_plugin.h"

static int split_dirs(char *s, const char **dirs, size_t max)
{
	size_t n = 0;
	char *save = NULL;

	for (char *d = strtok_r(s, ":", &save); d && n + 1 < max; d = strtok_r(NULL, ":", &save))
		dirs[n++] = d;
	dirs[n] = NULL;
	return 0;
}

static int print(json_t *o)
{
	json_dumpf(o, stdout, JSON_COMPACT);
	putchar('\n');
	return 0;
}

static int cmd_list(const char *const *dirs, struct nr_error *err)
{
	struct cni_netconf **v = NULL;
	size_t n = 0;
	int r = cni_netconf_list(dirs, &v, &n, err);

	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		printf("%s %s\n", v[i]->name, v[i]->path);
		cni_netconf_free(v[i]);
	}
	free(v);
	return 0;
}

static int cmd_cached(const char *cache, const char *net, const struct cni_rtconf *rt, const char *ver,
		      struct nr_error *err)
{
	_cleanup_result_ struct cni_result *res = NULL;
	_cleanup_json_ json_t *caps = NULL, *o = NULL;
	int r = cni_cache_read(cache, net, rt->container_id, rt->ifname, &res, &caps, err);

	if (r < 0)
		return r;
	o = json_pack("{s:o?, s:O?}", "result", res ? cni_result_to_json(res, ver) : NULL, "capabilityArgs", caps);
	return print(o);
}

int main(int argc, char **argv)
{
	char *dirs_s = strdup("/etc/cni/net.d"), *caps_s = NULL, *valid_s = NULL;
	const char *dirs[16];
	struct cni_rtconf rt = { .ifname = "eth0", .cni_path = getenv("CNI_PATH") };
	_cleanup_json_ json_t *caps = NULL, *valid = NULL;
	struct cni_netconf *n = NULL;
	struct nr_error err = { 0 };
	const char *cmd, *net;
	int c, r = 0;

	while ((c = getopt(argc, argv, "d:c:i:n:f:a:C:V:p:t:")) != -1) {
		switch (c) {
		case 'd':
			free(dirs_s);
			dirs_s = strdup(optarg);
			break;
		case 'c':
			rt.cache_dir = optarg;
			break;
		case 'i':
			rt.container_id = optarg;
			break;
		case 'n':
			rt.netns = optarg;
			break;
		case 'f':
			rt.ifname = optarg;
			break;
		case 'a':
			rt.args = optarg;
			break;
		case 'C':
			caps_s = optarg;
			break;
		case 'V':
			valid_s = optarg;
			break;
		case 'p':
			rt.cni_path = optarg;
			break;
		case 't':
			rt.timeout_ms = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: chainctl [options] CMD NETWORK\n");
			return 2;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: chainctl [options] CMD NETWORK\n");
		return 2;
	}
	cmd = argv[optind];
	net = argv[optind + 1];
	split_dirs(dirs_s, dirs, sizeof(dirs) / sizeof(dirs[0]));
	if (caps_s && json_parse_object(caps_s, strlen(caps_s), "-C", &caps, &err) < 0)
		goto fail;
	rt.capability_args = caps;
	if (valid_s && !(valid = json_loads(valid_s, 0, NULL))) {
		nr_error_set(&err, CNI_ERR_DECODE, EINVAL, "-V is not JSON");
		goto fail;
	}
	if (strcmp(cmd, "LIST") == 0) {
		r = cmd_list(dirs, &err);
		goto done;
	}
	if ((r = cni_netconf_load(dirs, net, &n, &err)) < 0)
		goto fail;
	if (strcmp(cmd, "ADD") == 0) {
		_cleanup_result_ struct cni_result *res = NULL;
		_cleanup_json_ json_t *o = NULL;
		if ((r = cni_chain_add(n, &rt, &res, &err)) >= 0 && (o = cni_result_to_json(res, n->cni_version)))
			print(o);
	} else if (strcmp(cmd, "DEL") == 0) {
		r = cni_chain_del(n, &rt, &err);
	} else if (strcmp(cmd, "CHECK") == 0) {
		r = cni_chain_check(n, &rt, &err);
	} else if (strcmp(cmd, "STATUS") == 0) {
		r = cni_chain_status(n, &rt, &err);
	} else if (strcmp(cmd, "GC") == 0) {
		r = cni_chain_gc(n, &rt, valid, &err);
	} else if (strcmp(cmd, "CACHED") == 0) {
		r = cmd_cached(rt.cache_dir, net, &rt, n->cni_version, &err);
	} else {
		r = nr_error_set(&err, CNI_ERR_INVALID_ENV, EINVAL, "unknown command %s", cmd);
	}
done:
	if (r < 0)
		goto fail;
	cni_netconf_free(n);
	free(dirs_s);
	return 0;
fail:
	cni_error_print(&err, n ? n->cni_version : NULL);
	cni_netconf_free(n);
	free(dirs_s);
	return 1;
}
