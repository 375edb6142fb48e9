/* Reconciling state with reality: a record whose init is gone and whose monitor is gone
 * too was left by a netns-run that was killed (or a machine that rebooted).  Its network
 * is DELeted with the cached result, its cgroups and netns file removed. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "base/cleanup.h"
#include "ctr.h"
#include "base/json_field.h"
#include "net.h"
#include "rt.h"
#include "state.h"

static bool stale(json_t *st)
{
	if (!strcmp(state_str(st, "status"), "exited"))
		/* A teardown that did not finish (a DEL that failed) is retried. */
		return !json_is_true(json_object_get(st, "net_done")) || json_is_true(json_object_get(st, "rm"));
	return !state_init_alive(st) && !state_monitor_alive(st);
}

int gc_reconcile(bool verbose, struct nr_error *err)
{
	_cleanup_close_ int lock = -1;
	char **names = NULL;
	int r, n = 0;

	if ((lock = state_lock(err)) < 0)
		return lock;
	if ((r = state_names(&names, err)) < 0)
		return r;
	for (char **p = names; *p; p++) {
		_cleanup_json_ json_t *st = NULL;
		struct nr_error e = {0};
		if (state_load(*p, &st, &e) < 0) {
			/* A directory without a record: a start that died before writing one. */
			char dir[512];
			if (e.code == CNI_ERR_UNKNOWN_CONTAINER && rm_rf(rt_ctr_path(dir, sizeof(dir), *p, NULL)) >= 0 &&
			    verbose)
				printf("removed %s (no record)\n", *p);
			continue;
		}
		if (!stale(st))
			continue;
		if (ctr_teardown(*p, st, false, &e) < 0) {
			if (verbose)
				rt_print_error(&e);
			continue;
		}
		n++;
		if (verbose)
			printf("cleaned up %s\n", *p);
	}
	state_names_free(names);
	return n;
}

/* The plugins' own GC for every network, with the attachments still in use. */
static int plugins_gc(bool verbose)
{
	_cleanup_json_ json_t *valid = json_object(); /* network name -> [attachments] */
	struct cni_netconf **nets = NULL;
	size_t n = 0;
	char **names = NULL;
	struct nr_error e = {0};
	int failed = 0;

	if (state_names(&names, &e) < 0 || net_list(&nets, &n, &e) < 0) {
		rt_print_error(&e);
		state_names_free(names);
		return -1;
	}
	for (char **p = names; *p; p++) {
		_cleanup_json_ json_t *st = NULL;
		if (state_load(*p, &st, NULL) < 0 || !strcmp(state_str(st, "status"), "exited"))
			continue;
		json_t *net = json_object_get(st, "network");
		const char *name = state_str(net, "name");
		if (!*name)
			continue;
		json_t *arr = json_object_get(valid, name);
		if (!arr) {
			arr = json_array();
			json_object_set_new(valid, name, arr);
		}
		json_array_append_new(arr, json_pack("{s:s, s:s}", "containerID", state_str(st, "id"), "ifname",
						     state_str(net, "ifname")));
	}
	for (size_t i = 0; i < n; i++) {
		struct cni_rtconf rt;
		_cleanup_json_ json_t *none = json_array();
		json_t *v = json_object_get(valid, nets[i]->name);
		net_rtconf(&rt, "", "", "", NULL);
		if (cni_chain_gc(nets[i], &rt, v ? v : none, &e) < 0) {
			fprintf(stderr, "netns-run: gc of network %s: %s\n", nets[i]->name, e.msg);
			failed++;
		} else if (verbose) {
			printf("network %s: plugins collected garbage\n", nets[i]->name);
		}
		cni_netconf_free(nets[i]);
	}
	free(nets);
	state_names_free(names);
	return failed ? -1 : 0;
}

int cmd_gc(int argc, char **argv)
{
	static const struct option longopts[] = {{"help", no_argument, NULL, 'h'}, {"quiet", no_argument, NULL, 'q'},
						 {0}};
	struct nr_error err = {0};
	bool quiet = false;
	int c, r;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+hq", longopts, NULL)) != -1) {
		if (c == 'h') {
			puts("Usage: netns-run gc [-q]\n\n"
			     "Tear down containers whose processes are gone but whose network, cgroups or\n"
			     "netns file remain (a netns-run that was killed), then run every network's\n"
			     "plugins' GC with the attachments still in use, and remove the netns-run\n"
			     "cgroup parents no container uses.\n\n"
			     "  -q, --quiet   print nothing but errors");
			return 0;
		}
		if (c == 'q') {
			quiet = true;
			continue;
		}
		fprintf(stderr, "netns-run gc: unknown option %s (see --help)\n", argv[optind - 1]);
		return RT_EXIT_RUNTIME;
	}
	if (optind < argc) {
		fprintf(stderr, "netns-run gc: takes no arguments (see --help)\n");
		return RT_EXIT_RUNTIME;
	}
	r = gc_reconcile(!quiet, &err);
	if (r < 0) {
		rt_print_error(&err);
		return RT_EXIT_RUNTIME;
	}
	r = plugins_gc(!quiet);
	/* A start racing with this is fine: its child makes the parent again when its own
	 * mkdir finds it gone, and then writes the device rules to its own cgroup. */
	cgroup_prune_parents();
	return r < 0 ? RT_EXIT_RUNTIME : 0;
}
