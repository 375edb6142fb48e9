/* `netns-run inspect`: the record, with what is observed now (usage, the cached result,
 * the plugins' CHECK). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cni/cni_result.h"
#include "engine/cgroup.h"
#include "engine/container.h"
#include "engine/net.h"

int cmd_inspect(int argc, char **argv)
{
	struct nr_error err = { 0 };
	_cleanup_record_ struct ctr_record *rec = NULL;
	_cleanup_free_ char *result = NULL, *check = NULL, *text = NULL;
	struct ctr_observed obs = { 0 };
	struct net_plan plan = { 0 };
	int r = cli_small_opts(argc, argv,
			       "Usage: netns-run inspect NAME\n\nPrint the container's record as JSON, with its current\n"
			       "resource use, its network result from the CNI cache, and the outcome of the plugins'\n"
			       "CHECK while it runs.\n",
			       "+h", NULL, NULL, NULL, 1);

	if (r <= 0)
		return -r;
	const char *name = argv[optind];
	if (ctr_store_load(name, &rec, &err) < 0) {
		return cli_error(&err);
	}
	obs.running = ctr_running(rec);
	if (obs.running && rec->cgroup) {
		cgroup_usage(rec->cgroup, &obs.memory_bytes, &obs.cpu_ns, &obs.pids);
		obs.have_usage = true;
	}
	if (net_plan_from_record(rec, &plan, &err) >= 0) {
		_cleanup_result_ struct cni_result *res = NULL;
		if (net_result(&plan, rec->id, &res, NULL) >= 0 && res)
			obs.network_result = result = net_result_text(res, &plan);
		if (obs.running && plan.conf) {
			struct nr_error ce = { 0 };
			r = net_check(&plan, rec->id, rec->netns_path ? rec->netns_path : "", &ce);
			obs.check = check = strdup(r < 0 ? ce.msg : "ok");
		}
		net_plan_clear(&plan);
	}
	/* Further networks: CHECK each; the first failure is what "check" says. */
	for (size_t i = 0; obs.running && check && !strcmp(check, "ok") && i < rec->n_more; i++) {
		struct nr_error ce = { 0 };
		char msg[sizeof(ce.msg) + 300];
		if (net_plan_from_network(&rec->more[i], &plan, &ce) >= 0 && plan.conf &&
		    net_check(&plan, rec->id, rec->netns_path ? rec->netns_path : "", &ce) >= 0) {
			net_plan_clear(&plan);
			continue;
		}
		net_plan_clear(&plan);
		snprintf(msg, sizeof(msg), "network %s: %s", rec->more[i].name, ce.msg);
		free(check);
		obs.check = check = strdup(msg);
	}
	if (ctr_record_inspect_text(rec, &obs, &text, &err) < 0) {
		return cli_error(&err);
	}
	puts(text);
	return 0;
}
